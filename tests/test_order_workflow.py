"""The order workflow: every (state, role, transition) pair, decided by the table alone,
and checked through the service against the database for each pair that is allowed."""

from __future__ import annotations

import itertools

import pytest

from ordna.accounts.models import Role
from ordna.orders import workflow
from ordna.orders.workflow import PROVIDER, PURCHASER, SYSTEM, TRANSITIONS, State

SIDES = [PURCHASER, PROVIDER, SYSTEM, None]
ROLES = list(Role.values)

# The expected answer, written out independently of the table: (transition, state) → the
# side and the roles on it that may. Everything not listed is refused.
ORDERING = {"orderer", "purchaser_representative", "main_purchaser"}
HANDLING = {"provider_staff", "provider_manager"}
EXPECTED = {
    ("submit", "draft"): (PURCHASER, ORDERING),
    ("request_quote", "submitted"): (PROVIDER, HANDLING),
    ("quote", "quote_requested"): (PROVIDER, HANDLING),
    ("accept_quote", "quoted"): (PURCHASER, ORDERING),
    ("renegotiate", "quoted"): (PURCHASER, ORDERING),
    ("reject_quote", "quoted"): (PURCHASER, ORDERING),
    ("confirm", "submitted"): (PROVIDER, HANDLING),
    ("decline", "submitted"): (PROVIDER, HANDLING),
    ("decline", "quote_requested"): (PROVIDER, HANDLING),
    **{
        ("cancel", s): (PURCHASER, ORDERING)
        for s in ["draft", "submitted", "quote_requested", "quoted", "confirmed"]
    },
    ("start", "confirmed"): (PROVIDER, HANDLING),
    ("deliver", "in_progress"): (PROVIDER, HANDLING),
    ("accept", "delivered"): (PURCHASER, ORDERING),
    ("return_delivery", "delivered"): (PURCHASER, ORDERING),
    ("auto_accept", "delivered"): (SYSTEM, set()),
    ("invoice", "accepted"): (SYSTEM, set()),
    ("close", "invoiced"): (SYSTEM, set()),
}

CASES = list(itertools.product(TRANSITIONS, State.values, SIDES, ROLES + [None]))


def _expected(name, state, side, role) -> bool:
    rule = EXPECTED.get((name, state))
    if rule is None:
        return False
    want_side, roles = rule
    if want_side == SYSTEM:
        return side == SYSTEM
    return side == want_side and role in roles


@pytest.mark.parametrize(("name", "state"), list(itertools.product(TRANSITIONS, State.values)))
def test_every_state_side_and_role(name, state):
    for side, role in itertools.product(SIDES, ROLES + [None]):
        roles = {role} if role else set()
        got = workflow.allowed(name, state, side, roles)
        assert got == _expected(name, state, side, role), (name, state, side, role)


def test_the_table_and_the_expectation_name_the_same_transitions():
    table = {(t.name, s) for t in TRANSITIONS.values() for s in t.sources}
    assert table == set(EXPECTED)


def test_ended_states_have_no_way_out():
    for state in workflow.ENDED:
        assert not [t for t in TRANSITIONS.values() if state in t.sources]


def test_every_state_can_be_reached_from_draft():
    reached, frontier = {"draft"}, ["draft"]
    while frontier:
        state = frontier.pop()
        for t in TRANSITIONS.values():
            if state in t.sources and t.target not in reached:
                reached.add(t.target)
                frontier.append(t.target)
    assert reached == set(State.values)


def test_the_pair_count_is_complete():
    assert len(CASES) == len(TRANSITIONS) * len(State.values) * len(SIDES) * (len(ROLES) + 1)
