"""Writes of the procurement app: the framework agreement and utility registers, rule set
versions (draft → published), route assessments and their decisions, oversight's reviews
of deviations, group-benefit comparisons and what-if replays. Each write records its
audit event in the same transaction."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ordna.audit.models import AuditEvent
from ordna.audit.services import record, snapshot
from ordna.core.services import check_version, next_number
from ordna.procurement import assess as assessing
from ordna.procurement import engine
from ordna.procurement.models import (
    RULE_FIELDS,
    DeviationReview,
    ExampleCase,
    FrameworkAgreement,
    GroupBenefitComparison,
    Replay,
    Route,
    RouteAssessment,
    RouteDecision,
    Rule,
    RuleSet,
    RuleSetVersion,
    UtilityEntity,
)

WEB = AuditEvent.Source.WEB


# registers ---------------------------------------------------------------------------


@transaction.atomic
def framework_create(*, actor, source=WEB, reason: str = "", **fields) -> FrameworkAgreement:
    fa = FrameworkAgreement(**fields)
    fa.full_clean()
    fa.save()
    record(
        actor=actor,
        action="procurement.framework.create",
        obj=fa,
        after=snapshot(fa),
        source=source,
        reason=reason,
    )
    return fa


@transaction.atomic
def framework_update(*, actor, pk, version: int | None, source=WEB, **fields) -> FrameworkAgreement:
    fa = FrameworkAgreement.objects.select_for_update().get(pk=pk)
    check_version(fa, version)
    before = snapshot(fa)
    for name, value in fields.items():
        setattr(fa, name, value)
    fa.full_clean()
    fa.version += 1
    fa.save()
    record(
        actor=actor,
        action="procurement.framework.update",
        obj=fa,
        before=before,
        after=snapshot(fa),
        source=source,
    )
    return fa


@transaction.atomic
def utility_entity_create(*, actor, source=WEB, reason: str = "", **fields) -> UtilityEntity:
    row = UtilityEntity(**fields)
    row.full_clean()
    row.save()
    record(
        actor=actor,
        action="procurement.utility_entity.create",
        obj=row,
        after=snapshot(row),
        source=source,
        reason=reason,
    )
    return row


# rule sets ---------------------------------------------------------------------------


def version_content(version: RuleSetVersion) -> dict:
    """What a version decides by, in the form its hash is taken of."""
    return {
        "name": version.rule_set.name,
        "version": version.number,
        "rules": [
            {f: getattr(r, f) for f in RULE_FIELDS} for r in version.rules.order_by("priority")
        ],
        "examples": [
            {
                "name": e.name,
                "need": e.need,
                "expected_route": e.expected_route,
                "expected_law": e.expected_law,
            }
            for e in version.examples.order_by("id")
        ],
    }


@transaction.atomic
def rule_set_create(
    *,
    actor,
    name: str,
    owner,
    description: str = "",
    source=WEB,
    rules: list[dict] | None = None,
    examples: list | None = None,
) -> RuleSetVersion:
    """A new rule set with its first draft version (optionally filled)."""
    if RuleSet.objects.filter(name=name).exists():
        raise ValidationError({"name": _("A rule set with this name already exists.")})
    rule_set = RuleSet(name=name, owner=owner, description=description)
    rule_set.full_clean()
    rule_set.save()
    version = RuleSetVersion.objects.create(rule_set=rule_set, number=1)
    record(
        actor=actor,
        action="procurement.rule_set.create",
        obj=rule_set,
        after=snapshot(rule_set),
        source=source,
    )
    if rules is not None:
        draft_replace(
            actor=actor, version=version, rules=rules, examples=examples or [], source=source
        )
    return version


@transaction.atomic
def draft_new(*, actor, based_on: RuleSetVersion, source=WEB) -> RuleSetVersion:
    """The next version of a rule set as a draft, a copy of `based_on`."""
    rule_set = RuleSet.objects.select_for_update().get(pk=based_on.rule_set_id)
    if rule_set.versions.filter(status=RuleSetVersion.Status.DRAFT).exists():
        raise ValidationError(_("The rule set already has a draft; change that one."))
    number = (
        rule_set.versions.order_by("-number").values_list("number", flat=True).first() or 0
    ) + 1
    draft = RuleSetVersion.objects.create(rule_set=rule_set, number=number, based_on=based_on)
    Rule.objects.bulk_create(
        [
            Rule(rule_set_version=draft, **{f: getattr(r, f) for f in RULE_FIELDS})
            for r in based_on.rules.all()
        ]
    )
    ExampleCase.objects.bulk_create(
        [
            ExampleCase(
                rule_set_version=draft,
                name=e.name,
                need=e.need,
                expected_route=e.expected_route,
                expected_law=e.expected_law,
            )
            for e in based_on.examples.all()
        ]
    )
    record(
        actor=actor,
        action="procurement.rule_set.draft",
        obj=draft,
        after={"number": number, "based_on": based_on.number},
        source=source,
    )
    return draft


def _draft(version: RuleSetVersion) -> RuleSetVersion:
    locked = RuleSetVersion.objects.select_for_update().get(pk=version.pk)
    if not locked.is_draft:
        raise ValidationError(_("A published version is never changed; make a new draft."))
    return locked


def _clean_rule(data: dict, others: list[dict]) -> Rule:
    """A rule checked on its own and against the other rules of the draft; errors are
    named by field."""
    rule = Rule(**{f: data.get(f, Rule._meta.get_field(f).get_default()) for f in RULE_FIELDS})
    errors: dict[str, list[str]] = {}
    try:
        rule.clean_fields(exclude=["rule_set_version"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if not rule.route:
        errors.setdefault("route", []).append(_("Choose the route the rule leads to."))
    try:
        engine.compile_rule({**data, "route": rule.route or "internal_order"})
    except engine.RuleSetError as exc:
        errors.setdefault("conditions", []).append(str(exc))
    if any(o["key"] == rule.key for o in others):
        errors.setdefault("key", []).append(_("Another rule already has this id."))
    if any(int(o["priority"]) == rule.priority for o in others):
        errors.setdefault("priority", []).append(_("Another rule already has this priority."))
    if errors:
        raise ValidationError(errors)
    return rule


@transaction.atomic
def draft_rule_save(
    *, actor, version: RuleSetVersion, data: dict, rule_id=None, source=WEB
) -> Rule:
    """Add or change one rule of a draft. Refused, with the field named, when the rule
    tests an unknown field, uses an unknown operator or value, has no route, or repeats
    another rule's id or priority."""
    draft = _draft(version)
    others = [{f: getattr(r, f) for f in RULE_FIELDS} for r in draft.rules.exclude(pk=rule_id)]
    rule = _clean_rule(data, others)
    before = None
    if rule_id is not None:
        existing = draft.rules.get(pk=rule_id)
        before = snapshot(existing)
        rule.pk = existing.pk
    rule.rule_set_version = draft
    rule.save()
    record(
        actor=actor,
        action="procurement.rule.save",
        obj=draft,
        before=before,
        after=snapshot(rule),
        source=source,
    )
    return rule


