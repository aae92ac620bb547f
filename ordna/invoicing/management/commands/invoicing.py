"""`ordna invoicing run|post|close --period YYYY-MM`.

`run` invoices everything due in the period that is not yet invoiced and prints a JSON
summary (`period`, `status`, `invoices`, `lines`, `total_sek`, `created_lines`); running it
again adds nothing. `post` numbers and freezes the period's draft invoices. `close` closes
the period (refused while drafts with lines are unposted). Bad input: exit status 2 with a
one-line reason.
"""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ordna.invoicing import services


class Command(BaseCommand):
    help = "Invoicing: run, post or close a period (YYYY-MM)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["run", "post", "close"])
        parser.add_argument("--period", required=True, help="YYYY-MM")

    def handle(self, *args, **options):
        try:
            year, month = services.parse_period(options["period"])
            period = services.period_get(actor=None, year=year, month=month)
            if options["action"] == "run":
                result = services.run(actor=None, period=period)
            elif options["action"] == "post":
                result = {"period": period.code, "posted": services.post(actor=None, period=period)}
            else:
                services.close(actor=None, period=period)
                result = services.summary(period)
                result["status"] = "closed"
        except ValidationError as exc:
            raise CommandError(" ".join("; ".join(exc.messages).split()), returncode=2) from None
        self.stdout.write(json.dumps(result, ensure_ascii=False))
