"""Reads of agreements: lists, the version in force, charges per unit, round comparison."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch
from django.utils import timezone

from ordna.agreements.models import Agreement, AgreementCycle, AgreementLine, AgreementVersion
from ordna.catalogue.selectors import allocation, key_values_for
from ordna.core.money import allocate

MONTHS = 12


def agreements(qs=None, *, year: int | None = None, status: str = "", purchaser_code: str = ""):
    qs = (qs if qs is not None else Agreement.objects.all()).select_related("purchaser", "provider")
    if year:
        qs = qs.filter(year=year)
    if status:
        qs = qs.filter(status=status)
    if purchaser_code:
        qs = qs.filter(purchaser__code=purchaser_code.upper())
    return qs.order_by("-year", "number")


def years() -> list[int]:
    return sorted(set(Agreement.objects.values_list("year", flat=True)), reverse=True)


def cycle_of(year: int) -> AgreementCycle | None:
    return AgreementCycle.objects.filter(year=year).first()


def is_overdue(agreement: Agreement, cycle: AgreementCycle | None, today=None) -> bool:
    """Not signed by the year's negotiation deadline."""
    today = today or timezone.localdate()
    return (
        cycle is not None
        and agreement.status
        in (Agreement.Status.DRAFT, Agreement.Status.NEGOTIATION, Agreement.Status.AGREED)
        and cycle.negotiation_deadline < today
    )


def overdue_ids(rows, today=None) -> set[int]:
    cycles = {c.year: c for c in AgreementCycle.objects.all()}
    return {a.pk for a in rows if is_overdue(a, cycles.get(a.year), today)}


def versions_of(agreement: Agreement) -> list[AgreementVersion]:
    lines = AgreementLine.objects.select_related(
        "service", "allocation_key", "key_values"
    ).order_by("position")
    return list(
        agreement.versions.select_related("price_list", "created_by")
        .prefetch_related(
            Prefetch("lines", queryset=lines),
            "signatures__signed_by",
            "rounds__created_by",
        )
        .order_by("number")
    )


def version_in_force(versions: list[AgreementVersion]) -> AgreementVersion | None:
    signed = [v for v in versions if v.state == AgreementVersion.State.SIGNED]
    return signed[-1] if signed else None


@dataclass
class UnitCharge:
    unit: object
    yearly: Decimal = Decimal("0.00")
    per_line: dict = field(default_factory=dict)  # line pk -> amount
    drivers: dict = field(default_factory=dict)  # line pk -> driver value
    months: list = field(default_factory=list)


@dataclass
class Charges:
    units: list[UnitCharge]
    lines: list
    total: Decimal

    @property
    def sums_exactly(self) -> bool:
        return sum((u.yearly for u in self.units), Decimal("0.00")) == self.total


def charges(agreement: Agreement, version: AgreementVersion) -> Charges:
    """Each unit's yearly and monthly charge under a version of an agreement.

    Lines with an allocation key (common agreements) are shared by the key's driver
    values for the agreement's year, exactly to the öre; other lines are charged to the
    purchaser. Each unit's year is split into twelve months that sum exactly too.
    """
    lines = list(version.lines.all())
    by_unit: dict[int, UnitCharge] = {}
    total = Decimal("0.00")

    def charge(unit) -> UnitCharge:
        if unit.pk not in by_unit:
            by_unit[unit.pk] = UnitCharge(unit)
        return by_unit[unit.pk]

    value_sets: dict = {}
    for line in lines:
        amount = line.yearly_amount
        total += amount
        key_values = None
        if line.allocation_key_id:
            key_values = line.key_values or key_values_for(line.allocation_key, agreement.year)
        shares = []
        if key_values is not None and amount:
            if key_values.pk not in value_sets:
                value_sets[key_values.pk] = key_values
            shares = allocation(key_values, amount)
        if shares:
            for share in shares:
                row = charge(share.unit)
                row.per_line[line.pk] = share.amount
                row.drivers[line.pk] = share.value
                row.yearly += share.amount
        else:
            row = charge(agreement.purchaser)
            row.per_line[line.pk] = amount
            row.yearly += amount
    units = sorted(by_unit.values(), key=lambda r: r.unit.code)
    for row in units:
        row.months = list(allocate(row.yearly, [(m, 1) for m in range(MONTHS)]).values())
    return Charges(units=units, lines=lines, total=total)


@dataclass
class LineChange:
    service: str
    name: str
    left: dict | None
    right: dict | None

    @property
    def changed(self) -> set[str]:
        if self.left is None or self.right is None:
            return {"added" if self.left is None else "removed"}
        return {k for k in self.right if self.left.get(k) != self.right.get(k)}


def compare_rounds(left, right) -> list[LineChange]:
    """Two rounds' lines side by side, matched by service code."""
    lmap = {line["service"]: line for line in left.lines}
    rmap = {line["service"]: line for line in right.lines}
    codes = list(lmap) + [c for c in rmap if c not in lmap]
    return [
        LineChange(code, (rmap.get(code) or lmap.get(code))["name"], lmap.get(code), rmap.get(code))
        for code in codes
    ]


def purchaser_yearly_at(agreement_rows, price_for) -> dict:
    """Per purchaser unit: the yearly charge under their agreements with each line priced
    by `price_for(line)` (used by the price list preview: old vs indexed prices)."""
    from ordna.agreements.models import yearly_amount

    result: dict = {}
    for agreement, version in agreement_rows:
        for line in version.lines.all():
            amount = yearly_amount(line.price_model, line.volume, price_for(line))
            key = agreement.purchaser
            result[key] = result.get(key, Decimal("0.00")) + amount
    return result


def today() -> datetime.date:
    return timezone.localdate()
