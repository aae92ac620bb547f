"""Writes to the mandate: propose a task (or a new wording), adopt it, repeal it."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ordna.audit.services import record, snapshot
from ordna.catalogue.models import (
    AllocationKey,
    DriverValue,
    KeyValues,
    MandateTask,
    Price,
    PriceList,
    PriceModel,
    Service,
    ServiceArea,
)
from ordna.core import locks
from ordna.core.money import to_ore
from ordna.core.services import check_version, versioned_update


@transaction.atomic
def mandate_task_propose(
    *,
    actor,
    committee,
    text: str,
    proposed_by=None,
    replaces: MandateTask | None = None,
    source="web",
    reason="",
) -> MandateTask:
    """Propose a new task for `committee`, or a new wording of an adopted one (`replaces`)."""
    locks.lock("catalogue.mandate", committee.pk)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": [_("Write the task.")]})
    if replaces is not None and (
        replaces.committee_id != committee.pk or replaces.status != MandateTask.Status.ADOPTED
    ):
        raise ValidationError(
            {
                "replaces": [
                    _("Only an adopted task of the same committee can be given a new wording.")
                ]
            }
        )
    if replaces is not None:
        number = replaces.number
    else:
        highest = MandateTask.objects.filter(committee=committee).aggregate(n=Max("number"))["n"]
        number = (highest or 0) + 1
    task = MandateTask(
        committee=committee,
        number=number,
        text=text,
        proposed_by=proposed_by,
        replaces=replaces,
        valid_from=timezone.localdate(),
    )
    task.full_clean()
    task.save()
    record(
        actor=actor,
        action="catalogue.mandate_task.propose",
        obj=task,
        after=snapshot(task),
        reason=reason,
        source=source,
    )
    return task


def _decision_errors(deciding_body, case_number, decided_on) -> dict:
    errors = {}
    if deciding_body is None:
        errors["deciding_body"] = [_("Name the body that decided.")]
    if not case_number:
        errors["case_number"] = [_("Give the case number of the decision.")]
    if decided_on is None:
        errors["decided_on"] = [_("Give the date of the decision.")]
    return errors


@transaction.atomic
def mandate_task_adopt(
    *,
    actor,
    task: MandateTask,
    deciding_body,
    case_number: str,
    decided_on: datetime.date,
    valid_from: datetime.date,
    source="web",
    reason="",
) -> MandateTask:
    """Record the decision adopting a proposed task; a new wording ends the old one."""
    row = MandateTask.objects.select_for_update().get(pk=task.pk)
    if row.status != MandateTask.Status.PROPOSED:
        raise ValidationError(_("Only a proposed task can be adopted."))
    errors = _decision_errors(deciding_body, case_number, decided_on)
    if errors:
        raise ValidationError(errors)
    before = snapshot(row)
    row.status = MandateTask.Status.ADOPTED
    row.deciding_body, row.case_number = deciding_body, case_number
    row.decided_on, row.valid_from = decided_on, valid_from
    row.full_clean()
    if row.replaces_id:
        old = MandateTask.objects.select_for_update().get(pk=row.replaces_id)
        if old.valid_to is None or old.valid_to >= valid_from:
            old_before = snapshot(old)
            old.valid_to = valid_from - datetime.timedelta(days=1)
            if old.valid_to < old.valid_from:
                raise ValidationError(
                    {"valid_from": [_("The new wording must start after the old one started.")]}
                )
            old.save()
            record(
                actor=actor,
                action="catalogue.mandate_task.replace",
                obj=old,
                before=old_before,
                after=snapshot(old),
                reason=reason,
                source=source,
            )
    row.save()
    record(
        actor=actor,
        action="catalogue.mandate_task.adopt",
        obj=row,
        before=before,
        after=snapshot(row),
        reason=reason,
        source=source,
    )
    return row


@transaction.atomic
def mandate_task_repeal(
    *,
    actor,
    task: MandateTask,
    deciding_body,
    case_number: str,
    decided_on: datetime.date,
    valid_to: datetime.date,
    source="web",
    reason="",
) -> MandateTask:
    """Record the decision repealing an adopted task; it stays in the history."""
    row = MandateTask.objects.select_for_update().get(pk=task.pk)
    if row.status != MandateTask.Status.ADOPTED:
        raise ValidationError(_("Only an adopted task can be repealed."))
    errors = _decision_errors(deciding_body, case_number, decided_on)
    if valid_to < row.valid_from:
        errors["valid_to"] = [_("The end date must be on or after the start date.")]
    if errors:
        raise ValidationError(errors)
    before = snapshot(row)
    row.status = MandateTask.Status.REPEALED
    row.repeal_case_number = case_number
    row.repeal_deciding_body, row.repeal_decided_on = deciding_body, decided_on
    row.valid_to = valid_to
    row.full_clean()
    row.save()
    record(
        actor=actor,
        action="catalogue.mandate_task.repeal",
        obj=row,
        before=before,
        after=snapshot(row),
        reason=reason,
        source=source,
    )
    return row


def _clean_area(area: ServiceArea) -> None:
    area.full_clean()
    errors = {}
    if area.responsible_committee.kind != "committee":
        errors["responsible_committee"] = [_("The responsible body must be a committee.")]
    if area.main_purchaser is not None and area.main_purchaser.kind != "administration":
        errors["main_purchaser"] = [_("The main purchaser must be an administration.")]
    if area.provider.kind != "administration":
        errors["provider"] = [_("The provider must be an administration.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def service_area_create(*, actor, source="web", reason="", **data):
    """Register a service area: its provider, responsible committee and main purchaser."""
    area = ServiceArea(**data)
    _clean_area(area)
    area.save()
    record(
        actor=actor,
        action="catalogue.service_area.create",
        obj=area,
        after=snapshot(area),
        reason=reason,
        source=source,
    )
    return area


AREA_FIELDS = [
    "name",
    "description",
    "provider",
    "responsible_committee",
    "main_purchaser",
    "valid_from",
    "valid_to",
]


@transaction.atomic
def service_area_update(*, actor, area, version, source="web", reason="", **data):
    """Change a service area (its code stays: other records and exports use it)."""
    return versioned_update(
        actor=actor,
        model=ServiceArea,
        pk=area.pk,
        version=version,
        fields=AREA_FIELDS,
        data=data,
        clean=lambda row, _before: _clean_area(row),
        action="catalogue.service_area.update",
        source=source,
        reason=reason,
    )


# --- Services ---------------------------------------------------------------------------
SERVICE_FIELDS = [
    "name",
    "description",
    "area",
    "unit_of_measure",
    "price_model",
    "obligation",
    "open_to_external",
    "external_decision",
    "vat_percent",
    "account",
    "default_key",
    "response_days_normal",
    "delivery_days_normal",
    "response_days_urgent",
    "delivery_days_urgent",
    "cpv_code",
    "valid_from",
    "valid_to",
]


def _clean_service(service: Service) -> None:
    service.full_clean()
    errors = {}
    if service.open_to_external and not service.external_decision:
        errors["external_decision"] = [
            _("Give the council decision that opens the service to external customers.")
        ]
    if service.price_model == PriceModel.FIXED and service.default_key_id is None:
        errors["default_key"] = [_("A fixed fee is shared by a key: choose one.")]
    if service.response_days_urgent > service.response_days_normal:
        errors["response_days_urgent"] = [
            _("An urgent response cannot take longer than a normal one.")
        ]
    if service.delivery_days_urgent > service.delivery_days_normal:
        errors["delivery_days_urgent"] = [
            _("An urgent delivery cannot take longer than a normal one.")
        ]
    if service.response_days_normal > service.delivery_days_normal:
        errors["response_days_normal"] = [_("The response cannot come after the delivery.")]
    if service.vat_percent > 100:
        errors["vat_percent"] = [_("VAT is a percentage between 0 and 100.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def service_create(*, actor, source="web", reason="", **data) -> Service:
    """Add a service to the catalogue."""
    service = Service(**data)
    _clean_service(service)
    service.save()
    record(
        actor=actor,
        action="catalogue.service.create",
        obj=service,
        after=snapshot(service),
        reason=reason,
        source=source,
    )
    return service


@transaction.atomic
def service_update(*, actor, service, version, source="web", reason="", **data) -> Service:
    """Change a service; prices live in price lists, so published prices are untouched.
    Its price model stays while a published price exists: that price (and the agreements
    priced by it) were computed under it."""
    model = data.get("price_model", service.price_model)
    if (
        model != service.price_model
        and Price.objects.filter(
            service=service, price_list__status=PriceList.Status.PUBLISHED
        ).exists()
    ):
        raise ValidationError(
            {
                "price_model": [
                    _(
                        "A published price list prices this service by its current model. "
                        "Add a new service for the new price model instead."
                    )
                ]
            }
        )
    return versioned_update(
        actor=actor,
        model=Service,
        pk=service.pk,
        version=version,
        fields=SERVICE_FIELDS,
        data=data,
        clean=lambda row, _before: _clean_service(row),
        action="catalogue.service.update",
        source=source,
        reason=reason,
    )


# --- Price lists ------------------------------------------------------------------------
def _year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def _check_year(year) -> int:
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationError({"year": [_("Give the year as four digits.")]}) from None
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": [_("Give a year between 2000 and 2100.")]})
    return year


@transaction.atomic
def price_list_create(
    *, actor, year, name="", valid_from=None, source="web", reason=""
) -> PriceList:
    """Start a draft price list for a year (valid from 1 January unless said otherwise)."""
    year = _check_year(year)
    locks.lock("catalogue.price_list", year)
    start, end = _year_bounds(year)
    valid_from = valid_from or start
    if not start <= valid_from <= end:
        raise ValidationError({"valid_from": [_("The start date must lie in the list's year.")]})
    if PriceList.objects.filter(year=year, status=PriceList.Status.DRAFT).exists():
        raise ValidationError(
            {"year": [_("There is already a draft price list for %(year)s.") % {"year": year}]}
        )
    price_list = PriceList(
        year=year,
        name=name or _("Price list %(year)s") % {"year": year},
        valid_from=valid_from,
        valid_to=end,
    )
    price_list.full_clean()
    price_list.save()
    record(
        actor=actor,
        action="catalogue.price_list.create",
        obj=price_list,
        after=snapshot(price_list),
        reason=reason,
        source=source,
    )
    return price_list


def _locked_draft(price_list: PriceList, version) -> PriceList:
    row = PriceList.objects.select_for_update().get(pk=price_list.pk)
    if row.status != PriceList.Status.DRAFT:
        raise ValidationError(_("A published price list never changes. Make a new one."))
    check_version(row, version)
    return row


def compute_unit_price(direct, overhead, capital, volume) -> Decimal:
    """The cost build-up's unit price: total cost divided by volume, to the öre."""
    return to_ore((Decimal(direct) + Decimal(overhead) + Decimal(capital)) / Decimal(volume))


