"""Writes to agreements: create, lines, negotiation rounds, agree, sign, amend, terminate,
roll over. Each write locks the agreement, refuses stale edits, validates and audits."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ordna.agreements.models import (
    Agreement,
    AgreementCycle,
    AgreementLine,
    AgreementVersion,
    NegotiationRound,
    Signature,
    yearly_amount,
)
from ordna.audit.services import record, snapshot
from ordna.catalogue.models import Price, PriceList, PriceModel
from ordna.catalogue.selectors import key_values_for, price_list_on
from ordna.core import locks
from ordna.core.exceptions import StaleEdit
from ordna.core.money import to_ore
from ordna.core.services import next_number, versioned_update

# Amounts are stored with 14 digits, two of them öre.
MAX_AMOUNT = Decimal("1000000000000")
LINE_FIELDS = [
    "volume",
    "unit_price",
    "allocation_key",
    "response_days",
    "delivery_days",
    "indicators",
]


def _stale() -> StaleEdit:
    return StaleEdit(
        _(
            "Someone else changed this agreement after you opened it. "
            "Reload the page to see their change, then make yours again."
        )
    )


def _lock(agreement: Agreement, version) -> Agreement:
    row = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if version is not None and int(version) != row.version:
        raise _stale()
    return row


def _bump(agreement: Agreement) -> None:
    agreement.version += 1
    agreement.save(update_fields=["version", "status"])


def current_version(agreement: Agreement) -> AgreementVersion:
    """The newest version (the one being negotiated, or the one last signed)."""
    return agreement.versions.order_by("-number").first()


def _open_version(agreement: Agreement) -> AgreementVersion:
    version = current_version(agreement)
    if agreement.status in (Agreement.Status.EXPIRED, Agreement.Status.TERMINATED):
        raise ValidationError(_("The agreement has ended and cannot be changed."))
    if version.state != AgreementVersion.State.OPEN:
        raise ValidationError(
            _(
                "This version is agreed or signed and never changes. "
                "Start an amendment to change the agreement."
            )
        )
    return version


# --- Agreement years ---------------------------------------------------------------------
@transaction.atomic
def cycle_set(*, actor, year: int, negotiation_deadline, note="", source="web", reason=""):
    """Set (or move) the negotiation deadline for a year's agreements."""
    cycle = AgreementCycle.objects.select_for_update().filter(year=year).first()
    before = snapshot(cycle) if cycle else None
    cycle = cycle or AgreementCycle(year=year)
    if negotiation_deadline is None:
        raise ValidationError({"negotiation_deadline": [_("Give the deadline.")]})
    if negotiation_deadline.year > year:
        raise ValidationError(
            {"negotiation_deadline": [_("The deadline must come before the agreement year ends.")]}
        )
    cycle.negotiation_deadline, cycle.note = negotiation_deadline, note
    cycle.full_clean()
    cycle.save()
    record(
        actor=actor,
        action="agreements.cycle.set",
        obj=cycle,
        before=before,
        after=snapshot(cycle),
        reason=reason,
        source=source,
    )
    return cycle


# --- Create --------------------------------------------------------------------------------
def _published_list_for(day: datetime.date) -> PriceList:
    price_list = price_list_on(day)
    if price_list is None:
        raise ValidationError(
            {
                "valid_from": [
                    _("No published price list covers %(day)s. Publish one first.")
                    % {"day": day.isoformat()}
                ]
            }
        )
    return price_list


