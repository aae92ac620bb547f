"""Background tasks of the procurement app: the what-if replay."""

from __future__ import annotations

from django_tasks import task

from ordna.core.services import run_job


@task()
def replay_run(job_id: str, replay_id: int) -> dict:
    """Run a what-if replay, reporting progress as it goes."""
    from ordna.procurement.models import Replay
    from ordna.procurement.services import replay_execute

    def body(progress):
        replay = Replay.objects.select_related("rule_set_version__rule_set").get(pk=replay_id)
        result = replay_execute(replay, progress)
        return {"summary": f"{result['changed']} / {result['total']}", **result}

    return run_job(job_id, body)
