"""Agreement services: the whole cycle from draft to active, the refusals along the way,
amendments, termination, the calendar refresh and the roll-over. Through the services,
on the Borås demo; messages from gettext at test time.

Agreements made here are for next year (`NEXT`), whose price list the tests publish, so
signing them leaves them "signed" until the refresh moves them along, whatever today is.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from ordna.accounts.models import User
from ordna.agreements import selectors
from ordna.agreements import services as agreements
from ordna.agreements.models import Agreement, AgreementLine, AgreementVersion
from ordna.audit.models import AuditEvent
from ordna.catalogue import services as catalogue
from ordna.catalogue.models import PriceList, Service, ServiceArea
from ordna.core.exceptions import StaleEdit
from ordna.core.money import to_ore
from ordna.organisation.models import Unit

NEXT = timezone.localdate().year + 1
INDEX = Decimal("3")


@pytest.fixture
def people(demo):
    names = ["sk.chef", "sk.handlaggare", "tf.ombud", "slk.huvudbestallare"]
    return {name: User.objects.get(username=name) for name in names}


def unit(code: str) -> Unit:
    return Unit.objects.get(code=code)


def service(code: str) -> Service:
    return Service.objects.get(code=code)


def list_2026() -> PriceList:
    return PriceList.objects.get(year=2026, status=PriceList.Status.PUBLISHED)


def publish_indexed(actor, year: int) -> PriceList:
    """`year`'s list: the 2026 list indexed by INDEX, published."""
    draft = catalogue.price_list_index(
        actor=actor, source_list=list_2026(), year=year, index_percent=INDEX
    )
    draft.refresh_from_db()
    return catalogue.price_list_publish(actor=actor, price_list=draft, version=draft.version)


@pytest.fixture
def next_list(people):
    return publish_indexed(people["sk.chef"], NEXT)


def fresh(agreement: Agreement) -> Agreement:
    agreement.refresh_from_db()
    return agreement


def new_agreement(actor, *, year=NEXT, purchaser="TF", kind="unit", lines=()) -> Agreement:
    agreement = agreements.agreement_create(
        actor=actor, year=year, purchaser=unit(purchaser), provider=unit("SK"), kind=kind
    )
    for code, volume in lines:
        agreements.line_add(
            actor=actor,
            agreement=agreement,
            version=fresh(agreement).version,
            service=service(code),
            volume=Decimal(volume),
        )
    return fresh(agreement)


def propose(actor, agreement, side):
    return agreements.round_submit(
        actor=actor, agreement=agreement, version=fresh(agreement).version, side=side
    )


def agree(actor, agreement, side):
    return agreements.agreement_agree(
        actor=actor, agreement=agreement, version=fresh(agreement).version, side=side
    )


def sign_both(people, agreement):
    agreements.agreement_sign(
        actor=people["tf.ombud"],
        agreement=agreement,
        side="purchaser",
        role="purchaser_representative",
    )
    agreements.agreement_sign(
        actor=people["sk.chef"], agreement=agreement, side="provider", role="provider_manager"
    )
    return fresh(agreement)


def signed_agreement(people, **kwargs) -> Agreement:
    handler = people["sk.handlaggare"]
    agreement = new_agreement(handler, **kwargs)
    propose(handler, agreement, "provider")
    agree(people["tf.ombud"], agreement, "purchaser")
    return sign_both(people, agreement)


def actions_for(agreement) -> list[str]:
    version_ids = [str(pk) for pk in agreement.versions.values_list("pk", flat=True)]
    return list(
        AuditEvent.objects.filter(
            object_type__in=["agreements.agreement", "agreements.agreementversion"],
            object_id__in=[str(agreement.pk), *version_ids],
        )
        .order_by("id")
        .values_list("action", flat=True)
    )


def latest_action() -> str:
    return AuditEvent.objects.order_by("-id").values_list("action", flat=True).first()


