"""Reads of the audit trail."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from ordna.audit.models import AuditEvent


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def event_list(
    *,
    actor_id: int | None = None,
    object_type: str = "",
    object_id: str = "",
    action: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[AuditEvent]:
    qs = AuditEvent.objects.all()
    if actor_id is not None:
        qs = qs.filter(actor_id=actor_id)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if action:
        qs = qs.filter(action__startswith=action)
    # Whole local days as time bounds, so the index on occurred_at is used.
    if date_from:
        qs = qs.filter(occurred_at__gte=_start_of(date_from))
    if date_to:
        qs = qs.filter(occurred_at__lt=_start_of(date_to + datetime.timedelta(days=1)))
    return qs.order_by("-id")


def recorded_states(object_type: str, object_ids, moment) -> dict[str, dict]:
    """Each object's fields as the audit trail had recorded them at `moment`.

    Every change is audited with its full "after" picture, so folding the events up to
    `moment` gives the state as it stood then, even for rows since edited in place.
    """
    rows = (
        AuditEvent.objects.filter(
            object_type=object_type,
            object_id__in=[str(pk) for pk in object_ids],
            occurred_at__lte=moment,
            after__isnull=False,
        )
        .order_by("id")
        .values_list("object_id", "after")
    )
    states: dict[str, dict] = {}
    for object_id, after in rows:
        states[object_id] = {**states.get(object_id, {}), **after}
    return states
