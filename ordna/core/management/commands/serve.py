"""`ordna serve`: the production web server (gunicorn) on Ordna's WSGI application."""

from __future__ import annotations

import os
import sys

from django.core.management.base import BaseCommand

from ordna.envconfig import env_int, env_str


def gunicorn_argv(host: str, port: int, workers: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "ordna.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(env_int("WEB_THREADS", 4)),
        "--timeout",
        str(env_int("WEB_TIMEOUT", 60)),
        "--access-logfile",
        "-",
        # The control socket would live in the user's home directory; Ordna does not use
        # it, and a service account's home may be read-only.
        "--no-control-socket",
        "--forwarded-allow-ips",
        env_str("FORWARDED_ALLOW_IPS", "127.0.0.1"),
    ]


class Command(BaseCommand):
    help = "Serve Ordna with gunicorn (a production-grade WSGI server)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=env_str("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=env_int("PORT", 8000))
        parser.add_argument("--workers", type=int, default=env_int("WEB_CONCURRENCY", 2))

    def handle(self, *args, **options):
        argv = gunicorn_argv(options["host"], options["port"], options["workers"])
        self.stdout.write(f"Serving Ordna on http://{options['host']}:{options['port']}/")
        sys.stdout.flush()
        os.execv(sys.executable, argv)
