"""Database-level scenarios: an app operation against the equivalent hand-written SQL."""

from __future__ import annotations

import datetime

from django.db import connection
from django.utils import timezone

from ordna.bench.registry import Report, median_seconds, scenario


@scenario("audit_verify", "Verify the audit hash chain vs. only reading its rows (I/O floor)")
def audit_verify(options: dict) -> list[Report]:
    from ordna.audit.models import AuditEvent
    from ordna.audit.services import verify_chain

    count = AuditEvent.objects.count()
    columns = (
        "id, occurred_at, actor_id, actor_username, unit_code, source, action, object_type, "
        "object_id, object_repr, before, after, reason, prev_hash, hash"
    )

    def baseline() -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {columns} FROM audit_auditevent ORDER BY id")  # noqa: S608
            while cursor.fetchmany(2000):
                pass

    def app() -> None:
        assert verify_chain().ok

    app_s = median_seconds(app, repeat=3)
    base_s = median_seconds(baseline, repeat=3)
    report = Report("audit_verify", baseline_ratio=app_s / base_s if base_s else None)
    report.add("events", count, "rows")
    report.add("verify", app_s * 1000, "ms")
    report.add("throughput", count / app_s if app_s else 0, "events/s")
    report.add("baseline (read rows only)", base_s * 1000, "ms")
    return [report]


@scenario("unit_list", "First page of the unit list (selector + as-of) vs. one SQL join")
def unit_list(options: dict) -> list[Report]:
    from ordna.organisation import selectors

    today = timezone.localdate()
    past = today - datetime.timedelta(days=365)

    def app(day):
        def run() -> None:
            page = list(selectors.unit_list(on=day)[:50])
            selectors.as_recorded(page, day)

        return run

    def baseline() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT u.id, u.code, u.name, u.kind, p.code, lp.name FROM organisation_unit u "
                "JOIN organisation_legalperson lp ON lp.id = u.legal_person_id "
                "LEFT JOIN organisation_unit p ON p.id = u.parent_id "
                "WHERE u.valid_from <= %s AND (u.valid_to IS NULL OR u.valid_to >= %s) "
                "ORDER BY u.code LIMIT 50",
                [today, today],
            )
            cursor.fetchall()

    base_s = median_seconds(baseline, repeat=20)
    reports = []
    for label, day in (("today", today), ("a year ago (as recorded)", past)):
        app_s = median_seconds(app(day), repeat=20)
        report = Report(f"unit_list {label}", baseline_ratio=app_s / base_s if base_s else None)
        report.add("app", app_s * 1000, "ms")
        report.add("baseline SQL", base_s * 1000, "ms")
        reports.append(report)
    return reports


@scenario(
    "agreement_charges",
    "Each unit's charges under the common agreement (keys, exact öre) vs. one SQL sum",
)
def agreement_charges(options: dict) -> list[Report]:
    from django.db.models import Count

    from ordna.agreements import selectors
    from ordna.agreements.models import Agreement

    agreement = (
        Agreement.objects.filter(kind=Agreement.Kind.COMMON)
        .annotate(n=Count("versions__lines"))
        .order_by("-n", "-year")
        .first()
    )
    if agreement is None:
        return []
    version = selectors.versions_of(agreement)[-1]
    result = selectors.charges(agreement, version)
    assert result.sums_exactly

    def app() -> None:
        selectors.charges(agreement, selectors.versions_of(agreement)[-1])

    def baseline() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT l.id, l.volume * l.unit_price, d.unit_id, d.value "
                "FROM agreements_agreementline l "
                "LEFT JOIN catalogue_keyvalues k ON k.key_id = l.allocation_key_id "
                "AND k.year = %s "
                "LEFT JOIN catalogue_drivervalue d ON d.values_id = k.id "
                "WHERE l.version_id = %s",
                [agreement.year, version.pk],
            )
            cursor.fetchall()

    app_s = median_seconds(app, repeat=10)
    base_s = median_seconds(baseline, repeat=10)
    report = Report("agreement_charges", baseline_ratio=app_s / base_s if base_s else None)
    report.add("lines", len(result.lines), "rows")
    report.add("units charged", len(result.units), "units")
    report.add("app", app_s * 1000, "ms")
    report.add("baseline SQL", base_s * 1000, "ms")
    return [report]
