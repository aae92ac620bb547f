"""Pages of route assessment: the guided need form with the engine's answer, the receipt,
the purchaser's decision, the koncernnytta comparison, oversight's list of deviations and
the framework agreement register. Thin: access decides, services write, selectors read."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from ordna.accounts import access
from ordna.core.forms import add_service_errors, form_page
from ordna.procurement import assess, engine, selectors, services
from ordna.procurement.forms import (
    AssessmentFilterForm,
    ComparisonForm,
    DecisionForm,
    FrameworkForm,
    NeedForm,
    ReviewForm,
)
from ordna.procurement.groupbenefit import compare, fixed_cost_share
from ordna.procurement.models import Route


def _need_form(request, data=None):
    units = access.assessing_units(request.user)
    return NeedForm(data, units=units, services=selectors.services_offered())


def _need_error(form, exc: assess.NeedError) -> None:
    field = exc.field if exc.field in form.fields else None
    if exc.field in ("one_off_value_sek", "annual_value_sek") and exc.field not in form.fields:
        field = None
    form.add_error(field, exc.message if field else str(exc))


@login_required
def assessment_list(request):
    user = request.user
    access.require(access.can_assess(user) or access.reads_everything(user))
    form = AssessmentFilterForm(request.GET or None)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    rows = selectors.assessment_rows(
        access.assessments_visible_to(user),
        route=data.get("route", ""),
        deviation=bool(data.get("deviation")),
    )
    return render(
        request,
        "procurement/assessment_list.html",
        {"rows": rows, "form": form, "can_assess": access.can_assess(user)},
    )


@login_required
def assessment_create(request):
    """The guided form. "Show the route" evaluates without saving; "Save the assessment"
    stores the receipt and goes on to the decision."""
    access.require(access.can_assess(request.user))
    form = _need_form(request, request.POST or None)
    receipt = None
    if request.method == "POST" and form.is_valid():
        need = form.need()
        try:
            if request.POST.get("action") == "save":
                assessment = services.assessment_create(actor=request.user, data=need)
                messages.success(
                    request,
                    _("Assessment %(number)s saved. Record what the unit does below.")
                    % {"number": assessment.number},
                )
                return redirect(assessment.get_absolute_url())
            receipt = selectors.evaluate(need)
        except assess.NeedError as exc:
            _need_error(form, exc)
        except (assess.NoReferenceData, selectors.NoRuleSet, engine.RuleSetError) as exc:
            form.add_error(None, _("The need cannot be assessed: %(reason)s") % {"reason": exc})
    return render(
        request,
        "procurement/assessment_form.html",
        {"form": form, "receipt": receipt, "routes": dict(Route.choices)},
    )


@login_required
def assessment_detail(request, pk):
    assessment = access.access_assessment(request.user, pk)
    decision = selectors.decision_of(assessment)
    comparisons = list(assessment.comparisons.all())
    return render(
        request,
        "procurement/assessment_detail.html",
        {
            "a": assessment,
            "r": assessment.receipt,
            "decision": decision,
            "reviews": list(decision.reviews.select_related("reviewed_by")) if decision else [],
            "comparisons": [(c, c.figures) for c in comparisons],
            "routes": dict(Route.choices),
            "can_decide": decision is None and access.can_decide_route(request.user, assessment),
            "can_compare": access.can_compare_group_benefit(request.user, assessment),
            "can_review": bool(decision and decision.deviation)
            and access.can_review_deviations(request.user),
            "decision_form": DecisionForm(initial={"chosen_route": assessment.route}),
        },
    )


@login_required
def decision_record(request, pk):
    assessment = access.access_assessment(request.user, pk)
    access.require(access.can_decide_route(request.user, assessment))
    form = DecisionForm(request.POST or None, initial={"chosen_route": assessment.route})
    if request.method == "POST" and form.is_valid():
        try:
            decision = services.decision_record(
                actor=request.user,
                assessment=assessment,
                chosen_route=form.cleaned_data["chosen_route"],
                justification=form.cleaned_data["justification"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Deviation recorded; oversight will see it.")
                if decision.deviation
                else _("Decision recorded: the unit follows the guideline."),
            )
            return redirect(assessment.get_absolute_url())
    return render(
        request,
        "procurement/decision_form.html",
        {"form": form, "a": assessment, "routes": dict(Route.choices)},
    )


@login_required
def comparison_create(request, pk):
    assessment = access.access_assessment(request.user, pk)
    access.require(access.can_compare_group_benefit(request.user, assessment))
    initial = {
        "procurement_cost": settings.ROUTE_PROCUREMENT_COST_SEK.get(
            assessment.route, settings.ROUTE_PROCUREMENT_COST_SEK["direct_award"]
        )
    }
    if assessment.service_id:
        found = fixed_cost_share(assessment.service, assessment.need_date)
        if found:
            initial["fixed_cost_share"], initial["fixed_cost_source"] = found
    form = ComparisonForm(request.POST or None, initial=initial)
    figures = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if request.POST.get("action") == "save":
            try:
                services.comparison_create(actor=request.user, assessment=assessment, **data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Comparison saved with the assessment."))
                return redirect(assessment.get_absolute_url() + "#koncernnytta")
        else:
            figures = compare(
                provider_quote=data["provider_quote"],
                fixed_cost_share=data["fixed_cost_share"],
                external_price=data["external_price"],
                procurement_cost=data["procurement_cost"],
            )
    return render(
        request,
        "procurement/comparison_form.html",
        {"form": form, "a": assessment, "figures": figures},
    )


@login_required
def deviation_list(request):
    access.require(access.can_read_deviations(request.user))
    only_open = request.GET.get("alla") != "1"
    return render(
        request,
        "procurement/deviation_list.html",
        {
            "rows": selectors.deviations(only_unreviewed=only_open),
            "only_open": only_open,
            "can_review": access.can_review_deviations(request.user),
        },
    )


@login_required
def deviation_review(request, pk):
    access.require(access.can_review_deviations(request.user))
    decision = get_object_or_404(selectors.deviation_decisions(), pk=pk)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.deviation_review(
                actor=request.user, decision=decision, note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Review recorded."))
            return redirect("procurement:deviation_list")
    return render(
        request,
        "procurement/review_form.html",
        {"form": form, "decision": decision, "a": decision.assessment},
    )


@login_required
def framework_list(request):
    access.require(access.can_read_guidelines(request.user))
    return render(
        request,
        "procurement/framework_list.html",
        {
            "rows": selectors.frameworks(),
            "today": selectors.today(),
            "can_manage": access.can_manage_frameworks(request.user),
        },
    )


@login_required
def framework_create(request):
    access.require(access.can_manage_frameworks(request.user))
    form = FrameworkForm(request.POST or None)
    return form_page(
        request,
        form,
        lambda data: services.framework_create(actor=request.user, **data),
        title=_("New framework agreement"),
        success_message=_("Framework agreement registered."),
        cancel="procurement:framework_list",
    )


@login_required
def framework_edit(request, pk):
    access.require(access.can_manage_frameworks(request.user))
    fa = get_object_or_404(selectors.frameworks_qs(), pk=pk)
    form = FrameworkForm(request.POST or None, instance=fa)
    version = fa.version

    def save(data):
        return services.framework_update(actor=request.user, pk=pk, version=version, **data)

    return form_page(
        request,
        form,
        save,
        title=_("Framework agreement %(ref)s") % {"ref": fa.reference},
        success_message=_("Framework agreement saved."),
        obj=fa,
        cancel="procurement:framework_list",
    )
