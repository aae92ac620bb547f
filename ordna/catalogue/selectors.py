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
