"""`ordna route evaluate [FILE|-]`: assess one need, print the decision receipt as JSON.

Reads the need as JSON from FILE, or from standard input when FILE is `-` or left out,
assesses it under the rule set in force on its date and prints the receipt. Saves
nothing. A bad need (malformed JSON, unknown unit, service or category, a bad value)
ends with exit status 2 and a one-line reason on standard error.

`ordna route install-default --owner KS --from 2024-01-01` creates and publishes the
shipped rule set "Borås Stad — kommunövergripande riktlinjer" unless it exists.
"""

from __future__ import annotations

import datetime
import json
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ordna.audit.models import AuditEvent


class Command(BaseCommand):
    help = "Route guidelines: evaluate a need (JSON) and print its receipt; install-default."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["evaluate", "install-default"])
        parser.add_argument("file", nargs="?", default="-", help="the need as JSON, - for stdin")
        parser.add_argument("--owner", default="KS", help="install-default: owner unit code")
        parser.add_argument("--from", dest="valid_from", default="2024-01-01")

    def handle(self, *args, **options):
        if options["action"] == "install-default":
            return self._install(options)
        self._evaluate(options["file"])

    def _fail(self, reason: str):
        raise CommandError(" ".join(reason.split()), returncode=2)

    def _evaluate(self, name: str) -> None:
        from ordna.procurement import assess, engine, selectors

        try:
            if name == "-":
                text = sys.stdin.read()
            else:
                with open(name, encoding="utf-8") as handle:
                    text = handle.read()
        except OSError as exc:
            self._fail(f"cannot read {name}: {exc.strerror}")
        except UnicodeDecodeError:
            self._fail(f"{name} is not UTF-8 text")
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            self._fail(f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")
        try:
            need = assess.parse_need(data)
            registry = assess.Registry.load()
            version = selectors.version_in_force(need.day)
            receipt = assess.assess(need, registry, selectors.compiled(version))
            selectors.add_splitting_warning(receipt, need, registry)
        except assess.NeedError as exc:
            self._fail(f"{exc.field}: {exc.message}")
        except (assess.NoReferenceData, selectors.NoRuleSet, engine.RuleSetError) as exc:
            self._fail(str(exc))
        self.stdout.write(json.dumps(receipt, ensure_ascii=False, indent=2))

    def _install(self, options) -> None:
        from ordna.organisation.selectors import unit_by_code
        from ordna.procurement import services

        try:
            day = datetime.date.fromisoformat(options["valid_from"])
        except ValueError:
            self._fail("--from must be a date like 2024-01-01")
        owner = unit_by_code(options["owner"], day) or unit_by_code(options["owner"])
        if owner is None:
            self._fail(f"no unit with code {options['owner']}")
        try:
            version = services.install_default(
                owner=owner, valid_from=day, source=AuditEvent.Source.CLI
            )
        except ValidationError as exc:
            self._fail("; ".join(exc.messages))
        self.stdout.write(f"{version} ({version.get_status_display()}, {version.sha256[:12]})")
