"""Reads for the order pages: the orderer's list, the provider's work queue (both with
keyset pagination), one order with everything its page shows, its timeline, and what
is waiting for a user. Access is decided by the caller (accounts.access): these take
the querysets it allows."""

from __future__ import annotations

import datetime
import heapq
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice

from django.db.models import CharField, F, Q, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone

from ordna.core.money import to_ore
from ordna.core.workdays import add_working_days
from ordna.orders.models import (
    Attachment,
    DeliveryReport,
    Deviation,
    Message,
    Order,
    QuoteLine,
)
from ordna.orders.workflow import State

PAGE_SIZE = 50
ATTACH = "orders.order.attach"  # the audit action of an attachment (services.attachment_add)
# Orders the provider still has to act on or see through.
OPEN_FOR_PROVIDER = (
    State.SUBMITTED,
    State.QUOTE_REQUESTED,
    State.QUOTED,
    State.CONFIRMED,
    State.IN_PROGRESS,
    State.DELIVERED,
)
# The work is not yet delivered: a passed delivery due date is a breach.
NOT_DELIVERED = (State.CONFIRMED, State.IN_PROGRESS)
# How close (working days) a due date must be for the start page to call it near.
NEAR_DAYS = 2


def today() -> datetime.date:
    return timezone.localdate()


# --- Service levels -----------------------------------------------------------------------------
def breached(order: Order, day: datetime.date) -> bool:
    """Has the order broken a service level by `day`? The response is late while the
    order still waits as submitted; the delivery is late while the work is undelivered."""
    if order.state == State.SUBMITTED and order.response_due and order.response_due < day:
        return True
    return bool(order.state in NOT_DELIVERED and order.delivery_due and order.delivery_due < day)


def breached_q(day: datetime.date) -> Q:
    """The same rule as `breached`, as a query condition."""
    return Q(state=State.SUBMITTED, response_due__lt=day) | Q(
        state__in=NOT_DELIVERED, delivery_due__lt=day
    )


def due_explanations(order: Order) -> dict[str, str]:
    """Why each due date lies later than the plain count of working days suggests: the
    weekends and holidays stepped over, counted from the day the clock started."""
    result = {"response": "", "delivery": ""}
    if order.submitted_at and order.response_days is not None:
        start = timezone.localdate(order.submitted_at)
        result["response"] = add_working_days(start, order.response_days).explanation()
    if order.confirmed_at and order.delivery_days is not None and order.delivery_due:
        start = timezone.localdate(order.confirmed_at)
        result["delivery"] = add_working_days(start, order.delivery_days).explanation()
    return result


# --- Keyset cursors -------------------------------------------------------------------------------
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
MICROSECOND = datetime.timedelta(microseconds=1)


def _micros(moment: datetime.datetime) -> int:
    return (moment - EPOCH) // MICROSECOND  # exact, unlike a float timestamp


def _from_micros(value: int) -> datetime.datetime:
    return EPOCH + value * MICROSECOND


def _id(text: str) -> int:
    """A primary key from a cursor: a ValueError unless it fits the database's integer."""
    value = int(text)
    if not 0 < value < 2**63:
        raise ValueError(text)
    return value


def _parts(cursor: str, count: int) -> list[str] | None:
    parts = (cursor or "").split("_")
    return parts if len(parts) == count else None


@dataclass
class Page:
    rows: list
    next_cursor: str = ""


