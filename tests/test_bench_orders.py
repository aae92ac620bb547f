"""The `order_pages` bench scenario runs, and every page it measures stays within the
query budget of issue 5 (counts are asserted; its times are only ever reported)."""

from __future__ import annotations

from ordna.bench import orders as bench
from ordna.demo import generate, generate_orders

MAX_QUERIES = 10


def test_order_pages_measures_every_variant_within_ten_queries(demo, monkeypatch):
    monkeypatch.setattr(bench, "REPEAT", 2)
    monkeypatch.setattr(bench, "WARM_UP", 1)
    monkeypatch.setattr(generate_orders, "ORDERS_PER_YEAR", 20_000)
    generate.generate(scale=0.2, seed=4)  # 4 000 orders: a next page everywhere
    reports = bench.order_pages({})
    names = [r.scenario for r in reports]
    assert any(n.startswith("my_orders tf.bestallare") for n in names)
    assert any("next page" in n for n in names if n.startswith("queue"))
    assert any(n.startswith("my_orders revisor") for n in names)
    for report in reports:
        figures = {f.name: f.value for f in report.figures}
        assert figures["p95"] >= figures["p50"] > 0
        assert figures["queries"] <= MAX_QUERIES, (report.scenario, report.notes)
