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


def unfinished_job(jobs, kind: str):
    """The queued or running job of `kind` among `jobs`, if any."""
    from ordna.core.models import Job

    return jobs.filter(kind=kind, status__in=[Job.Status.QUEUED, Job.Status.RUNNING]).first()


def worker_heartbeat_age() -> float | None:
    """Seconds since the most recent heartbeat of any worker, or None if none ever ran."""
    last = WorkerHeartbeat.objects.aggregate(last=Max("last_seen"))["last"]
    if last is None:
        return None
    return round((timezone.now() - last).total_seconds(), 1)


_migrations_applied = False


def migrations_applied() -> tuple[bool, int]:
    """(all applied, how many pending). Once all are applied in this process the answer is
    remembered: building the migration graph on every probe would be wasteful."""
    global _migrations_applied
    if _migrations_applied:
        return True, 0
    pending = len(pending_migrations())
    _migrations_applied = pending == 0
    return _migrations_applied, pending


def health() -> dict:
    """What /healthz answers: database, migrations, audit triggers, worker heartbeat age."""
    from ordna.audit import triggers

    db_ok = database_reachable()
    report: dict = {"database": "ok" if db_ok else "unreachable"}
    if not db_ok:
        report["status"] = "error"
        return report
    applied, pending = migrations_applied()
    report["migrations"] = "applied" if applied else f"{pending} pending"
    guarded = applied and triggers.installed(connection)
    report["audit_append_only"] = guarded
    try:
        age = worker_heartbeat_age()
    except Exception:  # the table itself may be missing before the first migrate
        age = None
    report["worker_heartbeat_age_seconds"] = age
    report["status"] = "ok" if applied and guarded else "error"
    return report