@transaction.atomic
def agreement_create(
    *,
    actor,
    year: int,
    purchaser,
    provider,
    title: str = "",
    kind: str = Agreement.Kind.UNIT,
    valid_from: datetime.date | None = None,
    valid_to: datetime.date | None = None,
    rolled_from: Agreement | None = None,
    source="web",
    reason="",
) -> Agreement:
    """A draft agreement for a year, priced from the published list in force at its start."""
    errors = {}
    if purchaser.kind not in ("administration", "company", "external_customer"):
        errors["purchaser"] = [_("The purchaser must be an administration, company or customer.")]
    if provider.kind != "administration":
        errors["provider"] = [_("The provider must be an administration.")]
    if purchaser.pk == provider.pk:
        errors["purchaser"] = [_("The provider cannot buy from itself.")]
    if kind == Agreement.Kind.COMMON and purchaser.kind != "administration":
        errors["purchaser"] = [_("A common agreement is negotiated by an administration.")]
    valid_from = valid_from or datetime.date(year, 1, 1)
    valid_to = valid_to or datetime.date(year, 12, 31)
    if valid_from.year != year or valid_to.year != year:
        errors["valid_from"] = [_("An agreement runs within its year.")]
    if valid_to < valid_from:
        errors["valid_to"] = [_("The end date must be on or after the start date.")]
    if errors:
        raise ValidationError(errors)
    price_list = _published_list_for(valid_from)
    number = next_number("agreement", year)
    agreement = Agreement(
        number=f"{year}-{number:03d}",
        year=year,
        kind=kind,
        title=title or _("Services from %(provider)s") % {"provider": provider.name},
        purchaser=purchaser,
        provider=provider,
        valid_from=valid_from,
        valid_to=valid_to,
        rolled_from=rolled_from,
    )
    agreement.full_clean()
    agreement.save()
    AgreementVersion.objects.create(
        agreement=agreement,
        number=1,
        price_list=price_list,
        valid_from=valid_from,
        created_by=_user(actor),
    )
    record(
        actor=actor,
        action="agreements.agreement.create",
        obj=agreement,
        after=snapshot(agreement),
        reason=reason,
        source=source,
    )
    return agreement


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


# --- Lines ---------------------------------------------------------------------------------
def _line_errors(agreement, version, line: AgreementLine) -> dict:
    errors = {}
    if line.volume is None or line.volume < 0:
        errors["volume"] = [_("The volume cannot be negative.")]
    if line.unit_price is not None and line.unit_price < 0:
        errors["unit_price"] = [_("The price cannot be negative.")]
    if line.price_model == PriceModel.QUOTE:
        line.unit_price = None
    elif line.unit_price is None:
        errors["unit_price"] = [_("Give a price (the list price is filled in by default).")]
    if line.price_model == PriceModel.FIXED and line.volume is not None and line.volume != 1:
        errors["volume"] = [_("A fixed fee covers the whole year: the volume is 1.")]
    if line.price_model == PriceModel.FIXED and agreement.is_common and not line.allocation_key:
        errors["allocation_key"] = [_("A fixed fee in a common agreement needs a key.")]
    if line.allocation_key_id and not agreement.is_common:
        errors["allocation_key"] = [_("Only a common agreement is shared by keys.")]
    if (
        line.allocation_key_id
        and key_values_for(line.allocation_key, agreement.year) is None
        and not errors.get("allocation_key")
    ):
        errors["allocation_key"] = [
            _("The key %(key)s has no driver values for %(year)s.")
            % {"key": line.allocation_key.code, "year": agreement.year}
        ]
    if not errors and line.yearly_amount >= MAX_AMOUNT:
        errors["volume"] = [_("The line's yearly amount is too large: check volume and price.")]
    for field in ("response_days", "delivery_days"):
        if getattr(line, field) is None:
            errors[field] = [_("Give the number of working days.")]
    if (
        line.response_days is not None
        and line.delivery_days is not None
        and line.response_days > line.delivery_days
    ):
        errors["response_days"] = [_("The response cannot come after the delivery.")]
    return errors


@transaction.atomic
def line_add(
    *,
    actor,
    agreement,
    version,
    service,
    volume=1,
    unit_price=None,
    source="web",
    reason="",
    **data,
) -> AgreementLine:
    """Add a service from the version's published price list (price from the list unless
    negotiated; SLA from the service's template unless agreed otherwise)."""
    agreement = _lock(agreement, version)
    current = _open_version(agreement)
    price = Price.objects.filter(price_list=current.price_list, service=service).first()
    if price is None:
        raise ValidationError(
            {
                "service": [
                    _("%(service)s is not in the published price list “%(list)s”.")
                    % {"service": service.code, "list": current.price_list.name}
                ]
            }
        )
    if current.lines.filter(service=service).exists():
        raise ValidationError({"service": [_("The service is already in the agreement.")]})
    last = current.lines.order_by("-position").first()
    line = AgreementLine(
        version=current,
        position=(last.position + 1) if last else 1,
        service=service,
        price_model=service.price_model,
        volume=Decimal(volume) if volume is not None else None,
        unit_price=price.unit_price if unit_price is None else unit_price,
        list_price=price.unit_price,
        allocation_key=data.get("allocation_key")
        if "allocation_key" in data
        else (service.default_key if agreement.is_common else None),
        response_days=data.get("response_days") or service.response_days_normal,
        delivery_days=data.get("delivery_days") or service.delivery_days_normal,
        indicators=data.get("indicators", ""),
    )
    errors = _line_errors(agreement, current, line)
    if errors:
        raise ValidationError(errors)
    line.full_clean()
    line.save()
    _bump(agreement)
    record(
        actor=actor,
        action="agreements.line.add",
        obj=line,
        after=snapshot(line),
        reason=reason,
        source=source,
        object_repr=f"{agreement.number}: {service.code}",
    )
    return line


