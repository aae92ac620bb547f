"""Agreement pages: thin views over agreements.services and agreements.selectors.

Reading is decided by access.access_agreement; every action by the access predicates for
the agreement (negotiating side, signing role). Forbidden answers 404 like missing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dates import MONTHS_3
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from ordna.accounts import access
from ordna.accounts.models import Role
from ordna.accounts.selectors import units_of
from ordna.agreements import documents, selectors, services
from ordna.agreements.forms import (
    AgreementCreateForm,
    AgreementFilterForm,
    AmendForm,
    CompareForm,
    CycleForm,
    LineForm,
    RolloverForm,
    RoundForm,
    SignForm,
    TerminateForm,
    VersionedForm,
    VolumePolicyForm,
)
from ordna.agreements.models import Agreement, AgreementVersion
from ordna.core.forms import add_service_errors, form_page

# The round fields compared side by side, with their column headings.
COMPARED = [
    ("volume", gettext_lazy("Volume")),
    ("unit_price", gettext_lazy("Price")),
    ("allocation_key", gettext_lazy("Key")),
    ("response_days", gettext_lazy("Response (days)")),
    ("delivery_days", gettext_lazy("Delivery (days)")),
    ("indicators", gettext_lazy("Indicators")),
    ("yearly_amount", gettext_lazy("Yearly amount")),
]


# --- Reading -----------------------------------------------------------------------------------
@login_required
def agreement_list(request):
    visible = access.agreements_visible_to(request.user)
    form = AgreementFilterForm(request.GET or None, years=selectors.years())
    form.is_valid()  # a bad field shows its error; the valid ones still filter
    data = getattr(form, "cleaned_data", {})
    rows = list(selectors.agreements(visible, year=data.get("year"), status=data.get("status", "")))
    overdue, totals = selectors.overdue_ids(rows), selectors.yearly_totals(rows)
    user = request.user
    return render(
        request,
        "agreements/agreement_list.html",
        {
            "form": form,
            "rows": [
                {"agreement": a, "overdue": a.pk in overdue, "total": totals[a.pk]} for a in rows
            ],
            "can_create": access.can_create_agreements(user),
            "can_roll_over": access.can_roll_over(user),
            "can_set_cycle": access.can_set_agreement_cycle(user),
            "next_year": selectors.today().year + 1,
        },
    )


def _shown_version(request, pk):
    """The agreement (if the user may read it), all its versions, and the one asked for
    with ?version=N (default: the newest)."""
    found = selectors.agreement_with_versions(access.agreements_visible_to(request.user), pk)
    access.require(found is not None)
    agreement, versions = found
    version = selectors.version_numbered(versions, request.GET.get("version"))
    access.require(version is not None)
    return agreement, versions, version


def _actions(user, agreement, version, newest) -> dict:
    """What the user may do here: allowed to, and the agreement's state permits it."""
    side = access.negotiating_side(user, agreement)
    ended = agreement.status in (Agreement.Status.EXPIRED, Agreement.Status.TERMINATED)
    is_open = version is newest and version.state == AgreementVersion.State.OPEN and not ended
    rounds = list(version.rounds.all())
    signed = {s.side for s in version.signatures.all()}
    can_sign = (
        version is newest
        and version.state == AgreementVersion.State.AGREED
        and any(s not in signed for s in access.signing_sides(user, agreement))
    )
    return {
        "side": side,
        "can_edit": bool(side) and is_open,
        "can_propose": bool(side) and is_open,
        "can_accept": bool(side) and is_open and bool(rounds) and rounds[-1].side != side,
        "can_sign": can_sign,
        "can_amend": (
            access.can_amend_agreement(user, agreement)
            and agreement.status in (Agreement.Status.SIGNED, Agreement.Status.ACTIVE)
            and newest.state == AgreementVersion.State.SIGNED
        ),
        "can_terminate": access.can_terminate_agreement(user, agreement) and not ended,
        "can_set_volume_policy": access.can_set_volume_policy(user, agreement) and not ended,
    }


