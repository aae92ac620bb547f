"""`ordna worker`: the background worker (django-tasks-db) plus a heartbeat for /healthz."""

from __future__ import annotations

import logging
import os
import socket
import threading

from django.conf import settings
from django.db import close_old_connections, connection
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from ordna.core.services import worker_heartbeat

logger = logging.getLogger("ordna.worker")


class Command(DbWorkerCommand):
    help = "Run the background worker (picks up queued jobs) and write a heartbeat."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(queue_name="*", reload=False)

    def handle(self, *args, **options):
        worker_id = options["worker_id"]
        beat = {"worker_id": worker_id, "hostname": socket.gethostname(), "pid": os.getpid()}
        worker_heartbeat(**beat)
        stop = threading.Event()

        def keep_beating() -> None:
            while not stop.wait(settings.WORKER_HEARTBEAT_SECONDS):
                try:
                    close_old_connections()
                    worker_heartbeat(**beat)
                except Exception:  # a busy database must not kill the heartbeat thread
                    logger.warning("Heartbeat not written; retrying", exc_info=True)
            connection.close()

        thread = threading.Thread(target=keep_beating, name="heartbeat", daemon=True)
        thread.start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
