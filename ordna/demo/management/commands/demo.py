"""`ordna demo`: migrate, load the Borås demo, print the logins, serve app and worker."""

from __future__ import annotations

import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from ordna.accounts.models import Role
from ordna.core.management.commands.serve import gunicorn_argv
from ordna.demo import boras
from ordna.demo import catalogue as demo_catalogue


class Command(BaseCommand):
    help = "Prepare the demo database (idempotent) and serve Ordna with a background worker."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load the demo even with production settings (HTTPS=true).",
        )
        parser.add_argument(
            "--no-serve",
            action="store_true",
            help="Only prepare the database; do not start the servers.",
        )

    def handle(self, *args, **options):
        if settings.HTTPS and not options["force"]:
            raise CommandError(
                "This looks like a production installation (HTTPS=true): the demo would "
                "add accounts whose password is 'demo'. Use --force if you really mean it."
            )
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        created = boras.load()
        if any(created.values()):
            summary = ", ".join(f"{k} {v}" for k, v in created.items())
            self.stdout.write(f"Demo data loaded ({summary}).")
        else:
            self.stdout.write("Demo data already in place; nothing changed.")
        self.stdout.write("\nDemo logins (password: demo):")
        for username, _first, _last, _title, role, unit in boras.USERS:
            where = f" – {unit}" if unit else ""
            self.stdout.write(f"  {username:<22} {role.label}{where}")
        signers = [u for u, _names in demo_catalogue.SIGNERS.values() if _names]
        self.stdout.write(f"  {', '.join(signers)}: {Role.PURCHASER_REPRESENTATIVE.label}")
        if options["no_serve"]:
            return
        self._serve(options["host"], options["port"])

    def _serve(self, host: str, port: int) -> None:
        url = f"http://{host}:{port}/"
        self.stdout.write(f"\nOrdna is starting on {url}  (stop with Ctrl+C)\n")
        self.stdout.flush()
        worker = subprocess.Popen([sys.executable, "-m", "ordna.cli", "worker"])
        web = subprocess.Popen(gunicorn_argv(host, port, 2))
        processes = [web, worker]

        def stop(signum, frame):
            for process in processes:
                if process.poll() is None:
                    process.terminate()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            code = web.wait()
        finally:
            stop(None, None)
            for process in processes:
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
        if code not in (0, -signal.SIGTERM, -signal.SIGINT) and not settings.DEBUG:
            sys.exit(code)