@transaction.atomic
def line_update(*, actor, line, version, source="web", reason="", **data) -> AgreementLine:
    agreement = _lock(line.version.agreement, version)
    current = _open_version(agreement)
    row = _line_of_open_version(line, current)
    before = snapshot(row)
    for key, value in data.items():
        if key in LINE_FIELDS:
            setattr(row, key, value)
    errors = _line_errors(agreement, current, row)
    if errors:
        raise ValidationError(errors)
    row.full_clean()
    if snapshot(row) == before:
        return row
    row.save()
    _bump(agreement)
    record(
        actor=actor,
        action="agreements.line.update",
        obj=row,
        before=before,
        after=snapshot(row),
        reason=reason,
        source=source,
        object_repr=f"{agreement.number}: {row.service.code}",
    )
    return row


@transaction.atomic
def line_remove(*, actor, line, version, source="web", reason="") -> None:
    agreement = _lock(line.version.agreement, version)
    current = _open_version(agreement)
    row = _line_of_open_version(line, current)
    record(
        actor=actor,
        action="agreements.line.remove",
        obj=row,
        before=snapshot(row),
        reason=reason,
        source=source,
        object_repr=f"{agreement.number}: {row.service.code}",
    )
    row.delete()
    _bump(agreement)


def _line_of_open_version(line, current: AgreementVersion) -> AgreementLine:
    row = AgreementLine.objects.select_for_update().filter(pk=line.pk, version=current).first()
    if row is None:
        raise ValidationError(
            _("The line belongs to an earlier version, which never changes. Reload the page.")
        )
    return row


# --- Negotiation -----------------------------------------------------------------------------
def lines_snapshot(version: AgreementVersion) -> list[dict]:
    """The lines as plain data, for a frozen round and for comparing rounds."""
    return [
        {
            "service": line.service.code,
            "name": line.service.name,
            "price_model": line.price_model,
            "volume": str(line.volume),
            "unit_price": None if line.unit_price is None else str(line.unit_price),
            "list_price": None if line.list_price is None else str(line.list_price),
            "allocation_key": line.allocation_key.code if line.allocation_key_id else "",
            "response_days": line.response_days,
            "delivery_days": line.delivery_days,
            "indicators": line.indicators,
            "yearly_amount": str(line.yearly_amount),
        }
        for line in version.lines.select_related("service", "allocation_key").order_by("position")
    ]


@transaction.atomic
def round_submit(*, actor, agreement, version, side: str, comment="", source="web", reason=""):
    """Freeze the lines as they stand as a proposal (or counter-proposal) from `side`."""
    agreement = _lock(agreement, version)
    current = _open_version(agreement)
    lines = lines_snapshot(current)
    if not lines:
        raise ValidationError(_("Add at least one service before proposing."))
    if sum((Decimal(line["yearly_amount"]) for line in lines), Decimal(0)) >= MAX_AMOUNT:
        raise ValidationError(_("The agreement's yearly total is too large: check the lines."))
    last = current.rounds.order_by("-number").first()
    if last is not None and last.lines == lines and last.side == side:
        raise ValidationError(_("Nothing has changed since your last proposal."))
    proposal = NegotiationRound.objects.create(
        version=current,
        number=(last.number + 1) if last else 1,
        side=side,
        comment=comment,
        lines=lines,
        total=sum((Decimal(line["yearly_amount"]) for line in lines), Decimal("0.00")),
        created_by=_user(actor),
    )
    if agreement.status == Agreement.Status.DRAFT:
        agreement.status = Agreement.Status.NEGOTIATION
    _bump(agreement)
    record(
        actor=actor,
        action="agreements.round.submit",
        obj=proposal,
        after={
            "agreement": agreement.number,
            "version": current.number,
            "round": proposal.number,
            "side": side,
            "comment": comment,
            "total": str(proposal.total),
        },
        reason=reason,
        source=source,
    )
    return proposal


