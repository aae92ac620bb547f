"""Agreement pages over HTTP as the Borås demo users: the whole yearly cycle from a new
draft through negotiation, signatures and an amendment, and what must be refused."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.translation import gettext

from ordna.agreements import selectors
from ordna.agreements.models import Agreement, AgreementLine, AgreementVersion, Signature
from ordna.audit.models import AuditEvent
from ordna.catalogue.models import Service
from ordna.organisation.models import Unit

pytestmark = pytest.mark.django_db


def _url(name, agreement, *args):
    return reverse(f"agreements:{name}", args=[agreement.pk, *args])


def _fresh(agreement) -> Agreement:
    return Agreement.objects.get(pk=agreement.pk)


def _create(client) -> Agreement:
    response = client.post(
        reverse("agreements:create"),
        {
            "year": 2026,
            "purchaser": Unit.objects.get(code="TF").pk,
            "kind": "unit",
            "title": "Tilläggstjänster 2026",
            "provider": Unit.objects.get(code="SK").pk,
        },
    )
    assert response.status_code == 302
    agreement = Agreement.objects.get(title="Tilläggstjänster 2026")
    assert response["Location"] == agreement.get_absolute_url()
    return agreement


def _add_line(client, agreement, code, volume, **extra):
    data = {
        "version": _fresh(agreement).version,
        "service": Service.objects.get(code=code).pk,
        "volume": volume,
        **extra,
    }
    return client.post(_url("line_add", agreement), data)


def _line(agreement, code, number=1) -> AgreementLine:
    return AgreementLine.objects.get(
        version__agreement=agreement, version__number=number, service__code=code
    )


# --- The whole cycle ---------------------------------------------------------------------
def test_the_yearly_cycle_over_http(client, demo, login_as):
    login_as("sk.handlaggare")
    assert client.get(reverse("agreements:create")).status_code == 200
    agreement = _create(client)
    assert agreement.status == Agreement.Status.DRAFT
    assert agreement.provider.code == "SK"

    assert _add_line(client, agreement, "IT-ARBETSPLATS", "10").status_code == 302
    response = _add_line(
        client, agreement, "DRIFT-GATA", "100", unit_price="99.50", indicators="Städade gator"
    )
    assert response.status_code == 302
    negotiated = _line(agreement, "DRIFT-GATA")
    assert negotiated.unit_price == Decimal("99.50") and negotiated.negotiated
    page = client.get(agreement.get_absolute_url())
    assert page.status_code == 200
    assert "IT-ARBETSPLATS" in page.content.decode() and "Städade gator" in page.content.decode()

    response = client.post(
        _url("propose", agreement),
        {"version": _fresh(agreement).version, "comment": "Vårt erbjudande"},
    )
    assert response.status_code == 302
    assert _fresh(agreement).status == Agreement.Status.NEGOTIATION

    # The purchaser's representative counter-proposes with fewer users.
    login_as("tf.ombud")
    line = _line(agreement, "IT-ARBETSPLATS")
    assert client.get(_url("line_edit", agreement, line.pk)).status_code == 200
    response = client.post(
        _url("line_edit", agreement, line.pk),
        {
            "version": _fresh(agreement).version,
            "volume": "8",
            "unit_price": str(line.unit_price),
            "response_days": line.response_days,
            "delivery_days": line.delivery_days,
        },
    )
    assert response.status_code == 302
    assert _line(agreement, "IT-ARBETSPLATS").volume == Decimal("8")
    response = client.post(
        _url("propose", agreement), {"version": _fresh(agreement).version, "comment": "Färre"}
    )
    assert response.status_code == 302
    first, second = selectors.rounds_of(agreement)
    assert (first.side, second.side) == ("provider", "purchaser")

    compare = client.get(_url("compare", agreement), {"a": first.pk, "b": second.pk})
    assert compare.status_code == 200
    text = compare.content.decode()
    assert gettext("changed") in text and "10.00" in text and "8.00" in text

    # The purchaser cannot accept their own proposal; the provider accepts it.
    response = client.post(_url("agree", agreement), {"version": _fresh(agreement).version})
    assert response.status_code == 302
    assert _fresh(agreement).status == Agreement.Status.NEGOTIATION
    login_as("sk.handlaggare")
    response = client.post(_url("agree", agreement), {"version": _fresh(agreement).version})
    assert response.status_code == 302
    assert _fresh(agreement).status == Agreement.Status.AGREED

    # Signing: the provider's staff has no signing role; the representative signs, with
    # the right password only.
    assert client.get(_url("sign", agreement)).status_code == 404
    login_as("tf.ombud")
    assert client.get(_url("sign", agreement)).status_code == 200
    wrong = client.post(
        _url("sign", agreement),
        {"side": "purchaser", "password": "fel", "version": _fresh(agreement).version},
    )
    assert wrong.status_code == 200
    assert gettext("The password is not correct.") in wrong.content.decode()
    assert not Signature.objects.filter(version__agreement=agreement).exists()
    # A wrong password counts as a failed sign-in (repeated guesses lock the account).
    from axes.models import AccessAttempt

    assert AccessAttempt.objects.filter(username="tf.ombud", failures_since_start=1).exists()
    response = client.post(
        _url("sign", agreement),
        {"side": "purchaser", "password": "demo", "version": _fresh(agreement).version},
    )
    assert response.status_code == 302
    signature = Signature.objects.get(version__agreement=agreement)
    assert (signature.side, signature.role) == ("purchaser", "purchaser_representative")
    assert AuditEvent.objects.filter(action="agreements.version.sign").exists()

    login_as("sk.chef")
    response = client.post(
        _url("sign", agreement),
        {"side": "provider", "password": "demo", "version": _fresh(agreement).version},
    )
    assert response.status_code == 302
    agreement = _fresh(agreement)
    assert agreement.status == Agreement.Status.ACTIVE
    signed = AgreementVersion.objects.get(agreement=agreement, number=1)
    assert signed.state == AgreementVersion.State.SIGNED
    lines_as_signed = list(signed.lines.values_list("service__code", "volume", "unit_price"))

    # Editing the signed version is refused, and nothing changes.
    login_as("tf.ombud")
    line = _line(agreement, "IT-ARBETSPLATS")
    response = client.post(
        _url("line_edit", agreement, line.pk),
        {
            "version": agreement.version,
            "volume": "50",
            "unit_price": str(line.unit_price),
            "response_days": 2,
            "delivery_days": 5,
        },
    )
    assert response.status_code == 200
    assert (
        gettext(
            "This version is agreed or signed and never changes. "
            "Start an amendment to change the agreement."
        )
        in response.content.decode()
    )
    assert _line(agreement, "IT-ARBETSPLATS").volume == Decimal("8")

    # An amendment is version 2; version 1 stays exactly as signed.
    login_as("sk.handlaggare")
    response = client.post(
        _url("amend", agreement),
        {"version": agreement.version, "reason": "Fler användare", "valid_from": "2026-12-01"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("?version=2")
    amended = AgreementVersion.objects.get(agreement=agreement, number=2)
    assert amended.state == AgreementVersion.State.OPEN
    assert amended.valid_from == datetime.date(2026, 12, 1)
    line_v2 = _line(agreement, "IT-ARBETSPLATS", number=2)
    response = client.post(
        _url("line_edit", agreement, line_v2.pk),
        {
            "version": _fresh(agreement).version,
            "volume": "12",
            "unit_price": str(line_v2.unit_price),
            "response_days": line_v2.response_days,
            "delivery_days": line_v2.delivery_days,
        },
    )
    assert response.status_code == 302
    signed.refresh_from_db()
    assert signed.state == AgreementVersion.State.SIGNED
    assert list(signed.lines.values_list("service__code", "volume", "unit_price")) == (
        lines_as_signed
    )
    old = client.get(agreement.get_absolute_url(), {"version": 1})
    assert old.status_code == 200
    assert "Tomas" in old.content.decode()  # the signatures of version 1
    assert client.get(agreement.get_absolute_url(), {"version": 9}).status_code == 404


# --- Refusals --------------------------------------------------------------------------------
@pytest.fixture
def draft(client, demo, login_as):
    login_as("sk.handlaggare")
    agreement = _create(client)
    assert _add_line(client, agreement, "IT-ARBETSPLATS", "10").status_code == 302
    return _fresh(agreement)


def test_negative_volume_is_refused(client, draft):
    response = _add_line(client, draft, "DRIFT-GATA", "-5")
    assert response.status_code == 200
    assert gettext("The volume cannot be negative.") in response.content.decode()
    assert not AgreementLine.objects.filter(
        version__agreement=draft, service__code="DRIFT-GATA"
    ).exists()


def test_a_service_outside_the_published_list_is_refused(client, draft):
    from ordna.catalogue import services as catalogue

    it = Service.objects.get(code="IT-ARBETSPLATS")
    unlisted = catalogue.service_create(
        actor=None,
        code="NY-TJANST",
        name="Ny tjänst",
        area=it.area,
        unit_of_measure="st",
        price_model="unit_price",
        obligation=it.obligation,
        account=it.account,
        valid_from=datetime.date(2020, 1, 1),
    )
    response = client.post(
        _url("line_add", draft),
        {"version": draft.version, "service": unlisted.pk, "volume": "1"},
    )
    assert response.status_code == 200
    assert not AgreementLine.objects.filter(version__agreement=draft, service=unlisted).exists()
    assert _fresh(draft).version == draft.version


def test_a_stale_edit_is_refused(client, draft):
    line = _line(draft, "IT-ARBETSPLATS")
    stale = draft.version
    assert _add_line(client, draft, "DRIFT-GATA", "5").status_code == 302  # someone else
    response = client.post(
        _url("line_edit", draft, line.pk),
        {
            "version": stale,
            "volume": "3",
            "unit_price": str(line.unit_price),
            "response_days": line.response_days,
            "delivery_days": line.delivery_days,
        },
    )
    assert response.status_code == 200
    assert (
        gettext(
            "Someone else changed this agreement after you opened it. "
            "Reload the page to see their change, then make yours again."
        )
        in response.content.decode()
    )
    assert _line(draft, "IT-ARBETSPLATS").volume == Decimal("10")


def test_removing_a_line_needs_the_current_version(client, draft):
    line = _line(draft, "IT-ARBETSPLATS")
    response = client.post(_url("line_remove", draft, line.pk), {"version": draft.version - 1})
    assert response.status_code == 302
    assert AgreementLine.objects.filter(pk=line.pk).exists()
    response = client.post(_url("line_remove", draft, line.pk), {"version": draft.version})
    assert response.status_code == 302
    assert not AgreementLine.objects.filter(pk=line.pk).exists()


def test_signing_by_the_wrong_role_is_404(client, demo, login_as):
    agreement = Agreement.objects.get(number="2026-002")
    for username in ("tf.bestallare", "sk.handlaggare", "ks.uppsikt", "revisor", "admin"):
        login_as(username)
        assert client.get(_url("sign", agreement)).status_code == 404, username
        response = client.post(
            _url("sign", agreement),
            {"side": "provider", "password": "demo", "version": _fresh(agreement).version},
        )
        assert response.status_code == 404, username


def test_a_signed_version_cannot_be_signed_again(client, demo, login_as):
    agreement = Agreement.objects.get(number="2026-002")
    login_as("sk.chef")
    before = Signature.objects.count()
    response = client.post(
        _url("sign", agreement),
        {"side": "provider", "password": "demo", "version": _fresh(agreement).version},
    )
    assert response.status_code == 200
    assert gettext("Only an agreed version can be signed.") in response.content.decode()
    assert Signature.objects.count() == before


# --- Reading -----------------------------------------------------------------------------------
def test_list_filters_and_flags_overdue(client, demo, login_as):
    login_as("sk.chef")
    response = client.get(reverse("agreements:list"), {"year": 2026, "status": "negotiation"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "2026-003" in text and "2026-002" not in text
    assert gettext("Overdue") in text
    assert reverse("agreements:create") in text and reverse("agreements:rollover") in text


def test_list_shows_purchasers_their_own(client, demo, login_as):
    login_as("tf.bestallare")
    text = client.get(reverse("agreements:list")).content.decode()
    assert "2026-002" in text and "2026-008" in text and "2026-003" not in text
    assert reverse("agreements:create") not in text


def test_overdue_agreement_shows_its_deadline(client, demo, login_as):
    login_as("sk.handlaggare")
    agreement = Agreement.objects.get(number="2026-003")
    text = client.get(agreement.get_absolute_url()).content.decode()
    assert gettext("Overdue:") in text and "2025-11-30" in text
    assert _url("line_add", agreement) in text  # the provider may still change it


def test_common_agreement_charges_add_up_within_the_budget(
    client, demo, login_as, django_assert_max_num_queries
):
    agreement = Agreement.objects.get(number="2026-008")
    login_as("slk.huvudbestallare")
    client.get(reverse("agreements:list"))  # the session's once-a-minute write done
    # session, user, memberships; versions (with signatures and deadline), lines, rounds,
    # driver values: 7, so 10 on the request that also writes the session.
    with django_assert_max_num_queries(7):
        response = client.get(agreement.get_absolute_url())
    assert response.status_code == 200
    version = agreement.versions.get()
    charges = selectors.charges(agreement, version)
    assert charges.sums_exactly and len(charges.units) > 1
    assert sum(charges.month_totals) == charges.total
    text = response.content.decode()
    for row in charges.units:
        assert row.unit.name in text
    assert charges.units[0].drivers  # the driver value behind each keyed share


def test_rollover_shows_its_summary(client, demo, login_as):
    from ordna.catalogue import services as catalogue
    from ordna.catalogue.models import PriceList

    manager = login_as("sk.chef")
    draft = catalogue.price_list_index(
        actor=manager,
        source_list=PriceList.objects.get(name="Prislista 2026"),
        year=2027,
        index_percent="2",
    )
    draft.refresh_from_db()
    catalogue.price_list_publish(actor=manager, price_list=draft, version=draft.version)
    assert client.get(reverse("agreements:rollover")).status_code == 200
    response = client.post(reverse("agreements:rollover"), {"from_year": 2026})
    assert response.status_code == 200
    assert Agreement.objects.filter(year=2027, rolled_from__number="2026-002").exists()
    assert "2027-" in response.content.decode()
    assert not Agreement.objects.filter(year=2027, rolled_from__number="2026-003").exists()


def test_deadline_is_set_by_those_allowed(client, demo, login_as):
    login_as("slk.huvudbestallare")
    url = reverse("agreements:cycle", args=[2027])
    response = client.post(url, {"negotiation_deadline": "2026-12-10", "note": "Senast"})
    assert response.status_code == 302
    assert selectors.cycle_of(2027).negotiation_deadline == datetime.date(2026, 12, 10)
    login_as("sk.handlaggare")
    assert client.get(url).status_code == 404


def test_terminate_needs_a_reason_and_a_day_in_the_period(client, demo, login_as):
    agreement = Agreement.objects.get(number="2026-002")
    login_as("sk.chef")
    response = client.post(
        _url("terminate", agreement),
        {"version": agreement.version, "terminated_on": "2027-01-31", "reason": "Omorganisation"},
    )
    assert response.status_code == 200
    assert _fresh(agreement).status == Agreement.Status.ACTIVE
    response = client.post(
        _url("terminate", agreement),
        {"version": agreement.version, "terminated_on": "2026-12-31", "reason": "Omorganisation"},
    )
    assert response.status_code == 302
    assert _fresh(agreement).status == Agreement.Status.TERMINATED


def test_the_provider_makes_offers_only_for_its_own_unit(client, demo, login_as):
    from ordna.organisation.models import Unit

    login_as("sk.handlaggare")
    before = Agreement.objects.count()
    response = client.post(
        reverse("agreements:create"),
        {
            "year": 2026,
            "purchaser": Unit.objects.get(code="FFF").pk,
            "kind": "unit",
            "provider": Unit.objects.get(code="FSF").pk,
        },
    )
    assert response.status_code == 200  # the form says the choice is not valid
    assert Agreement.objects.count() == before
    page = client.get(reverse("agreements:create")).content.decode()
    assert (
        f'value="{Unit.objects.get(code="FSF").pk}"'
        not in page.split('id="id_provider"')[1].split("</select>")[0]
    )