def _charge_table(charges) -> dict:
    """The charges as table rows: per unit the driver value behind each keyed line's
    share, the year and the twelve months; then the totals."""
    keyed = [line for line in charges.lines if line.allocation_key_id]
    units = [
        {
            "unit": row.unit,
            "drivers": [row.drivers.get(line.pk) for line in keyed],
            "yearly": row.yearly,
            "months": row.months,
        }
        for row in charges.units
    ]
    return {
        "lines": charges.lines,
        "keyed": keyed,
        "units": units,
        "months": charges.month_totals,
        "month_names": [MONTHS_3[m] for m in range(1, 13)],
        "total": charges.total,
        "exact": charges.sums_exactly,
    }


def _signature_rows(version) -> list[dict]:
    roles = dict(Role.choices)
    return [{"signature": s, "role": roles.get(s.role, s.role)} for s in version.signatures.all()]


@login_required
def agreement_detail(request, pk):
    agreement, versions, version = _shown_version(request, pk)
    cycle = selectors.cycle_from_deadline(agreement)
    rounds = list(version.rounds.all())
    return render(
        request,
        "agreements/agreement_detail.html",
        {
            "agreement": agreement,
            "versions": versions,
            "version": version,
            "newest": versions[-1],
            "in_force": selectors.version_in_force(versions),
            "charges": _charge_table(selectors.charges(agreement, version)),
            "rounds": rounds,
            "signatures": _signature_rows(version),
            "compare": CompareForm(
                initial={
                    "a": rounds[-2].pk if len(rounds) > 1 else None,
                    "b": rounds[-1].pk if rounds else None,
                },
                rounds=rounds,
            ),
            "cycle": cycle,
            "overdue": selectors.is_overdue(agreement, cycle),
            **_actions(request.user, agreement, version, versions[-1]),
        },
    )


def _compared_rows(changes) -> list[dict]:
    rows = []
    for change in changes:
        changed = change.changed
        cells = [
            {
                "left": (change.left or {}).get(field),
                "right": (change.right or {}).get(field),
                "changed": field in changed,
            }
            for field, _label in COMPARED
        ]
        rows.append({"change": change, "cells": cells, "status": changed})
    return rows


@login_required
def rounds_compare(request, pk):
    agreement = access.access_agreement(request.user, pk)
    rounds = selectors.rounds_of(agreement)
    form = CompareForm(request.GET if "a" in request.GET else None, rounds=rounds)
    left = right = None
    rows = []
    if form.is_valid():
        by_pk = {r.pk: r for r in rounds}
        left, right = by_pk[form.cleaned_data["a"]], by_pk[form.cleaned_data["b"]]
        rows = _compared_rows(selectors.compare_rounds(left, right))
    return render(
        request,
        "agreements/compare.html",
        {
            "agreement": agreement,
            "form": form,
            "left": left,
            "right": right,
            "rows": rows,
            "headings": [label for _field, label in COMPARED],
            "difference": (right.total - left.total) if left else None,
        },
    )


# --- Creating and negotiating ------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def agreement_create(request):
    access.require(access.can_create_agreements(request.user))
    own = units_of(request.user, *access.PROVIDER_ROLES)
    initial = {"year": selectors.today().year + 1, "provider": own[0].pk if own else None}
    return form_page(
        request,
        AgreementCreateForm(request.POST or None, initial=initial, providers=own),
        lambda data: services.agreement_create(actor=request.user, **data),
        title=_("New agreement"),
        success_message=lambda a: (
            _("Agreement %(number)s was created as a draft.") % {"number": a.number}
        ),
        cancel="agreements:list",
    )


def _negotiator(request, pk):
    """The agreement and the side the user negotiates for; 404 for anyone else."""
    agreement = access.access_agreement(request.user, pk)
    side = access.negotiating_side(request.user, agreement)
    access.require(side is not None)
    return agreement, side


def _back(agreement):
    return lambda _saved: agreement.get_absolute_url()


