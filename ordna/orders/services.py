"""Writes to orders: create, change a draft, move along the workflow, quote, talk,
attach files, report deliveries, file deviations, rate. Each write locks the order, refuses a stale
version, validates everything before saving, and audits."""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, SuspiciousFileOperation, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from ordna.accounts import access
from ordna.audit.services import record, snapshot
from ordna.core.exceptions import StaleEdit
from ordna.core.money import to_ore
from ordna.core.services import next_number
from ordna.core.workdays import add_working_days, working_days_between
from ordna.orders import filetypes, workflow
from ordna.orders.models import (
    Attachment,
    Deviation,
    Message,
    Order,
    OrderLine,
    Priority,
    Quote,
    QuoteLine,
    Rating,
)
from ordna.orders.notifications import notify
from ordna.orders.workflow import State

MAX_LINES = 100


def _stale() -> StaleEdit:
    return StaleEdit(
        _(
            "Someone else changed this order after you opened it. "
            "Reload the page to see their change, then make yours again."
        )
    )


def _lock(order: Order, version) -> Order:
    row = Order.objects.select_for_update().get(pk=order.pk)
    if version is not None and int(version) != row.version:
        raise _stale()
    return row


def _save(order: Order, *fields: str) -> None:
    order.version += 1
    order.save(update_fields=["version", *fields] if fields else None)


def _today() -> datetime.date:
    return timezone.localdate()


def agreement_line_for(purchaser, service, day: datetime.date):
    """The line of the purchaser's agreement in force on `day` that covers `service`
    (the newest signed version), or None: a call-off is priced by it."""
    from ordna.agreements.models import Agreement, AgreementLine, AgreementVersion

    return (
        AgreementLine.objects.filter(
            service=service,
            version__state=AgreementVersion.State.SIGNED,
            version__agreement__purchaser=purchaser,
            version__agreement__status=Agreement.Status.ACTIVE,
            version__agreement__valid_from__lte=day,
            version__agreement__valid_to__gte=day,
        )
        .select_related("version__agreement__provider")
        .order_by("-version__number")
        .first()
    )


def _clean_lines(lines) -> list[dict]:
    """Lines as dicts with description, quantity, unit_of_measure (and unit_price);
    errors name the line by its number."""
    if not lines:
        raise ValidationError({"lines": [_("Add at least one line.")]})
    if len(lines) > MAX_LINES:
        raise ValidationError(
            {"lines": [_("An order has at most %(n)s lines.") % {"n": MAX_LINES}]}
        )
    cleaned, errors = [], []
    for number, line in enumerate(lines, 1):
        description = (line.get("description") or "").strip()
        try:
            quantity = Decimal(str(line.get("quantity", "")).replace(",", "."))
        except ArithmeticError:
            quantity = None
        if not description:
            errors.append(_("Line %(n)s: describe what is ordered.") % {"n": number})
        if quantity is None or not quantity.is_finite():
            errors.append(_("Line %(n)s: the quantity is not a number.") % {"n": number})
        elif quantity < 0:
            errors.append(_("Line %(n)s: the quantity cannot be negative.") % {"n": number})
        elif quantity >= 10**10:
            errors.append(_("Line %(n)s: the quantity is too large.") % {"n": number})
        cleaned.append(
            {
                "description": description[:300],
                "quantity": quantity,
                "unit_of_measure": (line.get("unit_of_measure") or "")[:60],
                "unit_price": line.get("unit_price"),
            }
        )
    if errors:
        raise ValidationError({"lines": errors})
    return cleaned