@transaction.atomic
def draft_rule_delete(*, actor, version: RuleSetVersion, rule_id, source=WEB) -> None:
    draft = _draft(version)
    rule = draft.rules.get(pk=rule_id)
    before = snapshot(rule)
    rule.delete()
    record(actor=actor, action="procurement.rule.delete", obj=draft, before=before, source=source)


def _clean_example(draft, name, need, route, law, *, pk=None) -> ExampleCase:
    """An example case checked, its need as `ordna route evaluate` reads it; errors are
    named by field. `pk`: the example it replaces."""
    try:
        assessing.parse_need(need)
    except assessing.NeedError as exc:
        raise ValidationError({"need": str(exc)}) from None
    example = ExampleCase(
        rule_set_version=draft,
        name=name or "",
        need=need,
        expected_route=route or "",
        expected_law=law or "",
    )
    if pk is not None:
        example.pk = pk
        example._state.adding = False
    example.full_clean()
    return example


@transaction.atomic
def draft_example_save(
    *,
    actor,
    version: RuleSetVersion,
    name: str,
    need: dict,
    expected_route: str,
    expected_law: str = "",
    example_id=None,
    source=WEB,
) -> ExampleCase:
    draft = _draft(version)
    existing = draft.examples.get(pk=example_id).pk if example_id is not None else None
    example = _clean_example(draft, name, need, expected_route, expected_law, pk=existing)
    example.save()
    record(
        actor=actor,
        action="procurement.example.save",
        obj=draft,
        after=snapshot(example),
        source=source,
    )
    return example