# --- Mina beställningar ---------------------------------------------------------------------------
def my_orders(
    visible: QuerySet,
    user,
    units,
    *,
    only_mine: bool = False,
    state: str = "",
    after: str = "",
    size: int = PAGE_SIZE,
) -> Page:
    """The orders of `units` (the user's purchaser units) that `visible` allows: the
    user's own first, then the others, each newest first. The cursor is
    `<own>_<created µs>_<id>` (own: 1 while in the user's own orders, 0 after).

    Keyset queries that each walk an index in order and stop after a page, whatever the
    table's size, rather than one query sorted on "own first": `order_mine` for the own
    orders; for the others, unit by unit `order_purchaser` (`order_purchaser_state` with
    a status), merged; for read-all roles `order_created` (`order_state`)."""
    qs = visible.select_related("purchaser")
    unit_ids = None if units is None else [u.pk for u in units]  # None: every visible order
    if state:
        qs = qs.filter(state=state)
    segment, created, pk = 1, None, None
    parts = _parts(after, 3)
    if parts:
        try:
            segment, created, pk = int(parts[0]), _from_micros(int(parts[1])), _id(parts[2])
        except (ValueError, OverflowError, OSError):
            segment, created, pk = 1, None, None
    rows: list = []
    if unit_ids is None:  # read-all roles order nothing: every order, newest first
        segment = 0
    if segment == 1:
        own = qs.filter(orderer=user, purchaser__in=unit_ids)
        rows = _newest(own, created, pk, size + 1)
        for row in rows:
            row.own = 1
        created = pk = None  # the others start from their newest
    if len(rows) <= size and not only_mine:
        others = qs if unit_ids is None else qs.exclude(orderer=user)
        others = _newest_of_units(others, unit_ids, created, pk, size + 1 - len(rows))
        for row in others:
            row.own = 0
        rows += others
    if len(rows) <= size:
        return Page(rows)
    last = rows[size - 1]
    return Page(rows[:size], f"{last.own}_{_micros(last.created_at)}_{last.pk}")


# Up to this many units, the others' orders are read unit by unit and merged: a database
# cannot walk one index in order over several purchasers at once, and would sort them all.
MERGE_UNITS = 4


def _newest_of_units(qs: QuerySet, unit_ids, created, pk, limit: int) -> list:
    if unit_ids is None or len(unit_ids) > MERGE_UNITS:
        if unit_ids is not None:
            qs = qs.filter(purchaser__in=unit_ids)
        return _newest(qs, created, pk, limit)
    per_unit = [_newest(qs.filter(purchaser=unit), created, pk, limit) for unit in unit_ids]
    merged = heapq.merge(*per_unit, key=lambda o: (o.created_at, o.pk), reverse=True)
    return list(islice(merged, limit))


def _newest(qs: QuerySet, created, pk, limit: int) -> list:
    """Up to `limit` rows of `qs`, newest first, after (created, pk) when given."""
    if created is not None:
        # The redundant `created_at <= c` lets the database seek in the index to the
        # cursor instead of walking every newer entry.
        qs = qs.filter(
            Q(created_at__lt=created) | Q(created_at=created, id__lt=pk), created_at__lte=created
        )
    return list(qs.order_by("-created_at", "-id")[:limit])


# --- The work queue -------------------------------------------------------------------------------
def queue(
    visible: QuerySet,
    user,
    units,
    *,
    day: datetime.date,
    area=None,
    state: str = "",
    due_before: datetime.date | None = None,
    breached_only: bool = False,
    mine: bool = False,
    after: str = "",
    size: int = PAGE_SIZE,
) -> Page:
    """Open orders addressed to `units`, by delivery due date (undated last), then id.
    The cursor is `<due date or ->_<id>`."""
    qs = visible.filter(
        provider__in=[u.pk for u in units], state__in=OPEN_FOR_PROVIDER
    ).select_related("purchaser", "service", "assigned_to")
    if area is not None:
        qs = qs.filter(service__area=area)
    if state:
        qs = qs.filter(state=state)
    if due_before:
        qs = qs.filter(delivery_due__lt=due_before)
    if breached_only:
        qs = qs.filter(breached_q(day))
    if mine:
        qs = qs.filter(assigned_to=user)
    qs = _after_due(qs, after)
    rows = list(qs.order_by(F("delivery_due").asc(nulls_last=True), "id")[: size + 1])
    if len(rows) <= size:
        return Page(rows)
    last = rows[size - 1]
    due = last.delivery_due.isoformat() if last.delivery_due else "-"
    return Page(rows[:size], f"{due}_{last.pk}")


def _after_due(qs: QuerySet, cursor: str) -> QuerySet:
    parts = _parts(cursor, 2)
    if not parts:
        return qs
    try:
        due = None if parts[0] == "-" else datetime.date.fromisoformat(parts[0])
        pk = _id(parts[1])
    except ValueError:
        return qs
    if due is None:
        return qs.filter(delivery_due__isnull=True, id__gt=pk)
    return qs.filter(
        Q(delivery_due__gt=due) | Q(delivery_due=due, id__gt=pk) | Q(delivery_due__isnull=True)
    )