@transaction.atomic
def order_create(
    *,
    actor,
    purchaser,
    provider,
    title: str,
    kind: str,
    lines,
    service=None,
    description: str = "",
    wanted_on: datetime.date | None = None,
    priority: str = Priority.NORMAL,
    cost_centre: str = "",
    estimated_value: Decimal | None = None,
    route_assessment=None,
    source="web",
    reason="",
) -> Order:
    """A draft order. A call-off names a service its agreement covers and is priced by
    that agreement; an ad hoc need is described and will be quoted. An ad hoc need may
    carry its estimated value and the route assessment that sent it to the provider."""
    errors: dict[str, list] = {}
    if estimated_value is not None and estimated_value < 0:
        errors["estimated_value"] = [_("The estimated value cannot be negative.")]
    if route_assessment is not None and route_assessment.purchaser_id != purchaser.pk:
        errors["route_assessment"] = [
            _("The route assessment %(number)s is another unit's.")
            % {"number": route_assessment.number}
        ]
    title = (title or "").strip()
    if not title:
        errors["title"] = [_("Give the order a title.")]
    if kind not in Order.Kind.values:
        errors["kind"] = [_("Choose a call-off or an ad hoc need.")]
    if priority not in Priority.values:
        errors["priority"] = [_("Choose a priority.")]
    if wanted_on is not None and wanted_on < _today():
        errors["wanted_on"] = [_("The wanted date has already passed.")]
    agreement_line = None
    if kind == Order.Kind.CALL_OFF:
        if service is None:
            errors["service"] = [_("A call-off names a service.")]
        else:
            agreement_line = agreement_line_for(purchaser, service, _today())
            if agreement_line is not None and (
                agreement_line.version.agreement.provider_id != provider.pk
            ):
                errors["provider"] = [
                    _("The agreement covering %(service)s is with %(provider)s.")
                    % {
                        "service": service.code,
                        "provider": agreement_line.version.agreement.provider.name,
                    }
                ]
            if agreement_line is None:
                errors["service"] = [
                    _(
                        "%(unit)s has no active agreement covering %(service)s. "
                        "Order it as an ad hoc need instead."
                    )
                    % {"unit": purchaser.name, "service": service.code}
                ]
    elif not (description or "").strip():
        errors["description"] = [_("Describe what is needed, so that it can be quoted.")]
    if (
        service is not None
        and purchaser.kind == "external_customer"
        and not (service.open_to_external)
    ):
        errors["service"] = [
            _("%(service)s is not open to external customers.") % {"service": service.code}
        ]
    try:
        cleaned = _clean_lines(lines)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        cleaned = []
    if errors:
        raise ValidationError(errors)
    year = _today().year
    order = Order(
        number=f"B{year}-{next_number('order', year):06d}",
        kind=kind,
        title=title[:200],
        description=(description or "").strip(),
        purchaser=purchaser,
        provider=provider,
        orderer=actor,
        cost_centre=cost_centre or purchaser.cost_centre,
        service=service,
        agreement=agreement_line.version.agreement if agreement_line else None,
        wanted_on=wanted_on,
        priority=priority,
        estimated_value=estimated_value,
        route_assessment=route_assessment,
    )
    order.full_clean()
    order.save()
    for position, line in enumerate(cleaned, 1):
        price = agreement_line.unit_price if agreement_line else None
        OrderLine.objects.create(
            order=order,
            position=position,
            description=line["description"],
            quantity=line["quantity"],
            unit_of_measure=line["unit_of_measure"] or (service.unit_of_measure if service else ""),
            unit_price=price,
        )
    record(
        actor=actor,
        action="orders.order.create",
        obj=order,
        after={**snapshot(order), "lines": [_line_data(x) for x in cleaned]},
        reason=reason,
        source=source,
    )
    return order


def _line_data(line: dict) -> dict:
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in line.items()}


def _service_levels(order: Order) -> tuple[int | None, int | None]:
    """(response, delivery) in working days: the agreement line's terms for a call-off,
    else the service's template for the priority, else the default response only."""
    if order.agreement_id and order.service_id:
        line = agreement_line_for(order.purchaser, order.service, _today())
        if line is not None:
            if order.priority == Priority.URGENT:
                return (
                    min(line.response_days, order.service.response_days_urgent),
                    min(line.delivery_days, order.service.delivery_days_urgent),
                )
            return line.response_days, line.delivery_days
    if order.service_id:
        service = order.service
        if order.priority == Priority.URGENT:
            return service.response_days_urgent, service.delivery_days_urgent
        return service.response_days_normal, service.delivery_days_normal
    return settings.ORDER_DEFAULT_RESPONSE_DAYS, None


