"""Organisation registry pages, through the Django test client as the Borås demo users."""

from __future__ import annotations

import datetime
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ordna.accounts.models import User
from ordna.audit.models import AuditEvent
from ordna.organisation import services
from ordna.organisation.models import LegalPerson, Ownership, Unit

D = datetime.date
START = D(2020, 1, 1)
STALE_SV = "Någon annan har ändrat uppgifterna efter att du öppnade dem."
INVALID_DATE_SV = "Fyll i ett giltigt datum."
REQUIRED_SV = "Det här fältet är obligatoriskt."
NOT_ADMINS = ["tf.bestallare", "sk.chef", "ks.uppsikt", "revisor", "registrator"]


# --- helpers ------------------------------------------------------------------------------
class _Elements(HTMLParser):
    """Collects every element's attributes, and the text inside elements that have an id."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.text_by_id: dict[str, str] = {}
        self._open: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        attributes = {k: v or "" for k, v in attrs}
        self.elements.append((tag, attributes))
        if tag not in {"input", "br", "meta", "link", "img", "hr"}:
            self._open.append((tag, attributes.get("id")))
            if attributes.get("id"):
                self.text_by_id.setdefault(attributes["id"], "")

    def handle_endtag(self, tag):
        while self._open:
            name, _ = self._open.pop()
            if name == tag:
                break

    def handle_data(self, data):
        for _, element_id in self._open:
            if element_id:
                self.text_by_id[element_id] += data


def parse(response) -> _Elements:
    parser = _Elements()
    parser.feed(response.content.decode())
    return parser


def element(page: _Elements, **attrs) -> dict:
    found = [a for _, a in page.elements if all(a.get(k) == v for k, v in attrs.items())]
    assert len(found) == 1, (attrs, found)
    return found[0]


def unit(code: str) -> Unit:
    return Unit.objects.get(code=code)


def lp(org_number: str) -> LegalPerson:
    return LegalPerson.objects.get(org_number=org_number)


KOMMUN, BSAB, BEM, EXT1 = "212000-1561", "556388-7867", "556527-5996", "556123-4567"


def registry_counts() -> dict[str, int]:
    return {
        "units": Unit.objects.count(),
        "legal_persons": LegalPerson.objects.count(),
        "ownerships": Ownership.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def unit_post(**overrides) -> dict:
    data = {
        "code": "NYN",
        "name": "Nya nämnden",
        "kind": "committee",
        "legal_person": str(lp(KOMMUN).pk),
        "parent": str(unit("KF").pk),
        "registry_email": "",
        "cost_centre": "9100",
        "counterparty_code": "1",
        "description": "",
        "valid_from": "2025-01-01",
        "valid_to": "",
        "version": "",
        "reason": "Beslut i KF",
    }
    data.update(overrides)
    return data


def assert_field_error(page: _Elements, field: str, message: str) -> None:
    """The message sits in #id_<field>_error and the input points at it."""
    assert message in page.text_by_id.get(f"id_{field}_error", ""), page.text_by_id.get(
        f"id_{field}_error"
    )
    widget = element(page, name=field, id=f"id_{field}")
    assert widget.get("aria-invalid") == "true", widget
    assert f"id_{field}_error" in widget.get("aria-describedby", "").split(), widget


def assert_error_summary(page: _Elements, message: str) -> None:
    summary = page.text_by_id.get("error-summary", "")
    assert "Rätta följande:" in summary
    assert message in summary


# --- reading ------------------------------------------------------------------------------
PAGES = [
    ("organisation:unit_list", None, "<h1", "Enheter"),
    ("organisation:unit_detail", ("unit", "SK"), "Servicekontoret", "Rapporterar till"),
    ("organisation:legal_person_list", None, "Juridiska personer", "Organisationsnummer"),
    ("organisation:legal_person_detail", ("lp", BEM), "Borås Energi och Miljö AB", "Ägare"),
]