@transaction.atomic
def draft_example_delete(*, actor, version: RuleSetVersion, example_id, source=WEB) -> None:
    draft = _draft(version)
    example = draft.examples.get(pk=example_id)
    before = snapshot(example)
    example.delete()
    record(
        actor=actor, action="procurement.example.delete", obj=draft, before=before, source=source
    )


@transaction.atomic
def draft_replace(
    *, actor, version: RuleSetVersion, rules: list[dict], examples: list, source=WEB
) -> RuleSetVersion:
    """Replace all rules and examples of a draft at once (import, the default rule set).
    `examples` are (name, need, expected route, expected law) or dicts with those keys.
    Nothing is saved if any rule or example is bad."""
    draft = _draft(version)
    draft.rules.all().delete()
    draft.examples.all().delete()
    seen: list[dict] = []
    for position, data in enumerate(rules, start=1):
        data = {"priority": position * 10, **data}
        try:
            rule = _clean_rule(data, seen)
        except ValidationError as exc:
            raise ValidationError(
                {f"rules[{position}].{k}": v for k, v in exc.message_dict.items()}
            ) from None
        seen.append({f: getattr(rule, f) for f in RULE_FIELDS})
        rule.rule_set_version = draft
        rule.save()
    for position, example in enumerate(examples, start=1):
        if isinstance(example, dict):
            example = (
                example.get("name"),
                example.get("need"),
                example.get("expected_route"),
                example.get("expected_law") or "",
            )
        try:
            row = _clean_example(draft, *example)
        except ValidationError as exc:
            raise ValidationError(
                {f"examples[{position}].{k}": v for k, v in exc.message_dict.items()}
            ) from None
        row.save()
    record(
        actor=actor,
        action="procurement.rule_set.replace",
        obj=draft,
        after=version_content(draft),
        source=source,
    )
    return draft


@transaction.atomic
def publish(
    *, actor, version: RuleSetVersion, valid_from: datetime.date, decision: str = "", source=WEB
) -> RuleSetVersion:
    """Publish a draft from `valid_from`: refused unless the checks find nothing and
    every example case gives its expected outcome. Fixes the content hash."""
    from ordna.procurement import selectors

    draft = _draft(version)
    content = version_content(draft)
    problems = engine.check(content["rules"])
    if problems:
        raise ValidationError(
            _("The rule set has problems: %(list)s")
            % {"list": "; ".join(p.message for p in problems)}
        )
    if not content["examples"]:
        raise ValidationError(_("Add at least one example case before publishing."))
    failed = [r for r in selectors.run_examples(draft) if not r.passed]
    if failed:
        raise ValidationError(
            _("%(n)s example cases do not give the expected outcome: %(names)s")
            % {"n": len(failed), "names": "; ".join(r.name for r in failed)}
        )
    latest = (
        draft.rule_set.versions.filter(status=RuleSetVersion.Status.PUBLISHED)
        .order_by("-valid_from")
        .first()
    )
    if latest is not None and valid_from <= latest.valid_from:
        raise ValidationError(
            {
                "valid_from": _("Must be after %(day)s, when version %(n)s took effect.")
                % {"day": latest.valid_from.isoformat(), "n": latest.number}
            }
        )
    draft.status = RuleSetVersion.Status.PUBLISHED
    draft.valid_from = valid_from
    draft.decision = decision
    draft.sha256 = engine.content_hash(content)
    draft.published_at = timezone.now()
    draft.published_by = actor if getattr(actor, "is_authenticated", False) else None
    draft.version += 1
    draft.save()
    record(
        actor=actor,
        action="procurement.rule_set.publish",
        obj=draft,
        after={"valid_from": valid_from, "sha256": draft.sha256, "decision": decision},
        source=source,
    )
    return draft