@transaction.atomic
def transition(
    *,
    actor,
    order: Order,
    name: str,
    side: str | None,
    roles,
    version=None,
    reason: str = "",
    source="web",
) -> Order:
    """Move an order along the workflow if the table allows it for this side and these
    roles (the caller has established both at the order's units)."""
    row = _lock(order, version)
    step = workflow.TRANSITIONS.get(name)
    if step is None or not workflow.allowed(name, row.state, side, set(roles)):
        raise ValidationError(
            _("“%(action)s” is not possible for you while the order is %(state)s.")
            % {
                "action": step.label if step else name,
                "state": str(State(row.state).label).lower(),
            }
        )
    reason = (reason or "").strip()
    if step.needs_reason and not reason:
        raise ValidationError({"reason": [_("Give the reason.")]})
    if name in ("quote",):
        raise ValidationError(_("Send a quote with its lines (quote_send)."))
    before = snapshot(row)
    now = timezone.now()
    row.state = step.target
    row.state_reason = reason[:500] if step.needs_reason else row.state_reason
    changed = ["state", "state_reason"]
    if name == "submit":
        _check_route_assessment(row)
        _check_volume(row)
        _check_external_cap(row)
        response, delivery = _service_levels(row)
        row.response_days, row.delivery_days = response, delivery
        row.submitted_at = now
        row.response_due = add_working_days(timezone.localdate(now), response).day
        changed += ["response_days", "delivery_days", "submitted_at", "response_due"]
    elif name in ("confirm", "accept_quote"):
        row.confirmed_at = now
        changed.append("confirmed_at")
        if row.delivery_days is not None:
            row.delivery_due = add_working_days(timezone.localdate(now), row.delivery_days).day
            changed.append("delivery_due")
    elif name == "deliver":
        row.delivered_at = now
        changed.append("delivered_at")
    elif name in ("accept", "auto_accept"):
        row.accepted_at = now
        changed.append("accepted_at")
    _save(row, *changed)
    notify(row, name)
    record(
        actor=actor,
        action=f"orders.order.{name}",
        obj=row,
        before=before,
        after=snapshot(row),
        reason=reason,
        source=source,
    )
    return row


def _check_route_assessment(order: Order) -> None:
    """An ad hoc need worth ROUTE_ASSESSMENT_REQUIRED_FROM_SEK or more is submitted only
    with a route assessment of its unit (issue 6): the guideline decides whether it goes
    to the provider at all."""
    from ordna.procurement.assess import kronor

    limit = Decimal(settings.ROUTE_ASSESSMENT_REQUIRED_FROM_SEK)
    if (
        order.kind == Order.Kind.AD_HOC
        and order.estimated_value is not None
        and order.estimated_value >= limit
        and order.route_assessment_id is None
    ):
        raise ValidationError(
            {
                "route_assessment": [
                    _(
                        "An ad hoc need worth %(limit)s kronor or more needs a route "
                        "assessment before it is submitted. Assess the need and link the "
                        "assessment to the order."
                    )
                    % {"limit": kronor(limit)}
                ]
            }
        )


# --- External sales ------------------------------------------------------------------------
def _amount(lines) -> Decimal:
    return sum(
        (to_ore(x.quantity * x.unit_price) for x in lines if x.unit_price is not None), Decimal(0)
    )


def _share_lines(year: int):
    """The priced lines of orders submitted in `year` and not cancelled or declined: what
    counts as turnover until invoicing exists (issue 7)."""
    return (
        OrderLine.objects.filter(order__submitted_at__year=year)
        .exclude(order__state__in=[State.CANCELLED, State.DECLINED])
        .exclude(unit_price__isnull=True)
    )


def external_share(provider, year: int, extra: Decimal = Decimal(0)) -> tuple[Decimal, Decimal]:
    """(external amount, total amount) of the provider's orders this year that were
    submitted and not cancelled or declined, priced by their lines, plus `extra` as an
    external order. A stand-in for invoiced turnover until invoicing exists (issue 7)."""
    lines = (
        _share_lines(year)
        .filter(order__provider=provider)
        .values_list("quantity", "unit_price", "order__purchaser__kind")
    )
    external = total = Decimal(0)
    for quantity, price, kind in lines:
        amount = to_ore(quantity * price)
        total += amount
        if kind == "external_customer":
            external += amount
    return external + extra, total + extra


def external_shares(year: int) -> dict[int, tuple[Decimal, Decimal]]:
    """external_share for every provider unit at once, in one query: {provider id:
    (external amount, total amount)}. Providers without priced orders are left out."""
    lines = _share_lines(year).values_list(
        "order__provider_id", "quantity", "unit_price", "order__purchaser__kind"
    )
    shares: dict[int, list[Decimal]] = {}
    for provider_id, quantity, price, kind in lines:
        amount = to_ore(quantity * price)
        sums = shares.setdefault(provider_id, [Decimal(0), Decimal(0)])
        sums[1] += amount
        if kind == "external_customer":
            sums[0] += amount
    return {pk: (external, total) for pk, (external, total) in shares.items()}