def _url(name, arg):
    if arg is None:
        return reverse(name)
    kind, key = arg
    pk = unit(key).pk if kind == "unit" else lp(key).pk
    return reverse(name, args=[pk])


@pytest.mark.parametrize("username", ["admin", "tf.bestallare", "revisor", "sk.handlaggare"])
@pytest.mark.parametrize(("name", "arg", "text1", "text2"), PAGES)
def test_registry_pages_render_in_swedish(
    client, demo, login_as, username, name, arg, text1, text2
):
    login_as(username)
    response = client.get(_url(name, arg))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'lang="sv"' in body
    assert text1 in body
    assert text2 in body


def test_anonymous_is_sent_to_login(client, demo):
    response = client.get(reverse("organisation:unit_list"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_unit_list_shows_create_button_only_to_admin(client, demo, login_as):
    login_as("admin")
    assert "Registrera en enhet" in client.get(reverse("organisation:unit_list")).content.decode()
    login_as("tf.bestallare")
    assert (
        "Registrera en enhet" not in client.get(reverse("organisation:unit_list")).content.decode()
    )


def test_unit_list_counts_units_in_swedish(client, demo, login_as):
    login_as("tf.bestallare")
    body = client.get(reverse("organisation:unit_list")).content.decode()
    today = timezone.localdate()
    assert f"{Unit.objects.valid_on(today).count()} enheter giltiga den" in body


def test_unit_list_search_filters_units(client, demo, login_as):
    login_as("tf.bestallare")
    response = client.get(reverse("organisation:unit_list"), {"q": "SK"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Servicekontoret" in body
    assert "Kommunfullmäktige" not in body
    assert "Vård- och äldrenämnden" not in body


def test_unit_list_kind_filter(client, demo, login_as):
    login_as("tf.bestallare")
    body = client.get(reverse("organisation:unit_list"), {"kind": "company"}).content.decode()
    assert "3 enheter giltiga den" in body
    assert "AB Bostäder i Borås" in body
    assert "Servicekontoret" not in body


def test_unit_list_htmx_search_returns_only_the_results(client, demo, login_as):
    login_as("tf.bestallare")
    response = client.get(
        reverse("organisation:unit_list"),
        {"q": "servicekontor"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="unit-results",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert '<div id="unit-results">' in body
    assert "<html" not in body
    # The new count replaces the live region outside the results, out of band.
    assert body.lstrip().startswith('<p id="unit-count" role="status" hx-swap-oob="true">')
    assert "1 enhet giltig den" in body
    assert "Servicekontoret" in body


def test_unit_list_as_of_a_date(client, demo, login_as):
    admin = User.objects.get(username="admin")
    services.unit_create(
        actor=admin,
        code="GML",
        name="Gamla nämnden",
        kind=Unit.Kind.COMMITTEE,
        legal_person=lp(KOMMUN),
        parent=unit("KF"),
        valid_from=START,
        valid_to=D(2021, 12, 31),
    )
    login_as("tf.bestallare")
    url = reverse("organisation:unit_list")
    assert "Gamla nämnden" not in client.get(url).content.decode()
    earlier = client.get(url, {"per": "2021-06-01"}).content.decode()
    assert "Gamla nämnden" in earlier
    assert "giltiga den 2021-06-01" in earlier
    before_all = client.get(url, {"per": "2019-12-31"}).content.decode()
    assert "0 enheter giltiga den 2019-12-31" in before_all
    assert "Servicekontoret" not in before_all


def test_unit_detail_as_of_a_date_before_the_unit(client, demo, login_as):
    login_as("tf.bestallare")
    url = reverse("organisation:unit_detail", args=[unit("SK").pk])
    assert "Enheten var inte giltig" not in client.get(url).content.decode()
    body = client.get(url, {"per": "2019-06-01"}).content.decode()
    assert "Enheten var inte giltig den 2019-06-01." in body


def test_legal_person_list_as_of_a_date(client, demo, login_as):
    login_as("tf.bestallare")
    url = reverse("organisation:legal_person_list")
    body = client.get(url, {"per": "2019-12-31"}).content.decode()
    assert "Inga juridiska personer det här datumet." in body
    assert "Borås kommun" in client.get(url, {"per": "2020-01-01"}).content.decode()


def test_legal_person_list_search(client, demo, login_as):
    login_as("tf.bestallare")
    body = client.get(reverse("organisation:legal_person_list"), {"q": "556527"}).content.decode()
    assert "Borås Energi och Miljö AB" in body
    assert "Exempelbolaget Väst AB" not in body


@pytest.mark.parametrize(
    ("name", "arg"),
    [
        ("organisation:unit_list", None),
        ("organisation:unit_detail", ("unit", "SK")),
        ("organisation:legal_person_list", None),
        ("organisation:legal_person_detail", ("lp", BEM)),
    ],
)
@pytest.mark.parametrize("bad", ["2026-13-45", "igår", "2026-02-30"])
def test_invalid_as_of_date_shows_swedish_error(client, demo, login_as, name, arg, bad):
    login_as("tf.bestallare")
    response = client.get(_url(name, arg), {"per": bad})
    assert response.status_code == 200
    page = parse(response)
    assert INVALID_DATE_SV in page.text_by_id.get("id_per_error", "")
    assert element(page, name="per").get("aria-invalid") == "true"


def test_legal_person_detail_shows_relation_to_the_municipality(client, demo, login_as):
    login_as("tf.bestallare")
    bem = client.get(reverse("organisation:legal_person_detail", args=[lp(BEM).pk]))
    body = bem.content.decode()
    assert "Relation till Borås kommun" in body
    assert "Kontrollerat bolag" in body
    assert "100,00" in body or "100.00" in body
    ext = client.get(reverse("organisation:legal_person_detail", args=[lp(EXT1).pk]))
    assert "Extern part" in ext.content.decode()
    kommun = client.get(reverse("organisation:legal_person_detail", args=[lp(KOMMUN).pk]))
    assert "Relation till" not in kommun.content.decode()


def test_unknown_unit_is_404(client, demo, login_as):
    login_as("admin")
    assert client.get(reverse("organisation:unit_detail", args=[999_999])).status_code == 404


# --- writing ------------------------------------------------------------------------------
def test_unit_create_form_error_is_tied_to_its_field(client, demo, login_as):
    login_as("admin")
    before = registry_counts()
    response = client.post(
        reverse("organisation:unit_create"), unit_post(name="", legal_person="", valid_from="x")
    )
    assert response.status_code == 200
    page = parse(response)
    assert_field_error(page, "name", REQUIRED_SV)
    assert_field_error(page, "legal_person", REQUIRED_SV)
    assert_field_error(page, "valid_from", INVALID_DATE_SV)
    assert_error_summary(page, REQUIRED_SV)
    assert_error_summary(page, INVALID_DATE_SV)
    assert element(page, id="error-summary").get("role") == "alert"
    assert registry_counts() == before


def test_unit_create_service_error_is_shown_on_its_field(client, demo, login_as):
    login_as("admin")
    before = registry_counts()
    response = client.post(reverse("organisation:unit_create"), unit_post(code="SK"))
    assert response.status_code == 200
    page = parse(response)
    message = "Koden SK används redan av en annan enhet under en överlappande period."
    assert message in page.text_by_id.get("id_code_error", "")
    assert_error_summary(page, message)
    assert registry_counts() == before

    response = client.post(reverse("organisation:unit_create"), unit_post(code="sk"))
    assert response.status_code == 200
    message = "Använd 2–10 stora bokstäver eller siffror, till exempel SK eller EXT1."
    assert message in parse(response).text_by_id.get("id_code_error", "")
    assert registry_counts() == before

    response = client.post(
        reverse("organisation:unit_create"), unit_post(kind="administration", parent="")
    )
    assert response.status_code == 200
    page = parse(response)
    message = "En förvaltning måste ange vilken nämnd den lyder under."
    assert message in page.text_by_id.get("id_parent_error", "")
    assert_error_summary(page, message)
    assert registry_counts() == before


@pytest.mark.parametrize(
    ("field", "data"),
    [
        ("code", {"code": "SK"}),
        ("parent", {"kind": "administration", "parent": ""}),
        ("counterparty_code", {"counterparty_code": "5"}),
    ],
)
def test_unit_create_service_error_input_points_at_its_message(client, demo, login_as, field, data):
    login_as("admin")
    response = client.post(reverse("organisation:unit_create"), unit_post(**data))
    assert response.status_code == 200
    page = parse(response)
    assert page.text_by_id.get(f"id_{field}_error")
    widget = element(page, name=field, id=f"id_{field}")
    assert widget.get("aria-invalid") == "true"
    assert f"id_{field}_error" in widget.get("aria-describedby", "").split()


def test_unit_create_valid_post_creates_and_redirects(client, demo, login_as):
    login_as("admin")
    before = registry_counts()
    response = client.post(reverse("organisation:unit_create"), unit_post())
    created = Unit.objects.get(code="NYN")
    assert response.status_code == 302
    assert response["Location"] == reverse("organisation:unit_detail", args=[created.pk])
    assert registry_counts() == {
        **before,
        "units": before["units"] + 1,
        "audit": before["audit"] + 1,
    }
    event = AuditEvent.objects.order_by("-id").first()
    assert (event.action, event.actor_username, event.source, event.reason) == (
        "organisation.unit.create",
        "admin",
        "web",
        "Beslut i KF",
    )
    assert created.parent == unit("KF")
    assert created.valid_from == D(2025, 1, 1)
    followed = client.get(response["Location"])
    assert "Enheten NYN har registrerats." in followed.content.decode()


@pytest.mark.parametrize("username", NOT_ADMINS)
def test_non_admin_cannot_create_or_edit_units(client, demo, login_as, username):
    login_as(username)
    sk = unit("SK")
    before = registry_counts()
    assert client.get(reverse("organisation:unit_create")).status_code == 404
    assert client.post(reverse("organisation:unit_create"), unit_post()).status_code == 404
    edit = reverse("organisation:unit_edit", args=[sk.pk])
    assert client.get(edit).status_code == 404
    response = client.post(
        edit,
        unit_post(
            code="SK", name="Kapat", kind="administration", parent=str(unit("SN").pk), version="1"
        ),
    )
    assert response.status_code == 404
    assert registry_counts() == before
    sk.refresh_from_db()
    assert (sk.name, sk.version) == ("Servicekontoret", 1)


@pytest.mark.parametrize("username", NOT_ADMINS)
def test_non_admin_cannot_create_or_edit_legal_persons(client, demo, login_as, username):
    login_as(username)
    ext = lp(EXT1)
    before = registry_counts()
    data = {"name": "Kapat AB", "org_number": "5561234567", "kind": "external"}
    data |= {"valid_from": "2020-01-01", "version": "1"}
    assert client.post(reverse("organisation:legal_person_create"), data).status_code == 404
    edit = reverse("organisation:legal_person_edit", args=[ext.pk])
    assert client.post(edit, data).status_code == 404
    owners = reverse("organisation:ownership_create", args=[ext.pk])
    holding = {"owner": str(lp(KOMMUN).pk), "share_percent": "10", "valid_from": "2024-01-01"}
    assert client.post(owners, holding).status_code == 404
    assert registry_counts() == before
    ext.refresh_from_db()
    assert ext.name == "Exempelbolaget Väst AB"


def test_unit_edit_saves_and_redirects(client, demo, login_as):
    login_as("admin")
    sk = unit("SK")
    url = reverse("organisation:unit_edit", args=[sk.pk])
    form = parse(client.get(url))
    assert element(form, name="version").get("value") == "1"
    data = unit_post(
        code="SK",
        name="Servicekontoret Borås",
        kind="administration",
        parent=str(unit("SN").pk),
        cost_centre="2110",
        valid_from="2020-01-01",
        version="1",
    )
    response = client.post(url, data)
    assert response.status_code == 302
    sk.refresh_from_db()
    assert (sk.name, sk.version) == ("Servicekontoret Borås", 2)
    assert "Ändringarna har sparats." in client.get(response["Location"]).content.decode()


def test_unit_edit_with_stale_version_shows_swedish_message(client, demo, login_as):
    admin = login_as("admin")
    sk = unit("SK")
    services.unit_update(actor=admin, unit=sk, version=1, name="Ändrad av någon annan")
    before = registry_counts()
    data = unit_post(
        code="SK",
        name="Min ändring",
        kind="administration",
        parent=str(unit("SN").pk),
        valid_from="2020-01-01",
        version="1",
    )
    response = client.post(reverse("organisation:unit_edit", args=[sk.pk]), data)
    assert response.status_code == 200
    page = parse(response)
    assert STALE_SV in page.text_by_id.get("error-summary", "")
    sk.refresh_from_db()
    assert (sk.name, sk.version) == ("Ändrad av någon annan", 2)
    assert registry_counts() == before


def test_legal_person_edit_with_stale_version_shows_swedish_message(client, demo, login_as):
    admin = login_as("admin")
    ext = lp(EXT1)
    services.legal_person_update(actor=admin, legal_person=ext, version=1, name="Först AB")
    before = registry_counts()
    data = {
        "name": "Sist AB",
        "org_number": EXT1,
        "kind": "external",
        "valid_from": "2020-01-01",
        "valid_to": "",
        "version": "1",
        "reason": "",
    }
    response = client.post(reverse("organisation:legal_person_edit", args=[ext.pk]), data)
    assert response.status_code == 200
    assert STALE_SV in response.content.decode()
    ext.refresh_from_db()
    assert (ext.name, ext.version) == ("Först AB", 2)
    assert registry_counts() == before


def test_legal_person_create_invalid_org_number_is_tied_to_its_field(client, demo, login_as):
    login_as("admin")
    before = registry_counts()
    data = {"name": "Fel AB", "org_number": "212000-1562", "kind": "company"}
    data |= {"valid_from": "2024-01-01", "valid_to": "", "version": "", "reason": ""}
    response = client.post(reverse("organisation:legal_person_create"), data)
    assert response.status_code == 200
    page = parse(response)
    message = "är inte ett giltigt svenskt organisationsnummer."
    assert message in page.text_by_id.get("id_org_number_error", "")
    assert_error_summary(page, message)
    assert registry_counts() == before


# --- query counts -------------------------------------------------------------------------
def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _add_units(n: int) -> None:
    admin = User.objects.get(username="admin")
    kommun, sn = lp(KOMMUN), unit("SN")
    for i in range(n):
        services.unit_create(
            actor=admin,
            code=f"X{i:02d}",
            name=f"Extra förvaltning {i}",
            kind=Unit.Kind.ADMINISTRATION,
            legal_person=kommun,
            parent=sn,
            registry_email=f"x{i}@boras.se",
            valid_from=START,
        )


@pytest.mark.parametrize("url_name", ["organisation:unit_list", "organisation:legal_person_list"])
def test_list_pages_have_a_bounded_number_of_queries(
    client, demo, login_as, django_assert_max_num_queries, url_name
):
    login_as("admin")
    url = reverse(url_name)
    client.get(url)  # warm up anything cached per process
    baseline = _count_queries(client, url)
    _add_units(30)
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert response.status_code == 200
    assert _count_queries(client, url) == baseline
    if url_name == "organisation:unit_list":
        body = response.content.decode()
        assert "X00" in body  # the extra units are listed, 50 to a page
        assert f"{Unit.objects.valid_on(timezone.localdate()).count()} enheter" in body
