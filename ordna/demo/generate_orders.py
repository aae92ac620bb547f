"""Generated orders (issue 5): ten years of the day-to-day work between purchasers and
Servicekontoret, so that the order pages and the work queue are measured at the size
they will have (`ordna generate --scale 10` gives 1 000 000 orders).

Per Borås year (scale 1): 100 000 orders from the administrations' orderers, one line
each; an ad hoc need in about one in twelve, quoted (sometimes twice, after a
renegotiation); delivery reports for a fifth of the work reported by the hour or piece
(the rest is confirmed by its delivery alone); deviations where a delivery came late and
the odd complaint; a rating on about one accepted order in twelve. Old orders are closed
(or were cancelled or declined); the last weeks' orders are spread over the open states,
some past their due dates (breaches).

Orders keep to the rules the services enforce: an orderer orders for a unit while
holding the role there, the service-level clocks count Swedish working days from the
moment they start, and timestamps follow each other in the workflow's order and never
lie in the future. What the services would write as several events (create, submit,
confirm, ...) is one creation event per row here, as for every generated row.

Speed: millions of rows, so rows are plain dicts written by `RawInserter` in chunks,
with primary keys assigned here, and the audit events are chained by `add_raw`; see
docs/performance.md for the time this takes.
"""

from __future__ import annotations

import datetime
from bisect import bisect_right
from collections import defaultdict
from decimal import Decimal
from itertools import accumulate

from django.conf import settings
from django.utils import timezone, translation

from ordna.accounts.models import Membership, Role
from ordna.core.workdays import add_working_days
from ordna.demo.generate import (
    ADMINISTRATION_WEIGHTS,
    ADMINISTRATIONS,
    PROVIDER,
    Context,
    RawInserter,
    _take_numbers,
    first_free_id,
    generator,
    reset_sequences,
)
from ordna.organisation.models import Unit

ORDERS_PER_YEAR = 100_000
CHUNK = 20_000
AD_HOC_SHARE = 0.08
URGENT_SHARE = 0.06
RATED_SHARE = 0.08
RENEGOTIATED_SHARE = 0.2  # ad hoc needs quoted twice
INVOICED_AFTER, CLOSED_AFTER = 2 * 86_400, 5 * 86_400  # after acceptance (seconds)
# Work reported by the hour or piece that has a delivery report (the rest: delivered as
# ordered, confirmed by the delivery date alone).
DELIVERY_REPORTED_SHARE = 0.2
CENT = Decimal("0.01")
MINUTE, HOUR, DAY = 60, 3600, 86_400  # times here are whole seconds since 1970 (UTC)

AD_HOC_NEEDS = [
    ("Flytt av kontorsmöbler till nya lokaler", "Två våningar, cirka 40 arbetsplatser."),
    ("Nätverk i ombyggd skolbyggnad", "Trådlöst nät och 30 uttag i sex klassrum."),
    ("Utredning av lönekörning för timanställda", "Jämför utfallet med avtalet för 2025."),
    ("Ny belysning på gång- och cykelväg", "Sträckan är cirka 800 meter."),
    ("Tillfällig parkering vid evenemang", "Avspärrning och skyltning under tre dagar."),
    ("Omläggning av plattor på torget", "Cirka 120 kvadratmeter, sättningsskador."),
    ("Utbildning i ekonomisystemet", "Halvdag för tolv budgetansvariga."),
    ("Inventering av fordonsparken", "Alla fordon med körjournal, rapport per enhet."),
    ("Extra telefonbemanning under valet", "Kvällar och helger under fyra veckor."),
    ("Anpassning av lekplats för tillgänglighet", "Markbeläggning och två lekredskap."),
]
AD_HOC_UNIT = "uppdrag"
AD_HOC_RESPONSE_DAYS = 5
QUOTE_ASSUMPTIONS = [
    "Arbetet utförs vardagar 07–16.",
    "Förutsätter fri åtkomst till lokalerna.",
    "Material enligt bifogad specifikation; ändringar debiteras löpande.",
    "",
]
CANCEL_REASONS = [
    "Behovet har försvunnit.",
    "Beställdes av misstag två gånger.",
    "Verksamheten löser det själv.",
]
DECLINE_REASONS = [
    "Ingår inte i Servicekontorets uppdrag; beställ via upphandlat avtal.",
    "Kan inte utföras inom önskad tid.",
]
COMPLAINTS = [
    "Arbetet blev inte färdigt som beställt.",
    "Fel antal levererat.",
    "Ingen återkoppling trots påminnelse.",
]
ANSWERS = [
    "Vi beklagar. Åtgärdat och krediteras på nästa faktura.",
    "Förseningen berodde på sjukdom; rutinen för ersättare ses över.",
]
RATING_COMMENTS = ["", "", "Snabbt och bra.", "Bra bemötande.", "Tog lite för lång tid."]
SCORES, SCORE_WEIGHTS = [5, 4, 3, 2, 1], [40, 35, 15, 6, 4]

