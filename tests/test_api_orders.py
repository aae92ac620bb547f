"""The orders API over HTTP: visibility and filters, creating a draft, the ad hoc journey
from need to rating, refused steps and stale versions.

Requests authenticate with real API tokens (see `tests/test_api.py`); the expected
messages come from gettext at test time, never hard-coded Swedish.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import gettext as _

from ordna.accounts.models import User
from ordna.audit.models import AuditEvent
from ordna.orders import services
from ordna.orders.models import Order
from ordna.orders.workflow import State
from ordna.organisation.models import Unit
from tests.test_api import Api, bad_request, fields, problem

ORDERS = "/api/v1/orders/"
MONEY = re.compile(r"^-?\d+\.\d{2}$")
TODAY = timezone.localdate()


@pytest.fixture
def api(client, demo):
    return lambda username: Api(client, username)


def unit(code: str) -> Unit:
    return Unit.objects.get(code=code)


def need(username: str = "tf.bestallare", purchaser: str = "TF", submit: bool = True) -> Order:
    """An ad hoc need to SK, made through the services (submitted unless told)."""
    orderer = User.objects.get(username=username)
    order = services.order_create(
        actor=orderer,
        purchaser=unit(purchaser),
        provider=unit("SK"),
        title=f"Behov från {purchaser}",
        kind="ad_hoc",
        description="Något som ska offereras.",
        lines=[{"description": "Arbete", "quantity": "2"}],
    )
    if submit:
        order = services.transition(
            actor=orderer,
            order=order,
            name="submit",
            side="purchaser",
            roles={"orderer"},
            version=order.version,
        )
    return order


def new_need(**overrides) -> dict:
    data = {
        "purchaser": "TF",
        "provider": "SK",
        "kind": "ad_hoc",
        "title": "Ny gång- och cykelväg",
        "description": "En 200 meter lång gång- och cykelväg vid Viskan.",
        "wanted_on": (TODAY + datetime.timedelta(days=60)).isoformat(),
        "lines": [{"description": "Gång- och cykelväg", "quantity": "200", "unit_of_measure": "m"}],
    }
    data.update(overrides)
    return data


def url(order, action: str = "") -> str:
    pk = order if isinstance(order, int) else order.pk
    return f"{ORDERS}{pk}/{action + '/' if action else ''}"


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.content
    return response.json()


def numbers(body: dict) -> set[str]:
    return {row["number"] for row in body["results"]}


# --- Reading: visibility and filters -----------------------------------------------------------
# The demo has orders of its own: the expected lists are read from the database.
def listed(client, params: dict | None = None) -> list[str]:
    body = ok(client.get(ORDERS, {"limit": 500, **(params or {})}))
    assert body["count"] == len(body["results"])
    return [row["number"] for row in body["results"]]


def expected(**conditions) -> list[str]:
    qs = Order.objects.filter(**conditions).order_by("-created_at", "-id")
    return list(qs.values_list("number", flat=True))


def test_each_side_sees_its_own_orders_and_others_get_404(api):
    tf = need()
    tf_draft = need(submit=False)
    lf = need("lf.bestallare", "LF")

    mine = listed(api("tf.bestallare"))
    assert mine == expected(purchaser__code="TF")
    assert {tf.number, tf_draft.number} <= set(mine) and lf.number not in mine

    queue = listed(api("sk.handlaggare"), {"queue": "true"})
    open_states = set(State.values) - {"draft", "closed", "cancelled", "declined"}
    assert queue == expected(provider__code="SK", state__in=open_states)
    assert {tf.number, lf.number} <= set(queue) and tf_draft.number not in queue

    problem(api("lf.bestallare").get(url(tf)), 404)
    problem(api("lf.bestallare").post(url(tf, "messages"), {"text": "Hej"}), 404)
    detail = ok(api("sk.handlaggare").get(url(tf)))
    assert detail["number"] == tf.number and detail["state"] == "submitted"
    assert detail["transitions"] == ["request_quote", "confirm", "decline"]
    assert ok(api("revisor").get(url(tf)))["transitions"] == []  # reads, never acts


def test_list_filters_and_bad_filters(api):
    tf = need()
    draft = need("tf.ombud", submit=False)
    late = need()
    Order.objects.filter(pk=late.pk).update(response_due=TODAY - datetime.timedelta(days=1))
    client = api("tf.bestallare")

    drafts = listed(client, {"state": "draft"})
    assert drafts == expected(purchaser__code="TF", state="draft") and draft.number in drafts
    own = listed(client, {"mine": "true"})
    assert own == expected(purchaser__code="TF", orderer__username="tf.bestallare")
    assert {tf.number, late.number} <= set(own) and draft.number not in own
    breached = listed(client, {"breached": "true"})
    assert late.number in breached and tf.number not in breached
    assert listed(client, {"purchaser": "LF"}) == []
    body = ok(client.get(ORDERS, {"purchaser": "TF", "limit": 3}))
    assert [row["number"] for row in body["results"]] == [late.number, draft.number, tf.number]
    assert body["results"][0]["breached"] is True and body["results"][2]["breached"] is False

    assert fields(bad_request(client.get(ORDERS, {"state": "nope"}))) == {"state"}
    assert fields(bad_request(client.get(ORDERS, {"mine": "maybe"}))) == {"mine"}


def test_the_list_reads_a_fixed_number_of_queries(api):
    client = api("sk.handlaggare")
    client.get(ORDERS)  # the token's first use records last_used_at
    with CaptureQueriesContext(connection) as before:
        count = ok(client.get(ORDERS))["count"]
    for _n in range(4):
        need("lf.bestallare", "LF")
    with CaptureQueriesContext(connection) as after:
        assert ok(client.get(ORDERS))["count"] == count + 4
    assert len(after) == len(before)


# --- Creating a draft ----------------------------------------------------------------------------
def test_create_a_draft_with_bad_lines_names_the_line_and_saves_nothing(api):
    client = api("tf.bestallare")
    orders, events = Order.objects.count(), AuditEvent.objects.count()

    body = bad_request(client.post(ORDERS, new_need(lines=[{"description": "", "quantity": "1"}])))
    assert body["errors"] == [
        {"field": "lines", "message": _("Line %(n)s: describe what is ordered.") % {"n": 1}}
    ]
    body = bad_request(
        client.post(
            ORDERS,
            new_need(lines=[{"description": "a", "quantity": "1"}, {"description": "b"}]),
        )
    )
    assert fields(body) == {"lines.1.quantity"}
    assert fields(bad_request(client.post(ORDERS, new_need(lines=[])))) == {"lines"}
    assert fields(bad_request(client.post(ORDERS, new_need(purchaser="LF")))) == {"purchaser"}
    assert fields(bad_request(client.post(ORDERS, new_need(provider="TF")))) == {"provider"}
    assert fields(bad_request(client.post(ORDERS, new_need(service="NOPE")))) == {"service"}
    assert (Order.objects.count(), AuditEvent.objects.count()) == (orders, events)

    problem(api("sk.handlaggare").post(ORDERS, new_need()), 404)  # orders for nobody
    problem(api("ks.uppsikt").post(ORDERS, new_need()), 404)


def test_create_a_call_off_priced_by_the_agreement(api):
    body = ok(
        api("tf.bestallare").post(
            ORDERS,
            new_need(
                kind="call_off",
                service="DRIFT-GATA",
                lines=[{"description": "Trottoar", "quantity": 3}],
            ),
        ),
        201,
    )
    assert body["state"] == "draft" and body["service_code"] == "DRIFT-GATA"
    assert body["agreement_number"] == "2026-002"
    line = body["lines"][0]
    assert line["line"]["unit_price"] == "642.86" and line["amount"] == "1928.58"
    assert body["total"] == "1928.58"
    assert body["transitions"] == ["submit", "cancel"]
    event = AuditEvent.objects.get(action="orders.order.create", object_id=str(body["id"]))
    assert event.source == AuditEvent.Source.API


# --- The ad hoc journey --------------------------------------------------------------------------
def test_the_ad_hoc_journey_from_need_to_rating(api):
    tf, sk = api("tf.bestallare"), api("sk.handlaggare")
    order = ok(tf.post(ORDERS, new_need()), 201)
    assert order["state"] == "draft" and order["total"] is None

    def step(client, name, reason=""):
        data = {"name": name, "version": order["version"], "reason": reason}
        return ok(client.post(url(order["id"], "transition"), data))

    order = step(tf, "submit")
    assert order["response_due"]
    order = step(sk, "request_quote")
    assert order["transitions"] == ["quote", "decline"]
    quote = {
        "lines": [
            {
                "description": "Arbete",
                "quantity": "200",
                "unit_of_measure": "m",
                "unit_price": "950",
            }
        ],
        "valid_until": (TODAY + datetime.timedelta(days=30)).isoformat(),
        "delivery_days": 20,
        "assumptions": "Befintlig asfalt rivs.",
    }
    sent = ok(sk.post(url(order["id"], "quote"), {**quote, "version": order["version"]}), 201)
    assert sent["number"] == 1 and sent["total"] == "190000.00"
    order = ok(tf.get(url(order["id"])))
    assert order["transitions"] == ["accept_quote", "renegotiate", "reject_quote", "cancel"]
    answer = {"version": order["version"], "answer": "renegotiate", "reason": "För dyrt."}
    order = ok(tf.post(url(order["id"], "quote-answer"), answer))
    assert order["state"] == "quote_requested"
    quote["lines"][0]["unit_price"] = "850.50"
    sent = ok(sk.post(url(order["id"], "quote"), {**quote, "version": order["version"]}), 201)
    assert sent["number"] == 2
    order = ok(tf.get(url(order["id"])))
    answer = {"version": order["version"], "answer": "accept"}
    order = ok(tf.post(url(order["id"], "quote-answer"), answer))
    assert order["state"] == "confirmed" and order["delivery_due"]
    assert [q["outcome"] for q in order["quotes"]] == ["renegotiated", "accepted"]
    assert order["quotes"][1]["lines"][0]["amount"] == "170100.00"
    assert order["total"] == "170100.00" and MONEY.match(order["lines"][0]["line"]["unit_price"])

    order = step(sk, "start")
    message = ok(sk.post(url(order["id"], "messages"), {"text": "Vi börjar på måndag."}), 201)
    assert message["author_username"] == "sk.handlaggare"
    order = step(sk, "deliver")
    report = {"line": 1, "performed_on": TODAY.isoformat(), "quantity": "200", "hours": "7.5"}
    delivery = ok(sk.post(url(order["id"], "deliveries"), report), 201)
    assert delivery["line_position"] == 1 and delivery["hours"] == "7.50"
    assert delivery["material_amount"] == "0.00"
    order = step(tf, "accept")
    rating = ok(tf.post(url(order["id"], "rating"), {"score": 4, "comment": "Bra jobbat"}), 201)
    assert rating["score"] == 4
    deviation = {"kind": "complaint", "description": "Kanten är ojämn."}
    assert ok(tf.post(url(order["id"], "deviations"), deviation), 201)["status"] == "open"

    order = ok(tf.get(url(order["id"])))
    assert order["state"] == "accepted" and order["rating"]["score"] == 4
    assert len(order["messages"]) == len(order["deliveries"]) == len(order["deviations"]) == 1
    assert fields(bad_request(tf.post(url(order["id"], "rating"), {"score": 5}))) == {None}
    actions = set(
        AuditEvent.objects.filter(object_type="orders.order", object_id=str(order["id"]))
        .exclude(source=AuditEvent.Source.API)
        .values_list("action", flat=True)
    )
    assert not actions  # every step came through the API


def test_stale_quote_version_is_409(api):
    order = need()
    sk = api("sk.handlaggare")
    data = {"name": "request_quote", "version": order.version}
    ok(sk.post(url(order, "transition"), data))
    quote = {
        "version": order.version,  # read before the step above
        "lines": [{"description": "Arbete", "quantity": "1", "unit_price": "10"}],
        "valid_until": TODAY.isoformat(),
    }
    assert problem(sk.post(url(order, "quote"), quote), 409)["title"] == _("Conflict")
    assert not order.quotes.exists()


# --- Refused writes --------------------------------------------------------------------------
def test_a_refused_transition_is_400_and_changes_nothing(api):
    order = need(submit=False)
    sk, tf = api("sk.handlaggare"), api("tf.bestallare")
    before = (order.state, order.version, AuditEvent.objects.count())

    # A draft is the purchaser's own: the provider does not even see it.
    problem(sk.post(url(order, "transition"), {"name": "submit", "version": 1}), 404)
    # The orderer may not deliver: the step belongs to the provider.
    body = bad_request(tf.post(url(order, "transition"), {"name": "deliver", "version": 1}))
    expected = _("“%(action)s” is not possible for you while the order is %(state)s.") % {
        "action": _("Report as delivered"),
        "state": str(State.DRAFT.label).lower(),
    }
    assert body["errors"] == [{"field": None, "message": expected}]
    # The orderer cannot start the work, and a quote step has its own endpoint.
    bad_request(tf.post(url(order, "transition"), {"name": "start", "version": 1}))
    body = bad_request(tf.post(url(order, "transition"), {"name": "accept_quote", "version": 1}))
    assert fields(body) == {"name"}
    assert fields(bad_request(tf.post(url(order, "transition"), {"name": "submit"}))) == {"version"}
    cancel = {"name": "cancel", "version": 1}
    assert fields(bad_request(tf.post(url(order, "transition"), cancel))) == {"reason"}
    order.refresh_from_db()
    assert (order.state, order.version, AuditEvent.objects.count()) == before

    # The other side's endpoints answer as if the order were missing.
    problem(tf.post(url(order, "quote"), {}), 404)
    problem(api("sk.handlaggare").post(url(order, "rating"), {"score": 3}), 404)
    problem(api("revisor").post(url(order, "transition"), {"name": "submit", "version": 1}), 404)


def test_a_stale_version_is_409_and_changes_nothing(api):
    order = need(submit=False)
    data = {"name": "submit", "version": order.version + 5}
    body = problem(api("tf.bestallare").post(url(order, "transition"), data), 409)
    assert body["title"] == _("Conflict")
    order.refresh_from_db()
    assert order.state == "draft" and order.version == 1


def test_a_delivery_on_a_line_the_order_lacks_is_400(api):
    order = need()
    sk = api("sk.handlaggare")
    for name in ("confirm", "start"):
        order.refresh_from_db()
        ok(sk.post(url(order, "transition"), {"name": name, "version": order.version}))
    report = {"line": 7, "performed_on": TODAY.isoformat(), "hours": "1"}
    assert fields(bad_request(sk.post(url(order, "deliveries"), report))) == {"line"}
    future = {"performed_on": (TODAY + datetime.timedelta(days=2)).isoformat()}
    assert fields(bad_request(sk.post(url(order, "deliveries"), future))) == {"performed_on"}
    assert not order.deliveries.exists()


def test_an_ad_hoc_need_names_its_route_assessment(api):
    """Issue 6: from ROUTE_ASSESSMENT_REQUIRED_FROM_SEK up, an ad hoc need is submitted
    only with a route assessment of its unit, named by number."""
    from ordna.procurement.models import RouteAssessment

    tf = api("tf.bestallare")
    mine = RouteAssessment.objects.filter(purchaser__code="TF").first()
    others = RouteAssessment.objects.exclude(purchaser__code="TF").first()
    order = ok(tf.post(ORDERS, new_need(estimated_value="250000.00")), 201)
    refused = tf.post(url(order["id"], "transition"), {"name": "submit", "version": 1})
    assert "route_assessment" in fields(bad_request(refused))
    assert "route_assessment" in fields(
        bad_request(tf.post(ORDERS, new_need(route_assessment=others.number)))
    )
    assert "route_assessment" in fields(
        bad_request(tf.post(ORDERS, new_need(route_assessment="RB-1999-000001")))
    )
    linked = ok(
        tf.post(ORDERS, new_need(estimated_value="250000.00", route_assessment=mine.number)), 201
    )
    assert linked["route_assessment"] == mine.pk
    submitted = ok(tf.post(url(linked["id"], "transition"), {"name": "submit", "version": 1}))
    assert submitted["state"] == "submitted"