@login_required
@require_http_methods(["GET", "POST"])
def line_add(request, pk):
    agreement, _side = _negotiator(request, pk)
    version = services.current_version(agreement)

    def save(data):
        if data.get("allocation_key") is None:
            data.pop("allocation_key", None)  # the service's default key
        return services.line_add(actor=request.user, agreement=agreement, **data)

    form = LineForm(
        request.POST or None,
        initial={"version": agreement.version, "volume": 1},
        services=selectors.services_priced_in(version),
        keys=selectors.keys_for_lines() if agreement.is_common else None,
    )
    return form_page(
        request,
        form,
        save,
        title=_("Add a service to %(number)s") % {"number": agreement.number},
        success_message=lambda line: _("%(service)s was added.") % {"service": line.service.code},
        redirect_to=_back(agreement),
        obj=agreement,
    )


@login_required
@require_http_methods(["GET", "POST"])
def line_edit(request, pk, line_pk):
    agreement, _side = _negotiator(request, pk)
    line = selectors.line_of(agreement, line_pk)
    access.require(line is not None)
    initial = {
        "version": agreement.version,
        **{f: getattr(line, f) for f in ("volume", "unit_price", "response_days")},
        **{f: getattr(line, f) for f in ("delivery_days", "indicators", "allocation_key")},
    }
    form = LineForm(
        request.POST or None,
        initial=initial,
        keys=selectors.keys_for_lines() if agreement.is_common else None,
    )
    return form_page(
        request,
        form,
        lambda data: services.line_update(actor=request.user, line=line, **data),
        title=_("Change %(service)s in %(number)s")
        % {"service": line.service.name, "number": agreement.number},
        success_message=_("The changes were saved."),
        redirect_to=_back(agreement),
        obj=agreement,
    )


def _post_action(request, agreement, act, *, success):
    """A button that POSTs only the version: run `act(version)`, report, go back."""
    form = VersionedForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The form was incomplete. Reload the page and try again."))
    else:
        try:
            act(form.cleaned_data["version"])
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, success)
    return redirect(agreement.get_absolute_url())


@login_required
@require_POST
def line_remove(request, pk, line_pk):
    agreement, _side = _negotiator(request, pk)
    line = selectors.line_of(agreement, line_pk)
    access.require(line is not None)
    return _post_action(
        request,
        agreement,
        lambda version: services.line_remove(actor=request.user, line=line, version=version),
        success=_("%(service)s was removed.") % {"service": line.service.code},
    )


@login_required
@require_http_methods(["GET", "POST"])
def round_submit(request, pk):
    agreement, side = _negotiator(request, pk)
    return form_page(
        request,
        RoundForm(request.POST or None, initial={"version": agreement.version}),
        lambda data: services.round_submit(
            actor=request.user, agreement=agreement, side=side, **data
        ),
        title=_("Propose %(number)s to the other side") % {"number": agreement.number},
        success_message=lambda r: (
            _("Round %(round)s was sent to the other side.") % {"round": r.number}
        ),
        redirect_to=_back(agreement),
        obj=agreement,
    )


@login_required
@require_POST
def agreement_agree(request, pk):
    agreement, side = _negotiator(request, pk)
    return _post_action(
        request,
        agreement,
        lambda version: services.agreement_agree(
            actor=request.user, agreement=agreement, version=version, side=side
        ),
        success=_("The proposal was accepted. The agreement now awaits signatures."),
    )


# --- Signing, amending, ending -----------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def agreement_sign(request, pk):
    agreement = access.access_agreement(request.user, pk)
    sides = access.signing_sides(request.user, agreement)
    access.require(bool(sides))

    def save(data):
        if not request.user.check_password(data["password"]):
            # Counts like a failed sign-in: repeated guesses lock the account (axes).
            user_login_failed.send(
                sender=__name__, credentials={"username": request.user.username}, request=request
            )
            raise ValidationError({"password": [_("The password is not correct.")]})
        side = data["side"]
        return services.agreement_sign(
            actor=request.user,
            agreement=agreement,
            side=side,
            role=sides[side],
            version=data["version"],
        )

    version = services.current_version(agreement)
    return form_page(
        request,
        SignForm(request.POST or None, sides=sides, initial={"version": agreement.version}),
        save,
        title=_("Sign %(number)s, version %(version)s")
        % {"number": agreement.number, "version": version.number},
        success_message=_("Your signature was recorded."),
        redirect_to=_back(agreement),
        obj=agreement,
    )


