"""Generated demo data at scale: reproducible volumes on top of the Borås demo.

`ordna generate --scale N [--seed S]` adds what a municipality the size of Borås collects
in N years (scale 1 ≈ one year, 10 ≈ ten years; fractions give less). Today that is
external customers (legal persons with valid organisation numbers and their units) and
staff with their roles over the years. Later capabilities add their own volumes
(catalogue, agreements, orders, deliveries, invoices) by registering a generator here:

    @generator("orders")
    def _orders(ctx: Context) -> dict[str, int]:
        customers = list(Unit.objects.filter(kind="external_customer"))  # read what exists
        rows = [Order(...) for _ in range(ctx.volume(12_000))]  # per scale-1 year
        ctx.create(Order, rows, action="demo.generate.order.create")
        return {"orders": len(rows)}

Generators run in registration order. Each draws from its own random stream
(`ctx.random`, seeded with the seed and the generator's name), so adding a generator
never changes what the others produce, and dates are drawn as fractions of the period
so the same seed gives the same rows whatever day it runs (only the dates move along,
with what follows from them: which roles have ended by today).

Speed: rows are written with `bulk_create` in one transaction, never through the
per-row services. The audit trail stays complete all the same: `ctx.create` writes
one event per row (the row's snapshot as "after", source `cli`), chained in Python and
bulk-inserted, while the chain is locked as `audit.services.record` locks it.

Running twice: a `demo.generate.run` event marks each run with its scale, seed and the
generators that ran. A later run with the same scale and seed runs only generators
registered since (so today it changes nothing); a different scale or seed is refused,
because one database holds one generated data set. Start from a fresh database instead.
"""

from __future__ import annotations

import datetime
import random
import secrets
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import transaction
from django.db.models import Model
from django.utils import timezone, translation
from stdnum import luhn

from ordna.accounts.models import Membership, Role, User
from ordna.audit.chain import GENESIS, hash_of, normalise
from ordna.audit.models import AuditEvent
from ordna.audit.services import _lock_chain, object_label, snapshot
from ordna.demo import boras
from ordna.organisation.models import LegalPerson, Unit

DEFAULT_SEED = 1
DAYS_PER_YEAR = 365
BATCH_SIZE = 1000
RUN_ACTION = "demo.generate.run"
SOURCE = AuditEvent.Source.CLI

# What accounts.services records about a person: never the password.
USER_SNAPSHOT_FIELDS = [
    "id",
    "username",
    "first_name",
    "last_name",
    "email",
    "title",
    "phone",
    "is_active",
]


class GenerateConflict(Exception):
    """The database already holds generated data made with another scale or seed."""


# --- The audit trail, in bulk -------------------------------------------------------------
class AuditWriter:
    """Appends many events to the hash chain at once, in the order they were added.

    Same chain as `audit.services.record` (each hash covers the previous one), but the
    hashes are computed here and the events bulk-inserted. The caller holds the chain
    lock for the whole transaction, so nobody appends in between.
    """

    def __init__(self, *, reason: str, now: datetime.datetime):
        last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        self.prev_hash = last or GENESIS
        self.reason = reason
        self.now = now
        self.pending: list[AuditEvent] = []
        self.written = 0

    def add(
        self,
        *,
        action: str,
        object_type: str,
        object_id: str,
        object_repr: str,
        after: dict | None,
        unit_code: str = "",
    ) -> None:
        """Chain one event. `after` must be JSON-normalised already (snapshot() is)."""
        event = AuditEvent(
            occurred_at=self.now,
            actor_id=None,
            actor_username="",
            unit_code=unit_code,
            source=SOURCE,
            action=action,
            object_type=object_type or "",
            object_id=object_id,
            object_repr=object_repr[:300],
            before=None,
            after=after,
            reason=self.reason,
            prev_hash=self.prev_hash,
        )
        event.hash = hash_of(event)
        self.prev_hash = event.hash
        self.pending.append(event)
        if len(self.pending) >= 10 * BATCH_SIZE:
            self.flush()

    def flush(self) -> None:
        AuditEvent.objects.bulk_create(self.pending, batch_size=BATCH_SIZE)
        self.written += len(self.pending)
        self.pending = []