# --- The cycle ---------------------------------------------------------------------------------
def test_the_whole_cycle_from_draft_to_active(people, next_list):
    handler, ombud = people["sk.handlaggare"], people["tf.ombud"]
    start = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    agreement = new_agreement(handler, lines=[("IT-ARBETSPLATS", "100"), ("VINTER", "50")])
    assert agreement.status == Agreement.Status.DRAFT
    version = agreement.versions.get()
    assert version.price_list == next_list and version.state == AgreementVersion.State.OPEN
    it = version.lines.get(service__code="IT-ARBETSPLATS")
    assert it.unit_price == it.list_price == next_list.prices.get(service=it.service).unit_price

    propose(handler, agreement, "provider")
    assert fresh(agreement).status == Agreement.Status.NEGOTIATION

    agreements.line_update(
        actor=ombud, line=it, version=fresh(agreement).version, unit_price=Decimal("250.00")
    )
    counter = propose(ombud, agreement, "purchaser")
    assert counter.number == 2 and counter.side == "purchaser"
    assert counter.total == sum(
        line.yearly_amount for line in fresh(agreement).versions.get().lines.all()
    )

    agreed = agree(handler, agreement, "provider")
    assert agreed.state == AgreementVersion.State.AGREED and agreed.agreed_at is not None
    assert fresh(agreement).status == Agreement.Status.AGREED

    agreements.agreement_sign(
        actor=ombud, agreement=agreement, side="purchaser", role="purchaser_representative"
    )
    assert fresh(agreement).status == Agreement.Status.AGREED  # one signature is not enough
    agreements.agreement_sign(
        actor=people["sk.chef"], agreement=agreement, side="provider", role="provider_manager"
    )
    agreement = fresh(agreement)
    assert agreement.status == Agreement.Status.SIGNED  # it starts next year
    assert agreement.versions.get().state == AgreementVersion.State.SIGNED
    assert agreement.versions.get().signatures.count() == 2

    counts = agreements.agreements_refresh(day=datetime.date(NEXT, 1, 1))
    assert counts["activated"] >= 1
    assert fresh(agreement).status == Agreement.Status.ACTIVE
    assert actions_for(agreement) == [
        "agreements.agreement.create",
        "agreements.version.agree",
        "agreements.version.sign",
        "agreements.version.sign",
        "agreements.agreement.signed",
        "agreements.agreement.refresh",
    ]
    line_events = AuditEvent.objects.filter(action__startswith="agreements.line.", id__gt=start)
    assert list(line_events.values_list("action", flat=True)) == [
        "agreements.line.add",
        "agreements.line.add",
        "agreements.line.update",
    ]
    rounds = AuditEvent.objects.filter(action="agreements.round.submit").order_by("-id")[:2]
    assert [e.after["side"] for e in rounds] == ["purchaser", "provider"]


def test_agreeing_to_ones_own_proposal_is_refused(people, next_list):
    handler = people["sk.handlaggare"]
    agreement = new_agreement(handler, lines=[("VINTER", "5")])
    with pytest.raises(ValidationError, match=_("There is no proposal to accept yet.")):
        agree(people["tf.ombud"], agreement, "purchaser")
    propose(handler, agreement, "provider")
    with pytest.raises(ValidationError) as error:
        agree(handler, agreement, "provider")
    assert error.value.messages == [
        _("The latest proposal is your own; the other side accepts it.")
    ]
    assert fresh(agreement).versions.get().state == AgreementVersion.State.OPEN


def test_agreeing_after_the_lines_changed_is_refused(people, next_list):
    handler, ombud = people["sk.handlaggare"], people["tf.ombud"]
    agreement = new_agreement(handler, lines=[("VINTER", "5")])
    propose(handler, agreement, "provider")
    line = agreement.versions.get().lines.get()
    agreements.line_update(
        actor=ombud, line=line, version=fresh(agreement).version, volume=Decimal("6")
    )
    with pytest.raises(ValidationError) as error:
        agree(ombud, agreement, "purchaser")
    assert error.value.messages == [
        _("The lines were changed after the latest proposal. Propose them first.")
    ]
    assert fresh(agreement).status == Agreement.Status.NEGOTIATION


def test_proposing_the_same_again_is_refused(people, next_list):
    handler = people["sk.handlaggare"]
    agreement = new_agreement(handler, lines=[("VINTER", "5")])
    propose(handler, agreement, "provider")
    with pytest.raises(ValidationError, match=_("Nothing has changed since your last proposal.")):
        propose(handler, agreement, "provider")


