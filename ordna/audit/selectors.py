"""Reads of the audit trail."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet

from ordna.audit.models import AuditEvent


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
    if date_from:
        qs = qs.filter(occurred_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(occurred_at__date__lte=date_to)
    return qs.order_by("-id")


def events_for(obj) -> QuerySet[AuditEvent]:
    meta = obj._meta
    return event_list(object_type=f"{meta.app_label}.{meta.model_name}", object_id=str(obj.pk))


def object_types() -> list[str]:
    return list(
        AuditEvent.objects.order_by("object_type").values_list("object_type", flat=True).distinct()
    )