# --- The context every generator gets -----------------------------------------------------
@dataclass
class Context:
    """What a generator needs: its random stream, the period, the volume and the writer."""

    scale: float
    seed: int
    start: datetime.date
    end: datetime.date
    audit: AuditWriter
    random: random.Random = field(default_factory=random.Random)

    def volume(self, per_year: float) -> int:
        """How many of something that happens `per_year` times in a Borås year."""
        return max(1, round(per_year * self.scale))

    def day(self, earliest: datetime.date | None = None, latest: datetime.date | None = None):
        """A day in the period (optionally narrowed), drawn as a fraction so that the
        random stream does not depend on today's date."""
        first = max(self.start, earliest) if earliest else self.start
        last = min(self.end, latest) if latest else self.end
        span = max(0, (last - first).days)
        return first + datetime.timedelta(days=int(self.random.random() * (span + 1)))

    def create(
        self,
        model: type[Model],
        rows: list[Model],
        *,
        action: str,
        fields: list[str] | None = None,
        unit_code: Callable[[Model], str] | None = None,
    ) -> list[Model]:
        """Bulk-insert `rows` and write one audit event per row, with its snapshot."""
        created = model.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        # Labels in the municipality's language, as audit.services.record writes them.
        with translation.override(settings.LANGUAGE_CODE):
            for row in created:
                if row.pk is None:  # pragma: no cover - SQLite ≥ 3.35 and PostgreSQL do
                    raise RuntimeError("bulk_create did not return primary keys")
                object_type, object_id, object_repr = object_label(row)
                self.audit.add(
                    action=action,
                    object_type=object_type,
                    object_id=object_id,
                    object_repr=object_repr,
                    after=snapshot(row, fields),
                    unit_code=unit_code(row) if unit_code else "",
                )
        return created


Generator = Callable[[Context], dict[str, int]]
GENERATORS: dict[str, Generator] = {}


def generator(name: str) -> Callable[[Generator], Generator]:
    """Register a generator under `name`; generators run in registration order."""

    def register(func: Generator) -> Generator:
        if name in GENERATORS:
            raise ValueError(f"generator {name!r} is already registered")
        GENERATORS[name] = func
        return func

    return register


# --- Running ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Result:
    scale: float
    seed: int
    created: dict[str, int]
    ran: list[str]
    seconds: float


def _previous_runs() -> list[dict]:
    # The scale comes back as text (audit payloads hold no floats): read it with float().
    runs = AuditEvent.objects.filter(action=RUN_ACTION).order_by("id")
    return list(runs.values_list("after", flat=True))


def existing() -> tuple[float, int] | None:
    """The scale and seed this database was generated with, or None if it was not."""
    runs = _previous_runs()
    return (float(runs[0]["scale"]), int(runs[0]["seed"])) if runs else None


def _check_previous(runs: list[dict], scale: float, seed: int) -> set[str]:
    """Generators already run; refuse when the database was generated differently."""
    for run in runs:
        if float(run["scale"]) != float(scale) or int(run["seed"]) != int(seed):
            raise GenerateConflict(
                f"This database already holds data generated at scale {float(run['scale']):g} "
                f"with seed {run['seed']}; generate into a fresh database instead."
            )
    return {name for run in runs for name in run["generators"]}


