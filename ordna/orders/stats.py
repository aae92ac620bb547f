"""Figures from orders that other pages and, later, oversight read: satisfaction per
service and area, deviations per service and purchaser, the council's cap on external
sales and each provider's external share. One grouped query each."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count

from ordna.orders.models import Deviation, ExternalSalesCap, Rating


@dataclass(frozen=True)
class Satisfaction:
    average: Decimal
    count: int


def _satisfaction(row) -> Satisfaction:
    return Satisfaction(
        Decimal(str(row["average"])).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP),
        row["count"],
    )


def satisfaction_by_service(year: int | None = None) -> list[dict]:
    """Per rated service: id, code, name, and its Satisfaction (average, count)."""
    qs = Rating.objects.filter(order__service__isnull=False)
    if year:
        qs = qs.filter(rated_at__year=year)
    rows = (
        qs.values("order__service", "order__service__code", "order__service__name")
        .annotate(average=Avg("score"), count=Count("id"))
        .order_by("order__service__code")
    )
    return [
        {
            "id": row["order__service"],
            "code": row["order__service__code"],
            "name": row["order__service__name"],
            "score": _satisfaction(row),
        }
        for row in rows
    ]


def satisfaction_by_area(year: int | None = None) -> dict[int, Satisfaction]:
    """Service area id → average score and number of ratings."""
    qs = Rating.objects.filter(order__service__isnull=False)
    if year:
        qs = qs.filter(rated_at__year=year)
    rows = qs.values("order__service__area").annotate(average=Avg("score"), count=Count("id"))
    return {row["order__service__area"]: _satisfaction(row) for row in rows}


def satisfaction_of_service(service) -> Satisfaction | None:
    row = Rating.objects.filter(order__service=service).aggregate(
        average=Avg("score"), count=Count("id")
    )
    return _satisfaction(row) if row["count"] else None


def deviations_by_service_and_unit(year: int | None = None) -> list[dict]:
    """(service code, purchaser code, kind) → count, for oversight."""
    qs = Deviation.objects.all()
    if year:
        qs = qs.filter(reported_at__year=year)
    return list(
        qs.values("order__service__code", "order__purchaser__code", "kind")
        .annotate(count=Count("id"))
        .order_by("order__service__code", "order__purchaser__code", "kind")
    )


# --- External sales ---------------------------------------------------------------------------
@dataclass(frozen=True)
class ExternalCaps:
    current: ExternalSalesCap | None  # the cap in force on the day asked about
    history: list  # every decision, the latest first (a later one may not apply yet)


def external_caps(day: datetime.date) -> ExternalCaps:
    """The council's caps on external sales: the one in force on `day` and all of them."""
    caps = list(ExternalSalesCap.objects.order_by("-valid_from"))
    return ExternalCaps(next((c for c in caps if c.valid_from <= day), None), caps)


@dataclass(frozen=True)
class ExternalShare:
    provider: object  # the provider unit
    external_amount: Decimal
    total_amount: Decimal
    percent: Decimal | None  # external share of turnover; None before any turnover
    reached: bool  # at or above the cap: the next external order is refused
    room_amount: Decimal | None  # external sales still possible now; None: no limit


def _room(cap: Decimal, external: Decimal, total: Decimal) -> Decimal | None:
    """How large an external order the cap still allows: (E + x) / (T + x) <= cap / 100,
    so x <= (cap * T - 100 * E) / (100 - cap). None when nothing limits it."""
    if cap >= 100:
        return None
    room = (cap * total - 100 * external) / (100 - cap)
    return max(room, Decimal(0)).quantize(Decimal("0.01"), rounding=ROUND_DOWN)


def external_sales_by_provider(
    year: int, day: datetime.date, cap: ExternalSalesCap | None
) -> list[ExternalShare]:
    """Every provider unit (those with staff on `day`, and any other with turnover in
    `year`) with its external share of `year`'s turnover against `cap`, by code."""
    from ordna.orders import selectors, services
    from ordna.organisation.models import Unit

    shares = services.external_shares(year)
    units = {u.pk: u for u in selectors.providers(day)}
    missing = set(shares) - set(units)
    if missing:
        units.update({u.pk: u for u in Unit.objects.filter(pk__in=missing)})
    rows = []
    for unit in sorted(units.values(), key=lambda u: u.code):
        external, total = shares.get(unit.pk, (Decimal(0), Decimal(0)))
        percent = None
        if total:
            percent = (external * 100 / total).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        limit = cap.percent if cap else None
        rows.append(
            ExternalShare(
                provider=unit,
                external_amount=external,
                total_amount=total,
                percent=percent,
                reached=limit is not None and limit < 100 and external * 100 >= limit * total,
                room_amount=None if limit is None else _room(limit, external, total),
            )
        )
    return rows
