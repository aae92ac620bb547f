"""The route guidelines API over HTTP (issue 6): evaluating a need without saving it (the
same receipt as `ordna route evaluate`), saved assessments and their decision, the rule
sets and their versions, and the framework register.

Requests authenticate with real API tokens (`tests/test_api.Api`); expected messages
come from gettext at test time, never hard-coded Swedish.
"""

from __future__ import annotations

import datetime
import io
import json

import jsonschema
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext as _

from ordna.accounts.models import User
from ordna.audit.models import AuditEvent
from ordna.organisation.models import Unit
from ordna.procurement import defaults, engine, services
from ordna.procurement.models import (
    FrameworkAgreement,
    RouteAssessment,
    RouteDecision,
    RuleSet,
    RuleSetVersion,
)
from tests.test_api import Api, bad_request, fields, problem

BASE = "/api/v1/route-assessments/"
EVALUATE = "/api/v1/route-assessments/evaluate"
RULE_SETS = "/api/v1/rule-sets/"
VERSIONS = "/api/v1/rule-set-versions/"
FRAMEWORKS = "/api/v1/framework-agreements/"


@pytest.fixture
def api(client, demo):
    return lambda username: Api(client, username)


def need(**overrides) -> dict:
    """Consultancy for TF below the direct award limit: a direct award under LOU."""
    data = {
        "date": "2026-06-15",
        "purchaser": "TF",
        "description": "Konsultstöd för trafikplan",
        "category": "services",
        "one_off_value_sek": 250000,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not ...}


def url(pk, action: str = "") -> str:
    return f"{BASE}{pk}/{action + '/' if action else ''}"


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.content
    return response.json()


def saved() -> tuple[int, int, int]:
    return (
        RouteAssessment.objects.count(),
        RouteDecision.objects.count(),
        AuditEvent.objects.count(),
    )


def cli_receipt(monkeypatch, data: dict) -> dict:
    """What `ordna route evaluate -` prints for `data`."""
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(data)))
    out = io.StringIO()
    call_command("route", "evaluate", "-", stdout=out)
    return json.loads(out.getvalue())


# --- Evaluate: the receipt, nothing saved ---------------------------------------------------------
def test_evaluate_answers_the_cli_receipt_and_saves_nothing(api, monkeypatch):
    tf = api("tf.bestallare")  # (making its token is audited)
    before = saved()
    data = need()
    receipt = ok(tf.post(EVALUATE, data))
    assert receipt == cli_receipt(monkeypatch, data)
    assert receipt["route"] == "direct_award" and receipt["law"] == "LOU"
    assert receipt["estimated_value_sek"] == 250000
    assert receipt["documentation_required"] is True
    version = RuleSetVersion.objects.get(rule_set__name=defaults.NAME, number=1)
    assert receipt["rule_set"] == {"name": defaults.NAME, "version": 1, "sha256": version.sha256}
    assert receipt["reasons"][0]["rule"] == receipt["matched_rule"]
    assert saved() == before


