"""Reads of the reference data: the threshold and limits in force for a law, category and
day, and a need's estimated value (LOU 5 kap. 3 §: options and extensions counted as if
used). The route engine builds on these; none of them saves anything."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Q

from ordna.procurement.models import Category, Limit, Threshold


class NoReferenceData(LookupError):
    """No threshold or limit row covers the law, category and day asked for."""


@dataclass(frozen=True)
class Amount:
    """A SEK value and where it came from. `provisional`: converted from EUR at the
    configured rate because the official SEK value is not known."""

    sek: Decimal
    provisional: bool
    source: str
    eur: Decimal | None = None
    rate: Decimal | None = None


def _in_force(qs, day: datetime.date):
    return qs.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day), valid_from__lte=day)


def eur_sek_rate() -> Decimal:
    return Decimal(str(settings.ROUTE_EUR_SEK_RATE))


def threshold(law: str, category: str, day: datetime.date) -> Amount:
    row = _in_force(Threshold.objects.filter(law=law, category=category), day).first()
    if row is None:
        raise NoReferenceData(f"no {law} threshold for {category} on {day.isoformat()}")
    if row.verified:
        return Amount(row.sek, False, row.source, row.eur)
    rate = eur_sek_rate()
    sek = (row.eur * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return Amount(sek, True, row.source, row.eur, rate)


def _limit(kind: str, law: str, category: str, day: datetime.date) -> Limit:
    rows = _in_force(Limit.objects.filter(kind=kind, law=law, category__in=[category, ""]), day)
    # A row for the category itself wins over the row for every other category.
    row = sorted(rows, key=lambda r: (r.category != category, -r.valid_from.toordinal()))
    if not row:
        raise NoReferenceData(f"no {law} {kind} limit on {day.isoformat()}")
    return row[0]


def direct_award_limit(law: str, category: str, day: datetime.date) -> Amount:
    row = _limit(Limit.Kind.DIRECT_AWARD, law, category, day)
    if row.equals_threshold:
        value = threshold(law, category, day)
        return Amount(value.sek, value.provisional, f"{row.source}; {value.source}", value.eur)
    return Amount(row.sek, False, row.source)


def documentation_limit(law: str, day: datetime.date) -> Amount:
    row = _limit(Limit.Kind.DOCUMENTATION, law, "", day)
    return Amount(row.sek, False, row.source)


def threshold_category(category: str) -> str:
    """A need's category (supplies, services, works, social_services) as the thresholds
    of a sub-central authority name it."""
    if category in ("supplies", "services"):
        return Category.SUPPLIES_SERVICES
    if category in (Category.WORKS, Category.SOCIAL_SERVICES):
        return category
    raise ValueError(f"unknown category {category!r}")


def estimated_value(
    *,
    one_off: Decimal | None = None,
    annual: Decimal | None = None,
    contract_years: int = 0,
    extension_years: int = 0,
) -> Decimal:
    """The total payable over the whole term, extensions counted as if used (LOU 5 kap.
    3 §): 50 000 a year for 2 + 2 years is 200 000. Exactly one of `one_off` and
    `annual` is given; years are whole and not negative."""
    if (one_off is None) == (annual is None):
        raise ValueError("give either a one-off value or an annual value")
    if contract_years < 0 or extension_years < 0:
        raise ValueError("years cannot be negative")
    if one_off is not None:
        if one_off < 0:
            raise ValueError("a value cannot be negative")
        return Decimal(one_off)
    if annual < 0:
        raise ValueError("a value cannot be negative")
    if contract_years < 1:
        raise ValueError("an annual value needs at least one contract year")
    return Decimal(annual) * (contract_years + extension_years)
