"""Serialising check-then-write sequences across concurrent requests.

On PostgreSQL two transactions can both check "is this code free?" and both insert; a
transaction-scoped advisory lock on a key naming what is checked makes the second wait
until the first commits. On SQLite, IMMEDIATE transactions already serialise all writers,
so this does nothing there.
"""

from __future__ import annotations

from django.db import connection


def lock(*parts: object) -> None:
    """Hold a lock named by `parts` until the current transaction ends."""
    if connection.vendor != "postgresql":
        return
    if not connection.in_atomic_block:
        raise RuntimeError("locks.lock must be called inside a transaction")
    key = ":".join(str(part) for part in parts)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [key])
