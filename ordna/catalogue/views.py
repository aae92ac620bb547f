"""The mandate page: a committee's tasks in force, proposals, and history; decisions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from ordna.accounts import access
from ordna.catalogue import imports, selectors, services
from ordna.catalogue.forms import (
    AllocateForm,
    AllocationKeyForm,
    ConfirmForm,
    DecisionForm,
    IndexForm,
    KeyImportConfirmForm,
    KeyImportForm,
    PriceForm,
    PriceListForm,
    ProposeForm,
    ServiceAreaForm,
    ServiceFilterForm,
    ServiceForm,
)
from ordna.core.forms import add_service_errors, as_of, form_page
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


# --- Service areas ---------------------------------------------------------------------------
@login_required
def service_area_list(request):
    return render(
        request,
        "catalogue/service_area_list.html",
        {
            "areas": selectors.all_service_areas(),
            "can_edit": access.can_manage_catalogue(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def service_area_edit(request, pk):
    area = access.access_service_area(request.user, pk, write=True)
    form = ServiceAreaForm(request.POST or None, instance=area, initial={"version": area.version})
    return form_page(
        request,
        form,
        lambda data: services.service_area_update(actor=request.user, area=area, **data),
        title=_("Change %(name)s") % {"name": area.name},
        success_message=_("The changes were saved."),
        redirect_to=lambda _area: reverse("catalogue:service_area_list"),
        cancel="catalogue:service_area_list",
    )


# --- Services --------------------------------------------------------------------------------
@login_required
def service_list(request):
    areas = list(selectors.all_service_areas())
    form = ServiceFilterForm(request.GET or None, areas=areas)
    area_code = query = ""
    if form.is_valid():
        area_code, query = form.cleaned_data["omrade"], form.cleaned_data["q"]
    page = Paginator(selectors.services(area_code=area_code, query=query), 50).get_page(
        request.GET.get("page")
    )
    prices = selectors.current_prices()
    return render(
        request,
        "catalogue/service_list.html",
        {
            "form": form,
            "page": page,
            "rows": [(s, prices.get(s.pk)) for s in page.object_list],
            "can_edit": access.can_manage_catalogue(request.user),
        },
    )


@login_required
def service_detail(request, pk):
    service = access.access_service(request.user, pk)
    return render(
        request,
        "catalogue/service_detail.html",
        {
            "service": service,
            "history": selectors.price_history(service),
            "can_edit": access.can_manage_catalogue(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def service_create(request):
    access.require(access.can_manage_catalogue(request.user))
    return form_page(
        request,
        ServiceForm(request.POST or None),
        lambda data: services.service_create(actor=request.user, **data),
        title=_("Add a service"),
        success_message=lambda s: _("The service %(code)s was added.") % {"code": s.code},
        cancel="catalogue:service_list",
    )


@login_required
@require_http_methods(["GET", "POST"])
def service_edit(request, pk):
    service = access.access_service(request.user, pk, write=True)
    form = ServiceForm(request.POST or None, instance=service, initial={"version": service.version})
    return form_page(
        request,
        form,
        lambda data: services.service_update(actor=request.user, service=service, **data),
        title=_("Change %(service)s") % {"service": service},
        success_message=_("The changes were saved."),
        obj=service,
    )


# --- Price lists -----------------------------------------------------------------------------
@login_required
def price_list_list(request):
    return render(
        request,
        "catalogue/price_list_list.html",
        {
            "price_lists": selectors.price_lists(),
            "in_force": selectors.price_list_on(timezone.localdate()),
            "can_edit": access.can_manage_catalogue(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def price_list_create(request):
    access.require(access.can_manage_catalogue(request.user))
    return form_page(
        request,
        PriceListForm(request.POST or None),
        lambda data: services.price_list_create(actor=request.user, **data),
        title=_("Start a draft price list"),
        success_message=lambda p: _("The draft %(name)s was created.") % {"name": p.name},
        cancel="catalogue:price_list_list",
    )


@login_required
def price_list_detail(request, pk):
    price_list = access.access_price_list(request.user, pk)
    user = request.user
    prices = selectors.prices_of(price_list)
    return render(
        request,
        "catalogue/price_list_detail.html",
        {
            "price_list": price_list,
            "prices": prices,
            "totals": selectors.cost_totals(prices),
            "can_edit": not price_list.is_published and access.can_manage_catalogue(user),
            "can_publish": not price_list.is_published and access.can_publish_prices(user),
            "can_index": price_list.is_published and access.can_manage_catalogue(user),
        },
    )


def _price_form_page(request, price_list, service, *, form, title):
    def save(data):
        data["service"] = data.get("service") or service
        return services.price_set(actor=request.user, price_list=price_list, **data)

    return form_page(
        request,
        form,
        save,
        title=title,
        success_message=lambda p: (
            _("The price of %(code)s was set to %(price)s.")
            % {"code": p.service.code, "price": _money_text(p.unit_price)}
        ),
        redirect_to=lambda _price: price_list.get_absolute_url(),
        obj=price_list,
    )


def _money_text(amount) -> str:
    from django.utils.formats import number_format

    if amount is None:
        return _("by quote")
    return number_format(amount, 2, use_l10n=True, force_grouping=True)


@login_required
@require_http_methods(["GET", "POST"])
def price_edit(request, pk, service_pk):
    price_list = access.access_price_list(request.user, pk, write=True)
    service = access.access_service(request.user, service_pk)
    price = selectors.price_in(price_list, service)
    initial = {"version": price_list.version}
    if price is not None:
        initial.update(
            direct_cost=price.direct_cost,
            overhead_cost=price.overhead_cost,
            capital_cost=price.capital_cost,
            volume=price.volume,
            note=price.note,
        )
    return _price_form_page(
        request,
        price_list,
        service,
        form=PriceForm(request.POST or None, initial=initial),
        title=_("Price of %(service)s in %(list)s") % {"service": service, "list": price_list},
    )


@login_required
@require_http_methods(["GET", "POST"])
def price_add(request, pk):
    price_list = access.access_price_list(request.user, pk, write=True)
    form = PriceForm(
        request.POST or None,
        initial={"version": price_list.version, "volume": 1},
        service_choices=selectors.services_not_in(price_list),
    )
    return _price_form_page(
        request,
        price_list,
        None,
        form=form,
        title=_("Add a service to %(list)s") % {"list": price_list},
    )


@login_required
@require_http_methods(["GET", "POST"])
def price_remove(request, pk, service_pk):
    price_list = access.access_price_list(request.user, pk, write=True)
    service = access.access_service(request.user, service_pk)

    def save(data):
        services.price_remove(actor=request.user, price_list=price_list, service=service, **data)
        return price_list

    return form_page(
        request,
        ConfirmForm(request.POST or None, initial={"version": price_list.version}),
        save,
        title=_("Remove %(service)s from %(list)s") % {"service": service, "list": price_list},
        success_message=_("The price was removed."),
        obj=price_list,
    )


@login_required
@require_http_methods(["GET", "POST"])
def price_list_publish(request, pk):
    price_list = access.access_price_list(request.user, pk, publish=True)
    form = ConfirmForm(request.POST or None, initial={"version": price_list.version})
    if request.method == "POST" and form.is_valid():
        try:
            published = services.price_list_publish(
                actor=request.user, price_list=price_list, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)  # an overlap (valid_from) shows on the whole form
        else:
            messages.success(
                request, _("The price list %(name)s was published.") % {"name": published.name}
            )
            return redirect(published)
    return render(
        request,
        "catalogue/price_list_publish.html",
        {
            "price_list": price_list,
            "form": form,
            "previous": selectors.price_list_on(price_list.valid_from),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def price_list_index(request, pk):
    source_list = access.access_price_list(request.user, pk, write=True)
    access.require(source_list.is_published)
    return form_page(
        request,
        IndexForm(request.POST or None, initial={"year": source_list.year + 1}),
        lambda data: services.price_list_index(actor=request.user, source_list=source_list, **data),
        title=_("New price list from %(list)s with an index") % {"list": source_list},
        success_message=lambda p: _("The draft %(name)s was created.") % {"name": p.name},
        redirect_to=lambda draft: reverse("catalogue:price_list_preview", args=[draft.pk]),
        obj=source_list,
    )


@login_required
def price_list_preview(request, pk):
    draft = access.access_price_list(request.user, pk)
    access.require(draft.based_on_id is not None)
    return render(
        request,
        "catalogue/price_list_preview.html",
        {
            "price_list": draft,
            "preview": selectors.price_list_preview(
                draft, access.agreements_visible_to(request.user)
            ),
        },
    )


# --- Allocation keys -------------------------------------------------------------------------
@login_required
def key_list(request):
    return render(
        request,
        "catalogue/key_list.html",
        {
            "keys": selectors.allocation_keys(),
            "can_edit": access.can_manage_keys(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def key_create(request):
    access.require(access.can_manage_keys(request.user))
    return form_page(
        request,
        AllocationKeyForm(request.POST or None),
        lambda data: services.allocation_key_create(actor=request.user, **data),
        title=_("Add an allocation key"),
        success_message=lambda k: _("The key %(code)s was added.") % {"code": k.code},
        cancel="catalogue:key_list",
    )


@login_required
def key_detail(request, pk):
    key = access.access_allocation_key(request.user, pk)
    years = selectors.key_years(key)
    year, amount = (years[0] if years else timezone.localdate().year), None
    form = AllocateForm(request.GET or None, initial={"ar": year})
    if form.is_valid():
        year = form.cleaned_data["ar"] or year
        amount = form.cleaned_data["belopp"]
    versions = selectors.key_value_versions(key, year)
    current = versions[0] if versions else None
    shares = selectors.driver_shares(current, amount) if current else []
    return render(
        request,
        "catalogue/key_detail.html",
        {
            "key": key,
            "years": years,
            "year": year,
            "form": form,
            "versions": versions,
            "current": current,
            "shares": shares,
            "amount": amount,
            "allocated": sum(s.amount for s in shares) if amount is not None and shares else None,
            "can_import": access.can_manage_keys(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def key_import(request, pk):
    """Two steps: upload a file and see every row checked (nothing saved); then confirm,
    and the service checks everything again and saves all rows or none."""
    key = access.access_allocation_key(request.user, pk, write=True)
    if request.method == "POST" and request.POST.get("step") == "confirm":
        return _key_import_confirm(request, key)
    form = KeyImportForm(
        request.POST or None, request.FILES or None, initial={"year": _year_param(request)}
    )
    checked, confirm = None, None
    if request.method == "POST" and form.is_valid():
        checked = _check_upload(form, key)
        if checked is not None and not any(row["errors"] for row in checked):
            confirm = KeyImportConfirmForm(
                auto_id=False,  # hidden copies; the upload form on the page has the ids
                initial={
                    "year": form.cleaned_data["year"],
                    "rows": [[r["line"], r["code"], str(r["value"])] for r in checked],
                    "file_name": form.cleaned_data["file"].name[:200],
                    "note": form.cleaned_data["note"],
                    "reason": form.cleaned_data["reason"],
                },
            )
    return _key_import_page(request, key, form, checked, confirm)


def _year_param(request) -> int:
    try:
        return int(request.GET.get("ar", ""))
    except ValueError:
        return timezone.localdate().year


def _check_upload(form, key):
    """Parse the file and check its rows; errors about the whole file go on the form."""
    try:
        rows = imports.parse_upload(form.cleaned_data["file"])
        return services.check_driver_rows(key, rows, form.cleaned_data["year"])
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None


def _key_import_confirm(request, key):
    confirm = KeyImportConfirmForm(request.POST)
    errors = []
    if confirm.is_valid():
        data = confirm.cleaned_data
        try:
            values = services.key_values_register(
                actor=request.user,
                key=key,
                year=data["year"],
                rows=data["rows"],
                source_name=data["file_name"],
                note=data["note"],
                reason=data["reason"],
            )
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(
                request,
                _("Version %(number)s of the values for %(year)s was saved.")
                % {"number": values.number, "year": values.year},
            )
            return redirect(f"{key.get_absolute_url()}?ar={values.year}")
    else:
        errors = confirm.errors.get("rows") or [_("Upload the file again.")]
    form = KeyImportForm(initial={"year": confirm.data.get("year")})
    return _key_import_page(request, key, form, None, None, errors=errors)


def _key_import_page(request, key, form, checked, confirm, *, errors=()):
    return render(
        request,
        "catalogue/key_import.html",
        {
            "key": key,
            "form": form,
            "checked": checked,
            "bad_count": sum(1 for row in checked or [] if row["errors"]),
            "confirm": confirm,
            "errors": errors,
        },
    )
