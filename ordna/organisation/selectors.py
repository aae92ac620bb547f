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


def holdings_of(person: LegalPerson, on: datetime.date | None = None):
    return person.holdings.valid_on(on or today()).select_related("owned")


def owners_of(person: LegalPerson, on: datetime.date | None = None):
    return person.owners.valid_on(on or today()).select_related("owner")


def effective_share(
    owner: LegalPerson, owned: LegalPerson, on: datetime.date | None = None
) -> Decimal:
    """Owner's share of `owned`, directly and through every chain of holdings, in percent."""
    day = on or today()
    edges: dict[int, list[tuple[int, Decimal]]] = {}
    for row in Ownership.objects.valid_on(day).values("owner_id", "owned_id", "share_percent"):
        edges.setdefault(row["owner_id"], []).append((row["owned_id"], row["share_percent"]))

    def walk(node: int, factor: Decimal, path: frozenset[int]) -> Decimal:
        total = Decimal(0)
        for child, share in edges.get(node, []):
            if child in path:
                continue
            part = factor * share / 100
            total += part if child == owned.pk else walk(child, part, path | {child})
        return total

    return (walk(owner.pk, Decimal(1), frozenset({owner.pk})) * 100).quantize(Decimal("0.01"))


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

    Control is taken as an effective holding above 50 %; the figure is returned so that
    later rules (the in-house exemption) can show the evidence instead of a verdict.
    """
    if a.pk == b.pk:
        return RelationResult(Relation.SAME, Decimal(100), True)
    share = effective_share(a, b, on)
    direct = Ownership.objects.valid_on(on or today()).filter(owner=a, owned=b).exists()
    if share > 50:
        return RelationResult(Relation.CONTROLLED, share, direct)
    return RelationResult(Relation.EXTERNAL, share, direct)


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
