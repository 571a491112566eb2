"""The schedule rules: times as typed, occurrences, next sessions, open at a moment."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from portal.directory import recurrence
from portal.directory.recurrence import LONDON, MONTHLY, WEEKLY, Rule, next_session, open_at
from portal.search import schedules


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=LONDON)


SATURDAY = Rule(freq=WEEKLY, days=(("SA", 0),), opens=time(10), closes=time(12))


@pytest.mark.parametrize(("typed", "expected"), [
    ("12.30pm", time(12, 30)), ("0930", time(9, 30)), ("9:30", time(9, 30)),
    ("9.30am", time(9, 30)), ("5pm", time(17)), ("17:00", time(17)), ("12 noon", time(12)),
    ("midnight", time(23, 59)), ("12am", time(0)), ("9", None), ("25:00", None),
    ("13pm", None), ("9:75", None), ("half past nine", None), ("", None),
])
def test_times_are_read_as_people_type_them(typed, expected):
    assert recurrence.parse_clock(typed) == expected


@pytest.mark.parametrize(("typed", "expected"), [
    ("5/12/2026", date(2026, 12, 5)), ("05-12-2026", date(2026, 12, 5)),
    ("2026-12-05", date(2026, 12, 5)), ("5 December 2026", date(2026, 12, 5)),
    ("5 Dec 2026", date(2026, 12, 5)), ("31/2/2027", None), ("next week", None),
])
def test_dates_are_read_as_people_type_them(typed, expected):
    assert recurrence.parse_day(typed) == expected


def test_next_session_crosses_the_end_of_a_month():
    assert next_session([SATURDAY], at(2026, 11, 30, 9)) == recurrence.Session(
        date(2026, 12, 5), time(10), time(12))


def test_next_session_today_until_it_has_finished():
    assert next_session([SATURDAY], at(2026, 12, 5, 11, 30)).day == date(2026, 12, 5)
    assert next_session([SATURDAY], at(2026, 12, 5, 12, 0)).day == date(2026, 12, 12)


def test_monthly_by_week_of_the_month():
    first = Rule(freq=MONTHLY, days=(("SA", 1),), opens=time(10), closes=time(12))
    second = Rule(freq=MONTHLY, days=(("SA", 2),), opens=time(10), closes=time(12))
    assert next_session([first], at(2026, 12, 6, 9)).day == date(2027, 1, 2)
    assert next_session([second], at(2026, 12, 6, 9)).day == date(2026, 12, 12)
    assert open_at([first], at(2026, 12, 5, 11)) and not open_at([second], at(2026, 12, 5, 11))


def test_last_saturday_on_boxing_day_is_closed_for_the_bank_holiday():
    last = Rule(freq=MONTHLY, days=(("SA", -1),), opens=time(10), closes=time(12))
    assert recurrence.is_bank_holiday(date(2026, 12, 26))
    assert next_session([last], at(2026, 12, 1, 9)).day == date(2027, 1, 30)


def test_bank_holiday_monday_is_skipped_unless_the_schedule_is_for_bank_holidays():
    monday = Rule(freq=WEEKLY, days=(("MO", 0),), opens=time(10), closes=time(12))
    holidays_only = Rule(freq=WEEKLY, days=(("MO", 0),), opens=time(10), closes=time(12),
                         bank_holidays_only=True)
    assert next_session([monday], at(2026, 12, 27, 9)).day == date(2027, 1, 4)
    assert next_session([holidays_only], at(2026, 12, 27, 9)).day == date(2026, 12, 28)


def test_fortnightly_runs_in_the_weeks_of_its_start_date():
    fortnightly = Rule(freq=WEEKLY, days=(("TU", 0),), interval=2, anchor=date(2026, 12, 1),
                       starts=date(2026, 12, 1), opens=time(18), closes=time(20))
    assert next_session([fortnightly], at(2026, 11, 20, 9)).day == date(2026, 12, 1)
    assert next_session([fortnightly], at(2026, 12, 2, 9)).day == date(2026, 12, 15)
    assert not open_at([fortnightly], at(2026, 12, 8, 19))
    assert open_at([fortnightly], at(2027, 1, 12, 19))


def test_a_closure_stops_every_session_and_the_next_is_after_it():
    christmas = Rule(closed=True, starts=date(2026, 12, 24), ends=date(2027, 1, 2))
    assert next_session([SATURDAY, christmas], at(2026, 12, 20, 9)).day == date(2027, 1, 9)
    assert not open_at([SATURDAY, christmas], at(2027, 1, 2, 11))


def test_seasonal_one_date_and_date_of_the_month():
    summer = Rule(freq=WEEKLY, days=(("SU", 0),), starts=date(2027, 4, 1),
                  ends=date(2027, 9, 30), opens=time(11), closes=time(15))
    once = Rule(anchor=date(2026, 12, 19), starts=date(2026, 12, 19), ends=date(2026, 12, 19),
                opens=time(15), closes=time(17))
    last_day = Rule(freq=MONTHLY, monthdays=(-1,), opens=time(9), closes=time(10))
    assert next_session([summer], at(2026, 12, 1, 9)).day == date(2027, 4, 4)
    assert next_session([summer], at(2027, 10, 1, 9)) is None
    assert next_session([once], at(2026, 12, 1, 9)).day == date(2026, 12, 19)
    assert next_session([once], at(2026, 12, 20, 9)) is None
    assert next_session([last_day], at(2027, 2, 1, 9)).day == date(2027, 2, 28)


RULES = [
    SATURDAY,
    Rule(freq=WEEKLY, days=(("TU", 0),), interval=2, anchor=date(2026, 12, 1),
         starts=date(2026, 12, 1), opens=time(18), closes=time(20)),
    Rule(freq=MONTHLY, days=(("SA", 2),), opens=time(14), closes=time(16)),
    Rule(freq=MONTHLY, monthdays=(15,), opens=time(9), closes=time(10)),
    Rule(anchor=date(2026, 12, 19), starts=date(2026, 12, 19), ends=date(2026, 12, 19),
         opens=time(15), closes=time(17)),
    Rule(closed=True, starts=date(2026, 12, 24), ends=date(2027, 1, 2)),
]


def test_search_tokens_answer_open_now_as_the_rules_do():
    slots = [schedules.Slot((), recurrence._minutes(r.opens), recurrence._minutes(r.closes),
                            r.bank_holidays_only, r) for r in RULES]
    tokens = schedules.open_tokens(slots)
    for day in range(1, 32):
        for hour in (9, 11, 14, 15, 18):
            moment = at(2026, 12, day, hour, 30)
            prefixes, minute = schedules.open_now_prefixes(moment)
            by_tokens = any(schedules.is_open_token(t, prefixes, minute) for t in tokens)
            assert by_tokens == open_at(RULES, moment), moment


def test_next_session_and_rules_in_words(app):
    with app.test_request_context():
        session = next_session([SATURDAY], at(2026, 11, 30, 9))
        assert recurrence.session_words(session, date(2026, 11, 30)) == (
            "Next: Saturday 5 December, 10am to 12 noon")
        assert recurrence.rule_words(RULES[2]) == "Second Saturday of the month, 2pm to 4pm"
        assert recurrence.rule_words(RULES[1]) == "Every other Tuesday, 6pm to 8pm"
        assert recurrence.rule_words(RULES[3]) == "Day 15 of every month, 9am to 10am"
