"""The rule-set pages: the versions, the decision table with its checks and example cases,
editing a draft (rules with their conditions as rows, example cases as JSON), publishing,
a new draft from a published version, and what-if replays — through the browser's
requests on the Borås demo (published version 1, draft version 2 with the rule
"bygg-annonseras", which fails one example case on purpose)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext, override

from ordna.accounts.models import User
from ordna.procurement import defaults, guideline, selectors, services, tasks, views_rules
from ordna.procurement.models import Replay, RouteAssessment, RuleSetVersion

MANAGERS = ["ks.uppsikt", "admin"]
NOT_MANAGERS = ["tf.bestallare", "sk.chef", "revisor", "registrator"]


def version(number: int) -> RuleSetVersion:
    return RuleSetVersion.objects.get(rule_set__name=defaults.NAME, number=number)


def sv(message: str) -> str:
    """A message as the page shows it: in Swedish, HTML-escaped."""
    with override("sv"):
        return escape(gettext(message))


def in_sv(function, *args) -> str:
    with override("sv"):
        return escape(function(*args))


def url(name: str, *args) -> str:
    return reverse(f"procurement:{name}", args=args)


def rule_post(**overrides) -> dict:
    data = {
        "priority": "57",
        "key": "mobler-avrop",
        "route": "framework_call_off",
        "explanation": "Möbler köps alltid genom avrop.",
        "legal_basis": "{law} 7 kap.",
        "clause": "3.6 b",
        "cond_1_field": "category",
        "cond_1_op": "in",
        "cond_1_value": "supplies, works",
        "cond_2_field": "framework_agreement",
        "cond_2_op": "eq",
        "cond_2_value": "true",
    }
    data.update(overrides)
    return data


FAILING = {
    "name": "Ett litet köp som sägs gå till EU-upphandling",
    "need": {"purchaser": "TF", "category": "services", "one_off_value_sek": 50000},
    "expected_route": "eu_procedure",
    "expected_law": "LOU",
}


def add_failing_example(draft) -> str:
    services.draft_example_save(actor=User.objects.get(username="admin"), version=draft, **FAILING)
    return FAILING["name"]


def remove_failing_examples(draft) -> None:
    """Whatever the demo's draft says today, leave only example cases that pass."""
    for result in selectors.examples_with_results(draft, run=True):
        if not result["result"].passed:
            services.draft_example_delete(
                actor=User.objects.get(username="admin"), version=draft, example_id=result["pk"]
            )


def form_errors(response) -> dict:
    return response.context["form"].errors


# --- reading ------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["tf.bestallare", "revisor", "ks.uppsikt"])
def test_every_reader_sees_the_rule_sets_versions_and_guideline(client, demo, login_as, username):
    login_as(username)
    published, draft = version(1), version(2)
    page = client.get(url("rule_set_list")).content.decode()
    assert defaults.NAME in page
    assert published.sha256[:12] in page
    assert published.decision in page
    for target in (
        url("rule_set_detail", published.rule_set_id),
        url("version_detail", published.pk),
        url("version_detail", draft.pk),
        url("guideline", published.pk),
        url("example_results", published.pk),
    ):
        assert client.get(target).status_code == 200, target


def test_version_page_shows_the_decision_table_in_words(client, demo, login_as):
    login_as("tf.bestallare")
    draft = version(2)
    page = client.get(url("version_detail", draft.pk)).content.decode()
    for rule in draft.rules.all():
        assert f"<code>{rule.key}</code>" in page
        assert rule.explanation in page
    condition = {"field": "relation", "op": "eq", "value": "same_legal_person"}
    assert in_sv(guideline.condition_text, condition) in page
    # Readers change nothing: no edit links, no publish button.
    assert url("rule_add", draft.pk) not in page
    assert url("version_publish", draft.pk) not in page