def test_evaluate_warns_of_splitting_and_the_warning_names_the_earlier_needs(api):
    tf = api("tf.bestallare")
    first = ok(tf.post(BASE, need(date="2026-05-04", one_off_value_sek=400000)), 201)
    second = ok(tf.post(BASE, need(date="2026-05-20", one_off_value_sek=300000)), 201)
    assert first["route"] == second["route"] == "direct_award"
    receipt = ok(tf.post(EVALUATE, need(date="2026-06-01", one_off_value_sek=90000)))
    warning = receipt["warnings"][0]
    assert warning["rule"] == "splitting_guard"
    assert {first["number"], second["number"]} <= set(warning["earlier"])
    assert warning["total_sek"] >= 790000


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"colour": "red"}, "colour"),
        ({"date": "15/6/2026"}, "date"),
        ({"date": "2026-02-30"}, "date"),
        ({"purchaser": ""}, "purchaser"),
        ({"purchaser": ...}, "purchaser"),
        ({"purchaser": "NOPE"}, "purchaser"),
        ({"category": "food"}, "category"),
        ({"category": ...}, "category"),
        ({"one_off_value_sek": ...}, "one_off_value_sek"),
        ({"annual_value_sek": 1000}, "one_off_value_sek"),
        ({"one_off_value_sek": -1}, "one_off_value_sek"),
        ({"one_off_value_sek": "mycket"}, "one_off_value_sek"),
        ({"one_off_value_sek": True}, "one_off_value_sek"),
        ({"one_off_value_sek": 10.555}, "one_off_value_sek"),
        ({"one_off_value_sek": 10**13}, "one_off_value_sek"),
        ({"contract_years": 2}, "contract_years"),
        ({"one_off_value_sek": ..., "annual_value_sek": 1000}, "contract_years"),
        (
            {"one_off_value_sek": ..., "annual_value_sek": 1000, "contract_years": 0},
            "contract_years",
        ),
        (
            {"one_off_value_sek": ..., "annual_value_sek": 1000, "contract_years": 1.5},
            "contract_years",
        ),
        (
            {
                "one_off_value_sek": ...,
                "annual_value_sek": 1000,
                "contract_years": 2,
                "extension_years": -1,
            },
            "extension_years",
        ),
        ({"options_value_sek": "x"}, "options_value_sek"),
        ({"service_code": 7}, "service_code"),
        ({"service_code": "FINNS-INTE"}, "service_code"),
        ({"cpv_code": "3021"}, "cpv_code"),
        ({"provider_offers": "ja"}, "provider_offers"),
        ({"utility_activity": "yes"}, "utility_activity"),
        ({"extreme_urgency": 1}, "extreme_urgency"),
        ({"framework_agreement": "false"}, "framework_agreement"),
        ({"description": "x" * 301}, "description"),
    ],
)
def test_bad_input_is_400_naming_the_key_and_saves_nothing(api, overrides, field):
    reader, tf = api("revisor"), api("tf.bestallare")
    before = saved()
    # A reader may evaluate for any unit, so an unknown one is named as such; the orderer
    # is refused the same way when evaluating and when saving.
    for client, path in ((reader, EVALUATE), (tf, EVALUATE), (tf, BASE)):
        body = bad_request(client.post(path, need(**overrides)))
        assert fields(body) == {field}, (client.user.username, path, body)
    assert saved() == before


def test_the_message_is_the_one_of_the_cli(api):
    body = bad_request(api("tf.bestallare").post(EVALUATE, need(category="food")))
    expected = _("must be one of %(list)s") % {"list": "supplies, services, works, social_services"}
    assert body["errors"] == [{"field": "category", "message": expected}]
    assert body["detail"] == f"category: {expected}"


def test_a_body_that_is_not_a_need_is_400(api):
    tf = api("tf.bestallare")
    before = saved()
    assert fields(bad_request(tf.post(EVALUATE, [need()]))) == {"need"}
    problem(tf.post(EVALUATE, "{not json", content_type="application/json"), 400)
    assert fields(bad_request(tf.post(BASE, ["x"]))) == {"need"}
    problem(tf.post(BASE, "{", content_type="application/json"), 400)
    assert saved() == before


def test_a_date_no_rule_set_or_threshold_covers_is_409_naming_the_date(api):
    tf = api("tf.bestallare")
    before = saved()
    for day in ("2019-06-01", "2031-01-01"):
        for path in (EVALUATE, BASE):
            body = problem(tf.post(path, need(date=day)), 409)
            assert body["title"] == _("Conflict") and day in body["detail"]
            assert fields(body) == {"date"}
    assert saved() == before


def test_evaluate_scope_own_units_or_a_reader_for_any(api):
    names = ["tf.bestallare", "lf.bestallare", "revisor", "ks.uppsikt", "admin"]
    names += ["sk.handlaggare", "registrator", "krisledning"]
    clients = {name: api(name) for name in names}
    before = saved()
    body = bad_request(clients["tf.bestallare"].post(EVALUATE, need(purchaser="LF")))
    assert body["errors"] == [
        {
            "field": "purchaser",
            "message": _("You cannot assess needs for %(code)s.") % {"code": "LF"},
        }
    ]
    lf = ok(clients["lf.bestallare"].post(EVALUATE, need(purchaser="LF")))
    assert lf["purchaser"]["code"] == "LF"
    # A reader may evaluate for any unit: nothing is saved.
    for reader in ("revisor", "ks.uppsikt", "admin"):
        assert ok(clients[reader].post(EVALUATE, need(purchaser="LF")))["route"]
    # Neither orders nor reads everything: as if the endpoint were not there.
    for username in ("sk.handlaggare", "registrator", "krisledning"):
        problem(clients[username].post(EVALUATE, need()), 404)
    assert saved() == before