def _check_external_cap(order: Order, amount: Decimal | None = None) -> None:
    """An external customer's order is taken only within the council's cap on external
    sales (ExternalSalesCap in force today): checked on submitting, and again when a quote
    gives the order its price (`amount`)."""
    from ordna.orders.models import ExternalSalesCap

    if order.purchaser.kind != "external_customer":
        return
    if order.service_id and not order.service.open_to_external:
        raise ValidationError(
            _("%(service)s is not open to external customers.") % {"service": order.service.code}
        )
    cap = ExternalSalesCap.objects.filter(valid_from__lte=_today()).first()
    if cap is None:
        return
    extra = _amount(order.lines.all()) if amount is None else amount
    external, total = external_share(order.provider, _today().year, extra)
    if total and external * 100 > cap.percent * total:
        raise ValidationError(
            _(
                "The order would take the provider's external sales this year to "
                "%(share)s %% of turnover, above the council's cap of %(cap)s %% "
                "(%(case)s). It cannot be accepted."
            )
            % {
                "share": (external * 100 / total).quantize(Decimal("0.1")),
                "cap": cap.percent,
                "case": cap.case_number or "–",
            }
        )


PERCENT_STEP = Decimal("0.01")


def _cap_percent(percent) -> Decimal | None:
    """The cap as a Decimal from 0 to 100 with at most two decimals, or None."""
    if isinstance(percent, float) or percent is None or percent == "":
        return None  # floats are refused, as for money: say "5.25", not 5.25
    try:
        value = Decimal(str(percent).strip())
    except ArithmeticError:
        return None
    if not value.is_finite() or not Decimal(0) <= value <= Decimal(100):
        return None
    if value != value.quantize(PERCENT_STEP):
        return None
    return value.quantize(PERCENT_STEP)


def _cap_errors(valid_from, percent, case_number: str) -> tuple[dict, Decimal | None]:
    from ordna.catalogue.models import case_number_validator
    from ordna.orders.models import ExternalSalesCap

    errors: dict[str, list] = {}
    value = _cap_percent(percent)
    if value is None:
        errors["percent"] = [
            _(
                "Give the cap as a percentage from 0 to 100 with at most two decimals, "
                "e.g. 5 or 7.5."
            )
        ]
    if not case_number:
        errors["case_number"] = [
            _("Give the case number of the council's decision, e.g. KF 2026-00123.")
        ]
    else:
        try:
            case_number_validator(case_number)
        except ValidationError as exc:
            errors["case_number"] = exc.messages
    latest = ExternalSalesCap.objects.order_by("-valid_from").first()
    if valid_from is None:
        errors["valid_from"] = [_("Give the day the new cap applies from.")]
    elif latest is not None and valid_from == latest.valid_from:
        errors["valid_from"] = [
            _(
                "A cap from %(day)s is already recorded. A cap is never changed: record the "
                "new decision from a later day."
            )
            % {"day": latest.valid_from.isoformat()}
        ]
    elif latest is not None and valid_from < latest.valid_from:
        errors["valid_from"] = [
            _("The latest cap applies from %(day)s. A new cap must apply from a later day.")
            % {"day": latest.valid_from.isoformat()}
        ]
    return errors, value


@transaction.atomic
def external_cap_set(
    *, actor, valid_from: datetime.date, percent, case_number: str = "", source="web", reason=""
):
    """Record the council's decision on the cap for external sales from a day on.

    A cap is a dated setting and is never edited: each decision is a new row, from a day
    after the latest one's. The percentage is 0–100 with at most two decimals; the
    decision's case number is required. Nothing is saved unless all of it is right."""
    from ordna.core.locks import lock
    from ordna.orders.models import ExternalSalesCap

    lock("orders.external_cap")  # two registrars must not both pass the date check
    case_number = (case_number or "").strip()
    errors, value = _cap_errors(valid_from, percent, case_number)
    if errors:
        raise ValidationError(errors)
    cap = ExternalSalesCap(valid_from=valid_from, percent=value, case_number=case_number)
    cap.full_clean()
    cap.save()
    record(
        actor=actor,
        action="orders.external_cap.set",
        obj=cap,
        after=snapshot(cap),
        reason=reason,
        source=source,
    )
    return cap


# --- Agreement volumes -------------------------------------------------------------------
NEAR_LIMIT = Decimal("0.9")