def test_managers_get_the_edit_buttons_only_on_the_draft(client, demo, login_as):
    login_as("ks.uppsikt")
    published, draft = version(1), version(2)
    page = client.get(url("version_detail", draft.pk)).content.decode()
    assert url("rule_add", draft.pk) in page
    assert url("example_add", draft.pk) in page
    assert url("version_publish", draft.pk) in page
    assert url("replay_start", draft.pk) in page
    page = client.get(url("version_detail", published.pk)).content.decode()
    assert url("rule_add", published.pk) not in page
    assert url("draft_create", published.pk) in page


@pytest.mark.parametrize("username", NOT_MANAGERS)
def test_the_edit_pages_are_404_for_everyone_else(client, demo, login_as, username):
    login_as(username)
    draft = version(2)
    rule = draft.rules.first()
    example = draft.examples.first()
    for target in (
        url("rule_add", draft.pk),
        url("rule_edit", draft.pk, rule.pk),
        url("rule_delete", draft.pk, rule.pk),
        url("example_add", draft.pk),
        url("example_edit", draft.pk, example.pk),
        url("example_delete", draft.pk, example.pk),
        url("version_publish", draft.pk),
        url("draft_create", version(1).pk),
        url("replay_start", draft.pk),
    ):
        assert client.get(target).status_code == 404, target
        assert client.post(target, {}).status_code == 404, target
    assert draft.rules.count() == 8 + 1


def test_missing_versions_are_404(client, demo, login_as):
    login_as("admin")
    for name in ("version_detail", "guideline", "guideline_pdf", "example_results"):
        assert client.get(url(name, 999999)).status_code == 404
    assert client.get(url("rule_edit", version(2).pk, 999999)).status_code == 404
    # A rule of another version is not this draft's.
    other = version(1).rules.first()
    assert client.get(url("rule_edit", version(2).pk, other.pk)).status_code == 404


def test_problems_are_listed_on_a_draft(client, demo, login_as):
    admin = login_as("admin")
    draft = version(2)
    # A rule that catches every need before the value rules: they become unreachable.
    services.draft_rule_save(
        actor=admin,
        version=draft,
        data={
            "priority": 45,
            "key": "allt-direkt",
            "conditions": [],
            "route": "direct_award",
            "explanation": "Allt direktupphandlas.",
        },
    )
    page = client.get(url("version_detail", draft.pk)).content.decode()
    assert 'data-color="warning"' in page
    for key in ("smakop", "direktupphandling", "under-troskelvarde", "over-troskelvarde"):
        assert f"<strong>{key}</strong>: rule {key} is shadowed by earlier rules" in page