# (state, weight) by how old an order is: closed long ago, open in the last weeks.
OLD = [("closed", 945), ("cancelled", 35), ("declined", 20)]
SETTLING = [
    ("closed", 40),
    ("invoiced", 37),
    ("accepted", 18),
    ("cancelled", 3),
    ("declined", 2),
]
RECENT = [
    ("draft", 4),
    ("submitted", 10),
    ("quote_requested", 0),
    ("quoted", 0),
    ("confirmed", 16),
    ("in_progress", 22),
    ("delivered", 18),
    ("accepted", 24),
    ("cancelled", 4),
    ("declined", 2),
]
RECENT_AD_HOC = [
    ("draft", 4),
    ("submitted", 8),
    ("quote_requested", 14),
    ("quoted", 14),
    ("confirmed", 14),
    ("in_progress", 16),
    ("delivered", 12),
    ("accepted", 12),
    ("cancelled", 4),
    ("declined", 2),
]
REACHED = {  # what happened on the way to each state
    "draft": (),
    "submitted": ("submitted",),
    "quote_requested": ("submitted",),
    "quoted": ("submitted", "quoted"),
    "confirmed": ("submitted", "confirmed"),
    "in_progress": ("submitted", "confirmed"),
    "delivered": ("submitted", "confirmed", "delivered"),
    "accepted": ("submitted", "confirmed", "delivered", "accepted"),
    "invoiced": ("submitted", "confirmed", "delivered", "accepted"),
    "closed": ("submitted", "confirmed", "delivered", "accepted"),
    "cancelled": ("submitted",),
    "declined": ("submitted",),
}
# The order's `version` counts its saved changes, as the services' stale-edit check does.
VERSIONS = {
    "draft": 1,
    "submitted": 2,
    "quote_requested": 3,
    "quoted": 4,
    "confirmed": 3,
    "in_progress": 4,
    "delivered": 5,
    "accepted": 6,
    "invoiced": 7,
    "closed": 8,
    "cancelled": 3,
    "declined": 3,
}


