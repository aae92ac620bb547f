"""Background tasks of the core."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from ordna.core.services import run_job


@task()
def verify_audit_chain(job_id: str) -> dict:
    """Verify the audit trail's hash chain, reporting progress as it goes."""
    from ordna.audit.models import AuditEvent
    from ordna.audit.services import verify_chain

    def body(progress):
        total = AuditEvent.objects.count()
        progress(0, total)
        result = verify_chain(progress=lambda done: progress(done, total))
        with translation.override(settings.LANGUAGE_CODE):
            if result.ok:
                summary = _("The chain is intact: %(n)s events verified.") % {"n": result.checked}
            else:
                summary = _("The chain is broken at event %(id)s: %(problem)s.") % {
                    "id": result.broken_id,
                    "problem": result.problem,
                }
        return {
            "summary": summary,
            "ok": result.ok,
            "checked": result.checked,
            "broken_id": result.broken_id,
            "problem": result.problem,
        }

    return run_job(job_id, body)
