"""`ordna audit verify`: check the audit trail's hash chain; non-zero exit when broken."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from ordna.audit.services import verify_chain


class Command(BaseCommand):
    help = "Audit trail tools. `verify` checks the hash chain from the first event to the last."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, **options):
        result = verify_chain()
        if result.ok:
            self.stdout.write(f"Audit chain intact: {result.checked} events verified.")
            return
        raise CommandError(
            f"Audit chain broken at event {result.broken_id}: {result.problem} "
            f"({result.checked} events before it verified)."
        )