@transaction.atomic
def price_set(
    *,
    actor,
    price_list,
    version,
    service,
    direct_cost=0,
    overhead_cost=0,
    capital_cost=0,
    volume=1,
    note="",
    source="web",
    reason="",
) -> Price:
    """Set one service's cost build-up in a draft list; the unit price follows from it."""
    row = _locked_draft(price_list, version)
    direct_cost, overhead_cost, capital_cost, volume = (
        Decimal(direct_cost or 0),
        Decimal(overhead_cost or 0),
        Decimal(capital_cost or 0),
        Decimal(volume if volume not in (None, "") else 0),
    )
    errors = {}
    for field, value in (
        ("direct_cost", direct_cost),
        ("overhead_cost", overhead_cost),
        ("capital_cost", capital_cost),
    ):
        if value < 0:
            errors[field] = [_("A cost cannot be negative.")]
    if volume < 0:
        errors["volume"] = [_("The volume cannot be negative.")]
    elif service.price_model != PriceModel.QUOTE and volume <= 0:
        errors["volume"] = [_("The volume must be greater than zero.")]
    if service.price_model == PriceModel.FIXED and volume != 1:
        errors["volume"] = [_("A fixed fee is priced for the whole year: the volume is 1.")]
    if errors:
        raise ValidationError(errors)
    price = Price.objects.filter(price_list=row, service=service).first()
    before = snapshot(price) if price else None
    price = price or Price(price_list=row, service=service)
    price.direct_cost, price.overhead_cost, price.capital_cost = (
        direct_cost,
        overhead_cost,
        capital_cost,
    )
    price.volume, price.note = volume, note
    price.unit_price = (
        None
        if service.price_model == PriceModel.QUOTE
        else compute_unit_price(direct_cost, overhead_cost, capital_cost, volume)
    )
    price.full_clean()
    price.save()
    row.version += 1
    row.save(update_fields=["version"])
    record(
        actor=actor,
        action="catalogue.price.set",
        obj=price,
        before=before,
        after=snapshot(price),
        reason=reason,
        source=source,
    )
    return price


