"""`ordna apitoken USERNAME [--name NAME]`: create an API token and print its key once.

For scripts, integrations and test harnesses (API fuzzing, load benchmarks). The key is
printed on standard output and never stored; revoke it on the API tokens page.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ordna.accounts.models import User
from ordna.accounts.services import api_token_create
from ordna.audit.models import AuditEvent


class Command(BaseCommand):
    help = "Create an API token for USERNAME and print its key (shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="command line")

    def handle(self, *args, username, name, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user named {username!r}.")
        try:
            _token, key = api_token_create(actor=user, name=name, source=AuditEvent.Source.CLI)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(key)