def volume_status(order: Order) -> dict | None:
    """For a call-off: the agreed volume of its service, what other call-offs this year
    have used (cancelled and declined ones not counted), this order's quantity, and
    whether it passes the volume or comes near it (90 %). None when nothing applies."""
    if not (order.agreement_id and order.service_id):
        return None
    line = agreement_line_for(order.purchaser, order.service, _today())
    if line is None or line.volume is None:
        return None
    used = OrderLine.objects.filter(
        order__agreement_id=order.agreement_id,
        order__service_id=order.service_id,
    ).exclude(order__state__in=[State.DRAFT, State.CANCELLED, State.DECLINED]).exclude(
        order_id=order.pk
    ).aggregate(total=models.Sum("quantity"))["total"] or Decimal(0)
    this = sum((x.quantity for x in order.lines.all()), Decimal(0))
    after = used + this
    return {
        "agreed": line.volume,
        "used": used,
        "this": this,
        "over": after > line.volume,
        "near": line.volume > 0 and after >= line.volume * NEAR_LIMIT,
        "policy": order.agreement.volume_policy,
    }


def _check_volume(order: Order) -> None:
    """A call-off above the agreed volume under a "stop" agreement waits for the
    purchaser representative's approval."""
    status = volume_status(order)
    if not status or not status["over"] or order.volume_approved_by_id:
        return
    if status["policy"] == "stop":
        raise ValidationError(
            _(
                "The order would pass the agreed volume of %(service)s (%(agreed)s; "
                "%(used)s already ordered). The purchaser representative must approve it "
                "first."
            )
            % {
                "service": order.service.code,
                "agreed": status["agreed"],
                "used": status["used"],
            }
        )


@transaction.atomic
def approve_over_volume(*, actor, order: Order, version, source="web", reason="") -> Order:
    """The purchaser representative approves a call-off above the agreed volume (the
    caller has checked the role at the order's purchaser)."""
    row = _lock(order, version)
    if row.state != State.DRAFT:
        raise ValidationError(_("Only a draft is approved before it is submitted."))
    status = volume_status(row)
    if not status or not status["over"]:
        raise ValidationError(_("The order stays within the agreed volume: no approval needed."))
    before = snapshot(row)
    row.volume_approved_by, row.volume_approved_at = actor, timezone.now()
    _save(row, "volume_approved_by", "volume_approved_at")
    record(
        actor=actor,
        action="orders.order.approve_volume",
        obj=row,
        before=before,
        after={**snapshot(row), "volume": {k: str(v) for k, v in status.items()}},
        reason=reason,
        source=source,
    )
    return row


# --- Quotes -------------------------------------------------------------------------------
@transaction.atomic
def quote_send(
    *,
    actor,
    order: Order,
    version,
    lines,
    valid_until: datetime.date,
    assumptions: str = "",
    delivery_days: int | None = None,
    roles=(),
    source="web",
    reason="",
) -> Quote:
    """The provider's quote (a new version after a renegotiation); the order is quoted."""
    row = _lock(order, version)
    if not workflow.allowed("quote", row.state, workflow.PROVIDER, set(roles)):
        raise ValidationError(_("A quote can be sent only when one has been asked for."))
    errors: dict[str, list] = {}
    if valid_until is None or valid_until < _today():
        errors["valid_until"] = [_("The quote must be valid at least until today.")]
    if delivery_days is not None and not 0 < delivery_days <= 365:
        errors["delivery_days"] = [_("Give the delivery time as 1–365 working days.")]
    priced = []
    try:
        cleaned = _clean_lines(lines)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        cleaned = []
    for number, line in enumerate(cleaned, 1):
        try:
            price = Decimal(str(line["unit_price"]).replace(",", "."))
        except (ArithmeticError, TypeError):
            price = None
        if price is None or not price.is_finite() or price < 0 or price >= 10**12:
            errors.setdefault("lines", []).append(
                _("Line %(n)s: give a price that is not negative.") % {"n": number}
            )
            continue
        priced.append(
            {**line, "unit_price": to_ore(price), "amount": to_ore(price * line["quantity"])}
        )
    total = sum((x["amount"] for x in priced), Decimal("0.00"))
    if total >= 10**12:
        errors.setdefault("lines", []).append(_("The quote's total is too large."))
    if errors:
        raise ValidationError(errors)
    previous = row.quotes.order_by("-number").first()
    quote = Quote.objects.create(
        order=row,
        number=(previous.number + 1) if previous else 1,
        valid_until=valid_until,
        assumptions=(assumptions or "").strip(),
        total=total,
        created_by=actor,
    )
    QuoteLine.objects.bulk_create(
        QuoteLine(quote=quote, position=i, **line) for i, line in enumerate(priced, 1)
    )
    before = snapshot(row)
    row.state = State.QUOTED
    if delivery_days is not None:
        row.delivery_days = delivery_days
    _save(row, "state", "delivery_days")
    notify(row, "quote")
    record(
        actor=actor,
        action="orders.order.quote",
        obj=row,
        before=before,
        after={
            **snapshot(row),
            "quote": quote.number,
            "total": str(total),
            "valid_until": valid_until.isoformat(),
            "lines": [_line_data(x) for x in priced],
        },
        reason=reason,
        source=source,
    )
    return quote