def period(scale: float, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The years the data spreads over: `scale` years (at least one) up to today."""
    days = round(DAYS_PER_YEAR * max(1.0, float(scale)))
    return today - datetime.timedelta(days=days - 1), today


def generate(*, scale: float, seed: int = DEFAULT_SEED) -> Result:
    """Load the Borås demo if missing, then run every generator not yet run."""
    if not scale > 0:
        raise ValueError("scale must be greater than 0")
    scale = float(scale)
    started = time.monotonic()
    with transaction.atomic():
        _lock_chain()  # held to the commit: nobody appends to the chain meanwhile
        done = _check_previous(_previous_runs(), scale, seed)
        boras.load()  # idempotent; audited through the services, before our events
        start, end = period(scale, timezone.localdate())
        audit = AuditWriter(
            reason=f"Generated demo data (scale {scale:g}, seed {seed})", now=timezone.now()
        )
        ctx = Context(scale=scale, seed=seed, start=start, end=end, audit=audit)
        created: dict[str, int] = {}
        ran = [name for name in GENERATORS if name not in done]
        for name in ran:
            ctx.random = random.Random(f"{seed}/{name}")
            for key, count in GENERATORS[name](ctx).items():
                created[key] = created.get(key, 0) + count
        if ran:
            audit.add(
                action=RUN_ACTION,
                object_type="demo.generate",
                object_id=str(seed),
                object_repr=f"scale {scale:g}, seed {seed}",
                after=normalise(
                    {"scale": scale, "seed": seed, "generators": ran, "created": created}
                ),
            )
        audit.flush()
        created["audit_events"] = audit.written
    return Result(scale, seed, created, ran, time.monotonic() - started)


# --- Names --------------------------------------------------------------------------------
def _words(text: str) -> list[str]:
    return text.split()


FIRST_NAMES = _words(
    "Anna Maria Eva Karin Sara Lena Emma Kristina Elin Johanna Malin Linnea Ida Sofia Maja "
    "Hanna Camilla Frida Helena Ingrid Elsa Astrid Ebba Klara Agnes Tove Moa Wilma Lovisa "
    "Erik Lars Karl Anders Johan Per Nils Mikael Jan Lennart Oskar Lucas William Hugo Axel "
    "Gustav Olof Mattias Henrik Fredrik Magnus Jonas Viktor Emil Ali Amir Mohammed Elias "
    "Noah"
)
LAST_NAMES = _words(
    "Andersson Johansson Karlsson Nilsson Eriksson Larsson Olsson Persson Svensson "
    "Gustafsson Pettersson Jonsson Jansson Hansson Bengtsson Jönsson Lindberg Jakobsson "
    "Magnusson Lindström Olofsson Lindqvist Lindgren Berg Axelsson Bergström Lundberg "
    "Lundgren Lind Mattsson Berglund Fredriksson Sandberg Henriksson Forsberg Sjöberg "
    "Wallin Engström Danielsson Håkansson Eklund Lundin Björk Bergman Holm Samuelsson "
    "Fransson Wikström Isaksson Ahmed Ali Hassan Nyström Ström Åberg Öberg Hedlund"
)
PLACES = _words(
    "Borås Ulricehamns Viskadalens Sjuhärads Marks Bollebygds Tranemo Svenljunga "
    "Herrljunga Vårgårda Fristads Sandareds Dalsjöfors Viskafors Kinna Älvsborgs Toarps "
    "Brämhults Sätila Hökerums Gånghesters Rydboholms Hyssna Äspereds"
)
TRADES = _words(
    "Bygg Fastigheter Städ Transport El VVS Måleri Konsult Bostäder Energi Trädgård Data "
    "Catering Textil Logistik Mark Plåt Glas Ventilation Tryckeri Maskin Vård Kontor Smide"
)

ADMINISTRATIONS = ["TF", "LF", "FFF", "FSF", "GSF", "VAF", "SLK"]
# Bigger administrations order more: weights roughly follow their staff numbers.
ADMINISTRATION_WEIGHTS = [4, 2, 2, 5, 6, 7, 1]
PROVIDER = "SK"
ROLE_WEIGHTS = [
    (Role.PROVIDER_STAFF, 35),
    (Role.ORDERER, 45),
    (Role.PURCHASER_REPRESENTATIVE, 10),
    (Role.FORUM_MEMBER, 10),
]
TITLES = {
    Role.PROVIDER_STAFF: [
        "Handläggare",
        "Fastighetstekniker",
        "Lokalvårdare",
        "IT-tekniker",
        "Kock",
        "Fordonstekniker",
        "Inköpare",
        "Ekonomiassistent",
    ],
    Role.ORDERER: ["Beställare", "Enhetschef", "Rektor", "Förskolechef", "Verksamhetschef"],
    Role.PURCHASER_REPRESENTATIVE: ["Beställarombud", "Controller", "Ekonom"],
    Role.FORUM_MEMBER: ["Verksamhetsutvecklare", "Verksamhetsstrateg", "Samordnare"],
}


def ascii_fold(text: str) -> str:
    """“Åsa Öberg” → “asa oberg”, for e-mail addresses."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if c.isascii() and (c.isalnum() or c in ".-"))


def org_number(rng: random.Random, taken: set[str]) -> str:
    """A valid, unused aktiebolag number: 556NNN-NNNC or 559NNN-NNNC, C the Luhn digit."""
    while True:
        body = rng.choice(["556", "559"]) + f"{rng.randrange(10**6):06d}"
        number = body + luhn.calc_check_digit(body)
        formatted = f"{number[:6]}-{number[6:]}"
        if formatted not in taken:
            taken.add(formatted)
            return formatted


def company_name(rng: random.Random, taken: set[str]) -> str:
    for _attempt in range(20):
        first = rng.choice(PLACES) if rng.random() < 0.6 else rng.choice(LAST_NAMES) + "s"
        name = f"{first} {rng.choice(TRADES)} AB"
        if name not in taken:
            break
    else:
        name = f"{name[:-3]} {len(taken) + 1} AB"
    taken.add(name)
    return name


# --- Today's generators -------------------------------------------------------------------
@generator("customers")
def _customers(ctx: Context) -> dict[str, int]:
    """External customers: a legal person (kind external) and its customer unit each."""
    rng = ctx.random
    numbers = set(LegalPerson.objects.values_list("org_number", flat=True))
    names = set(LegalPerson.objects.values_list("name", flat=True))
    codes = set(Unit.objects.filter(code__startswith="EXT").values_list("code", flat=True))
    people, units, n = [], [], 0
    for _i in range(ctx.volume(40)):
        n += 1
        while f"EXT{n:04d}" in codes:
            n += 1
        since = ctx.day()
        ended = ctx.day(since + datetime.timedelta(days=180)) if rng.random() < 0.1 else None
        person = LegalPerson(
            name=company_name(rng, names),
            org_number=org_number(rng, numbers),
            kind=LegalPerson.Kind.EXTERNAL,
            valid_from=since,
        )
        people.append(person)
        units.append(
            Unit(
                code=f"EXT{n:04d}",
                name=person.name,
                kind=Unit.Kind.EXTERNAL_CUSTOMER,
                legal_person=person,
                counterparty_code=str(rng.choice([81, 82, 83, 84, 85, 86, 86, 87, 87])),
                valid_from=since,
                valid_to=ended if ended and ended < ctx.end else None,
            )
        )
    ctx.create(LegalPerson, people, action="demo.generate.legal_person.create")
    ctx.create(Unit, units, action="demo.generate.unit.create")
    return {"legal_persons": len(people), "units": len(units)}


def _pick_place(rng: random.Random, role: str) -> str:
    if role == Role.PROVIDER_STAFF:
        return PROVIDER
    return rng.choices(ADMINISTRATIONS, ADMINISTRATION_WEIGHTS)[0]


Grant = tuple[str, Unit, datetime.date, datetime.date | None]  # role, unit, from, to


def _roles(ctx: Context, units: dict[str, Unit]) -> list[Grant]:
    """One or two roles for one person; a second role is often a move after the first."""
    rng = ctx.random
    roles, used = [], set()
    for index in range(1 if rng.random() < 0.65 else 2):
        while True:
            role = rng.choices([r for r, _w in ROLE_WEIGHTS], [w for _r, w in ROLE_WEIGHTS])[0]
            code = _pick_place(rng, role)
            if (role, code) not in used:
                break
        used.add((role, code))
        unit = units[code]
        previous_end = roles[-1][3] if index and roles[-1][3] else None
        if previous_end and previous_end < ctx.end:
            since = previous_end + datetime.timedelta(days=1)
        else:
            since = ctx.day(unit.valid_from)
        until = None
        if rng.random() < 0.3:
            until = since + datetime.timedelta(days=90 + int(rng.random() * 4 * DAYS_PER_YEAR))
            until = until if until < ctx.end else None
        roles.append((role, unit, since, until))
    return roles


@generator("people")
def _people(ctx: Context) -> dict[str, int]:
    """Staff at the purchasing administrations and at Servicekontoret, with their roles."""
    rng = ctx.random
    units = {
        u.code: u
        for u in Unit.objects.filter(code__in=[*ADMINISTRATIONS, PROVIDER]).order_by("valid_from")
    }
    taken = set(User.objects.filter(username__startswith="gen.").values_list("username", flat=True))
    tz = timezone.get_current_timezone()
    users, grants, n = [], [], 0
    for _i in range(ctx.volume(400)):
        n += 1
        while f"gen.{n:05d}" in taken:
            n += 1
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        roles = _roles(ctx, units)
        joined = datetime.datetime.combine(min(r[2] for r in roles), datetime.time(8), tzinfo=tz)
        user = User(
            username=f"gen.{n:05d}",
            first_name=first,
            last_name=last,
            email=f"{ascii_fold(first)}.{ascii_fold(last)}.{n}@gen.ordna.invalid",
            title=rng.choice(TITLES[roles[-1][0]]),
            phone=f"033-35 {rng.randrange(50, 80)} {rng.randrange(100):02d}",
            # Unusable, as set_unusable_password() makes it ("!" + random); nothing hashed.
            password=UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30),
            is_active=any(until is None for _r, _u, _s, until in roles),
            date_joined=joined,
        )
        users.append(user)
        grants.extend((user, *role) for role in roles)
    ctx.create(User, users, action="demo.generate.user.create", fields=USER_SNAPSHOT_FIELDS)
    memberships = [
        Membership(user=user, role=role, unit=unit, valid_from=since, valid_to=until)
        for user, role, unit, since, until in grants
    ]
    ctx.create(
        Membership,
        memberships,
        action="demo.generate.membership.create",
        unit_code=lambda m: m.unit.code,
    )
    return {"users": len(users), "memberships": len(memberships)}


def totals() -> dict[str, int]:
    """Rows in the database now, for the command's summary."""
    return {
        "legal_persons": LegalPerson.objects.count(),
        "units": Unit.objects.count(),
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "audit_events": AuditEvent.objects.count(),
    }
