"""Figures from orders that other pages and, later, oversight read: satisfaction per
service and area, deviations per service and purchaser. One grouped query each."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count

from ordna.orders.models import Deviation, Rating


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