@transaction.atomic
def quote_answer(
    *, actor, order: Order, version, answer: str, roles=(), reason: str = "", source="web"
) -> Order:
    """The purchaser answers the open quote: accept (the order is confirmed and priced by
    the quote), renegotiate (a new version is asked for) or reject (the order ends)."""
    names = {"accept": "accept_quote", "renegotiate": "renegotiate", "reject": "reject_quote"}
    if answer not in names:
        raise ValidationError({"answer": [_("Accept, renegotiate or reject the quote.")]})
    row = Order.objects.select_for_update().get(pk=order.pk)
    quote = row.quotes.filter(outcome=Quote.Outcome.OPEN).order_by("-number").first()
    if quote is None:
        raise ValidationError(_("There is no quote to answer."))
    if answer == "accept" and quote.valid_until < _today():
        raise ValidationError(
            _("The quote was valid until %(day)s. Ask for a new quote instead.")
            % {"day": quote.valid_until.isoformat()}
        )
    if answer == "accept":
        _check_external_cap(row, quote.total)
    row = transition(
        actor=actor,
        order=row,
        name=names[answer],
        side=workflow.PURCHASER,
        roles=roles,
        version=version,
        reason=reason,
        source=source,
    )
    quote.outcome = {
        "accept": Quote.Outcome.ACCEPTED,
        "renegotiate": Quote.Outcome.RENEGOTIATED,
        "reject": Quote.Outcome.REJECTED,
    }[answer]
    quote.answer = (reason or "").strip()[:500]
    quote.save(update_fields=["outcome", "answer"])
    if answer == "accept":
        row.lines.all().delete()
        OrderLine.objects.bulk_create(
            OrderLine(
                order=row,
                position=line.position,
                description=line.description,
                quantity=line.quantity,
                unit_of_measure=line.unit_of_measure,
                unit_price=line.unit_price,
            )
            for line in quote.lines.all()
        )
    return row


# --- Thread, assignment, deliveries ---------------------------------------------------------
@transaction.atomic
def message_post(*, actor, order: Order, text: str, source="web") -> Message:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": [_("Write the message.")]})
    if len(text) > 5000:
        raise ValidationError({"text": [_("A message has at most 5 000 characters.")]})
    message = Message.objects.create(order=order, author=actor, text=text)
    record(
        actor=actor,
        action="orders.message.post",
        obj=message,
        after={"order": order.number, "text": text},
        source=source,
    )
    return message


# --- Attachments ---------------------------------------------------------------------------
def _check_upload(uploaded_file) -> tuple[str, filetypes.FileType]:
    """The file's clean name and its type, or a ValidationError on `file` naming it:
    missing, empty, too large, a type that may not be attached, or content that is not
    what the name says."""
    if uploaded_file is None:
        raise ValidationError({"file": [_("Choose a file to attach.")]})
    name = filetypes.clean_name(getattr(uploaded_file, "name", "")) or _("(no name)")
    limit = settings.ORDER_ATTACHMENT_MAX_BYTES
    file_type = filetypes.type_of(name)
    message = None
    if not uploaded_file.size:
        message = _("%(name)s is empty. Choose the file again.")
    elif uploaded_file.size > limit:
        message = _(
            "%(name)s is %(size)s MB; a file attached to an order may be at most %(max)s MB."
        )
    elif file_type is None:
        message = _(
            "%(name)s cannot be attached: only %(types)s files can. Save it in one of "
            "those formats."
        )
    elif not filetypes.matches(uploaded_file, file_type):
        message = _(
            "%(name)s does not contain what its name says (%(kind)s). Save it again in "
            "that format, or give it the right extension."
        )
    if message:
        values = {
            "name": name,
            "size": filetypes.megabytes(uploaded_file.size or 0),
            "max": filetypes.megabytes(limit),
            "types": ", ".join(filetypes.EXTENSIONS),
            "kind": file_type.label if file_type else "",
        }
        raise ValidationError({"file": [message % values]})
    return name, file_type