# --- One order ------------------------------------------------------------------------------------
def order_page(visible: QuerySet, pk, *, lines: bool = True):
    """The order with what its page shows (its lines too, unless `lines` is False), or
    None when `visible` does not hold it."""
    qs = visible.prefetch_related("lines") if lines else visible
    try:
        return qs.select_related(
            "purchaser",
            "provider",
            "orderer",
            "service",
            "agreement",
            "assigned_to",
            "rating__rated_by",
        ).get(pk=pk)
    except (Order.DoesNotExist, ValueError, TypeError):
        return None


def rating_of(order: Order):
    try:
        return order.rating
    except Order.rating.RelatedObjectDoesNotExist:
        return None


def quotes_of(order: Order) -> list[dict]:
    """Every quote version, oldest first, as {"quote", "lines"}. A quote is always sent
    with at least one line (quote_send), so one query over the lines finds them all."""
    quotes: dict[int, dict] = {}
    for line in (
        QuoteLine.objects.filter(quote__order=order)
        .select_related("quote__created_by")
        .order_by("quote__number", "position")
    ):
        quotes.setdefault(line.quote_id, {"quote": line.quote, "lines": []})["lines"].append(line)
    return list(quotes.values())


def needs_route_assessment(order: Order, quotes: list[dict]):
    """The amount that makes an ad hoc need without a route assessment worth flagging:
    its estimated value or its latest quote, from ROUTE_ASSESSMENT_REQUIRED_FROM_SEK up
    (issue 6). None when there is nothing to flag."""
    from django.conf import settings

    if order.kind != Order.Kind.AD_HOC or order.route_assessment_id is not None:
        return None
    amounts = [order.estimated_value] + [q["quote"].total for q in quotes[-1:]]
    highest = max((a for a in amounts if a is not None), default=None)
    if highest is None or highest < settings.ROUTE_ASSESSMENT_REQUIRED_FROM_SEK:
        return None
    return highest


def deliveries_of(order: Order) -> list:
    return list(DeliveryReport.objects.filter(order=order).select_related("line", "reported_by"))


def deviations_of(order: Order) -> list:
    return list(Deviation.objects.filter(order=order).select_related("reported_by", "answered_by"))


def _ids(qs: QuerySet) -> QuerySet:
    """The rows' ids as text, to match the audit trail's object_id inside one query."""
    return qs.annotate(sid=Cast("pk", output_field=CharField())).values("sid")


def timeline(order: Order) -> list:
    """The order's audit events and those of its messages, deliveries, deviations and
    rating, oldest first, in one query. Messages are written once and never edited, so
    their events carry the thread as well."""
    from ordna.audit.models import AuditEvent
    from ordna.orders.models import Rating

    condition = Q(object_type="orders.order", object_id=str(order.pk))
    for object_type, model in (
        ("orders.message", Message),
        ("orders.deliveryreport", DeliveryReport),
        ("orders.deviation", Deviation),
        ("orders.rating", Rating),
    ):
        condition |= Q(
            object_type=object_type, object_id__in=_ids(model.objects.filter(order=order))
        )
    return list(
        AuditEvent.objects.filter(condition)
        .only("occurred_at", "actor_username", "action", "reason", "after", "object_type")
        .order_by("id")
    )


# --- Waiting for a user (start page) --------------------------------------------------------------
def waiting_for_purchaser(visible: QuerySet, units) -> list:
    """Quoted or delivered orders of `units` that await the purchaser's answer."""
    return list(
        visible.filter(
            purchaser__in=[u.pk for u in units], state__in=[State.QUOTED, State.DELIVERED]
        )
        .select_related("purchaser")
        .order_by("created_at", "id")[:PAGE_SIZE]
    )


