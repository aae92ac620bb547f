"""Start-page panels contributed by the core, accounts, organisation and audit apps."""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.utils import timezone
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


def registry_gaps(request):
    if not access.can_manage_registry(request.user):
        return None
    from ordna.organisation.models import Unit

    today = timezone.localdate()
    units = Unit.objects.valid_on(today)
    missing = units.filter(
        Q(registry_email="") | Q(cost_centre="") | Q(counterparty_code="")
    ).order_by("code")
    ending = units.filter(
        valid_to__isnull=False, valid_to__lte=today + datetime.timedelta(days=60)
    ).order_by("valid_to")
    return Panel(
        _("Organisation registry"),
        "core/panels/registry.html",
        {"missing": missing, "ending": ending},
        20,
    )


def audit_latest(request):
    if not access.can_read_audit_trail(request.user):
        return None
    from ordna.audit.selectors import event_list

    return Panel(
        _("Latest changes"),
        "core/panels/audit.html",
        {"events": event_list()[:8], "can_verify": access.can_verify_audit_chain(request.user)},
        30,
    )


def get_started(request):
    """What a user can do today, by role, until each role's own work lists land."""
    links = [(_("Find a unit or a colleague"), "organisation:unit_list")]
    if access.can_read_audit_trail(request.user):
        links.append((_("Follow who changed what"), "audit:event_list"))
    if access.can_manage_people(request.user):
        links.append((_("Add people and give them roles"), "accounts:person_list"))
    links.append((_("Create a token for the API"), "accounts:token_list"))
    return Panel(_("Get started"), "core/panels/links.html", {"links": links}, 90)


for builder in (my_jobs, registry_gaps, audit_latest, get_started):
    register_panel(builder)