class _Plan:
    """What the orders are drawn from, read once: units, people, services and prices."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.today = timezone.localdate()
        self.now = int(ctx.audit.now.timestamp())
        self.local_days: dict[int, datetime.date] = {}
        self.tz = timezone.get_current_timezone()
        self.provider = Unit.objects.filter(code=PROVIDER).order_by("-valid_from").first()
        units = {
            u.code: u for u in Unit.objects.filter(code__in=ADMINISTRATIONS).order_by("valid_from")
        }
        self.orderers = self._people(Role.ORDERER, [u.pk for u in units.values()])
        # A unit orders when someone there holds the orderer role.
        pairs = [
            (units[c], w)
            for c, w in zip(ADMINISTRATIONS, ADMINISTRATION_WEIGHTS, strict=True)
            if c in units and self.orderers.get(units[c].pk)
        ]
        self.units = [u for u, _w in pairs]
        self.unit_draw = _Weighted(self.units, [w for _u, w in pairs]) if pairs else None
        staff = self._people(Role.PROVIDER_STAFF, [self.provider.pk] if self.provider else [])
        self.staff = staff.get(self.provider.pk, []) if self.provider else []
        self.services = self._services()
        self.agreed = self._agreed()
        self.due_cache: dict[tuple[datetime.date, int], datetime.date] = {}

    def earliest(self) -> datetime.date:
        return max(
            self.provider.valid_from,
            min(u.valid_from for u in self.units),
            min(s["valid_from"] for s in self.services),
        )

    def service(self, day: datetime.date) -> dict:
        """A priced service that existed on `day`."""
        rng = self.ctx.random
        while True:
            service = self.services[int(rng.random() * len(self.services))]
            if service["valid_from"] <= day:
                return service

    def ready(self) -> bool:
        return bool(self.provider and self.units and self.services and self.staff)

    @staticmethod
    def _people(role: str, unit_ids: list[int]) -> dict[int, list[tuple]]:
        """Per unit: (user id, from, to, name) of everyone who held `role` there."""
        people: dict[int, list[tuple]] = defaultdict(list)
        rows = (
            Membership.objects.filter(role=role, unit_id__in=unit_ids)
            .order_by("unit_id", "user_id", "valid_from")
            .values_list("unit_id", "user_id", "valid_from", "valid_to")
        )
        for unit_id, user_id, since, until in rows:
            people[unit_id].append((user_id, since, until))
        return people

    @staticmethod
    def _services() -> list[dict]:
        from ordna.catalogue.models import Price, PriceList, PriceModel

        price_list = (
            PriceList.objects.filter(status=PriceList.Status.PUBLISHED)
            .order_by("valid_from")
            .first()
        )
        if price_list is None:
            return []
        prices = (
            Price.objects.filter(price_list=price_list, unit_price__isnull=False)
            .exclude(service__price_model__in=[PriceModel.FIXED, PriceModel.QUOTE])
            .select_related("service")
            .order_by("service__code")
        )
        return [
            {
                "id": p.service_id,
                "valid_from": p.service.valid_from,
                "name": p.service.name,
                "unit": p.service.unit_of_measure,
                "model": p.service.price_model,
                "price": p.unit_price,
                "days": (
                    (p.service.response_days_normal, p.service.delivery_days_normal),
                    (p.service.response_days_urgent, p.service.delivery_days_urgent),
                ),
            }
            for p in prices
        ]

    @staticmethod
    def _agreed() -> dict[tuple[int, int, int], tuple[int, Decimal | None]]:
        """(purchaser, year, service) → (agreement, agreed unit price) for signed ones."""
        from ordna.agreements.models import Agreement, AgreementLine

        lines = AgreementLine.objects.filter(
            version__agreement__status__in=[
                Agreement.Status.SIGNED,
                Agreement.Status.ACTIVE,
                Agreement.Status.EXPIRED,
            ]
        ).values_list(
            "version__agreement__purchaser_id",
            "version__agreement__year",
            "service_id",
            "version__agreement_id",
            "unit_price",
        )
        return {(p, y, s): (a, price) for p, y, s, a, price in lines}

    def due(self, start: datetime.date, days: int) -> datetime.date:
        key = (start, days)
        if key not in self.due_cache:
            self.due_cache[key] = add_working_days(start, days).day
        return self.due_cache[key]

    def orderer(self, unit: Unit, day: datetime.date) -> int:
        """Someone who held the orderer role at `unit` on `day`; when nobody did (early
        in a small generated period), the one who held it there first."""
        people = self.orderers[unit.pk]
        rng = self.ctx.random
        for _try in range(8):
            user_id, since, until = people[int(rng.random() * len(people))]
            if since <= day and (until is None or until >= day):
                return user_id
        for user_id, since, until in people:
            if since <= day and (until is None or until >= day):
                return user_id
        return min(people, key=lambda person: person[1])[0]

    def handler(self) -> int:
        rng = self.ctx.random
        return self.staff[int(rng.random() * len(self.staff))][0]

    def moment(self, day: datetime.date) -> int:
        """A moment in working hours on `day` (local time), in seconds since 1970."""
        rng = self.ctx.random
        local = datetime.datetime.combine(
            day, datetime.time(7 + int(rng.random() * 9), int(rng.random() * 60)), self.tz
        )
        return int(local.timestamp())

    def local_date(self, moment: int) -> datetime.date:
        """The local calendar day of a moment (offsets are whole hours: cached per hour)."""
        hour = moment // HOUR
        if hour not in self.local_days:
            self.local_days[hour] = datetime.datetime.fromtimestamp(hour * HOUR, self.tz).date()
        return self.local_days[hour]


class _Weighted:
    """Draws one of `items` with the given weights (cumulative, by bisection)."""

    def __init__(self, items, weights):
        self.items = list(items)
        self.cumulative = list(accumulate(weights))
        self.total = self.cumulative[-1]

    def draw(self, rng):
        return self.items[bisect_right(self.cumulative, rng.random() * self.total)]


def _table(pairs) -> _Weighted:
    return _Weighted([s for s, _w in pairs], [w for _s, w in pairs])


STATES_OLD, STATES_SETTLING = _table(OLD), _table(SETTLING)
STATES_RECENT, STATES_RECENT_AD_HOC = _table(RECENT), _table(RECENT_AD_HOC)
SCORE_DRAW = _Weighted(SCORES, SCORE_WEIGHTS)


BACK = {
    "closed": "invoiced",
    "invoiced": "accepted",
    "accepted": "delivered",
    "delivered": "in_progress",
    "in_progress": "confirmed",
    "quoted": "quote_requested",
    "quote_requested": "submitted",
}


def _back(state: str, ad_hoc: bool) -> str:
    """The state before `state` on the order's way (confirmed: quoted for an ad hoc need,
    submitted for a call-off)."""
    if state == "confirmed":
        return "quoted" if ad_hoc else "submitted"
    return BACK[state]


def _state(rng, age: int, ad_hoc: bool) -> str:
    if age > 45:
        return STATES_OLD.draw(rng)
    if age > 20:
        return STATES_SETTLING.draw(rng)
    return (STATES_RECENT_AD_HOC if ad_hoc else STATES_RECENT).draw(rng)


def _quantity(rng, model: str) -> Decimal:
    if model == "hourly":
        return Decimal(1 + int(rng.random() * 24) * 2) / 2
    if model == "subscription":
        return Decimal(1 + int(rng.random() * 40))
    return Decimal(1 + int(rng.random() * 8))


class _Writer:
    """Collects one chunk's rows per table and writes them with their audit events."""

    def __init__(self, ctx: Context):
        from ordna.orders.models import (
            DeliveryReport,
            Deviation,
            Order,
            OrderLine,
            Quote,
            QuoteLine,
            Rating,
        )

        self.ctx = ctx
        # In foreign-key order: parents are written before their children.
        self.models = {
            "order": Order,
            "line": OrderLine,
            "quote": Quote,
            "quote_line": QuoteLine,
            "delivery": DeliveryReport,
            "deviation": Deviation,
            "rating": Rating,
        }
        self.inserters = {name: RawInserter(model) for name, model in self.models.items()}
        self.rows: dict[str, list[dict]] = {name: [] for name in self.models}
        self.events: list[tuple] = []  # (action, type, id, repr, after, unit), chain order
        self.counts = dict.fromkeys(self.models, 0)
        self.next_id = {name: first_free_id(model) for name, model in self.models.items()}
        with translation.override(settings.LANGUAGE_CODE):
            self.deviation_kinds = {k: str(label) for k, label in Deviation.Kind.choices}

    def take_id(self, table: str) -> int:
        value = self.next_id[table]
        self.next_id[table] = value + 1
        return value

    def snapshot(self, table: str, row: dict) -> dict:
        return self.inserters[table].snapshot(row)

    def add(self, table: str, row: dict, event: tuple | None = None) -> None:
        self.rows[table].append(row)
        if event is not None:
            self.events.append(event)

    def flush(self) -> None:
        for name in self.models:  # parents before children (foreign keys are checked)
            if self.rows[name]:
                self.inserters[name].insert(self.rows[name])
                self.counts[name] += len(self.rows[name])
                self.rows[name] = []
        audit = self.ctx.audit
        for action, object_type, object_id, object_repr, after, unit in self.events:
            audit.add_raw(
                action=action,
                object_type=object_type,
                object_id=object_id,
                object_repr=object_repr,
                after=after,
                unit_code=unit,
            )
        self.events = []


