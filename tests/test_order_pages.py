"""The order pages over HTTP: the two journeys of the issue (an ad hoc need quoted twice,
delivered, accepted and rated; a call-off past its delivery date with a deviation), and
the refusals: a step of the other side, a stale version, another unit's order, a quote
accepted after its validity. Writes go through the pages only; the ORM only reads and,
in one place, moves a due date into the past."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from ordna.catalogue.models import Service
from ordna.orders.models import DeliveryReport, Deviation, Order, Quote, Rating

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _detail(order) -> str:
    return reverse("orders:detail", args=[order.pk])


def _step(client, order, name, **data):
    order.refresh_from_db()
    payload = {f"{name}-version": order.version, **{f"{name}-{k}": v for k, v in data.items()}}
    return client.post(reverse("orders:step", args=[order.pk, name]), payload)


def _lines(prefix, rows):
    data = {}
    for n, row in enumerate(rows, 1):
        for key, value in row.items():
            data[f"{prefix}-line_{n}_{key}"] = value
    return data


def _create(client, **fields):
    from ordna.organisation.models import Unit

    data = {
        "purchaser": Unit.objects.get(code="TF").pk,
        "provider": Unit.objects.get(code="SK").pk,
        "priority": "normal",
        **fields,
    }
    response = client.post(reverse("orders:create"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return Order.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[-1]))


def _send_quote(client, order, price, valid_until=None):
    order.refresh_from_db()
    data = {
        "quote-version": order.version,
        "quote-valid_until": (valid_until or TODAY + datetime.timedelta(days=30)).isoformat(),
        "quote-delivery_days": "10",
        "quote-assumptions": "Marken är fri från ledningar.",
        **_lines(
            "quote",
            [
                {
                    "description": "Gång- och cykelväg",
                    "quantity": "200",
                    "unit_of_measure": "m",
                    "unit_price": price,
                }
            ],
        ),
    }
    return client.post(reverse("orders:quote_send", args=[order.pk]), data)


def _answer(client, order, answer, reason=""):
    order.refresh_from_db()
    return client.post(
        reverse("orders:quote_answer", args=[order.pk]),
        {"answer-version": order.version, "answer-answer": answer, "answer-reason": reason},
    )


def _ad_hoc(client):
    return _create(
        client,
        kind="ad_hoc",
        title="Ny gång- och cykelväg vid Viskan",
        description="En 200 meter lång gång- och cykelväg.",
        **_lines("", []),
        **{
            "line_1_description": "Gång- och cykelväg",
            "line_1_quantity": "200",
            "line_1_unit_of_measure": "m",
        },
    )


def test_journey_ad_hoc_quoted_twice_delivered_accepted_rated(client, demo, login_as):
    login_as("tf.bestallare")
    order = _ad_hoc(client)
    assert order.state == "draft" and order.kind == "ad_hoc"
    assert order.lines.count() == 1  # the four empty rows are ignored
    page = client.get(_detail(order)).content.decode()
    assert reverse("orders:step", args=[order.pk, "submit"]) in page
    assert _step(client, order, "submit").status_code == 302

    login_as("sk.handlaggare")
    assert order.number in client.get(reverse("orders:queue")).content.decode()
    assert _step(client, order, "request_quote").status_code == 302
    assert _send_quote(client, order, "1000").status_code == 302

    login_as("tf.bestallare")
    assert _answer(client, order, "renegotiate", "För dyrt.").status_code == 302
    order.refresh_from_db()
    assert order.state == "quote_requested"

    login_as("sk.handlaggare")
    assert _send_quote(client, order, "900").status_code == 302

    login_as("tf.bestallare")
    page = client.get(_detail(order)).content.decode()
    assert "Version 1" in page and "Version 2" in page  # both versions, side by side
    assert "200\xa0000,00" in page and "180\xa0000,00" in page, page[page.index("quotes") :][:3000]
    assert _answer(client, order, "accept").status_code == 302
    order.refresh_from_db()
    assert order.state == "confirmed" and order.delivery_due is not None
    outcomes = list(order.quotes.order_by("number").values_list("outcome", flat=True))
    assert outcomes == [Quote.Outcome.RENEGOTIATED, Quote.Outcome.ACCEPTED]
    assert order.lines.get().unit_price == 900  # priced by the accepted quote

    login_as("sk.handlaggare")
    assert _step(client, order, "start").status_code == 302
    line = order.lines.get()
    response = client.post(
        reverse("orders:delivery", args=[order.pk]),
        {
            "delivery-line": line.pk,
            "delivery-performed_on": TODAY.isoformat(),
            "delivery-quantity": "200",
            "delivery-hours": "64",
            "delivery-note": "Klart",
        },
    )
    assert response.status_code == 302
    assert DeliveryReport.objects.filter(order=order).count() == 1
    assert _step(client, order, "deliver").status_code == 302

    login_as("tf.bestallare")
    assert _step(client, order, "accept").status_code == 302
    follow_up = reverse("orders:follow_up", args=[order.pk])
    assert "rating-score" in client.get(follow_up).content.decode()
    response = client.post(
        reverse("orders:rate", args=[order.pk]), {"rating-score": "5", "rating-comment": "Bra"}
    )
    assert response.status_code == 302
    assert Rating.objects.get(order=order).score == 5
    order.refresh_from_db()
    assert order.state == "accepted"

    # The timeline tells the story from the audit trail, in Swedish.
    page = client.get(_detail(order)).content.decode()
    for text in ["För dyrt.", "sk.handlaggare", "tf.bestallare", "Klart", "Bra"]:
        assert text in page, text
    shown = client.get(follow_up).content.decode()
    assert "5 of 5" in shown or "5 av 5" in shown  # msgid until translated


def test_journey_call_off_breach_and_missed_service_level(client, demo, login_as):
    login_as("tf.bestallare")
    order = _create(
        client,
        kind="call_off",
        service=Service.objects.get(code="DRIFT-GATA").pk,
        title="Lagning av trottoar",
        line_1_description="Trottoar Allégatan",
        line_1_quantity="12",
    )
    assert order.agreement is not None and order.lines.get().unit_price is not None
    assert _step(client, order, "submit").status_code == 302

    login_as("sk.handlaggare")
    assert _step(client, order, "confirm").status_code == 302
    assert _step(client, order, "start").status_code == 302
    Order.objects.filter(pk=order.pk).update(delivery_due=TODAY - datetime.timedelta(days=3))

    queue = client.get(reverse("orders:queue"), {"breached": "on"}).content.decode()
    assert order.number in queue
    detail = client.get(_detail(order)).content.decode()
    assert 'data-color="warning"' in detail  # the breach notice

    login_as("tf.bestallare")
    response = client.post(
        reverse("orders:deviation", args=[order.pk]),
        {"deviation-kind": "missed_sla", "deviation-description": "Inte klart i tid."},
    )
    assert response.status_code == 302
    deviation = Deviation.objects.get(order=order)
    assert deviation.kind == "missed_sla"

    login_as("sk.handlaggare")
    response = client.post(
        reverse("orders:deviation_answer", args=[order.pk, deviation.pk]),
        {"reply-response": "Maskinhaveri; klart på fredag.", "reply-close": "on"},
    )
    assert response.status_code == 302
    deviation.refresh_from_db()
    assert deviation.status == Deviation.Status.CLOSED
    follow_up = client.get(reverse("orders:follow_up", args=[order.pk])).content.decode()
    assert "Maskinhaveri" in follow_up


def test_a_step_of_the_other_side_is_404_and_changes_nothing(client, demo, login_as):
    login_as("tf.bestallare")
    order = _ad_hoc(client)
    _step(client, order, "submit")
    assert _step(client, order, "confirm").status_code == 404  # the provider's step
    order.refresh_from_db()
    assert order.state == "submitted"


def test_a_step_the_state_does_not_allow_is_shown_and_changes_nothing(client, demo, login_as):
    login_as("tf.bestallare")
    order = _ad_hoc(client)
    response = _step(client, order, "accept")  # the purchaser's, but nothing is delivered
    assert response.status_code == 200
    assert "error-summary" in response.content.decode()
    order.refresh_from_db()
    assert order.state == "draft"


def test_a_stale_version_is_refused_on_the_form(client, demo, login_as):
    login_as("tf.bestallare")
    order = _ad_hoc(client)
    old = order.version
    _step(client, order, "submit")
    response = client.post(
        reverse("orders:step", args=[order.pk, "cancel"]),
        {"cancel-version": old, "cancel-reason": "Behövs inte"},
    )
    assert response.status_code == 200
    assert "error-summary" in response.content.decode()
    order.refresh_from_db()
    assert order.state == "submitted"


def test_a_reason_is_required_where_the_step_needs_one(client, demo, login_as):
    login_as("tf.bestallare")
    order = _ad_hoc(client)
    assert _step(client, order, "cancel").status_code == 200
    order.refresh_from_db()
    assert order.state == "draft"


def test_another_units_order_is_404(client, demo, login_as):
    login_as("tf.bestallare")
    order = _ad_hoc(client)
    login_as("lf.bestallare")
    for name in ["orders:detail", "orders:follow_up", "orders:message", "orders:rate"]:
        assert client.get(reverse(name, args=[order.pk])).status_code == 404, name
    assert order.number not in client.get(reverse("orders:list")).content.decode()


def test_a_quote_cannot_be_accepted_after_its_validity(client, demo, login_as):
    login_as("tf.bestallare")
    order = _ad_hoc(client)
    _step(client, order, "submit")
    login_as("sk.handlaggare")
    _step(client, order, "request_quote")
    assert _send_quote(client, order, "1000").status_code == 302
    Quote.objects.filter(order=order).update(valid_until=TODAY - datetime.timedelta(days=1))
    login_as("tf.bestallare")
    response = _answer(client, order, "accept")
    assert response.status_code == 200
    assert "error-summary" in response.content.decode()
    order.refresh_from_db()
    assert order.state == "quoted"
    assert order.quotes.get().outcome == Quote.Outcome.OPEN


def test_create_offers_the_agreements_services_and_ignores_empty_rows(client, demo, login_as):
    login_as("tf.bestallare")
    page = client.get(reverse("orders:create")).content.decode()
    assert "DRIFT-GATA" in page and 'name="line_5_description"' in page
    response = client.post(
        reverse("orders:create"), {"kind": "ad_hoc", "title": "", "priority": "normal"}
    )
    assert response.status_code == 200  # errors on the form, nothing saved
    assert not Order.objects.filter(orderer__username="tf.bestallare", title="").exists()


def test_my_orders_own_first_filter_and_keyset_pages(client, demo, login_as, monkeypatch):
    import re

    from ordna.orders import selectors

    login_as("tf.ombud")
    theirs = _ad_hoc(client)
    login_as("tf.bestallare")
    mine = [_ad_hoc(client) for _ in range(3)]
    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    seen, url, pages = [], reverse("orders:list"), 0
    while url:
        page = client.get(url).content.decode().split("<table", 1)[-1]
        numbers = re.findall(r">(B\d{4}-\d{6})</a>", page)
        assert len(numbers) <= 2
        seen += numbers
        found = re.search(r'href="\?(efter=[^"]+)"', page)
        url = reverse("orders:list") + "?" + found.group(1).replace("&amp;", "&") if found else ""
        pages += 1
    assert pages > 1 and len(seen) == len(set(seen))  # every order once
    expected = Order.objects.filter(purchaser__code="TF").count()
    assert len(seen) == expected
    assert seen[:3] == [o.number for o in reversed(mine)]  # own orders first, newest first
    own = set(
        Order.objects.filter(orderer__username="tf.bestallare").values_list("number", flat=True)
    )
    assert seen.index(theirs.number) >= len(own)
    only = client.get(reverse("orders:list"), {"mine": "on"}).content.decode()
    assert theirs.number not in only.split("<table", 1)[-1]


def test_queue_is_sorted_by_delivery_due_with_undated_last(client, demo, login_as):
    login_as("tf.bestallare")
    late, early, undated = _ad_hoc(client), _ad_hoc(client), _ad_hoc(client)
    for order in (late, early, undated):
        _step(client, order, "submit")
    Order.objects.filter(pk=late.pk).update(delivery_due=TODAY + datetime.timedelta(days=9))
    Order.objects.filter(pk=early.pk).update(delivery_due=TODAY + datetime.timedelta(days=2))
    login_as("sk.handlaggare")
    page = client.get(reverse("orders:queue")).content.decode().split("<table", 1)[1]
    positions = [page.index(o.number) for o in (early, late, undated)]
    assert positions == sorted(positions)


def test_start_page_panel_shows_what_waits(client, demo, login_as):
    login_as("tf.bestallare")
    order = _ad_hoc(client)
    _step(client, order, "submit")
    login_as("sk.handlaggare")
    home = client.get(reverse("core:home")).content.decode()
    assert order.number in home
    nav = client.get(reverse("core:home")).content.decode()
    assert reverse("orders:queue") in nav


def test_the_representative_approves_a_call_off_above_the_volume(client, demo, login_as):
    from ordna.accounts.models import User
    from ordna.agreements.models import Agreement
    from ordna.catalogue.models import Service
    from ordna.orders import services as order_services
    from ordna.orders.models import Order as OrderModel
    from ordna.organisation.models import Unit

    Agreement.objects.filter(number="2026-002").update(volume_policy="stop")
    order = order_services.order_create(
        actor=User.objects.get(username="tf.bestallare"),
        purchaser=Unit.objects.get(code="TF"),
        provider=Unit.objects.get(code="SK"),
        title="Extra plogning",
        kind="call_off",
        service=Service.objects.get(code="VINTER"),
        lines=[{"description": "Plogning", "quantity": "5000"}],
    )
    url = f"/bestallningar/{order.pk}/volym/"
    login_as("tf.bestallare")
    page = client.get(url).content.decode()
    assert "5 000,00" in page.replace("\u00a0", " ")
    assert gettext("Approve the order above the volume") not in page  # not the orderer's
    assert client.post(url, {"version": order.version}).status_code == 404
    login_as("tf.ombud")
    response = client.post(url, {"version": order.version})
    assert response.status_code == 302
    assert OrderModel.objects.get(pk=order.pk).volume_approved_by.username == "tf.ombud"


@pytest.mark.parametrize(
    "who, url",
    [
        ("tf.bestallare", "/bestallningar/?efter=1_0_99999999999999999999"),
        ("tf.bestallare", "/bestallningar/?efter=0_99999999999999999999999_5"),
        ("tf.bestallare", "/bestallningar/?efter=1_5_-3"),
        ("sk.handlaggare", "/bestallningar/ko/?efter=2026-01-01_99999999999999999999"),
        ("sk.handlaggare", "/bestallningar/ko/?efter=2026-13-01_5"),
    ],
)
def test_a_malformed_cursor_shows_the_first_page(client, demo, login_as, who, url):
    """A cursor that cannot be one (an id beyond the database's integers, a bad date) is
    ignored: the first page, never a server error."""
    login_as(who)
    assert client.get(url).status_code == 200