@transaction.atomic
def price_remove(*, actor, price_list, version, service, source="web", reason="") -> None:
    """Take a service out of a draft list (published lists never change)."""
    row = _locked_draft(price_list, version)
    price = Price.objects.filter(price_list=row, service=service).first()
    if price is None:
        return
    before = snapshot(price)
    record(
        actor=actor,
        action="catalogue.price.remove",
        obj=price,
        before=before,
        reason=reason,
        source=source,
    )
    price.delete()
    row.version += 1
    row.save(update_fields=["version"])


@transaction.atomic
def price_list_publish(*, actor, price_list, version, source="web", reason="") -> PriceList:
    """Publish a draft: from now on it never changes, and it ends the list before it."""
    locks.lock("catalogue.price_list.publish")
    row = _locked_draft(price_list, version)
    if not row.prices.exists():
        raise ValidationError(_("A price list without prices cannot be published."))
    published = PriceList.objects.select_for_update().filter(status=PriceList.Status.PUBLISHED)
    later = published.filter(valid_from__gte=row.valid_from).order_by("valid_from").first()
    if later is not None:
        raise ValidationError(
            _(
                "The list would overlap “%(other)s”, published from %(day)s. "
                "A new list must start after the lists already published."
            )
            % {"other": later.name, "day": later.valid_from.isoformat()}
        )
    for previous in published.overlapping(row.valid_from, row.valid_to):
        previous_before = snapshot(previous)
        previous.valid_to = row.valid_from - datetime.timedelta(days=1)
        previous.save(update_fields=["valid_to"])
        record(
            actor=actor,
            action="catalogue.price_list.end",
            obj=previous,
            before=previous_before,
            after=snapshot(previous),
            reason=reason,
            source=source,
        )
    before = snapshot(row)
    row.status = PriceList.Status.PUBLISHED
    row.published_at = timezone.now()
    row.published_by = actor if getattr(actor, "is_authenticated", False) else None
    row.version += 1
    row.save()
    record(
        actor=actor,
        action="catalogue.price_list.publish",
        obj=row,
        before=before,
        after=snapshot(row),
        reason=reason,
        source=source,
    )
    return row


