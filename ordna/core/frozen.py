"""Database triggers that keep published prices and agreed or signed agreements as they
were: the database refuses to change or delete them, whatever code runs.

- A price in a published price list: no UPDATE, DELETE, or new INSERT into that list.
- An agreement line of a version that is no longer open (agreed, signed, superseded or
  withdrawn): no UPDATE, DELETE or INSERT.
- Negotiation rounds and signatures, driver values and their versions: never updated or
  deleted.
- A published price list never goes back to draft and is never deleted; an agreement
  version that has left "open" never returns to it, a signed one only becomes superseded,
  and no version is deleted.

Installed by agreements migration 0003. As with the audit triggers (ordna.audit.triggers),
a migration that makes SQLite rebuild one of these tables drops its triggers and must
install them again; tests that flush the database drop them first (tests/conftest.py).
"""

from __future__ import annotations

MESSAGE = "frozen records are corrected by new records, never changed"

PRICE_LIST_PUBLISHED = (
    "(SELECT status FROM catalogue_pricelist WHERE id = {row}.price_list_id) = 'published'"
)
VERSION_CLOSED = (
    "(SELECT state FROM agreements_agreementversion WHERE id = {row}.version_id) <> 'open'"
)

VERSION_REOPENED = (
    "(OLD.state <> 'open' AND NEW.state = 'open') OR (OLD.state IN ('signed', 'superseded') "
    "AND NEW.state NOT IN ('signed', 'superseded'))"
)
RSV_PUBLISHED = "OLD.status = 'published'"
RULE_PUBLISHED = (
    "(SELECT status FROM procurement_rulesetversion WHERE id = {row}.rule_set_version_id) "
    "= 'published'"
)
INVOICE_POSTED = "(SELECT status FROM invoicing_invoice WHERE id = {row}.invoice_id) = 'posted'"
LIST_UNPUBLISHED = "OLD.status = 'published' AND NEW.status <> 'published'"

# name, table, events with the row the condition reads, condition (None = always)
RULES = [
    ("frozen_price_upd", "catalogue_price", "UPDATE", "OLD", PRICE_LIST_PUBLISHED),
    ("frozen_price_move", "catalogue_price", "UPDATE", "NEW", PRICE_LIST_PUBLISHED),
    ("frozen_list_upd", "catalogue_pricelist", "UPDATE", "OLD", LIST_UNPUBLISHED),
    ("frozen_list_del", "catalogue_pricelist", "DELETE", "OLD", "OLD.status = 'published'"),
    ("frozen_values_upd", "catalogue_keyvalues", "UPDATE", "OLD", None),
    ("frozen_values_del", "catalogue_keyvalues", "DELETE", "OLD", None),
    ("frozen_driver_upd", "catalogue_drivervalue", "UPDATE", "OLD", None),
    ("frozen_driver_del", "catalogue_drivervalue", "DELETE", "OLD", None),
    ("frozen_version_upd", "agreements_agreementversion", "UPDATE", "OLD", VERSION_REOPENED),
    ("frozen_version_del", "agreements_agreementversion", "DELETE", "OLD", None),
    ("frozen_price_del", "catalogue_price", "DELETE", "OLD", PRICE_LIST_PUBLISHED),
    ("frozen_price_ins", "catalogue_price", "INSERT", "NEW", PRICE_LIST_PUBLISHED),
    ("frozen_line_upd", "agreements_agreementline", "UPDATE", "OLD", VERSION_CLOSED),
    ("frozen_line_del", "agreements_agreementline", "DELETE", "OLD", VERSION_CLOSED),
    ("frozen_line_ins", "agreements_agreementline", "INSERT", "NEW", VERSION_CLOSED),
    ("frozen_round_upd", "agreements_negotiationround", "UPDATE", "OLD", None),
    ("frozen_round_del", "agreements_negotiationround", "DELETE", "OLD", None),
    ("frozen_signature_upd", "agreements_signature", "UPDATE", "OLD", None),
    ("frozen_signature_del", "agreements_signature", "DELETE", "OLD", None),
    # Route guidelines (issue 6): a published rule set version, its rules and examples;
    # every assessment (the receipt), decision, review and group-benefit comparison.
    ("frozen_rsv_upd", "procurement_rulesetversion", "UPDATE", "OLD", RSV_PUBLISHED),
    ("frozen_rsv_del", "procurement_rulesetversion", "DELETE", "OLD", RSV_PUBLISHED),
    ("frozen_rule_upd", "procurement_rule", "UPDATE", "OLD", RULE_PUBLISHED),
    ("frozen_rule_move", "procurement_rule", "UPDATE", "NEW", RULE_PUBLISHED),
    ("frozen_rule_del", "procurement_rule", "DELETE", "OLD", RULE_PUBLISHED),
    ("frozen_rule_ins", "procurement_rule", "INSERT", "NEW", RULE_PUBLISHED),
    ("frozen_example_upd", "procurement_examplecase", "UPDATE", "OLD", RULE_PUBLISHED),
    ("frozen_example_del", "procurement_examplecase", "DELETE", "OLD", RULE_PUBLISHED),
    ("frozen_example_ins", "procurement_examplecase", "INSERT", "NEW", RULE_PUBLISHED),
    ("frozen_assessment_upd", "procurement_routeassessment", "UPDATE", "OLD", None),
    ("frozen_assessment_del", "procurement_routeassessment", "DELETE", "OLD", None),
    ("frozen_decision_upd", "procurement_routedecision", "UPDATE", "OLD", None),
    ("frozen_decision_del", "procurement_routedecision", "DELETE", "OLD", None),
    ("frozen_review_upd", "procurement_deviationreview", "UPDATE", "OLD", None),
    ("frozen_review_del", "procurement_deviationreview", "DELETE", "OLD", None),
    ("frozen_comparison_upd", "procurement_groupbenefitcomparison", "UPDATE", "OLD", None),
    ("frozen_comparison_del", "procurement_groupbenefitcomparison", "DELETE", "OLD", None),
    # Invoicing (issue 7): a posted invoice and its lines; a closed period stays closed.
    ("frozen_invoice_upd", "invoicing_invoice", "UPDATE", "OLD", "OLD.status = 'posted'"),
    ("frozen_invoice_del", "invoicing_invoice", "DELETE", "OLD", "OLD.status = 'posted'"),
    ("frozen_invline_upd", "invoicing_invoiceline", "UPDATE", "OLD", INVOICE_POSTED),
    ("frozen_invline_move", "invoicing_invoiceline", "UPDATE", "NEW", INVOICE_POSTED),
    ("frozen_invline_del", "invoicing_invoiceline", "DELETE", "OLD", INVOICE_POSTED),
    ("frozen_invline_ins", "invoicing_invoiceline", "INSERT", "NEW", INVOICE_POSTED),
    ("frozen_period_upd", "invoicing_period", "UPDATE", "OLD", "OLD.status = 'closed'"),
    ("frozen_period_del", "invoicing_period", "DELETE", "OLD", None),
]


