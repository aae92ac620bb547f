"""Reads of the organisation registry, all of them answerable "as of" a date."""

from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from ordna.organisation.models import LegalPerson, Ownership, Unit


def today() -> datetime.date:
    return timezone.localdate()


def unit_list(
    *, search: str = "", kind: str = "", on: datetime.date | None = None
) -> QuerySet[Unit]:
    qs = Unit.objects.valid_on(on or today()).select_related("legal_person", "parent")
    if search:
        qs = qs.filter(
            Q(code__icontains=search)
            | Q(name__icontains=search)
            | Q(registry_email__icontains=search)
            | Q(cost_centre__icontains=search)
        )
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("code")


def registry_gaps(on: datetime.date | None = None) -> dict[str, QuerySet[Unit]]:
    """Units an administrator should look at: missing registry or accounting data, or
    whose validity ends within 60 days."""
    day = on or today()
    units = Unit.objects.valid_on(day)
    return {
        "missing": units.filter(
            Q(registry_email="") | Q(cost_centre="") | Q(counterparty_code="")
        ).order_by("code"),
        "ending": units.filter(
            valid_to__isnull=False, valid_to__lte=day + datetime.timedelta(days=60)
        ).order_by("valid_to"),
    }


def unit_by_code(code: str, on: datetime.date | None = None) -> Unit | None:
    return Unit.objects.valid_on(on or today()).filter(code=code).first()


def unit_children(unit: Unit, on: datetime.date | None = None) -> QuerySet[Unit]:
    return unit.children.valid_on(on or today()).order_by("code")


def legal_person_list(*, search: str = "", on: datetime.date | None = None):
    """Legal persons valid on the date, each with `unit_count`: its units valid that day."""
    day = on or today()
    unit_valid = Q(units__valid_from__lte=day) & (
        Q(units__valid_to__isnull=True) | Q(units__valid_to__gte=day)
    )
    qs = LegalPerson.objects.valid_on(day).annotate(unit_count=Count("units", filter=unit_valid))
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(org_number__icontains=search))
    return qs.order_by("name")


def municipality(on: datetime.date | None = None) -> LegalPerson | None:
    """The municipality itself (the legal person all committees act for)."""
    return (
        LegalPerson.objects.valid_on(on or today())
        .filter(kind=LegalPerson.Kind.MUNICIPALITY)
        .first()
    )


def units_of_legal_person(person: LegalPerson, on: datetime.date | None = None):
    return Unit.objects.valid_on(on or today()).filter(legal_person=person).order_by("code")


def _holdings(day: datetime.date) -> list[tuple[int, int, Decimal]]:
    return list(
        Ownership.objects.valid_on(day).values_list("owner_id", "owned_id", "share_percent")
    )


def _effective_share(rows, owner_id: int, owned_id: int) -> Decimal:
    edges: dict[int, list[tuple[int, Decimal]]] = {}
    for owner, owned, share in rows:
        edges.setdefault(owner, []).append((owned, share))

    def walk(node: int, factor: Decimal, path: frozenset[int]) -> Decimal:
        total = Decimal(0)
        for child, share in edges.get(node, []):
            if child in path:
                continue
            part = factor * share / 100
            total += part if child == owned_id else walk(child, part, path | {child})
        return total

    return (walk(owner_id, Decimal(1), frozenset({owner_id})) * 100).quantize(Decimal("0.01"))


def _controls(rows, owner_id: int, owned_id: int) -> bool:
    majority: dict[int, list[int]] = {}
    for owner, owned, share in rows:
        if share > 50:
            majority.setdefault(owner, []).append(owned)
    seen, frontier = {owner_id}, [owner_id]
    while frontier:
        for child in majority.get(frontier.pop(), []):
            if child == owned_id:
                return True
            if child not in seen:
                seen.add(child)
                frontier.append(child)
    return False