def test_a_side_signs_once(people, next_list):
    handler, ombud = people["sk.handlaggare"], people["tf.ombud"]
    agreement = new_agreement(handler, lines=[("VINTER", "5")])
    with pytest.raises(ValidationError, match=_("Only an agreed version can be signed.")):
        agreements.agreement_sign(actor=ombud, agreement=agreement, side="purchaser", role="x")
    propose(handler, agreement, "provider")
    agree(ombud, agreement, "purchaser")
    agreements.agreement_sign(actor=ombud, agreement=agreement, side="purchaser", role="x")
    with pytest.raises(ValidationError) as error:
        agreements.agreement_sign(actor=ombud, agreement=agreement, side="purchaser", role="x")
    assert error.value.messages == [_("Your side has already signed this version.")]
    assert fresh(agreement).versions.get().signatures.count() == 1


def test_a_signed_version_refuses_line_changes(people, next_list):
    agreement = signed_agreement(people, lines=[("VINTER", "5")])
    frozen = _(
        "This version is agreed or signed and never changes. "
        "Start an amendment to change the agreement."
    )
    with pytest.raises(ValidationError, match=re.escape(frozen)):
        agreements.line_add(
            actor=people["sk.chef"],
            agreement=agreement,
            version=agreement.version,
            service=service("DRIFT-GATA"),
        )


# --- Lines -------------------------------------------------------------------------------------
def test_a_line_for_a_service_not_in_the_price_list_is_refused(people, next_list):
    handler = people["sk.handlaggare"]
    unpriced = catalogue.service_create(
        actor=handler,
        code="TOLK",
        name="Tolk",
        area=ServiceArea.objects.get(code="KONTAKTCENTER"),
        unit_of_measure="timme",
        price_model="hourly",
        account="3459",
        valid_from=datetime.date(2026, 1, 1),
    )
    agreement = new_agreement(handler)
    with pytest.raises(ValidationError) as error:
        agreements.line_add(
            actor=handler, agreement=agreement, version=agreement.version, service=unpriced
        )
    assert error.value.message_dict["service"] == [
        _("%(service)s is not in the published price list “%(list)s”.")
        % {"service": "TOLK", "list": next_list.name}
    ]
    assert not AgreementLine.objects.filter(version__agreement=agreement).exists()


def test_a_negative_volume_is_refused(people, next_list):
    handler = people["sk.handlaggare"]
    agreement = new_agreement(handler, lines=[("VINTER", "5")])
    with pytest.raises(ValidationError) as error:
        agreements.line_add(
            actor=handler,
            agreement=agreement,
            version=agreement.version,
            service=service("DRIFT-GATA"),
            volume=Decimal("-1"),
        )
    assert error.value.message_dict["volume"] == [_("The volume cannot be negative.")]
    line = agreement.versions.get().lines.get()
    with pytest.raises(ValidationError):
        agreements.line_update(
            actor=handler, line=line, version=fresh(agreement).version, volume=Decimal("-2")
        )
    line.refresh_from_db()
    assert line.volume == Decimal("5")


def test_a_stale_version_is_refused(people, next_list):
    handler = people["sk.handlaggare"]
    agreement = new_agreement(handler, lines=[("VINTER", "5")])
    stale = agreement.version - 1
    with pytest.raises(StaleEdit):
        agreements.line_add(
            actor=handler, agreement=agreement, version=stale, service=service("DRIFT-GATA")
        )
    line = agreement.versions.get().lines.get()
    with pytest.raises(StaleEdit):
        agreements.line_update(actor=handler, line=line, version=stale, volume=Decimal("9"))
    with pytest.raises(StaleEdit):
        agreements.line_remove(actor=handler, line=line, version=stale)
    with pytest.raises(StaleEdit):
        agreements.round_submit(actor=handler, agreement=agreement, version=stale, side="provider")
    assert fresh(agreement).version == agreement.version
    agreements.line_remove(actor=handler, line=line, version=agreement.version)
    assert latest_action() == "agreements.line.remove"


def test_a_keyed_line_needs_a_common_agreement(people, next_list):
    handler = people["sk.handlaggare"]
    agreement = new_agreement(handler)
    with pytest.raises(ValidationError) as error:
        agreements.line_add(
            actor=handler,
            agreement=agreement,
            version=agreement.version,
            service=service("LON-ADM"),
            allocation_key=service("LON-ADM").default_key,
        )
    assert error.value.message_dict["allocation_key"] == [
        _("Only a common agreement is shared by keys.")
    ]


