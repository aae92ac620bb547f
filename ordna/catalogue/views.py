"""The mandate page: a committee's tasks in force, proposals, and history; decisions."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from ordna.accounts import access
from ordna.catalogue import selectors, services
from ordna.catalogue.forms import DecisionForm, ProposeForm
from ordna.core.forms import as_of, form_page
from ordna.organisation.selectors import unit_by_code


def _committee(request):
    code = (request.GET.get("namnd") or "SN").upper()[:10]
    committee = unit_by_code(code)
    access.require(committee is not None)
    return committee


@login_required
def mandate(request):
    committee = _committee(request)
    form, day = as_of(request)
    return render(
        request,
        "catalogue/mandate.html",
        {
            "committee": committee,
            "form": form,
            "day": day,
            "mandate": selectors.mandate_of(committee, day),
            "committees": selectors.committees_with_mandates(),
            "can_decide": access.can_register_decisions(request.user),
        },
    )


def _back(task):
    return f"{reverse('catalogue:mandate')}?namnd={task.committee.code}"


@login_required
@require_http_methods(["GET", "POST"])
def propose(request):
    access.require(access.can_register_decisions(request.user))
    committee = _committee(request)
    return form_page(
        request,
        ProposeForm(request.POST or None, committee=committee),
        lambda data: services.mandate_task_propose(actor=request.user, committee=committee, **data),
        title=_("Propose a task for %(committee)s") % {"committee": committee.name},
        success_message=_("The proposal was registered."),
        redirect_to=_back,
        cancel="catalogue:mandate",
    )


def _decision_page(request, pk, *, register, day_field: str, day_label, title):
    """Adopting and repealing are the same page: a decision (body, case number, date) and
    the day it takes effect, handed to the matching service."""
    task = access.access_mandate_task(request.user, pk, write=True)

    def save(data):
        data[day_field] = data.pop("day")
        return register(actor=request.user, task=task, **data)

    return form_page(
        request,
        DecisionForm(request.POST or None, day_label=day_label),
        save,
        title=title % {"task": task},
        success_message=_("The decision was registered."),
        redirect_to=_back,
        cancel="catalogue:mandate",
    )


@login_required
@require_http_methods(["GET", "POST"])
def adopt(request, pk):
    return _decision_page(
        request,
        pk,
        register=services.mandate_task_adopt,
        day_field="valid_from",
        day_label=gettext_lazy("Valid from"),
        title=_("Adopt: %(task)s"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def repeal(request, pk):
    return _decision_page(
        request,
        pk,
        register=services.mandate_task_repeal,
        day_field="valid_to",
        day_label=gettext_lazy("Last valid day"),
        title=_("Repeal: %(task)s"),
    )


@login_required
def roles(request):
    """Roller och ansvar: generated from the service areas and people's roles, never typed."""
    form, day = as_of(request)
    return render(
        request,
        "catalogue/roles.html",
        {
            "form": form,
            "day": day,
            "rows": selectors.roles_and_responsibilities(day),
        },
    )
