"""Writes of invoicing: periods, the invoice run, posting and closing.

The run is idempotent by construction: every invoice line points at its source (an order
line through a one-to-one key, other sources through `source_key`, unique), and lines are
inserted with conflicts ignored, one purchaser at a time in its own transaction. A run
that is killed leaves whole purchasers invoiced and the rest untouched; running the period
again adds exactly what is missing. Two runs at once cannot invoice a line twice: the
database refuses the second insert of a source and that run skips it.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from ordna.audit.models import AuditEvent
from ordna.audit.services import record
from ordna.core.money import to_ore
from ordna.core.services import next_number
from ordna.invoicing.models import Invoice, InvoiceLine, Period

CLI = AuditEvent.Source.CLI
INVOICED_STATES = ("accepted",)


def parse_period(text: str) -> tuple[int, int]:
    """'2026-10' → (2026, 10); a ValidationError naming the period otherwise."""
    try:
        day = datetime.date.fromisoformat(f"{text}-01")
    except (TypeError, ValueError):
        raise ValidationError({"period": _("Write the period as YYYY-MM, e.g. 2026-10.")}) from None
    if len(text) != 7:
        raise ValidationError({"period": _("Write the period as YYYY-MM, e.g. 2026-10.")})
    return day.year, day.month


@transaction.atomic
def period_get(*, actor, year: int, month: int, source=CLI) -> Period:
    """The period, opened (and recorded) the first time it is used."""
    period = Period.objects.filter(year=year, month=month).first()
    if period is None:
        try:
            with transaction.atomic():
                period = Period.objects.create(year=year, month=month)
        except IntegrityError:  # opened by a concurrent run
            return Period.objects.get(year=year, month=month)
        record(
            actor=actor,
            action="invoicing.period.open",
            obj=period,
            after={"period": period.code},
            source=source,
        )
    return period


def _require_open(period: Period) -> None:
    if not period.is_open:
        raise ValidationError(
            {
                "period": _(
                    "Period %(p)s is closed: nothing new goes into it. Corrections go "
                    "into the open period."
                )
                % {"p": period.code}
            }
        )


def _end_of(period: Period) -> datetime.datetime:
    start = datetime.datetime.combine(
        period.last_day + datetime.timedelta(days=1), datetime.time.min
    )
    return timezone.make_aware(start)


def _start_of(period: Period) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(period.first_day, datetime.time.min))


def _pending_order_lines(period: Period):
    """Order lines of orders accepted in the period that no invoice line has taken yet.
    Closing a period is refused while any is left, so none is ever missed."""
    from ordna.orders.models import OrderLine

    return (
        OrderLine.objects.filter(
            order__state__in=INVOICED_STATES,
            order__accepted_at__gte=_start_of(period),
            order__accepted_at__lt=_end_of(period),
            invoice_line__isnull=True,
            unit_price__isnull=False,
        )
        .select_related(
            "order__purchaser__legal_person",
            "order__provider__legal_person",
            "order__service",
        )
        .order_by("order__purchaser_id", "order_id", "position")
    )


def _line(order_line) -> InvoiceLine:
    order = order_line.order
    purchaser, provider, service = order.purchaser, order.provider, order.service
    internal = purchaser.legal_person_id == provider.legal_person_id
    net = to_ore(order_line.unit_price * order_line.quantity)
    vat_percent = Decimal(0)
    if not internal:
        vat_percent = (
            service.vat_percent
            if service is not None and service.vat_percent is not None
            else Decimal(settings.INVOICING_DEFAULT_VAT_PERCENT)
        )
    account = (service.account if service is not None else "") or (
        settings.INVOICING_AD_HOC_ACCOUNT
    )
    if not provider.cost_centre:
        raise ValidationError(
            _(
                "%(unit)s has no cost centre, so order %(order)s line %(line)s cannot be "
                "booked. Give the unit a cost centre in the registry."
            )
            % {"unit": provider.name, "order": order.number, "line": order_line.position}
        )
    return InvoiceLine(
        source=InvoiceLine.Source.ORDER_LINE,
        source_key=f"order_line:{order_line.pk}",
        order=order,
        order_line=order_line,
        service=service,
        description=f"{order.number} {order_line.description}"[:300],
        quantity=order_line.quantity,
        unit_price=order_line.unit_price,
        net_amount=net,
        vat_percent=vat_percent,
        vat_amount=to_ore(net * vat_percent / 100),
        account=account,
        cost_centre=provider.cost_centre,
        purchaser_cost_centre=(order.cost_centre or purchaser.cost_centre) if internal else "",
        counterparty=purchaser.counterparty_code,
    )


def _draft_invoice(period: Period, purchaser, provider) -> Invoice:
    found = Invoice.objects.filter(
        period=period,
        purchaser=purchaser,
        provider=provider,
        kind=Invoice.Kind.INVOICE,
        status=Invoice.Status.DRAFT,
    ).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return Invoice.objects.create(
                period=period,
                purchaser=purchaser,
                provider=provider,
                internal=purchaser.legal_person_id == provider.legal_person_id,
            )
    except IntegrityError:  # a concurrent run made it
        return Invoice.objects.get(
            period=period,
            purchaser=purchaser,
            provider=provider,
            kind=Invoice.Kind.INVOICE,
            status=Invoice.Status.DRAFT,
        )


def _retotal(invoice: Invoice) -> None:
    sums = invoice.lines.aggregate(net=Sum("net_amount"), vat=Sum("vat_amount"))
    net, vat = sums["net"] or Decimal(0), sums["vat"] or Decimal(0)
    Invoice.objects.filter(pk=invoice.pk).update(
        net_amount=net, vat_amount=vat, total_amount=net + vat
    )


def summary(period: Period, created: int = 0) -> dict:
    totals = Invoice.objects.filter(period=period, kind=Invoice.Kind.INVOICE).aggregate(
        invoices=Count("id"), total=Sum("total_amount")
    )
    lines = InvoiceLine.objects.filter(invoice__period=period).count()
    return {
        "period": period.code,
        "status": period.status,
        "invoices": totals["invoices"],
        "lines": lines,
        "total_sek": str(to_ore(totals["total"] or 0)),
        "created_lines": created,
    }


def run(*, actor, period: Period, progress=None, source=CLI) -> dict:
    """Invoice everything of `period` that is not yet invoiced; return the summary.
    One transaction per purchaser and provider, so a run killed half-way leaves whole
    invoices behind, and the next run completes the rest."""
    _require_open(period)
    pending = _pending_order_lines(period)
    groups: dict[tuple[int, int], list] = defaultdict(list)
    for order_line in pending.iterator(chunk_size=5000):
        order = order_line.order
        groups[(order.purchaser_id, order.provider_id)].append(order_line)
    created = 0
    total = len(groups)
    if progress:
        progress(0, total)
    for done, rows in enumerate(groups.values(), start=1):
        lines = [_line(r) for r in rows]  # raises before anything is saved for the group
        order = rows[0].order
        with transaction.atomic():
            locked = Period.objects.select_for_update().get(pk=period.pk)
            _require_open(locked)
            invoice = _draft_invoice(period, order.purchaser, order.provider)
            for line in lines:
                line.invoice = invoice
            before = invoice.lines.count()
            InvoiceLine.objects.bulk_create(lines, batch_size=1000, ignore_conflicts=True)
            added = invoice.lines.count() - before
            _retotal(invoice)
            if added:
                record(
                    actor=actor,
                    action="invoicing.invoice.lines",
                    obj=invoice,
                    after={
                        "period": period.code,
                        "purchaser": order.purchaser.code,
                        "added_lines": added,
                    },
                    source=source,
                )
            created += added
        if progress:
            progress(done, total)
    result = summary(period, created)
    with transaction.atomic():
        record(actor=actor, action="invoicing.period.run", obj=period, after=result, source=source)
    return result


@transaction.atomic
def post(*, actor, period: Period, source=CLI) -> int:
    """Post the period's draft invoices that have lines: each gets the next number of the
    year's series, in this transaction, so posted numbers have no gaps."""
    period = Period.objects.select_for_update().get(pk=period.pk)
    _require_open(period)
    drafts = (
        Invoice.objects.filter(period=period, status=Invoice.Status.DRAFT)
        .annotate(n=Count("lines"))
        .filter(n__gt=0)
        .select_related("purchaser")
        .order_by("purchaser__code", "id")
    )
    now = timezone.now()
    posted = 0
    for invoice in drafts:
        invoice.number = f"F{period.year}-{next_number('invoice', period.year):06d}"
        invoice.status = Invoice.Status.POSTED
        invoice.posted_at = now
        invoice.save(update_fields=["number", "status", "posted_at"])
        record(
            actor=actor,
            action="invoicing.invoice.post",
            obj=invoice,
            after={"number": invoice.number, "total": invoice.total_amount},
            source=source,
        )
        posted += 1
    return posted