def install_default(
    *, actor=None, owner, valid_from: datetime.date, source=WEB, decision: str = ""
) -> RuleSetVersion:
    """Create and publish the shipped default rule set unless it exists."""
    from ordna.procurement import defaults

    existing = RuleSet.objects.filter(name=defaults.NAME).first()
    if existing is not None:
        versions = existing.versions.order_by("-number")
        return versions.filter(status=RuleSetVersion.Status.PUBLISHED).first() or versions.first()
    with transaction.atomic():
        draft = rule_set_create(
            actor=actor,
            name=defaults.NAME,
            owner=owner,
            description=defaults.DESCRIPTION,
            source=source,
            rules=defaults.RULES,
            examples=defaults.EXAMPLES,
        )
        return publish(
            actor=actor, version=draft, valid_from=valid_from, decision=decision, source=source
        )


# assessments -------------------------------------------------------------------------


def _number_of(assessment_year: int) -> str:
    return f"RB-{assessment_year}-{next_number('route_assessment', assessment_year):06d}"


@transaction.atomic
def assessment_create(*, actor, data: dict, source=WEB) -> RouteAssessment:
    """Assess a need (the keys of `ordna route evaluate`) under the rule set in force on
    its date, add the splitting guard's warning, and store the receipt."""
    from ordna.procurement import selectors

    need = assessing.parse_need(data)
    registry = assessing.Registry.load()
    version = selectors.version_in_force(need.day)
    receipt = assessing.assess(need, registry, selectors.compiled(version))
    selectors.add_splitting_warning(receipt, need, registry)
    unit = registry.unit(need.purchaser, need.day)
    authority = assessing.contracting_authority(unit, registry)
    service = registry.service(need.service_code, need.day) if need.service_code else None
    receipt_hash = engine.content_hash(receipt)
    assessment = RouteAssessment.objects.create(
        number=_number_of(timezone.localdate().year),
        purchaser=unit,
        contracting_authority=authority,
        description=need.description
        or (receipt["service"]["name"] if receipt["service"] else _("(no description)")),
        category=need.category,
        service=service,
        need_date=need.day,
        estimated_value=need.estimated_value,
        route=receipt["route"],
        law=receipt["law"] or "",
        provisional=receipt["provisional"],
        splitting_warning=bool(receipt["warnings"]),
        rule_set_version=version,
        receipt=receipt,
        receipt_sha256=receipt_hash,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    record(
        actor=actor,
        action="procurement.assessment.create",
        obj=assessment,
        after={
            "number": assessment.number,
            "route": assessment.route,
            "law": assessment.law,
            "receipt_sha256": receipt_hash,
        },
        unit=unit,
        source=source,
    )
    return assessment


@transaction.atomic
def decision_record(
    *, actor, assessment: RouteAssessment, chosen_route: str, justification: str = "", source=WEB
) -> RouteDecision:
    """The purchaser follows the route, or chooses another with a written justification
    (a deviation, flagged for oversight). Recorded once."""
    assessment = RouteAssessment.objects.select_for_update().get(pk=assessment.pk)
    if RouteDecision.objects.filter(assessment=assessment).exists():
        raise ValidationError(_("The decision on this assessment is already recorded."))
    if chosen_route not in Route.values:
        raise ValidationError({"chosen_route": _("Choose one of the routes.")})
    justification = (justification or "").strip()
    deviation = chosen_route != assessment.route
    if deviation and len(justification) < 20:
        raise ValidationError(
            {
                "justification": _(
                    "A deviation from the guideline needs a written justification "
                    "(at least 20 characters)."
                )
            }
        )
    decision = RouteDecision.objects.create(
        assessment=assessment,
        chosen_route=chosen_route,
        deviation=deviation,
        justification=justification,
        decided_by=actor,
    )
    record(
        actor=actor,
        action="procurement.assessment.decide",
        obj=assessment,
        after={
            "chosen_route": chosen_route,
            "deviation": deviation,
            "justification": justification,
        },
        unit=assessment.purchaser,
        source=source,
    )
    return decision


@transaction.atomic
def deviation_review(*, actor, decision: RouteDecision, note: str, source=WEB) -> DeviationReview:
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Write what the review found.")})
    if not decision.deviation:
        raise ValidationError(_("Only a deviation is reviewed."))
    review = DeviationReview.objects.create(decision=decision, note=note, reviewed_by=actor)
    record(
        actor=actor,
        action="procurement.deviation.review",
        obj=decision.assessment,
        after={"note": note},
        source=source,
    )
    return review


@transaction.atomic
def comparison_create(
    *,
    actor,
    assessment: RouteAssessment,
    provider_quote: Decimal,
    external_price: Decimal,
    procurement_cost: Decimal,
    fixed_cost_share: Decimal,
    fixed_cost_source: str,
    supplier: str = "",
    source=WEB,
) -> GroupBenefitComparison:
    row = GroupBenefitComparison(
        assessment=assessment,
        provider_quote=provider_quote,
        external_price=external_price,
        procurement_cost=procurement_cost,
        fixed_cost_share=fixed_cost_share,
        fixed_cost_source=fixed_cost_source,
        supplier=supplier,
        created_by=actor,
    )
    errors = {}
    for name in ("provider_quote", "external_price", "procurement_cost"):
        if getattr(row, name) < 0:
            errors[name] = _("Must be zero or more.")
    if not Decimal(0) <= row.fixed_cost_share <= Decimal(100):
        errors["fixed_cost_share"] = _("Must be between 0 and 100.")
    if errors:
        raise ValidationError(errors)
    row.full_clean(exclude=["created_by"])
    row.save()
    record(
        actor=actor,
        action="procurement.comparison.create",
        obj=assessment,
        after=snapshot(row),
        source=source,
    )
    return row


@transaction.atomic
def replay_start(
    *,
    actor,
    version: RuleSetVersion,
    period_from: datetime.date,
    period_to: datetime.date,
    source=WEB,
) -> Replay:
    from ordna.core.services import job_start
    from ordna.procurement.tasks import replay_run

    if period_to < period_from:
        raise ValidationError({"period_to": _("The end date must be on or after the start date.")})
    problems = [
        p for p in engine.check(version_content(version)["rules"]) if p.code not in ("unreachable",)
    ]
    if problems:
        raise ValidationError(
            _("The rule set cannot be evaluated: %(list)s")
            % {"list": "; ".join(p.message for p in problems)}
        )
    replay = Replay.objects.create(
        rule_set_version=version, period_from=period_from, period_to=period_to, created_by=actor
    )
    job = job_start(
        actor=actor,
        kind="procurement.replay",
        title=_("What-if replay of %(version)s") % {"version": version},
        task=replay_run,
        source=source,
        replay_id=replay.pk,
    )
    Replay.objects.filter(pk=replay.pk).update(job=job)
    replay.job = job
    record(
        actor=actor,
        action="procurement.replay.start",
        obj=version,
        after={"period_from": period_from, "period_to": period_to, "replay": replay.pk},
        source=source,
    )
    return replay


def replay_execute(replay: Replay, progress=None) -> dict:
    """Run a period's stored assessments against the replay's version and keep every case
    whose route would change. Reads the stored facts, so the registry of today plays no
    part: the question is only what the new rules would decide."""
    from ordna.procurement import selectors

    version = selectors.compiled(replay.rule_set_version)
    qs = RouteAssessment.objects.filter(
        need_date__gte=replay.period_from, need_date__lte=replay.period_to
    ).order_by("need_date", "id")
    total = qs.count()
    if progress:
        progress(0, total)
    changes = []
    done = 0
    batch = 5000
    last = (datetime.date.min, 0)
    rules = version.rules
    evaluate = engine.evaluate
    while True:
        rows = list(
            qs.filter(models_q_after(last)).values_list(
                "id", "need_date", "number", "route", "receipt__facts"
            )[:batch]
        )
        if not rows:
            break
        for pk, _day, number, route, facts in rows:
            if isinstance(facts, str):
                facts = json.loads(facts)
            rule = evaluate(rules, facts)
            new = rule.route if rule is not None else ""
            if new != route:
                changes.append([pk, number, route, new, rule.key if rule else ""])
        done += len(rows)
        last = (rows[-1][1], rows[-1][0])
        if progress:
            progress(done, total)
    with transaction.atomic():
        Replay.objects.filter(pk=replay.pk).update(
            total=total, changed=len(changes), changes=changes
        )
        record(
            actor=None,
            action="procurement.replay.finish",
            obj=replay.rule_set_version,
            after={"replay": replay.pk, "total": total, "changed": len(changes)},
            source=AuditEvent.Source.WORKER,
        )
    return {"total": total, "changed": len(changes)}


def models_q_after(last):
    from django.db.models import Q

    day, pk = last
    return Q(need_date__gt=day) | Q(need_date=day, id__gt=pk)
