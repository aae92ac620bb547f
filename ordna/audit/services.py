"""Writing audit events. Every service that changes data calls `record` in its transaction."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.db.models import Model
from django.utils import timezone, translation

from ordna.audit.chain import GENESIS, hash_of, normalise
from ordna.audit.models import AuditEvent

# A fixed key for PostgreSQL's transaction-scoped advisory lock that serialises chain
# appends; on SQLite, IMMEDIATE transactions already serialise writers.
_CHAIN_LOCK_KEY = 7_202_611


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])


def object_label(obj: Model | None) -> tuple[str, str, str]:
    if obj is None:
        return "", "", ""
    meta = obj._meta
    return f"{meta.app_label}.{meta.model_name}", str(obj.pk), str(obj)[:300]


def record(
    *,
    actor,
    action: str,
    obj: Model | None = None,
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
    unit=None,
    source: str = AuditEvent.Source.WEB,
    object_type: str | None = None,
    object_id: str | None = None,
    object_repr: str | None = None,
) -> AuditEvent:
    """Append one event to the chain. Must run inside the caller's transaction."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit.record must be called inside the writing transaction")
    # The trail is written in the municipality's language whoever acts, so that an
    # auditor reads one language however the actor had set the interface.
    with translation.override(settings.LANGUAGE_CODE):
        label_type, label_id, label_repr = object_label(obj)
    actor_known = actor is not None and getattr(actor, "is_authenticated", False)
    if unit is None and actor_known:
        from ordna.accounts.selectors import primary_unit

        unit = primary_unit(actor)
    _lock_chain()
    last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
    event = AuditEvent(
        occurred_at=timezone.now(),
        actor_id=actor.pk if actor_known else None,
        actor_username=actor.get_username() if actor_known else "",
        unit_code=getattr(unit, "code", "") or "",
        source=source,
        action=action,
        object_type=object_type if object_type is not None else label_type,
        object_id=object_id if object_id is not None else label_id,
        object_repr=(object_repr if object_repr is not None else label_repr)[:300],
        before=normalise(before),
        after=normalise(after),
        reason=reason or "",
        prev_hash=last or GENESIS,
    )
    event.hash = hash_of(event)
    event.save(force_insert=True)
    return event


def snapshot(obj: Model, fields: list[str] | None = None) -> dict:
    """A JSON-able picture of a model instance's concrete fields (foreign keys by id)."""
    data = {}
    for field in obj._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        data[field.attname] = field.value_from_object(obj)
    return normalise(data)


def verify_chain(progress=None):
    """Verify the whole chain in id order (see ordna.audit.chain.verify).

    Runs outside a transaction on purpose: on SQLite an (IMMEDIATE) transaction would
    hold the write lock for the whole walk. The table is append-only, so events added
    meanwhile can only extend the chain, never change what was already read.
    """
    from ordna.audit.chain import verify

    return verify(AuditEvent.objects.order_by("id").iterator(chunk_size=2000), progress)
