"""Database triggers that make the audit table append-only, on SQLite and PostgreSQL.

The triggers are installed by a migration. Tests that must empty the table (a
transactional test's flush) or tamper with it on purpose drop and re-install them
through these functions; nothing in the application ever does.
"""

from __future__ import annotations

TABLE = "audit_auditevent"
MESSAGE = "audit events are append-only"

_SQLITE_INSTALL = [
    f"""CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]
_SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS audit_no_update",
    "DROP TRIGGER IF EXISTS audit_no_delete",
]
_PG_INSTALL = [
    f"""CREATE OR REPLACE FUNCTION audit_forbid_change() RETURNS trigger AS $$
        BEGIN RAISE EXCEPTION '{MESSAGE}'; END; $$ LANGUAGE plpgsql""",
    f"DROP TRIGGER IF EXISTS audit_no_change ON {TABLE}",
    f"""CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION audit_forbid_change()""",
    f"DROP TRIGGER IF EXISTS audit_no_truncate ON {TABLE}",
    f"""CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON {TABLE}
        FOR EACH STATEMENT EXECUTE FUNCTION audit_forbid_change()""",
]
_PG_DROP = [
    f"DROP TRIGGER IF EXISTS audit_no_change ON {TABLE}",
    f"DROP TRIGGER IF EXISTS audit_no_truncate ON {TABLE}",
]


def _run(connection, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def install(connection) -> None:
    if connection.vendor == "sqlite":
        _run(connection, _SQLITE_INSTALL)
    elif connection.vendor == "postgresql":
        _run(connection, _PG_INSTALL)
    else:  # pragma: no cover - we support exactly these two
        raise NotImplementedError(connection.vendor)


def drop(connection) -> None:
    if connection.vendor == "sqlite":
        _run(connection, _SQLITE_DROP)
    elif connection.vendor == "postgresql":
        _run(connection, _PG_DROP)


def installed(connection) -> bool:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type='trigger' AND tbl_name=%s",
                [TABLE],
            )
            return cursor.fetchone()[0] == 2
        cursor.execute(
            "SELECT count(*) FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
            [TABLE],
        )
        return cursor.fetchone()[0] == 2