def company_needs() -> tuple[dict, dict]:
    """ABB (controlled by the municipality) buys what the provider offers; BEM buys for
    its utility activity."""
    abb = need(purchaser="ABB", provider_offers=True, one_off_value_sek=2_000_000)
    bem = need(purchaser="BEM", utility_activity=True, one_off_value_sek=900_000)
    return abb, bem


def test_the_company_and_the_utility_routes(api):
    """In-house for ABB (a controlled company), LUF for BEM's utility activity: for a
    reader, who may evaluate for any unit."""
    abb, bem = company_needs()
    admin = api("admin")
    receipt = ok(admin.post(EVALUATE, abb))
    assert receipt["route"] == "in_house_award" and receipt["in_house_evidence"]
    assert ok(admin.post(EVALUATE, bem))["law"] == "LUF"


# --- Saving an assessment -------------------------------------------------------------------------
def test_create_stores_the_receipt_with_its_hash_and_links(api):
    tf = api("tf.bestallare")
    receipt = ok(tf.post(EVALUATE, need()))
    body = ok(tf.post(BASE, need()), 201)
    assessment = RouteAssessment.objects.get(pk=body["id"])
    assert body["number"] == assessment.number and body["number"].startswith("RB-")
    assert body["receipt"] == receipt == assessment.receipt
    assert body["receipt_sha256"] == engine.content_hash(receipt) == assessment.receipt_sha256
    assert body["purchaser_code"] == "TF" and body["estimated_value"] == "250000.00"
    assert body["route"] == "direct_award" and body["law"] == "LOU"
    assert body["decision"] is None and body["reviews"] == [] and body["comparisons"] == []
    assert body["links"] == {
        "self": url(body["id"]),
        "decision": url(body["id"], "decision"),
        "page": assessment.get_absolute_url(),
    }
    assert body["created_by_username"] == "tf.bestallare"
    event = AuditEvent.objects.get(
        action="procurement.assessment.create", object_id=str(body["id"])
    )
    assert event.source == AuditEvent.Source.API
    assert ok(tf.get(url(body["id"]))) == body


def test_create_without_a_date_assesses_today(api):
    from django.utils import timezone

    body = ok(api("tf.bestallare").post(BASE, need(date=...)), 201)
    assert body["need_date"] == timezone.localdate().isoformat()
    assert body["receipt"]["input"]["date"] == body["need_date"]


def test_create_only_for_own_units_and_never_by_readers(api):
    names = ["tf.bestallare", "revisor", "ks.uppsikt", "admin", "sk.handlaggare"]
    clients = {name: api(name) for name in names}
    before = saved()
    body = bad_request(clients["tf.bestallare"].post(BASE, need(purchaser="LF")))
    assert fields(body) == {"purchaser"}
    # The auditor writes nothing; oversight and the provider assess for no unit.
    for username in names[1:]:
        problem(clients[username].post(BASE, need()), 404)
    assert saved() == before


# --- Reading: scope, filters, queries -------------------------------------------------------------
def listed(client, params: dict | None = None) -> list[str]:
    body = ok(client.get(BASE, {"limit": 500, **(params or {})}))
    assert body["count"] == len(body["results"])
    return [row["number"] for row in body["results"]]


def expected(qs=None, **conditions) -> list[str]:
    qs = (qs or RouteAssessment.objects).filter(**conditions).order_by("-created_at", "-id")
    return list(qs.values_list("number", flat=True))


def test_each_unit_sees_its_own_assessments_and_readers_all(api):
    tf = listed(api("tf.bestallare"))
    assert tf and tf == expected(purchaser__code="TF")
    assert listed(api("lf.bestallare")) == expected(purchaser__code="LF")
    assert listed(api("revisor")) == expected() == listed(api("ks.uppsikt"))
    assert listed(api("sk.handlaggare")) == []

    lf_one = RouteAssessment.objects.filter(purchaser__code="LF").first()
    problem(api("tf.bestallare").get(url(lf_one.pk)), 404)
    problem(api("sk.handlaggare").get(url(lf_one.pk)), 404)
    problem(api("tf.bestallare").get(url(10**9)), 404)
    assert ok(api("revisor").get(url(lf_one.pk)))["number"] == lf_one.number


