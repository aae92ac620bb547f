"""Working days in Sweden: the clock every service level is counted on.

A working day is Monday to Friday that is not a Swedish public holiday (the `holidays`
package, in Swedish) nor one of the eves that Swedish workplaces treat as holidays:
midsommarafton, julafton and nyårsafton (our decision, written in docs/architecture.md;
most municipal collective agreements do the same).

`add_working_days` also says why a due date lies later than the same number of calendar
days would suggest: each weekend and holiday it stepped over, by name.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from functools import lru_cache

import holidays
from django.utils.translation import gettext as _


@lru_cache(maxsize=64)
def non_working_days(year: int) -> dict[datetime.date, str]:
    """Holidays and holiday-like eves of `year`, with their Swedish names."""
    days = dict(holidays.Sweden(years=year, include_sundays=False, language="sv").items())
    for day, name in list(days.items()):
        if name == "Midsommardagen":
            days.setdefault(day - datetime.timedelta(days=1), "Midsommarafton")
    days.setdefault(datetime.date(year, 12, 24), "Julafton")
    days.setdefault(datetime.date(year, 12, 31), "Nyårsafton")
    return days


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in non_working_days(day.year)


@dataclass
class Due:
    """A due date and the reasons it lies beyond the plain count of days."""

    day: datetime.date
    working_days: int
    skipped: list[tuple[datetime.date, str]] = field(default_factory=list)

    def explanation(self) -> str:
        if not self.skipped:
            return ""
        names = ", ".join(f"{name} {day.isoformat()}" for day, name in self.skipped)
        return _("Moved past days that are not working days: %(days)s.") % {"days": names}


def add_working_days(start: datetime.date, count: int) -> Due:
    """The day `count` working days after `start` (start itself not counted; 0 = start,
    or the next working day if start is not one), with the skipped days named."""
    day = start
    skipped: list[tuple[datetime.date, str]] = []

    def step_over(candidate: datetime.date) -> bool:
        if candidate.weekday() >= 5:
            name = _("Saturday") if candidate.weekday() == 5 else _("Sunday")
            skipped.append((candidate, name))
            return True
        holiday = non_working_days(candidate.year).get(candidate)
        if holiday:
            skipped.append((candidate, holiday))
            return True
        return False

    if count == 0:
        while step_over(day):
            day += datetime.timedelta(days=1)
        return Due(day, 0, skipped)
    remaining = count
    while remaining:
        day += datetime.timedelta(days=1)
        if not step_over(day):
            remaining -= 1
    return Due(day, count, skipped)


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after `start` up to and including `end` (0 if end <= start)."""
    count, day = 0, start
    while day < end:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count