# --- Amendments, termination, calendar ---------------------------------------------------------
def test_an_amendment_keeps_version_1_and_supersedes_it_when_signed(people, next_list):
    handler, ombud = people["sk.handlaggare"], people["tf.ombud"]
    agreement = signed_agreement(people, lines=[("VINTER", "5"), ("DRIFT-GATA", "10")])
    v1 = agreement.versions.get()
    v1_lines = list(v1.lines.values_list("pk", "service__code", "volume", "unit_price"))

    with pytest.raises(ValidationError) as error:
        agreements.agreement_amend(
            actor=handler, agreement=agreement, version=agreement.version, reason=" "
        )
    assert "reason" in error.value.message_dict
    v2 = agreements.agreement_amend(
        actor=handler, agreement=agreement, version=agreement.version, reason="Fler timmar"
    )
    assert v2.number == 2 and v2.state == AgreementVersion.State.OPEN
    assert latest_action() == "agreements.version.amend"
    with pytest.raises(ValidationError, match=_("An amendment is already being negotiated.")):
        agreements.agreement_amend(
            actor=handler, agreement=agreement, version=fresh(agreement).version, reason="Igen"
        )
    winter = v2.lines.get(service__code="VINTER")
    agreements.line_update(
        actor=handler, line=winter, version=fresh(agreement).version, volume=Decimal("8")
    )
    propose(handler, agreement, "provider")
    agree(ombud, agreement, "purchaser")
    assert fresh(agreement).status == Agreement.Status.SIGNED  # v1 still in force meanwhile
    sign_both(people, agreement)

    assert list(v1.lines.values_list("pk", "service__code", "volume", "unit_price")) == v1_lines
    states = dict(agreement.versions.values_list("number", "state"))
    assert states == {1: AgreementVersion.State.SUPERSEDED, 2: AgreementVersion.State.SIGNED}
    versions = selectors.versions_of(agreement)
    assert selectors.version_in_force(versions).number == 2
    assert versions[1].lines.get(service__code="VINTER").volume == Decimal("8")


def test_termination_ends_the_agreement(people, next_list):
    handler = people["sk.handlaggare"]
    agreement = signed_agreement(people, lines=[("VINTER", "5")])
    with pytest.raises(ValidationError) as error:
        agreements.agreement_terminate(
            actor=handler,
            agreement=agreement,
            version=agreement.version,
            terminated_on=datetime.date(NEXT + 1, 1, 1),
            reason="Verksamheten upphör",
        )
    assert "terminated_on" in error.value.message_dict
    ended = agreements.agreement_terminate(
        actor=handler,
        agreement=agreement,
        version=agreement.version,
        terminated_on=datetime.date(NEXT, 6, 30),
        reason="Verksamheten upphör",
    )
    assert ended.status == Agreement.Status.TERMINATED
    assert ended.terminated_on == datetime.date(NEXT, 6, 30)
    assert latest_action() == "agreements.agreement.terminate"
    with pytest.raises(ValidationError, match=_("The agreement has already ended.")):
        agreements.agreement_terminate(
            actor=handler,
            agreement=ended,
            version=ended.version,
            terminated_on=datetime.date(NEXT, 6, 30),
            reason="Igen",
        )
    with pytest.raises(ValidationError):
        agreements.agreement_amend(
            actor=handler, agreement=ended, version=ended.version, reason="Ändring"
        )
    # The calendar leaves a terminated agreement alone.
    agreements.agreements_refresh(day=datetime.date(NEXT + 1, 1, 1))
    assert fresh(ended).status == Agreement.Status.TERMINATED


def test_refresh_activates_signed_and_expires_ended_agreements(people, next_list):
    agreement = signed_agreement(people, lines=[("VINTER", "5")])
    assert agreement.status == Agreement.Status.SIGNED
    assert agreements.agreements_refresh(day=datetime.date(NEXT - 1, 12, 31))["activated"] == 0
    assert fresh(agreement).status == Agreement.Status.SIGNED
    agreements.agreements_refresh(day=datetime.date(NEXT, 1, 1))
    assert fresh(agreement).status == Agreement.Status.ACTIVE
    version = fresh(agreement).version
    counts = agreements.agreements_refresh(day=datetime.date(NEXT + 1, 1, 1))
    assert counts["expired"] >= 1
    agreement = fresh(agreement)
    assert agreement.status == Agreement.Status.EXPIRED and agreement.version == version + 1
    assert agreements.agreements_refresh(day=datetime.date(NEXT + 1, 1, 2)) == {
        "activated": 0,
        "expired": 0,
    }