@login_required
@require_http_methods(["GET", "POST"])
def agreement_amend(request, pk):
    agreement = access.access_agreement(request.user, pk)
    access.require(access.can_amend_agreement(request.user, agreement))
    return form_page(
        request,
        AmendForm(request.POST or None, initial={"version": agreement.version}),
        lambda data: services.agreement_amend(actor=request.user, agreement=agreement, **data),
        title=_("Amend %(number)s") % {"number": agreement.number},
        success_message=lambda v: (
            _("Version %(version)s was started as an amendment.") % {"version": v.number}
        ),
        redirect_to=lambda v: f"{agreement.get_absolute_url()}?version={v.number}",
        obj=agreement,
    )


@login_required
@require_http_methods(["GET", "POST"])
def agreement_terminate(request, pk):
    agreement = access.access_agreement(request.user, pk)
    access.require(access.can_terminate_agreement(request.user, agreement))
    return form_page(
        request,
        TerminateForm(request.POST or None, initial={"version": agreement.version}),
        lambda data: services.agreement_terminate(actor=request.user, agreement=agreement, **data),
        title=_("Terminate %(number)s") % {"number": agreement.number},
        success_message=_("The agreement was terminated."),
        obj=agreement,
    )


@login_required
@require_http_methods(["GET", "POST"])
def volume_policy_set(request, pk):
    """How call-offs above the agreed volume are handled (ADR 0012)."""
    agreement = access.access_agreement(request.user, pk)
    access.require(access.can_set_volume_policy(request.user, agreement))
    form = VolumePolicyForm(
        request.POST or None,
        initial={"version": agreement.version, "volume_policy": agreement.volume_policy},
        reason_required=not agreement.is_open,
    )
    return form_page(
        request,
        form,
        lambda data: services.volume_policy_set(actor=request.user, agreement=agreement, **data),
        title=_("Call-offs above the volume in %(number)s") % {"number": agreement.number},
        success_message=lambda a: (
            _("The volume rule was saved: %(policy)s") % {"policy": a.get_volume_policy_display()}
        ),
        obj=agreement,
    )


@login_required
@require_http_methods(["GET", "POST"])
def rollover(request):
    access.require(access.can_roll_over(request.user))
    form = RolloverForm(request.POST or None, initial={"from_year": selectors.today().year})
    summary = None
    if request.method == "POST" and form.is_valid():
        try:
            summary = services.rollover(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(count)s agreements were created.") % {"count": len(summary["created"])},
            )
    return render(request, "agreements/rollover.html", {"form": form, "summary": summary})


@login_required
@require_http_methods(["GET", "POST"])
def cycle_set(request, year):
    access.require(access.can_set_agreement_cycle(request.user))
    cycle = selectors.cycle_of(year)
    initial = (
        {"negotiation_deadline": cycle.negotiation_deadline, "note": cycle.note} if cycle else {}
    )
    return form_page(
        request,
        CycleForm(request.POST or None, initial=initial),
        lambda data: services.cycle_set(actor=request.user, year=year, **data),
        title=_("Negotiation deadline for %(year)s") % {"year": year},
        success_message=_("The deadline was saved."),
        redirect_to=lambda _c: f"{reverse('agreements:list')}?year={year}",
        cancel="agreements:list",
    )


# --- Documents ---------------------------------------------------------------------------------
def _document(request, pk, build, extension: str, content_type: str) -> HttpResponse:
    agreement, _versions, version = _shown_version(request, pk)
    content = build(agreement, version, selectors.charges(agreement, version))
    response = HttpResponse(content, content_type=content_type)
    name = f"avtal-{agreement.number}-v{version.number}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def agreement_pdf(request, pk):
    return _document(request, pk, documents.agreement_pdf, "pdf", "application/pdf")


@login_required
def agreement_xlsx(request, pk):
    return _document(request, pk, documents.agreement_xlsx, "xlsx", documents.XLSX_TYPE)
