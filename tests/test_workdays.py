"""Working days: weekends, Swedish public holidays and the holiday-like eves."""

from __future__ import annotations

import datetime

from hypothesis import given
from hypothesis import strategies as st

from ordna.core.workdays import (
    add_working_days,
    is_working_day,
    non_working_days,
    working_days_between,
)

D = datetime.date


def test_midsummer_christmas_and_new_year_eves_are_not_working_days():
    days = non_working_days(2026)
    assert days[D(2026, 6, 19)] == "Midsommarafton"
    assert days[D(2026, 12, 24)] == "Julafton"
    assert days[D(2026, 12, 31)] == "Nyårsafton"
    assert days[D(2026, 4, 3)] == "Långfredagen"
    assert is_working_day(D(2026, 11, 26))  # a Thursday
    assert not is_working_day(D(2026, 11, 28))  # a Saturday


def test_easter_moves_the_due_date_and_says_why():
    due = add_working_days(D(2026, 4, 2), 2)  # Thursday before Easter
    assert due.day == D(2026, 4, 8)
    named = dict(due.skipped)
    assert named[D(2026, 4, 3)] == "Långfredagen"
    assert named[D(2026, 4, 6)] == "Annandag påsk"
    assert "Långfredagen" in due.explanation()


def test_zero_days_is_the_next_working_day():
    assert add_working_days(D(2026, 11, 26), 0).day == D(2026, 11, 26)
    assert add_working_days(D(2026, 11, 28), 0).day == D(2026, 11, 30)


@given(st.dates(min_value=D(2024, 1, 1), max_value=D(2030, 12, 31)), st.integers(0, 60))
def test_due_dates_are_working_days_exactly_n_days_on(start, count):
    due = add_working_days(start, count)
    assert is_working_day(due.day)
    if count:
        assert working_days_between(start, due.day) == count
        assert due.day - start == datetime.timedelta(days=count + len(due.skipped))
