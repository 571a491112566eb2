"""Opening times for search: which days, evenings, weekends, and "open now".

"Open now" is answered from the index, not by reading every schedule: each schedule is indexed
as one token per day it runs, naming the day and its hours (``open_tokens``); a search checks
the (few hundred) distinct tokens against the current local time (``is_open_token``). Times are UK local
time (Europe/London). Bank holidays in England count as closed unless a schedule says it is for
bank holidays (its description or notes mention "bank holiday" without "except"/"closed").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")
DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WEEKEND = frozenset({"SA", "SU"})
EVENING_MINUTES = 17 * 60
_BYDAY = re.compile(r"^\s*([+-]?\d)?\s*(MO|TU|WE|TH|FR|SA|SU)\s*$", re.IGNORECASE)
_BANK_HOLIDAY = re.compile(r"bank\s+holidays?", re.IGNORECASE)
_NOT_BANK_HOLIDAY = re.compile(r"(except|excluding|not|closed)[^.]{0,40}bank\s+holiday", re.IGNORECASE)


@dataclass(frozen=True)
class Slot:
    """One schedule as search needs it: days (with week-of-month for monthly ones) and times."""

    days: tuple[tuple[str, str], ...]  # (day code, week of month "" | "1".."5" | "L")
    opens: int | None  # minutes after midnight
    closes: int | None
    bank_holidays: bool = False


def _minutes(value: time | None) -> int | None:
    if value is None:
        return None
    minutes = value.hour * 60 + value.minute
    return 24 * 60 if minutes == 23 * 60 + 59 else minutes


def parse_days(byday: str | None, freq: str | None = None,
               week_of_month: int | None = None) -> tuple[tuple[str, str], ...]:
    """"MO,TH" -> (("MO", ""), ("TH", "")); monthly "1SA" or byday "SA" + week 1 -> (("SA", "1"),)."""
    result = []
    monthly = (freq or "").upper() == "MONTHLY"
    for part in (byday or "").split(","):
        match = _BYDAY.match(part)
        if not match:
            continue
        nth = match.group(1) or (str(week_of_month) if monthly and week_of_month else "")
        nth = nth.lstrip("+")
        week = "L" if nth.startswith("-") else nth if nth in {"1", "2", "3", "4", "5"} else ""
        result.append((match.group(2).upper(), week if monthly else ""))
    return tuple(dict.fromkeys(result))


def is_bank_holiday_schedule(*texts: str | None) -> bool:
    text = " ".join(t for t in texts if t)
    return bool(_BANK_HOLIDAY.search(text)) and not _NOT_BANK_HOLIDAY.search(text)


def slot_from(freq: str | None, byday: str | None, week_of_month: int | None,
              opens_at: time | None, closes_at: time | None, *texts: str | None) -> Slot:
    return Slot(parse_days(byday, freq, week_of_month), _minutes(opens_at), _minutes(closes_at),
                is_bank_holiday_schedule(*texts))


def open_tokens(slots: Iterable[Slot]) -> list[str]:
    """Index tokens, one per day a schedule runs: "SA|0600|0720" (Saturdays, 10am to noon, in
    minutes), "SA1|..." (first Saturday of the month), "SAL|..." (last), "BH|..." (bank holidays)."""
    tokens: list[str] = []
    for slot in slots:
        if slot.opens is None or slot.closes is None or slot.closes <= slot.opens:
            continue
        hours = f"|{slot.opens:04d}|{slot.closes:04d}"
        prefixes = ["BH"] if slot.bank_holidays else [day + week for day, week in slot.days]
        tokens.extend(prefix + hours for prefix in prefixes)
    return list(dict.fromkeys(tokens))


def is_evening(slot: Slot) -> bool:
    return (slot.closes or 0) > EVENING_MINUTES or (slot.opens or 0) >= EVENING_MINUTES


def is_weekend(slot: Slot) -> bool:
    return any(day in WEEKEND for day, _week in slot.days)


@lru_cache(maxsize=8)
def _england_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("GB", subdiv="ENG", years=year)


def is_bank_holiday(day: date) -> bool:
    return day in _england_holidays(day.year)


def local_now(now: datetime | None = None) -> datetime:
    """The time in the UK; ``now`` (aware, or naive UTC) lets callers and tests fix the clock."""
    if now is None:
        now = datetime.now(LONDON)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=ZoneInfo("UTC"))
    return now.astimezone(LONDON)


def open_now_prefixes(now: datetime | None = None) -> tuple[list[str], int]:
    """The day prefixes that apply at this moment, and the minute of the day (UK time)."""
    moment = local_now(now)
    minute = moment.hour * 60 + moment.minute
    if is_bank_holiday(moment.date()):
        return ["BH"], minute
    day = DAY_CODES[moment.weekday()]
    prefixes = [day, f"{day}{(moment.day - 1) // 7 + 1}"]
    if moment.day + 7 > _month_length(moment.date()):
        prefixes.append(f"{day}L")
    return prefixes, minute


def is_open_token(token: str, prefixes: list[str], minute: int) -> bool:
    """Whether an ``open_tokens`` token covers this minute on a day with these prefixes."""
    prefix, _sep, hours = token.partition("|")
    if prefix not in prefixes:
        return False
    opens, _sep, closes = hours.partition("|")
    return opens.isdigit() and closes.isdigit() and int(opens) <= minute < int(closes)


def _month_length(day: date) -> int:
    following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return (following - date(day.year, day.month, 1)).days