@transaction.atomic
def agreement_agree(*, actor, agreement, version, side: str, source="web", reason=""):
    """Accept the other side's latest proposal: the version freezes and awaits signatures."""
    agreement = _lock(agreement, version)
    current = _open_version(agreement)
    last = current.rounds.order_by("-number").first()
    if last is None:
        raise ValidationError(_("There is no proposal to accept yet."))
    if last.side == side:
        raise ValidationError(_("The latest proposal is your own; the other side accepts it."))
    if last.lines != lines_snapshot(current):
        raise ValidationError(
            _("The lines were changed after the latest proposal. Propose them first.")
        )
    before = snapshot(current)
    for line in current.lines.select_related("allocation_key"):
        if line.allocation_key_id:
            line.key_values = key_values_for(line.allocation_key, agreement.year)
            if line.key_values is None:
                raise ValidationError(
                    _(
                        "The key %(key)s has no driver values for %(year)s: register them "
                        "before agreeing, so that each unit's share is known."
                    )
                    % {"key": line.allocation_key.code, "year": agreement.year}
                )
            line.save(update_fields=["key_values"])
    current.state = AgreementVersion.State.AGREED
    current.agreed_at = timezone.now()
    current.save(update_fields=["state", "agreed_at"])
    if current.number == 1:
        agreement.status = Agreement.Status.AGREED
    _bump(agreement)
    record(
        actor=actor,
        action="agreements.version.agree",
        obj=current,
        before=before,
        after=snapshot(current),
        reason=reason,
        source=source,
    )
    return current


@transaction.atomic
def agreement_sign(
    *,
    actor,
    agreement,
    side: str,
    role: str,
    version=None,
    signed_at=None,
    source="web",
    reason="",
) -> Signature:
    """One side signs the agreed version (the caller has checked role and identity).
    With both signatures the version is in force; the one it amends is superseded.
    One person never signs for both sides."""
    agreement = _lock(agreement, version)
    current = current_version(agreement)
    if agreement.status in (Agreement.Status.EXPIRED, Agreement.Status.TERMINATED):
        raise ValidationError(_("The agreement has ended and cannot be signed."))
    if current.state != AgreementVersion.State.AGREED:
        raise ValidationError(_("Only an agreed version can be signed."))
    if current.signatures.filter(side=side).exists():
        raise ValidationError(_("Your side has already signed this version."))
    if current.signatures.filter(signed_by=actor).exists():
        raise ValidationError(
            _("You have signed for the other side; someone else signs for this one.")
        )
    signature = Signature.objects.create(
        version=current,
        side=side,
        signed_by=actor,
        role=role,
        signed_at=signed_at or timezone.now(),
    )
    record(
        actor=actor,
        action="agreements.version.sign",
        obj=current,
        after={
            "agreement": agreement.number,
            "version": current.number,
            "side": side,
            "role": role,
            "signed_at": signature.signed_at.isoformat(),
        },
        reason=reason,
        source=source,
    )
    if current.signatures.count() == 2:
        before = snapshot(agreement)
        current.state = AgreementVersion.State.SIGNED
        current.save(update_fields=["state"])
        agreement.versions.filter(
            number__lt=current.number, state=AgreementVersion.State.SIGNED
        ).update(state=AgreementVersion.State.SUPERSEDED)
        today = timezone.localdate()
        if agreement.valid_to < today:
            agreement.status = Agreement.Status.EXPIRED
        elif agreement.valid_from <= today:
            agreement.status = Agreement.Status.ACTIVE
        else:
            agreement.status = Agreement.Status.SIGNED
        _bump(agreement)
        record(
            actor=actor,
            action="agreements.agreement.signed",
            obj=agreement,
            before=before,
            after=snapshot(agreement),
            reason=reason,
            source=source,
        )
    else:
        _bump(agreement)
    return signature


