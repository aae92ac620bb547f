"""Issue 6, koncernnytta: the group's cost each way is plain arithmetic in öre, proven by
properties; the fixed-cost share comes from the published price list."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ordna.procurement import groupbenefit
from ordna.procurement.groupbenefit import compare

ORE = Decimal("0.01")

# Amounts in öre up to a billion kronor; the share with two decimals, as stored.
amounts = st.integers(0, 100_000_000_000).map(lambda ore: Decimal(ore) / 100)
shares = st.integers(0, 10_000).map(lambda hundredths: Decimal(hundredths) / 100)


def _is_ore(value: Decimal) -> bool:
    return value == value.quantize(ORE)


@settings(max_examples=300, deadline=None)
@given(quote=amounts, share=shares, external=amounts, procurement=amounts)
def test_group_effect_is_purchaser_effect_plus_the_fixed_part(quote, share, external, procurement):
    result = compare(
        provider_quote=quote,
        fixed_cost_share=share,
        external_price=external,
        procurement_cost=procurement,
    )
    assert result.group_effect == result.purchaser_effect + result.fixed_part
    assert result.purchaser_internal == quote
    assert result.purchaser_external == result.group_external == external + procurement
    assert result.group_internal == quote - result.fixed_part
    assert result.purchaser_effect == external + procurement - quote
    expected_fixed = (quote * share / 100).quantize(ORE, rounding=ROUND_HALF_UP)
    assert result.fixed_part == expected_fixed
    assert 0 <= result.fixed_part <= quote
    for value in (
        result.purchaser_internal,
        result.purchaser_external,
        result.fixed_part,
        result.group_internal,
        result.group_external,
        result.group_effect,
        result.purchaser_effect,
    ):
        assert isinstance(value, Decimal) and _is_ore(value)


@settings(max_examples=200, deadline=None)
@given(
    quote=st.decimals(0, 10_000_000, places=4),
    share=st.decimals(0, 100, places=4),
    external=st.decimals(0, 10_000_000, places=4),
    procurement=st.decimals(0, 1_000_000, places=4),
)
def test_amounts_finer_than_ore_are_rounded_half_up(quote, share, external, procurement):
    result = compare(
        provider_quote=quote,
        fixed_cost_share=share,
        external_price=external,
        procurement_cost=procurement,
    )
    assert result.purchaser_internal == quote.quantize(ORE, rounding=ROUND_HALF_UP)
    assert result.group_external == (external + procurement).quantize(ORE, rounding=ROUND_HALF_UP)
    assert all(_is_ore(v) for v in (result.fixed_part, result.group_internal, result.group_effect))
    assert result.group_effect == result.purchaser_effect + result.fixed_part


@settings(max_examples=100, deadline=None)
@given(quote=amounts, external=amounts, procurement=amounts)
def test_share_zero_gives_the_purchasers_view(quote, external, procurement):
    result = compare(
        provider_quote=quote,
        fixed_cost_share=Decimal(0),
        external_price=external,
        procurement_cost=procurement,
    )
    assert result.fixed_part == 0
    assert result.group_internal == result.purchaser_internal
    assert result.group_effect == result.purchaser_effect


@settings(max_examples=100, deadline=None)
@given(quote=amounts, external=amounts, procurement=amounts)
def test_share_hundred_costs_the_group_nothing_internally(quote, external, procurement):
    result = compare(
        provider_quote=quote,
        fixed_cost_share=Decimal(100),
        external_price=external,
        procurement_cost=procurement,
    )
    assert result.fixed_part == quote
    assert result.group_internal == 0
    assert result.group_effect == result.group_external


def test_the_demo_comparison_in_figures():
    """395 000 quoted, 30 % fixed; 360 000 + 120 000 outside: the purchaser saves 85 000
    by ordering internally, the group 203 500."""
    result = compare(
        provider_quote=Decimal("395000"),
        fixed_cost_share=Decimal("30"),
        external_price=Decimal("360000"),
        procurement_cost=Decimal("120000"),
    )
    assert result.fixed_part == Decimal("118500.00")
    assert result.group_internal == Decimal("276500.00")
    assert result.purchaser_effect == Decimal("85000.00")
    assert result.group_effect == Decimal("203500.00")


@pytest.mark.parametrize(
    "field, value",
    [
        ("provider_quote", Decimal("-0.01")),
        ("external_price", Decimal("-1")),
        ("procurement_cost", Decimal("-100")),
    ],
)
def test_negative_amounts_are_refused(field, value):
    figures = {
        "provider_quote": Decimal("100"),
        "fixed_cost_share": Decimal("10"),
        "external_price": Decimal("100"),
        "procurement_cost": Decimal("10"),
        field: value,
    }
    with pytest.raises(ValueError, match="negative"):
        compare(**figures)


@given(
    share=st.one_of(
        st.decimals(max_value=Decimal("-0.01"), allow_nan=False, allow_infinity=False, places=2),
        st.decimals(min_value=Decimal("100.01"), allow_nan=False, allow_infinity=False, places=2),
    )
)
def test_a_share_outside_zero_to_hundred_is_refused(share):
    with pytest.raises(ValueError, match="0 to 100"):
        compare(
            provider_quote=Decimal("100"),
            fixed_cost_share=share,
            external_price=Decimal("100"),
            procurement_cost=Decimal("0"),
        )


# the share from the price list ----------------------------------------------------------


@pytest.mark.django_db
def test_fixed_cost_share_from_the_demo_price_list(demo):
    from ordna.catalogue.models import Price

    prices = list(
        Price.objects.filter(price_list__status="published")
        .select_related("service", "price_list")
        .order_by("service__code")
    )
    assert prices
    found = 0
    for price in prices:
        day = datetime.date(price.price_list.year, 6, 1)
        newest = (
            Price.objects.filter(
                service=price.service,
                price_list__status="published",
                price_list__year__lte=day.year,
            )
            .order_by("-price_list__year", "-price_list__valid_from")
            .select_related("price_list")
            .first()
        )
        result = groupbenefit.fixed_cost_share(price.service, day)
        if not newest.total_cost:
            assert result is None
            continue
        share, source = result
        expected = (newest.overhead_cost + newest.capital_cost) * 100 / newest.total_cost
        assert share == expected.quantize(ORE)
        assert Decimal(0) <= share <= Decimal(100)
        assert newest.price_list.name in source and price.service.code in source
        found += 1
    assert found
    # Before the first published list there is no share to give.
    first_year = min(p.price_list.year for p in prices)
    assert (
        groupbenefit.fixed_cost_share(prices[0].service, datetime.date(first_year - 1, 6, 1))
        is None
    )


@pytest.mark.django_db
def test_fixed_cost_share_of_it_workplaces(demo):
    """The service the demo's assessments name has a share strictly between 0 and 100,
    and that share feeds `compare` without loss."""
    from ordna.catalogue.models import Service

    service = Service.objects.filter(code="IT-ARBETSPLATS").order_by("-valid_from").first()
    share, _source = groupbenefit.fixed_cost_share(service, datetime.date(2026, 6, 1))
    assert Decimal(0) < share < Decimal(100)
    result = compare(
        provider_quote=Decimal("96000"),
        fixed_cost_share=share,
        external_price=Decimal("90000"),
        procurement_cost=Decimal("15000"),
    )
    assert result.group_effect - result.purchaser_effect == result.fixed_part
