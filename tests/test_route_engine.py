"""Issue 6, the route engine's pure part: the checks a rule set must pass, first match
wins by priority, the content hash, and evaluation against a naive reference."""

from __future__ import annotations

import copy
import hashlib
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ordna.procurement import defaults, engine


def _default_rules() -> list[dict]:
    """The shipped rules with the priorities `draft_replace` gives them."""
    return [{"priority": position * 10, **rule} for position, rule in enumerate(defaults.RULES, 1)]


def _rule(key, priority, route="direct_award", *conditions):
    return {
        "key": key,
        "priority": priority,
        "route": route,
        "conditions": [{"field": f, "op": op, "value": v} for f, op, v in conditions],
        "explanation": key,
    }


def _codes(problems) -> set[tuple[str, str]]:
    return {(p.rule, p.code) for p in problems}


# check ---------------------------------------------------------------------------------


def test_the_default_rule_set_passes_check():
    assert engine.check(_default_rules()) == []


def test_the_default_rule_set_without_priorities_repeats_them():
    """Rules as shipped carry no priority: the check names each repeat."""
    problems = engine.check(copy.deepcopy(defaults.RULES))
    assert {p.code for p in problems} == {"duplicate_priority"}
    assert len(problems) == len(defaults.RULES) - 1


def test_check_names_an_unknown_field():
    rules = [*_default_rules(), _rule("kommun", 5, "direct_award", ("municipality", "eq", "x"))]
    problems = engine.check(rules)
    assert _codes(problems) == {("kommun", "unknown_field")}
    assert "municipality" in problems[0].message and "kommun" in problems[0].message


def test_check_names_an_unknown_operator():
    rules = [*_default_rules(), _rule("storre", 5, "direct_award", ("category", "gt", "works"))]
    problems = engine.check(rules)
    assert _codes(problems) == {("storre", "unknown_operator")}
    assert "gt" in problems[0].message


@pytest.mark.parametrize(
    "op, value",
    [
        ("eq", "furniture"),  # not in the domain
        ("eq", 1),  # a number is not the boolean True
        ("in", "works"),  # `in` takes a list
        ("in", []),  # ... that is not empty
        ("not_in", ["works", "roads"]),
    ],
)
def test_check_names_a_bad_value(op, value):
    field = "provider_offers" if value == 1 else "category"
    rules = [*_default_rules(), _rule("fel", 5, "direct_award", (field, op, value))]
    problems = engine.check(rules)
    assert _codes(problems) == {("fel", "bad_value")}
    assert field in problems[0].message


def test_a_bad_value_is_not_taken_for_a_missing_route():
    """The kind of problem does not depend on words in the rule's id or value."""
    rules = [*_default_rules(), _rule("route-x", 5, "direct_award", ("category", "eq", "route"))]
    assert _codes(engine.check(rules)) == {("route-x", "bad_value")}


@pytest.mark.parametrize("route", [None, "", "procure_somehow"])
def test_check_names_a_missing_route(route):
    rules = [*_default_rules(), _rule("ingen", 5, route, ("category", "eq", "works"))]
    problems = engine.check(rules)
    assert _codes(problems) == {("ingen", "missing_route")}


@pytest.mark.parametrize("field", [None, ["category"], {"a": 1}])
def test_a_field_that_is_not_a_name_is_unknown(field):
    rules = [*_default_rules(), _rule("konstig", 5, "direct_award", (field, "eq", "works"))]
    assert _codes(engine.check(rules)) == {("konstig", "unknown_field")}


def test_a_priority_that_is_not_a_number_is_a_problem_not_a_crash():
    rules = [*_default_rules(), _rule("prio", "först", "direct_award")]
    assert _codes(engine.check(rules)) == {("prio", "bad_value")}
    with pytest.raises(engine.RuleSetError, match="priority"):
        engine.compile_rule(rules[-1])


def test_check_finds_duplicate_keys_and_priorities():
    rules = _default_rules()
    rules.append({**rules[0], "priority": 85})  # the id "internt" twice
    rules.append({**rules[1], "key": "ny", "priority": 20})  # priority 20 twice
    problems = engine.check(rules)
    assert ("internt", "duplicate_key") in _codes(problems)
    assert {p.code for p in problems} == {"duplicate_key", "duplicate_priority"}
    assert any(p.code == "duplicate_priority" and "20" in p.message for p in problems)