def _digest(uploaded_file) -> tuple[str, int]:
    """SHA-256 and size in bytes, read in chunks (large uploads lie in a temporary file)."""
    digest, size = hashlib.sha256(), 0
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
        size += len(chunk)
    uploaded_file.seek(0)
    return digest.hexdigest(), size


def _storage_path(order: Order, name: str, extension: str) -> str:
    """orders/<order>/<random>/<name>: the random folder keeps names from clashing and
    paths from being guessed; the name is made safe for any file system."""
    try:
        safe = get_valid_filename(name)
    except SuspiciousFileOperation:
        safe = f"file.{extension}"
    return f"orders/{order.pk}/{secrets.token_hex(16)}/{safe}"


@transaction.atomic
def attachment_add(*, actor, order: Order, uploaded_file, source="web") -> Attachment:
    """Attach a file to an order. The parties may, as they may write in its thread (see
    `_may_attach`); anyone else is refused with PermissionDenied (404 in the API). The
    file is checked completely before anything is written (ValidationError on `file`,
    naming it); then it is stored, and the row and its audit event written. Should the
    database refuse them, the stored file is removed again, so that no file is left that
    no attachment points at. Attachments are never changed or removed."""
    if not _may_attach(actor, order):
        raise PermissionDenied
    name, file_type = _check_upload(uploaded_file)
    sha256, size = _digest(uploaded_file)
    storage = Attachment._meta.get_field("file").storage
    stored = storage.save(
        _storage_path(order, name, filetypes.extension(name)),
        uploaded_file,
        max_length=Attachment._meta.get_field("file").max_length,
    )
    try:
        attachment = Attachment.objects.create(
            order=order,
            file=stored,
            original_name=name,
            content_type=file_type.content_type,
            size=size,
            sha256=sha256,
            uploaded_by=actor,
        )
        record(
            actor=actor,
            action="orders.order.attach",
            obj=order,
            after={"attachment": _attachment_data(attachment)},
            source=source,
        )
    except BaseException:  # the transaction rolls back: take the file away with it
        with contextlib.suppress(OSError):  # the original error matters more
            storage.delete(stored)
        raise
    return attachment


def _may_attach(actor, order: Order) -> bool:
    """The check the pages and the API make before the thread (`_party`): the actor sees
    the order and acts on one of its sides."""
    if not access.is_signed_in(actor):
        return False
    side, _roles = access.order_side(actor, order)
    return side is not None and access.orders_visible_to(actor).filter(pk=order.pk).exists()


def _attachment_data(attachment: Attachment) -> dict:
    data = snapshot(attachment, ["id", "original_name", "content_type", "size", "sha256"])
    return {**data, "file": attachment.file.name, "uploaded_by": attachment.uploaded_by_id}


@transaction.atomic
def assign(*, actor, order: Order, version, handler, source="web", reason="") -> Order:
    """Give the order to one of the provider's staff."""
    from ordna.accounts.selectors import units_of

    row = _lock(order, version)
    if row.state in workflow.ENDED:
        raise ValidationError(_("The order has ended."))
    if handler is not None and not any(
        u.pk == row.provider_id for u in units_of(handler, *workflow.HANDLING)
    ):
        raise ValidationError({"handler": [_("Choose someone who works for the provider.")]})
    before = snapshot(row)
    row.assigned_to = handler
    _save(row, "assigned_to")
    record(
        actor=actor,
        action="orders.order.assign",
        obj=row,
        before=before,
        after=snapshot(row),
        reason=reason,
        source=source,
    )
    return row


