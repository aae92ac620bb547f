"""`ordna createadmin USERNAME`: the first system administrator of a new installation."""

from __future__ import annotations

import getpass
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from ordna.accounts import services
from ordna.accounts.models import Membership, Role, User
from ordna.audit.models import AuditEvent


class Command(BaseCommand):
    help = (
        "Create a system administrator (or give an existing user that role). The password "
        "is asked for, or read from ORDNA_ADMIN_PASSWORD."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")

    def handle(self, *args, username, email, **options):
        source = AuditEvent.Source.CLI
        try:
            with transaction.atomic():
                user = User.objects.filter(username=username).first()
                if user is None:
                    password = os.environ.get("ORDNA_ADMIN_PASSWORD") or self._ask()
                    user = services.user_create(
                        actor=None,
                        source=source,
                        username=username,
                        email=email,
                        password=password,
                        reason="ordna createadmin",
                    )
                if not user.is_active:
                    services.user_update(
                        actor=None,
                        user=user,
                        is_active=True,
                        source=source,
                        reason="ordna createadmin",
                    )
                today = timezone.localdate()
                current = Membership.objects.valid_on(today).filter(
                    user=user, role=Role.SYSTEM_ADMIN
                )
                if not current.exists():
                    services.membership_grant(
                        actor=None,
                        source=source,
                        user=user,
                        role=Role.SYSTEM_ADMIN,
                        reason="ordna createadmin",
                    )
        except ValidationError as exc:
            messages = (
                "; ".join(
                    f"{field}: {' '.join(errors)}" for field, errors in exc.message_dict.items()
                )
                if hasattr(exc, "error_dict")
                else "; ".join(exc.messages)
            )
            raise CommandError(messages) from None
        self.stdout.write(f"{username} is a system administrator.")

    def _ask(self) -> str:
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The passwords differ.")
        return first