@transaction.atomic
def close(*, actor, period: Period, source=CLI) -> Period:
    """Close a period: refused while it has draft invoices with lines, or order lines
    accepted in it that no run has invoiced."""
    period = Period.objects.select_for_update().get(pk=period.pk)
    _require_open(period)
    waiting = (
        Invoice.objects.filter(period=period, status=Invoice.Status.DRAFT)
        .annotate(n=Count("lines"))
        .filter(n__gt=0)
        .count()
    )
    if waiting:
        raise ValidationError(
            {
                "period": _("%(n)s draft invoices of %(p)s are not posted; post them first.")
                % {"n": waiting, "p": period.code}
            }
        )
    pending = _pending_order_lines(period).count()
    if pending:
        raise ValidationError(
            {
                "period": _(
                    "%(n)s order lines accepted in %(p)s are not invoiced yet; run the "
                    "period first."
                )
                % {"n": pending, "p": period.code}
            }
        )
    period.status = Period.Status.CLOSED
    period.closed_at = timezone.now()
    period.closed_by = actor if getattr(actor, "is_authenticated", False) else None
    period.save(update_fields=["status", "closed_at", "closed_by"])
    record(
        actor=actor,
        action="invoicing.period.close",
        obj=period,
        after={"period": period.code},
        source=source,
    )
    return period