def test_example_results_show_pass_and_fail(client, demo, login_as):
    draft = version(2)
    remove_failing_examples(draft)
    name = add_failing_example(draft)
    login_as("revisor")
    response = client.get(url("example_results", draft.pk))
    page = response.content.decode()
    assert page.count(f"<strong>{sv('Fails')}</strong>") == 1
    assert page.count(f"<strong>{sv('Passes')}</strong>") == draft.examples.count() - 1
    assert escape(name) in page
    assert in_sv(guideline.route_label, "direct_award") in page  # what it gave instead
    # The version page loads them after itself; asked by htmx, only the table comes back.
    partial = client.get(url("example_results", draft.pk), HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode()
    assert 'id="example-cases"' in partial.content.decode()


# --- query budgets --------------------------------------------------------------------------


def _queries(client, target, django_assert_max_num_queries, budget):
    client.get(target)  # the first request after signing in renews the session
    with django_assert_max_num_queries(budget) as captured:
        response = client.get(target)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_query_budgets_do_not_grow_with_rules(
    client, demo, login_as, django_assert_max_num_queries
):
    admin = login_as("admin")
    draft, published = version(2), version(1)
    pages = {
        "list": url("rule_set_list"),
        "draft": url("version_detail", draft.pk),
        "published": url("version_detail", published.pk),
        "guideline": url("guideline", draft.pk),
        "replay": None,
    }
    replay = services.replay_start(
        actor=admin,
        version=draft,
        period_from=datetime.date(2026, 1, 1),
        period_to=datetime.date(2026, 12, 31),
    )
    tasks.replay_run.call(job_id=str(replay.job_id), replay_id=replay.pk)
    pages["replay"] = url("replay_detail", replay.pk)
    before = {k: _queries(client, u, django_assert_max_num_queries, 7) for k, u in pages.items()}
    for n in range(25):
        services.draft_rule_save(
            actor=admin,
            version=draft,
            data={
                "priority": 100 + n,
                "key": f"extra-{n}",
                "conditions": [{"field": "category", "op": "eq", "value": "works"}],
                "route": "eu_procedure",
                "explanation": f"Extra regel {n}.",
            },
        )
        services.draft_example_save(
            actor=admin,
            version=draft,
            name=f"Extra {n}",
            need={"purchaser": "TF", "category": "works", "one_off_value_sek": 50000},
            expected_route="direct_award",
        )
    after = {k: _queries(client, u, django_assert_max_num_queries, 7) for k, u in pages.items()}
    assert after == before, (before, after)


# --- rules -----------------------------------------------------------------------------------


def test_a_rule_is_added_with_its_conditions_parsed(client, demo, login_as):
    login_as("ks.uppsikt")
    draft = version(2)
    response = client.post(url("rule_add", draft.pk), rule_post())
    assert response.status_code == 302
    assert response["Location"].startswith(url("version_detail", draft.pk))
    rule = draft.rules.get(key="mobler-avrop")
    assert rule.priority == 57
    assert rule.route == "framework_call_off"
    assert rule.conditions == [
        {"field": "category", "op": "in", "value": ["supplies", "works"]},
        {"field": "framework_agreement", "op": "eq", "value": True},
    ]


def test_the_rule_form_takes_labels_and_yes_no(client, demo, login_as):
    login_as("ks.uppsikt")
    draft = version(2)
    with override("sv"):
        label = str(guideline.VALUE_LABELS["relation"]["controlled_company"])
    response = client.post(
        url("rule_add", draft.pk),
        rule_post(
            cond_1_field="relation",
            cond_1_op="ne",
            cond_1_value=label.upper(),
            cond_2_value="ja",
        ),
    )
    assert response.status_code == 302
    rule = draft.rules.get(key="mobler-avrop")
    assert rule.conditions == [
        {"field": "relation", "op": "ne", "value": "controlled_company"},
        {"field": "framework_agreement", "op": "eq", "value": True},
    ]


def test_editing_a_rule_shows_its_conditions_and_saves_the_change(client, demo, login_as):
    login_as("admin")
    draft = version(2)
    rule = draft.rules.get(key="bygg-annonseras")
    page = client.get(url("rule_edit", draft.pk, rule.pk))
    form = page.context["form"]
    assert form["cond_1_field"].value() == "category"
    assert form["cond_1_value"].value() == "works"
    assert form["cond_3_value"].value() == "below_direct_award_limit"
    data = {
        "priority": "55",
        "key": "bygg-annonseras",
        "route": "national_procedure",
        "explanation": "Ändrad förklaring.",
        "legal_basis": "{law} 19 kap.",
        "clause": "3.6 a",
        "cond_1_field": "category",
        "cond_1_op": "eq",
        "cond_1_value": "works",
    }
    assert client.post(url("rule_edit", draft.pk, rule.pk), data).status_code == 302
    rule.refresh_from_db()
    assert rule.explanation == "Ändrad förklaring."
    assert rule.conditions == [{"field": "category", "op": "eq", "value": "works"}]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"cond_1_field": "colour"}, "cond_1_field"),  # unknown field
        ({"cond_2_op": "like"}, "cond_2_op"),  # unknown operator
        ({"cond_1_value": "food"}, "cond_1_value"),  # not in the field's domain
        ({"cond_2_value": "maybe"}, "cond_2_value"),  # not a boolean
        ({"cond_1_op": "eq"}, "cond_1_value"),  # a list with "is"
        ({"cond_1_value": ""}, "cond_1_value"),  # a field without a value
        ({"cond_3_value": "works"}, "cond_3_field"),  # a value without a field
        ({"route": ""}, "route"),  # missing route
        ({"route": "teleport"}, "route"),
        ({"priority": "10"}, "priority"),  # rule "internt" has it
        ({"key": "internt"}, "key"),
        ({"key": "Stora Bokstäver"}, "key"),
        ({"explanation": ""}, "explanation"),
    ],
)
def test_rule_form_errors_name_the_field_and_save_nothing(client, demo, login_as, overrides, field):
    login_as("ks.uppsikt")
    draft = version(2)
    before = list(draft.rules.values_list("key", "priority", "conditions"))
    response = client.post(url("rule_add", draft.pk), rule_post(**overrides))
    assert response.status_code == 200
    errors = form_errors(response)
    assert field in errors, errors
    page = response.content.decode()
    assert 'id="error-summary"' in page
    assert f'href="#id_{field}"' in page  # the summary links to the field at fault
    assert list(draft.rules.values_list("key", "priority", "conditions")) == before


