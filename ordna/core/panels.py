"""Start-page panels of the core: your jobs, and where to start."""

from __future__ import annotations

from django.utils.translation import gettext as _

from ordna.accounts import access
from ordna.core.models import Job
from ordna.core.navigation import Panel, register_panel


def my_jobs(request):
    jobs = list(
        access.jobs_visible_to(request.user)
        .filter(requested_by=request.user)
        .exclude(status=Job.Status.SUCCEEDED)[:5]
    )
    if not jobs:
        return None
    return Panel(_("Your unfinished or failed jobs"), "core/panels/jobs.html", {"jobs": jobs}, 50)


def get_started(request):
    """What a user can do today, by role, until each role's own work lists land."""
    links = [(_("Find a unit or a colleague"), "organisation:unit_list")]
    if access.can_read_audit_trail(request.user):
        links.append((_("Follow who changed what"), "audit:event_list"))
    if access.can_manage_people(request.user):
        links.append((_("Add people and give them roles"), "accounts:person_list"))
    links.append((_("Create a token for the API"), "accounts:token_list"))
    return Panel(_("Get started"), "core/panels/links.html", {"links": links}, 90)


for builder in (my_jobs, get_started):
    register_panel(builder)
