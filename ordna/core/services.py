"""Background jobs as users see them: start, report progress, finish or fail.

A job is a `Job` row (what the page shows) plus a django-tasks task (what the worker
runs). The task is enqueued after the transaction commits, so the worker always finds
the row; the task body is wrapped by `run_job`, which records start, end and errors.
"""

from __future__ import annotations

import datetime
import traceback
import uuid
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ordna.audit.models import AuditEvent
from ordna.audit.services import record, snapshot
from ordna.core.exceptions import StaleEdit
from ordna.core.models import Job, WorkerHeartbeat


@transaction.atomic
def job_start(*, actor, kind: str, title: str, task, source="web", **task_kwargs) -> Job:
    """Create the job row and enqueue `task(job_id=..., **task_kwargs)` after commit.

    `title` may be lazy; it is stored in the municipality's language, like the trail.
    """
    with translation.override(settings.LANGUAGE_CODE):
        title = str(title)
    job = Job.objects.create(kind=kind, title=title, requested_by=actor)
    record(
        actor=actor,
        action="core.job.start",
        obj=job,
        after={"kind": kind, "title": title, "arguments": task_kwargs},
        source=source,
    )

    def enqueue() -> None:
        result = task.enqueue(job_id=str(job.pk), **task_kwargs)
        Job.objects.filter(pk=job.pk).update(task_result_id=str(result.id))

    transaction.on_commit(enqueue)
    return job


class Progress:
    """Handed to a job body: report how far it got (the page polls it every second)."""

    def __init__(self, job_id: uuid.UUID | str):
        self.job_id = job_id

    def __call__(self, done: int, total: int | None = None, message: str = "") -> None:
        fields = {"progress_done": done}
        if total is not None:
            fields["progress_total"] = total
        if message:
            fields["message"] = message[:500]
        Job.objects.filter(pk=self.job_id).update(**fields)


def run_job(job_id: str, body: Callable[[Progress], dict | None]) -> dict:
    """Run a job body in the worker, recording start, result, and any failure with its error."""
    Job.objects.filter(pk=job_id).update(status=Job.Status.RUNNING, started_at=timezone.now())
    try:
        result = body(Progress(job_id)) or {}
    except Exception as exc:
        error = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        _finish(job_id, Job.Status.FAILED, error=error)
        raise
    _finish(job_id, Job.Status.SUCCEEDED, result=result)
    return result


@transaction.atomic
def _finish(job_id: str, status: str, *, result: dict | None = None, error: str = "") -> None:
    job = Job.objects.select_for_update().get(pk=job_id)
    job.status = status
    job.finished_at = timezone.now()
    job.error = error
    if result is not None:
        job.result = result
    if status == Job.Status.SUCCEEDED and job.progress_total:
        job.progress_done = job.progress_total
    job.save()
    record(
        actor=None,
        action=f"core.job.{status}",
        obj=job,
        after={"status": status, "error": error, "result": result},
        source=AuditEvent.Source.WORKER,
    )


def worker_heartbeat(*, worker_id: str, hostname: str, pid: int) -> None:
    """Record that a worker is alive. Bookkeeping only: not audited.

    Rows of workers silent for more than a day are removed, so restarts do not pile up.
    """
    now = timezone.now()
    WorkerHeartbeat.objects.filter(last_seen__lt=now - datetime.timedelta(days=1)).delete()
    updated = WorkerHeartbeat.objects.filter(worker_id=worker_id).update(
        last_seen=now, hostname=hostname, pid=pid
    )
    if not updated:
        WorkerHeartbeat.objects.create(
            worker_id=worker_id, hostname=hostname, pid=pid, started_at=now, last_seen=now
        )


def next_number(series: str, year: int) -> int:
    """Take the next number in `series` for `year`, inside the caller's transaction."""
    from django.db import IntegrityError, connection, transaction

    from ordna.core.models import NumberSeries

    if not connection.in_atomic_block:
        raise RuntimeError("next_number must be called inside the writing transaction")
    row = NumberSeries.objects.select_for_update().filter(series=series, year=year).first()
    if row is None:
        try:
            with transaction.atomic():
                NumberSeries.objects.create(series=series, year=year)
        except IntegrityError:
            pass  # created by a concurrent transaction; lock it below
        row = NumberSeries.objects.select_for_update().get(series=series, year=year)
    row.last += 1
    row.save(update_fields=["last"])
    return row.last


def check_version(obj, version: int | None) -> None:
    """Refuse an edit based on an older version of `obj` (someone else saved first)."""
    if version is not None and int(version) != obj.version:
        raise StaleEdit(
            _(
                "Someone else changed this record after you opened it. "
                "Reload the page to see their change, then make yours again."
            )
        )


def versioned_update(*, actor, model, pk, version, fields, data, clean, action, source, reason):
    """The one way versioned rows (registry, catalogue) are edited: lock, refuse a stale
    version, apply the allowed fields, validate with `clean(row, before)`, then bump the
    version and audit. An edit that changes nothing saves nothing and writes no event.
    Call it inside the writing transaction."""
    row = model.objects.select_for_update().get(pk=pk)
    check_version(row, version)
    before = snapshot(row)
    for key, value in data.items():
        if key in fields:
            setattr(row, key, value)
    clean(row, before)
    if snapshot(row) == before:
        return row
    row.version += 1
    row.save()
    record(
        actor=actor,
        action=action,
        obj=row,
        before=before,
        after=snapshot(row),
        reason=reason,
        source=source,
    )
    return row