def test_check_finds_a_rule_shadowed_by_earlier_rules():
    rules = _default_rules()
    # Every need below the threshold is caught by the rules before 75.
    rules.append(_rule("skuggad", 75, "eu_procedure", ("value_band", "eq", "below_threshold")))
    assert _codes(engine.check(rules)) == {("skuggad", "unreachable")}
    # After the last value band nothing is left for a rule to catch.
    rules[-1] = _rule("efter", 90, "national_procedure", ("category", "eq", "works"))
    assert _codes(engine.check(rules)) == {("efter", "unreachable")}


def test_a_rule_with_contradictory_conditions_is_unreachable():
    rules = _default_rules()
    rules.append(
        _rule(
            "omojlig",
            5,
            "direct_award",
            ("category", "eq", "works"),
            ("category", "ne", "works"),
        )
    )
    # LUF only applies to a utility activity of a utility entity.
    rules.append(
        _rule(
            "luf-utan-verksamhet",
            6,
            "direct_award",
            ("law", "eq", "LUF"),
            ("utility_entity", "eq", False),
        )
    )
    assert _codes(engine.check(rules)) == {
        ("omojlig", "unreachable"),
        ("luf-utan-verksamhet", "unreachable"),
    }


def _naive_uncovered(rules: list[dict]) -> int:
    count = 0
    for values in itertools.product(*engine.FACTS.values()):
        facts = dict(zip(engine.FACTS, values, strict=True))
        luf = facts["utility_activity"] and facts["utility_entity"]
        if facts["law"] != ("LUF" if luf else "LOU"):
            continue
        if _naive_evaluate(rules, facts) is None:
            count += 1
    return count


def test_check_counts_the_combinations_no_rule_catches():
    rules = [r for r in _default_rules() if r["key"] != "over-troskelvarde"]
    problems = engine.check(rules)
    assert _codes(problems) == {("", "uncovered")}
    # Not the same person or company with an offer, no framework, no urgency: 4 relation
    # and offer pairs x 4 consistent utility/law triples x 4 categories.
    assert _naive_uncovered(rules) == 64
    assert problems[0].message.startswith("64 combinations")
    empty = engine.check([])
    assert _codes(empty) == {("", "uncovered")} and empty[0].message.startswith("1536 ")


def test_the_fact_space_is_every_consistent_combination():
    space = list(engine.fact_space())
    assert len(space) == 1536
    assert all(f["law"] == "LUF" for f in space if f["utility_activity"] and f["utility_entity"])
    assert all(
        f["law"] == "LOU" for f in space if not (f["utility_activity"] and f["utility_entity"])
    )


# evaluate --------------------------------------------------------------------------------


def _facts(**changes) -> dict:
    facts = {
        "relation": "external",
        "provider_offers": False,
        "framework_agreement": False,
        "extreme_urgency": False,
        "utility_activity": False,
        "utility_entity": False,
        "law": "LOU",
        "category": "services",
        "value_band": "below_direct_award_limit",
    }
    return {**facts, **changes}


def test_first_match_wins_by_priority_not_by_list_order():
    rules = [
        _rule("sist", 30, "eu_procedure"),
        _rule("forst", 10, "direct_award", ("category", "eq", "services")),
        _rule("mitten", 20, "national_procedure", ("category", "in", ["services", "works"])),
    ]
    compiled = engine.compile_rules(rules)
    assert [r.key for r in compiled] == ["forst", "mitten", "sist"]
    assert engine.evaluate(compiled, _facts()).key == "forst"
    assert engine.evaluate(compiled, _facts(category="works")).key == "mitten"
    assert engine.evaluate(compiled, _facts(category="supplies")).key == "sist"
    assert engine.evaluate(compiled[:2], _facts(category="supplies")) is None


@pytest.mark.parametrize(
    "changes, rule",
    [
        ({"relation": "same_legal_person", "provider_offers": True}, "internt"),
        ({"relation": "controlled_company", "provider_offers": True}, "egen-regi-bolag"),
        ({"relation": "same_legal_person", "framework_agreement": True}, "ramavtal"),
        ({"extreme_urgency": True, "value_band": "threshold_or_above"}, "synnerlig-bradska"),
        ({"value_band": "below_documentation_limit"}, "smakop"),
        ({}, "direktupphandling"),
        ({"value_band": "below_threshold"}, "under-troskelvarde"),
        ({"value_band": "threshold_or_above"}, "over-troskelvarde"),
    ],
)
def test_the_default_rules_decide_each_route(changes, rule):
    compiled = engine.compile_rules(_default_rules())
    assert engine.evaluate(compiled, _facts(**changes)).key == rule


