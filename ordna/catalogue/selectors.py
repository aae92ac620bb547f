"""Reads of the mandate."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from ordna.catalogue.models import MandateTask


@dataclass(frozen=True)
class Mandate:
    in_force: list[MandateTask]
    proposed: list[MandateTask]
    history: list[MandateTask]


def mandate_of(committee, on: datetime.date | None = None) -> Mandate:
    """A committee's tasks on a day: in force, proposed (awaiting a decision), and ended."""
    day = on or timezone.localdate()
    rows = list(
        MandateTask.objects.filter(committee=committee)
        .select_related("deciding_body", "proposed_by", "committee")
        .order_by("number", "-valid_from")
    )
    adopted = MandateTask.Status.ADOPTED
    in_force = [t for t in rows if t.status == adopted and t.is_valid_on(day)]
    proposed = [t for t in rows if t.status == MandateTask.Status.PROPOSED]
    history = [t for t in rows if t not in in_force and t not in proposed]
    return Mandate(in_force, proposed, history)


def committees_with_mandates():
    from ordna.organisation.models import Unit

    return Unit.objects.filter(mandate_tasks__isnull=False).distinct().order_by("code")


def all_mandate_tasks(*, committee_code: str = "", status: str = ""):
    qs = MandateTask.objects.select_related("committee", "deciding_body").order_by(
        "committee__code", "number", "-valid_from"
    )
    if committee_code:
        qs = qs.filter(committee__code=committee_code.upper())
    if status:
        qs = qs.filter(status=status)
    return qs


@dataclass(frozen=True)
class AreaRoles:
    """Roles and responsibilities in one service area, derived from the registry."""

    area: object
    orders: list  # units whose people order (orderers, purchaser representatives)
    delivers: object  # the provider unit
    negotiates: list  # the main purchaser for common services, else each buyer's rep
    decides: object  # the committee responsible for the provider
    oversees: list  # units holding the oversight role (Kommunstyrelsen)
    heard_in: str | None  # the forum, when forums land (issue 9)


def roles_and_responsibilities(on: datetime.date | None = None) -> list[AreaRoles]:
    """The "Roller och ansvar" table, computed from service areas and memberships."""
    from ordna.accounts.models import Membership, Role
    from ordna.catalogue.models import ServiceArea

    day = on or timezone.localdate()
    memberships = list(
        Membership.objects.valid_on(day)
        .filter(role__in=[Role.ORDERER, Role.PURCHASER_REPRESENTATIVE, Role.OVERSIGHT])
        .select_related("unit")
    )

    def units_with(*roles):
        found = {m.unit_id: m.unit for m in memberships if m.role in roles and m.unit_id}
        return sorted(found.values(), key=lambda u: u.code)

    buyers = units_with(Role.ORDERER, Role.PURCHASER_REPRESENTATIVE)
    representatives = units_with(Role.PURCHASER_REPRESENTATIVE)
    overseers = units_with(Role.OVERSIGHT)
    areas = ServiceArea.objects.valid_on(day).select_related(
        "provider", "responsible_committee", "main_purchaser"
    )
    return [
        AreaRoles(
            area=area,
            orders=buyers,
            delivers=area.provider,
            negotiates=[area.main_purchaser] if area.main_purchaser else representatives,
            decides=area.responsible_committee,
            oversees=overseers,
            heard_in=None,
        )
        for area in areas
    ]


def service_areas(on: datetime.date | None = None):
    from ordna.catalogue.models import ServiceArea

    return ServiceArea.objects.valid_on(on or timezone.localdate()).select_related(
        "provider", "responsible_committee", "main_purchaser"
    )


# --- Services, prices and keys --------------------------------------------------------------
def services(*, area_code: str = "", query: str = ""):
    from django.db.models import Q

    from ordna.catalogue.models import Service

    qs = Service.objects.select_related("area", "default_key").order_by("code")
    if area_code:
        qs = qs.filter(area__code=area_code.upper())
    if query:
        qs = qs.filter(Q(code__icontains=query) | Q(name__icontains=query))
    return qs


