"""Reads of agreements: lists, the version in force, charges per unit, round comparison."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone

from ordna.agreements.models import (
    Agreement,
    AgreementCycle,
    AgreementLine,
    AgreementVersion,
    NegotiationRound,
    Side,
    Signature,
    yearly_amount,
)
from ordna.catalogue.selectors import allocation
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
    """Every version with its lines, signatures and rounds, in a fixed number of queries."""
    lines = AgreementLine.objects.select_related(
        "service", "allocation_key", "key_values"
    ).order_by("position")
    return list(
        agreement.versions.select_related("price_list", "created_by")
        .prefetch_related(
            Prefetch("lines", queryset=lines),
            Prefetch("signatures", queryset=Signature.objects.select_related("signed_by")),
            Prefetch(
                "rounds",
                queryset=NegotiationRound.objects.select_related("created_by").order_by("number"),
            ),
        )
        .order_by("number")
    )


def version_numbered(versions: list[AgreementVersion], number) -> AgreementVersion | None:
    """The version with `number` (text from a query string), the newest when not given."""
    if number in (None, ""):
        return versions[-1] if versions else None
    return next((v for v in versions if str(v.number) == str(number)), None)


def rounds_of(agreement: Agreement) -> list[NegotiationRound]:
    """All negotiation rounds of an agreement, every version's, oldest first."""
    return list(
        NegotiationRound.objects.filter(version__agreement=agreement)
        .select_related("version", "created_by")
        .order_by("version__number", "number")
    )


def yearly_totals(rows) -> dict[int, Decimal]:
    """Per agreement: the yearly total of its newest version (one query for all)."""
    from django.db.models import Max, OuterRef, Subquery

    newest = (
        AgreementVersion.objects.filter(agreement=OuterRef("version__agreement"))
        .order_by()
        .values("agreement")
        .annotate(newest=Max("number"))
        .values("newest")
    )
    totals = {a.pk: Decimal("0.00") for a in rows}
    lines = (
        AgreementLine.objects.filter(version__agreement__in=list(totals))
        .filter(version__number=Subquery(newest))
        .values_list("version__agreement_id", "price_model", "volume", "unit_price")
    )
    for agreement_id, price_model, volume, unit_price in lines:
        totals[agreement_id] += yearly_amount(price_model, volume, unit_price)
    return totals


def agreement_with_versions(visible, pk) -> tuple[Agreement, list[AgreementVersion]] | None:
    """An agreement among `visible` (access.agreements_visible_to) with all its versions
    (as versions_of) and its year's negotiation deadline, for the agreement page: the
    agreement, the versions and the deadline come in one query.

    The (at most two) signatures of each version come in the same query, as columns, so
    the page stays within its query budget with keyed lines too.
    """
    from django.db.models import OuterRef, Subquery

    deadline = AgreementCycle.objects.filter(year=OuterRef("agreement__year")).values(
        "negotiation_deadline"
    )[:1]
    rows = list(
        AgreementVersion.objects.filter(agreement__in=visible, agreement_id=pk)
        .select_related(
            "agreement__purchaser",
            "agreement__provider",
            "agreement__rolled_from",
            "price_list",
            "created_by",
        )
        .annotate(deadline=Subquery(deadline), **_signature_columns())
        .order_by("number")
    )
    if not rows:
        return None
    agreement = rows[0].agreement
    agreement.deadline = rows[0].deadline
    for version in rows:
        version.agreement = agreement
    lines = AgreementLine.objects.select_related(
        "service", "allocation_key", "key_values"
    ).order_by("position")
    prefetch = [
        Prefetch("lines", queryset=lines),
        Prefetch(
            "rounds",
            queryset=NegotiationRound.objects.select_related("created_by").order_by("number"),
        ),
    ]
    for version in rows:
        _attach_signatures(version)
    prefetch_related_objects(rows, *prefetch)
    return agreement, rows


_SIGNATURE_FIELDS = ("signed_by_id", "role", "signed_at")
_SIGNER_FIELDS = ("username", "first_name", "last_name")


def _signature_columns() -> dict:
    """Subquery columns for each side's signature on a version (see _attach_signatures)."""
    from django.db.models import OuterRef, Subquery

    columns = {}
    for side in Side.values:
        own = Signature.objects.filter(version=OuterRef("pk"), side=side)
        for name in _SIGNATURE_FIELDS:
            columns[f"sig_{side}_{name}"] = Subquery(own.values(name)[:1])
        for name in _SIGNER_FIELDS:
            columns[f"sig_{side}_{name}"] = Subquery(own.values(f"signed_by__{name}")[:1])
    return columns


