"""The orders generator: rows the services would accept, audited one event per row with
the snapshot the services would write, and the chain hashed as `audit.chain` hashes it."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from ordna.accounts.models import Membership, Role
from ordna.audit.chain import event_hash
from ordna.audit.models import AuditEvent
from ordna.audit.services import snapshot, verify_chain
from ordna.demo import generate, generate_orders
from ordna.orders.models import DeliveryReport, Deviation, Order, OrderLine, Quote, Rating
from ordna.orders.selectors import OPEN_FOR_PROVIDER
from ordna.orders.workflow import State

SCALE = 0.05


@pytest.fixture
def generated(demo, monkeypatch):
    monkeypatch.setattr(generate_orders, "ORDERS_PER_YEAR", 20_000)  # 1 000 orders at 0.05
    generate.generate(scale=SCALE, seed=5)
    return Order.objects.filter(number__in=_generated_numbers())


def _generated_numbers():
    events = AuditEvent.objects.filter(action="demo.generate.order.create")
    ids = [int(x) for x in events.values_list("object_id", flat=True)]
    return Order.objects.filter(pk__in=ids).values_list("number", flat=True)


text = st.text(st.characters(blacklist_categories=["Cs"]), max_size=40)


@pytest.mark.django_db
@settings(max_examples=200, deadline=None)
@given(
    action=text,
    object_type=text,
    object_id=text,
    object_repr=text,
    unit=text,
    reason=text,
    after=st.dictionaries(text, st.none() | st.integers() | text | st.lists(text, max_size=3)),
)
def test_the_raw_hash_is_the_chains_hash(
    action, object_type, object_id, object_repr, unit, reason, after
):
    now = datetime.datetime(2026, 3, 29, 1, 30, 15, 123456, tzinfo=datetime.UTC)
    writer = generate.AuditWriter(reason=reason, now=now)
    previous = writer.prev_hash
    writer.add_raw(
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        after=after,
        unit_code=unit,
    )
    expected = event_hash(
        prev_hash=previous,
        occurred_at=now,
        actor_id=None,
        actor_username="",
        unit_code=unit,
        source=AuditEvent.Source.CLI,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:300],
        before=None,
        after=after,
        reason=reason,
    )
    assert writer.raw[0][-1] == expected


def test_volumes_and_every_row_audited_with_its_snapshot(generated):
    orders = list(generated)
    assert len(orders) == 1000
    assert OrderLine.objects.filter(order__in=generated).count() == 1000
    assert verify_chain().ok
    for model, action in [
        (Order, "order"),
        (Quote, "quote"),
        (DeliveryReport, "delivery_report"),
        (Deviation, "deviation"),
        (Rating, "rating"),
    ]:
        events = AuditEvent.objects.filter(action=f"demo.generate.{action}.create")
        by_id = {e.object_id: e for e in events}
        rows = list(model.objects.filter(pk__in=[int(k) for k in by_id]))
        assert rows, model
        assert len(rows) == len(by_id)
        for row in rows[:200]:
            after = dict(by_id[str(row.pk)].after)
            after.pop("lines", None)
            assert after == snapshot(row), (model, row.pk)
            assert by_id[str(row.pk)].object_repr == str(row)[:300]


def test_orders_follow_the_workflow_and_the_clock(generated):
    now = timezone.now()
    states = set()
    for order in generated.select_related("service", "purchaser", "provider"):
        states.add(order.state)
        moments = [
            order.created_at,
            order.submitted_at,
            order.confirmed_at,
            order.delivered_at,
            order.accepted_at,
        ]
        present = [m for m in moments if m is not None]
        assert present == sorted(present) and present[-1] <= now, order.number
        if order.state != State.DRAFT:
            assert order.submitted_at and order.response_due
        if order.state in (State.DELIVERED, State.ACCEPTED, State.INVOICED, State.CLOSED):
            assert order.delivered_at and order.confirmed_at and order.delivery_due
        if order.state in (State.CANCELLED, State.DECLINED):
            assert order.state_reason
        day = timezone.localdate(order.created_at)
        assert order.purchaser.valid_from <= day and order.provider.valid_from <= day
        if order.state in (State.INVOICED, State.CLOSED):
            assert order.accepted_at <= now - datetime.timedelta(days=2)
        if order.kind == Order.Kind.CALL_OFF:
            assert order.service_id and order.state not in (State.QUOTE_REQUESTED, State.QUOTED)
            assert order.service.valid_from <= day
        else:
            assert order.service_id is None and order.description
        assert order.number.startswith(f"B{timezone.localdate(order.created_at).year}-")
    # Old orders are closed; the recent ones fill the open states of the work queue.
    assert State.CLOSED in states and states & set(OPEN_FOR_PROVIDER)


def test_orderers_held_the_role_at_the_unit_when_they_ordered(generated):
    """Whenever somebody held the orderer role at the unit that day, the orderer did."""
    for order in generated.order_by("id")[:300]:
        day = timezone.localdate(order.created_at)
        roles = Membership.objects.filter(unit_id=order.purchaser_id, role=Role.ORDERER)
        held = roles.filter(user_id=order.orderer_id)
        assert held.exists(), order.number
        if roles.filter(valid_from__lte=day).exclude(valid_to__lt=day).exists():
            assert held.filter(valid_from__lte=day).exclude(valid_to__lt=day).exists()


def test_quotes_answer_the_ad_hoc_orders(generated):
    for quote in Quote.objects.filter(order__in=generated).select_related("order"):
        order = quote.order
        assert order.kind == Order.Kind.AD_HOC
        assert quote.lines.count() == 1 and quote.total == quote.lines.get().amount
        latest = quote.number == order.quotes.count()
        if not latest:
            assert quote.outcome == Quote.Outcome.RENEGOTIATED
        elif order.state == State.QUOTED:
            assert quote.outcome == Quote.Outcome.OPEN
        else:
            assert quote.outcome == Quote.Outcome.ACCEPTED
            assert order.lines.get().unit_price == quote.total
            assert order.confirmed_at >= quote.created_at  # confirmed by the accepted one


def test_the_services_carry_on_after_the_generated_rows(generated):
    """Numbers and primary keys continue after the generated ones (on PostgreSQL the
    sequences are moved past the ids assigned by the generator)."""
    from ordna.orders import services

    order = generated.first()
    new = services.order_create(
        actor=order.orderer,
        purchaser=order.purchaser,
        provider=order.provider,
        title="Efter genereringen",
        kind=Order.Kind.AD_HOC,
        description="Något nytt",
        lines=[{"description": "Något", "quantity": "1", "unit_of_measure": "st"}],
    )
    assert new.pk > max(generated.values_list("pk", flat=True))
    assert not Order.objects.filter(number=new.number).exclude(pk=new.pk).exists()


def _walk(fetch) -> list[int]:
    """Every page in turn, following the cursors; the ids in the order shown."""
    seen, cursor = [], ""
    while True:
        page = fetch(cursor)
        seen += [o.pk for o in page.rows]
        if not page.next_cursor:
            return seen
        cursor = page.next_cursor


@pytest.mark.parametrize("state", ["", State.CLOSED, State.IN_PROGRESS])
def test_my_orders_pages_through_several_units_in_order(generated, state):
    """Own orders first, then the others of all the units merged, each newest first:
    every order exactly once, across the page boundaries and the two segments."""
    from ordna.orders import selectors

    units = list({o.purchaser for o in generated.select_related("purchaser")[:400]})[:3]
    assert len(units) >= 2
    rows = Order.objects.filter(purchaser__in=units)
    user = rows.filter(state=state).first().orderer if state else rows.first().orderer
    if state:
        rows = rows.filter(state=state)
    expected = [
        o.pk
        for o in sorted(
            rows, key=lambda o: (o.orderer_id == user.pk, o.created_at, o.pk), reverse=True
        )
    ]
    shown = _walk(
        lambda cursor: selectors.my_orders(
            Order.objects.all(), user, units, state=state, after=cursor, size=7
        )
    )
    assert shown == expected and expected
    everyone = _walk(
        lambda cursor: selectors.my_orders(Order.objects.all(), user, None, after=cursor, size=97)
    )
    assert everyone == list(
        Order.objects.order_by("-created_at", "-id").values_list("pk", flat=True)
    )


def test_a_long_period_starts_when_the_units_and_services_exist(demo, monkeypatch):
    """At scale 8 the period reaches back before the demo's units and services: no order
    is placed before they exist, and orderers nearly always held the role that day."""
    monkeypatch.setattr(generate_orders, "ORDERS_PER_YEAR", 100)
    generate.generate(scale=8, seed=2)
    ids = AuditEvent.objects.filter(action="demo.generate.order.create").values_list(
        "object_id", flat=True
    )
    orders = Order.objects.filter(pk__in=[int(x) for x in ids]).select_related(
        "purchaser", "service"
    )
    assert orders.count() == 800
    held = 0
    for order in orders:
        day = timezone.localdate(order.created_at)
        assert order.purchaser.valid_from <= day
        assert order.service is None or order.service.valid_from <= day
        roles = Membership.objects.filter(
            user_id=order.orderer_id, unit_id=order.purchaser_id, role=Role.ORDERER
        )
        held += roles.filter(valid_from__lte=day).exclude(valid_to__lt=day).exists()
    assert held >= 0.9 * 800