def price_list_on(day: datetime.date):
    """The published price list in force on `day`, or None."""
    from ordna.catalogue.models import PriceList

    return (
        PriceList.objects.filter(status=PriceList.Status.PUBLISHED)
        .valid_on(day)
        .order_by("-valid_from")
        .first()
    )


def prices_of(price_list) -> list:
    return list(
        price_list.prices.select_related("service", "service__area").order_by("service__code")
    )


def key_values_for(key, year: int):
    """The version of a key's driver values in use for a year: the newest."""
    from ordna.catalogue.models import KeyValues

    return KeyValues.objects.filter(key=key, year=year).order_by("-number").first()


@dataclass(frozen=True)
class Share:
    unit: object
    value: object  # the driver value (or percentage) behind the share
    amount: object


def allocation(key_values, total, rows=None) -> list[Share]:
    """Share `total` by a version of driver values, exactly to the öre (largest remainder).

    Proportional keys weigh by the driver value, fixed-percentage keys by the percentage,
    even keys give every listed unit the same weight. `rows` (the version's driver values
    with their units, by unit code) may be given when the caller has read them already.
    """
    from ordna.catalogue.models import AllocationKey
    from ordna.core.money import allocate

    if rows is None:
        rows = list(key_values.rows.select_related("unit").order_by("unit__code"))
    if not rows:
        return []
    method = key_values.key.method
    if method == AllocationKey.Method.EVEN:
        weights = [(r.pk, 1) for r in rows]
    else:
        weights = [(r.pk, r.value) for r in rows]
    if sum(w for _pk, w in weights) == 0:
        return []
    amounts = allocate(total, weights)
    return [Share(r.unit, r.value, amounts[r.pk]) for r in rows]


# --- Pages: services, price lists, keys ------------------------------------------------------
def all_service_areas():
    from ordna.catalogue.models import ServiceArea

    return ServiceArea.objects.select_related(
        "provider", "responsible_committee", "main_purchaser"
    ).order_by("code")


def current_prices(day: datetime.date | None = None) -> dict:
    """{service id: Price} in the published list in force on `day` (today by default)."""
    from ordna.catalogue.models import Price, PriceList

    day = day or timezone.localdate()
    in_force = (
        PriceList.objects.filter(status=PriceList.Status.PUBLISHED)
        .valid_on(day)
        .order_by("-valid_from")
        .values("pk")[:1]
    )
    return {p.service_id: p for p in Price.objects.filter(price_list__in=in_force)}


def price_history(service) -> list:
    """A service's prices in every list, newest list first, with the list."""
    from ordna.catalogue.models import Price

    return list(
        Price.objects.filter(service=service)
        .select_related("price_list")
        .order_by("-price_list__year", "-price_list__valid_from")
    )


def price_lists():
    from django.db.models import Count

    from ordna.catalogue.models import PriceList

    return (
        PriceList.objects.select_related("based_on")
        .annotate(price_count=Count("prices"))
        .order_by("-year", "-valid_from")
    )


def services_not_in(price_list):
    """Services that have no price in the list yet (to add one)."""
    from ordna.catalogue.models import Service

    return Service.objects.exclude(prices__price_list=price_list).order_by("code")


def allocation_keys():
    from django.db.models import Count

    from ordna.catalogue.models import AllocationKey

    return AllocationKey.objects.annotate(service_count=Count("services")).order_by("code")


def key_years(key) -> list[int]:
    from ordna.catalogue.models import KeyValues

    return sorted(
        set(KeyValues.objects.filter(key=key).values_list("year", flat=True)), reverse=True
    )


def key_value_versions(key, year: int) -> list:
    """Every version of a key's values for a year, newest first, with its row count."""
    from django.db.models import Count

    from ordna.catalogue.models import KeyValues

    return list(
        KeyValues.objects.filter(key=key, year=year)
        .select_related("created_by", "key")
        .annotate(row_count=Count("rows"))
        .order_by("-number")
    )


@dataclass(frozen=True)
class DriverShare:
    unit: object
    value: object
    percent: object  # the unit's share of the whole, in per cent (4 decimals)
    amount: object = None  # the unit's part of an allocated amount, when one is asked for