def effective_share(
    owner: LegalPerson, owned: LegalPerson, on: datetime.date | None = None
) -> Decimal:
    """Owner's share of `owned`, directly and through every chain of holdings, in percent."""
    return _effective_share(_holdings(on or today()), owner.pk, owned.pk)


def controls(a: LegalPerson, b: LegalPerson, on: datetime.date | None = None) -> bool:
    """Does `a` control `b`: a chain of majority holdings (each above 50 %) from a to b?

    Control passes down a chain of majorities even when the product of the shares is
    small (60 % of 60 % is control, though only 36 % of the capital).
    """
    return _controls(_holdings(on or today()), a.pk, b.pk)


class Relation(enum.StrEnum):
    SAME = "same"  # the same legal person: internal, no procurement
    CONTROLLED = "controlled"  # a company controlled by the other party (in-house evidence)
    EXTERNAL = "external"  # anybody else


@dataclass(frozen=True)
class RelationResult:
    relation: Relation
    share_percent: Decimal
    direct: bool


def legal_relation(
    a: LegalPerson, b: LegalPerson, on: datetime.date | None = None
) -> RelationResult:
    """How `b` relates to `a`: same legal person, a company `a` controls, or external.

    Control is a chain of majority holdings (see `controls`); the effective share of the
    capital is returned beside it as evidence, for the in-house rules to weigh.
    """
    return _relation(_holdings(on or today()), a.pk, b.pk)


def _relation(rows, a_id: int, b_id: int) -> RelationResult:
    if a_id == b_id:
        return RelationResult(Relation.SAME, Decimal(100), True)
    share = _effective_share(rows, a_id, b_id)
    direct = any(owner == a_id and owned == b_id for owner, owned, _share in rows)
    relation = Relation.CONTROLLED if _controls(rows, a_id, b_id) else Relation.EXTERNAL
    return RelationResult(relation, share, direct)


@dataclass(frozen=True)
class OwnershipPicture:
    owners: list[Ownership]
    holdings: list[Ownership]
    municipality: LegalPerson | None
    relation: RelationResult | None


def ownership_of(person: LegalPerson, on: datetime.date | None = None) -> OwnershipPicture:
    """Who owns `person`, what it owns, and how it relates to the municipality: one read
    of the ownership graph for all three."""
    day = on or today()
    rows = list(Ownership.objects.valid_on(day).select_related("owner", "owned"))
    owners = [r for r in rows if r.owned_id == person.pk]
    holdings = [r for r in rows if r.owner_id == person.pk]
    the_municipality = municipality(day)
    relation = None
    if the_municipality is not None:
        triples = [(r.owner_id, r.owned_id, r.share_percent) for r in rows]
        relation = _relation(triples, the_municipality.pk, person.pk)
    return OwnershipPicture(owners, holdings, the_municipality, relation)


def end_of_day(day: datetime.date) -> datetime.datetime:
    start = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    return timezone.make_aware(start) - datetime.timedelta(microseconds=1)


def as_recorded(objects, day: datetime.date):
    """Show `objects` with their field values as recorded at the end of `day`.

    Only past days are rewritten; each changed object gets `recorded_as_of = day` so the
    page can say so. The objects are display copies: they are never saved.
    """
    objects = list(objects)
    if not objects or day >= today():
        return objects
    from ordna.audit.selectors import recorded_states

    meta = objects[0]._meta
    states = recorded_states(
        f"{meta.app_label}.{meta.model_name}", [o.pk for o in objects], end_of_day(day)
    )
    for obj in objects:
        state = states.get(str(obj.pk))
        if not state:
            continue
        for field in meta.concrete_fields:
            if field.attname not in state or field.primary_key:
                continue
            value = field.to_python(state[field.attname])
            if getattr(obj, field.attname) != value:
                setattr(obj, field.attname, value)
                if field.is_relation:
                    obj._state.fields_cache.pop(field.name, None)
                obj.recorded_as_of = day
    return objects
