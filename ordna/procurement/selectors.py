"""Reads of the route engine: the threshold and limits in force for a law, category and
day, the rule set version in force, example results, the splitting guard, and the reads of
the pages (a need's estimated value is `assess.Need.estimated_value`). None of them saves
anything."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from ordna.procurement import engine, guideline
from ordna.procurement.assess import (
    Amount,
    Need,
    NeedError,
    NoReferenceData,
    Registry,
    Version,
    assess,
    contracting_authority,
    kronor,
    parse_need,
    threshold_category,
)
from ordna.procurement.models import (
    RULE_FIELDS,
    Replay,
    RouteAssessment,
    Rule,
    RuleSet,
    RuleSetVersion,
)

__all__ = ["Amount", "NoReferenceData", "threshold_category"]


def threshold(law: str, category: str, day: datetime.date) -> Amount:
    return Registry.load(organisation=False).threshold(law, category, day)


def direct_award_limit(law: str, category: str, day: datetime.date) -> Amount:
    return Registry.load(organisation=False).direct_award_limit(law, category, day)


def documentation_limit(law: str, day: datetime.date) -> Amount:
    return Registry.load(organisation=False).documentation_limit(law, day)


# rule sets ---------------------------------------------------------------------------

_COMPILED: dict[int, Version] = {}


class NoRuleSet(LookupError):
    """No published rule set version is in force on the day asked for."""


def rule_set_name() -> str:
    from django.conf import settings

    return settings.ROUTE_RULE_SET


def version_in_force(day: datetime.date) -> RuleSetVersion:
    """The published version of the configured rule set in force on `day`."""
    version = (
        RuleSetVersion.objects.filter(
            rule_set__name=rule_set_name(),
            status=RuleSetVersion.Status.PUBLISHED,
            valid_from__lte=day,
        )
        .select_related("rule_set")
        .order_by("-valid_from")
        .first()
    )
    if version is None:
        raise NoRuleSet(f"no published version of {rule_set_name()} on {day.isoformat()}")
    return version


def compiled(version: RuleSetVersion) -> Version:
    """A version ready for the engine. Published versions never change, so they are
    compiled once per process; a draft is compiled from its current rules."""
    cached = _COMPILED.get(version.pk)
    # The hash as well as the id: an id can come back after a rolled-back transaction.
    if (
        cached is not None
        and version.status == RuleSetVersion.Status.PUBLISHED
        and cached.sha256 == version.sha256
    ):
        return cached
    rules = [{f: getattr(r, f) for f in RULE_FIELDS} for r in version.rules.order_by("priority")]
    result = Version(
        name=version.rule_set.name,
        number=version.number,
        sha256=version.sha256,
        rules=engine.compile_rules(rules),
        pk=version.pk,
        published=version.status == RuleSetVersion.Status.PUBLISHED,
    )
    if result.published:
        _COMPILED[version.pk] = result
    return result


def version_problems(version: RuleSetVersion) -> list[engine.Problem]:
    rules = [{f: getattr(r, f) for f in RULE_FIELDS} for r in version.rules.order_by("priority")]
    return engine.check(rules)


@dataclass(frozen=True)
class ExampleResult:
    name: str
    need: dict
    expected_route: str
    expected_law: str
    route: str
    law: str
    error: str
    receipt: dict | None

    @property
    def passed(self) -> bool:
        return not self.error and (self.route, self.law) == (
            self.expected_route,
            self.expected_law,
        )


def run_examples(version: RuleSetVersion, registry: Registry | None = None) -> list[ExampleResult]:
    """Each example case of a version assessed under it: what came out against what was
    expected. A version whose rules cannot be compiled fails every example."""
    registry = registry or Registry.load()
    try:
        ready = compiled(version)
    except engine.RuleSetError as exc:
        ready, broken = None, str(exc)
    results = []
    for example in version.examples.order_by("id"):
        route = law = error = ""
        receipt = None
        if ready is None:
            error = broken
        else:
            try:
                receipt = assess(parse_need(example.need), registry, ready)
                route, law = receipt["route"], receipt["law"] or ""
            except (NeedError, NoReferenceData, engine.RuleSetError) as exc:
                error = str(exc)
        results.append(
            ExampleResult(
                example.name,
                example.need,
                example.expected_route,
                example.expected_law,
                route,
                law,
                error,
                receipt,
            )
        )
    return results


# the splitting guard -------------------------------------------------------------------


def similar_direct_awards(need: Need, registry: Registry) -> list[RouteAssessment]:
    """Earlier needs of the same contracting authority in the 12 months up to the need's
    date, of the same category (and the same service, when the need names one), bought by
    direct award."""
    unit = registry.unit(need.purchaser, need.day)
    authority = contracting_authority(unit, registry)
    # What was bought by direct award: the route where nothing else was decided, or what
    # the purchaser chose (a deviation to a direct award counts too).
    direct = Q(decision__chosen_route="direct_award") | Q(
        decision__isnull=True, route="direct_award"
    )
    qs = RouteAssessment.objects.filter(
        direct,
        contracting_authority=authority,
        category=need.category,
        need_date__gt=need.day - datetime.timedelta(days=365),
        need_date__lte=need.day,
    )
    if need.service_code:
        qs = qs.filter(service__code=need.service_code)
    return list(qs.order_by("need_date", "id").only("number", "estimated_value", "need_date"))


def add_splitting_warning(receipt: dict, need: Need, registry: Registry) -> None:
    """When the need is routed to a direct award and, added to the similar direct awards
    of the same contracting authority in the last 12 months, would reach the direct award
    limit, warn (an internal control of the guideline, not statute)."""
    from django.conf import settings
    from django.utils import translation
    from django.utils.translation import ngettext

    if receipt["route"] != "direct_award":
        return
    earlier = similar_direct_awards(need, registry)
    if not earlier:
        return
    total = sum((a.estimated_value for a in earlier), Decimal(0)) + need.estimated_value
    limit = Decimal(str(receipt["direct_award_limit_sek"]))
    if total < limit:
        return
    with translation.override(settings.LANGUAGE_CODE):
        text = ngettext(
            "Together with %(n)s similar direct award of the same contracting authority in "
            "the last 12 months (%(numbers)s) the value is %(total)s kronor, at or above the "
            "direct award limit of %(limit)s kronor. Check that the purchase is not split to "
            "avoid the rules. This is an internal control of the guideline: the statutory "
            "rule of adding up direct awards of the same kind was abolished on 1 February "
            "2022; splitting a purchase to avoid the rules is still forbidden.",
            "Together with %(n)s similar direct awards of the same contracting authority in "
            "the last 12 months (%(numbers)s) the value is %(total)s kronor, at or above the "
            "direct award limit of %(limit)s kronor. Check that the purchase is not split to "
            "avoid the rules. This is an internal control of the guideline: the statutory "
            "rule of adding up direct awards of the same kind was abolished on 1 February "
            "2022; splitting a purchase to avoid the rules is still forbidden.",
            len(earlier),
        ) % {
            "n": len(earlier),
            "numbers": ", ".join(a.number for a in earlier[:10]),
            "total": kronor(total),
            "limit": kronor(limit),
        }
    receipt["warnings"].append(
        {
            "rule": "splitting_guard",
            "text": text,
            "legal_basis": "LOU 5 kap. 6–7 §§ (förbud mot uppdelning); riktlinjen 4.1",
            "earlier": [a.number for a in earlier],
            "total_sek": float(total) if total != total.to_integral_value() else int(total),
        }
    )


# pages -------------------------------------------------------------------------------------


def today() -> datetime.date:
    from django.utils import timezone

    return timezone.localdate()


def services_offered(day: datetime.date | None = None):
    """The catalogue's services valid on the day, for the guided form."""
    from ordna.catalogue.models import Service

    return list(Service.objects.valid_on(day or today()).order_by("code").only("code", "name"))