def test_list_filters_and_bad_filters(api):
    client = api("revisor")
    assert listed(client, {"purchaser": "tf"}) == expected(purchaser__code="TF")
    assert listed(client, {"route": "direct_award"}) == expected(route="direct_award")
    deviations = listed(client, {"deviation": "true"})
    assert deviations and deviations == expected(decision__deviation=True)
    followed = listed(client, {"deviation": "false"})
    assert set(followed) == set(expected()) - set(deviations)
    assert listed(client, {"date_from": "2026-05-01", "date_to": "2026-08-31"}) == expected(
        need_date__gte=datetime.date(2026, 5, 1), need_date__lte=datetime.date(2026, 8, 31)
    )
    assert listed(client, {"purchaser": "NOPE"}) == []

    assert fields(bad_request(client.get(BASE, {"route": "nope"}))) == {"route"}
    assert fields(bad_request(client.get(BASE, {"deviation": "maybe"}))) == {"deviation"}
    assert fields(bad_request(client.get(BASE, {"date_from": "igår"}))) == {"date_from"}
    body = bad_request(client.get(BASE, {"date_from": "2026-05-01", "date_to": "2026-04-01"}))
    assert fields(body) == {"date_to"}


def test_list_rows_carry_the_decision(api):
    rows = ok(api("revisor").get(BASE, {"deviation": "true"}))["results"]
    row = rows[0]
    decision = RouteDecision.objects.get(assessment_id=row["id"])
    assert row["decision"] == {"chosen_route": decision.chosen_route, "deviation": True}
    assert row["decision"]["chosen_route"] != row["route"]
    assert row["rule_set"]["name"] == defaults.NAME


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        ok(client.get(path))
    return len(queries)


def test_the_lists_read_a_fixed_number_of_queries(api):
    tf, reader = api("tf.bestallare"), api("revisor")
    for client in (tf, reader):
        client.get(BASE)  # the token's first use records last_used_at
    before = {name: _queries(client, BASE) for name, client in (("tf", tf), ("all", reader))}
    rules_before = _queries(reader, RULE_SETS)
    frameworks_before = _queries(reader, FRAMEWORKS)
    actor = User.objects.get(username="tf.bestallare")
    for n in range(4):
        assessment = services.assessment_create(actor=actor, data=need(one_off_value_sek=1000 + n))
        services.decision_record(
            actor=actor,
            assessment=assessment,
            chosen_route="national_procedure",
            justification="Vi vill ha fler anbud än en direktupphandling ger.",
        )
    owner = Unit.objects.get(code="KS")
    services.rule_set_create(actor=None, name="Ytterligare riktlinje", owner=owner)
    services.framework_create(
        actor=None,
        reference="RA-TEST-1",
        title="Testavtal",
        supplier="Test AB",
        category="supplies",
        cpv_code="30200000-1",
        valid_from=datetime.date(2026, 1, 1),
        valid_to=datetime.date(2027, 1, 1),
    )
    after = {name: _queries(client, BASE) for name, client in (("tf", tf), ("all", reader))}
    assert after == before
    assert _queries(reader, RULE_SETS) == rules_before
    assert _queries(reader, FRAMEWORKS) == frameworks_before


def test_the_detail_shows_decision_reviews_and_comparisons(api, django_assert_max_num_queries):
    deviation = RouteDecision.objects.filter(deviation=True).select_related("assessment").first()
    oversight = User.objects.get(username="ks.uppsikt")
    services.deviation_review(actor=oversight, decision=deviation, note="Motiveringen godtas.")
    client = api("revisor")
    client.get(url(deviation.assessment_id))  # the token's first use records last_used_at
    # The user and token, their roles, the assessment, its decision, reviews, comparisons.
    with django_assert_max_num_queries(6):
        body = ok(client.get(url(deviation.assessment_id)))
    assert body["decision"]["deviation"] is True
    assert body["decision"]["justification"] == deviation.justification
    assert body["decision"]["chosen_route"] == deviation.chosen_route
    assert body["reviews"][0]["note"] == "Motiveringen godtas."
    assert body["reviews"][0]["reviewed_by_username"] == "ks.uppsikt"

    compared = RouteAssessment.objects.filter(comparisons__isnull=False).first()
    body = ok(api("tf.bestallare").get(url(compared.pk)))
    comparison = body["comparisons"][0]
    assert comparison["supplier"] == "Exempelmätning AB"
    figures = compared.comparisons.first().figures
    assert comparison["figures"]["group_effect"] == f"{figures.group_effect:.2f}"


