"""The route engine's pure part: the facts a rule may test, the operators, the checks a
rule set must pass on save, and the evaluation of a decision table over facts.

Nothing here reads the database. `ordna.procurement.assess` derives the facts of a need
from the registry and the reference data and writes the receipt; this module decides.

Every fact has a small, closed domain (booleans and named values; the value is placed in
a band against the limits in force, so no rule ever compares money). That makes the
checks exact: `check` walks every combination of facts (a few thousand) and finds each
rule that no need can reach and every need that no rule catches.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass

ENGINE_VERSION = "1"

ROUTES = (
    "internal_order",
    "in_house_award",
    "framework_call_off",
    "direct_award",
    "national_procedure",
    "eu_procedure",
)

# The value bands, lowest first. `below_threshold` is empty where the direct award limit
# equals the threshold (social and other specific services).
VALUE_BANDS = (
    "below_documentation_limit",
    "below_direct_award_limit",
    "below_threshold",
    "threshold_or_above",
)

# fact -> its domain. The order is the order of the guided form and the guideline text.
FACTS: dict[str, tuple] = {
    "relation": ("same_legal_person", "controlled_company", "external"),
    "provider_offers": (True, False),
    "framework_agreement": (True, False),
    "extreme_urgency": (True, False),
    "utility_activity": (True, False),
    "utility_entity": (True, False),
    "law": ("LOU", "LUF"),
    "category": ("supplies", "services", "works", "social_services"),
    "value_band": VALUE_BANDS,
}

OPERATORS = ("eq", "ne", "in", "not_in")


class RuleSetError(ValueError):
    """A rule set that cannot be evaluated: the message names the rule and the field;
    `code` is the kind of problem (a `Problem` code)."""

    def __init__(self, message: str, code: str = "bad_value"):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Problem:
    """One finding of `check`: `rule` is the rule's id ('' for the set as a whole),
    `code` one of unknown_field, unknown_operator, bad_value, missing_route,
    unreachable, uncovered, duplicate_priority, duplicate_key."""

    rule: str
    code: str
    message: str


@dataclass(frozen=True)
class CompiledRule:
    key: str
    priority: int
    route: str
    tests: tuple  # ((fact, frozenset of accepted values), ...)
    explanation: str
    legal_basis: str
    clause: str


def _accepted(field: str, op: str, value) -> frozenset:
    domain = FACTS[field]
    if op in ("eq", "ne"):
        values = [value]
    else:
        if not isinstance(value, list) or not value:
            raise RuleSetError(f"{field}: '{op}' takes a non-empty list")
        values = value
    for v in values:
        if v not in domain or type(v) is not type(domain[0]):
            raise RuleSetError(f"{field}: {v!r} is not one of {list(domain)}")
    chosen = frozenset(values)
    if op in ("ne", "not_in"):
        return frozenset(domain) - chosen
    return chosen


def _priority(rule: dict) -> int:
    try:
        return int(rule.get("priority", 0))
    except (TypeError, ValueError):
        key = rule.get("key") or "?"
        raise RuleSetError(f"rule {key}: the priority must be a whole number") from None


def compile_rule(rule: dict) -> CompiledRule:
    """A rule as stored (`key`, `priority`, `conditions`, `route`, `explanation`,
    `legal_basis`, `clause`) made ready to evaluate. Raises RuleSetError."""
    key = rule.get("key") or "?"
    priority = _priority(rule)
    tests: dict[str, frozenset] = {}
    for condition in rule.get("conditions") or []:
        if not isinstance(condition, dict):
            raise RuleSetError(f"rule {key}: a condition is an object with field, op, value")
        field, op = condition.get("field"), condition.get("op", "eq")
        if not isinstance(field, str) or field not in FACTS:
            raise RuleSetError(f"rule {key}: unknown field {field!r}", "unknown_field")
        if not isinstance(op, str) or op not in OPERATORS:
            raise RuleSetError(f"rule {key}: unknown operator {op!r}", "unknown_operator")
        try:
            accepted = _accepted(field, op, condition.get("value"))
        except RuleSetError as exc:
            raise RuleSetError(f"rule {key}: {exc}", exc.code) from None
        # Several conditions on one field must all hold.
        tests[field] = tests[field] & accepted if field in tests else accepted
    route = rule.get("route") or ""
    if route not in ROUTES:
        raise RuleSetError(f"rule {key}: missing or unknown route {route!r}", "missing_route")
    ordered = tuple((f, tests[f]) for f in FACTS if f in tests)
    return CompiledRule(
        key,
        priority,
        route,
        ordered,
        rule.get("explanation", ""),
        rule.get("legal_basis", ""),
        rule.get("clause", ""),
    )


def compile_rules(rules: list[dict]) -> tuple[CompiledRule, ...]:
    compiled = [compile_rule(r) for r in rules]
    return tuple(sorted(compiled, key=lambda r: r.priority))


def evaluate(rules: tuple[CompiledRule, ...], facts: dict) -> CompiledRule | None:
    """The first rule, by priority, whose every condition holds for `facts`."""
    for rule in rules:
        for field, accepted in rule.tests:
            if facts[field] not in accepted:
                break
        else:
            return rule
    return None


def fact_space():
    """Every combination of facts that can occur. `law` follows from the utility facts
    (LUF only for a utility activity of a utility entity), so the impossible
    combinations are left out."""
    names = list(FACTS)
    for values in itertools.product(*(FACTS[n] for n in names)):
        facts = dict(zip(names, values, strict=True))
        luf = facts["utility_activity"] and facts["utility_entity"]
        if facts["law"] != ("LUF" if luf else "LOU"):
            continue
        yield facts


def check(rules: list[dict]) -> list[Problem]:
    """Everything wrong with a rule set, in rule order: bad rules (unknown field or
    operator, a value outside the field's domain, no route), duplicate ids and
    priorities, rules no need can reach because earlier rules catch all their cases,
    and needs no rule catches."""
    problems: list[Problem] = []
    compiled: list[CompiledRule] = []
    seen_keys: set[str] = set()
    seen_priorities: set[int] = set()
    ordered = []
    for rule in rules:
        try:
            ordered.append((_priority(rule), rule))
        except RuleSetError as exc:
            problems.append(Problem(rule.get("key") or "?", exc.code, str(exc)))
    for priority, rule in sorted(ordered, key=lambda pair: pair[0]):
        key = rule.get("key") or "?"
        if key in seen_keys:
            problems.append(Problem(key, "duplicate_key", f"rule id {key} is used twice"))
        if priority in seen_priorities:
            problems.append(
                Problem(key, "duplicate_priority", f"priority {priority} is used twice")
            )
        seen_keys.add(key)
        seen_priorities.add(priority)
        try:
            compiled.append(compile_rule(rule))
        except RuleSetError as exc:
            problems.append(Problem(key, exc.code, str(exc)))
    if problems:
        return problems
    reached: set[str] = set()
    uncovered = 0
    example = None
    for facts in fact_space():
        rule = evaluate(tuple(compiled), facts)
        if rule is None:
            uncovered += 1
            example = example or facts
        else:
            reached.add(rule.key)
    for rule in compiled:
        if rule.key not in reached:
            problems.append(
                Problem(rule.key, "unreachable", f"rule {rule.key} is shadowed by earlier rules")
            )
    if uncovered:
        problems.append(
            Problem(
                "",
                "uncovered",
                f"{uncovered} combinations of facts match no rule, e.g. {example}",
            )
        )
    return problems


def canonical(content: dict) -> bytes:
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def content_hash(content: dict) -> str:
    """SHA-256 of a rule set version's content (name, number, rules, examples) in
    canonical JSON: sorted keys, no spaces, UTF-8."""
    return hashlib.sha256(canonical(content)).hexdigest()


def legal_basis(rule: CompiledRule, law: str | None) -> str:
    """The rule's legal basis with `{law}` replaced by the law that applies."""
    return rule.legal_basis.replace("{law}", law or "LOU")