@generator("orders")
def _orders(ctx: Context) -> dict[str, int]:
    plan = _Plan(ctx)
    if not plan.ready():
        return {}
    rng = ctx.random
    total = ctx.volume(ORDERS_PER_YEAR)
    # Days first, in order, so that numbers follow time within each year; none before
    # the provider, the purchasing units and a priced service all existed.
    earliest = plan.earliest()
    days = sorted(ctx.day(earliest) for _i in range(total))
    per_year: dict[int, int] = defaultdict(int)
    for day in days:
        per_year[day.year] += 1
    numbers = {year: _take_numbers("order", year, n) for year, n in sorted(per_year.items())}
    writer = _Writer(ctx)
    for index, day in enumerate(days):
        number = numbers[day.year]
        numbers[day.year] += 1
        _one_order(ctx, plan, writer, rng, day, f"B{day.year}-{number:06d}")
        if (index + 1) % CHUNK == 0:
            writer.flush()
    writer.flush()
    ctx.audit.flush()  # the last events too, before anything else uses the connection
    reset_sequences(list(writer.models.values()))
    counts = writer.counts
    return {
        "orders": counts["order"],
        "order_lines": counts["line"],
        "quotes": counts["quote"],
        "delivery_reports": counts["delivery"],
        "deviations": counts["deviation"],
        "ratings": counts["rating"],
    }


