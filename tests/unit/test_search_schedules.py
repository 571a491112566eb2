"""Opening times for search: index tokens, open now, bank holidays, evenings and weekends."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from portal.search import schedules

LONDON = ZoneInfo("Europe/London")


def slot(byday="SA", opens="10:00", closes="12:00", freq="WEEKLY", week=None, *texts):
    return schedules.slot_from(freq, byday, week, time.fromisoformat(opens) if opens else None,
                               time.fromisoformat(closes) if closes else None, *texts)


def is_open(tokens: list[str], moment: datetime) -> bool:
    prefixes, minute = schedules.open_now_prefixes(moment)
    return any(schedules.is_open_token(token, prefixes, minute) for token in tokens)


def test_parse_days_reads_weekly_and_monthly_rules():
    assert schedules.parse_days("MO, th,XX") == (("MO", ""), ("TH", ""))
    assert schedules.parse_days("1SA,-1FR", "MONTHLY") == (("SA", "1"), ("FR", "L"))
    assert schedules.parse_days("SA", "MONTHLY", 2) == (("SA", "2"),)
    assert schedules.parse_days("2SA", "WEEKLY") == (("SA", ""),)


def test_open_tokens_name_day_and_minutes():
    assert schedules.open_tokens([slot("SA,SU")]) == ["SA|0600|0720", "SU|0600|0720"]
    assert schedules.open_tokens([slot("SA", "00:00", "23:59")]) == ["SA|0000|1440"]
    assert schedules.open_tokens([slot("SA", None, None)]) == []


@pytest.mark.parametrize(("moment", "expected"), [
    (datetime(2026, 11, 21, 9, 59, tzinfo=LONDON), False),
    (datetime(2026, 11, 21, 10, 0, tzinfo=LONDON), True),
    (datetime(2026, 11, 21, 11, 59, tzinfo=LONDON), True),
    (datetime(2026, 11, 21, 12, 0, tzinfo=LONDON), False),
    (datetime(2026, 11, 22, 11, 0, tzinfo=LONDON), False),  # Sunday
    (datetime(2026, 7, 4, 9, 30, tzinfo=ZoneInfo("UTC")), True),  # 10:30 British Summer Time
])
def test_open_now_uses_uk_local_time(moment, expected):
    assert is_open(schedules.open_tokens([slot("SA")]), moment) is expected


def test_monthly_schedules_are_open_only_in_their_week():
    first = schedules.open_tokens([slot("SA", freq="MONTHLY", week=1)])
    last = schedules.open_tokens([slot("1SA,-1SA", freq="MONTHLY")])
    assert is_open(first, datetime(2026, 11, 7, 11, 0, tzinfo=LONDON))
    assert not is_open(first, datetime(2026, 11, 14, 11, 0, tzinfo=LONDON))
    assert is_open(last, datetime(2026, 11, 28, 11, 0, tzinfo=LONDON))
    assert not is_open(last, datetime(2026, 11, 21, 11, 0, tzinfo=LONDON))


def test_bank_holidays_are_closed_unless_a_schedule_is_for_them():
    boxing_day_observed = datetime(2026, 12, 28, 11, 0, tzinfo=LONDON)  # a Monday
    assert schedules.is_bank_holiday(boxing_day_observed.date())
    monday = schedules.open_tokens([slot("MO")])
    holidays_only = schedules.open_tokens([slot("MO", "10:00", "12:00", "WEEKLY", None,
                                                "Open bank holidays, 10am to noon.")])
    not_holidays = schedules.slot_from("WEEKLY", "MO", None, time(10), time(12),
                                       "Closed on bank holidays.")
    assert not is_open(monday, boxing_day_observed)
    assert is_open(holidays_only, boxing_day_observed)
    assert not is_open(schedules.open_tokens([not_holidays]), boxing_day_observed)
    assert not is_open(holidays_only, datetime(2026, 11, 23, 11, 0, tzinfo=LONDON))


def test_evening_and_weekend_flags():
    assert schedules.is_evening(slot("TU", "18:30", "20:30"))
    assert schedules.is_evening(slot("TU", "09:00", "17:30"))
    assert not schedules.is_evening(slot("TU", "09:00", "17:00"))
    assert schedules.is_weekend(slot("FR,SA")) and not schedules.is_weekend(slot("FR"))
