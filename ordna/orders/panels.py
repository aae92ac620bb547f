"""Start-page panel: the orders waiting for you."""

from __future__ import annotations

from django.utils.translation import gettext as _

from ordna.accounts import access
from ordna.core.navigation import Panel, register_panel
from ordna.orders import selectors
from ordna.orders.workflow import State


def _what(order) -> str:
    return {
        State.QUOTED: _("Answer the quote"),
        State.DELIVERED: _("Accept or return the delivery"),
        State.SUBMITTED: _("Confirm, ask for a quote or decline"),
        State.QUOTE_REQUESTED: _("Send the quote"),
    }.get(order.state, _("Due soon or overdue"))


def orders_panel(request):
    """Orderers: their units' quoted and delivered orders. Provider staff: new orders and
    quote requests, and their own orders near or past their due date."""
    user = request.user
    if not access.can_write(user):
        return None
    day = selectors.today()
    rows = []
    ordering, handling = access.ordering_units(user), access.handling_units(user)
    if ordering or handling:
        visible = access.orders_visible_to(user)
        if ordering:
            rows += selectors.waiting_for_purchaser(visible, ordering)
        if handling:
            rows += selectors.waiting_for_provider(visible, user, handling, day)
    if not rows:
        return None
    return Panel(
        _("Orders waiting for you"),
        "orders/panels/waiting.html",
        {
            "rows": [
                {"order": o, "what": _what(o), "breached": selectors.breached(o, day)} for o in rows
            ]
        },
        5,
    )


register_panel(orders_panel)
