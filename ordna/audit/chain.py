"""The hash chain over audit events: how one event's hash is computed, and verification."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder

GENESIS = "0" * 64


def _no_floats(value):
    """Floats become their exact decimal text: PostgreSQL's jsonb would hand 1e16 back as
    10000000000000000 and -0.0 as 0.0, and the event would no longer match its hash."""
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("audit payloads cannot hold NaN or infinity")
        return repr(value)
    if isinstance(value, dict):
        return {str(k): _no_floats(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_no_floats(v) for v in value]
    return value


def normalise(value):
    """JSON-normalise a payload so it hashes the same before and after a database round trip
    on both SQLite and PostgreSQL (jsonb): Django types become text, floats become text."""
    if value is None:
        return None
    return _no_floats(json.loads(json.dumps(value, cls=DjangoJSONEncoder)))


def event_hash(
    *,
    prev_hash,
    occurred_at,
    actor_id,
    actor_username,
    unit_code,
    source,
    action,
    object_type,
    object_id,
    object_repr,
    before,
    after,
    reason,
) -> str:
    body = {
        "prev": prev_hash,
        "at": occurred_at.isoformat(timespec="microseconds"),
        "actor_id": actor_id,
        "actor": actor_username,
        "unit": unit_code,
        "source": source,
        "action": action,
        "type": object_type,
        "id": object_id,
        "repr": object_repr,
        "before": before,
        "after": after,
        "reason": reason,
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def hash_of(event) -> str:
    from datetime import UTC

    return event_hash(
        prev_hash=event.prev_hash,
        occurred_at=event.occurred_at.astimezone(UTC),
        actor_id=event.actor_id,
        actor_username=event.actor_username,
        unit_code=event.unit_code,
        source=event.source,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        object_repr=event.object_repr,
        before=event.before,
        after=event.after,
        reason=event.reason,
    )


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    broken_id: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_id is None


def verify(events: Iterator, progress=None) -> VerifyResult:
    """Walk events in id order; the first event whose link or content does not match breaks it."""
    expected_prev = GENESIS
    checked = 0
    for event in events:
        if event.prev_hash != expected_prev:
            return VerifyResult(checked, event.id, "link to the previous event does not match")
        if hash_of(event) != event.hash:
            return VerifyResult(checked, event.id, "content does not match its hash")
        expected_prev = event.hash
        checked += 1
        if progress and checked % 500 == 0:
            progress(checked)
    return VerifyResult(checked)
