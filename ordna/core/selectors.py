"""Reads for the core: system health and jobs."""

from __future__ import annotations

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Max
from django.utils import timezone

from ordna.core.models import WorkerHeartbeat


def database_reachable() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone()[0] == 1
    except Exception:
        return False


def pending_migrations() -> list[str]:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def worker_heartbeat_age() -> float | None:
    """Seconds since the most recent heartbeat of any worker, or None if none ever ran."""
    last = WorkerHeartbeat.objects.aggregate(last=Max("last_seen"))["last"]
    if last is None:
        return None
    return round((timezone.now() - last).total_seconds(), 1)


def health() -> dict:
    """What /healthz answers: database, migrations, worker heartbeat age."""
    db_ok = database_reachable()
    report: dict = {"database": "ok" if db_ok else "unreachable"}
    if not db_ok:
        report["status"] = "error"
        return report
    pending = pending_migrations()
    report["migrations"] = "applied" if not pending else "pending"
    if pending:
        report["pending_migrations"] = pending
    try:
        age = worker_heartbeat_age()
    except Exception:  # the table itself may be missing before the first migrate
        age = None
    report["worker_heartbeat_age_seconds"] = age
    report["status"] = "ok" if not pending else "error"
    return report