def _attach_signatures(version: AgreementVersion) -> None:
    """Turn the signature columns into `version.signatures.all()` without a query."""
    from ordna.accounts.models import User

    found = []
    for side in Side.values:
        user_id = getattr(version, f"sig_{side}_signed_by_id")
        if user_id is None:
            continue
        signer = User(
            pk=user_id, **{n: getattr(version, f"sig_{side}_{n}") for n in _SIGNER_FIELDS}
        )
        found.append(
            Signature(
                version=version,
                side=side,
                signed_by=signer,
                role=getattr(version, f"sig_{side}_role"),
                signed_at=getattr(version, f"sig_{side}_signed_at"),
            )
        )
    cached = version.signatures.get_queryset()
    cached._result_cache, cached._prefetch_done = found, True
    version._prefetched_objects_cache = {"signatures": cached}


def cycle_from_deadline(agreement: Agreement) -> AgreementCycle | None:
    """The cycle as read by agreement_with_versions (its deadline), for is_overdue."""
    deadline = getattr(agreement, "deadline", None)
    if deadline is None:
        return None
    return AgreementCycle(year=agreement.year, negotiation_deadline=deadline)


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

    @property
    def month_totals(self) -> list[Decimal]:
        """All units together, month by month (twelve amounts summing to the total)."""
        columns = zip(*(u.months for u in self.units), strict=True)
        return [sum(column, Decimal("0.00")) for column in columns]


def _driver_rows(lines, year: int) -> dict:
    """For each keyed line: (the driver values it uses, their rows by unit code), in one
    query. Agreed lines use the values frozen on them; open lines the key's newest
    values for the year (as catalogue.selectors.key_values_for)."""
    from django.db.models import Q

    from ordna.catalogue.models import DriverValue

    keyed = [line for line in lines if line.allocation_key_id]
    if not keyed:
        return {}
    frozen = {line.key_values_id for line in keyed if line.key_values_id}
    open_keys = {line.allocation_key_id for line in keyed if not line.key_values_id}
    rows = (
        DriverValue.objects.filter(
            Q(values_id__in=frozen) | Q(values__key_id__in=open_keys, values__year=year)
        )
        .select_related("unit", "values__key")
        .order_by("unit__code")
    )
    by_set: dict = {}
    for row in rows:
        by_set.setdefault(row.values_id, (row.values, []))[1].append(row)
    newest: dict = {}
    for values, _rows in by_set.values():
        current = newest.get(values.key_id)
        is_open = values.key_id in open_keys and values.year == year
        if is_open and (current is None or values.number > current.number):
            newest[values.key_id] = values
    result = {}
    for line in keyed:
        values_id = line.key_values_id or getattr(newest.get(line.allocation_key_id), "pk", None)
        if values_id in by_set:
            result[line.pk] = by_set[values_id]
    return result


def charges(agreement: Agreement, version: AgreementVersion) -> Charges:
    """Each unit's yearly and monthly charge under a version of an agreement.

    Lines with an allocation key (common agreements) are shared by the key's driver
    values for the agreement's year, exactly to the öre; other lines are charged to the
    purchaser. Each unit's year is split into twelve months that sum exactly too.
    The driver values are read in one query whatever the number of keyed lines.
    """
    lines = list(version.lines.all())
    drivers = _driver_rows(lines, agreement.year)
    by_unit: dict[int, UnitCharge] = {}
    total = Decimal("0.00")

    def charge(unit) -> UnitCharge:
        if unit.pk not in by_unit:
            by_unit[unit.pk] = UnitCharge(unit)
        return by_unit[unit.pk]

    for line in lines:
        amount = line.yearly_amount
        total += amount
        shares = []
        if line.pk in drivers and amount:
            key_values, rows = drivers[line.pk]
            shares = allocation(key_values, amount, rows=rows)
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


# --- For the agreement pages ------------------------------------------------------------------
def line_of(agreement: Agreement, pk) -> AgreementLine | None:
    """A line of any of the agreement's versions."""
    try:
        return (
            AgreementLine.objects.select_related("version", "service", "allocation_key")
            .filter(version__agreement=agreement, pk=int(pk))
            .first()
        )
    except (TypeError, ValueError):
        return None


def services_priced_in(version: AgreementVersion):
    """The services in the version's price list: those a line may be added for."""
    from ordna.catalogue.models import Service

    return Service.objects.filter(prices__price_list_id=version.price_list_id).order_by("code")


def keys_for_lines():
    from ordna.catalogue.models import AllocationKey

    return AllocationKey.objects.order_by("code")
