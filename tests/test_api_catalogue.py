"""The catalogue and agreement API over HTTP: service areas, services, price lists,
allocation keys (driver values and allocation) and agreements.

Requests authenticate with real API tokens (see `tests/test_api.py`); the expected
messages come from gettext at test time, never hard-coded Swedish.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.utils.translation import gettext as _

from ordna.agreements.models import Agreement, AgreementLine
from ordna.audit.models import AuditEvent
from ordna.catalogue.models import AllocationKey, KeyValues, PriceList, Service, ServiceArea
from tests.test_api import Api, bad_request, fields, problem

AREAS = "/api/v1/service-areas/"
SERVICES = "/api/v1/services/"
PRICE_LISTS = "/api/v1/price-lists/"
KEYS = "/api/v1/allocation-keys/"
AGREEMENTS = "/api/v1/agreements/"
MONEY = re.compile(r"^-?\d+\.\d{2}$")


@pytest.fixture
def api(client, demo):
    return lambda username: Api(client, username)


def key(code: str) -> AllocationKey:
    return AllocationKey.objects.get(code=code)


def published_2026() -> PriceList:
    return PriceList.objects.get(year=2026, status=PriceList.Status.PUBLISHED)


def agreement_of(purchaser: str, kind: str = "unit") -> Agreement:
    return Agreement.objects.get(year=2026, purchaser__code=purchaser, kind=kind)


def events(action: str):
    return AuditEvent.objects.filter(action=action, source=AuditEvent.Source.API)


# --- Service areas -----------------------------------------------------------------------------
def test_everyone_lists_and_reads_service_areas(api):
    client = api("tf.bestallare")
    body = client.get(AREAS).json()
    codes = [row["code"] for row in body["results"]]
    assert body["count"] == ServiceArea.objects.count() == len(codes)
    assert "IT" in codes
    it = ServiceArea.objects.get(code="IT")
    detail = client.get(f"{AREAS}{it.pk}/").json()
    assert detail["provider_code"] == "SK"
    assert detail["main_purchaser_code"] == "SLK"
    assert detail["version"] == it.version


def test_catalogue_manager_patches_a_service_area_with_its_version(api):
    client = api("sk.chef")
    area = ServiceArea.objects.get(code="FORDON")
    response = client.patch(
        f"{AREAS}{area.pk}/", {"version": area.version, "description": "Bilar och lastbilar"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["version"] == area.version + 1
    area.refresh_from_db()
    assert area.description == "Bilar och lastbilar"
    assert events("catalogue.service_area.update").count() == 1

    stale = problem(client.patch(f"{AREAS}{area.pk}/", {"version": 1, "name": "X"}), 409)
    assert stale["title"] == _("Conflict")
    area.refresh_from_db()
    assert area.name == "Fordon och transporter"


def test_service_area_patch_needs_a_version_and_a_manager(api):
    area = ServiceArea.objects.get(code="IT")
    body = bad_request(api("admin").patch(f"{AREAS}{area.pk}/", {"name": "IT"}))
    assert fields(body) == {"version"}
    problem(api("tf.ombud").patch(f"{AREAS}{area.pk}/", {"version": 1, "name": "X"}), 404)
    problem(api("revisor").patch(f"{AREAS}{area.pk}/", {"version": 1, "name": "X"}), 404)


# --- Services ----------------------------------------------------------------------------------
def test_services_list_filters_by_area_and_search(api):
    client = api("lf.bestallare")
    all_codes = [row["code"] for row in client.get(SERVICES).json()["results"]]
    assert all_codes == sorted(all_codes) and "IT-ARBETSPLATS" in all_codes
    park = [row["code"] for row in client.get(SERVICES, {"area": "gata-park"}).json()["results"]]
    assert park == ["DRIFT-GATA", "VINTER"]
    found = client.get(SERVICES, {"q": "lön"}).json()["results"]
    assert [row["code"] for row in found] == ["LON-ADM"]
    assert found[0]["default_key_code"] == "LONEBESKED"
    assert found[0]["vat_percent"] == "25.00"


def new_service(**overrides) -> dict:
    data = {
        "code": "TOLK",
        "name": "Tolkförmedling",
        "area": ServiceArea.objects.get(code="KONTAKTCENTER").pk,
        "unit_of_measure": "timme",
        "price_model": "hourly",
        "account": "3459",
        "valid_from": "2026-01-01",
        "reason": "Ny tjänst",
    }
    return {**data, **overrides}


def test_catalogue_manager_creates_a_service_and_it_is_audited_as_api(api):
    response = api("sk.handlaggare").post(SERVICES, new_service())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"] == "TOLK" and body["version"] == 1 and body["area_code"] == "KONTAKTCENTER"
    service = Service.objects.get(code="TOLK")
    event = events("catalogue.service.create").get()
    assert event.object_id == str(service.pk) and event.reason == "Ny tjänst"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"code": "IT-ARBETSPLATS"}, "code"),  # taken
        ({"code": "tolk!"}, "code"),
        ({"account": "34"}, "account"),
        ({"price_model": "fixed"}, "default_key"),  # a fixed fee needs a key
        ({"response_days_urgent": 9}, "response_days_urgent"),
    ],
)
def test_invalid_service_names_the_field_and_creates_nothing(api, overrides, field):
    before = Service.objects.count()
    body = bad_request(api("admin").post(SERVICES, new_service(**overrides)))
    assert field in fields(body)
    assert Service.objects.count() == before


def test_service_patch_with_version_then_stale_version(api):
    client = api("sk.chef")
    service = Service.objects.get(code="VINTER")
    url = f"{SERVICES}{service.pk}/"
    response = client.patch(url, {"version": service.version, "delivery_days_normal": 12})
    assert response.status_code == 200, response.content
    assert response.json()["version"] == service.version + 1
    stale = problem(client.patch(url, {"version": service.version, "name": "Snö"}), 409)
    assert stale["detail"]
    service.refresh_from_db()
    assert service.delivery_days_normal == 12 and service.name != "Snö"
    assert bad_request(client.patch(url, {"name": "Snö"}))["errors"][0]["field"] == "version"


def test_only_catalogue_managers_write_services(api):
    for username in ("tf.ombud", "slk.huvudbestallare", "revisor", "ks.uppsikt"):
        problem(api(username).post(SERVICES, new_service()), 404)
    assert not Service.objects.filter(code="TOLK").exists()


# --- Price lists -------------------------------------------------------------------------------
def test_price_list_detail_has_the_cost_build_up_as_money_strings(api):
    price_list = published_2026()
    body = api("tf.bestallare").get(f"{PRICE_LISTS}{price_list.pk}/").json()
    assert body["status"] == "published" and body["year"] == 2026
    prices = {row["service_code"]: row for row in body["prices"]}
    it = prices["IT-ARBETSPLATS"]
    assert it["direct_cost"] == "18000000.00"
    assert it["overhead_cost"] == "2500000.00"
    assert it["capital_cost"] == "4200000.00"
    assert it["total_cost"] == "24700000.00"
    assert it["volume"] == "96000.00"
    assert it["unit_price"] == "257.29"  # 24 700 000 / 96 000, to the öre
    assert prices["ANL-PROJEKT"]["unit_price"] is None  # priced per quote
    for row in body["prices"]:
        for name in ("direct_cost", "overhead_cost", "capital_cost", "volume"):
            assert MONEY.match(row[name]), row


def test_price_list_list_filters(api):
    client = api("tf.bestallare")
    assert client.get(PRICE_LISTS, {"year": 2026}).json()["count"] == 1
    assert client.get(PRICE_LISTS, {"status": "draft"}).json()["count"] == 0
    assert fields(bad_request(client.get(PRICE_LISTS, {"status": "old"}))) == {"status"}


def test_draft_priced_and_published_through_the_api(api):
    handler, manager = api("sk.handlaggare"), api("sk.chef")
    response = handler.post(PRICE_LISTS, {"year": 2027, "name": "Prislista 2027"})
    assert response.status_code == 201, response.content
    draft = response.json()
    assert draft["status"] == "draft" and draft["prices"] == []
    url = f"{PRICE_LISTS}{draft['id']}/"

    price = handler.post(
        f"{url}prices/",
        {
            "version": draft["version"],
            "service": "DRIFT-GATA",
            "direct_cost": "1000.00",
            "overhead_cost": "200.50",
            "capital_cost": "99.50",
            "volume": "3",
        },
    )
    assert price.status_code == 200, price.content
    assert price.json()["unit_price"] == "433.33"
    version = handler.get(url).json()["version"]
    assert version == draft["version"] + 1

    # Only the provider's manager publishes; a stale version is a conflict.
    problem(handler.post(f"{url}publish/", {"version": version}), 404)
    problem(manager.post(f"{url}publish/", {"version": version - 1}), 409)
    published = manager.post(f"{url}publish/", {"version": version})
    assert published.status_code == 200, published.content
    assert published.json()["status"] == "published"
    assert events("catalogue.price_list.publish").count() == 1
    assert published_2026().valid_to.isoformat() == "2026-12-31"  # 2027 starts after it

    refused = bad_request(
        handler.post(
            f"{url}prices/",
            {"version": published.json()["version"], "service": "VINTER", "direct_cost": "1"},
        )
    )
    assert _("A published price list never changes. Make a new one.") in refused["detail"]


def test_price_set_names_bad_fields(api):
    client = api("sk.chef")
    draft = client.post(PRICE_LISTS, {"year": 2027}).json()
    url = f"{PRICE_LISTS}{draft['id']}/prices/"
    body = bad_request(client.post(url, {"version": draft["version"], "service": "NOPE"}))
    assert fields(body) == {"service"}
    body = bad_request(
        client.post(url, {"version": draft["version"], "service": "VINTER", "direct_cost": "-5.00"})
    )
    assert fields(body) == {"direct_cost"}
    body = bad_request(
        client.post(url, {"version": draft["version"], "service": "LON-ADM", "volume": "2"})
    )
    assert fields(body) == {"volume"}
    assert not PriceList.objects.get(pk=draft["id"]).prices.exists()


def test_a_second_draft_for_a_year_is_refused_naming_year(api):
    client = api("sk.chef")
    assert client.post(PRICE_LISTS, {"year": 2027}).status_code == 201
    assert fields(bad_request(client.post(PRICE_LISTS, {"year": 2027}))) == {"year"}


# --- Allocation keys ---------------------------------------------------------------------------
def test_key_values_of_a_year_with_shares(api):
    anstallda = key("ANSTALLDA")
    body = api("tf.bestallare").get(f"{KEYS}{anstallda.pk}/values/", {"year": 2026}).json()
    assert body["key"] == "ANSTALLDA" and body["year"] == 2026 and body["version"] == 1
    rows = {row["unit_code"]: row for row in body["rows"]}
    assert rows["TF"]["value"] == "420.0000"
    assert sum(Decimal(row["share_percent"]) for row in body["rows"]) == pytest.approx(100, 1e-3)
    total = sum(Decimal(row["value"]) for row in body["rows"])
    assert Decimal(rows["TF"]["share_percent"]) == (420 * 100 / total).quantize(Decimal("0.0001"))
    # Without a year: the newest year registered.
    assert api("tf.bestallare").get(f"{KEYS}{anstallda.pk}/values/").json()["year"] == 2026


def test_key_values_of_a_year_without_values_is_404(api):
    response = api("admin").get(f"{KEYS}{key('FORDON').pk}/values/", {"year": 2031})
    assert problem(response, 404)["detail"]


def test_register_values_with_bad_rows_names_them_and_saves_nothing(api):
    fordon = key("FORDON")
    client = api("sk.handlaggare")
    before = KeyValues.objects.count(), AuditEvent.objects.count()
    response = client.post(
        f"{KEYS}{fordon.pk}/values/",
        {
            "year": 2027,
            "rows": [
                {"unit": "TF", "value": "40"},
                {"unit": "NOPE", "value": "3"},
                {"unit": "VAF", "value": "-1"},
                {"unit": "TF", "value": "2"},
            ],
        },
    )
    body = bad_request(response)
    assert fields(body) == {"rows.1", "rows.2", "rows.3"}
    messages = {e["field"]: e["message"] for e in body["errors"]}
    assert messages["rows.1"] == _("There is no unit with the code %(code)s in %(year)s.") % {
        "code": "NOPE",
        "year": 2027,
    }
    assert messages["rows.2"] == _("A driver value cannot be negative.")
    assert messages["rows.3"] == _("The unit %(code)s appears more than once.") % {"code": "TF"}
    assert (KeyValues.objects.count(), AuditEvent.objects.count()) == before


def test_register_values_creates_the_next_version(api):
    fordon = key("FORDON")
    client = api("slk.huvudbestallare")  # the main purchaser may register driver values
    rows = [{"unit": "TF", "value": "40"}, {"unit": "vaf", "value": 60}]
    response = client.post(
        f"{KEYS}{fordon.pk}/values/",
        {"year": 2026, "rows": rows, "source_name": "Fordonsregistret"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["version"] == 2 and body["source_name"] == "Fordonsregistret"
    assert [(r["unit_code"], r["share_percent"]) for r in body["rows"]] == [
        ("TF", "40.0000"),
        ("VAF", "60.0000"),
    ]
    event = events("catalogue.key_values.register").get()
    assert {code: Decimal(v) for code, v in event.after["rows"].items()} == {"TF": 40, "VAF": 60}
    assert client.get(f"{KEYS}{fordon.pk}/values/", {"year": 2026}).json()["version"] == 2


def test_percent_key_must_sum_to_100(api):
    from ordna.catalogue.services import allocation_key_create

    percent = allocation_key_create(
        actor=None,
        code="PROCENT",
        name="Procent",
        driver="custom",
        driver_label="Andel",
        method="percent",
    )
    response = api("admin").post(
        f"{KEYS}{percent.pk}/values/",
        {"year": 2026, "rows": [{"unit": "TF", "value": "40"}, {"unit": "LF", "value": "50"}]},
    )
    assert fields(bad_request(response)) == {"rows"}
    assert not KeyValues.objects.filter(key=percent).exists()


def test_only_key_managers_register_values(api):
    url = f"{KEYS}{key('FORDON').pk}/values/"
    for username in ("tf.ombud", "revisor", "ks.uppsikt"):
        problem(api(username).post(url, {"year": 2026, "rows": []}), 404)


@pytest.mark.parametrize("amount", ["1000.00", "0.01", "-333.33", "9999999999.99", "0"])
def test_allocate_shares_the_amount_exactly(api, amount):
    for code in ("ANSTALLDA", "FORDON", "LONEBESKED"):
        response = api("tf.bestallare").get(
            f"{KEYS}{key(code).pk}/allocate/", {"year": 2026, "amount": amount}
        )
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["amount"] == str(Decimal(amount).quantize(Decimal("0.01")))
        assert all(MONEY.match(share["amount"]) for share in body["shares"])
        assert sum(Decimal(share["amount"]) for share in body["shares"]) == Decimal(amount)


def test_allocate_follows_the_driver_values(api):
    body = (
        api("admin")
        .get(f"{KEYS}{key('FORDON').pk}/allocate/", {"year": 2026, "amount": "1180.00"})
        .json()
    )
    shares = {share["unit_code"]: share["amount"] for share in body["shares"]}
    # FORDON: TF 38, LF 3, FFF 6, FSF 4, GSF 5, VAF 62 (SLK has none) → 118 vehicles.
    assert shares == {
        "TF": "380.00",
        "LF": "30.00",
        "FFF": "60.00",
        "FSF": "40.00",
        "GSF": "50.00",
        "VAF": "620.00",
    }


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"year": 2026}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"amount": "1", "year": "x"}, "year"),
    ],
)
def test_allocate_with_bad_parameters_names_them(api, params, field):
    response = api("admin").get(f"{KEYS}{key('FORDON').pk}/allocate/", params)
    assert fields(bad_request(response)) == {field}


# --- Agreements --------------------------------------------------------------------------------
def numbers(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["number"] for row in response.json()["results"]}


def test_purchaser_sees_own_and_common_agreements_only(api):
    tf, fff, common = agreement_of("TF"), agreement_of("FFF"), agreement_of("SLK", "common")
    client = api("tf.ombud")
    seen = numbers(client.get(AGREEMENTS))
    assert {tf.number, common.number} <= seen
    assert fff.number not in seen
    assert client.get(f"{AGREEMENTS}{tf.pk}/").status_code == 200
    assert client.get(f"{AGREEMENTS}{common.pk}/").status_code == 200
    problem(client.get(f"{AGREEMENTS}{fff.pk}/"), 404)


def test_provider_and_oversight_see_every_agreement(api):
    everything = set(Agreement.objects.values_list("number", flat=True))
    assert numbers(api("sk.handlaggare").get(AGREEMENTS)) == everything
    assert numbers(api("ks.uppsikt").get(AGREEMENTS)) == everything


def test_agreement_list_filters_by_year_and_status(api):
    client = api("admin")
    negotiating = numbers(client.get(AGREEMENTS, {"status": "negotiation"}))
    assert negotiating == {agreement_of("LF").number}
    assert numbers(client.get(AGREEMENTS, {"year": 2025})) == set()
    assert fields(bad_request(client.get(AGREEMENTS, {"status": "nope"}))) == {"status"}


def test_agreement_detail_with_lines_rounds_signatures_and_charges(api):
    common = agreement_of("SLK", "common")
    body = api("tf.ombud").get(f"{AGREEMENTS}{common.pk}/").json()
    assert body["kind"] == "common" and body["current_version"] == 1
    assert [v["state"] for v in body["versions"]] == ["signed"]
    assert {line["service_code"] for line in body["lines"]} == {
        "LON-ADM",
        "EKONOMI-ADM",
        "KONTAKTCENTER",
    }
    assert [r["side"] for r in body["rounds"]] == ["provider"]
    assert {s["side"] for s in body["signatures"]} == {"purchaser", "provider"}
    total = Decimal(body["total"])
    assert total == sum(Decimal(line["yearly_amount"]) for line in body["lines"])
    assert len(body["charges"]) == 7  # every administration that pays its share
    assert sum(Decimal(c["yearly"]) for c in body["charges"]) == total
    for charge in body["charges"]:
        assert len(charge["months"]) == 12
        assert sum(Decimal(m) for m in charge["months"]) == Decimal(charge["yearly"])
        assert all(MONEY.match(m) for m in charge["months"])


def test_negotiator_adds_a_line_with_the_list_price(api):
    lf = agreement_of("LF")
    response = api("sk.handlaggare").post(
        f"{AGREEMENTS}{lf.pk}/lines/",
        {"version": lf.version, "service": "DRIFT-GATA", "volume": "10"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    list_price = published_2026().prices.get(service__code="DRIFT-GATA").unit_price
    assert body["unit_price"] == body["list_price"] == str(list_price)
    assert body["yearly_amount"] == str((list_price * 10).quantize(Decimal("0.01")))
    assert body["negotiated"] is False
    assert events("agreements.line.add").count() == 1
    problem(
        api("sk.handlaggare").post(
            f"{AGREEMENTS}{lf.pk}/lines/",
            {"version": lf.version, "service": "VINTER", "volume": "1"},
        ),
        409,
    )


def test_adding_lines_refused_for_bad_input_signed_versions_and_bystanders(api):
    lf, tf = agreement_of("LF"), agreement_of("TF")
    client = api("sk.chef")
    lines = AgreementLine.objects.count()
    body = bad_request(
        client.post(
            f"{AGREEMENTS}{lf.pk}/lines/",
            {"version": lf.version, "service": "VINTER", "volume": "-1"},
        )
    )
    assert fields(body) == {"volume"}
    body = bad_request(
        client.post(
            f"{AGREEMENTS}{lf.pk}/lines/", {"version": lf.version, "service": "IT-ARBETSPLATS"}
        )
    )
    assert fields(body) == {"service"}  # already in the agreement
    body = bad_request(
        client.post(f"{AGREEMENTS}{tf.pk}/lines/", {"version": tf.version, "service": "VINTER"})
    )
    assert body["errors"][0]["field"] is None  # the signed version never changes
    # Visible but not a negotiator: 404 like anything else they may not do.
    problem(
        api("ks.uppsikt").post(
            f"{AGREEMENTS}{lf.pk}/lines/", {"version": lf.version, "service": "VINTER"}
        ),
        404,
    )
    problem(
        api("tf.ombud").post(
            f"{AGREEMENTS}{lf.pk}/lines/", {"version": lf.version, "service": "VINTER"}
        ),
        404,
    )
    assert AgreementLine.objects.count() == lines


def test_a_line_whose_yearly_amount_would_not_fit_is_refused(api):
    """Volume × price beyond what an amount can hold: a 400 naming the volume, nothing saved."""
    lf = agreement_of("LF")
    lines = AgreementLine.objects.count()
    huge = "999999999999.99"
    response = api("sk.handlaggare").post(
        f"{AGREEMENTS}{lf.pk}/lines/",
        {"version": lf.version, "service": "DRIFT-GATA", "volume": huge, "unit_price": huge},
    )
    assert response.status_code == 400, response.content
    assert "volume" in str(response.json())
    assert AgreementLine.objects.count() == lines
