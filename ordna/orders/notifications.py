"""E-mail on the order transitions each party cares about.

A service calls `notify(order, event)` inside its transaction; the message is enqueued for
the worker only after the transaction commits (so a rolled-back change sends nothing),
and the worker sends it. The text is written in the municipality's language (Swedish).

Who hears of what:
- the provider (the handler the order is assigned to, else every handler at the provider
  unit): a new order, a quote accepted / renegotiated / rejected, a delivery accepted or
  returned, a cancellation, a deviation filed;
- the orderer: a quote sent, the order confirmed or declined, the delivery reported, the
  delivery accepted automatically, a deviation answered.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

TO_PROVIDER = {
    "submit": gettext_lazy("A new order"),
    "accept_quote": gettext_lazy("The quote was accepted"),
    "renegotiate": gettext_lazy("A new quote is asked for"),
    "reject_quote": gettext_lazy("The quote was rejected"),
    "accept": gettext_lazy("The delivery was accepted"),
    "return_delivery": gettext_lazy("The delivery was returned"),
    "cancel": gettext_lazy("The order was cancelled"),
    "deviation": gettext_lazy("A deviation was filed"),
}
TO_ORDERER = {
    "quote": gettext_lazy("A quote to answer"),
    "confirm": gettext_lazy("The order was confirmed"),
    "decline": gettext_lazy("The order was declined"),
    "deliver": gettext_lazy("The delivery is ready for you to accept"),
    "auto_accept": gettext_lazy("The delivery was accepted automatically"),
    "deviation_answer": gettext_lazy("Your deviation was answered"),
}


def notify(order, event: str) -> None:
    """Enqueue the e-mail for `event` once the writing transaction has committed."""
    if event not in TO_PROVIDER and event not in TO_ORDERER:
        return
    order_id = order.pk
    transaction.on_commit(lambda: send_order_mail.enqueue(order_id=order_id, event=event))


def recipients(order, event: str) -> list[str]:
    from ordna.accounts.selectors import people_of_unit
    from ordna.orders.workflow import HANDLING

    if event in TO_ORDERER:
        return [order.orderer.email] if order.orderer.email else []
    if order.assigned_to_id and order.assigned_to.email:
        return [order.assigned_to.email]
    return sorted(
        {
            m.user.email
            for m in people_of_unit(order.provider)
            if m.role in HANDLING and m.user.email
        }
    )


@task()
def send_order_mail(order_id: int, event: str) -> int:
    """Send the e-mail for one event; returns the number of recipients."""
    from ordna.orders.models import Order

    order = Order.objects.select_related("orderer", "assigned_to", "provider", "purchaser").get(
        pk=order_id
    )
    to = recipients(order, event)
    if not to:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        what = TO_PROVIDER.get(event) or TO_ORDERER[event]
        subject = _("Order %(number)s: %(what)s") % {"number": order.number, "what": what}
        body = _(
            "%(what)s.\n\nOrder: %(number)s %(title)s\nPurchaser: %(purchaser)s\n"
            "Status: %(state)s\n\nOpen the order in Ordna: %(url)s\n"
        ) % {
            "what": what,
            "number": order.number,
            "title": order.title,
            "purchaser": order.purchaser.name,
            "state": order.get_state_display(),
            "url": f"{settings.ORDNA_BASE_URL.rstrip('/')}{order.get_absolute_url()}",
        }
    send_mail(subject, body, None, to)
    return len(to)