def _one_order(ctx, plan: _Plan, writer: _Writer, rng, day: datetime.date, number: str) -> None:
    now = plan.now
    unit = plan.unit_draw.draw(rng)
    ad_hoc = rng.random() < AD_HOC_SHARE
    urgent = rng.random() < URGENT_SHARE
    age = (plan.today - day).days
    state = _state(rng, age, ad_hoc)
    order_id = writer.take_id("order")
    line_id = writer.take_id("line")
    orderer = plan.orderer(unit, day)
    if ad_hoc:
        title, description = AD_HOC_NEEDS[int(rng.random() * len(AD_HOC_NEEDS))]
        service, agreement_id, price = None, None, None
        response_days, delivery_days = AD_HOC_RESPONSE_DAYS, 5 + int(rng.random() * 30)
        unit_of_measure, quantity = AD_HOC_UNIT, Decimal(1)
    else:
        service = plan.service(day)
        title, description = service["name"], ""
        agreement_id, price = plan.agreed.get((unit.pk, day.year, service["id"]), (None, None))
        price = price if price is not None else service["price"]
        response_days, delivery_days = service["days"][1 if urgent else 0]
        unit_of_measure, quantity = service["unit"], _quantity(rng, service["model"])

    # The whole way through the workflow first, each moment after the one before; then
    # a drawn state that lies beyond now is cut back to the last step reached by now.
    versions = 2 if ad_hoc and rng.random() < RENEGOTIATED_SHARE else 1
    created = plan.moment(day)
    if created > now:  # today, later than the clock: a moment in the last hour instead
        created = now - int(rng.random() * HOUR)
    submitted = min(created + MINUTE * (2 + int(rng.random() * 60)), now)
    first_quote = last_quote = None
    if ad_hoc:
        first_quote = submitted + int(DAY * (1 + rng.random() * 4))
        last_quote = first_quote + (versions - 1) * 2 * DAY
    late_answer = rng.random() < 0.04
    wait = (response_days + 2) if late_answer else rng.random() * max(response_days, 1)
    confirmed = (last_quote or submitted) + int(DAY * wait)
    late_delivery = rng.random() < 0.08
    span = (delivery_days or 5) * 1.4
    took = span + 3 + rng.random() * 10 if late_delivery else rng.random() * span
    delivered = confirmed + int(DAY * took)
    accepted = delivered + int(DAY * 5 * rng.random())
    needs = {
        "submitted": submitted,
        "quote_requested": submitted,
        "quoted": last_quote,
        "confirmed": confirmed,
        "in_progress": confirmed,
        "delivered": delivered,
        "accepted": accepted,
        "invoiced": accepted + INVOICED_AFTER,
        "closed": accepted + CLOSED_AFTER,
    }
    while state in needs and needs[state] > now:
        state = _back(state, ad_hoc)
    reached = REACHED[state]
    submitted = submitted if "submitted" in reached else None
    confirmed = confirmed if "confirmed" in reached else None
    delivered = delivered if "delivered" in reached else None
    accepted = accepted if "accepted" in reached else None
    quote_sent = first_quote if ad_hoc and ("quoted" in reached or confirmed) else None
    response_due = delivery_due = None
    if submitted is not None:
        response_due = plan.due(plan.local_date(submitted), response_days)
    if confirmed is not None and delivery_days is not None:
        delivery_due = plan.due(plan.local_date(confirmed), delivery_days)
    if state == "quoted":
        price = None
    elif ad_hoc and confirmed is not None:
        price = Decimal(int(2_000 + rng.random() * 148_000))
    handler = plan.handler() if confirmed is not None or rng.random() < 0.3 else None
    if state == "draft":
        handler = None
    reason = ""
    if state == "cancelled":
        reason = CANCEL_REASONS[int(rng.random() * len(CANCEL_REASONS))]
    elif state == "declined":
        reason = DECLINE_REASONS[int(rng.random() * len(DECLINE_REASONS))]
    wanted = (
        day + datetime.timedelta(days=5 + int(rng.random() * 25)) if rng.random() < 0.5 else None
    )
    order = {
        "id": order_id,
        "number": number,
        "kind": "ad_hoc" if ad_hoc else "call_off",
        "title": title,
        "description": description,
        "purchaser_id": unit.pk,
        "provider_id": plan.provider.pk,
        "orderer_id": orderer,
        "cost_centre": unit.cost_centre,
        "service_id": service["id"] if service else None,
        "agreement_id": agreement_id,
        "wanted_on": wanted,
        "priority": "urgent" if urgent else "normal",
        "state": state,
        "state_reason": reason,
        "assigned_to_id": handler,
        "created_at": created,
        "submitted_at": submitted,
        "confirmed_at": confirmed,
        "delivered_at": delivered,
        "accepted_at": accepted,
        "response_due": response_due,
        "delivery_due": delivery_due,
        "response_days": response_days,
        "delivery_days": delivery_days,
        "volume_approved_by_id": None,
        "volume_approved_at": None,
        "estimated_value": None,
        "route_assessment_id": None,
        "version": VERSIONS[state],
    }
    line = {
        "id": line_id,
        "order_id": order_id,
        "position": 1,
        "description": title,
        "quantity": quantity,
        "unit_of_measure": unit_of_measure,
        "unit_price": price,
    }
    after = writer.snapshot("order", order)
    after["lines"] = [
        {
            "description": title,
            "quantity": str(quantity),
            "unit_of_measure": unit_of_measure,
        }
    ]
    writer.add(
        "order",
        order,
        (
            "demo.generate.order.create",
            "orders.order",
            str(order_id),
            f"{number} {title}",
            after,
            unit.code,
        ),
    )
    writer.add("line", line)
    if quote_sent is not None:
        _quotes(plan, writer, rng, order, line, quote_sent, versions, unit.code, price)
    worked = ad_hoc or service["model"] in ("hourly", "unit_price")
    if delivered is not None and worked and rng.random() < DELIVERY_REPORTED_SHARE:
        _delivery(plan, writer, rng, order, line, unit.code)
    late = (
        delivered is not None
        and delivery_due is not None
        and plan.local_date(delivered) > delivery_due
    )
    if (late and rng.random() < 0.4) or (accepted is not None and rng.random() < 0.01):
        _deviation(plan, writer, rng, order, unit.code, late)
    if accepted is not None and rng.random() < RATED_SHARE:
        _rating(plan, writer, rng, order, unit.code)