def test_the_legal_basis_names_the_law_that_applies():
    compiled = {r.key: r for r in engine.compile_rules(_default_rules())}
    assert engine.legal_basis(compiled["over-troskelvarde"], "LUF") == "LUF 6 kap."
    assert engine.legal_basis(compiled["over-troskelvarde"], None) == "LOU 6 kap."
    assert engine.legal_basis(compiled["egen-regi-bolag"], "LUF") == "LOU 3 kap. 14 §"


# content hash ------------------------------------------------------------------------------


def test_content_hash_is_sha256_of_canonical_json():
    content = {"rules": [{"b": 1, "a": "Borås"}], "name": "Å", "version": 2}
    expected = '{"name":"Å","rules":[{"a":"Borås","b":1}],"version":2}'.encode()
    assert engine.canonical(content) == expected
    assert engine.content_hash(content) == hashlib.sha256(expected).hexdigest()


def test_content_hash_is_stable_and_ignores_key_order():
    content = {
        "name": defaults.NAME,
        "version": 1,
        "rules": _default_rules(),
        "examples": [list(e) for e in defaults.EXAMPLES],
    }
    shuffled = {k: content[k] for k in reversed(list(content))}
    shuffled["rules"] = [{k: r[k] for k in sorted(r, reverse=True)} for r in content["rules"]]
    first = engine.content_hash(content)
    assert first == engine.content_hash(copy.deepcopy(content)) == engine.content_hash(shuffled)
    assert len(first) == 64 and int(first, 16) >= 0
    changed = copy.deepcopy(content)
    changed["rules"][0]["explanation"] += "."
    assert engine.content_hash(changed) != first
    renumbered = {**content, "version": 2}
    assert engine.content_hash(renumbered) != first


# evaluation against a naive reference -----------------------------------------------------


def _holds(condition: dict, facts: dict) -> bool:
    actual, value = facts[condition["field"]], condition["value"]
    match condition["op"]:
        case "eq":
            return actual == value
        case "ne":
            return actual != value
        case "in":
            return actual in value
        case "not_in":
            return actual not in value
    raise AssertionError(condition)


def _naive_evaluate(rules: list[dict], facts: dict) -> str | None:
    for rule in sorted(rules, key=lambda r: r["priority"]):
        if all(_holds(c, facts) for c in rule["conditions"]):
            return rule["key"]
    return None


@st.composite
def conditions(draw):
    field = draw(st.sampled_from(list(engine.FACTS)))
    domain = engine.FACTS[field]
    op = draw(st.sampled_from(engine.OPERATORS))
    if op in ("eq", "ne"):
        value = draw(st.sampled_from(domain))
    else:
        value = draw(st.lists(st.sampled_from(domain), min_size=1, max_size=len(domain)))
    return {"field": field, "op": op, "value": value}


@st.composite
def rule_lists(draw):
    priorities = draw(st.lists(st.integers(0, 1000), unique=True, max_size=10))
    return [
        {
            "key": f"r{n}",
            "priority": priority,
            "conditions": draw(st.lists(conditions(), max_size=4)),
            "route": draw(st.sampled_from(engine.ROUTES)),
        }
        for n, priority in enumerate(priorities)
    ]


fact_dicts = st.fixed_dictionaries({f: st.sampled_from(d) for f, d in engine.FACTS.items()})


@settings(max_examples=300, deadline=None)
@given(rules=rule_lists(), facts=st.lists(fact_dicts, min_size=1, max_size=8))
def test_evaluate_agrees_with_a_naive_reference(rules, facts):
    compiled = engine.compile_rules(rules)
    for one in facts:
        matched = engine.evaluate(compiled, one)
        assert (matched.key if matched else None) == _naive_evaluate(rules, one)


@settings(max_examples=60, deadline=None)
@given(rules=rule_lists())
def test_check_agrees_with_the_reference_on_reachability(rules):
    """A rule is unreachable exactly when no consistent combination of facts reaches it
    first; combinations no rule catches are counted exactly."""
    reached = set()
    for facts in engine.fact_space():
        key = _naive_evaluate(rules, facts)
        if key is not None:
            reached.add(key)
    problems = engine.check(rules)
    assert {p.rule for p in problems if p.code == "unreachable"} == {
        r["key"] for r in rules
    } - reached
    uncovered = [p for p in problems if p.code == "uncovered"]
    count = _naive_uncovered(rules)
    assert len(uncovered) == (1 if count else 0)
    if count:
        assert uncovered[0].message.startswith(f"{count} combinations")