def waiting_for_provider(visible: QuerySet, user, units, day: datetime.date) -> list:
    """New orders and quote requests to `units`, and those assigned to `user` that are
    near (within NEAR_DAYS working days) or past their due date."""
    near = add_working_days(day, NEAR_DAYS).day
    new = Q(state__in=[State.SUBMITTED, State.QUOTE_REQUESTED])
    due_soon = Q(assigned_to=user, state__in=OPEN_FOR_PROVIDER) & (
        Q(state=State.SUBMITTED, response_due__lte=near)
        | Q(state__in=NOT_DELIVERED, delivery_due__lte=near)
    )
    return list(
        visible.filter(provider__in=[u.pk for u in units])
        .filter(new | due_soon)
        .select_related("purchaser")
        .order_by(F("delivery_due").asc(nulls_last=True), "id")[:PAGE_SIZE]
    )


def handlers_of(order: Order) -> list:
    """The people who may handle the order: provider staff and managers at its provider."""
    from ordna.accounts.models import Membership, User
    from ordna.orders.workflow import HANDLING

    today_ = today()
    members = Membership.objects.valid_on(today_).filter(
        unit_id=order.provider_id, role__in=HANDLING
    )
    return list(
        User.objects.filter(is_active=True, pk__in=members.values("user_id"))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


# --- Choices for a new order ----------------------------------------------------------------------
def orderable_services(units, day: datetime.date) -> list[tuple]:
    """(service, covered) for every service valid on `day`: covered when an agreement of
    one of `units` in force on `day` (its newest signed version) includes it."""
    from django.db.models import Exists, OuterRef

    from ordna.agreements.models import Agreement, AgreementLine, AgreementVersion
    from ordna.catalogue.models import Service

    covering = AgreementLine.objects.filter(
        service=OuterRef("pk"),
        version__state=AgreementVersion.State.SIGNED,
        version__agreement__purchaser__in=[u.pk for u in units],
        version__agreement__status=Agreement.Status.ACTIVE,
        version__agreement__valid_from__lte=day,
        version__agreement__valid_to__gte=day,
    )
    rows = Service.objects.valid_on(day).annotate(covered=Exists(covering)).order_by("code")
    return [(service, service.covered) for service in rows]


def providers(day: datetime.date) -> list:
    """Units where someone works as provider staff or manager on `day`: whom to order from."""
    from ordna.accounts.models import Membership
    from ordna.orders.workflow import HANDLING
    from ordna.organisation.models import Unit

    members = Membership.objects.valid_on(day).filter(role__in=HANDLING)
    return list(
        Unit.objects.valid_on(day).filter(pk__in=members.values("unit_id")).order_by("code")
    )


def line_rows(order: Order) -> tuple[list[dict], Decimal | None]:
    """The order's lines with their amounts, and the total (None when a line has no price
    yet, e.g. an ad hoc need before its quote is accepted)."""
    rows, total = [], Decimal("0.00")
    for line in order.lines.all():
        amount = None if line.unit_price is None else to_ore(line.unit_price * line.quantity)
        rows.append({"line": line, "amount": amount})
        total = None if amount is None or total is None else total + amount
    return rows, (total if rows else None)


def attachment_of(order: Order, pk):
    """One of the order's attachments, or None."""
    try:
        return Attachment.objects.get(order=order, pk=pk)
    except (Attachment.DoesNotExist, ValueError, TypeError):
        return None


def attachments_of(order: Order) -> list:
    """The order's attachments, oldest first, with who attached them."""
    return list(Attachment.objects.filter(order=order).select_related("uploaded_by"))


def attachment_rows(events) -> list[dict]:
    """The order's attachments as its page lists them, from the order's `timeline`
    events, oldest first: id, name, size in bytes and kB (rounded up), who and when.

    No query of its own (the page's query budget): an attachment is written once,
    together with its `orders.order.attach` event, and never changed or removed, so the
    event carries what the list shows, as the message events carry the thread."""
    rows = []
    for event in events:
        data = (event.after or {}).get("attachment") if event.action == ATTACH else None
        if not data:
            continue
        size = int(data.get("size") or 0)
        rows.append(
            {
                "id": data["id"],
                "name": data.get("original_name", ""),
                "size": size,
                "kilobytes": -(-size // 1024),
                "by": event.actor_username,
                "at": event.occurred_at,
            }
        )
    return rows


def deviation_of(order: Order, pk):
    """One of the order's deviations, or None."""
    try:
        return Deviation.objects.get(order=order, pk=pk)
    except (Deviation.DoesNotExist, ValueError, TypeError):
        return None