def evaluate(data: dict) -> dict:
    """A need's receipt with the splitting guard's warning, without saving anything."""
    need = parse_need(data)
    registry = Registry.load()
    receipt = assess(need, registry, compiled(version_in_force(need.day)))
    add_splitting_warning(receipt, need, registry)
    return receipt


def assessment_rows(qs, *, route: str = "", deviation: bool = False, limit: int = 200):
    qs = qs.select_related("purchaser", "decision").order_by("-created_at", "-id")
    if route:
        qs = qs.filter(route=route)
    if deviation:
        qs = qs.filter(decision__deviation=True)
    return list(qs[:limit])


def decision_of(assessment: RouteAssessment):
    from ordna.procurement.models import RouteDecision

    return RouteDecision.objects.filter(assessment=assessment).select_related("decided_by").first()


def deviation_decisions():
    from ordna.procurement.models import RouteDecision

    return RouteDecision.objects.filter(deviation=True).select_related(
        "assessment__purchaser", "decided_by"
    )


def deviations(*, only_unreviewed: bool = True, limit: int = 500):
    """Deviations from the guideline, newest first: the decision, its assessment and
    whether oversight has reviewed it."""
    from django.db.models import Count

    qs = (
        deviation_decisions().annotate(review_count=Count("reviews")).order_by("-decided_at", "-id")
    )
    if only_unreviewed:
        qs = qs.filter(review_count=0)
    return list(qs[:limit])


