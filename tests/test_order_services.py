"""Orders through their services: every allowed transition from every state it leaves,
quotes and their versions, service levels in working days, deliveries, deviations,
ratings, and bad input that saves nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from ordna.accounts.models import User
from ordna.audit.models import AuditEvent
from ordna.catalogue.models import Service
from ordna.core.exceptions import StaleEdit
from ordna.core.workdays import add_working_days
from ordna.orders import services, workflow
from ordna.orders.models import DeliveryReport, Order, Quote
from ordna.organisation.models import Unit
from tests.test_order_workflow import EXPECTED

pytestmark = pytest.mark.django_db

ORDERER_ROLES = {"orderer"}
HANDLER_ROLES = {"provider_staff"}
TODAY = timezone.localdate()


@pytest.fixture
def people(demo):
    names = ["tf.bestallare", "sk.handlaggare", "sk.chef", "tf.ombud"]
    return {n: User.objects.get(username=n) for n in names}


def unit(code):
    return Unit.objects.get(code=code)


def fresh(order):
    order.refresh_from_db()
    return order


def call_off(people, **kwargs) -> Order:
    data = {
        "actor": people["tf.bestallare"],
        "purchaser": unit("TF"),
        "provider": unit("SK"),
        "title": "Lagning av trottoar",
        "kind": "call_off",
        "service": Service.objects.get(code="DRIFT-GATA"),
        "lines": [{"description": "Trottoar Allégatan", "quantity": "12"}],
    }
    data.update(kwargs)
    return services.order_create(**data)


def ad_hoc(people) -> Order:
    return services.order_create(
        actor=people["tf.bestallare"],
        purchaser=unit("TF"),
        provider=unit("SK"),
        title="Ny gång- och cykelväg",
        kind="ad_hoc",
        description="En 200 meter lång gång- och cykelväg vid Viskan.",
        lines=[{"description": "Gång- och cykelväg", "quantity": "200", "unit_of_measure": "m"}],
    )


def move(people, order, name):
    t = workflow.TRANSITIONS[name]
    actor = {"purchaser": people["tf.bestallare"], "provider": people["sk.handlaggare"]}.get(t.side)
    roles = ORDERER_ROLES if t.side == "purchaser" else HANDLER_ROLES
    if name == "quote":
        services.quote_send(
            actor=actor,
            order=order,
            version=fresh(order).version,
            lines=[{"description": "Arbete", "quantity": "10", "unit_price": "950"}],
            valid_until=TODAY + datetime.timedelta(days=30),
            delivery_days=20,
            roles=roles,
        )
        return fresh(order)
    return services.transition(
        actor=actor,
        order=order,
        name=name,
        side=t.side,
        roles=roles,
        version=fresh(order).version,
        reason="Testskäl" if t.needs_reason else "",
    )


PATHS = {
    "draft": [],
    "submitted": ["submit"],
    "quote_requested": ["submit", "request_quote"],
    "quoted": ["submit", "request_quote", "quote"],
    "confirmed": ["submit", "confirm"],
    "in_progress": ["submit", "confirm", "start"],
    "delivered": ["submit", "confirm", "start", "deliver"],
    "accepted": ["submit", "confirm", "start", "deliver", "accept"],
    "invoiced": ["submit", "confirm", "start", "deliver", "accept", "invoice"],
}


def order_in(people, state) -> Order:
    order = call_off(people)
    for name in PATHS[state]:
        order = move(people, order, name)
    assert fresh(order).state == state
    return order


@pytest.mark.parametrize(("name", "state"), sorted(EXPECTED))
def test_each_allowed_transition_moves_the_order_and_is_audited(people, name, state):
    order = order_in(people, state)
    moved = move(people, order, name)
    assert fresh(moved).state == workflow.TRANSITIONS[name].target
    assert AuditEvent.objects.filter(
        object_type="orders.order", object_id=str(order.pk), action=f"orders.order.{name}"
    ).exists()


@pytest.mark.parametrize(("name", "state"), sorted(EXPECTED))
def test_the_wrong_side_is_refused_and_nothing_changes(people, name, state):
    order = order_in(people, state)
    t = workflow.TRANSITIONS[name]
    wrong_side = "provider" if t.side == "purchaser" else "purchaser"
    roles = HANDLER_ROLES if wrong_side == "provider" else ORDERER_ROLES
    before = fresh(order).version
    with pytest.raises(ValidationError):
        services.transition(
            actor=people["tf.ombud"],
            order=order,
            name=name,
            side=wrong_side,
            roles=roles,
            version=before,
            reason="x",
        )
    assert fresh(order).state == state and fresh(order).version == before


def test_a_call_off_is_priced_by_the_agreement_and_due_in_working_days(people):
    order = call_off(people)
    assert order.agreement.number == "2026-002"
    line = order.lines.get()
    assert line.unit_price == Decimal("642.86") and line.unit_of_measure == "timme"
    order = move(people, order, "submit")
    assert order.response_due == add_working_days(TODAY, order.response_days).day
    order = move(people, order, "confirm")
    assert order.delivery_due == add_working_days(TODAY, order.delivery_days).day


def test_an_urgent_call_off_gets_the_urgent_service_levels(people):
    order = move(people, call_off(people, priority="urgent"), "submit")
    service = Service.objects.get(code="DRIFT-GATA")
    assert order.response_days == service.response_days_urgent


def test_a_call_off_without_an_agreement_is_refused(people):
    before = Order.objects.count()
    with pytest.raises(ValidationError) as error:
        call_off(people, service=Service.objects.get(code="ANL-PROJEKT"), purchaser=unit("FFF"))
    assert "service" in error.value.message_dict
    assert Order.objects.count() == before


def test_bad_lines_are_named_and_nothing_is_saved(people):
    before = Order.objects.count()
    with pytest.raises(ValidationError) as error:
        call_off(
            people,
            lines=[{"description": "", "quantity": "-1"}, {"description": "x", "quantity": "tio"}],
        )
    messages = error.value.message_dict["lines"]
    assert _("Line %(n)s: describe what is ordered.") % {"n": 1} in messages
    assert _("Line %(n)s: the quantity cannot be negative.") % {"n": 1} in messages
    assert _("Line %(n)s: the quantity is not a number.") % {"n": 2} in messages
    assert Order.objects.count() == before


def test_quote_renegotiated_once_then_accepted(people):
    order = move(people, move(people, ad_hoc(people), "submit"), "request_quote")
    order = move(people, order, "quote")
    services.quote_answer(
        actor=people["tf.bestallare"],
        order=order,
        version=fresh(order).version,
        answer="renegotiate",
        roles=ORDERER_ROLES,
        reason="För dyrt; kan ni använda befintlig asfalt?",
    )
    assert fresh(order).state == "quote_requested"
    services.quote_send(
        actor=people["sk.handlaggare"],
        order=order,
        version=fresh(order).version,
        lines=[{"description": "Arbete", "quantity": "10", "unit_price": "850"}],
        valid_until=TODAY + datetime.timedelta(days=30),
        delivery_days=15,
        roles=HANDLER_ROLES,
    )
    services.quote_answer(
        actor=people["tf.bestallare"],
        order=order,
        version=fresh(order).version,
        answer="accept",
        roles=ORDERER_ROLES,
    )
    order = fresh(order)
    assert order.state == "confirmed"
    assert [q.outcome for q in order.quotes.order_by("number")] == ["renegotiated", "accepted"]
    assert order.lines.get().unit_price == Decimal("850.00")
    assert order.delivery_due == add_working_days(TODAY, 15).day


def test_an_expired_quote_cannot_be_accepted(people):
    order = move(
        people, move(people, move(people, ad_hoc(people), "submit"), "request_quote"), "quote"
    )
    Quote.objects.filter(order=order).update(valid_until=TODAY - datetime.timedelta(days=1))
    with pytest.raises(ValidationError):
        services.quote_answer(
            actor=people["tf.bestallare"],
            order=order,
            version=fresh(order).version,
            answer="accept",
            roles=ORDERER_ROLES,
        )
    assert fresh(order).state == "quoted"


def test_a_stale_version_is_refused(people):
    order = call_off(people)
    with pytest.raises(StaleEdit):
        services.transition(
            actor=people["tf.bestallare"],
            order=order,
            name="submit",
            side="purchaser",
            roles=ORDERER_ROLES,
            version=order.version + 5,
        )
    assert fresh(order).state == "draft"


def test_deliveries_deviations_and_rating(people):
    order = order_in(people, "in_progress")
    other = order_in(people, "in_progress")
    with pytest.raises(ValidationError) as error:
        services.delivery_report(
            actor=people["sk.handlaggare"],
            order=order,
            line=other.lines.get(),
            performed_on=TODAY,
            hours=3,
        )
    assert "line" in error.value.message_dict
    report = services.delivery_report(
        actor=people["sk.handlaggare"],
        order=order,
        line=order.lines.get(),
        performed_on=TODAY,
        hours="7,5",
        quantity=12,
        source_key="tid:1",
    )
    assert report.hours == Decimal("7.5")
    again = services.delivery_report(
        actor=people["sk.handlaggare"],
        order=order,
        line=order.lines.get(),
        performed_on=TODAY,
        hours="7,5",
        quantity=12,
        source_key="tid:1",
    )
    assert again is None and DeliveryReport.objects.filter(order=order).count() == 1
    order = move(people, move(people, order, "deliver"), "accept")
    with pytest.raises(ValidationError):
        services.rate(actor=people["tf.bestallare"], order=order, score=6)
    services.rate(actor=people["tf.bestallare"], order=order, score=4, comment="Bra jobbat")
    with pytest.raises(ValidationError):
        services.rate(actor=people["tf.bestallare"], order=order, score=5)
    deviation = services.deviation_file(
        actor=people["tf.bestallare"], order=order, kind="complaint", description="Kanten är ojämn."
    )
    services.deviation_answer(
        actor=people["sk.handlaggare"], deviation=deviation, response="Vi åtgärdar.", close=True
    )
    deviation.refresh_from_db()
    assert deviation.status == "closed"
    with pytest.raises(ValidationError):
        services.deviation_answer(
            actor=people["sk.handlaggare"], deviation=deviation, response="Igen"
        )


def test_delivered_orders_are_accepted_automatically_after_the_working_days(people, settings):
    settings.ORDER_AUTO_ACCEPT_WORKING_DAYS = 3
    order = order_in(people, "delivered")
    delivered = Order.objects.filter(state="delivered").count()  # the demo's too
    assert services.auto_accept_due(day=TODAY) == 0
    later = add_working_days(TODAY, 3).day
    assert services.auto_accept_due(day=later) == delivered
    assert fresh(order).state == "accepted"
    assert AuditEvent.objects.filter(action="orders.order.auto_accept").exists()


def test_the_auto_accept_command_is_idempotent(people, settings):
    from io import StringIO

    from django.core.management import call_command

    settings.ORDER_AUTO_ACCEPT_WORKING_DAYS = 1
    order_in(people, "delivered")
    delivered = Order.objects.filter(state="delivered").count()
    later = add_working_days(TODAY, 2).day.isoformat()
    out = StringIO()
    call_command("orders", "auto-accept", "--date", later, stdout=out)
    assert f"Orders accepted automatically: {delivered}." in out.getvalue()
    out = StringIO()
    call_command("orders", "auto-accept", "--date", later, stdout=out)
    assert "Orders accepted automatically: 0." in out.getvalue()


def test_a_call_off_above_the_agreed_volume(people):
    from ordna.accounts import access
    from ordna.agreements.models import Agreement

    vinter = Service.objects.get(code="VINTER")  # TF's agreement: 4 000 hours
    order = call_off(
        people, service=vinter, lines=[{"description": "Plogning", "quantity": "4500"}]
    )
    status = services.volume_status(order)
    assert status["over"] and status["agreed"] == Decimal("4000")
    # "warn" (the default): it goes through, the page warns.
    assert move(people, order, "submit").state == "submitted"

    Agreement.objects.filter(number="2026-002").update(volume_policy="stop")
    second = call_off(people, service=vinter, lines=[{"description": "Sandning", "quantity": "10"}])
    with pytest.raises(ValidationError):
        move(people, second, "submit")
    assert fresh(second).state == "draft"
    assert not access.can_approve_over_volume(people["tf.bestallare"], second)
    assert access.can_approve_over_volume(people["tf.ombud"], second)
    services.approve_over_volume(
        actor=people["tf.ombud"], order=second, version=fresh(second).version
    )
    assert move(people, second, "submit").state == "submitted"
    assert AuditEvent.objects.filter(action="orders.order.approve_volume").exists()


def test_external_customers_within_the_councils_cap(people):
    from ordna.orders.models import ExternalSalesCap

    assert ExternalSalesCap.objects.get().percent == Decimal("5")  # the demo's decision
    ext = unit("EXT1")
    anl = Service.objects.get(code="ANL-PROJEKT")

    def external_order():
        return services.order_create(
            actor=people["sk.handlaggare"],  # any actor: the page checks who may order
            purchaser=ext,
            provider=unit("SK"),
            title="Ny infart",
            kind="ad_hoc",
            service=anl,
            description="Infart till lager",
            lines=[{"description": "Infart", "quantity": "1"}],
        )

    with pytest.raises(ValidationError):  # not open to external customers
        external_order()
    Service.objects.filter(pk=anl.pk).update(
        open_to_external=True, external_decision="KF 2019-00117"
    )
    anl.refresh_from_db()
    order = external_order()
    order = move(people, move(people, order, "submit"), "request_quote")
    services.quote_send(
        actor=people["sk.handlaggare"],
        order=order,
        version=fresh(order).version,
        lines=[{"description": "Infart", "quantity": "1", "unit_price": "5000000"}],
        valid_until=TODAY + datetime.timedelta(days=10),
        roles=HANDLER_ROLES,
    )
    with pytest.raises(ValidationError) as error:
        services.quote_answer(
            actor=people["sk.handlaggare"],
            order=order,
            version=fresh(order).version,
            answer="accept",
            roles=ORDERER_ROLES,
        )
    assert "KF 2019-00117" in error.value.messages[0]
    assert fresh(order).state == "quoted"