def _quotes(plan, writer, rng, order, line, sent, versions, unit_code, accepted_price) -> None:
    """One quote, or two when the first was renegotiated; the last answers the order."""
    state = order["state"]
    base = accepted_price or Decimal(int(2_000 + rng.random() * 148_000))
    for number in range(1, versions + 1):
        last = number == versions
        if not last:
            outcome = "renegotiated"
        elif state == "quoted":
            outcome = "open"
        else:  # quotes are drawn only for orders quoted or confirmed since
            outcome = "accepted"
        total = (base * Decimal("1.12") if not last else base).quantize(CENT)
        created = sent + (number - 1) * 2 * DAY  # the last is before now (the state says so)
        valid = plan.local_date(created) + datetime.timedelta(days=30)
        quote = {
            "id": writer.take_id("quote"),
            "order_id": order["id"],
            "number": number,
            "valid_until": valid,
            "assumptions": QUOTE_ASSUMPTIONS[int(rng.random() * len(QUOTE_ASSUMPTIONS))],
            "total": total,
            "outcome": outcome,
            "answer": "Priset behöver sänkas." if outcome == "renegotiated" else "",
            "created_at": created,
            "created_by_id": order["assigned_to_id"] or plan.handler(),
        }
        quote_line = {
            "id": writer.take_id("quote_line"),
            "quote_id": quote["id"],
            "position": 1,
            "description": line["description"],
            "quantity": Decimal(1),
            "unit_of_measure": AD_HOC_UNIT,
            "unit_price": total,
            "amount": total,
        }
        after = writer.snapshot("quote", quote)
        after["lines"] = [writer.snapshot("quote_line", quote_line)]
        label = f"{order['number']} v{number}"
        writer.add(
            "quote",
            quote,
            (
                "demo.generate.quote.create",
                "orders.quote",
                str(quote["id"]),
                label,
                after,
                unit_code,
            ),
        )
        writer.add("quote_line", quote_line)


