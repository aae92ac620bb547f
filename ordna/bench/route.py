"""The route engine at speed (issue 6): evaluations per second in-process, and the what-if
replay of a period's stored assessments against a draft rule set.

Issue 6 sets the targets: at least 20 000 evaluations per second in-process, and a
what-if replay of 100 000 stored assessments in under 15 seconds.

- **evaluations**: `EVALUATIONS` varied needs (every category, the demo's purchasers
  TF/LF/ABB/BEM/VAF, with and without a catalogue service and a CPV code, values in every
  band, one-off and yearly, urgency, utility activity, dates 2024–2027), made the same way
  every run. One registry snapshot (`Registry.load()`) and the rule set version in force,
  then `parse_need` + `assess` over all of them (the receipt as `ordna route evaluate`
  prints it, less the JSON), and `engine.evaluate` alone over their facts.
- **replay**: the bench database holds `STORED` assessments numbered RB-BENCH-000001…
  (real receipts of the same kind of needs under the published default rule set, written
  with `bulk_create` only when fewer exist: assessments are append-only, so they are
  never removed). Then `services.replay_execute` runs them all against the demo's draft
  version 2, over the whole period, as the background job does.

Nothing here asserts a time; the figures are in docs/performance.md.
"""

from __future__ import annotations

import datetime
import random
import statistics
import time

from ordna.bench.registry import Report, scenario

EVALUATIONS = 50_000
REPEAT = 3  # timed passes over the needs, and replays; the median is reported
STORED = 100_000
SEED = 6
BATCH = 2_000
PREFIX = "RB-BENCH-"

PURCHASERS = ("TF", "LF", "ABB", "BEM", "VAF")
CATEGORIES = ("supplies", "services", "works", "social_services")
# Estimated values that, with the thresholds and limits of 2024–2027, land in every band
# of every category and law (documentation limit, direct award limit, threshold).
VALUES = (
    12_000,
    60_000,
    99_999,
    100_000,
    180_000,
    420_000,
    699_999,
    700_000,
    950_000,
    1_199_999,
    1_250_000,
    2_000_000,
    2_389_585,
    3_500_000,
    4_789_982,
    8_109_450,
    9_000_000,
    12_000_000,
    40_000_000,
    59_880_179,
    75_000_000,
)
CPV_CODES = ("30213000", "30200000-1", "39130000", "79540000", "45000000", "85000000")
FIRST_DAY = datetime.date(2024, 1, 1)
DAYS = (datetime.date(2027, 12, 31) - FIRST_DAY).days + 1
WORDS = ("Datorer", "Städning", "Ombyggnad", "Tolkning", "Vinterväghållning", "Konsultstöd")


def service_codes() -> list[str]:
    """The catalogue services valid over the whole bench period (2024–2027)."""
    from django.db.models import Q

    from ordna.catalogue.models import Service

    last = FIRST_DAY + datetime.timedelta(days=DAYS - 1)
    return sorted(
        set(
            Service.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=last))
            .filter(valid_from__lte=FIRST_DAY)
            .values_list("code", flat=True)
        )
    )


