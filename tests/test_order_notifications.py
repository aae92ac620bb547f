"""Order e-mail: enqueued only after commit, sent by the worker's task to the right party."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks_db.models import DBTaskResult

from ordna.orders import notifications
from ordna.orders.models import Order
from tests.test_order_services import call_off, move, people  # noqa: F401

pytestmark = pytest.mark.django_db


def test_submitting_enqueues_mail_to_the_provider_after_commit(
    people,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    order = call_off(people)
    before = DBTaskResult.objects.count()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        move(people, order, "submit")
    assert DBTaskResult.objects.count() == before  # nothing before the commit
    for callback in callbacks:
        callback()
    assert DBTaskResult.objects.count() == before + 1


def test_the_task_writes_to_the_handlers_and_then_to_the_orderer(people):  # noqa: F811
    order = call_off(people)
    for user in (people["sk.handlaggare"], people["sk.chef"], people["tf.bestallare"]):
        assert user.email
    sent = notifications.send_order_mail.call(order_id=order.pk, event="submit")
    assert sent == 2  # both of the provider's people: nobody is assigned yet
    message = mail.outbox[-1]
    with translation.override("sv"):
        expected = _("Order %(number)s: %(what)s") % {
            "number": order.number,
            "what": _("A new order"),
        }
    assert message.subject == expected
    assert f"/bestallningar/{order.pk}/" in message.body
    notifications.send_order_mail.call(order_id=order.pk, event="deliver")
    assert mail.outbox[-1].to == [people["tf.bestallare"].email]


def test_unknown_events_send_nothing(people):  # noqa: F811
    order = Order.objects.first()
    notifications.notify(order, "nothing")  # no error, nothing enqueued
