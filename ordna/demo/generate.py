"""Generated demo data at scale: reproducible volumes on top of the Borås demo.

`ordna generate --scale N [--seed S]` adds what a municipality the size of Borås collects
in N years (scale 1 ≈ one year, 10 ≈ ten years; fractions give less). Today that is
external customers (legal persons with valid organisation numbers and their units),
staff with their roles over the years, more services priced in the published list,
yearly driver values for the allocation keys, agreements for the generated customers,
and 100 000 orders a year with their quotes, delivery reports, deviations and ratings
(`generate_orders.py`). Later capabilities (invoices, ...) add their own volumes by
registering a generator:

    @generator("invoices")
    def _invoices(ctx: Context) -> dict[str, int]:
        orders = Order.objects.filter(state="accepted")  # read what exists
        rows = [Invoice(...) for _ in range(ctx.volume(12_000))]  # per scale-1 year
        ctx.create(Invoice, rows, action="demo.generate.invoice.create")
        return {"invoices": len(rows)}

Generators run in registration order. Each draws from its own random stream
(`ctx.random`, seeded with the seed and the generator's name), so adding a generator
never changes what the others produce, and dates are drawn as fractions of the period
so the same seed gives the same rows whatever day it runs (only the dates move along,
with what follows from them: which roles have ended by today).

Speed: rows are written with `bulk_create` in one transaction, never through the
per-row services. The audit trail stays complete all the same: `ctx.create` writes
one event per row (the row's snapshot as "after", source `cli`), chained in Python and
bulk-inserted, while the chain is locked as `audit.services.record` locks it. Tables of
millions of rows skip model instances altogether: `RawInserter` writes plain dicts with
multi-row INSERTs from a background thread (`Background`) while the next rows are
built, and `AuditWriter.add_raw` chains their events from one serialisation each.

Running twice: a `demo.generate.run` event marks each run with its scale, seed and the
generators that ran. A later run with the same scale and seed runs only generators
registered since (so today it changes nothing); a different scale or seed is refused,
because one database holds one generated data set. Start from a fresh database instead.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import operator
import random
import secrets
import time
import unicodedata
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import chain

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.management.color import no_style
from django.db import connection, transaction
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


# --- Raw inserts, for the tables that grow to millions of rows -----------------------------
_dumps_sorted = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode
_text = json.JSONEncoder(ensure_ascii=False).encode  # a str as JSON, as the chain writes it


def _json_datetime(value: datetime.datetime | int) -> str:
    """As DjangoJSONEncoder writes an aware time (milliseconds, "Z" for UTC)."""
    if type(value) is int:
        return _epoch_text(value, "T") + "Z"
    text = value.isoformat()
    if value.microsecond:
        text = text[:23] + text[26:]
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _sqlite_datetime(value: datetime.datetime | int) -> str:
    """As the SQLite backend stores an aware time: naive UTC text."""
    if type(value) is int:
        return _epoch_text(value, " ")
    if value.tzinfo is not datetime.UTC:
        value = value.astimezone(datetime.UTC)
    return value.replace(tzinfo=None).isoformat(" ")


def _postgresql_datetime(value: datetime.datetime | int) -> datetime.datetime:
    if type(value) is int:
        return datetime.datetime.fromtimestamp(value, datetime.UTC)
    return value


_DAYS: dict[int, str] = {}
_CLOCK: list[str] = []


def _epoch_text(seconds: int, separator: str) -> str:
    """A time given as whole seconds since 1970 (UTC), as ISO text without a zone: the
    generators' fast form for millions of times (a datetime's isoformat costs more)."""
    if not _CLOCK:
        _CLOCK.extend(f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86_400))
    day, second = divmod(seconds, 86_400)
    if day not in _DAYS:
        _DAYS[day] = (datetime.date(1970, 1, 1) + datetime.timedelta(days=day)).isoformat()
    return _DAYS[day] + separator + _CLOCK[second]


class RawInserter:
    """Inserts rows given as {attname: Python value} in batches of one prepared statement,
    without model instances: several times faster than bulk_create for the order tables.
    Dates, times and JSON go through the backend's own adapters (times as UTC), so the rows
    read back exactly as the ORM would have written them; a JSON value may also be given
    as its JSON text, and a time as whole seconds since 1970 (UTC), which is much faster
    to write out. With `with_id` the caller assigns primary keys (see `first_free_id`).

    `snapshot(row)` gives what `audit.services.snapshot` would for the saved row."""

    def __init__(self, model: type[Model], *, with_id: bool = True):
        self.model = model
        fields = [f for f in model._meta.concrete_fields if with_id or not f.primary_key]
        self.attnames = [f.attname for f in fields]
        self.pick = operator.itemgetter(*self.attnames)
        kinds = [f.get_internal_type() for f in fields]
        self.adapt = [
            (i, self._adapter(f)) for i, f in enumerate(fields) if self._adapter(f) is not None
        ]
        self.to_json = [
            (
                f.attname,
                kind,
                Decimal(1).scaleb(-f.decimal_places) if kind == "DecimalField" else None,
            )
            for f, kind in zip(fields, kinds, strict=True)
            if kind in ("DateField", "DateTimeField", "DecimalField")
        ]
        # SQLite allows 32 766 parameters per statement, PostgreSQL 65 535.
        self.rows_per_statement = max(1, min(BATCH_SIZE, 30_000 // len(fields)))
        self.statements: dict[int, str] = {}
        self.mark = "?" if connection.vendor == "sqlite" else "%s"  # the DB-API's own
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        self.sql = (
            f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({columns}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(fields))})"
        )

    @staticmethod
    def _adapter(field) -> Callable | None:
        kind = field.get_internal_type()
        if kind == "DateTimeField":
            return _sqlite_datetime if connection.vendor == "sqlite" else _postgresql_datetime
        if kind == "DateField" and connection.vendor == "sqlite":
            return datetime.date.isoformat
        if kind == "JSONField":
            return lambda v: v if isinstance(v, str) else field.get_db_prep_save(v, connection)
        return None

    def snapshot(self, row: dict) -> dict:
        """`row` must hold exactly the fields, in any order (a copy is cheaper than a
        pick; tests/test_generate_orders.py compares the result with `snapshot()`)."""
        data = dict(row)
        for name, kind, places in self.to_json:
            value = data[name]
            if value is not None:
                if kind == "DateTimeField":
                    data[name] = _json_datetime(value)
                elif kind == "DateField":
                    data[name] = value.isoformat()
                else:  # as the database gives it back: to the field's decimal places
                    data[name] = str(value.quantize(places))
        return data

    def insert(self, rows: list[dict]) -> None:
        pick, adapt = self.pick, self.adapt
        params = []
        for row in rows:
            values = list(pick(row))
            for index, adapter in adapt:
                if values[index] is not None:
                    values[index] = adapter(values[index])
            params.append(values)
        self.execute(params)

    def execute(self, params: list[list]) -> None:
        """Insert rows given as lists of database values, in the field order: in the
        background while `generate` runs (see `Background`), else at once."""
        if _background is not None:
            connection.ensure_connection()
            _background.submit(self._write, connection.connection, params)
        else:
            self._write(connection.connection, params)

    def _write(self, dbapi, params: list[list]) -> None:
        """Runs on the DB-API connection itself (with the backend's placeholders), which
        is the caller's connection and transaction even when run from another thread."""
        cursor = dbapi.cursor()
        try:
            for start in range(0, len(params), self.rows_per_statement):
                batch = params[start : start + self.rows_per_statement]
                cursor.execute(self._sql(len(batch)), list(chain.from_iterable(batch)))
        finally:
            cursor.close()

    def _sql(self, rows: int) -> str:
        """One INSERT of `rows` rows: the database writes them without holding the GIL,
        so the thread building the next rows is not held up row by row."""
        if rows not in self.statements:
            one = f"({', '.join([self.mark] * len(self.attnames))})"
            self.statements[rows] = (
                self.sql.split(" VALUES ")[0] + " VALUES " + ", ".join([one] * rows)
            )
        return self.statements[rows]


class Background:
    """One thread that runs the raw inserts, in the order given, while the generators
    build the next rows: SQLite and psycopg release the GIL while they write, so the two
    overlap on two cores. Same connection, same transaction; the main thread uses the
    database only after `drain()` (the ORM calls in `generate` and `AuditWriter` do)."""

    def __init__(self, depth: int = 3):
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ordna-generate")
        self.futures: deque = deque()
        self.depth = depth  # chunks in flight at most: bounds the memory held

    def submit(self, func, *args) -> None:
        while len(self.futures) >= self.depth:
            self.futures.popleft().result()  # re-raises the writer's error here
        self.futures.append(self.pool.submit(func, *args))

    def drain(self) -> None:
        while self.futures:
            self.futures.popleft().result()

    def close(self) -> None:
        """Wait for every write (even after an error: the transaction then rolls back
        with nothing left running on its connection)."""
        try:
            for future in self.futures:
                future.exception()
        finally:
            self.futures.clear()
            self.pool.shutdown(wait=True)


_background: Background | None = None


def drain() -> None:
    """Wait for the background inserts before using the database from this thread."""
    if _background is not None:
        _background.drain()


def first_free_id(model: type[Model]) -> int:
    """The primary key after the highest in use, for rows whose keys the generator
    assigns; `reset_sequences` afterwards makes PostgreSQL's sequence continue after them."""
    drain()
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    return last + 1


def reset_sequences(models: list[type[Model]]) -> None:
    drain()
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


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
        self.now_utc = now.astimezone(datetime.UTC)
        self.pending: list[AuditEvent] = []
        self.raw: list[dict] = []
        self.inserter = RawInserter(AuditEvent, with_id=False)
        # The constant parts of each raw event's canonical text (see add_raw).
        adapt = dict(self.inserter.adapt).get(self.inserter.attnames.index("occurred_at"))
        self._occurred = adapt(now) if adapt else now
        self._actor = ',"actor":"","actor_id":null,"after":'
        at = self.now_utc.isoformat(timespec="microseconds")
        self._at = ',"at":' + _text(at) + ',"before":null,"id":'
        self._reason = '","reason":' + _text(reason) + ',"repr":'
        self._source = ',"source":' + _text(SOURCE) + ',"type":'
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
        if self.raw:
            self.flush()
        event.hash = hash_of(event)
        self.prev_hash = event.hash
        self.pending.append(event)
        if len(self.pending) >= 10 * BATCH_SIZE:
            self.flush()

    def add_raw(
        self,
        *,
        action: str,
        object_type: str,
        object_id: str,
        object_repr: str,
        after: dict,
        unit_code: str = "",
    ) -> None:
        """Chain one event without a model instance (for millions of rows). `after` must
        already be what `snapshot()` gives (JSON types only). The hash is that of
        `audit.chain.event_hash`, built around one serialisation of `after`, which is
        also what is stored (tests/test_generate_orders.py holds the two equal)."""
        if self.pending:
            self.flush()
        repr_ = object_repr[:300]
        after_json = _dumps_sorted(after)
        digest = hashlib.sha256(
            (
                '{"action":'
                + _text(action)
                + self._actor
                + after_json
                + self._at
                + _text(object_id)
                + ',"prev":"'
                + self.prev_hash
                + self._reason
                + _text(repr_)
                + self._source
                + _text(object_type)
                + ',"unit":'
                + _text(unit_code)
                + "}"
            ).encode()
        ).hexdigest()
        self.raw.append(
            [
                self._occurred,
                None,
                "",
                unit_code,
                SOURCE,
                action,
                object_type,
                object_id,
                repr_,
                None,
                after_json,
                self.reason,
                self.prev_hash,
                digest,
            ]
        )
        self.prev_hash = digest
        if len(self.raw) >= 10 * BATCH_SIZE:
            self.flush()

    def flush(self) -> None:
        # Model instances first, then raw rows: each list is in chain order, and the two
        # are never filled at the same time (a generator uses one way or the other).
        if self.pending and self.raw:  # pragma: no cover - a programming error
            raise RuntimeError("flush() between add() and add_raw()")
        if self.pending:
            drain()
        AuditEvent.objects.bulk_create(self.pending, batch_size=BATCH_SIZE)
        self.written += len(self.pending)
        self.pending = []
        if self.raw:
            self.inserter.execute(self.raw)
            self.written += len(self.raw)
            self.raw = []


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
        drain()
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
    if connection.vendor == "sqlite":
        # Millions of rows with random keys (the audit hashes) in one transaction: a page
        # cache of 256 MB instead of 2 MB keeps most index pages in memory (this connection).
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size=-256000")
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
        global _background  # noqa: PLW0603 - one run at a time, on this thread
        _background = Background()
        try:
            for name in ran:
                drain()  # a generator reads what the ones before it wrote
                ctx.random = random.Random(f"{seed}/{name}")
                for key, count in GENERATORS[name](ctx).items():
                    created[key] = created.get(key, 0) + count
            audit.flush()
            drain()
        finally:
            try:
                _background.close()
            finally:
                _background = None
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
    if ran and connection.vendor == "postgresql":
        # Fresh statistics for the planner: without them a million new orders look like
        # a few hundred, and the order lists are planned as sorts instead of index walks.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
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


# --- Catalogue and agreements (issue 4) -----------------------------------------------------
# Per service area: what generated services are called and how they are priced.
SERVICE_KINDS = {
    "IT": (
        ["Licens", "Skrivare", "Mobiltelefon", "Videomöte", "Lagring", "Serverdrift"],
        ["subscription", "unit_price"],
    ),
    "LON": (["Lönekonsult", "Pensionsrådgivning", "Rehabstöd"], ["hourly", "unit_price"]),
    "EKONOMI": (["Bokslutsstöd", "Budgetstöd", "Inköpsstöd"], ["hourly"]),
    "KONTAKTCENTER": (["Telefonkö", "Chattsupport", "Tolkförmedling"], ["hourly", "unit_price"]),
    "FORDON": (["Elbil", "Lastbil", "Elcykel", "Minibuss", "Släpvagn"], ["unit_price"]),
    "ANLAGGNING": (["Beläggning", "Lekplats", "Dagvatten", "Belysning"], ["quote", "hourly"]),
    "GATA-PARK": (["Gräsklippning", "Trädvård", "Sopning", "Klotterborttagning"], ["hourly"]),
}
SERVICE_VARIANTS = ["bas", "plus", "dag", "kväll", "helg", "akut", "stor", "liten"]
UNITS_OF_MEASURE = {
    "subscription": "användare och månad",
    "unit_price": "styck",
    "hourly": "timme",
    "quote": "uppdrag",
}
# Keys whose driver an external customer also has (vehicles it leases, IT users it has).
CUSTOMER_KEYS = {"FORDON", "IT-ANVANDARE"}


GENERATED_INDEX = Decimal("2.50")
CENT = Decimal("0.01")


def _price_list():
    """The newest published price list (the generated next year's, once it exists)."""
    from ordna.catalogue.models import PriceList

    return (
        PriceList.objects.filter(status=PriceList.Status.PUBLISHED).order_by("-valid_from").first()
    )


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    return (Decimal(rng.randrange(low, high)) * 100).quantize(CENT)


def _new_service(ctx: Context, code: str, area) -> Model:
    from ordna.catalogue.models import Service

    rng = ctx.random
    words, models = SERVICE_KINDS[area.code]
    model = rng.choice(models)
    response, delivery = rng.randint(1, 3), rng.randint(3, 20)
    return Service(
        code=code,
        name=f"{rng.choice(words)}, {rng.choice(SERVICE_VARIANTS)}",
        area=area,
        unit_of_measure=UNITS_OF_MEASURE[model],
        price_model=model,
        obligation=Service.Obligation.OPTIONAL,
        account=str(rng.randrange(3460, 3500)),
        response_days_normal=response,
        delivery_days_normal=delivery,
        response_days_urgent=1,
        delivery_days_urgent=min(delivery, rng.randint(1, 3)),
        valid_from=ctx.day(),
    )


def _build_up(rng: random.Random, service) -> tuple:
    """(direct, overhead, capital, volume) for a new service's price."""
    if service.price_model == "quote":
        return Decimal("0.00"), Decimal("0.00"), Decimal("0.00"), Decimal("1.00")
    direct = _money(rng, 1_000, 50_000)
    overhead = (direct * Decimal(rng.randrange(8, 20)) / 100).quantize(CENT)
    capital = (direct * Decimal(rng.randrange(0, 30)) / 100).quantize(CENT)
    return direct, overhead, capital, Decimal(rng.randrange(50, 20_000)).quantize(CENT)


def _next_year_list(ctx: Context, current):
    """Next year's list, published: the current list's prices indexed by GENERATED_INDEX.
    None when next year already has a list or the current one runs on into it.

    A published list's prices are frozen in the database (core.frozen), so the list is
    inserted as a draft, priced, and then published."""
    from ordna.catalogue.models import PriceList

    year = current.year + 1
    first_day = datetime.date(year, 1, 1)
    if PriceList.objects.filter(year=year).exists():
        return None
    if current.valid_to is None or current.valid_to >= first_day:
        return None
    (price_list,) = ctx.create(
        PriceList,
        [
            PriceList(
                year=year,
                name=f"Prislista {year}",
                based_on=current,
                index_percent=GENERATED_INDEX,
                index_name="Genererat index",
                valid_from=first_day,
                valid_to=datetime.date(year, 12, 31),
            )
        ],
        action="demo.generate.price_list.create",
    )
    return price_list


def _publish(ctx: Context, price_list) -> None:
    from ordna.catalogue.models import PriceList

    price_list.status = PriceList.Status.PUBLISHED
    price_list.published_at = ctx.audit.now
    price_list.version += 1
    price_list.save(update_fields=["status", "published_at", "version"])
    with translation.override(settings.LANGUAGE_CODE):
        object_type, object_id, object_repr = object_label(price_list)
    ctx.audit.add(
        action="demo.generate.price_list.publish",
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        after=snapshot(price_list),
    )


@generator("services")
def _services(ctx: Context) -> dict[str, int]:
    """More services in the catalogue, and next year's published price list: the current
    list indexed, with the new services priced in it."""
    from ordna.catalogue.models import Price, Service, ServiceArea
    from ordna.catalogue.services import compute_unit_price
    from ordna.core.money import to_ore

    rng = ctx.random
    areas = {a.code: a for a in ServiceArea.objects.filter(code__in=SERVICE_KINDS)}
    if not areas:
        return {}
    taken = set(Service.objects.filter(code__startswith="GEN-").values_list("code", flat=True))
    services, n = [], 0
    for _i in range(ctx.volume(15)):
        n += 1
        while f"GEN-{n:04d}" in taken:
            n += 1
        services.append(_new_service(ctx, f"GEN-{n:04d}", areas[rng.choice(sorted(areas))]))
    ctx.create(Service, services, action="demo.generate.service.create")
    current = _price_list()
    price_list = _next_year_list(ctx, current) if current else None
    if price_list is None:
        return {"services": len(services)}
    factor = 1 + GENERATED_INDEX / 100
    costs = [
        (
            old.service,
            to_ore(old.direct_cost * factor),
            to_ore(old.overhead_cost * factor),
            to_ore(old.capital_cost * factor),
            old.volume,
        )
        for old in current.prices.select_related("service").order_by("service__code")
    ]
    costs += [(service, *_build_up(rng, service)) for service in services]
    prices = [
        Price(
            price_list=price_list,
            service=service,
            direct_cost=direct,
            overhead_cost=overhead,
            capital_cost=capital,
            volume=volume,
            unit_price=None
            if service.price_model == "quote"
            else compute_unit_price(direct, overhead, capital, volume),
        )
        for service, direct, overhead, capital, volume in costs
    ]
    ctx.create(Price, prices, action="demo.generate.price.create")
    _publish(ctx, price_list)
    return {"services": len(services), "price_lists": 1, "prices": len(prices)}


def _valid_in_year(unit: Unit, year: int) -> bool:
    return unit.valid_from.year <= year and (unit.valid_to is None or unit.valid_to.year >= year)


def _generated_customers() -> list[Unit]:
    return list(
        Unit.objects.filter(
            kind=Unit.Kind.EXTERNAL_CUSTOMER, code__regex=r"^EXT[0-9]{4}$"
        ).order_by("code")
    )


@generator("key_values")
def _key_values(ctx: Context) -> dict[str, int]:
    """A new version of each demo key's driver values for every year of the period and
    the next: the administrations' figures drawn around the demo's, and the generated
    customers' for the drivers a customer has (vehicles, IT users)."""
    from ordna.catalogue.models import AllocationKey, DriverValue, KeyValues
    from ordna.demo import catalogue as demo_catalogue

    rng = ctx.random
    keys = {
        k.code: k
        for k in AllocationKey.objects.filter(code__in=[c[0] for c in demo_catalogue.KEYS])
    }
    buyers = {
        u.code: u
        for u in Unit.objects.filter(code__in=demo_catalogue.BUYERS).order_by("valid_from")
    }
    customers = _generated_customers()
    numbers = {
        (key_id, year): number
        for key_id, year, number in KeyValues.objects.order_by("number").values_list(
            "key_id", "year", "number"
        )
    }
    sets, rows = [], []
    for code, _name, _driver, base in demo_catalogue.KEYS:
        key = keys.get(code)
        if key is None or key.method != AllocationKey.Method.PROPORTIONAL:
            continue
        # Next year's too: the values for next year's agreements come in the autumn.
        for year in range(ctx.start.year, ctx.end.year + 2):
            values = KeyValues(
                key=key,
                year=year,
                number=numbers.get((key.pk, year), 0) + 1,
                created_at=ctx.audit.now,
                source="Genererade värden",
            )
            sets.append(values)
            for unit_code, value in zip(demo_catalogue.BUYERS, base, strict=True):
                if value and unit_code in buyers:
                    drawn = max(1, round(value * rng.uniform(0.85, 1.15)))
                    rows.append(DriverValue(values=values, unit=buyers[unit_code], value=drawn))
            if code in CUSTOMER_KEYS:
                rows += [
                    DriverValue(values=values, unit=unit, value=rng.randint(1, 40))
                    for unit in customers
                    if _valid_in_year(unit, year)
                ]
    ctx.create(KeyValues, sets, action="demo.generate.key_values.create")
    ctx.create(
        DriverValue,
        rows,
        action="demo.generate.driver_value.create",
        unit_code=lambda row: row.unit.code,
    )
    return {"key_values": len(sets), "driver_values": len(rows)}


def _take_numbers(series: str, year: int, count: int) -> int:
    """Reserve `count` numbers in a series at once; returns the first."""
    from ordna.core.models import NumberSeries

    row, _created = NumberSeries.objects.select_for_update().get_or_create(series=series, year=year)
    first = row.last + 1
    row.last += count
    row.save(update_fields=["last"])
    return first


def _line_snapshot(line) -> dict:
    """A line as agreements.services.lines_snapshot freezes it in a round."""
    from ordna.agreements.models import yearly_amount

    return {
        "service": line.service.code,
        "name": line.service.name,
        "price_model": line.price_model,
        "volume": str(line.volume),
        "unit_price": None if line.unit_price is None else str(line.unit_price),
        "list_price": None if line.list_price is None else str(line.list_price),
        "allocation_key": "",
        "response_days": line.response_days,
        "delivery_days": line.delivery_days,
        "indicators": line.indicators,
        "yearly_amount": str(yearly_amount(line.price_model, line.volume, line.unit_price)),
    }


@generator("agreements")
def _agreements(ctx: Context) -> dict[str, int]:
    """Agreements for generated customers in the newest published list's year (next year
    once the services generator has published it), with lines from that list: drafts, and
    offers in negotiation (the provider's first proposal)."""
    from ordna.agreements.models import (
        Agreement,
        AgreementLine,
        AgreementVersion,
        NegotiationRound,
        Side,
    )
    from ordna.catalogue.models import Price, PriceModel

    rng = ctx.random
    price_list = _price_list()
    provider = Unit.objects.filter(code=PROVIDER).order_by("-valid_from").first()
    if price_list is None or provider is None:
        return {}
    year = price_list.year
    handler = User.objects.filter(username="sk.handlaggare").first()
    prices = list(
        Price.objects.filter(price_list=price_list)
        .exclude(service__price_model=PriceModel.FIXED)
        .select_related("service")
        .order_by("service__code")
    )
    customers = [
        u for u in _generated_customers() if _valid_in_year(u, year) and rng.random() < 0.8
    ]
    if not prices or not customers:
        return {}
    first = _take_numbers("agreement", year, len(customers))
    agreements, versions, lines, rounds = [], [], [], []
    for number, customer in enumerate(customers, first):
        start = max(datetime.date(year, 1, 1), customer.valid_from, price_list.valid_from)
        end = min(datetime.date(year, 12, 31), customer.valid_to or datetime.date(year, 12, 31))
        negotiating = rng.random() < 0.7
        agreement = Agreement(
            number=f"{year}-{number:03d}",
            year=year,
            title=f"Tjänsteavtal {year}",
            purchaser=customer,
            provider=provider,
            valid_from=start,
            valid_to=max(start, end),
            status=Agreement.Status.NEGOTIATION if negotiating else Agreement.Status.DRAFT,
            created_at=ctx.audit.now,
            version=2 if negotiating else 1,
        )
        version = AgreementVersion(
            agreement=agreement,
            number=1,
            price_list=price_list,
            valid_from=start,
            created_at=ctx.audit.now,
        )
        own = []
        for position, price in enumerate(
            rng.sample(prices, min(len(prices), rng.randint(1, 4))), 1
        ):
            negotiated = price.unit_price is not None and rng.random() < 0.2
            unit_price = (
                (price.unit_price * Decimal("0.95")).quantize(CENT)
                if negotiated
                else price.unit_price
            )
            own.append(
                AgreementLine(
                    version=version,
                    position=position,
                    service=price.service,
                    price_model=price.service.price_model,
                    volume=_line_volume(price.service, rng.randint(1, 200)),
                    unit_price=unit_price,
                    list_price=price.unit_price,
                    response_days=price.service.response_days_normal,
                    delivery_days=price.service.delivery_days_normal,
                )
            )
        agreements.append(agreement)
        versions.append(version)
        lines += own
        if negotiating:
            snapshot_lines = [_line_snapshot(line) for line in own]
            rounds.append(
                NegotiationRound(
                    version=version,
                    number=1,
                    side=Side.PROVIDER,
                    comment="Erbjudande enligt prislistan.",
                    lines=snapshot_lines,
                    total=sum((Decimal(x["yearly_amount"]) for x in snapshot_lines), Decimal(0)),
                    created_at=ctx.audit.now,
                    created_by=handler,
                )
            )
    ctx.create(Agreement, agreements, action="demo.generate.agreement.create")
    ctx.create(AgreementVersion, versions, action="demo.generate.agreement_version.create")
    ctx.create(AgreementLine, lines, action="demo.generate.agreement_line.create")
    ctx.create(NegotiationRound, rounds, action="demo.generate.negotiation_round.create")
    return {"agreements": len(agreements), "agreement_lines": len(lines)}


def totals() -> dict[str, int]:
    """Rows in the database now, for the command's summary."""
    from ordna.agreements.models import Agreement, AgreementLine
    from ordna.catalogue.models import DriverValue, Service
    from ordna.orders.models import DeliveryReport, Order

    return {
        "legal_persons": LegalPerson.objects.count(),
        "units": Unit.objects.count(),
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "services": Service.objects.count(),
        "driver_values": DriverValue.objects.count(),
        "agreements": Agreement.objects.count(),
        "agreement_lines": AgreementLine.objects.count(),
        "orders": Order.objects.count(),
        "delivery_reports": DeliveryReport.objects.count(),
        "audit_events": AuditEvent.objects.count(),
    }


def _line_volume(service, drawn: int) -> Decimal:
    """A fixed fee covers the whole year (volume 1); other lines take the drawn volume."""
    from ordna.catalogue.models import PriceModel

    return Decimal(1 if service.price_model == PriceModel.FIXED else drawn).quantize(CENT)


# Generators of later capabilities, in their own modules; importing registers them.
from ordna.demo import generate_orders  # noqa: E402, F401
