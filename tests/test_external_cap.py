"""The council's cap on external sales: the page /bestallningar/extern-forsaljning/ and
GET/POST /api/v1/external-sales-caps/. Who may read and record, what a new cap must be,
and that a refused cap saves nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from ordna.accounts import access
from ordna.accounts.models import User
from ordna.audit.models import AuditEvent
from ordna.orders import services, stats
from ordna.orders.models import ExternalSalesCap
from ordna.organisation.models import Unit

PAGE = reverse("orders:external_cap")
API = reverse("api:external-sales-cap-list")
READERS = ["ks.uppsikt", "revisor", "admin", "sk.handlaggare", "sk.chef", "registrator"]
OTHERS = ["tf.bestallare", "tf.ombud", "lf.bestallare", "slk.huvudbestallare", "krisledning"]
DEMO_DAY = datetime.date(2020, 1, 1)  # the demo's decision: 5 % from 2020-01-01


def _later(days=1) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def _valid(**changes) -> dict:
    return {
        "valid_from": _later(),
        "percent": "7.5",
        "case_number": "KF 2026-00123",
        "reason": "Nytt beslut",
        **changes,
    }


def _snapshot():
    return (
        list(ExternalSalesCap.objects.order_by("valid_from").values_list("pk", flat=True)),
        AuditEvent.objects.filter(action="orders.external_cap.set").count(),
    )


# --- Reading ------------------------------------------------------------------------------
@pytest.mark.parametrize("username", READERS)
def test_readers_see_the_cap_in_force_and_the_shares(client, demo, login_as, username):
    login_as(username)
    response = client.get(PAGE)
    assert response.status_code == 200
    page = response.content.decode()
    assert "KF 2019-00117" in page and "2020-01-01" in page  # the demo's decision
    assert "Serviceförvaltningen" in page or ">SK " in page  # the provider's row
    assert page.count("<h1") == 1
    assert '<th scope="col">' in page and "<caption" in page


@pytest.mark.parametrize("username", OTHERS)
def test_others_get_404(client, demo, login_as, username):
    login_as(username)
    assert client.get(PAGE).status_code == 404
    assert client.post(PAGE, _valid()).status_code == 404
    assert client.get(API).status_code == 404


def test_only_deciders_see_the_form_and_may_post(client, demo, login_as):
    login_as("registrator")
    assert 'name="case_number"' in client.get(PAGE).content.decode()
    for username in ("sk.chef", "ks.uppsikt", "revisor"):
        login_as(username)
        assert 'name="case_number"' not in client.get(PAGE).content.decode()
        before = _snapshot()
        assert client.post(PAGE, _valid()).status_code == 404
        assert _snapshot() == before


def test_anonymous_is_sent_to_sign_in(client, demo):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/konto/logga-in/" in response["Location"]


def test_navigation_and_work_queue_lead_to_the_page(client, demo, login_as):
    from django.test import RequestFactory

    from ordna.core.navigation import nav_for

    def menu(username):
        request = RequestFactory().get("/")
        request.user = User.objects.get(username=username)
        return [item["url"] for item in nav_for(request)]

    assert PAGE in menu("registrator") and PAGE in menu("admin")
    assert PAGE not in menu("tf.bestallare")
    assert PAGE not in menu("sk.handlaggare")  # provider staff: from the work queue
    login_as("sk.handlaggare")
    assert PAGE in client.get(reverse("orders:queue")).content.decode()


def test_access_predicates(demo):
    def user(name):
        return User.objects.get(username=name)

    assert {n for n in READERS + OTHERS if access.can_read_external_cap(user(n))} == set(READERS)
    assert {n for n in READERS + OTHERS if access.can_set_external_cap(user(n))} == {
        "registrator",
        "admin",
    }


# --- Recording a cap on the page ----------------------------------------------------------
def test_registrar_records_a_new_cap(client, demo, login_as):
    registrar = login_as("registrator")
    response = client.post(PAGE, _valid(percent="7,5"))  # a decimal comma, as in Swedish
    assert response.status_code == 302 and response["Location"] == PAGE
    cap = ExternalSalesCap.objects.get(case_number="KF 2026-00123")
    assert cap.percent == Decimal("7.50") and cap.valid_from.isoformat() == _later()
    assert ExternalSalesCap.objects.filter(valid_from=DEMO_DAY).exists()  # a new row
    event = AuditEvent.objects.filter(action="orders.external_cap.set").latest("id")
    assert event.actor_id == registrar.pk and event.object_id == str(cap.pk)
    assert event.after["percent"] in ("7.50", "7.5") and event.reason == "Nytt beslut"
    page = client.get(PAGE).content.decode()
    assert "KF 2026-00123" in page
    assert gettext("Decided, not yet in force") in page  # from tomorrow: not yet in force


@pytest.mark.parametrize(
    ("changes", "field", "swedish", "english"),
    [
        ({"percent": "150"}, "percent", "från 0 till 100", "from 0 to 100"),
        ({"percent": "-1"}, "percent", "från 0 till 100", "from 0 to 100"),
        ({"percent": "5.125"}, "percent", "högst två decimaler", "at most two decimals"),
        (
            {"valid_from": "2019-06-30"},
            "valid_from",
            "måste gälla från en senare dag",
            "must apply from a later day",
        ),
        (
            {"valid_from": DEMO_DAY.isoformat()},
            "valid_from",
            "är redan registrerat",
            "is already recorded",
        ),
        (
            {"case_number": ""},
            "case_number",
            "diarienumret för kommunfullmäktiges beslut",
            "case number of the council's decision",
        ),
        ({"case_number": "beslut i maj"}, "case_number", "SN 2026-00123", "SN 2026-00123"),
    ],
)
def test_invalid_caps_are_refused_in_swedish_and_save_nothing(
    client, demo, login_as, changes, field, swedish, english
):
    login_as("admin")
    before = _snapshot()
    response = client.post(PAGE, _valid(**changes))
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {field}
    assert swedish in form.errors[field][0], form.errors[field][0]
    page = response.content.decode()
    assert 'id="error-summary"' in page and swedish in page
    assert _snapshot() == before
    # The service refuses the same, for every caller (here in English).
    data = _valid(**changes)
    data["valid_from"] = datetime.date.fromisoformat(data["valid_from"])
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        services.external_cap_set(actor=None, **data)
    assert english in " ".join(caught.value.message_dict[field])
    assert _snapshot() == before


def test_nothing_is_saved_when_one_of_several_things_is_wrong(client, demo, login_as):
    login_as("registrator")
    before = _snapshot()
    response = client.post(
        PAGE, _valid(percent="150", valid_from="2019-01-01", case_number="beslut")
    )
    assert set(response.context["form"].errors) == {"percent", "valid_from", "case_number"}
    assert _snapshot() == before


def test_a_later_cap_after_a_future_one_must_be_later_still(demo):
    services.external_cap_set(
        actor=None, valid_from=datetime.date(2030, 1, 1), percent="6", case_number="KF 2029-00001"
    )
    with pytest.raises(ValidationError) as caught:
        services.external_cap_set(
            actor=None,
            valid_from=datetime.date(2029, 12, 31),
            percent="6",
            case_number="KF 2029-00002",
        )
    assert set(caught.value.message_dict) == {"valid_from"}


def test_percent_bounds_and_floats(demo):
    for ok, value in [("0", Decimal("0.00")), ("100", Decimal("100.00")), ("5.25", None)]:
        assert services._cap_percent(ok) == (value or Decimal(ok))
    for bad in (5.5, "abc", "NaN", "Infinity", "100.01", None, ""):
        assert services._cap_percent(bad) is None


# --- What the page shows ------------------------------------------------------------------
def test_share_and_room_per_provider(demo):
    sk = Unit.objects.get(code="SK")
    day = timezone.localdate()
    caps = stats.external_caps(day)
    assert caps.current.percent == Decimal("5")
    [row] = [
        r for r in stats.external_sales_by_provider(day.year, day, caps.current) if r.provider == sk
    ]
    external, total = services.external_share(sk, day.year)
    assert (row.external_amount, row.total_amount) == (external, total)
    if total:
        # The room is the largest external order the check would still let through.
        room = row.room_amount
        assert (external + room) * 100 <= caps.current.percent * (total + room)
    assert services.external_shares(day.year).get(sk.pk, (Decimal(0), Decimal(0))) == (
        external,
        total,
    )


def test_room_formula():
    assert stats._room(Decimal("5"), Decimal("0"), Decimal("950")) == Decimal("50.00")
    assert stats._room(Decimal("5"), Decimal("100"), Decimal("1000")) == Decimal("0.00")
    assert stats._room(Decimal("100"), Decimal("1"), Decimal("1")) is None


# --- API ----------------------------------------------------------------------------------
def test_api_lists_caps_latest_first(client, demo, login_as):
    services.external_cap_set(
        actor=None, valid_from=datetime.date(2099, 1, 1), percent="4", case_number="KF 2098-00001"
    )
    login_as("sk.chef")
    response = client.get(API)
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["valid_from"] for r in rows][:2] == ["2099-01-01", "2020-01-01"]
    assert rows[0]["in_force"] is False and rows[1]["in_force"] is True
    assert rows[1]["percent"] == "5.00" and rows[1]["case_number"] == "KF 2019-00117"


def test_api_records_a_cap(client, demo, login_as):
    registrar = login_as("registrator")
    response = client.post(
        API,
        {"valid_from": _later(3), "percent": "6.25", "case_number": "KF 2026-00200"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["percent"] == "6.25" and body["in_force"] is False
    event = AuditEvent.objects.filter(action="orders.external_cap.set").latest("id")
    assert event.source == "api" and event.actor_id == registrar.pk


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"percent": "150"}, "percent"),
        ({"percent": "0.001"}, "percent"),
        ({"valid_from": "2019-01-01"}, "valid_from"),
        ({"case_number": ""}, "case_number"),
    ],
)
def test_api_refuses_bad_caps_as_problem_details(client, demo, login_as, changes, field):
    login_as("admin")
    before = _snapshot()
    data = {"valid_from": _later(), "percent": "5", "case_number": "KF 2026-00300", **changes}
    response = client.post(API, data, content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert field in {e["field"] for e in response.json()["errors"]}
    assert _snapshot() == before


def test_api_post_is_404_for_readers_who_may_not_record(client, demo, login_as):
    login_as("sk.chef")
    response = client.post(API, _valid(), content_type="application/json")
    assert response.status_code == 404