def test_a_bad_value_error_lists_the_allowed_values(client, demo, login_as):
    login_as("ks.uppsikt")
    response = client.post(url("rule_add", version(2).pk), rule_post(cond_1_value="food"))
    message = form_errors(response)["cond_1_value"][0]
    assert "food" in message
    assert "social_services" in message


def test_a_rule_is_removed_from_the_draft(client, demo, login_as):
    login_as("admin")
    draft = version(2)
    rule = draft.rules.get(key="bygg-annonseras")
    assert client.get(url("rule_delete", draft.pk, rule.pk)).status_code == 200
    assert client.post(url("rule_delete", draft.pk, rule.pk)).status_code == 302
    assert not draft.rules.filter(key="bygg-annonseras").exists()
    assert version(1).rules.count() == 8  # the published version keeps its rules


# --- example cases ---------------------------------------------------------------------------


def example_post(**overrides) -> dict:
    data = {
        "name": "Litet köp av möbler",
        "need": '{"date": "2026-03-01", "purchaser": "TF", "category": "supplies", '
        '"one_off_value_sek": 40000}',
        "expected_route": "direct_award",
        "expected_law": "LOU",
    }
    data.update(overrides)
    return data


def test_an_example_case_is_added(client, demo, login_as):
    login_as("ks.uppsikt")
    draft = version(2)
    assert client.post(url("example_add", draft.pk), example_post()).status_code == 302
    example = draft.examples.get(name="Litet köp av möbler")
    assert example.need["one_off_value_sek"] == 40000
    page = client.get(url("example_edit", draft.pk, example.pk))
    assert '"one_off_value_sek": 40000' in page.context["form"]["need"].value()


def test_an_example_case_is_changed(client, demo, login_as):
    login_as("ks.uppsikt")
    draft = version(2)
    example = draft.examples.first()
    response = client.post(
        url("example_edit", draft.pk, example.pk), example_post(name="Ändrat namn")
    )
    assert response.status_code == 302, form_errors(response)
    example.refresh_from_db()
    assert example.name == "Ändrat namn"


@pytest.mark.parametrize(
    ("need", "words"),
    [
        ('{"purchaser": "TF", ', ["JSON", "1"]),  # the line of the fault
        ("[1, 2]", ["JSON"]),
        (
            '{"purchaser": "TF", "category": "supplies", "one_off_value_sek": 1, "cost": 5}',
            ["cost"],
        ),
        ('{"purchaser": "TF", "category": "food", "one_off_value_sek": 1}', ["category"]),
        ('{"purchaser": "TF", "category": "supplies"}', ["one_off_value_sek"]),
    ],
)
def test_a_bad_need_is_refused_naming_the_key(client, demo, login_as, need, words):
    login_as("ks.uppsikt")
    draft = version(2)
    count = draft.examples.count()
    response = client.post(url("example_add", draft.pk), example_post(need=need))
    assert response.status_code == 200
    message = " ".join(form_errors(response)["need"])
    for word in words:
        assert word in message
    assert draft.examples.count() == count