def driver_shares(key_values, total=None) -> list[DriverShare]:
    """A version's values with each unit's share in per cent; with `total`, also each
    unit's part of it, exact to the öre (selectors.allocation)."""
    from decimal import Decimal

    from ordna.catalogue.models import AllocationKey

    if total is not None:
        shares = allocation(key_values, total)
        rows = [(s.unit, s.value, s.amount) for s in shares]
    else:
        rows = [
            (r.unit, r.value, None)
            for r in key_values.rows.select_related("unit").order_by("unit__code")
        ]
    if key_values.key.method == AllocationKey.Method.EVEN:
        weights = [Decimal(1)] * len(rows)
    else:
        weights = [Decimal(value) for _unit, value, _amount in rows]
    weight_sum = sum(weights, Decimal(0))
    return [
        DriverShare(
            unit,
            value,
            (weight * 100 / weight_sum).quantize(Decimal("0.0001")) if weight_sum else None,
            amount,
        )
        for (unit, value, amount), weight in zip(rows, weights, strict=True)
    ]


# --- Price list preview: what a draft would change -------------------------------------------
@dataclass(frozen=True)
class ServiceChange:
    service: object
    old_price: object  # None: not in the old list, or priced by quote
    new_price: object  # None: not in the draft, or priced by quote

    @property
    def change(self):
        if self.old_price is None or self.new_price is None:
            return None
        return self.new_price - self.old_price

    @property
    def change_percent(self):
        from decimal import Decimal

        if self.change is None or not self.old_price:
            return None
        return (self.change * 100 / self.old_price).quantize(Decimal("0.01"))


@dataclass
class PurchaserChange:
    unit: object
    old_amount: object
    new_amount: object

    @property
    def change(self):
        return self.new_amount - self.old_amount

    @property
    def change_percent(self):
        from decimal import Decimal

        if not self.old_amount:
            return None
        return (self.change * 100 / self.old_amount).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Preview:
    services: list[ServiceChange]
    purchasers: list[PurchaserChange]
    old_total: object
    new_total: object

    @property
    def change(self):
        return self.new_total - self.old_total


def price_list_preview(draft, agreements=None) -> Preview:
    """What a draft based on another list would change: per service, old and new price;
    per purchaser unit, the yearly charge under its signed agreements of the old list's
    year at the old prices and at the draft's.

    `agreements` limits which agreements count (the caller's access.agreements_visible_to);
    every agreement when None. Lines of common agreements are shared by their key, as the
    invoices share them. Old and new prices use the same volumes and driver values, so
    the difference is the price change alone. A constant number of queries.
    """
    from decimal import Decimal

    from ordna.catalogue.models import Price

    old_list = draft.based_on
    prices = list(
        Price.objects.filter(price_list__in=[p for p in (draft, old_list) if p is not None])
        .select_related("service")
        .order_by("service__code")
    )
    old = {p.service_id: p for p in prices if old_list and p.price_list_id == old_list.pk}
    new = {p.service_id: p for p in prices if p.price_list_id == draft.pk}
    services_seen = {p.service_id: p.service for p in prices}
    changes = [
        ServiceChange(
            service,
            old[pk].unit_price if pk in old else None,
            new[pk].unit_price if pk in new else None,
        )
        for pk, service in sorted(services_seen.items(), key=lambda item: item[1].code)
    ]
    if old_list is None:
        return Preview(changes, [], Decimal("0.00"), Decimal("0.00"))
    factor = 1 + (draft.index_percent or Decimal(0)) / 100
    purchasers = _purchaser_changes(old_list.year, new, factor, agreements)
    return Preview(
        changes,
        purchasers,
        sum((p.old_amount for p in purchasers), Decimal("0.00")),
        sum((p.new_amount for p in purchasers), Decimal("0.00")),
    )