def needs(count: int, services: list[str], seed: int = SEED) -> list[dict]:
    """`count` needs as `ordna route evaluate` reads them, the same for the same seed."""
    rnd = random.Random(seed)
    result = []
    for i in range(count):
        day = FIRST_DAY + datetime.timedelta(days=rnd.randrange(DAYS))
        value = rnd.choice(VALUES)
        need = {
            "date": day.isoformat(),
            "purchaser": PURCHASERS[i % len(PURCHASERS)],
            "category": CATEGORIES[(i // len(PURCHASERS)) % len(CATEGORIES)],
            "description": f"{rnd.choice(WORDS)} {i}",
        }
        if rnd.random() < 0.5:
            need["one_off_value_sek"] = value
        else:
            years, extension = rnd.choice(((1, 0), (2, 1), (2, 2), (3, 1), (4, 0)))
            need["annual_value_sek"] = round(value / (years + extension), 2)
            need["contract_years"] = years
            need["extension_years"] = extension
        if rnd.random() < 0.15:
            need["options_value_sek"] = rnd.choice((5_000, 50_000, 250_000))
        if services and rnd.random() < 0.3:
            need["service_code"] = rnd.choice(services)
        elif rnd.random() < 0.3:
            need["provider_offers"] = rnd.random() < 0.5
        if rnd.random() < 0.3:
            need["cpv_code"] = rnd.choice(CPV_CODES)
        if rnd.random() < 0.25:
            need["utility_activity"] = True
        if rnd.random() < 0.08:
            need["extreme_urgency"] = True
        if rnd.random() < 0.1:
            need["framework_agreement"] = True
        result.append(need)
    return result


def _published():
    from ordna.procurement import selectors

    return selectors.version_in_force(FIRST_DAY)


def _timed(func, repeat: int) -> float:
    """Median wall time of `repeat` calls."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _evaluations(count: int, services: list[str]) -> Report:
    from ordna.procurement import assess, engine, selectors

    data = needs(count, services)
    registry = assess.Registry.load()
    version = selectors.compiled(_published())
    parse_need, run = assess.parse_need, assess.assess

    def parse_and_assess():
        return [run(parse_need(need), registry, version) for need in data]

    # The first pass fills the snapshot's per-day look-ups (limits, ownership relations);
    # the figure is the median of the passes after it.
    start = time.perf_counter()
    receipts = parse_and_assess()
    first_s = time.perf_counter() - start
    full_s = _timed(parse_and_assess, REPEAT)

    facts = [r["facts"] for r in receipts]
    rules, evaluate = version.rules, engine.evaluate

    def evaluate_only():
        for f in facts:
            evaluate(rules, f)

    evaluate_only()
    engine_s = _timed(evaluate_only, REPEAT)

    routes = {r["route"] for r in receipts}
    bands = {f["value_band"] for f in facts}
    report = Report("route evaluations")
    report.add("needs", count, "evaluations")
    report.add("parse_need + assess", count / full_s, "evaluations/s")
    report.add("per evaluation", full_s / count * 1e6, "µs")
    report.add("first pass (fresh snapshot)", count / first_s, "evaluations/s")
    report.add("engine.evaluate alone", count / engine_s, "evaluations/s")
    report.add("routes reached", len(routes), f"of {len(engine.ROUTES)}")
    report.add("value bands reached", len(bands), f"of {len(engine.VALUE_BANDS)}")
    report.notes = (
        f"rule set {version.name} {version.number}, median of {REPEAT} passes; "
        f"routes: {', '.join(sorted(routes))}"
    )
    return report


def ensure_stored(count: int, services: list[str]) -> int:
    """Make sure `count` bench assessments (RB-BENCH-…) exist; returns how many were
    added. Receipts are real (assess under the published version in force on 2024-01-01);
    rows are written in batches without the audit trail (a bench database only)."""
    from django.db import transaction
    from django.utils import timezone

    from ordna.procurement import assess, engine, selectors
    from ordna.procurement.models import RouteAssessment

    have = RouteAssessment.objects.filter(number__startswith=PREFIX).count()
    if have >= count:
        return 0
    published = _published()
    version = selectors.compiled(published)
    registry = assess.Registry.load()
    now = timezone.now()
    # The same seed as the evaluations, continued past those already stored.
    data = needs(count, services, seed=SEED + 1)[have:]
    added = 0
    for start in range(0, len(data), BATCH):
        rows = []
        for offset, raw in enumerate(data[start : start + BATCH]):
            need = assess.parse_need(raw)
            receipt = assess.assess(need, registry, version)
            unit = registry.unit(need.purchaser, need.day)
            authority = assess.contracting_authority(unit, registry)
            service = registry.service(need.service_code, need.day) if need.service_code else None
            rows.append(
                RouteAssessment(
                    number=f"{PREFIX}{have + start + offset + 1:06d}",
                    purchaser_id=unit.pk,
                    contracting_authority_id=authority.pk,
                    description=need.description,
                    category=need.category,
                    service_id=service.pk if service is not None else None,
                    need_date=need.day,
                    estimated_value=need.estimated_value,
                    route=receipt["route"],
                    law=receipt["law"] or "",
                    provisional=receipt["provisional"],
                    splitting_warning=False,
                    rule_set_version_id=published.pk,
                    receipt=receipt,
                    receipt_sha256=engine.content_hash(receipt),
                    created_at=now,
                )
            )
        with transaction.atomic():
            RouteAssessment.objects.bulk_create(rows, batch_size=500)
        added += len(rows)
    return added


def _draft():
    from ordna.procurement import defaults
    from ordna.procurement.models import RuleSetVersion

    return (
        RuleSetVersion.objects.filter(
            rule_set__name=defaults.NAME, status=RuleSetVersion.Status.DRAFT
        )
        .select_related("rule_set")
        .order_by("-number")
        .first()
    )


def _replay(stored: int, services: list[str]) -> Report | None:
    from django.db import connection

    from ordna.accounts.models import User
    from ordna.procurement import services as svc
    from ordna.procurement.models import Replay, RouteAssessment

    start = time.perf_counter()
    added = ensure_stored(stored, services)
    fill_s = time.perf_counter() - start
    if added and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE procurement_routeassessment")
    draft = _draft()
    # The replay's owner: the demo's administrator (any user would do).
    actor = User.objects.filter(username="admin").first() or User.objects.order_by("pk").first()
    if draft is None or actor is None:
        return None
    first = RouteAssessment.objects.order_by("need_date").values_list("need_date", flat=True)
    last = RouteAssessment.objects.order_by("-need_date").values_list("need_date", flat=True)
    period = (first.first(), last.first())
    times, calls = [], []
    for _ in range(REPEAT):
        # One Replay row per run, as `replay_start` makes (without the job around it).
        replay = Replay.objects.create(
            rule_set_version=draft, period_from=period[0], period_to=period[1], created_by=actor
        )
        calls.clear()
        start = time.perf_counter()
        result = svc.replay_execute(replay, progress=lambda done, total: calls.append(done))
        times.append(time.perf_counter() - start)
    replay_s = statistics.median(times)

    report = Report("route replay")
    report.add("assessments replayed", result["total"], "assessments")
    report.add("changed", result["changed"], "cases")
    report.add("replay", replay_s, "s")
    report.add("slowest replay", max(times), "s")
    report.add("throughput", result["total"] / replay_s if replay_s else 0, "assessments/s")
    report.add("progress reports", len(calls), "calls")
    if added:
        report.add("stored now", added, "assessments")
        report.add("storing", fill_s, "s")
    report.notes = (
        f"draft {draft.rule_set.name} {draft.number}, "
        f"{period[0].isoformat()}–{period[1].isoformat()}, median of {REPEAT} replays"
    )
    return report


@scenario(
    "route",
    "Route engine: parse+assess and evaluate per second; what-if replay of stored assessments",
)
def route(options: dict) -> list[Report]:
    codes = service_codes()
    reports = [_evaluations(EVALUATIONS, codes)]
    replay = _replay(STORED, codes)
    if replay is not None:
        reports.append(replay)
    return reports