@transaction.atomic
def agreement_amend(*, actor, agreement, version, reason: str, valid_from=None, source="web"):
    """Start an amendment: a new version copied from the signed one; that one stays."""
    agreement = _lock(agreement, version)
    if agreement.status not in (Agreement.Status.SIGNED, Agreement.Status.ACTIVE):
        raise ValidationError(_("Only a signed agreement in force can be amended."))
    signed = current_version(agreement)
    if signed.state != AgreementVersion.State.SIGNED:
        raise ValidationError(_("An amendment is already being negotiated."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the agreement is amended.")]})
    valid_from = valid_from or max(timezone.localdate(), agreement.valid_from)
    if not agreement.valid_from <= valid_from <= agreement.valid_to:
        raise ValidationError(
            {"valid_from": [_("The amendment must apply within the agreement's period.")]}
        )
    new = AgreementVersion.objects.create(
        agreement=agreement,
        number=signed.number + 1,
        reason=reason,
        price_list=signed.price_list,
        valid_from=valid_from,
        created_by=_user(actor),
    )
    for line in signed.lines.order_by("position"):
        line.pk = None
        line.version = new
        line.key_values = None
        line.save()
    _bump(agreement)
    record(
        actor=actor,
        action="agreements.version.amend",
        obj=new,
        after=snapshot(new),
        reason=reason,
        source=source,
    )
    return new


@transaction.atomic
def agreement_terminate(*, actor, agreement, version, terminated_on, reason: str, source="web"):
    agreement = _lock(agreement, version)
    if agreement.status in (Agreement.Status.EXPIRED, Agreement.Status.TERMINATED):
        raise ValidationError(_("The agreement has already ended."))
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = [_("Say why the agreement is terminated.")]
    if terminated_on is None:
        errors["terminated_on"] = [_("Give the last day of the agreement.")]
    elif not agreement.valid_from <= terminated_on <= agreement.valid_to:
        errors["terminated_on"] = [_("The last day must lie within the agreement's period.")]
    if errors:
        raise ValidationError(errors)
    before = snapshot(agreement)
    agreement.status = Agreement.Status.TERMINATED
    agreement.terminated_on, agreement.termination_reason = terminated_on, reason
    agreement.version += 1
    agreement.save()
    record(
        actor=actor,
        action="agreements.agreement.terminate",
        obj=agreement,
        before=before,
        after=snapshot(agreement),
        reason=reason,
        source=source,
    )
    return agreement


@transaction.atomic
def volume_policy_set(
    *, actor, agreement, version, volume_policy: str, source="web", reason=""
) -> Agreement:
    """Set how call-offs above an agreement line's volume are handled: stop (the purchaser
    representative approves each one first), warn, or no check. While the agreement is
    open the rule is part of the offer; once agreed it binds both sides, so a change then
    needs a reason. Who may set it is decided by `access.can_set_volume_policy`."""
    reason = (reason or "").strip()

    def clean(row: Agreement, before: dict) -> None:
        if row.status in (Agreement.Status.EXPIRED, Agreement.Status.TERMINATED):
            raise ValidationError(_("The agreement has ended and cannot be changed."))
        if row.volume_policy not in Agreement.VolumePolicy.values:
            raise ValidationError(
                {"volume_policy": [_("Choose how call-offs above the volume are handled.")]}
            )
        changed = row.volume_policy != before["volume_policy"]
        if changed and not row.is_open and not reason:
            raise ValidationError(
                {
                    "reason": [
                        _(
                            "The agreement is already agreed: say why the rule changes, "
                            "so that the other side can see it."
                        )
                    ]
                }
            )

    return versioned_update(
        actor=actor,
        model=Agreement,
        pk=agreement.pk,
        version=version,
        fields=["volume_policy"],
        data={"volume_policy": volume_policy},
        clean=clean,
        action="agreements.agreement.volume_policy",
        source=source,
        reason=reason,
    )


@transaction.atomic
def agreements_refresh(*, actor=None, day=None, source="cli") -> dict:
    """Move agreements along the calendar: signed ones start, ended ones expire."""
    day = day or timezone.localdate()
    counts = {"activated": 0, "expired": 0}
    for agreement in Agreement.objects.select_for_update().filter(
        status__in=[Agreement.Status.SIGNED, Agreement.Status.ACTIVE]
    ):
        new = None
        if agreement.valid_to < day:
            new = Agreement.Status.EXPIRED
        elif agreement.status == Agreement.Status.SIGNED and agreement.valid_from <= day:
            new = Agreement.Status.ACTIVE
        if new is None:
            continue
        before = snapshot(agreement)
        agreement.status = new
        agreement.version += 1
        agreement.save(update_fields=["status", "version"])
        counts["activated" if new == Agreement.Status.ACTIVE else "expired"] += 1
        record(
            actor=actor,
            action="agreements.agreement.refresh",
            obj=agreement,
            before=before,
            after=snapshot(agreement),
            source=source,
        )
    return counts


# --- Roll-over -------------------------------------------------------------------------------
@transaction.atomic
def rollover(*, actor, from_year: int, source="web", reason="") -> dict:
    """Create next year's drafts from this year's signed agreements, priced from next
    year's published list; negotiated prices are raised by that list's index."""
    locks.lock("agreements.rollover", from_year)
    to_year = from_year + 1
    price_list = _published_list_for(datetime.date(to_year, 1, 1))
    factor = 1 + (price_list.index_percent or Decimal(0)) / 100
    prices = {p.service_id: p for p in price_list.prices.all()}
    summary = {"created": [], "skipped": [], "dropped_lines": [], "not_signed": []}
    summary["not_signed"] = list(
        Agreement.objects.filter(
            year=from_year,
            status__in=[
                Agreement.Status.DRAFT,
                Agreement.Status.NEGOTIATION,
                Agreement.Status.AGREED,
            ],
        )
        .order_by("number")
        .values_list("number", flat=True)
    )
    sources = (
        Agreement.objects.filter(
            year=from_year,
            status__in=[
                Agreement.Status.SIGNED,
                Agreement.Status.ACTIVE,
                Agreement.Status.EXPIRED,
            ],
        )
        .select_related("purchaser", "provider")
        .order_by("number")
    )
    for old in sources:
        if Agreement.objects.filter(rolled_from=old).exists():
            summary["skipped"].append(old.number)
            continue
        new = agreement_create(
            actor=actor,
            year=to_year,
            purchaser=old.purchaser,
            provider=old.provider,
            title=old.title,
            kind=old.kind,
            rolled_from=old,
            source=source,
            reason=reason or _("Rolled over from %(number)s") % {"number": old.number},
        )
        signed = (
            old.versions.filter(state=AgreementVersion.State.SIGNED).order_by("-number").first()
        )
        version = new.versions.get()
        position = 0
        for line in signed.lines.select_related("service").order_by("position"):
            price = prices.get(line.service_id)
            if price is None:
                summary["dropped_lines"].append(f"{old.number}: {line.service.code}")
                continue
            position += 1
            if line.unit_price is not None and line.unit_price != line.list_price:
                unit_price = to_ore(line.unit_price * factor)
            else:
                unit_price = price.unit_price
            AgreementLine.objects.create(
                version=version,
                position=position,
                service=line.service,
                price_model=line.service.price_model,
                volume=line.volume,
                unit_price=None if line.service.price_model == PriceModel.QUOTE else unit_price,
                list_price=price.unit_price,
                allocation_key=line.allocation_key,
                response_days=line.response_days,
                delivery_days=line.delivery_days,
                indicators=line.indicators,
            )
        record(
            actor=actor,
            action="agreements.line.rollover",
            obj=version,
            after={"rolled_from": old.number, "lines": lines_snapshot(version)},
            reason=reason,
            source=source,
        )
        summary["created"].append(new.number)
    record(
        actor=actor,
        action="agreements.rollover",
        object_type="agreements.agreementcycle",
        object_id=str(to_year),
        object_repr=_("Roll-over %(from)s → %(to)s") % {"from": from_year, "to": to_year},
        after=summary,
        reason=reason,
        source=source,
    )
    return summary


def line_amount(line) -> Decimal:
    return yearly_amount(line.price_model, line.volume, line.unit_price)