def test_an_example_case_is_removed(client, demo, login_as):
    login_as("admin")
    draft = version(2)
    example = draft.examples.first()
    assert client.post(url("example_delete", draft.pk, example.pk)).status_code == 302
    assert not draft.examples.filter(pk=example.pk).exists()


# --- publishing ------------------------------------------------------------------------------


def test_publishing_is_refused_while_an_example_fails(client, demo, login_as):
    login_as("ks.uppsikt")
    draft = version(2)
    name = add_failing_example(draft)
    response = client.post(
        url("version_publish", draft.pk),
        {"valid_from": "2027-01-01", "decision": "KS 2026-12-01 § 1"},
    )
    assert response.status_code == 200
    errors = form_errors(response)
    assert name in " ".join(errors["__all__"])
    draft.refresh_from_db()
    assert draft.is_draft and not draft.sha256


def test_publishing_needs_a_date_after_the_version_in_force(client, demo, login_as):
    login_as("ks.uppsikt")
    draft = version(2)
    remove_failing_examples(draft)
    response = client.post(
        url("version_publish", draft.pk), {"valid_from": "2023-06-01", "decision": "KS"}
    )
    assert "valid_from" in form_errors(response)
    response = client.post(url("version_publish", draft.pk), {"valid_from": "", "decision": ""})
    assert set(form_errors(response)) == {"valid_from", "decision"}
    assert version(2).is_draft


def test_a_draft_is_published_and_then_never_changes(client, demo, login_as):
    admin = login_as("admin")
    draft = version(2)
    remove_failing_examples(draft)
    assert client.get(url("version_publish", draft.pk)).status_code == 200
    response = client.post(
        url("version_publish", draft.pk),
        {"valid_from": "2027-01-01", "decision": "Kommunstyrelsen 2026-12-14 § 301"},
    )
    assert response.status_code == 302
    assert response["Location"] == url("version_detail", draft.pk)
    published = version(2)
    assert not published.is_draft
    assert len(published.sha256) == 64
    assert published.valid_from == datetime.date(2027, 1, 1)
    assert published.published_by == admin
    # Immutable: its edit pages are gone and the service refuses.
    rule = published.rules.first()
    example = published.examples.first()
    for target in (
        url("rule_add", published.pk),
        url("rule_edit", published.pk, rule.pk),
        url("rule_delete", published.pk, rule.pk),
        url("example_add", published.pk),
        url("example_delete", published.pk, example.pk),
        url("version_publish", published.pk),
    ):
        assert client.get(target).status_code == 404, target
        assert client.post(target, rule_post()).status_code == 404, target
    with pytest.raises(ValidationError):
        services.draft_rule_save(actor=admin, version=published, data=rule_post())
    page = client.get(url("version_detail", published.pk)).content.decode()
    assert published.sha256 in page
    assert url("rule_add", published.pk) not in page
    # The next change starts as a new draft, a copy of it.
    response = client.post(url("draft_create", published.pk))
    assert response.status_code == 302
    new = version(3)
    assert response["Location"] == url("version_detail", new.pk)
    assert new.is_draft and new.based_on_id == published.pk
    assert new.rules.count() == published.rules.count()
    assert new.examples.count() == published.examples.count()


def test_a_second_draft_is_refused_on_the_form(client, demo, login_as):
    login_as("ks.uppsikt")
    response = client.post(url("draft_create", version(1).pk))
    assert response.status_code == 200
    assert form_errors(response)["__all__"]
    assert RuleSetVersion.objects.filter(rule_set__name=defaults.NAME).count() == 2
    assert client.get(url("draft_create", version(2).pk)).status_code == 404