def frameworks_qs():
    from ordna.procurement.models import FrameworkAgreement

    return FrameworkAgreement.objects.all()


def frameworks() -> list:
    """The framework agreement register, latest ending first."""
    return list(frameworks_qs())


def assessments_for_orders(units, limit: int = 50) -> list[RouteAssessment]:
    """The units' recent assessments that send a need to the provider (internal order or
    in-house award, as assessed or as decided), for linking to an ad hoc order."""
    to_provider = ["internal_order", "in_house_award"]
    return list(
        RouteAssessment.objects.filter(purchaser__in=units)
        .filter(Q(route__in=to_provider) | Q(decision__chosen_route__in=to_provider))
        .order_by("-created_at", "-id")[:limit]
    )


# --- reads of the rule-set pages (the words come from guideline.py) ---------------------


def rule_sets() -> list[RuleSet]:
    """Every rule set with its versions, newest first."""
    return list(RuleSet.objects.select_related("owner").prefetch_related("versions"))


def rule_set(pk) -> RuleSet:
    return get_object_or_404(RuleSet.objects.select_related("owner"), pk=pk)


def versions_of(rule_set: RuleSet) -> list[RuleSetVersion]:
    return list(rule_set.versions.order_by("-number"))


def version(pk) -> RuleSetVersion:
    return get_object_or_404(
        RuleSetVersion.objects.select_related("rule_set", "based_on", "published_by"), pk=pk
    )


def version_and_rules(pk) -> tuple[RuleSetVersion, list]:
    """A version and its rules in priority order, in one query when it has rules."""
    rules = list(
        Rule.objects.filter(rule_set_version_id=pk)
        .select_related("rule_set_version__rule_set")
        .order_by("priority")
    )
    if rules:
        return rules[0].rule_set_version, rules
    return version(pk), []


def rules_of(version: RuleSetVersion) -> list[dict]:
    """The version's rules in priority order, each with its conditions in words."""
    return [
        {
            "pk": rule.pk,
            **{f: getattr(rule, f) for f in RULE_FIELDS},
            "conditions_text": [guideline.condition_text(c) for c in rule.conditions]
            or [_("Every need (no conditions)")],
            "route_label": guideline.route_label(rule.route),
            "legal_basis_text": guideline.legal_basis_text(rule.legal_basis),
        }
        for rule in version.rules.order_by("priority")
    ]


def problems_of(rules: list[dict]) -> list[engine.Problem]:
    """What the checks find in the rules (as `rules_of` gives them)."""
    return engine.check([{f: r[f] for f in RULE_FIELDS} for r in rules])


def draft_of(version: RuleSetVersion) -> RuleSetVersion | None:
    """The rule set's draft, if it has one."""
    return version.rule_set.versions.filter(status=RuleSetVersion.Status.DRAFT).first()


def examples_with_results(version: RuleSetVersion, *, run: bool) -> list[dict]:
    """The version's example cases; with `run`, each assessed under the version
    (`selectors.run_examples`) with what came out against what was expected."""
    examples = list(version.examples.order_by("id"))
    results = run_examples(version) if run and examples else [None] * len(examples)
    return [
        {
            "pk": example.pk,
            "name": example.name,
            "need": guideline.need_summary(example.need),
            "expected_route": guideline.route_label(example.expected_route),
            "expected_law": example.expected_law,
            "result": result,
            "route": guideline.route_label(result.route) if result and result.route else "",
        }
        for example, result in zip(examples, results, strict=True)
    ]


def replays_of(version: RuleSetVersion) -> list[Replay]:
    return list(version.replays.select_related("job", "created_by").order_by("-created_at")[:10])


def replay(pk) -> Replay:
    return get_object_or_404(
        Replay.objects.select_related("rule_set_version__rule_set", "job", "created_by"), pk=pk
    )


@dataclass(frozen=True)
class Change:
    pk: int
    number: str
    old: str
    new: str
    rule: str


def replay_changes(replay: Replay) -> list[Change]:
    """The changed cases of a replay, with the routes in words."""
    return [
        Change(pk, number, guideline.route_label(old), guideline.route_label(new), rule)
        for pk, number, old, new, rule in replay.changes or []
    ]


def rule_of(version: RuleSetVersion, pk):
    return get_object_or_404(version.rules.all(), pk=pk)


def example_of(version: RuleSetVersion, pk):
    return get_object_or_404(version.examples.all(), pk=pk)


def next_priority(version: RuleSetVersion) -> int:
    """The next round ten after the version's highest priority."""
    highest = version.rules.order_by("-priority").values_list("priority", flat=True).first()
    return ((highest or 0) // 10 + 1) * 10
