"""`ordna invoicing run|post|close --period YYYY-MM`, `ordna invoicing export-sie
--period YYYY-MM --out FILE`.

`run` invoices everything due in the period that is not yet invoiced and prints a JSON
summary (`period`, `status`, `invoices`, `lines`, `total_sek`, `created_lines`); running it
again adds nothing. `post` numbers and freezes the period's draft invoices. `close` closes
the period (refused while drafts with lines are unposted). `export-sie` writes the
period's posted invoices as a SIE 4i file (code page 437). Bad input: exit status 2 with a
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
        parser.add_argument("action", choices=["run", "post", "close", "export-sie"])
        parser.add_argument("--period", required=True, help="YYYY-MM")
        parser.add_argument("--out", help="export-sie: the file to write")

    def handle(self, *args, **options):
        try:
            year, month = services.parse_period(options["period"])
            period = services.period_get(actor=None, year=year, month=month)
            if options["action"] == "run":
                result = services.run(actor=None, period=period)
            elif options["action"] == "export-sie":
                result = self._export(period, options["out"])
            elif options["action"] == "post":
                result = {"period": period.code, "posted": services.post(actor=None, period=period)}
            else:
                services.close(actor=None, period=period)
                result = services.summary(period)
                result["status"] = "closed"
        except ValidationError as exc:
            raise CommandError(" ".join("; ".join(exc.messages).split()), returncode=2) from None
        self.stdout.write(json.dumps(result, ensure_ascii=False))

    def _export(self, period, out: str | None) -> dict:
        from django.utils import timezone

        from ordna.invoicing import sie
        from ordna.invoicing.models import Invoice

        if not out:
            raise CommandError("export-sie needs --out FILE", returncode=2)
        data = sie.export(period, generated=timezone.localdate())
        try:
            with open(out, "wb") as handle:
                handle.write(data)
        except OSError as exc:
            raise CommandError(f"cannot write {out}: {exc.strerror}", returncode=2) from None
        posted = Invoice.objects.filter(period=period, status=Invoice.Status.POSTED).count()
        return {"period": period.code, "file": out, "vouchers": posted, "bytes": len(data)}
