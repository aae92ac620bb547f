"""A real `ordna worker` process picks up jobs from the database, reports progress and errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.urls import reverse

from ordna.core.models import Job, WorkerHeartbeat
from ordna.core.services import job_start
from ordna.core.tasks import verify_audit_chain

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.worker


def _database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(s['NAME']).resolve()}"
    auth = quote(s["USER"] or "")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"])
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def run_worker() -> subprocess.CompletedProcess:
    """Run the real worker until the queue is empty."""
    env = {**os.environ, "DATABASE_URL": _database_url(), "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "ordna.cli", "worker", "--batch", "--no-startup-delay"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def admin(allow_audit_flush):
    from ordna.demo import boras

    boras.load()
    from ordna.accounts.models import User

    return User.objects.get(username="admin")


def test_worker_runs_a_job_to_completion(admin, client):
    job = job_start(actor=admin, kind="audit.verify", title="Verify", task=verify_audit_chain)
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED
    assert job.task_result_id  # enqueued after commit

    done = run_worker()
    assert done.returncode == 0, done.stderr

    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.result["ok"] is True
    assert job.result["checked"] > 40
    assert job.percent == 100
    assert job.started_at and job.finished_at
    assert WorkerHeartbeat.objects.exists()

    client.force_login(admin)
    page = client.get(reverse("core:job_detail", args=[job.pk]))
    assert "100 %" in page.content.decode()
    health = client.get("/healthz").json()
    assert health["worker_heartbeat_age_seconds"] is not None


def test_worker_records_a_failure_with_its_error(admin, client):
    from tests.worker_tasks import failing_job

    job = job_start(actor=admin, kind="test.fail", title="Fails", task=failing_job)
    done = run_worker()
    assert done.returncode == 0, done.stderr
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "ValueError: the second step could not find its input" in job.error
    assert job.progress_done == 1 and job.progress_total == 3

    client.force_login(admin)
    page = client.get(reverse("core:job_detail", args=[job.pk]), HTTP_HX_REQUEST="true")
    body = page.content.decode()
    assert "the second step could not find its input" in body
    assert "<html" not in body  # the HTMX poll gets only the progress partial
