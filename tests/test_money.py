"""Money arithmetic: one rounding rule, and allocations exact to the öre (property-based)."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ordna.core.money import ORE, allocate, to_ore

amounts = st.decimals(
    min_value=Decimal("-1e9"),
    max_value=Decimal("1e9"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)
weights = st.lists(
    st.decimals(
        min_value=0, max_value=Decimal("1e6"), places=3, allow_nan=False, allow_infinity=False
    ),
    min_size=1,
    max_size=40,
).filter(lambda ws: sum(ws) > 0)


def test_to_ore_rounds_half_away_from_zero():
    assert to_ore("0.005") == Decimal("0.01")
    assert to_ore("-0.005") == Decimal("-0.01")
    assert to_ore("2.344") == Decimal("2.34")
    assert to_ore(3) == Decimal("3.00")
    with pytest.raises(TypeError):
        to_ore(0.1)


def test_allocation_of_a_known_case():
    # 100 kr over three equal units: 33.34 + 33.33 + 33.33, the extra öre to the first.
    assert allocate(Decimal("100"), {"TF": 1, "LF": 1, "FFF": 1}) == {
        "TF": Decimal("33.34"),
        "LF": Decimal("33.33"),
        "FFF": Decimal("33.33"),
    }


def test_allocation_by_driver_values():
    parts = allocate(Decimal("1000000.00"), {"TF": 120, "LF": 45, "SLK": 35})
    assert parts == {
        "TF": Decimal("600000.00"),
        "LF": Decimal("225000.00"),
        "SLK": Decimal("175000.00"),
    }


@pytest.mark.parametrize("bad", [{}, {"A": 0, "B": 0}, {"A": -1, "B": 2}])
def test_allocation_refuses_bad_weights(bad):
    with pytest.raises(ValueError):
        allocate(Decimal("10"), bad)


@settings(max_examples=300, deadline=None)
@given(total=amounts, ws=weights)
def test_parts_sum_to_the_total_exactly(total, ws):
    parts = allocate(total, list(enumerate(ws)))
    assert sum(parts.values(), Decimal(0)) == to_ore(total)
    assert all(part == part.quantize(ORE) for part in parts.values())


@settings(max_examples=300, deadline=None)
@given(total=amounts, ws=weights)
def test_each_part_is_within_one_ore_of_its_exact_share(total, ws):
    parts = allocate(total, list(enumerate(ws)))
    weight_sum = sum(ws)
    for i, w in enumerate(ws):
        exact = to_ore(total) * w / weight_sum
        assert abs(parts[i] - exact) < ORE


@settings(max_examples=200, deadline=None)
@given(total=amounts, ws=weights)
def test_zero_weight_gets_nothing_and_sign_follows_the_total(total, ws):
    parts = allocate(total, list(enumerate([*ws, Decimal(0)])))
    assert parts[len(ws)] == 0
    assert all((p >= 0) if total >= 0 else (p <= 0) for p in parts.values())