def test_cycle_deadline_must_come_before_the_year_ends(people):
    with pytest.raises(ValidationError):
        agreements.cycle_set(
            actor=people["sk.chef"], year=2027, negotiation_deadline=datetime.date(2028, 1, 1)
        )
    cycle = agreements.cycle_set(
        actor=people["sk.chef"], year=2027, negotiation_deadline=datetime.date(2026, 12, 1)
    )
    assert cycle.negotiation_deadline == datetime.date(2026, 12, 1)
    assert latest_action() == "agreements.cycle.set"


# --- Roll-over ---------------------------------------------------------------------------------
def test_rollover_prices_from_next_years_list_and_indexes_negotiated_prices(people):
    chef, handler, ombud = people["sk.chef"], people["sk.handlaggare"], people["tf.ombud"]
    # A 2026 agreement with one negotiated price, signed.
    negotiated = new_agreement(handler, year=2026, lines=[("VINTER", "5"), ("DRIFT-GATA", "10")])
    winter = negotiated.versions.get().lines.get(service__code="VINTER")
    agreements.line_update(
        actor=handler, line=winter, version=fresh(negotiated).version, unit_price=Decimal("700.00")
    )
    propose(handler, negotiated, "provider")
    agree(ombud, negotiated, "purchaser")
    sign_both(people, negotiated)
    signed_2026 = Agreement.objects.filter(
        year=2026,
        status__in=[Agreement.Status.SIGNED, Agreement.Status.ACTIVE, Agreement.Status.EXPIRED],
    )
    unsigned = Agreement.objects.filter(year=2026).exclude(pk__in=signed_2026).count()
    assert unsigned == 1  # the demo's overdue agreement stays behind

    next_list = publish_indexed(chef, 2027)
    summary = agreements.rollover(actor=chef, from_year=2026)
    assert len(summary["created"]) == signed_2026.count()
    assert summary["skipped"] == [] and summary["dropped_lines"] == []
    assert latest_action() == "agreements.rollover"

    rolled = Agreement.objects.get(rolled_from=negotiated)
    assert rolled.year == 2027 and rolled.status == Agreement.Status.DRAFT
    version = rolled.versions.get()
    assert version.price_list == next_list
    lines = {line.service.code: line for line in version.lines.all()}
    new_prices = {p.service.code: p.unit_price for p in next_list.prices.select_related("service")}
    assert lines["VINTER"].unit_price == to_ore(Decimal("700.00") * (1 + INDEX / 100))
    assert lines["VINTER"].list_price == new_prices["VINTER"]
    assert lines["DRIFT-GATA"].unit_price == new_prices["DRIFT-GATA"]
    assert lines["DRIFT-GATA"].volume == Decimal("10")

    again = agreements.rollover(actor=chef, from_year=2026)
    assert again["created"] == [] and len(again["skipped"]) == signed_2026.count()
    assert Agreement.objects.filter(year=2027).count() == signed_2026.count()


def test_rollover_without_next_years_list_is_refused(people):
    with pytest.raises(ValidationError) as error:
        agreements.rollover(actor=people["sk.chef"], from_year=2026)
    assert "valid_from" in error.value.message_dict
    assert not Agreement.objects.filter(year=2027).exists()


def test_common_agreement_charges_sum_exactly(people):
    common = Agreement.objects.get(year=2026, kind=Agreement.Kind.COMMON)
    versions = selectors.versions_of(common)
    result = selectors.charges(common, versions[-1])
    assert result.sums_exactly
    assert {row.unit.code for row in result.units} == {
        "SLK",
        "TF",
        "LF",
        "FFF",
        "FSF",
        "GSF",
        "VAF",
    }
    for row in result.units:
        assert sum(row.months) == row.yearly


