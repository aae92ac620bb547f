"""`ordna orders auto-accept [--date YYYY-MM-DD]`: accept deliveries nobody answered.

A delivered order whose purchaser has neither accepted nor returned it within
ORDER_AUTO_ACCEPT_WORKING_DAYS working days is accepted automatically, with the reason
in the audit trail. Run it daily; running it twice changes nothing.
"""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError

from ordna.orders.services import auto_accept_due


class Command(BaseCommand):
    help = "Order tools. `auto-accept` accepts deliveries left unanswered too long."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["auto-accept"])
        parser.add_argument("--date", help="the day to count to (default: today)")

    def handle(self, *args, **options):
        day = None
        if options["date"]:
            try:
                day = datetime.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("--date must be a date like 2026-01-01") from None
        count = auto_accept_due(day=day)
        self.stdout.write(f"Orders accepted automatically: {count}.")
