"""Carer referral contact targets: working days skip weekends and England and Wales bank
holidays, across the year end."""

from __future__ import annotations

from datetime import date

import pytest

from portal.carers.targets import (
    add_working_days,
    first_working_day,
    is_working_day,
    working_days_between,
)


@pytest.mark.parametrize(("day", "working"), [
    (date(2026, 12, 4), True),    # a Friday
    (date(2026, 12, 5), False),   # Saturday
    (date(2026, 12, 6), False),   # Sunday
    (date(2026, 12, 25), False),  # Christmas Day (Friday)
    (date(2026, 12, 28), False),  # Boxing Day's substitute (Boxing Day is a Saturday)
    (date(2027, 1, 1), False),    # New Year's Day
    (date(2026, 5, 25), False),   # spring bank holiday
    (date(2026, 8, 31), False),   # summer bank holiday (England and Wales, not Scotland)
    (date(2026, 8, 3), True),     # Scotland's summer bank holiday is a working day here
])
def test_working_days_are_weekdays_that_are_not_bank_holidays(day, working):
    assert is_working_day(day) is working


def test_five_working_days_from_a_monday_is_the_next_monday():
    assert add_working_days(date(2026, 12, 7), 5) == date(2026, 12, 14)


def test_counting_from_a_weekend_starts_on_monday():
    assert first_working_day(date(2026, 12, 5)) == date(2026, 12, 7)
    assert add_working_days(date(2026, 12, 5), 0) == date(2026, 12, 7)
    assert add_working_days(date(2026, 12, 5), 1) == date(2026, 12, 8)


def test_same_working_day_target_on_a_working_day_is_that_day():
    assert add_working_days(date(2026, 12, 9), 0) == date(2026, 12, 9)


def test_counting_over_the_year_end_skips_christmas_and_new_year():
    # Wed 23 Dec 2026 + 5: Thu 24, Tue 29, Wed 30, Thu 31, Mon 4 Jan (25, 28 Dec, 1 Jan off)
    assert add_working_days(date(2026, 12, 23), 5) == date(2027, 1, 4)
    # Sent on Christmas Day: counting starts on Tuesday 29 December.
    assert add_working_days(date(2026, 12, 25), 0) == date(2026, 12, 29)


def test_counting_over_easter_skips_good_friday_and_easter_monday():
    assert add_working_days(date(2027, 3, 25), 1) == date(2027, 3, 30)


def test_working_days_waited_count_only_working_days():
    assert working_days_between(date(2026, 12, 4), date(2026, 12, 7)) == 1  # Fri -> Mon
    assert working_days_between(date(2026, 12, 23), date(2027, 1, 4)) == 5
    assert working_days_between(date(2026, 12, 9), date(2026, 12, 9)) == 0
    assert working_days_between(date(2026, 12, 9), date(2026, 12, 1)) == 0