def _signed_lines(year: int, agreements) -> list:
    """The lines of each agreement's newest signed version, for signed or active
    agreements of `year` (one query)."""
    from ordna.agreements.models import Agreement, AgreementLine, AgreementVersion

    qs = agreements if agreements is not None else Agreement.objects.all()
    qs = qs.filter(year=year, status__in=[Agreement.Status.SIGNED, Agreement.Status.ACTIVE])
    lines = list(
        AgreementLine.objects.filter(
            version__agreement__in=qs.values("pk"), version__state=AgreementVersion.State.SIGNED
        ).select_related("version__agreement__purchaser", "allocation_key")
    )
    newest: dict[int, int] = {}
    for line in lines:
        agreement_id = line.version.agreement_id
        newest[agreement_id] = max(newest.get(agreement_id, 0), line.version.number)
    return [line for line in lines if line.version.number == newest[line.version.agreement_id]]


def _driver_weights(lines, year: int) -> dict:
    """{line pk: [(unit, weight)]} for lines shared by a key (one query)."""
    from django.db.models import Q

    from ordna.catalogue.models import AllocationKey, DriverValue

    keyed = [line for line in lines if line.allocation_key_id]
    if not keyed:
        return {}
    explicit = {line.key_values_id for line in keyed if line.key_values_id}
    key_ids = {line.allocation_key_id for line in keyed}
    values = list(
        DriverValue.objects.filter(
            Q(values__in=explicit) | Q(values__key_id__in=key_ids, values__year=year)
        ).select_related("unit", "values")
    )
    newest: dict[int, int] = {}
    by_set: dict[int, list] = {}
    for row in values:
        by_set.setdefault(row.values_id, []).append(row)
        if row.values.year == year:
            key_id = row.values.key_id
            if newest.get(key_id) is None or row.values.number > newest[key_id][1]:
                newest[key_id] = (row.values_id, row.values.number)
    weights = {}
    for line in keyed:
        set_id = line.key_values_id or (newest.get(line.allocation_key_id) or (None,))[0]
        rows = sorted(by_set.get(set_id, []), key=lambda r: r.unit.code)
        even = line.allocation_key.method == AllocationKey.Method.EVEN
        pairs = [(r.unit, 1 if even else r.value) for r in rows]
        if sum(w for _unit, w in pairs):
            weights[line.pk] = pairs
    return weights


def _purchaser_changes(year: int, new_prices: dict, factor, agreements) -> list[PurchaserChange]:
    from decimal import Decimal

    from ordna.agreements.models import yearly_amount
    from ordna.core.money import allocate, to_ore

    lines = _signed_lines(year, agreements)
    weights = _driver_weights(lines, year)
    result: dict[int, PurchaserChange] = {}

    def add(unit, old_amount, new_amount):
        row = result.setdefault(unit.pk, PurchaserChange(unit, Decimal("0.00"), Decimal("0.00")))
        row.old_amount += old_amount
        row.new_amount += new_amount

    for line in lines:
        if line.negotiated:
            new_price = to_ore(line.unit_price * factor)
        else:
            price = new_prices.get(line.service_id)
            new_price = price.unit_price if price is not None else None
        old_amount = yearly_amount(line.price_model, line.volume, line.unit_price)
        new_amount = yearly_amount(line.price_model, line.volume, new_price)
        pairs = weights.get(line.pk)
        if not pairs:
            add(line.version.agreement.purchaser, old_amount, new_amount)
            continue
        indexed = list(enumerate(pairs))
        old_parts = allocate(old_amount, [(i, w) for i, (_u, w) in indexed])
        new_parts = allocate(new_amount, [(i, w) for i, (_u, w) in indexed])
        for i, (unit, _weight) in indexed:
            add(unit, old_parts[i], new_parts[i])
    return sorted(result.values(), key=lambda r: r.unit.code)


def price_in(price_list, service):
    """A service's price in a list, or None."""
    return price_list.prices.filter(service=service).first()


def cost_totals(prices) -> dict:
    """The sums of a list's cost build-up: direct, overhead, capital and total."""
    from decimal import Decimal

    zero = Decimal("0.00")
    return {
        "direct": sum((p.direct_cost for p in prices), zero),
        "overhead": sum((p.overhead_cost for p in prices), zero),
        "capital": sum((p.capital_cost for p in prices), zero),
        "total": sum((p.total_cost for p in prices), zero),
    }