@transaction.atomic
def delivery_report(
    *,
    actor,
    order: Order,
    line=None,
    performed_on: datetime.date,
    quantity=0,
    hours=0,
    material_amount=0,
    note: str = "",
    source_key: str = "",
    source="web",
):
    """Report work done on an order that is in progress (or delivered, for late lines)."""
    from ordna.orders.models import DeliveryReport

    row = Order.objects.select_for_update().get(pk=order.pk)
    errors: dict[str, list] = {}
    if row.state not in (State.IN_PROGRESS, State.DELIVERED):
        raise ValidationError(_("Deliveries are reported while the work is in progress."))
    if line is not None and line.order_id != row.pk:
        errors["line"] = [_("The line belongs to another order.")]
    if performed_on is None or performed_on > _today():
        errors["performed_on"] = [_("The work cannot be reported for a day to come.")]
    values = {}
    for field, value in (
        ("quantity", quantity),
        ("hours", hours),
        ("material_amount", material_amount),
    ):
        try:
            number = Decimal(str(value or 0).replace(",", "."))
        except ArithmeticError:
            number = None
        if number is None or not number.is_finite() or number < 0 or number >= 10**10:
            errors[field] = [_("Give a number that is not negative.")]
        values[field] = number
    if errors:
        raise ValidationError(errors)
    if source_key and DeliveryReport.objects.filter(source_key=source_key).exists():
        return None  # the same imported row again: nothing new
    report = DeliveryReport.objects.create(
        order=row,
        line=line,
        performed_on=performed_on,
        note=(note or "")[:300],
        reported_by=actor,
        source_key=source_key[:100],
        **values,
    )
    record(
        actor=actor,
        action="orders.delivery.report",
        obj=report,
        after=snapshot(report),
        source=source,
    )
    return report


# --- Deviations and ratings -------------------------------------------------------------------
@transaction.atomic
def deviation_file(*, actor, order: Order, kind: str, description: str, source="web") -> Deviation:
    description = (description or "").strip()
    errors = {}
    if kind not in Deviation.Kind.values:
        errors["kind"] = [_("Choose what kind of deviation it is.")]
    if not description:
        errors["description"] = [_("Describe the deviation.")]
    if order.state in (State.DRAFT,):
        errors["kind"] = [_("A draft has nothing to deviate from yet.")]
    if errors:
        raise ValidationError(errors)
    deviation = Deviation.objects.create(
        order=order, kind=kind, description=description, reported_by=actor
    )
    notify(order, "deviation")
    record(
        actor=actor,
        action="orders.deviation.file",
        obj=deviation,
        after=snapshot(deviation),
        source=source,
    )
    return deviation


@transaction.atomic
def deviation_answer(
    *, actor, deviation: Deviation, response: str, close: bool = False, source="web"
):
    row = Deviation.objects.select_for_update().get(pk=deviation.pk)
    if row.status == Deviation.Status.CLOSED:
        raise ValidationError(_("The deviation is closed."))
    response = (response or "").strip()
    if not response:
        raise ValidationError({"response": [_("Write the response.")]})
    before = snapshot(row)
    now = timezone.now()
    row.response, row.answered_by, row.answered_at = response, actor, now
    row.status = Deviation.Status.CLOSED if close else Deviation.Status.ANSWERED
    row.closed_at = now if close else None
    row.save()
    notify(row.order, "deviation_answer")
    record(
        actor=actor,
        action="orders.deviation.answer",
        obj=row,
        before=before,
        after=snapshot(row),
        source=source,
    )
    return row


@transaction.atomic
def rate(*, actor, order: Order, score, comment: str = "", source="web") -> Rating:
    if order.state not in (State.ACCEPTED, State.INVOICED, State.CLOSED):
        raise ValidationError(_("A delivery is rated after it has been accepted."))
    if Rating.objects.filter(order=order).exists():
        raise ValidationError(_("The delivery has already been rated."))
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise ValidationError({"score": [_("Give a score from 1 to 5.")]})
    rating = Rating.objects.create(
        order=order, score=score, comment=(comment or "").strip(), rated_by=actor
    )
    record(
        actor=actor, action="orders.order.rate", obj=rating, after=snapshot(rating), source=source
    )
    return rating


def auto_accept_due(*, day: datetime.date | None = None, source="cli") -> int:
    """Accept every delivered order whose purchaser has not answered within the
    configured number of working days. Each in its own transaction; returns the count."""
    day = day or _today()
    limit = settings.ORDER_AUTO_ACCEPT_WORKING_DAYS
    count = 0
    for order in Order.objects.filter(state=State.DELIVERED).only("pk", "delivered_at"):
        delivered = timezone.localdate(order.delivered_at)
        if working_days_between(delivered, day) < limit:
            continue
        with transaction.atomic():
            transition(
                actor=None,
                order=order,
                name="auto_accept",
                side=workflow.SYSTEM,
                roles=(),
                reason=_("No answer within %(n)s working days.") % {"n": limit},
                source=source,
            )
        count += 1
    return count
