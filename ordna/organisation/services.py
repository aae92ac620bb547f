"""Writes to the organisation registry. Each one validates fully, then saves and audits."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ordna.audit.services import record, snapshot
from ordna.core import locks
from ordna.core.services import versioned_update
from ordna.organisation import rules
from ordna.organisation.models import LegalPerson, Ownership, Unit

LEGAL_PERSON_FIELDS = ["name", "org_number", "kind", "valid_from", "valid_to"]
UNIT_FIELDS = [
    "code",
    "name",
    "kind",
    "legal_person",
    "parent",
    "registry_email",
    "cost_centre",
    "counterparty_code",
    "description",
    "valid_from",
    "valid_to",
]


def _full_clean(obj, exclude=None) -> None:
    obj.full_clean(exclude=exclude, validate_unique=True, validate_constraints=True)


# --- Legal persons ----------------------------------------------------------------------
def _clean_legal_person(person: LegalPerson) -> None:
    errors = {}
    try:
        person.org_number = rules.normalise_org_number(person.org_number or "")
    except ValueError:
        errors["org_number"] = [
            _("“%(value)s” is not a valid Swedish organisation number.")
            % {"value": person.org_number}
        ]
    if errors:
        raise ValidationError(errors)
    _full_clean(person)


@transaction.atomic
def legal_person_create(*, actor, source="web", reason="", **data) -> LegalPerson:
    """Register a legal person (the municipality, a company or an external party)."""
    person = LegalPerson(**{k: v for k, v in data.items() if k in LEGAL_PERSON_FIELDS})
    _clean_legal_person(person)
    person.save()
    record(
        actor=actor,
        action="organisation.legal_person.create",
        obj=person,
        after=snapshot(person),
        reason=reason,
        source=source,
    )
    return person


def _clean_legal_person_change(person: LegalPerson, before: dict) -> None:
    _clean_legal_person(person)
    if person.kind == before["kind"]:
        return
    wrong = [
        u.code
        for u in person.units.all()
        if u.kind not in rules.UNIT_KINDS_BY_LEGAL_PERSON[person.kind]
    ]
    if wrong:
        raise ValidationError(
            {
                "kind": [
                    _("Units %(codes)s cannot belong to this kind of legal person.")
                    % {"codes": ", ".join(wrong)}
                ]
            }
        )


@transaction.atomic
def legal_person_update(
    *,
    actor,
    legal_person: LegalPerson,
    version: int | None = None,
    source="web",
    reason="",
    **data,
) -> LegalPerson:
    """Change a legal person; a stale `version` is refused."""
    return versioned_update(
        actor=actor,
        model=LegalPerson,
        pk=legal_person.pk,
        version=version,
        fields=LEGAL_PERSON_FIELDS,
        data=data,
        clean=_clean_legal_person_change,
        action="organisation.legal_person.update",
        source=source,
        reason=reason,
    )


# --- Ownership ----------------------------------------------------------------------------
def _owners_closure(person_id: int, start: datetime.date, end: datetime.date | None) -> set[int]:
    """Every legal person that owns `person_id`, directly or through others, at any time
    in [start, end]. Deliberately wide: a chain whose links overlap the period counts."""
    rows = Ownership.objects.overlapping(start, end)
    seen: set[int] = set()
    frontier = {person_id}
    while frontier:
        ids = set(rows.filter(owned_id__in=frontier).values_list("owner_id", flat=True))
        frontier = ids - seen
        seen |= ids
    return seen


def _peak_total_share(ownership: Ownership) -> Decimal:
    """The highest sum of holdings in `ownership.owned` on any day of the new holding's period.

    Holdings only rise on a valid_from day, so checking the period's first day and every
    valid_from inside the period finds the peak.
    """
    start, end = ownership.valid_from, ownership.valid_to
    rows = [
        (row.valid_from, row.valid_to, row.share_percent)
        for row in Ownership.objects.overlapping(start, end).filter(owned=ownership.owned)
    ]
    rows.append((start, end, ownership.share_percent))
    days = {start} | {f for f, _t, _s in rows if f >= start and (end is None or f <= end)}
    return max(
        sum((share for f, t, share in rows if f <= day and (t is None or t >= day)), Decimal(0))
        for day in days
    )


@transaction.atomic
def ownership_create(*, actor, source="web", reason="", **data) -> Ownership:
    """Record a direct holding. Refuses overlaps, cycles and more than 100 % on any day."""
    # One lock for all holdings: the cycle check reads across the whole ownership graph.
    locks.lock("organisation.ownership")
    ownership = Ownership(**data)
    if ownership.owner_id and ownership.owner_id == ownership.owned_id:
        raise ValidationError({"owner": [_("A legal person cannot own itself.")]})
    _full_clean(ownership)
    errors: dict[str, list] = {}
    overlapping = Ownership.objects.overlapping(ownership.valid_from, ownership.valid_to)
    if overlapping.filter(owner=ownership.owner, owned=ownership.owned).exists():
        errors["valid_from"] = [
            _("This owner already has a holding in this legal person for an overlapping period.")
        ]
    if _peak_total_share(ownership) > 100:
        errors["share_percent"] = [
            _("The holdings in %(name)s would add up to more than 100 %%.")
            % {"name": ownership.owned.name}
        ]
    owners = _owners_closure(ownership.owner_id, ownership.valid_from, ownership.valid_to)
    if ownership.owned_id in owners:
        errors["owned"] = [_("This holding would make a legal person own itself.")]
    if errors:
        raise ValidationError(errors)
    ownership.save()
    record(
        actor=actor,
        action="organisation.ownership.create",
        obj=ownership,
        after=snapshot(ownership),
        reason=reason,
        source=source,
    )
    return ownership


@transaction.atomic
def ownership_end(
    *, actor, ownership: Ownership, valid_to: datetime.date, source="web", reason=""
) -> Ownership:
    """End a holding on `valid_to` (holdings are ended, never deleted)."""
    row = Ownership.objects.select_for_update().get(pk=ownership.pk)
    if row.valid_to is not None and valid_to > row.valid_to:
        raise ValidationError(
            {
                "valid_to": [
                    _(
                        "A holding can only be ended earlier, not extended. "
                        "Register a new holding for the later period instead."
                    )
                ]
            }
        )
    before = snapshot(row)
    row.valid_to = valid_to
    _full_clean(row)
    row.save()
    record(
        actor=actor,
        action="organisation.ownership.end",
        obj=row,
        before=before,
        after=snapshot(row),
        reason=reason,
        source=source,
    )
    return row


# --- Units ------------------------------------------------------------------------------
def _clean_unit(unit: Unit) -> None:
    locks.lock("organisation.unit.code", unit.code)
    _full_clean(unit)
    errors: dict[str, list] = {}
    lp_kind = unit.legal_person.kind
    if unit.kind not in rules.UNIT_KINDS_BY_LEGAL_PERSON[lp_kind]:
        errors["legal_person"] = [
            _("A unit of kind “%(kind)s” cannot belong to %(person)s.")
            % {"kind": unit.get_kind_display(), "person": unit.legal_person.name}
        ]
    if not rules.counterparty_allowed(unit.counterparty_code, lp_kind):
        allowed = rules.COUNTERPARTY_RANGES[lp_kind]
        errors["counterparty_code"] = [
            _("For this legal person the counterparty code must be between %(low)s and %(high)s.")
            % {"low": allowed.start, "high": allowed.stop - 1}
        ]
    parent_kinds = rules.PARENT_KINDS[unit.kind]
    if unit.parent is None and unit.kind in rules.PARENT_REQUIRED:
        errors["parent"] = [_("An administration must name the committee it serves.")]
    elif unit.parent is not None:
        if unit.parent.kind not in parent_kinds:
            errors["parent"] = [
                _("A unit of kind “%(kind)s” cannot report to %(parent)s.")
                % {"kind": unit.get_kind_display(), "parent": unit.parent}
            ]
        elif unit.parent.legal_person_id != unit.legal_person_id:
            errors["parent"] = [_("A unit must report to a unit of the same legal person.")]
        elif unit.parent_id == unit.pk:
            errors["parent"] = [_("A unit cannot report to itself.")]
    clash = Unit.objects.overlapping(unit.valid_from, unit.valid_to).filter(code=unit.code)
    if unit.pk:
        clash = clash.exclude(pk=unit.pk)
    if clash.exists():
        errors["code"] = [
            _("The code %(code)s is already used by another unit in an overlapping period.")
            % {"code": unit.code}
        ]
    if errors:
        raise ValidationError(errors)


def _check_children(unit: Unit) -> None:
    """A changed unit must still be a valid parent for the units that report to it."""
    children = list(Unit.objects.filter(parent=unit))
    outside = [
        c.code
        for c in children
        if c.valid_from < unit.valid_from
        or (unit.valid_to is not None and (c.valid_to is None or c.valid_to > unit.valid_to))
    ]
    wrong_kind = [c.code for c in children if unit.kind not in rules.PARENT_KINDS[c.kind]]
    wrong_person = [c.code for c in children if c.legal_person_id != unit.legal_person_id]
    errors = {}
    if outside:
        errors["valid_to" if unit.valid_to else "valid_from"] = [
            _(
                "Units %(codes)s report to this unit for a longer period than it would be "
                "valid. End or move them first."
            )
            % {"codes": ", ".join(outside)}
        ]
    if wrong_kind:
        errors["kind"] = [
            _("Units %(codes)s report to this unit and cannot report to a unit of this kind.")
            % {"codes": ", ".join(wrong_kind)}
        ]
    if wrong_person:
        errors["legal_person"] = [
            _("Units %(codes)s report to this unit and belong to its current legal person.")
            % {"codes": ", ".join(wrong_person)}
        ]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def unit_create(*, actor, source="web", reason="", **data) -> Unit:
    """Register a unit. Validates code, legal person, parent and accounting codes."""
    unit = Unit(**{k: v for k, v in data.items() if k in UNIT_FIELDS})
    _clean_unit(unit)
    unit.save()
    record(
        actor=actor,
        action="organisation.unit.create",
        obj=unit,
        after=snapshot(unit),
        reason=reason,
        source=source,
    )
    return unit


def _clean_unit_change(unit: Unit, before: dict) -> None:
    _clean_unit(unit)
    _check_children(unit)


@transaction.atomic
def unit_update(
    *, actor, unit: Unit, version: int | None = None, source="web", reason="", **data
) -> Unit:
    """Change a unit; a stale `version` is refused so nobody's edit is overwritten."""
    return versioned_update(
        actor=actor,
        model=Unit,
        pk=unit.pk,
        version=version,
        fields=UNIT_FIELDS,
        data=data,
        clean=_clean_unit_change,
        action="organisation.unit.update",
        source=source,
        reason=reason,
    )
