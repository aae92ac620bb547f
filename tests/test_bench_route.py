"""The `route` bench scenario (issue 6) runs at a tiny size and reports its figures; the
needs it makes are varied and the same every run, and the assessments it stores are real
receipts. Times are only ever reported, never asserted."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from ordna.bench import route as bench
from ordna.procurement import assess, engine, selectors
from ordna.procurement.models import Replay, RouteAssessment


@pytest.fixture
def tiny(monkeypatch):
    monkeypatch.setattr(bench, "EVALUATIONS", 200)
    monkeypatch.setattr(bench, "STORED", 500)
    monkeypatch.setattr(bench, "REPEAT", 1)
    monkeypatch.setattr(bench, "BATCH", 150)  # several batches, the last one short


def _figures(report) -> dict:
    return {f.name: f.value for f in report.figures}


def test_route_scenario_reports_evaluations_and_replay(demo, tiny):
    demo_assessments = RouteAssessment.objects.count()
    reports = bench.route({})
    assert [r.scenario for r in reports] == ["route evaluations", "route replay"]

    evaluations = _figures(reports[0])
    assert evaluations["needs"] == 200
    for name in ("parse_need + assess", "first pass (fresh snapshot)", "engine.evaluate alone"):
        assert evaluations[name] > 0
    assert evaluations["per evaluation"] > 0
    assert evaluations["routes reached"] == len(engine.ROUTES)
    assert evaluations["value bands reached"] == len(engine.VALUE_BANDS)

    replay = _figures(reports[1])
    assert replay["assessments replayed"] == 500 + demo_assessments
    assert replay["stored now"] == 500
    assert replay["storing"] > 0
    assert replay["replay"] > 0 and replay["slowest replay"] >= replay["replay"]
    assert replay["progress reports"] >= 2  # the start, and once per batch
    stored = Replay.objects.latest("pk")
    assert stored.rule_set_version.status == "draft"
    assert (stored.total, stored.changed) == (500 + demo_assessments, replay["changed"])
    # Version 2 of the demo advertises works below the direct award limit: those change.
    assert replay["changed"] > 0
    assert all(new == "national_procedure" for _pk, _no, _old, new, _rule in stored.changes)

    # Run again: nothing more is stored.
    again = _figures(bench.route({})[1])
    assert "stored now" not in again
    assert again["assessments replayed"] == replay["assessments replayed"]
    assert again["changed"] == replay["changed"]


def test_needs_are_varied_and_the_same_every_run(demo):
    codes = bench.service_codes()
    assert codes  # the demo catalogue's services
    needs = bench.needs(400, codes)
    assert needs == bench.needs(400, codes)
    assert {n["purchaser"] for n in needs} == set(bench.PURCHASERS)
    assert {n["category"] for n in needs} == set(bench.CATEGORIES)
    assert {n["date"][:4] for n in needs} == {"2024", "2025", "2026", "2027"}
    assert any("service_code" in n for n in needs)
    assert any("cpv_code" in n for n in needs)
    assert any("annual_value_sek" in n for n in needs)
    assert any("one_off_value_sek" in n for n in needs)
    assert any(n.get("utility_activity") for n in needs)
    assert any(n.get("extreme_urgency") for n in needs)
    for need in needs:  # every one is a valid need
        assess.parse_need(need)


def test_stored_assessments_are_real_receipts(demo, tiny):
    added = bench.ensure_stored(40, bench.service_codes())
    assert added == 40
    assert bench.ensure_stored(40, bench.service_codes()) == 0
    rows = list(RouteAssessment.objects.filter(number__startswith=bench.PREFIX).order_by("number"))
    assert [r.number for r in rows[:2]] == ["RB-BENCH-000001", "RB-BENCH-000002"]
    published = selectors.version_in_force(rows[0].need_date)
    version = selectors.compiled(published)
    for row in rows:
        assert row.rule_set_version_id == published.pk
        assert row.receipt_sha256 == engine.content_hash(row.receipt)
        assert row.receipt["rule_set"] == version.as_receipt()
        again = assess.replay(row.receipt, version)
        assert (again["route"], again["law"] or "") == (row.route, row.law)
        assert row.purchaser.code == row.receipt["purchaser"]["code"]


def test_bench_command_lists_the_route_scenario():
    out = io.StringIO()
    call_command("bench", "--list", stdout=out)
    assert any(line.startswith("route ") for line in out.getvalue().splitlines())
