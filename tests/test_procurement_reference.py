"""Issue 6, reference data: thresholds and limits as dated rows, the provisional EUR
conversion, and a need's estimated value (options and extensions counted as used)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ordna.procurement import assess, selectors
from ordna.procurement.models import Limit, Threshold
from ordna.procurement.reference import LIMITS, THRESHOLDS

D = datetime.date
pytestmark = pytest.mark.django_db


def test_the_shipped_rows_are_loaded():
    assert Threshold.objects.count() == len(THRESHOLDS)
    assert Limit.objects.count() == len(LIMITS)
    assert not Threshold.objects.filter(valid_from__year=2026, sek__isnull=False).exists()


@pytest.mark.parametrize(
    "law, category, day, sek, provisional",
    [
        ("LOU", "supplies_services", D(2025, 6, 1), 2_389_585, False),
        ("LOU", "works", D(2024, 1, 1), 59_880_179, False),
        ("LOU", "social_services", D(2025, 12, 31), 8_109_450, False),
        ("LUF", "supplies_services", D(2025, 6, 1), 4_789_982, False),
        # Derived at the 2024–2025 rate, not an official figure.
        ("LUF", "social_services", D(2025, 6, 1), 10_812_600, True),
        # 2026–2027: EUR known, SEK not: converted at ROUTE_EUR_SEK_RATE (10.8126).
        ("LOU", "supplies_services", D(2026, 1, 1), 2_335_522, True),
        ("LOU", "works", D(2027, 12, 31), 58_431_290, True),
        ("LUF", "supplies_services", D(2026, 11, 26), 4_671_043, True),
    ],
)
def test_threshold_in_force(law, category, day, sek, provisional):
    value = selectors.threshold(law, category, day)
    assert value.sek == Decimal(sek)
    assert value.provisional is provisional
    assert value.source


def test_the_rate_is_a_setting(settings):
    settings.ROUTE_EUR_SEK_RATE = "11.5"
    value = selectors.threshold("LOU", "supplies_services", D(2026, 5, 1))
    assert value.sek == Decimal(216_000 * 11.5) and value.rate == Decimal("11.5")


def test_no_threshold_outside_the_shipped_periods():
    with pytest.raises(selectors.NoReferenceData, match="2023-06-01"):
        selectors.threshold("LOU", "supplies_services", D(2023, 6, 1))
    with pytest.raises(selectors.NoReferenceData):
        selectors.direct_award_limit("LOU", "supplies_services", D(2022, 1, 31))


@pytest.mark.parametrize(
    "law, category, day, sek, provisional",
    [
        ("LOU", "supplies_services", D(2022, 2, 1), 700_000, False),
        ("LOU", "works", D(2026, 11, 26), 700_000, False),
        ("LUF", "supplies_services", D(2026, 11, 26), 1_200_000, False),
        # Social and other specific services: the limit is that law's threshold.
        ("LOU", "social_services", D(2025, 3, 1), 8_109_450, False),
        ("LOU", "social_services", D(2026, 3, 1), 8_109_450, True),
        ("LUF", "social_services", D(2026, 3, 1), 10_812_600, True),
    ],
)
def test_direct_award_limit(law, category, day, sek, provisional):
    value = selectors.direct_award_limit(law, category, day)
    assert (value.sek, value.provisional) == (Decimal(sek), provisional)


def test_documentation_limit():
    assert selectors.documentation_limit("LOU", D(2026, 1, 1)).sek == Decimal(100_000)
    assert selectors.documentation_limit("LUF", D(2026, 1, 1)).sek == Decimal(100_000)


def test_categories_of_a_need():
    assert selectors.threshold_category("supplies") == "supplies_services"
    assert selectors.threshold_category("services") == "supplies_services"
    assert selectors.threshold_category("works") == "works"
    assert selectors.threshold_category("social_services") == "social_services"
    with pytest.raises(ValueError, match="unknown category"):
        selectors.threshold_category("food")


def _value(**need) -> Decimal:
    """A need's estimated value as the engine computes it (`assess.Need`)."""
    return assess.parse_need({"purchaser": "TF", "category": "services", **need}).estimated_value


def test_estimated_value_counts_extensions_as_used():
    # The brief's example: 50 000 SEK a year, 2 + 2 years.
    value = _value(annual_value_sek=50_000, contract_years=2, extension_years=2)
    assert value == Decimal(200_000)
    assert _value(one_off_value_sek="699999.50") == Decimal("699999.50")
    assert _value(one_off_value_sek=100, options_value_sek=50) == Decimal(150)


@pytest.mark.parametrize(
    "need, field",
    [
        ({}, "one_off_value_sek"),
        ({"one_off_value_sek": 1, "annual_value_sek": 1, "contract_years": 1}, "one_off_value_sek"),
        ({"one_off_value_sek": -1}, "one_off_value_sek"),
        ({"annual_value_sek": -1, "contract_years": 1}, "annual_value_sek"),
        ({"annual_value_sek": 100, "contract_years": 0}, "contract_years"),
        ({"annual_value_sek": 100, "contract_years": 1, "extension_years": -1}, "extension_years"),
    ],
)
def test_estimated_value_refuses_what_cannot_be_a_value(need, field):
    with pytest.raises(assess.NeedError) as refused:
        _value(**need)
    assert refused.value.field == field


@given(
    annual=st.decimals(min_value=0, max_value=10**9, places=2),
    years=st.integers(min_value=1, max_value=10),
    extensions=st.integers(min_value=0, max_value=10),
)
def test_estimated_value_is_the_whole_term(annual, years, extensions):
    value = _value(annual_value_sek=str(annual), contract_years=years, extension_years=extensions)
    assert value == annual * (years + extensions)
    assert value >= _value(annual_value_sek=str(annual), contract_years=years)
