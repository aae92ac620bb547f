"""Pages of the organisation registry: browse, search, as-of, and edit (administrators)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ordna.accounts import access
from ordna.accounts.selectors import people_of_unit
from ordna.core.forms import EndForm, as_of, form_page
from ordna.organisation import selectors, services
from ordna.organisation.forms import (
    LegalPersonForm,
    OwnershipForm,
    UnitForm,
    UnitSearchForm,
)


@login_required
def unit_list(request):
    form = UnitSearchForm(request.GET or None)
    form.is_valid()  # a bad field shows its error; the valid ones still filter
    data = getattr(form, "cleaned_data", {})
    day = data.get("per") or timezone.localdate()
    units = selectors.unit_list(search=data.get("q", ""), kind=data.get("kind", ""), on=day)
    page = Paginator(units, 50).get_page(request.GET.get("page"))
    page.object_list = selectors.as_recorded(page.object_list, day)
    template = "organisation/unit_list.html"
    if request.htmx and request.htmx.target == "unit-results":
        template += "#results"
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "day": day,
            "can_edit": access.can_manage_registry(request.user),
        },
    )


@login_required
def unit_detail(request, pk):
    unit = access.access_unit(request.user, pk)
    form, day = as_of(request)
    [unit] = selectors.as_recorded([unit], day)
    return render(
        request,
        "organisation/unit_detail.html",
        {
            "unit": unit,
            "form": form,
            "day": day,
            "valid": unit.is_valid_on(day),
            "children": selectors.unit_children(unit, day),
            "people": people_of_unit(unit, day),
            "can_edit": access.can_manage_registry(request.user),
            "can_audit": access.can_read_audit_trail(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def unit_create(request):
    access.require(access.can_manage_registry(request.user))

    def save(data):
        data.pop("version", None)
        return services.unit_create(actor=request.user, **data)

    return form_page(
        request,
        UnitForm(request.POST or None),
        save,
        title=_("Register a unit"),
        success_message=lambda unit: _("The unit %(code)s was registered.") % {"code": unit.code},
        cancel="organisation:unit_list",
    )


@login_required
@require_http_methods(["GET", "POST"])
def unit_edit(request, pk):
    unit = access.access_unit(request.user, pk, write=True)
    form = UnitForm(request.POST or None, instance=unit, initial={"version": unit.version})
    return form_page(
        request,
        form,
        lambda data: services.unit_update(actor=request.user, unit=unit, **data),
        title=_("Change %(unit)s") % {"unit": unit},
        success_message=_("The changes were saved."),
        obj=unit,
    )


@login_required
def legal_person_list(request):
    form, day = as_of(request)
    q = request.GET.get("q", "")[:100]
    return render(
        request,
        "organisation/legal_person_list.html",
        {
            "form": form,
            "day": day,
            "q": q,
            "people": selectors.as_recorded(selectors.legal_person_list(search=q, on=day), day),
            "can_edit": access.can_manage_registry(request.user),
        },
    )


@login_required
def legal_person_detail(request, pk):
    person = access.access_legal_person(request.user, pk)
    form, day = as_of(request)
    [person] = selectors.as_recorded([person], day)
    ownership = selectors.ownership_of(person, day)
    return render(
        request,
        "organisation/legal_person_detail.html",
        {
            "person": person,
            "form": form,
            "day": day,
            "units": selectors.units_of_legal_person(person, day),
            "owners": ownership.owners,
            "holdings": ownership.holdings,
            "municipality": ownership.municipality,
            "relation": ownership.relation,
            "can_edit": access.can_manage_registry(request.user),
            "can_audit": access.can_read_audit_trail(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def legal_person_create(request):
    access.require(access.can_manage_registry(request.user))

    def save(data):
        data.pop("version", None)
        return services.legal_person_create(actor=request.user, **data)

    return form_page(
        request,
        LegalPersonForm(request.POST or None),
        save,
        title=_("Register a legal person"),
        success_message=lambda person: _("%(name)s was registered.") % {"name": person.name},
        cancel="organisation:legal_person_list",
    )


@login_required
@require_http_methods(["GET", "POST"])
def legal_person_edit(request, pk):
    person = access.access_legal_person(request.user, pk, write=True)
    form = LegalPersonForm(
        request.POST or None, instance=person, initial={"version": person.version}
    )
    return form_page(
        request,
        form,
        lambda data: services.legal_person_update(actor=request.user, legal_person=person, **data),
        title=_("Change %(name)s") % {"name": person.name},
        success_message=_("The changes were saved."),
        obj=person,
    )


@login_required
@require_http_methods(["GET", "POST"])
def ownership_create(request, pk):
    owned = access.access_legal_person(request.user, pk, write=True)
    return form_page(
        request,
        OwnershipForm(request.POST or None),
        lambda data: services.ownership_create(actor=request.user, owned=owned, **data),
        title=_("Register an owner of %(name)s") % {"name": owned.name},
        success_message=_("The holding was registered."),
        redirect_to=lambda saved: owned.get_absolute_url(),
        obj=owned,
    )


@login_required
@require_http_methods(["GET", "POST"])
def ownership_end(request, pk):
    ownership = access.access_ownership(request.user, pk, write=True)
    return form_page(
        request,
        EndForm(request.POST or None),
        lambda data: services.ownership_end(actor=request.user, ownership=ownership, **data),
        title=_("End the holding %(holding)s") % {"holding": ownership},
        success_message=_("The holding was ended."),
        redirect_to=lambda saved: saved.owned.get_absolute_url(),
        obj=ownership.owned,
    )