@transaction.atomic
def price_list_index(
    *, actor, source_list, year, index_percent, index_name="", source="web", reason=""
) -> PriceList:
    """Next year's draft from a list: every cost indexed by `index_percent`, volumes kept."""
    try:
        index_percent = Decimal(index_percent)
    except (TypeError, ArithmeticError):
        raise ValidationError({"index_percent": [_("Give the index as a percentage.")]}) from None
    if not Decimal("-50") <= index_percent <= Decimal("50"):
        raise ValidationError(
            {"index_percent": [_("An index between −50 and 50 per cent is expected.")]}
        )
    if _check_year(year) <= source_list.year:
        raise ValidationError({"year": [_("The new list must be for a later year.")]})
    draft = price_list_create(actor=actor, year=year, source=source, reason=reason)
    factor = 1 + index_percent / 100
    draft.based_on, draft.index_percent, draft.index_name = source_list, index_percent, index_name
    draft.save(update_fields=["based_on", "index_percent", "index_name"])
    for old in source_list.prices.select_related("service"):
        direct, overhead, capital = (
            to_ore(old.direct_cost * factor),
            to_ore(old.overhead_cost * factor),
            to_ore(old.capital_cost * factor),
        )
        Price.objects.create(
            price_list=draft,
            service=old.service,
            direct_cost=direct,
            overhead_cost=overhead,
            capital_cost=capital,
            volume=old.volume,
            note=old.note,
            unit_price=None
            if old.unit_price is None
            else compute_unit_price(direct, overhead, capital, old.volume),
        )
    record(
        actor=actor,
        action="catalogue.price_list.index",
        obj=draft,
        after={
            **snapshot(draft),
            "prices": [snapshot(price) for price in draft.prices.order_by("service_id")],
        },
        reason=reason,
        source=source,
    )
    return draft


# --- Allocation keys --------------------------------------------------------------------
KEY_FIELDS = ["name", "driver", "driver_label", "method", "description"]


def _clean_key(key: AllocationKey) -> None:
    key.full_clean()
    if key.driver == AllocationKey.Driver.CUSTOM and not key.driver_label:
        raise ValidationError({"driver_label": [_("Say what is counted.")]})


