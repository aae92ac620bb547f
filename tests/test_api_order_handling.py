"""The orders API's provider acts that the pages had first: assigning an order to a
handler, and answering (and closing) a deviation. Same access as the pages — the other
side and those who may not see the order get 404 — problem details for bad input (400,
naming the field) and stale versions (409).

Requests authenticate with real API tokens; expected messages come from gettext.
"""

from __future__ import annotations

import pytest
from django.utils.translation import gettext as _

from ordna.accounts.models import User
from ordna.audit.models import AuditEvent
from ordna.orders import services
from ordna.orders.models import Deviation
from tests.test_api import Api, bad_request, fields, problem
from tests.test_api_orders import need, ok, url


@pytest.fixture
def api(client, demo):
    return lambda username: Api(client, username)


def events(obj, action: str):
    return AuditEvent.objects.filter(object_id=str(obj.pk), action=action)


# --- Assigning ---------------------------------------------------------------------------------
def test_the_provider_assigns_and_unassigns_a_handler(api):
    order = need()
    sk = api("sk.handlaggare")
    data = {"handler": "sk.chef", "version": order.version, "reason": "Chefen tar den."}
    body = ok(sk.post(url(order, "assign"), data))
    assert body["assigned_to_username"] == "sk.chef" and body["version"] == order.version + 1
    event = events(order, "orders.order.assign").get()
    assert event.source == AuditEvent.Source.API and event.reason == "Chefen tar den."
    assert event.after["assigned_to_id"] == User.objects.get(username="sk.chef").pk

    body = ok(sk.post(url(order, "assign"), {"handler": None, "version": body["version"]}))
    assert body["assigned_to_username"] is None
    assert events(order, "orders.order.assign").count() == 2


def test_assigning_someone_outside_the_provider_is_400_naming_handler(api):
    order = need()
    sk = api("sk.handlaggare")
    before = AuditEvent.objects.count()
    for handler in ("tf.bestallare", "nobody-by-this-name", "revisor"):
        body = bad_request(sk.post(url(order, "assign"), {"handler": handler, "version": 2}))
        assert body["errors"] == [
            {"field": "handler", "message": _("Choose someone who works for the provider.")}
        ]
    assert fields(bad_request(sk.post(url(order, "assign"), {"handler": "sk.chef"}))) == {"version"}
    assert fields(bad_request(sk.post(url(order, "assign"), {"version": 2}))) == {"handler"}
    order.refresh_from_db()
    assert order.assigned_to is None and AuditEvent.objects.count() == before


def test_a_stale_assignment_is_409_and_changes_nothing(api):
    order = need()
    data = {"handler": "sk.chef", "version": order.version - 1}
    body = problem(api("sk.chef").post(url(order, "assign"), data), 409)
    assert body["title"] == _("Conflict")
    order.refresh_from_db()
    assert order.assigned_to is None and not events(order, "orders.order.assign").exists()


def test_only_the_provider_assigns(api):
    order = need()
    data = {"handler": "sk.chef", "version": order.version}
    # The purchaser reads the order but does not act for the provider; the auditor
    # only reads; another administration does not see it: all answer like missing.
    for username in ("tf.bestallare", "tf.ombud", "revisor", "admin", "lf.bestallare"):
        problem(api(username).post(url(order, "assign"), data), 404)
    problem(api("sk.chef").post(url(987654, "assign"), data), 404)
    order.refresh_from_db()
    assert order.assigned_to is None


def test_an_ended_order_is_not_assigned(api):
    order = need()
    tf = User.objects.get(username="tf.bestallare")
    order = services.transition(
        actor=tf,
        order=order,
        name="cancel",
        side="purchaser",
        roles={"orderer"},
        version=order.version,
        reason="Behövs inte längre.",
    )
    data = {"handler": "sk.chef", "version": order.version}
    body = bad_request(api("sk.chef").post(url(order, "assign"), data))
    assert body["errors"] == [{"field": None, "message": _("The order has ended.")}]


# --- Answering deviations ----------------------------------------------------------------------
def deviation_on(order) -> Deviation:
    return services.deviation_file(
        actor=User.objects.get(username="tf.bestallare"),
        order=order,
        kind="complaint",
        description="Trottoaren är ojämn.",
    )


def answer_url(order, deviation) -> str:
    pk = deviation if isinstance(deviation, int) else deviation.pk
    return url(order, f"deviations/{pk}/answer")


def test_the_provider_answers_then_closes_a_deviation(api):
    order = need()
    deviation = deviation_on(order)
    sk = api("sk.handlaggare")

    body = ok(sk.post(answer_url(order, deviation), {"response": "Vi åtgärdar på fredag."}))
    assert body["id"] == deviation.pk and body["status"] == "answered"
    assert body["response"] == "Vi åtgärdar på fredag."
    assert body["answered_by_username"] == "sk.handlaggare" and body["closed_at"] is None
    event = events(deviation, "orders.deviation.answer").get()
    assert event.source == AuditEvent.Source.API

    data = {"response": "Åtgärdat.", "close": True}
    body = ok(api("sk.chef").post(answer_url(order, deviation), data))
    assert body["status"] == "closed" and body["closed_at"]

    # Closed is final: a new answer is refused as content, and nothing changes.
    body = bad_request(sk.post(answer_url(order, deviation), {"response": "Igen"}))
    assert body["errors"] == [{"field": None, "message": _("The deviation is closed.")}]
    deviation.refresh_from_db()
    assert deviation.response == "Åtgärdat."
    order_body = ok(sk.get(url(order)))
    assert order_body["deviations"][0]["status"] == "closed"


def test_an_empty_answer_is_400_naming_response(api):
    order = need()
    deviation = deviation_on(order)
    sk = api("sk.handlaggare")
    body = bad_request(sk.post(answer_url(order, deviation), {"response": "  "}))
    assert body["errors"] == [{"field": "response", "message": _("Write the response.")}]
    assert fields(bad_request(sk.post(answer_url(order, deviation), {}))) == {"response"}
    close = {"response": "x", "close": "perhaps"}
    assert fields(bad_request(sk.post(answer_url(order, deviation), close))) == {"close"}
    deviation.refresh_from_db()
    assert deviation.status == Deviation.Status.OPEN


def test_only_the_provider_answers_and_only_the_orders_own_deviations(api):
    order, other = need(), need()
    deviation, elsewhere = deviation_on(order), deviation_on(other)
    data = {"response": "Svar"}
    for username in ("tf.bestallare", "tf.ombud", "revisor", "admin", "lf.bestallare"):
        problem(api(username).post(answer_url(order, deviation), data), 404)
    sk = api("sk.handlaggare")
    problem(sk.post(answer_url(order, elsewhere), data), 404)  # another order's deviation
    problem(sk.post(answer_url(order, 987654), data), 404)
    assert (
        not Deviation.objects.filter(pk__in=[deviation.pk, elsewhere.pk])
        .exclude(status=Deviation.Status.OPEN)
        .exists()
    )