# --- The decision ---------------------------------------------------------------------------------
def test_the_purchaser_follows_or_deviates_once(api):
    tf = api("tf.bestallare")
    body = ok(tf.post(BASE, need()), 201)
    follow = ok(tf.post(url(body["id"], "decision"), {"chosen_route": body["route"]}), 201)
    assert follow["decision"]["deviation"] is False
    assert follow["decision"]["decided_by_username"] == "tf.bestallare"
    before = saved()
    problem(tf.post(url(body["id"], "decision"), {"chosen_route": body["route"]}), 404)
    assert saved() == before  # recorded once

    other = ok(tf.post(BASE, need()), 201)
    path = url(other["id"], "decision")
    assert fields(bad_request(tf.post(path, {"chosen_route": "eu_procedure"}))) == {"justification"}
    assert fields(bad_request(tf.post(path, {"chosen_route": "somewhere"}))) == {"chosen_route"}
    assert fields(bad_request(tf.post(path, {}))) == {"chosen_route"}
    assert not RouteDecision.objects.filter(assessment_id=other["id"]).exists()
    justification = "Leverantören på direktupphandlingen kan inte leverera i tid."
    data = {"chosen_route": "national_procedure", "justification": justification}
    decided = ok(api("tf.ombud").post(path, data), 201)
    assert decided["decision"]["deviation"] is True
    assert decided["decision"]["justification"] == justification
    event = AuditEvent.objects.get(
        action="procurement.assessment.decide", object_id=str(other["id"])
    )
    assert event.source == AuditEvent.Source.API
    assert listed(api("revisor"), {"deviation": "true"})[0] == other["number"]


def test_readers_and_other_units_cannot_decide(api):
    body = ok(api("tf.bestallare").post(BASE, need()), 201)
    path = url(body["id"], "decision")
    clients = [api(name) for name in ("revisor", "ks.uppsikt", "admin", "lf.bestallare", "sk.chef")]
    before = saved()
    for client in clients:
        problem(client.post(path, {"chosen_route": body["route"]}), 404)
    assert saved() == before


# --- Rule sets and the framework register ---------------------------------------------------------
def test_rule_sets_list_their_versions(api):
    body = ok(api("sk.handlaggare").get(RULE_SETS))
    rule_set = next(row for row in body["results"] if row["name"] == defaults.NAME)
    assert rule_set["owner_code"] == "KS"
    versions = {v["number"]: v for v in rule_set["versions"]}
    assert [v["number"] for v in rule_set["versions"]] == sorted(versions, reverse=True)
    published = RuleSetVersion.objects.get(rule_set__name=defaults.NAME, number=1)
    assert versions[1]["status"] == "published" and versions[1]["in_force"] is True
    assert versions[1]["sha256"] == published.sha256 and versions[1]["valid_from"] == "2024-01-01"
    assert versions[1]["decision"] == published.decision
    assert versions[2]["status"] == "draft" and versions[2]["in_force"] is False


