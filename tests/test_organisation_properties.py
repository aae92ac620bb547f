"""Property-based tests for the organisation rules and the effective-share computation.

The database properties build their data inside a savepoint and roll it back at the end
of every example, because Hypothesis runs many examples inside one test (and so inside
one function-scoped database transaction).
"""

from __future__ import annotations

import contextlib
import datetime
import re
from decimal import Decimal
from functools import reduce

import pytest
from django.db import transaction
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ordna.organisation import rules, selectors, services
from ordna.organisation.models import LegalPerson, Ownership
from ordna.organisation.selectors import Relation

PROPERTY = settings(deadline=None, max_examples=50, database=None)
# Examples that each build rows in the database: fewer, they cost a savepoint apiece.
DB_PROPERTY = settings(deadline=None, max_examples=15, database=None)
CENT = Decimal("0.01")
START = datetime.date(2020, 1, 1)
FORMATTED = re.compile(r"[0-9]{6}-[0-9]{4}")


def luhn_ok(digits: str) -> bool:
    """The Luhn check, written out independently of python-stdnum."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def luhn_complete(nine: str) -> str:
    return next(nine + str(c) for c in range(10) if luhn_ok(nine + str(c)))


nine_digits = st.text(alphabet="0123456789", min_size=9, max_size=9)
shares = st.decimals(min_value=CENT, max_value=Decimal(100), places=2)


# --- organisation numbers -----------------------------------------------------------------
def test_luhn_helper_agrees_with_known_numbers():
    for number in ["2120001561", "5563887867", "5565275996", "5560978602", "5561234567"]:
        assert luhn_ok(number)
    assert not luhn_ok("2120001562")
    assert luhn_complete("212000156") == "2120001561"


@PROPERTY
@given(nine=nine_digits)
def test_luhn_valid_number_formats_and_round_trips(nine):
    digits = luhn_complete(nine)
    formatted = rules.normalise_org_number(digits)
    assert formatted == f"{digits[:6]}-{digits[6:]}"
    assert FORMATTED.fullmatch(formatted)
    assert rules.normalise_org_number(formatted) == formatted
    assert rules.normalise_org_number(f" {digits[:6]} {digits[6:]} ") == formatted


@PROPERTY
@given(nine=nine_digits, other=st.integers(min_value=1, max_value=9))
def test_changing_the_check_digit_makes_the_number_invalid(nine, other):
    digits = luhn_complete(nine)
    wrong = digits[:9] + str((int(digits[9]) + other) % 10)
    with pytest.raises(ValueError):
        rules.normalise_org_number(wrong)
    with pytest.raises(ValueError):
        rules.normalise_org_number(f"{wrong[:6]}-{wrong[6:]}")


@PROPERTY
@given(digits=st.text(alphabet="0123456789", min_size=10, max_size=10))
def test_ten_digits_are_valid_exactly_when_luhn_holds(digits):
    try:
        formatted = rules.normalise_org_number(digits)
    except ValueError:
        assert not luhn_ok(digits)
    else:
        assert luhn_ok(digits)
        assert formatted.replace("-", "") == digits


@PROPERTY
@given(
    digits=st.text(alphabet="0123456789", min_size=0, max_size=14).filter(lambda s: len(s) != 10)
)
def test_wrong_length_is_invalid(digits):
    with pytest.raises(ValueError):
        rules.normalise_org_number(digits)


@PROPERTY
@given(value=st.text(max_size=20))
@example("212000-1561\n")
@example("２１２０００-１５６１")  # full-width digits
@example("212000-156١")  # an Arabic-Indic digit
def test_any_text_is_either_refused_or_a_clean_valid_number(value):
    try:
        formatted = rules.normalise_org_number(value)
    except ValueError:
        return
    assert FORMATTED.fullmatch(formatted), formatted
    assert luhn_ok(formatted.replace("-", ""))


# --- counterparty codes -------------------------------------------------------------------
EXPECTED_RANGES = {
    "municipality": set(range(1, 5)),
    "company": set(range(5, 8)),
    "external": set(range(81, 88)),
}


@PROPERTY
@given(n=st.integers(min_value=0, max_value=99), kind=st.sampled_from(sorted(EXPECTED_RANGES)))
def test_counterparty_allowed_exactly_in_the_kinds_range(n, kind):
    assert rules.counterparty_allowed(str(n), kind) is (n in EXPECTED_RANGES[kind])
    if n < 10:
        assert rules.counterparty_allowed(f"0{n}", kind) is (n in EXPECTED_RANGES[kind])


@PROPERTY
@given(kind=st.text(max_size=15))
def test_empty_counterparty_code_is_always_allowed(kind):
    assert rules.counterparty_allowed("", kind) is True


@PROPERTY
@given(
    code=st.text(alphabet="0123456789", min_size=1, max_size=2),
    kind=st.text(max_size=15).filter(lambda k: k not in EXPECTED_RANGES),
)
def test_unknown_legal_person_kind_allows_no_code(code, kind):
    assert rules.counterparty_allowed(code, kind) is False


@PROPERTY
@given(
    code=st.text(alphabet=st.characters(codec="ascii"), min_size=1, max_size=3),
    kind=st.sampled_from(sorted(EXPECTED_RANGES)),
)
def test_counterparty_allowed_never_accepts_non_digits(code, kind):
    result = rules.counterparty_allowed(code, kind)
    assert isinstance(result, bool)
    if result:
        assert code.isascii() and code.isdigit()
        assert int(code) in EXPECTED_RANGES[kind]


@pytest.mark.parametrize("code", ["²", "٣", "３"])
def test_counterparty_allowed_refuses_non_ascii_digits(code):
    assert rules.counterparty_allowed(code, "municipality") is False


def test_every_unit_kind_fits_exactly_one_legal_person_kind():
    """The kind check in legal_person_update relies on these sets being disjoint."""
    seen: dict[str, str] = {}
    for person_kind, unit_kinds in rules.UNIT_KINDS_BY_LEGAL_PERSON.items():
        for kind in unit_kinds:
            assert kind not in seen, (kind, seen[kind], person_kind)
            seen[kind] = person_kind
    assert set(seen) == set(rules.PARENT_KINDS)
    assert set(rules.UNIT_KINDS_BY_LEGAL_PERSON) == set(LegalPerson.Kind.values)


# --- effective share ----------------------------------------------------------------------
class _Rollback(Exception):
    pass


@contextlib.contextmanager
def rolled_back():
    """Run the body in a savepoint that is always rolled back."""
    with contextlib.suppress(_Rollback), transaction.atomic():
        yield
        raise _Rollback


def _people(n: int) -> list[LegalPerson]:
    return [
        services.legal_person_create(
            actor=None,
            name=f"Kedjebolag {i}",
            org_number=luhn_complete(f"99000{i:04d}"),
            kind=LegalPerson.Kind.COMPANY,
            valid_from=START,
        )
        for i in range(n)
    ]


def _own(owner, owned, share) -> Ownership:
    return services.ownership_create(
        actor=None, owner=owner, owned=owned, share_percent=share, valid_from=START
    )


@pytest.mark.django_db
@DB_PROPERTY
@given(chain=st.lists(shares, min_size=1, max_size=5))
def test_effective_share_along_a_chain_is_the_product(chain):
    with rolled_back():
        people = _people(len(chain) + 1)
        for (owner, owned), share in zip(zip(people, people[1:]), chain, strict=True):
            _own(owner, owned, share)
        first, last = people[0], people[-1]
        expected = (reduce(lambda acc, s: acc * s / 100, chain, Decimal(100))).quantize(CENT)
        result = selectors.effective_share(first, last)
        assert result == expected
        assert Decimal(0) <= result <= Decimal(100)
        assert result <= min(chain)
        relation = selectors.legal_relation(first, last)
        assert relation.share_percent == expected
        assert relation.direct is (len(chain) == 1)
        # Control passes down a chain of majorities, whatever the product of the shares.
        majority_chain = all(share > 50 for share in chain)
        assert relation.relation == (Relation.CONTROLLED if majority_chain else Relation.EXTERNAL)
        # Nothing flows backwards up the chain.
        assert selectors.effective_share(last, first) == Decimal("0.00")
    assert not LegalPerson.objects.filter(name__startswith="Kedjebolag").exists()


@pytest.mark.django_db
@DB_PROPERTY
@given(
    top=st.tuples(shares, shares),
    bottom=st.tuples(shares, shares).filter(lambda t: t[0] + t[1] <= 100),
)
def test_effective_share_adds_parallel_paths(top, bottom):
    """A owns B and C; B and C both own D: A's share of D is the sum over both paths."""
    with rolled_back():
        a, b, c, d = _people(4)
        _own(a, b, top[0])
        _own(a, c, top[1])
        _own(b, d, bottom[0])
        _own(c, d, bottom[1])
        expected = (top[0] * bottom[0] / 100 + top[1] * bottom[1] / 100).quantize(CENT)
        result = selectors.effective_share(a, d)
        assert result == expected
        assert result <= Decimal(100)
