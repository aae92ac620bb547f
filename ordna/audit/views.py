"""Auditor pages: the trail filtered by object, user and date, and chain verification."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ordna.accounts import access
from ordna.accounts.selectors import user_id_by_username
from ordna.audit import selectors
from ordna.audit.forms import EventFilterForm
from ordna.core.selectors import unfinished_job


def _render_events(request, qs, context):
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    context.update({"page": page, "can_verify": access.can_verify_audit_chain(request.user)})
    return render(request, "audit/event_list.html", context)


@login_required
def event_list(request):
    access.access_audit_trail(request.user)
    form = EventFilterForm(request.GET or None)
    filters = {}
    if form.is_valid():
        data = form.cleaned_data
        actor = None
        if data["actor"]:
            # An unknown user name matches nothing (-1), rather than being ignored.
            actor = user_id_by_username(data["actor"]) or -1
        filters = {
            "actor_id": actor,
            "object_type": data["object_type"],
            "object_id": data["object_id"],
            "action": data["action"],
            "date_from": data["date_from"],
            "date_to": data["date_to"],
        }
        qs = selectors.event_list(**filters)
    else:
        qs = selectors.event_list().none() if form.is_bound else selectors.event_list()
    return _render_events(request, qs, {"form": form, "title": _("Audit trail")})


@login_required
def object_events(request, object_type, object_id):
    access.access_audit_trail(request.user)
    qs = selectors.event_list(object_type=object_type, object_id=object_id)
    latest = qs.first()
    name = latest.object_repr if latest else f"{object_type} {object_id}"
    title = _("History of %(name)s") % {"name": name}
    return _render_events(request, qs, {"title": title, "form": None})


@login_required
def user_events(request, pk):
    access.access_audit_trail(request.user)
    person = access.access_person(request.user, pk)
    qs = selectors.event_list(actor_id=person.pk)
    title = _("Actions by %(name)s") % {"name": person}
    return _render_events(request, qs, {"title": title, "form": None, "person": person})


@login_required
@require_POST
def verify_start(request):
    access.require(access.can_verify_audit_chain(request.user))
    from ordna.core.services import job_start
    from ordna.core.tasks import verify_audit_chain

    running = unfinished_job(access.jobs_visible_to(request.user), "audit.verify")
    if running is not None:
        messages.info(request, _("A verification is already under way."))
        return redirect("core:job_detail", pk=running.pk)
    job = job_start(
        actor=request.user,
        kind="audit.verify",
        title=gettext_lazy("Verify the audit trail"),
        task=verify_audit_chain,
    )
    messages.info(request, _("The verification has started."))
    return redirect("core:job_detail", pk=job.pk)