def test_a_version_shows_its_rules_and_examples(api):
    published = RuleSetVersion.objects.get(rule_set__name=defaults.NAME, number=1)
    body = ok(api("lf.bestallare").get(f"{VERSIONS}{published.pk}/"))
    assert body["name"] == defaults.NAME and body["number"] == 1 and body["based_on"] is None
    assert body["status"] == "published" and body["sha256"] == published.sha256
    keys = [rule["key"] for rule in body["rules"]]
    assert keys == [rule["key"] for rule in defaults.RULES]
    assert [rule["priority"] for rule in body["rules"]] == sorted(
        r["priority"] for r in body["rules"]
    )
    first = body["rules"][0]
    assert set(first) == {
        "priority",
        "key",
        "conditions",
        "route",
        "explanation",
        "legal_basis",
        "clause",
    }
    assert first["conditions"] == defaults.RULES[0]["conditions"]
    assert len(body["examples"]) == len(defaults.EXAMPLES)
    example = body["examples"][0]
    assert set(example) == {"name", "need", "expected_route", "expected_law"}

    draft = RuleSetVersion.objects.get(rule_set__name=defaults.NAME, number=2)
    body = ok(api("revisor").get(f"{VERSIONS}{draft.pk}/"))
    assert body["status"] == "draft" and body["based_on"] == 1
    assert "bygg-annonseras" in [rule["key"] for rule in body["rules"]]
    problem(api("revisor").get(f"{VERSIONS}{10**9}/"), 404)
    problem(api("revisor").get(f"{VERSIONS}{2**70}/"), 404)
    problem(api("revisor").get(url(2**70)), 404)


def test_the_framework_register_on_a_day(api):
    client = api("krisledning")
    body = ok(client.get(FRAMEWORKS))
    assert body["count"] == FrameworkAgreement.objects.count()
    assert {row["reference"] for row in body["results"]} >= {"RA-2024-IT-01", "RA-2023-MOB-02"}
    on_day = ok(client.get(FRAMEWORKS, {"date": "2023-10-01"}))["results"]
    assert [row["reference"] for row in on_day] == ["RA-2023-MOB-02"]
    row = on_day[0]
    assert row["supplier"] and row["category"] == "supplies" and row["valid_to"] == "2026-08-31"
    assert fields(bad_request(client.get(FRAMEWORKS, {"date": "snart"}))) == {"date"}


def test_the_schema_names_the_categories_of_a_need():
    from ordna.api.route_serializers import CATEGORY_CHOICES
    from ordna.procurement.assess import CATEGORIES

    assert tuple(value for value, _label in CATEGORY_CHOICES) == CATEGORIES


# --- The answers match the committed schema -------------------------------------------------------
def _nullable(node):
    """OpenAPI 3.0 `nullable` as JSON Schema: also null."""
    if isinstance(node, dict):
        node = {k: _nullable(v) for k, v in node.items()}
        if node.pop("nullable", False):
            return {"anyOf": [node, {"type": "null"}]}
        return node
    if isinstance(node, list):
        return [_nullable(v) for v in node]
    return node


def _validator(component: str):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    root = {"components": _nullable(schema["components"])}
    return lambda body: jsonschema.validate(
        body, {**root, "$ref": f"#/components/schemas/{component}"}
    )


def test_answers_conform_to_the_schema(api):
    receipt = _validator("Receipt")
    detail = _validator("RouteAssessmentDetail")
    tf, admin = api("tf.bestallare"), api("admin")
    plain = ok(tf.post(EVALUATE, need()))
    receipt(plain)
    with pytest.raises(jsonschema.ValidationError):  # the check does check
        receipt({**plain, "route": "elsewhere"})
    receipt(ok(admin.post(EVALUATE, need(purchaser="LF", category="works"))))
    receipt(ok(tf.post(EVALUATE, need(service_code="IT-ARBETSPLATS", one_off_value_sek=5000))))
    receipt(ok(tf.post(EVALUATE, need(cpv_code="30213000", category="supplies"))))
    for data in company_needs():
        receipt(ok(admin.post(EVALUATE, data)))
    ok(tf.post(BASE, need(one_off_value_sek=650000)), 201)
    warned = ok(tf.post(EVALUATE, need(one_off_value_sek=90000)))
    assert warned["warnings"]
    receipt(warned)
    for row in RouteAssessment.objects.all():
        detail(ok(admin.get(url(row.pk))))
    _validator("RuleSetVersion")(ok(admin.get(f"{VERSIONS}{RuleSetVersion.objects.first().pk}/")))
    rule_sets = _validator("PaginatedRuleSetList")
    rule_sets(ok(admin.get(RULE_SETS)))
    _validator("PaginatedFrameworkAgreementList")(ok(admin.get(FRAMEWORKS)))
    _validator("PaginatedRouteAssessmentList")(ok(admin.get(BASE)))
    assert RuleSet.objects.exists()
