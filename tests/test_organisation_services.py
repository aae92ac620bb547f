"""Organisation registry services (writes) and selectors (reads), on the Borås demo.

Every refused write must name the offending field and leave the registry and the audit
trail exactly as they were; every accepted write leaves exactly one audit event.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from ordna.accounts.models import User
from ordna.audit.models import AuditEvent
from ordna.core.exceptions import StaleEdit
from ordna.organisation import selectors, services
from ordna.organisation.models import LegalPerson, Ownership, Unit
from ordna.organisation.selectors import Relation

D = datetime.date
START = D(2020, 1, 1)


# --- helpers ------------------------------------------------------------------------------
def luhn_complete(nine_digits: str) -> str:
    """Append the Luhn check digit to nine digits (an independent implementation)."""
    total = 0
    for i, ch in enumerate(reversed(nine_digits)):
        d = int(ch)
        if i % 2 == 0:  # these positions are doubled once the check digit is appended
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return nine_digits + str((10 - total % 10) % 10)


def counts() -> dict[str, int]:
    return {
        "legal_persons": LegalPerson.objects.count(),
        "ownerships": Ownership.objects.count(),
        "units": Unit.objects.count(),
        "audit_events": AuditEvent.objects.count(),
    }


def refused(call, field: str, **kwargs) -> ValidationError:
    """Run `call`, expect a ValidationError naming `field`, and check nothing was saved."""
    before = counts()
    with pytest.raises(ValidationError) as info:
        call(**kwargs)
    assert hasattr(info.value, "error_dict"), info.value
    assert field in info.value.error_dict, info.value.error_dict
    assert counts() == before
    return info.value


def lp(number_key: str) -> LegalPerson:
    numbers = {
        "kommun": "212000-1561",
        "BSAB": "556388-7867",
        "BEM": "556527-5996",
        "ABB": "556097-8602",
        "EXT1": "556123-4567",
    }
    return LegalPerson.objects.get(org_number=numbers[number_key])


def unit(code: str) -> Unit:
    return Unit.objects.get(code=code)


@pytest.fixture
def admin(demo):
    return User.objects.get(username="admin")


def unit_data(**overrides):
    data = {
        "code": "NYN",
        "name": "Ny nämnd",
        "kind": Unit.Kind.COMMITTEE,
        "legal_person": lp("kommun"),
        "parent": unit("KF"),
        "counterparty_code": "1",
        "valid_from": START,
    }
    data.update(overrides)
    return data


def new_company(admin, name="Testbolaget AB", nine="559900001") -> LegalPerson:
    return services.legal_person_create(
        actor=admin,
        name=name,
        org_number=luhn_complete(nine),
        kind=LegalPerson.Kind.COMPANY,
        valid_from=START,
    )


def last_event() -> AuditEvent:
    return AuditEvent.objects.order_by("-id").first()


# --- legal persons ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "number", ["212000-1562", "abc", "", "12345", "212000-15611", "55612-34567"]
)
def test_legal_person_create_refuses_invalid_org_number(admin, number):
    error = refused(
        services.legal_person_create,
        "org_number",
        actor=admin,
        name="Felaktiga AB",
        org_number=number,
        kind=LegalPerson.Kind.COMPANY,
    )
    assert list(error.error_dict) == ["org_number"]


@pytest.mark.parametrize("number", ["212000-1561", "2120001561", " 212000 1561 "])
def test_legal_person_create_refuses_duplicate_org_number(admin, number):
    refused(
        services.legal_person_create,
        "org_number",
        actor=admin,
        name="Borås kommun igen",
        org_number=number,
        kind=LegalPerson.Kind.MUNICIPALITY,
    )
    assert LegalPerson.objects.filter(org_number="212000-1561").count() == 1


@pytest.mark.parametrize(
    "shape",
    [
        lambda d: d,
        lambda d: f"{d[:6]}-{d[6:]}",
        lambda d: f"{d[:6]} {d[6:]}",
        lambda d: f" {d[:6]}-{d[6:]} ",
        lambda d: f"{d[:3]} {d[3:6]}-{d[6:]}",
    ],
)
def test_legal_person_create_normalises_org_number(admin, shape):
    digits = luhn_complete("559900123")
    person = services.legal_person_create(
        actor=admin, name="Normal AB", org_number=shape(digits), kind=LegalPerson.Kind.COMPANY
    )
    person.refresh_from_db()
    assert person.org_number == f"{digits[:6]}-{digits[6:]}"
    assert last_event().after["org_number"] == person.org_number


def test_legal_person_create_writes_one_audit_event(admin):
    before = AuditEvent.objects.count()
    number = luhn_complete("559900777")
    person = services.legal_person_create(
        actor=admin,
        name="Granskade AB",
        org_number=number,
        kind=LegalPerson.Kind.COMPANY,
        valid_from=D(2024, 1, 1),
        reason="Nytt bolag",
        source=AuditEvent.Source.API,
    )
    assert AuditEvent.objects.count() == before + 1
    event = last_event()
    assert event.action == "organisation.legal_person.create"
    assert event.object_type == "organisation.legalperson"
    assert event.object_id == str(person.pk)
    assert event.actor_username == "admin"
    assert event.source == "api"
    assert event.reason == "Nytt bolag"
    assert event.before is None
    assert event.after["name"] == "Granskade AB"
    assert event.after["org_number"] == f"{number[:6]}-{number[6:]}"
    assert event.after["kind"] == "company"
    assert event.after["valid_from"] == "2024-01-01"
    assert event.after["version"] == 1


def test_legal_person_update_audits_before_and_after(admin):
    person = lp("EXT1")
    before = AuditEvent.objects.count()
    updated = services.legal_person_update(
        actor=admin, legal_person=person, version=person.version, name="Väst AB", reason="Namnbyte"
    )
    assert updated.version == person.version + 1
    person.refresh_from_db()
    assert person.name == "Väst AB"
    assert AuditEvent.objects.count() == before + 1
    event = last_event()
    assert event.action == "organisation.legal_person.update"
    assert event.before["name"] == "Exempelbolaget Väst AB"
    assert event.after["name"] == "Väst AB"
    assert event.after["version"] == event.before["version"] + 1
    assert event.reason == "Namnbyte"


def test_legal_person_update_keeps_own_org_number(admin):
    """Saving a legal person with its own organisation number is not a duplicate."""
    person = lp("EXT1")
    services.legal_person_update(
        actor=admin, legal_person=person, version=person.version, org_number="5561234567"
    )
    person.refresh_from_db()
    assert person.org_number == "556123-4567"


def test_legal_person_update_refuses_stale_version(admin):
    person = lp("EXT1")
    services.legal_person_update(actor=admin, legal_person=person, version=1, name="Först AB")
    before = counts()
    with pytest.raises(StaleEdit) as info:
        services.legal_person_update(actor=admin, legal_person=person, version=1, name="Sist AB")
    assert "Reload" in str(info.value) or "Ladda om" in str(info.value)
    person.refresh_from_db()
    assert person.name == "Först AB"
    assert person.version == 2
    assert counts() == before


def test_legal_person_update_refuses_invalid_org_number(admin):
    person = lp("EXT1")
    refused(
        services.legal_person_update,
        "org_number",
        actor=admin,
        legal_person=person,
        version=person.version,
        org_number="556123-4568",
    )
    person.refresh_from_db()
    assert person.org_number == "556123-4567"
    assert person.version == 1


def test_legal_person_update_refuses_kind_that_does_not_fit_its_units(admin):
    person = lp("BEM")
    refused(
        services.legal_person_update,
        "kind",
        actor=admin,
        legal_person=person,
        version=person.version,
        kind=LegalPerson.Kind.EXTERNAL,
    )
    person.refresh_from_db()
    assert person.kind == LegalPerson.Kind.COMPANY


def test_legal_person_refuses_end_before_start(admin):
    refused(
        services.legal_person_create,
        "valid_to",
        actor=admin,
        name="Baklänges AB",
        org_number=luhn_complete("559900555"),
        kind=LegalPerson.Kind.COMPANY,
        valid_from=D(2025, 1, 1),
        valid_to=D(2024, 12, 31),
    )


# --- units --------------------------------------------------------------------------------
def test_unit_create_writes_one_audit_event(admin):
    before = AuditEvent.objects.count()
    created = services.unit_create(
        actor=admin, reason="Ny nämnd beslutad", **unit_data(cost_centre="9100")
    )
    assert AuditEvent.objects.count() == before + 1
    event = last_event()
    assert event.action == "organisation.unit.create"
    assert event.object_type == "organisation.unit"
    assert event.object_id == str(created.pk)
    assert event.reason == "Ny nämnd beslutad"
    assert event.source == "web"
    assert event.before is None
    assert event.after["code"] == "NYN"
    assert event.after["legal_person_id"] == lp("kommun").pk
    assert event.after["parent_id"] == unit("KF").pk
    assert event.after["cost_centre"] == "9100"
    assert event.after["valid_to"] is None
    assert Unit.objects.get(pk=created.pk).version == 1


def test_unit_create_refuses_missing_legal_person(admin):
    refused(services.unit_create, "legal_person", actor=admin, **unit_data(legal_person=None))


def test_unit_create_refuses_company_unit_on_the_municipality(admin):
    refused(
        services.unit_create,
        "legal_person",
        actor=admin,
        **unit_data(kind=Unit.Kind.COMPANY, parent=None, counterparty_code=""),
    )


def test_unit_create_refuses_committee_on_a_company(admin):
    refused(
        services.unit_create,
        "legal_person",
        actor=admin,
        **unit_data(legal_person=lp("BEM"), parent=None, counterparty_code=""),
    )


def test_unit_create_refuses_administration_without_committee(admin):
    refused(
        services.unit_create,
        "parent",
        actor=admin,
        **unit_data(kind=Unit.Kind.ADMINISTRATION, parent=None),
    )


@pytest.mark.parametrize(
    ("kind", "parent_code"),
    [
        (Unit.Kind.ADMINISTRATION, "KF"),  # an administration serves a committee
        (Unit.Kind.ADMINISTRATION, "SK"),
        (Unit.Kind.COMMITTEE, "KS"),  # a committee reports to the council
        (Unit.Kind.COUNCIL, "KF"),  # the council reports to nobody
        (Unit.Kind.AUDIT, "KS"),
    ],
)
def test_unit_create_refuses_parent_of_wrong_kind(admin, kind, parent_code):
    refused(
        services.unit_create,
        "parent",
        actor=admin,
        **unit_data(kind=kind, parent=unit(parent_code)),
    )


def test_unit_create_refuses_parent_of_another_legal_person(admin):
    other = services.legal_person_create(
        actor=admin,
        name="Grannkommunen",
        org_number=luhn_complete("212000999"),
        kind=LegalPerson.Kind.MUNICIPALITY,
        valid_from=START,
    )
    council = services.unit_create(
        actor=admin,
        code="GKF",
        name="Grannkommunens fullmäktige",
        kind=Unit.Kind.COUNCIL,
        legal_person=other,
        valid_from=START,
    )
    error = refused(services.unit_create, "parent", actor=admin, **unit_data(parent=council))
    assert "same legal person" in str(error) or "samma juridiska person" in str(error)


@pytest.mark.parametrize(
    ("person", "kind", "code"),
    [
        ("kommun", Unit.Kind.COMMITTEE, "5"),
        ("kommun", Unit.Kind.COMMITTEE, "0"),
        ("kommun", Unit.Kind.COMMITTEE, "81"),
        ("BEM", Unit.Kind.COMPANY, "1"),
        ("BEM", Unit.Kind.COMPANY, "8"),
        ("BEM", Unit.Kind.COMPANY, "86"),
        ("EXT1", Unit.Kind.EXTERNAL_CUSTOMER, "80"),
        ("EXT1", Unit.Kind.EXTERNAL_CUSTOMER, "88"),
        ("EXT1", Unit.Kind.EXTERNAL_CUSTOMER, "1"),
    ],
)
def test_unit_create_refuses_counterparty_code_outside_range(admin, person, kind, code):
    parent = unit("KF") if person == "kommun" else None
    refused(
        services.unit_create,
        "counterparty_code",
        actor=admin,
        **unit_data(legal_person=lp(person), kind=kind, parent=parent, counterparty_code=code),
    )


@pytest.mark.parametrize(
    ("person", "kind", "code"),
    [
        ("kommun", Unit.Kind.COMMITTEE, "4"),
        ("BEM", Unit.Kind.COMPANY, "7"),
        ("EXT1", Unit.Kind.EXTERNAL_CUSTOMER, "81"),
        ("EXT1", Unit.Kind.EXTERNAL_CUSTOMER, "87"),
        ("EXT1", Unit.Kind.EXTERNAL_CUSTOMER, ""),
    ],
)
def test_unit_create_accepts_counterparty_code_inside_range(admin, person, kind, code):
    parent = unit("KF") if person == "kommun" else None
    created = services.unit_create(
        actor=admin,
        **unit_data(legal_person=lp(person), kind=kind, parent=parent, counterparty_code=code),
    )
    assert Unit.objects.get(pk=created.pk).counterparty_code == code


@pytest.mark.parametrize("valid_from", [START, D(2019, 1, 1), D(2030, 1, 1)])
def test_unit_create_refuses_code_in_use_in_overlapping_period(admin, valid_from):
    refused(
        services.unit_create, "code", actor=admin, **unit_data(code="SK", valid_from=valid_from)
    )


def test_unit_code_may_be_reused_after_the_old_unit_ended(admin):
    services.unit_create(
        actor=admin, **unit_data(code="GML", valid_from=START, valid_to=D(2022, 12, 31))
    )
    # valid_to is inclusive: the last day is still taken.
    refused(
        services.unit_create,
        "code",
        actor=admin,
        **unit_data(code="GML", valid_from=D(2022, 12, 31)),
    )
    refused(
        services.unit_create,
        "code",
        actor=admin,
        **unit_data(code="GML", valid_from=D(2019, 1, 1), valid_to=START),
    )
    after = services.unit_create(actor=admin, **unit_data(code="GML", valid_from=D(2023, 1, 1)))
    before = services.unit_create(
        actor=admin, **unit_data(code="GML", valid_from=D(2018, 1, 1), valid_to=D(2019, 12, 31))
    )
    assert Unit.objects.filter(code="GML").count() == 3
    assert selectors.unit_by_code("GML", D(2024, 6, 1)) == after
    assert selectors.unit_by_code("GML", D(2019, 6, 1)) == before


def test_unit_create_refuses_end_before_start(admin):
    refused(
        services.unit_create,
        "valid_to",
        actor=admin,
        **unit_data(valid_from=D(2025, 1, 1), valid_to=D(2024, 12, 31)),
    )


@pytest.mark.parametrize("code", ["sk", "S", "ABCDEFGHIJK", "S-K", ""])
def test_unit_create_refuses_malformed_code(admin, code):
    refused(services.unit_create, "code", actor=admin, **unit_data(code=code))


def test_unit_create_refuses_code_with_trailing_newline(admin):
    refused(services.unit_create, "code", actor=admin, **unit_data(code="SK\n"))


def test_unit_update_audits_before_and_after_and_increments_version(admin):
    sk = unit("SK")
    before = AuditEvent.objects.count()
    services.unit_update(
        actor=admin,
        unit=sk,
        version=sk.version,
        name="Servicekontoret Borås",
        registry_email="sk.diarium@boras.se",
        reason="Nytt namn",
    )
    sk.refresh_from_db()
    assert sk.name == "Servicekontoret Borås"
    assert sk.version == 2
    assert AuditEvent.objects.count() == before + 1
    event = last_event()
    assert event.action == "organisation.unit.update"
    assert event.object_id == str(sk.pk)
    assert event.before["name"] == "Servicekontoret"
    assert event.before["registry_email"] == ""
    assert event.before["version"] == 1
    assert event.after["name"] == "Servicekontoret Borås"
    assert event.after["registry_email"] == "sk.diarium@boras.se"
    assert event.after["version"] == 2
    assert event.reason == "Nytt namn"


def test_unit_update_keeps_its_own_code(admin):
    """A unit does not clash with itself when its other fields change."""
    sk = unit("SK")
    services.unit_update(actor=admin, unit=sk, version=1, code="SK", valid_to=D(2030, 1, 1))
    sk.refresh_from_db()
    assert sk.valid_to == D(2030, 1, 1)


def test_unit_update_refuses_stale_version(admin):
    sk = unit("SK")
    services.unit_update(actor=admin, unit=sk, version=1, name="Första ändringen")
    before = counts()
    with pytest.raises(StaleEdit):
        services.unit_update(actor=admin, unit=sk, version=1, name="Andra ändringen")
    sk.refresh_from_db()
    assert sk.name == "Första ändringen"
    assert sk.version == 2
    assert counts() == before


def test_unit_update_refuses_invalid_change_and_saves_nothing(admin):
    sk = unit("SK")
    refused(services.unit_update, "parent", actor=admin, unit=sk, version=1, parent=None)
    refused(services.unit_update, "code", actor=admin, unit=sk, version=1, code="TF")
    sk.refresh_from_db()
    assert sk.parent == unit("SN")
    assert sk.code == "SK"
    assert sk.version == 1


# --- ownership ----------------------------------------------------------------------------
def test_ownership_create_writes_one_audit_event(admin):
    company = new_company(admin)
    before = AuditEvent.objects.count()
    holding = services.ownership_create(
        actor=admin,
        owner=lp("BSAB"),
        owned=company,
        share_percent=Decimal("75.50"),
        valid_from=START,
        reason="Förvärv",
    )
    assert AuditEvent.objects.count() == before + 1
    event = last_event()
    assert event.action == "organisation.ownership.create"
    assert event.object_id == str(holding.pk)
    assert event.before is None
    assert event.after["owner_id"] == lp("BSAB").pk
    assert event.after["owned_id"] == company.pk
    assert Decimal(event.after["share_percent"]) == Decimal("75.50")
    assert event.reason == "Förvärv"


def test_ownership_create_refuses_same_pair_in_overlapping_period(admin):
    company = new_company(admin)
    services.ownership_create(
        actor=admin, owner=lp("kommun"), owned=company, share_percent=Decimal(40), valid_from=START
    )
    error = refused(
        services.ownership_create,
        "valid_from",
        actor=admin,
        owner=lp("kommun"),
        owned=company,
        share_percent=Decimal(10),
        valid_from=D(2023, 1, 1),
    )
    assert "share_percent" not in error.error_dict  # 50 % in all: only the overlap is wrong


def test_ownership_same_pair_allowed_after_the_old_one_ended(admin):
    company = new_company(admin)
    first = services.ownership_create(
        actor=admin, owner=lp("kommun"), owned=company, share_percent=Decimal(40), valid_from=START
    )
    services.ownership_end(actor=admin, ownership=first, valid_to=D(2022, 12, 31))
    services.ownership_create(
        actor=admin,
        owner=lp("kommun"),
        owned=company,
        share_percent=Decimal(60),
        valid_from=D(2023, 1, 1),
    )
    assert Ownership.objects.filter(owner=lp("kommun"), owned=company).count() == 2


def test_ownership_create_refuses_holdings_above_100_percent(admin):
    company = new_company(admin)
    services.ownership_create(
        actor=admin, owner=lp("kommun"), owned=company, share_percent=Decimal(60), valid_from=START
    )
    refused(
        services.ownership_create,
        "share_percent",
        actor=admin,
        owner=lp("BSAB"),
        owned=company,
        share_percent=Decimal("40.01"),
        valid_from=START,
    )
    # Exactly 100 % is fine.
    services.ownership_create(
        actor=admin, owner=lp("BSAB"), owned=company, share_percent=Decimal(40), valid_from=START
    )


def test_ownership_total_is_checked_per_day_not_over_the_whole_period(admin):
    company = new_company(admin)
    early = services.ownership_create(
        actor=admin, owner=lp("kommun"), owned=company, share_percent=Decimal(60), valid_from=START
    )
    services.ownership_end(actor=admin, ownership=early, valid_to=D(2021, 12, 31))
    services.ownership_create(
        actor=admin,
        owner=lp("BSAB"),
        owned=company,
        share_percent=Decimal(60),
        valid_from=D(2022, 1, 1),
    )
    # At most 60 + 30 = 90 % on any day.
    services.ownership_create(
        actor=admin, owner=lp("BEM"), owned=company, share_percent=Decimal(30), valid_from=START
    )


@pytest.mark.parametrize(
    "share",
    [
        pytest.param(
            Decimal(0),
        ),
        Decimal("-1"),
        Decimal("100.01"),
    ],
)
def test_ownership_create_refuses_share_out_of_range(admin, share):
    company = new_company(admin)
    refused(
        services.ownership_create,
        "share_percent",
        actor=admin,
        owner=lp("kommun"),
        owned=company,
        share_percent=share,
        valid_from=START,
    )


def test_ownership_create_refuses_cycle_through_a_chain(admin):
    # kommun → BSAB → BEM already; BEM owning part of the municipality closes the circle.
    error = refused(
        services.ownership_create,
        "owned",
        actor=admin,
        owner=lp("BEM"),
        owned=lp("kommun"),
        share_percent=Decimal(1),
        valid_from=D(2024, 1, 1),
    )
    assert list(error.error_dict) == ["owned"]


def test_ownership_create_refuses_owning_itself(admin):
    before = counts()
    with pytest.raises(ValidationError):
        services.ownership_create(
            actor=admin,
            owner=lp("BEM"),
            owned=lp("BEM"),
            share_percent=Decimal(1),
            valid_from=START,
        )
    assert counts() == before


def test_ownership_create_owning_itself_names_the_owner(admin):
    with pytest.raises(ValidationError) as info:
        services.ownership_create(
            actor=admin,
            owner=lp("BEM"),
            owned=lp("BEM"),
            share_percent=Decimal(1),
            valid_from=START,
        )
    assert {"owner", "owned"} & set(info.value.error_dict)
    assert NON_FIELD_ERRORS not in info.value.error_dict


def test_ownership_create_refuses_cycle_that_starts_later_in_the_period(admin):
    company = new_company(admin)
    services.ownership_create(
        actor=admin,
        owner=company,
        owned=lp("EXT1"),
        share_percent=Decimal(30),
        valid_from=D(2030, 1, 1),
    )
    # Open-ended from 2025: from 2030 EXT1 and the company would own each other.
    refused(
        services.ownership_create,
        "owned",
        actor=admin,
        owner=lp("EXT1"),
        owned=company,
        share_percent=Decimal(30),
        valid_from=D(2025, 1, 1),
    )


def test_ownership_end_refuses_end_before_start(admin):
    holding = Ownership.objects.get(owner=lp("kommun"), owned=lp("BSAB"))
    before = counts()
    with pytest.raises(ValidationError) as info:
        services.ownership_end(actor=admin, ownership=holding, valid_to=D(2019, 12, 31))
    assert "valid_to" in info.value.error_dict
    holding.refresh_from_db()
    assert holding.valid_to is None
    assert counts() == before


def test_ownership_end_cannot_reopen_over_a_newer_holding(admin):
    company = new_company(admin)
    old = services.ownership_create(
        actor=admin,
        owner=lp("kommun"),
        owned=company,
        share_percent=Decimal(80),
        valid_from=START,
        valid_to=D(2021, 12, 31),
    )
    services.ownership_create(
        actor=admin,
        owner=lp("kommun"),
        owned=company,
        share_percent=Decimal(80),
        valid_from=D(2022, 1, 1),
    )
    before = counts()
    with pytest.raises(ValidationError):
        services.ownership_end(actor=admin, ownership=old, valid_to=D(2030, 12, 31))
    assert counts() == before


# --- selectors: units as of a date, search ------------------------------------------------
def test_unit_list_as_of_a_date(admin):
    services.unit_create(
        actor=admin, **unit_data(code="GML", name="Gamla nämnden", valid_to=D(2021, 12, 31))
    )
    today_codes = set(selectors.unit_list().values_list("code", flat=True))
    assert "GML" not in today_codes
    assert {"KF", "SK", "BEM", "EXT1"} <= today_codes
    assert "GML" in set(selectors.unit_list(on=D(2021, 6, 1)).values_list("code", flat=True))
    assert "GML" in set(selectors.unit_list(on=D(2021, 12, 31)).values_list("code", flat=True))
    assert "GML" not in set(selectors.unit_list(on=D(2022, 1, 1)).values_list("code", flat=True))
    assert not selectors.unit_list(on=D(2019, 12, 31)).exists()


def test_unit_list_not_yet_valid(admin):
    services.unit_create(actor=admin, **unit_data(code="FRAM", valid_from=D(2099, 1, 1)))
    assert not selectors.unit_list(search="FRAM").exists()
    assert selectors.unit_list(search="FRAM", on=D(2099, 1, 1)).count() == 1


@pytest.mark.parametrize(
    ("search", "expected", "absent"),
    [
        ("SK", {"SK"}, {"KF", "KS", "VAN"}),
        ("sk", {"SK"}, {"KF", "KS", "VAN"}),
        ("servicekontor", {"SK"}, {"SN", "KF"}),
        ("kommunfull", {"KF"}, {"KS", "SK"}),
        ("SERVICE", {"SN", "SK"}, {"KF"}),
        ("ks.diarium", {"KS"}, {"SK"}),  # registry e-mail
        ("2110", {"SK"}, {"SN"}),  # cost centre
    ],
)
def test_unit_list_search(demo, search, expected, absent):
    codes = set(selectors.unit_list(search=search).values_list("code", flat=True))
    assert expected <= codes
    assert not (absent & codes)


def test_unit_list_kind_filter(demo):
    codes = set(selectors.unit_list(kind=Unit.Kind.COMPANY).values_list("code", flat=True))
    assert codes == {"BSAB", "BEM", "ABB"}


def test_unit_list_is_ordered_by_code(demo):
    codes = list(selectors.unit_list().values_list("code", flat=True))
    assert codes == sorted(codes)


def test_legal_person_list_counts_units_valid_that_day(admin):
    services.unit_create(actor=admin, **unit_data(code="GML", valid_to=D(2021, 12, 31)))
    by_name = {p.name: p.unit_count for p in selectors.legal_person_list()}
    assert by_name["Borås kommun"] == 19
    assert by_name["Borås Energi och Miljö AB"] == 1
    by_name_2021 = {p.name: p.unit_count for p in selectors.legal_person_list(on=D(2021, 6, 1))}
    assert by_name_2021["Borås kommun"] == 20
    assert not selectors.legal_person_list(on=D(2019, 12, 31)).exists()


# --- selectors: legal relation ------------------------------------------------------------
def test_legal_relation_same(demo):
    result = selectors.legal_relation(lp("kommun"), lp("kommun"))
    assert result.relation == Relation.SAME
    assert result.share_percent == Decimal(100)
    assert result.direct is True


def test_legal_relation_controlled_through_a_chain(demo):
    result = selectors.legal_relation(lp("kommun"), lp("BEM"))
    assert result.relation == Relation.CONTROLLED
    assert result.share_percent == Decimal("100.00")
    assert str(result.share_percent) == "100.00"
    assert result.direct is False


def test_legal_relation_controlled_directly(demo):
    result = selectors.legal_relation(lp("kommun"), lp("BSAB"))
    assert result.relation == Relation.CONTROLLED
    assert result.share_percent == Decimal("100.00")
    assert result.direct is True


def test_legal_relation_external(demo):
    result = selectors.legal_relation(lp("kommun"), lp("EXT1"))
    assert result.relation == Relation.EXTERNAL
    assert result.share_percent == Decimal("0.00")
    assert result.direct is False


def test_legal_relation_before_the_holdings_existed(demo):
    result = selectors.legal_relation(lp("kommun"), lp("BEM"), D(2019, 12, 31))
    assert result.relation == Relation.EXTERNAL
    assert result.share_percent == Decimal("0.00")


def test_legal_relation_is_not_symmetric(demo):
    result = selectors.legal_relation(lp("BEM"), lp("kommun"))
    assert result.relation == Relation.EXTERNAL


def test_effective_share_multiplies_along_chain_and_adds_paths(admin):
    a = new_company(admin, "A AB", "559900101")
    b = new_company(admin, "B AB", "559900102")
    c = new_company(admin, "C AB", "559900103")
    kommun = lp("kommun")
    services.ownership_create(
        actor=admin, owner=kommun, owned=a, share_percent=Decimal(60), valid_from=START
    )
    services.ownership_create(
        actor=admin, owner=a, owned=b, share_percent=Decimal(50), valid_from=START
    )
    # Diamond: kommun holds C through A (60 % × 40 %) and through B (60 % × 50 % × 30 %).
    services.ownership_create(
        actor=admin, owner=a, owned=c, share_percent=Decimal(40), valid_from=START
    )
    services.ownership_create(
        actor=admin, owner=b, owned=c, share_percent=Decimal(30), valid_from=START
    )
    assert selectors.effective_share(kommun, b) == Decimal("30.00")
    assert selectors.effective_share(kommun, c) == Decimal("33.00")
    relation = selectors.legal_relation(kommun, a)
    assert (relation.relation, relation.direct) == (Relation.CONTROLLED, True)
    relation = selectors.legal_relation(kommun, b)
    assert (relation.relation, relation.share_percent) == (Relation.EXTERNAL, Decimal("30.00"))


def test_effective_share_ignores_ended_holdings(admin):
    holding = Ownership.objects.get(owner=lp("BSAB"), owned=lp("BEM"))
    services.ownership_end(actor=admin, ownership=holding, valid_to=D(2024, 12, 31))
    assert selectors.effective_share(lp("kommun"), lp("BEM"), D(2024, 12, 31)) == Decimal("100.00")
    assert selectors.effective_share(lp("kommun"), lp("BEM"), D(2025, 1, 1)) == Decimal("0.00")


def test_non_field_errors_key_is_not_used_for_field_problems(admin):
    """Field problems must be keyed by field so pages and the API can point at them."""
    with pytest.raises(ValidationError) as info:
        services.unit_create(actor=admin, **unit_data(kind=Unit.Kind.ADMINISTRATION, parent=None))
    assert NON_FIELD_ERRORS not in info.value.error_dict
