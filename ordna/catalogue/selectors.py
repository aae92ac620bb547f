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


def allocation(key_values, total) -> list[Share]:
    """Share `total` by a version of driver values, exactly to the öre (largest remainder).

    Proportional keys weigh by the driver value, fixed-percentage keys by the percentage,
    even keys give every listed unit the same weight.
    """
    from ordna.catalogue.models import AllocationKey
    from ordna.core.money import allocate

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