@transaction.atomic
def allocation_key_create(*, actor, source="web", reason="", **data) -> AllocationKey:
    key = AllocationKey(**data)
    _clean_key(key)
    key.save()
    record(
        actor=actor,
        action="catalogue.allocation_key.create",
        obj=key,
        after=snapshot(key),
        reason=reason,
        source=source,
    )
    return key


def check_driver_rows(key: AllocationKey, rows, year: int | None = None) -> list[dict]:
    """Validate driver rows [(line, unit code, value text)] for a key; return the rows as
    dicts with `unit`, `value` and `errors` (Swedish messages naming what is wrong).
    With `year`, a unit must exist at some time in that year."""
    from ordna.organisation.models import Unit

    codes = {str(code).strip().upper() for _line, code, _value in rows}
    candidates = Unit.objects.filter(code__in=codes).order_by("valid_from")
    if year is not None:
        candidates = candidates.overlapping(*_year_bounds(int(year)))
    units = {u.code: u for u in candidates}
    seen = set()
    checked = []
    for line, code, text in rows:
        code = str(code or "").strip().upper()
        errors = []
        unit = units.get(code)
        if not code:
            errors.append(_("The unit code is missing."))
        elif unit is None:
            errors.append(
                _("There is no unit with the code %(code)s in %(year)s.")
                % {"code": code, "year": year}
                if year is not None
                else _("There is no unit with the code %(code)s.") % {"code": code}
            )
        elif code in seen:
            errors.append(_("The unit %(code)s appears more than once.") % {"code": code})
        seen.add(code)
        value = _parse_number(text)
        if value is None:
            errors.append(_("“%(text)s” is not a number.") % {"text": str(text or "")[:40]})
        elif value < 0:
            errors.append(_("A driver value cannot be negative."))
        checked.append({"line": line, "code": code, "unit": unit, "value": value, "errors": errors})
    if not checked:
        raise ValidationError(_("There are no rows."))
    if all(not r["errors"] for r in checked):
        total = sum((r["value"] for r in checked), Decimal(0))
        if key.method == AllocationKey.Method.PERCENT and total != 100:
            raise ValidationError(
                _("The percentages sum to %(total)s, not 100.") % {"total": _number(total)}
            )
        if key.method == AllocationKey.Method.PROPORTIONAL and total == 0:
            raise ValidationError(_("The driver values sum to zero: nothing to share by."))
    return checked


def _number(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text.replace(".", ",")


def _parse_number(text) -> Decimal | None:
    if isinstance(text, (int, Decimal)):
        return Decimal(text)
    if isinstance(text, float):
        return Decimal(str(text))
    cleaned = str(text or "").strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    if not cleaned:
        return None
    try:
        value = Decimal(cleaned)
    except ArithmeticError:
        return None
    if not value.is_finite() or value.as_tuple().exponent < -4 or abs(value) >= 10**10:
        return None
    return value


@transaction.atomic
def key_values_register(
    *, actor, key, year, rows, source_name="", note="", source="web", reason=""
) -> KeyValues:
    """Register a year's driver values for a key as a new version: all rows or none."""
    year = _check_year(year)
    checked = check_driver_rows(key, rows, year)
    bad = [r for r in checked if r["errors"]]
    if bad:
        first = bad[0]
        raise ValidationError(
            ngettext(
                "Row %(line)s: %(error)s (%(count)s row has errors; nothing was saved.)",
                "Row %(line)s: %(error)s (%(count)s rows have errors; nothing was saved.)",
                len(bad),
            )
            % {"line": first["line"], "error": first["errors"][0], "count": len(bad)}
        )
    locks.lock("catalogue.key_values", key.pk, year)
    last = KeyValues.objects.filter(key=key, year=year).order_by("-number").first()
    values = KeyValues.objects.create(
        key=key,
        year=year,
        number=(last.number + 1) if last else 1,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        source=source_name[:200],
        note=note[:500],
    )
    DriverValue.objects.bulk_create(
        [DriverValue(values=values, unit=r["unit"], value=r["value"]) for r in checked]
    )
    record(
        actor=actor,
        action="catalogue.key_values.register",
        obj=values,
        after={
            "key": key.code,
            "year": year,
            "version": values.number,
            "source": source_name,
            "rows": {r["code"]: str(r["value"]) for r in checked},
        },
        reason=reason,
        source=source,
    )
    return values
