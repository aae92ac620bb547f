"""Property tests: an allocation key shares any total exactly, to the öre, and a common
agreement's charges add up exactly per unit, per month and in total.

The examples hit the database, so each runs in a savepoint that is rolled back and the
example counts are modest. Rows are written directly (not through the services): what is
tested is the reading side, `catalogue.selectors.allocation` and
`agreements.selectors.charges`, over data the services would also accept.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ordna.agreements.models import Agreement, AgreementLine, AgreementVersion, yearly_amount
from ordna.agreements.selectors import charges
from ordna.catalogue.models import AllocationKey, DriverValue, KeyValues, PriceList, Service
from ordna.catalogue.selectors import allocation
from ordna.organisation.models import LegalPerson, Unit

ORE = Decimal("0.01")
YEAR = 2026
MAX_UNITS = 40
METHODS = [m.value for m in AllocationKey.Method]

SETTINGS = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


class _Rollback(Exception):
    pass


def rolled_back(check) -> None:
    """Run `check` in a savepoint and undo what it wrote (an assertion propagates)."""
    try:
        with transaction.atomic():
            check()
            raise _Rollback
    except _Rollback:
        pass


@pytest.fixture
def units(demo):
    """MAX_UNITS administrations to share among (the demo has fewer)."""
    kommun = LegalPerson.objects.get(org_number="212000-1561")
    rows = [
        Unit(
            code=f"PROP{i:02d}",
            name=f"Förvaltning {i}",
            kind=Unit.Kind.ADMINISTRATION,
            legal_person=kommun,
            valid_from=datetime.date(2020, 1, 1),
        )
        for i in range(MAX_UNITS)
    ]
    return Unit.objects.bulk_create(rows)


# --- Strategies ---------------------------------------------------------------------------------
driver_value = st.integers(min_value=0, max_value=10**13).map(lambda n: Decimal(n) / 10_000)

totals = st.one_of(
    st.sampled_from(["0.01", "-0.01", "0.00", "10000000000.00", "-10000000000.00", "1.00"]).map(
        Decimal
    ),
    st.integers(min_value=-(10**12), max_value=10**12).map(lambda n: Decimal(n) / 100),
)


@st.composite
def percentages(draw, n: int) -> list[Decimal]:
    """n whole percentages that sum to 100 (some may be 0)."""
    cuts = sorted(draw(st.lists(st.integers(0, 100), min_size=n - 1, max_size=n - 1)))
    edges = [0, *cuts, 100]
    return [Decimal(edges[i + 1] - edges[i]) for i in range(n)]


@st.composite
def keys(draw):
    """(method, driver values) for 1–40 units, not all zero where the method weighs."""
    method = draw(st.sampled_from(METHODS))
    n = draw(st.integers(min_value=1, max_value=MAX_UNITS))
    if method == AllocationKey.Method.PERCENT:
        values = draw(percentages(n))
    else:
        values = draw(st.lists(driver_value, min_size=n, max_size=n))
    if method != AllocationKey.Method.EVEN and not any(values):
        values[draw(st.integers(0, n - 1))] = Decimal(1)
    return method, values


def key_values(units, method, values, *, code="PROPKEY", year=YEAR) -> KeyValues:
    key = AllocationKey.objects.create(code=code, name=code, driver="custom", method=method)
    version = KeyValues.objects.create(key=key, year=year, number=1)
    DriverValue.objects.bulk_create(
        [
            DriverValue(values=version, unit=unit, value=value)
            for unit, value in zip(units, values, strict=False)
        ]
    )
    return version


def exact_share(total: Decimal, method: str, value: Decimal, values: list[Decimal]) -> Decimal:
    if method == AllocationKey.Method.EVEN:
        return total / len(values)
    return total * value / sum(values)


# --- Allocation ---------------------------------------------------------------------------------
@SETTINGS
@given(key=keys(), total=totals)
def test_allocation_sums_exactly_and_each_share_is_within_one_ore(units, key, total):
    method, values = key

    def check():
        version = key_values(units, method, values)
        shares = allocation(version, total)
        assert len(shares) == len(values)
        assert sum((s.amount for s in shares), Decimal("0.00")) == total
        by_unit = dict(zip(units, values, strict=False))
        for share in shares:
            assert share.amount == share.amount.quantize(ORE)  # whole öre
            exact = exact_share(total, method, by_unit[share.unit], values)
            assert abs(share.amount - exact) < ORE, (share.unit.code, share.amount, exact)
            # A unit never gets something of the other sign than the total.
            assert share.amount == 0 or (share.amount > 0) == (total > 0)

    rolled_back(check)


# --- Charges of a common agreement ------------------------------------------------------------
MODELS = ["fixed", "subscription", "unit_price", "hourly", "quote"]
amounts = st.integers(min_value=0, max_value=10**7).map(lambda n: Decimal(n) / 100)


@st.composite
def agreement_lines(draw):
    """Up to eight lines: price model, volume, price, and which key (or none) shares it."""
    count = draw(st.integers(min_value=0, max_value=8))
    return [
        {
            "price_model": draw(st.sampled_from(MODELS)),
            "volume": draw(amounts),
            "unit_price": draw(amounts),
            "key": draw(st.sampled_from([None, 0, 1, 2])),
            "frozen": draw(st.booleans()),
        }
        for _i in range(count)
    ]


@SETTINGS
@given(specs=agreement_lines(), drivers=st.lists(keys(), min_size=3, max_size=3))
def test_common_agreement_charges_add_up_per_unit_month_and_total(units, specs, drivers):
    def check():
        value_sets = [
            key_values(units, method, values, code=f"PROPKEY{i}")
            for i, (method, values) in enumerate(drivers)
        ]
        slk = Unit.objects.get(code="SLK")
        agreement = Agreement.objects.create(
            number="PROP-001",
            year=YEAR,
            kind=Agreement.Kind.COMMON,
            title="Gemensamt",
            purchaser=slk,
            provider=Unit.objects.get(code="SK"),
            valid_from=datetime.date(YEAR, 1, 1),
            valid_to=datetime.date(YEAR, 12, 31),
        )
        version = AgreementVersion.objects.create(
            agreement=agreement,
            number=1,
            price_list=PriceList.objects.filter(year=YEAR).first(),
            valid_from=agreement.valid_from,
        )
        services = list(Service.objects.order_by("code")[: len(specs)])
        assert len(services) >= len(specs)
        lines = []
        for position, (spec, service) in enumerate(zip(specs, services, strict=False), 1):
            chosen = value_sets[spec["key"]] if spec["key"] is not None else None
            lines.append(
                AgreementLine(
                    version=version,
                    position=position,
                    service=service,
                    price_model=spec["price_model"],
                    volume=spec["volume"],
                    unit_price=None if spec["price_model"] == "quote" else spec["unit_price"],
                    allocation_key=chosen.key if chosen else None,
                    key_values=chosen if chosen and spec["frozen"] else None,
                    response_days=1,
                    delivery_days=2,
                )
            )
        AgreementLine.objects.bulk_create(lines)

        result = charges(agreement, version)
        expected = sum(
            (yearly_amount(x.price_model, x.volume, x.unit_price) for x in lines), Decimal("0.00")
        )
        assert result.total == expected
        assert sum((row.yearly for row in result.units), Decimal("0.00")) == result.total
        assert result.sums_exactly
        for row in result.units:
            assert len(row.months) == 12
            assert sum(row.months, Decimal("0.00")) == row.yearly
            assert max(row.months) - min(row.months) <= ORE  # as even as öre allow
            assert sum(row.per_line.values(), Decimal("0.00")) == row.yearly
        for line in lines:
            per_unit = [row.per_line[line.pk] for row in result.units if line.pk in row.per_line]
            assert sum(per_unit, Decimal("0.00")) == line.yearly_amount

    rolled_back(check)