def _delivery(plan, writer, rng, order, line, unit_code) -> None:
    hourly = line["unit_of_measure"] == "timme"
    row = {
        "id": writer.take_id("delivery"),
        "order_id": order["id"],
        "line_id": line["id"],
        "performed_on": plan.local_date(order["delivered_at"]),
        "quantity": line["quantity"],
        "hours": line["quantity"] if hourly else Decimal(1 + int(rng.random() * 16)) / 2,
        "material_amount": (
            Decimal(int(rng.random() * 5000)) if rng.random() < 0.3 else Decimal("0.00")
        ),
        "note": "",
        "reported_by_id": order["assigned_to_id"] or plan.handler(),
        "reported_at": order["delivered_at"],
        "source_key": f"gen:{order['id']}" if rng.random() < 0.3 else "",
    }
    label = f"{order['number']} {row['performed_on'].isoformat()}"
    writer.add(
        "delivery",
        row,
        (
            "demo.generate.delivery_report.create",
            "orders.deliveryreport",
            str(row["id"]),
            label,
            writer.snapshot("delivery", row),
            unit_code,
        ),
    )


def _deviation(plan, writer, rng, order, unit_code, late: bool) -> None:
    reported = min((order["accepted_at"] or order["delivered_at"]) + 2 * HOUR, plan.now)
    age = (plan.now - reported) // DAY
    status = "closed" if age > 30 else ("answered" if rng.random() < 0.5 else "open")
    answered = min(reported + 2 * DAY, plan.now) if status != "open" else None
    kind = "missed_sla" if late else "complaint"
    row = {
        "id": writer.take_id("deviation"),
        "order_id": order["id"],
        "kind": kind,
        "description": (
            "Leveransen kom efter överenskommen tid."
            if late
            else COMPLAINTS[int(rng.random() * len(COMPLAINTS))]
        ),
        "status": status,
        "response": ANSWERS[int(rng.random() * len(ANSWERS))] if answered else "",
        "reported_by_id": order["orderer_id"],
        "reported_at": reported,
        "answered_by_id": (order["assigned_to_id"] or plan.handler()) if answered else None,
        "answered_at": answered,
        "closed_at": min(answered + 5 * DAY, plan.now) if status == "closed" else None,
    }
    label = f"{order['number']}: {writer.deviation_kinds[kind]}"
    writer.add(
        "deviation",
        row,
        (
            "demo.generate.deviation.create",
            "orders.deviation",
            str(row["id"]),
            label,
            writer.snapshot("deviation", row),
            unit_code,
        ),
    )


def _rating(plan, writer, rng, order, unit_code) -> None:
    score = SCORE_DRAW.draw(rng)
    row = {
        "id": writer.take_id("rating"),
        "order_id": order["id"],
        "score": score,
        "comment": RATING_COMMENTS[int(rng.random() * len(RATING_COMMENTS))],
        "rated_by_id": order["orderer_id"],
        "rated_at": min(order["accepted_at"] + 3 * HOUR, plan.now),
    }
    writer.add(
        "rating",
        row,
        (
            "demo.generate.rating.create",
            "orders.rating",
            str(row["id"]),
            f"{order['number']}: {score}",
            writer.snapshot("rating", row),
            unit_code,
        ),
    )