# --- Rules found in review ------------------------------------------------------------------
def test_an_ended_agreement_cannot_be_signed(people, next_list):
    handler = people["sk.handlaggare"]
    agreement = new_agreement(handler, lines=[("VINTER", "5")])
    propose(handler, agreement, "provider")
    agree(people["tf.ombud"], agreement, "purchaser")
    agreements.agreement_terminate(
        actor=people["sk.chef"],
        agreement=agreement,
        version=fresh(agreement).version,
        terminated_on=fresh(agreement).valid_from,
        reason="Behovet försvann.",
    )
    with pytest.raises(ValidationError) as error:
        agreements.agreement_sign(
            actor=people["tf.ombud"], agreement=agreement, side="purchaser", role="x"
        )
    assert error.value.messages == [_("The agreement has ended and cannot be signed.")]
    assert fresh(agreement).status == Agreement.Status.TERMINATED


def test_one_person_never_signs_for_both_sides(people, next_list):
    handler = people["sk.handlaggare"]
    agreement = new_agreement(handler, lines=[("VINTER", "5")])
    propose(handler, agreement, "provider")
    agree(people["tf.ombud"], agreement, "purchaser")
    chef = people["sk.chef"]
    agreements.agreement_sign(actor=chef, agreement=agreement, side="provider", role="x")
    with pytest.raises(ValidationError):
        agreements.agreement_sign(actor=chef, agreement=agreement, side="purchaser", role="x")
    assert fresh(agreement).versions.get().signatures.count() == 1


def test_agreeing_needs_driver_values_for_every_keyed_line(people, next_list):
    main = people["slk.huvudbestallare"]
    handler = people["sk.handlaggare"]
    agreement = agreements.agreement_create(
        actor=handler, year=NEXT, purchaser=unit("SLK"), provider=unit("SK"), kind="common"
    )
    # The key has values for 2026 only: adding the line for NEXT is refused outright ...
    with pytest.raises(ValidationError) as error:
        agreements.line_add(
            actor=handler,
            agreement=agreement,
            version=fresh(agreement).version,
            service=service("LON-ADM"),
            volume=Decimal(1),
        )
    assert "allocation_key" in error.value.message_dict
    # ... and a rolled-over line whose key lost its values cannot be agreed.
    signed = Agreement.objects.get(number="2026-008")
    summary = agreements.rollover(actor=people["sk.chef"], from_year=2026)
    rolled = Agreement.objects.get(rolled_from=signed)
    assert rolled.number in summary["created"]
    propose(handler, rolled, "provider")
    with pytest.raises(ValidationError) as error:
        agree(main, rolled, "purchaser")
    assert str(NEXT) in error.value.messages[0]
    assert fresh(rolled).versions.get().state == "open"


def test_a_line_of_an_earlier_version_is_not_edited(people, next_list):
    agreement = signed_agreement(people, lines=[("VINTER", "5")])
    old_line = agreement.versions.get().lines.get()
    agreements.agreement_amend(
        actor=people["sk.chef"],
        agreement=agreement,
        version=fresh(agreement).version,
        reason="Fler timmar.",
    )
    with pytest.raises(ValidationError):
        agreements.line_update(
            actor=people["sk.chef"],
            line=old_line,
            version=fresh(agreement).version,
            volume=Decimal(9),
        )
    with pytest.raises(ValidationError):
        agreements.line_remove(
            actor=people["sk.chef"], line=old_line, version=fresh(agreement).version
        )
    old_line.refresh_from_db()
    assert old_line.volume == 5


def test_a_fixed_fee_line_has_volume_one(people, next_list):
    agreement = new_agreement(people["sk.handlaggare"])
    with pytest.raises(ValidationError) as error:
        agreements.line_add(
            actor=people["sk.handlaggare"],
            agreement=agreement,
            version=fresh(agreement).version,
            service=service("KONTAKTCENTER"),
            volume=Decimal(2),
        )
    assert "volume" in error.value.message_dict


def test_a_priced_service_keeps_its_price_model(people):
    it = service("IT-ARBETSPLATS")
    with pytest.raises(ValidationError) as error:
        catalogue.service_update(
            actor=people["sk.chef"], service=it, version=it.version, price_model="unit_price"
        )
    assert "price_model" in error.value.message_dict
    it.refresh_from_db()
    assert it.price_model == "subscription"