def _rules(tables: set[str] | None):
    """The rules whose table exists: an early migration installs what exists then, and
    the migration that creates a later table installs its rules again."""
    return [r for r in RULES if tables is None or r[1] in tables]


def _sqlite_install(tables=None) -> list[str]:
    statements = []
    for name, table, event, row, condition in _rules(tables):
        when = f"WHEN {condition.format(row=row)}" if condition else ""
        statements.append(
            f"CREATE TRIGGER IF NOT EXISTS {name} BEFORE {event} ON {table} {when} "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        )
    return statements


def _pg_install(tables=None) -> list[str]:
    statements = []
    for name, table, event, row, condition in _rules(tables):
        body = (
            f"IF {condition.format(row=row)} THEN RAISE EXCEPTION '{MESSAGE}'; END IF;"
            if condition
            else f"RAISE EXCEPTION '{MESSAGE}';"
        )
        result = "OLD" if event == "DELETE" else "NEW"
        statements += [
            f"""CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
                BEGIN {body} RETURN {result}; END; $$ LANGUAGE plpgsql""",
            f"DROP TRIGGER IF EXISTS {name} ON {table}",
            f"""CREATE TRIGGER {name} BEFORE {event} ON {table}
                FOR EACH ROW EXECUTE FUNCTION {name}()""",
        ]
    return statements


def _run(connection, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def install(connection) -> None:
    tables = set(connection.introspection.table_names())
    if connection.vendor == "sqlite":
        _run(connection, _sqlite_install(tables))
    elif connection.vendor == "postgresql":
        _run(connection, _pg_install(tables))
    else:  # pragma: no cover - we support exactly these two
        raise NotImplementedError(connection.vendor)


def drop(connection) -> None:
    if connection.vendor == "sqlite":
        _run(connection, [f"DROP TRIGGER IF EXISTS {name}" for name, *_ in RULES])
    elif connection.vendor == "postgresql":
        tables = set(connection.introspection.table_names())
        _run(
            connection,
            [f"DROP TRIGGER IF EXISTS {name} ON {table}" for name, table, *_ in _rules(tables)],
        )


def installed(connection) -> bool:
    names = [name for name, *_ in RULES]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            marks = ", ".join(["%s"] * len(names))
            cursor.execute(
                f"SELECT count(*) FROM sqlite_master WHERE type='trigger' AND name IN ({marks})",  # noqa: S608
                names,
            )
        else:
            cursor.execute(
                "SELECT count(*) FROM pg_trigger WHERE tgname = ANY(%s) AND NOT tgisinternal",
                [names],
            )
        return cursor.fetchone()[0] == len(names)
