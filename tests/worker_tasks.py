"""Tasks used only by the worker tests (importable by the worker subprocess)."""

from django_tasks import task

from ordna.core.services import run_job


@task()
def failing_job(job_id: str) -> dict:
    def body(progress):
        progress(1, 3, "first step done")
        raise ValueError("the second step could not find its input")

    return run_job(job_id, body)
