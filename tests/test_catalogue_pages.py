"""The catalogue pages: service areas, services, price lists (draft → publish, index and
preview) and allocation keys, through the browser's requests on the Borås demo.

Messages are compared with gettext at test time (the pages answer in Swedish), escaped as
the templates escape them.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext, override

from ordna.accounts import access
from ordna.accounts.models import User
from ordna.agreements.models import Agreement, AgreementVersion
from ordna.catalogue import selectors
from ordna.catalogue import services as catalogue
from ordna.catalogue.models import AllocationKey, Price, PriceList, Service, ServiceArea
from ordna.core.money import to_ore

STALE = (
    "Someone else changed this record after you opened it. "
    "Reload the page to see their change, then make yours again."
)


def sv(message: str, **params) -> str:
    """The message as the page shows it: in Swedish, HTML-escaped."""
    with override("sv"):
        text = gettext(message)
    return escape(text % params if params else text)


def published_2026() -> PriceList:
    return PriceList.objects.get(name="Prislista 2026")


def new_service(**overrides) -> dict:
    data = {
        "code": "SKRIVARE",
        "name": "Skrivartjänst",
        "description": "Skrivare med service och förbrukning.",
        "area": ServiceArea.objects.get(code="IT").pk,
        "unit_of_measure": "skrivare och månad",
        "price_model": "subscription",
        "obligation": "optional",
        "vat_percent": "25",
        "account": "3451",
        "response_days_normal": "2",
        "delivery_days_normal": "10",
        "response_days_urgent": "1",
        "delivery_days_urgent": "3",
        "cpv_code": "",
        "valid_from": "2026-01-01",
        "reason": "test",
    }
    data.update(overrides)
    return data


# --- Lists and navigation ------------------------------------------------------------------
def test_every_list_page_is_reachable_from_the_services_page(client, demo, login_as):
    login_as("tf.bestallare")
    home = client.get(reverse("core:home")).content.decode()
    assert reverse("catalogue:service_list") in home  # in the main menu
    body = client.get(reverse("catalogue:service_list")).content.decode()
    for name in ["price_list_list", "key_list", "service_area_list"]:
        url = reverse(f"catalogue:{name}")
        assert f'href="{url}"' in body
        assert client.get(url).status_code == 200
    service = Service.objects.get(code="IT-ARBETSPLATS")
    assert reverse("catalogue:service_detail", args=[service.pk]) in body
    # today's price from the published list, formatted the Swedish way
    price = Price.objects.get(price_list=published_2026(), service=service)
    assert f"{price.unit_price:.2f}".replace(".", ",") in body
    # a purchaser may read but not change: no links to forms
    assert reverse("catalogue:service_create") not in body


def test_service_list_filters_by_area_and_search(client, demo, login_as):
    login_as("tf.bestallare")
    url = reverse("catalogue:service_list")
    body = client.get(url, {"omrade": "GATA-PARK"}).content.decode()
    assert "DRIFT-GATA" in body and "VINTER" in body and "IT-ARBETSPLATS" not in body
    body = client.get(url, {"q": "vinter"}).content.decode()
    assert "VINTER" in body and "DRIFT-GATA" not in body


def test_service_detail_shows_the_price_history_with_the_build_up(client, demo, login_as):
    login_as("tf.bestallare")
    service = Service.objects.get(code="LON-ADM")
    body = client.get(reverse("catalogue:service_detail", args=[service.pk])).content.decode()
    assert "Prislista 2026" in body
    assert reverse("catalogue:key_detail", args=[service.default_key.pk]) in body
    # 9 800 000 + 1 400 000 + 300 000 = 11 500 000 for the year (volume 1)
    assert "11\xa0500\xa0000,00" in body


# --- Services --------------------------------------------------------------------------------
def test_create_a_service_then_a_stale_edit_is_refused(client, demo, login_as):
    login_as("sk.handlaggare")
    response = client.post(reverse("catalogue:service_create"), new_service())
    service = Service.objects.get(code="SKRIVARE")
    assert response.status_code == 302 and response["Location"] == service.get_absolute_url()
    assert service.version == 1 and service.area.code == "IT"

    edit = reverse("catalogue:service_edit", args=[service.pk])
    changed = new_service(name="Skrivar- och kopieringstjänst", version="1")
    assert client.post(edit, changed).status_code == 302
    service.refresh_from_db()
    assert service.name == "Skrivar- och kopieringstjänst" and service.version == 2

    # Someone who opened the page at version 1 saves afterwards: refused, nothing saved.
    response = client.post(edit, new_service(name="Gammalt namn", version="1"))
    assert response.status_code == 200
    assert sv(STALE) in response.content.decode()
    service.refresh_from_db()
    assert service.name == "Skrivar- och kopieringstjänst" and service.version == 2


def test_a_service_rule_is_shown_on_its_field(client, demo, login_as):
    login_as("sk.handlaggare")
    response = client.post(
        reverse("catalogue:service_create"), new_service(price_model="fixed", default_key="")
    )
    assert response.status_code == 200
    assert sv("A fixed fee is shared by a key: choose one.") in response.content.decode()
    assert not Service.objects.filter(code="SKRIVARE").exists()


def test_service_area_edit_refuses_a_stale_version(client, demo, login_as):
    login_as("admin")
    area = ServiceArea.objects.get(code="IT")
    url = reverse("catalogue:service_area_edit", args=[area.pk])
    data = {
        "name": "IT-tjänster",
        "description": area.description,
        "provider": area.provider_id,
        "responsible_committee": area.responsible_committee_id,
        "main_purchaser": area.main_purchaser_id or "",
        "valid_from": area.valid_from.isoformat(),
        "version": str(area.version),
    }
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"] == reverse(
        "catalogue:service_area_list"
    )
    area.refresh_from_db()
    assert area.name == "IT-tjänster" and area.version == 2
    response = client.post(url, {**data, "name": "Något annat", "version": "1"})
    assert response.status_code == 200 and sv(STALE) in response.content.decode()
    area.refresh_from_db()
    assert area.name == "IT-tjänster"


# --- Price lists -----------------------------------------------------------------------------
def _draft(client, year: int, **extra) -> PriceList:
    response = client.post(reverse("catalogue:price_list_create"), {"year": year, **extra})
    assert response.status_code == 302, response.content.decode()[:2000]
    return PriceList.objects.get(year=year, status="draft")


def test_draft_set_price_publish_and_the_old_list_ends(client, demo, login_as):
    login_as("sk.chef")
    old = published_2026()
    draft = _draft(client, 2026, name="Prislista 2026, andra halvåret", valid_from="2026-07-01")
    service = Service.objects.get(code="FORDON-LEASING")
    add = reverse("catalogue:price_add", args=[draft.pk])

    # Negative cost: the message is on the field and nothing is saved.
    bad = {
        "service": service.pk,
        "version": draft.version,
        "direct_cost": "-1",
        "overhead_cost": "0",
        "capital_cost": "0",
        "volume": "1",
    }
    response = client.post(add, bad)
    assert response.status_code == 200
    assert sv("A cost cannot be negative.") in response.content.decode()
    assert not draft.prices.exists()

    # Swedish decimal comma; the unit price follows from the build-up.
    good = {**bad, "direct_cost": "9600000", "overhead_cost": "700000,50", "volume": "2760"}
    response = client.post(add, good)
    assert response.status_code == 302
    price = draft.prices.get()
    assert price.unit_price == to_ore(Decimal("10300000.50") / 2760)

    # Change it through the per-service page, with the list's version.
    draft.refresh_from_db()
    edit = reverse("catalogue:price_edit", args=[draft.pk, service.pk])
    assert client.get(edit).status_code == 200
    response = client.post(edit, {**good, "version": draft.version, "capital_cost": "5300000"})
    assert response.status_code == 302
    price.refresh_from_db()
    assert price.capital_cost == Decimal("5300000")
    # A second save from a page opened before that change is refused.
    response = client.post(edit, {**good, "version": draft.version, "capital_cost": "1"})
    assert response.status_code == 200 and sv(STALE) in response.content.decode()
    price.refresh_from_db()
    assert price.capital_cost == Decimal("5300000")

    detail = client.get(draft.get_absolute_url()).content.decode()
    assert reverse("catalogue:price_list_publish", args=[draft.pk]) in detail

    draft.refresh_from_db()
    publish = reverse("catalogue:price_list_publish", args=[draft.pk])
    assert client.get(publish).status_code == 200
    response = client.post(publish, {"version": draft.version, "reason": "Halvårsjustering"})
    assert response.status_code == 302
    draft.refresh_from_db()
    old.refresh_from_db()
    assert draft.is_published and draft.published_by.username == "sk.chef"
    assert old.valid_to == datetime.date(2026, 6, 30)

    # A published list never changes: the page says so and nothing is saved.
    response = client.post(edit, {**good, "version": draft.version, "capital_cost": "1"})
    assert response.status_code == 200
    assert sv("A published price list never changes. Make a new one.") in (
        response.content.decode()
    )
    price.refresh_from_db()
    assert price.capital_cost == Decimal("5300000")


def test_remove_a_price_from_a_draft(client, demo, login_as):
    login_as("sk.handlaggare")
    draft = catalogue.price_list_index(
        actor=None, source_list=published_2026(), year=2027, index_percent="2"
    )
    service = Service.objects.get(code="VINTER")
    url = reverse("catalogue:price_remove", args=[draft.pk, service.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"version": draft.version})
    assert response.status_code == 302
    assert not draft.prices.filter(service=service).exists()
    assert draft.prices.count() == 7


def test_publishing_an_overlapping_list_is_refused(client, demo, login_as):
    login_as("sk.chef")
    draft = _draft(client, 2025, name="Prislista 2025")
    catalogue.price_set(
        actor=None,
        price_list=draft,
        version=draft.version,
        service=Service.objects.get(code="VINTER"),
        direct_cost=100,
        volume=1,
    )
    draft.refresh_from_db()
    response = client.post(
        reverse("catalogue:price_list_publish", args=[draft.pk]), {"version": draft.version}
    )
    assert response.status_code == 200
    old = published_2026()
    message = sv(
        "The list would overlap “%(other)s”, published from %(day)s. "
        "A new list must start after the lists already published.",
        other=old.name,
        day=old.valid_from.isoformat(),
    )
    assert message in response.content.decode()
    draft.refresh_from_db()
    assert not draft.is_published


def test_only_a_manager_publishes(client, demo, login_as):
    login_as("sk.handlaggare")
    draft = catalogue.price_list_index(
        actor=None, source_list=published_2026(), year=2027, index_percent="2"
    )
    url = reverse("catalogue:price_list_publish", args=[draft.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"version": draft.version}).status_code == 404
    draft.refresh_from_db()
    assert not draft.is_published


def test_index_a_list_and_preview_the_change(client, demo, login_as, django_assert_max_num_queries):
    login_as("sk.chef")
    old = published_2026()
    response = client.post(
        reverse("catalogue:price_list_index", args=[old.pk]),
        {"year": 2027, "index_percent": "3,5", "index_name": "PKV"},
    )
    draft = PriceList.objects.get(year=2027)
    preview_url = reverse("catalogue:price_list_preview", args=[draft.pk])
    assert response.status_code == 302 and response["Location"] == preview_url
    assert draft.based_on == old and draft.index_percent == Decimal("3.5")
    assert draft.index_name == "PKV" and draft.prices.count() == 8

    body = client.get(preview_url).content.decode()
    assert "IT-ARBETSPLATS" in body and "TF" in body

    with django_assert_max_num_queries(3):
        preview = selectors.price_list_preview(draft)
    rows = {row.service.code: row for row in preview.services}
    it = rows["IT-ARBETSPLATS"]
    assert it.new_price > it.old_price
    assert abs(it.change_percent - Decimal("3.5")) < Decimal("0.05")
    assert rows["ANL-PROJEKT"].old_price is None  # a quote has no list price

    # Per purchaser: the yearly charge of the signed 2026 agreements at the old prices
    # equals what they pay; every unit pays more at the new prices.
    signed = Agreement.objects.filter(year=2026, status__in=["signed", "active"])
    expected = sum(
        (
            line.yearly_amount
            for a in signed
            for line in a.versions.filter(state=AgreementVersion.State.SIGNED)
            .order_by("-number")
            .first()
            .lines.all()
        ),
        Decimal("0.00"),
    )
    assert preview.old_total == expected and preview.new_total > preview.old_total
    units = {row.unit.code: row for row in preview.purchasers}
    assert "TF" in units and "LF" in units  # LF pays its share of the common agreement
    assert all(row.new_amount >= row.old_amount for row in preview.purchasers)


def test_the_preview_shows_a_purchaser_only_the_agreements_it_may_read(client, demo, login_as):
    draft = catalogue.price_list_index(
        actor=None, source_list=published_2026(), year=2027, index_percent="3"
    )
    user = User.objects.get(username="tf.bestallare")
    everything = selectors.price_list_preview(draft)
    own = selectors.price_list_preview(draft, access.agreements_visible_to(user))
    assert own.old_total < everything.old_total
    login_as("tf.bestallare")
    url = reverse("catalogue:price_list_preview", args=[draft.pk])
    assert client.get(url).status_code == 200


def test_a_list_that_is_not_published_cannot_be_indexed(client, demo, login_as):
    login_as("sk.chef")
    draft = catalogue.price_list_index(
        actor=None, source_list=published_2026(), year=2027, index_percent="3"
    )
    assert client.get(reverse("catalogue:price_list_index", args=[draft.pk])).status_code == 404


# --- Allocation keys ---------------------------------------------------------------------------
def test_key_detail_allocates_an_amount_exactly(client, demo, login_as):
    login_as("tf.bestallare")
    key = AllocationKey.objects.get(code="ANSTALLDA")
    url = reverse("catalogue:key_detail", args=[key.pk])
    body = client.get(url, {"ar": 2026, "belopp": "1000000,01"}).content.decode()
    assert "1\xa0000\xa0000,01" in body  # the sum row equals the total
    shares = selectors.driver_shares(selectors.key_values_for(key, 2026), Decimal("1000000.01"))
    assert sum(s.amount for s in shares) == Decimal("1000000.01")
    assert sum(s.percent for s in shares) == pytest.approx(Decimal(100), abs=Decimal("0.001"))
    assert [s.unit.code for s in shares] == sorted(s.unit.code for s in shares)


def test_create_a_key(client, demo, login_as):
    login_as("slk.huvudbestallare")
    url = reverse("catalogue:key_create")
    first = {"code": "EGEN", "name": "Egen nyckel", "driver": "custom", "method": "even"}
    response = client.post(url, first)
    assert response.status_code == 200
    assert sv("Say what is counted.") in response.content.decode()
    response = client.post(
        url,
        {
            "code": "EGEN",
            "name": "Egen nyckel",
            "driver": "custom",
            "driver_label": "Antal skolor",
            "method": "proportional",
        },
    )
    key = AllocationKey.objects.get(code="EGEN")
    assert response.status_code == 302 and response["Location"] == key.get_absolute_url()
    assert client.get(key.get_absolute_url()).status_code == 200
