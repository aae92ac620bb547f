"""`ordna bench [NAME ...] [--scale N] [--json FILE]`: run benchmark scenarios and report.

Database scenarios run against the configured database (prepare one for the purpose,
e.g. DATABASE_URL=sqlite:///var/bench.sqlite3); the `http` scenario makes its own fresh
databases. Figures are printed, never asserted.
"""

from __future__ import annotations

import json
import platform
from pathlib import Path

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from ordna.bench import http as _http  # noqa: F401  (registers the http scenario)
from ordna.bench import orders as _orders  # noqa: F401  (registers the order pages)
from ordna.bench import route as _route  # noqa: F401  (registers the route engine)
from ordna.bench import scenarios as _scenarios  # noqa: F401  (registers db scenarios)
from ordna.bench.registry import SCENARIOS


class Command(BaseCommand):
    help = "Run benchmark scenarios (all when none named) and print their figures."

    def add_arguments(self, parser):
        parser.add_argument("names", nargs="*", metavar="NAME")
        parser.add_argument(
            "--scale",
            type=float,
            default=0.0,
            help="Generate data at this scale first (ordna generate).",
        )
        parser.add_argument("--json", dest="json_file", help="Also write the figures here.")
        parser.add_argument(
            "--duration", type=float, default=15.0, help="Seconds of load in the http scenario."
        )
        parser.add_argument("--concurrency", type=int, default=8)
        parser.add_argument("--workers", type=int, default=2, help="Web server processes.")
        parser.add_argument("--list", action="store_true", help="List the scenarios.")

    def handle(self, *args, names, scale, json_file, list, **options):
        if list:
            for scenario in SCENARIOS.values():
                self.stdout.write(f"{scenario.name:<14} {scenario.description}")
            return
        unknown = sorted(set(names) - set(SCENARIOS))
        if unknown:
            raise CommandError(f"Unknown scenario(s): {', '.join(unknown)}. Try --list.")
        chosen = [SCENARIOS[n] for n in (names or SCENARIOS)]
        if any(s.name != "http" for s in chosen):
            self._prepare(scale)
        machine = f"{platform.machine()}, {platform.system()}, Python {platform.python_version()}"
        where = "" if [s.name for s in chosen] == ["http"] else f"; database: {connection.vendor}"
        self.stdout.write(f"Machine: {machine}{where}; scale {scale}")
        results = []
        for scenario in chosen:
            opts = {**options, "scale": scale}
            for report in scenario.run(opts):
                results.append(report.as_dict())
                figures = "; ".join(f.as_text() for f in report.figures)
                ratio = f" — {report.baseline_ratio:.2f}× baseline" if report.baseline_ratio else ""
                self.stdout.write(f"{report.scenario}: {figures}{ratio}")
                if report.notes:
                    self.stdout.write(f"    ({report.notes})")
        if json_file:
            Path(json_file).write_text(
                json.dumps({"machine": machine, "scale": scale, "results": results}, indent=2)
            )

    def _prepare(self, scale: float) -> None:
        from ordna.demo import boras

        if settings.HTTPS:
            raise CommandError(
                "Benchmarks load the demo accounts (password 'demo'): run them against a "
                "database of their own, not with production settings (HTTPS=true)."
            )
        call_command("migrate", interactive=False, verbosity=0)
        boras.load()
        if scale and "generate" in get_commands():
            try:
                call_command("generate", scale=scale, verbosity=0)
            except CommandError as exc:
                raise CommandError(f"Cannot prepare scale {scale} here: {exc}") from None
