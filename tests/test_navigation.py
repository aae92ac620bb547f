"""The navigation's order entries: those who order see "My orders"; oversight, auditors
and system administrators, who read every order, see "Orders" — the same list, showing
them every order. Nobody sees both, and nobody sees an entry whose page would be a 404.
"""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils.translation import gettext, pgettext

from ordna.accounts.models import User
from ordna.core import navigation
from ordna.core.navigation import NavItem, nav_for, register_nav
from ordna.demo.boras import USERS
from ordna.orders import services
from ordna.organisation.models import Unit

ORDERERS = {"tf.bestallare", "tf.ombud", "lf.bestallare", "slk.huvudbestallare"}
READ_ALL = {"ks.uppsikt", "revisor", "admin"}


def _nav(username: str, path: str = "/") -> list[dict]:
    request = RequestFactory().get(path)
    request.user = User.objects.get(username=username)
    return nav_for(request)


def _order_entries(username: str) -> list[str]:
    url = reverse("orders:list")
    return [str(item["label"]) for item in _nav(username) if item["url"] == url]


@pytest.mark.parametrize("username", sorted(u[0] for u in USERS))
def test_each_role_sees_the_order_list_under_the_right_name(demo, username):
    if username in ORDERERS:
        expected = [gettext("My orders")]
    elif username in READ_ALL:
        expected = [pgettext("navigation", "Orders")]
    else:
        expected = []
    assert _order_entries(username) == expected


@pytest.mark.parametrize("username", sorted(u[0] for u in USERS))
def test_the_navigation_offers_only_pages_that_open(client, demo, login_as, username):
    login_as(username)
    for item in _nav(username):
        assert client.get(item["url"]).status_code == 200, item["url"]


def test_the_entry_is_current_on_the_list(demo):
    url = reverse("orders:list")
    current = [item for item in _nav("revisor", url) if item["current"]]
    assert [item["url"] for item in current] == [url]


def test_the_list_shows_read_all_roles_every_order(client, demo, login_as):
    def need(username: str, code: str):
        return services.order_create(
            actor=User.objects.get(username=username),
            purchaser=Unit.objects.get(code=code),
            provider=Unit.objects.get(code="SK"),
            title=f"Behov från {code}",
            kind="ad_hoc",
            description="Något som ska offereras.",
            lines=[{"description": "Arbete", "quantity": "1"}],
        )

    tf, lf = need("tf.bestallare", "TF"), need("lf.bestallare", "LF")
    for username in sorted(READ_ALL):
        login_as(username)
        page = client.get(reverse("orders:list")).content.decode()
        assert tf.number in page and lf.number in page, username
        assert f">{pgettext('navigation', 'Orders')}</h1>" in page
        assert gettext("New order") not in page  # reading, not ordering
    login_as("tf.bestallare")
    page = client.get(reverse("orders:list")).content.decode()
    assert tf.number in page and lf.number not in page
    assert f">{gettext('My orders')}</h1>" in page


def test_register_nav_keeps_one_entry_per_page_and_label(monkeypatch):
    monkeypatch.setattr(navigation, "_ITEMS", [])
    register_nav(NavItem("orders:list", "A", bool))
    register_nav(NavItem("orders:list", "A", bool))  # a second ready() adds nothing
    register_nav(NavItem("orders:list", "B", bool))
    assert [item.label for item in navigation._ITEMS] == ["A", "B"]
