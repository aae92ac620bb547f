"""The order's life as data: states, transitions, and who may make each one.

Every (state, role, transition) pair is decided by TRANSITIONS below and nothing else;
tests/test_order_workflow.py walks all of them. A transition names the side that makes
it (the purchaser's people, the provider's people, or the system on its own, e.g.
automatic acceptance) and the roles on that side that may.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from ordna.accounts.models import Role


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    QUOTE_REQUESTED = "quote_requested", _("Quote requested")
    QUOTED = "quoted", _("Quoted")
    CONFIRMED = "confirmed", _("Confirmed")
    IN_PROGRESS = "in_progress", _("In progress")
    DELIVERED = "delivered", _("Delivered")
    ACCEPTED = "accepted", _("Accepted")
    INVOICED = "invoiced", _("Invoiced")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")
    DECLINED = "declined", _("Declined")


PURCHASER = "purchaser"
PROVIDER = "provider"
SYSTEM = "system"

ORDERING = frozenset({Role.ORDERER, Role.PURCHASER_REPRESENTATIVE, Role.MAIN_PURCHASER})
HANDLING = frozenset({Role.PROVIDER_STAFF, Role.PROVIDER_MANAGER})
ENDED = frozenset({State.CLOSED, State.CANCELLED, State.DECLINED})


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset
    target: str
    side: str
    roles: frozenset = frozenset()
    needs_reason: bool = False


def _t(name, label, sources, target, side, roles=frozenset(), needs_reason=False):
    return Transition(name, label, frozenset(sources), target, side, frozenset(roles), needs_reason)


S = State
TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        _t("submit", _("Submit"), [S.DRAFT], S.SUBMITTED, PURCHASER, ORDERING),
        _t(
            "request_quote",
            _("Ask for a quote"),
            [S.SUBMITTED],
            S.QUOTE_REQUESTED,
            PROVIDER,
            HANDLING,
        ),
        _t("quote", _("Send the quote"), [S.QUOTE_REQUESTED], S.QUOTED, PROVIDER, HANDLING),
        _t("accept_quote", _("Accept the quote"), [S.QUOTED], S.CONFIRMED, PURCHASER, ORDERING),
        _t(
            "renegotiate",
            _("Ask for a new quote"),
            [S.QUOTED],
            S.QUOTE_REQUESTED,
            PURCHASER,
            ORDERING,
            needs_reason=True,
        ),
        _t(
            "reject_quote",
            _("Reject the quote"),
            [S.QUOTED],
            S.CANCELLED,
            PURCHASER,
            ORDERING,
            needs_reason=True,
        ),
        _t("confirm", _("Confirm the order"), [S.SUBMITTED], S.CONFIRMED, PROVIDER, HANDLING),
        _t(
            "decline",
            _("Decline"),
            [S.SUBMITTED, S.QUOTE_REQUESTED],
            S.DECLINED,
            PROVIDER,
            HANDLING,
            needs_reason=True,
        ),
        _t(
            "cancel",
            _("Cancel the order"),
            [S.DRAFT, S.SUBMITTED, S.QUOTE_REQUESTED, S.QUOTED, S.CONFIRMED],
            S.CANCELLED,
            PURCHASER,
            ORDERING,
            needs_reason=True,
        ),
        _t("start", _("Start the work"), [S.CONFIRMED], S.IN_PROGRESS, PROVIDER, HANDLING),
        _t("deliver", _("Report as delivered"), [S.IN_PROGRESS], S.DELIVERED, PROVIDER, HANDLING),
        _t("accept", _("Accept the delivery"), [S.DELIVERED], S.ACCEPTED, PURCHASER, ORDERING),
        _t(
            "return_delivery",
            _("Return the delivery"),
            [S.DELIVERED],
            S.IN_PROGRESS,
            PURCHASER,
            ORDERING,
            needs_reason=True,
        ),
        _t("auto_accept", _("Accepted automatically"), [S.DELIVERED], S.ACCEPTED, SYSTEM),
        _t("invoice", _("Invoiced"), [S.ACCEPTED], S.INVOICED, SYSTEM),
        _t("close", _("Close"), [S.INVOICED], S.CLOSED, SYSTEM),
    ]
}


def allowed(transition: str, state: str, side: str | None, roles: set[str]) -> bool:
    """May someone on `side` holding `roles` (at the right unit) make `transition` from
    `state`? The system side is only ever the system itself."""
    t = TRANSITIONS.get(transition)
    if t is None or state not in t.sources:
        return False
    if t.side == SYSTEM:
        return side == SYSTEM
    return side == t.side and bool(t.roles & set(roles))


def available(state: str, side: str | None, roles: set[str]) -> list[Transition]:
    """The transitions a person may make now, in the table's order."""
    return [t for t in TRANSITIONS.values() if allowed(t.name, state, side, roles)]
