"""The rule for call-offs above an agreement's volume (stop / warn / ignore): who may set
it (ADR 0012), the service's checks and audit, the page, the API, and that the order
workflow follows the rule that was set.

On the Borås demo: 2026-002 is TF's active agreement with SK (signed by sk.chef and
tf.ombud); 2026-003 is LF's, still in negotiation.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from ordna.accounts import access
from ordna.accounts.models import User
from ordna.agreements import services
from ordna.agreements.models import Agreement
from ordna.audit.models import AuditEvent
from ordna.core.exceptions import StaleEdit
from tests.test_api import Api, bad_request, fields, problem

ACTION = "agreements.agreement.volume_policy"


def agreement(number: str) -> Agreement:
    return Agreement.objects.get(number=number)


def user(username: str) -> User:
    return User.objects.get(username=username)


def policy_events(row: Agreement):
    return AuditEvent.objects.filter(action=ACTION, object_id=str(row.pk))


# --- Who may set it --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("username", "signed", "negotiated"),
    [
        ("sk.chef", True, True),  # signs for the provider; negotiates too
        ("sk.handlaggare", False, True),  # negotiates for the provider, does not sign
        ("tf.ombud", True, False),  # signs for TF; LF's agreement is not TF's
        ("lf.ombud", False, True),  # negotiates LF's agreement
        ("tf.bestallare", False, False),  # orders; neither negotiates nor signs
        ("revisor", False, False),  # auditors write nothing
        ("ks.uppsikt", False, False),  # oversight reads
        ("admin", False, False),  # the agreement is the parties' business
    ],
)
def test_who_may_set_the_rule(demo, username, signed, negotiated):
    person = user(username)
    assert access.can_set_volume_policy(person, agreement("2026-002")) is signed
    assert access.can_set_volume_policy(person, agreement("2026-003")) is negotiated


# --- The service ----------------------------------------------------------------------------
def test_an_open_agreement_takes_the_rule_without_a_reason(demo):
    row = agreement("2026-003")
    assert row.volume_policy == "warn"
    saved = services.volume_policy_set(
        actor=user("sk.handlaggare"), agreement=row, version=row.version, volume_policy="stop"
    )
    assert saved.volume_policy == "stop" and saved.version == row.version + 1
    event = policy_events(row).get()
    assert event.before["volume_policy"] == "warn" and event.after["volume_policy"] == "stop"
    assert event.actor_username == "sk.handlaggare"

    # The same rule again changes nothing: no new version, no event.
    again = services.volume_policy_set(
        actor=user("sk.handlaggare"), agreement=row, version=saved.version, volume_policy="stop"
    )
    assert again.version == saved.version and policy_events(row).count() == 1


def test_an_agreed_agreement_needs_a_reason(demo):
    row = agreement("2026-002")
    with pytest.raises(ValidationError) as refused:
        services.volume_policy_set(
            actor=user("sk.chef"), agreement=row, version=row.version, volume_policy="stop"
        )
    assert refused.value.message_dict == {
        "reason": [
            _(
                "The agreement is already agreed: say why the rule changes, "
                "so that the other side can see it."
            )
        ]
    }
    saved = services.volume_policy_set(
        actor=user("tf.ombud"),
        agreement=row,
        version=row.version,
        volume_policy="stop",
        reason="  Budgeten räcker inte till mer.  ",
    )
    assert saved.volume_policy == "stop"
    assert policy_events(row).get().reason == "Budgeten räcker inte till mer."


def test_bad_rule_stale_version_and_ended_agreement_are_refused(demo):
    row = agreement("2026-003")
    with pytest.raises(ValidationError) as refused:
        services.volume_policy_set(
            actor=user("sk.chef"), agreement=row, version=row.version, volume_policy="sometimes"
        )
    assert set(refused.value.message_dict) == {"volume_policy"}
    with pytest.raises(StaleEdit):
        services.volume_policy_set(
            actor=user("sk.chef"), agreement=row, version=row.version - 1, volume_policy="stop"
        )
    Agreement.objects.filter(pk=row.pk).update(status=Agreement.Status.TERMINATED)
    with pytest.raises(ValidationError) as refused:
        services.volume_policy_set(
            actor=user("sk.chef"), agreement=row, version=row.version, volume_policy="stop"
        )
    assert refused.value.messages == [_("The agreement has ended and cannot be changed.")]
    assert agreement("2026-003").volume_policy == "warn" and not policy_events(row).exists()


def test_orders_follow_the_rule_that_was_set(demo):
    from ordna.catalogue.models import Service
    from ordna.orders import services as orders
    from ordna.organisation.models import Unit

    orderer = user("tf.bestallare")
    order = orders.order_create(
        actor=orderer,
        purchaser=Unit.objects.get(code="TF"),
        provider=Unit.objects.get(code="SK"),
        title="Extra plogning",
        kind="call_off",
        service=Service.objects.get(code="VINTER"),
        lines=[{"description": "Plogning", "quantity": "5000"}],
    )
    assert orders.volume_status(order)["over"]
    row = agreement("2026-002")
    services.volume_policy_set(
        actor=user("sk.chef"),
        agreement=row,
        version=row.version,
        volume_policy="stop",
        reason="Volymen ska hållas.",
    )
    order.refresh_from_db()
    with pytest.raises(ValidationError):
        orders.transition(
            actor=orderer,
            order=order,
            name="submit",
            side="purchaser",
            roles={"orderer"},
            version=order.version,
        )
    row.refresh_from_db()
    services.volume_policy_set(
        actor=user("tf.ombud"),
        agreement=row,
        version=row.version,
        volume_policy="warn",
        reason="Vi godtar en varning.",
    )
    order.refresh_from_db()
    submitted = orders.transition(
        actor=orderer,
        order=order,
        name="submit",
        side="purchaser",
        roles={"orderer"},
        version=order.version,
    )
    assert submitted.state == "submitted"


# --- The page --------------------------------------------------------------------------------
def test_the_detail_page_shows_the_rule_and_offers_the_change_to_those_allowed(
    client, demo, login_as
):
    row = agreement("2026-002")
    link = reverse("agreements:volume_policy", args=[row.pk])
    login_as("sk.chef")
    page = client.get(row.get_absolute_url()).content.decode()
    assert str(row.get_volume_policy_display()) in page and link in page
    login_as("sk.handlaggare")
    page = client.get(row.get_absolute_url()).content.decode()
    assert str(row.get_volume_policy_display()) in page and link not in page
    assert client.get(link).status_code == 404


def test_the_page_asks_for_a_reason_once_agreed_then_saves(client, demo, login_as):
    row = agreement("2026-002")
    link = reverse("agreements:volume_policy", args=[row.pk])
    login_as("tf.ombud")
    page = client.get(link).content.decode()
    assert 'value="warn" selected' in page
    response = client.post(link, {"version": row.version, "volume_policy": "stop"})
    assert response.status_code == 200
    assert _(
        "The agreement is already agreed: say why the rule changes, "
        "so that the other side can see it."
    ) in response.content.decode().replace("&#x27;", "'")
    data = {"version": row.version, "volume_policy": "stop", "reason": "Budgeten är slut."}
    response = client.post(link, data)
    assert response.status_code == 302 and response["Location"] == row.get_absolute_url()
    assert agreement("2026-002").volume_policy == "stop"
    # The form the other signer opened before the change is now stale.
    response = client.post(link, {**data, "volume_policy": "ignore"})
    assert response.status_code == 200 and agreement("2026-002").volume_policy == "stop"


def test_the_negotiators_set_the_rule_of_an_open_agreement(client, demo, login_as):
    row = agreement("2026-003")
    link = reverse("agreements:volume_policy", args=[row.pk])
    login_as("sk.handlaggare")
    response = client.post(link, {"version": row.version, "volume_policy": "ignore"})
    assert response.status_code == 302
    assert agreement("2026-003").volume_policy == "ignore"
    login_as("tf.ombud")
    assert client.get(link).status_code == 404  # not TF's agreement


# --- The API ---------------------------------------------------------------------------------
def api_url(row: Agreement) -> str:
    return f"/api/v1/agreements/{row.pk}/volume-policy/"


def test_the_api_sets_the_rule(client, demo):
    row = agreement("2026-002")
    chef = Api(client, "sk.chef")
    assert chef.get(f"/api/v1/agreements/{row.pk}/").json()["volume_policy"] == "warn"
    data = {"volume_policy": "stop", "version": row.version, "reason": "Volymen ska hållas."}
    response = chef.post(api_url(row), data)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["volume_policy"] == "stop" and body["version"] == row.version + 1
    assert policy_events(row).get().source == AuditEvent.Source.API

    # Stale version: 409; the rule stays.
    body = problem(chef.post(api_url(row), {**data, "volume_policy": "ignore"}), 409)
    assert body["title"] == _("Conflict")
    assert agreement("2026-002").volume_policy == "stop"


def test_the_api_names_bad_fields_and_hides_from_those_not_allowed(client, demo):
    row = agreement("2026-002")
    chef = Api(client, "sk.chef")
    version = row.version
    assert fields(bad_request(chef.post(api_url(row), {"volume_policy": "stop"}))) == {"version"}
    bad = {"volume_policy": "often", "version": version}
    assert fields(bad_request(chef.post(api_url(row), bad))) == {"volume_policy"}
    no_reason = {"volume_policy": "stop", "version": version}
    assert fields(bad_request(chef.post(api_url(row), no_reason))) == {"reason"}
    data = {**no_reason, "reason": "Skäl"}
    for username in ("sk.handlaggare", "tf.bestallare", "lf.ombud", "revisor", "admin"):
        problem(Api(client, username).post(api_url(row), data), 404)
    assert agreement("2026-002").volume_policy == "warn" and not policy_events(row).exists()