# --- what-if replay ----------------------------------------------------------------------------


def test_a_replay_lists_the_changed_cases(client, demo, login_as):
    login_as("ks.uppsikt")
    draft = version(2)
    response = client.post(
        url("replay_start", draft.pk), {"period_from": "2026-01-01", "period_to": "2026-12-31"}
    )
    assert response.status_code == 302
    replay = Replay.objects.get(rule_set_version=draft)
    assert response["Location"] == url("replay_detail", replay.pk)
    # Before the worker has run: the progress, polled by htmx.
    page = client.get(url("replay_detail", replay.pk)).content.decode()
    assert 'hx-trigger="every 1s"' in page
    tasks.replay_run.call(job_id=str(replay.job_id), replay_id=replay.pk)
    page = client.get(url("replay_detail", replay.pk)).content.decode()
    assert 'hx-trigger="every 1s"' not in page
    changed = RouteAssessment.objects.get(description="Ny belysning i Boråshallen")
    assert f'href="{url("assessment_detail", changed.pk)}">{changed.number}</a>' in page
    assert in_sv(guideline.route_label, "direct_award") in page
    assert in_sv(guideline.route_label, "national_procedure") in page
    assert "<code>bygg-annonseras</code>" in page
    partial = client.get(url("replay_detail", replay.pk), HTTP_HX_REQUEST="true").content
    assert b"<html" not in partial and changed.number.encode() in partial
    # The version page lists the replay.
    page = client.get(url("version_detail", draft.pk)).content.decode()
    assert url("replay_detail", replay.pk) in page


def test_a_replay_with_many_changes_is_paginated(client, demo, login_as, monkeypatch):
    admin = login_as("admin")
    lf = User.objects.get(username="lf.bestallare")
    for n in range(4):
        services.assessment_create(
            actor=lf,
            data={
                "date": f"2026-0{n + 1}-15",
                "purchaser": "LF",
                "category": "works",
                "description": f"Målning {n}",
                "one_off_value_sek": 150000 + n,
            },
        )
    replay = services.replay_start(
        actor=admin,
        version=version(2),
        period_from=datetime.date(2026, 1, 1),
        period_to=datetime.date(2026, 12, 31),
    )
    tasks.replay_run.call(job_id=str(replay.job_id), replay_id=replay.pk)
    replay.refresh_from_db()
    assert replay.changed == 5
    monkeypatch.setattr(views_rules, "CHANGES_PER_PAGE", 2)
    first = client.get(url("replay_detail", replay.pk)).content.decode()
    last = client.get(url("replay_detail", replay.pk) + "?page=3").content.decode()
    numbers = [c[1] for c in replay.changes]
    assert numbers[0] in first and numbers[-1] not in first
    assert numbers[-1] in last and numbers[0] not in last
    assert "page=2" in first


def test_a_replay_period_in_the_wrong_order_is_refused(client, demo, login_as):
    login_as("ks.uppsikt")
    response = client.post(
        url("replay_start", version(2).pk),
        {"period_from": "2026-12-31", "period_to": "2026-01-01"},
    )
    assert response.status_code == 200
    assert "period_to" in form_errors(response)
    assert not Replay.objects.exists()


@pytest.mark.parametrize("username", ["tf.bestallare", "sk.chef"])
def test_a_replay_is_not_for_purchasers_or_the_provider(client, demo, login_as, username):
    replay = services.replay_start(
        actor=User.objects.get(username="admin"),
        version=version(2),
        period_from=datetime.date(2026, 1, 1),
        period_to=datetime.date(2026, 12, 31),
    )
    login_as(username)
    assert client.get(url("replay_detail", replay.pk)).status_code == 404
    page = client.get(url("version_detail", version(2).pk)).content.decode()
    assert url("replay_detail", replay.pk) not in page
    login_as("revisor")
    assert client.get(url("replay_detail", replay.pk)).status_code == 200
