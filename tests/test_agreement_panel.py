"""The start page tells each negotiator which agreements wait for them."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.translation import gettext

from ordna.accounts.models import User
from ordna.agreements.panels import waiting_for

pytestmark = pytest.mark.django_db


def _numbers(username):
    return [(a.number, what) for a, what in waiting_for(User.objects.get(username=username))]


def test_the_provider_is_asked_to_answer_the_overdue_counter_proposal(demo):
    assert _numbers("sk.handlaggare") == [("2026-003", gettext("Answer the other side's proposal"))]
    assert _numbers("lf.ombud") == []  # LF made the latest proposal: waiting for SK
    assert _numbers("tf.ombud") == []  # everything of TF's is signed
    assert _numbers("revisor") == []  # auditors write nothing


def test_the_panel_is_on_the_start_page_within_budget(
    client, demo, login_as, django_assert_max_num_queries
):
    login_as("sk.handlaggare")
    client.get(reverse("core:home"))  # the session's once-a-minute write happens here
    # Pages pay 3 queries (session, user, memberships) and, once a minute, 3 for the
    # session write: the start page with both work panels stays within 10 with it.
    with django_assert_max_num_queries(7):
        body = client.get(reverse("core:home")).content.decode()
    assert "2026-003" in body
    assert gettext("past the negotiation deadline") in body
