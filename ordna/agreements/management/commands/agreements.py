"""`ordna agreements refresh [--date YYYY-MM-DD]`: move agreements along the calendar.

Signed agreements whose period has begun become active; active ones whose period has
ended expire. Run it daily (cron or a systemd timer); running it twice changes nothing.
"""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError

from ordna.agreements.services import agreements_refresh


class Command(BaseCommand):
    help = "Agreement tools. `refresh` activates signed agreements and expires ended ones."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["refresh"])
        parser.add_argument("--date", help="the day to refresh for (default: today)")

    def handle(self, *args, **options):
        day = None
        if options["date"]:
            try:
                day = datetime.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("--date must be a date like 2026-01-01") from None
        counts = agreements_refresh(day=day)
        self.stdout.write(
            f"Agreements refreshed: {counts['activated']} activated, {counts['expired']} expired."
        )
