"""Opening times for search: which days, evenings, weekends, and "open now".

The rules are ``portal.directory.recurrence``'s, the same as the listing page's and the API's.
"Open now" is answered from the index, not by reading every schedule: each schedule is indexed
as one token per day it runs, carrying the whole rule (``open_tokens``: the day and hours, and
where needed every how many weeks from which date, the season, the one date, the service's
closures); a search decodes the (few hundred) distinct tokens and asks the rules whether they
are on at the current local time (``is_open_token``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from types import SimpleNamespace
from typing import Any

from portal.directory import recurrence
from portal.directory.recurrence import LONDON, Rule, is_bank_holiday, local_now

__all__ = ["LONDON", "is_bank_holiday", "local_now"]
DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WEEKEND = frozenset({"SA", "SU"})
EVENING_MINUTES = 17 * 60
_BYDAY = re.compile(r"^\s*([+-]?\d)?\s*(MO|TU|WE|TH|FR|SA|SU)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Slot:
    """One schedule as search needs it: days (with week-of-month for monthly ones) and times."""

    days: tuple[tuple[str, str], ...]  # (day code, week of month "" | "1".."5" | "L")
    opens: int | None  # minutes after midnight
    closes: int | None
    bank_holidays: bool = False
    rule: Rule = field(default_factory=Rule)


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
    return recurrence.is_bank_holiday_schedule(*texts)


def slot_of(row: Any) -> Slot:
    """A schedule (a ``Schedule`` or a query row with its columns) as search needs it."""
    rule = recurrence.rule_of(row)
    weekdays = recurrence.runs_on_weekday(rule)
    days: list[tuple[str, str]] = []
    for day, week in rule.days:
        days.append((day, "L" if week == -1 else str(week or "")))
    days += [(day, "") for day in DAY_CODES if day in weekdays and day not in {d for d, _ in days}]
    return Slot(tuple(dict.fromkeys(days)) if not rule.closed else (), _minutes(rule.opens),
                _minutes(rule.closes), rule.bank_holidays_only, rule)


def slot_from(freq: str | None, byday: str | None, week_of_month: int | None,
              opens_at: time | None, closes_at: time | None, *texts: str | None) -> Slot:
    return slot_of(SimpleNamespace(freq=freq, byday=byday, week_of_month=week_of_month,
                                   opens_at=opens_at, closes_at=closes_at,
                                   description=" ".join(t for t in texts if t)))


def _ymd(day: date | None, default: str) -> str:
    return day.strftime("%Y%m%d") if day else default


def _read_ymd(text: str) -> date | None:
    return None if text in ("", "0") else date(int(text[:4]), int(text[4:6]), int(text[6:8]))


def open_tokens(slots: Iterable[Slot]) -> list[str]:
    """Index tokens, one per day a schedule runs: "SA|0600|0720" (Saturdays, 10am to noon, in
    minutes), "SA1|..." (first Saturday of the month), "SAL|..." (last), "D15|..." (the 15th),
    "O20261205|..." (that date only); then, where they apply, "h" (bank holidays only),
    "i2@20261205" (every 2 weeks counted from that date), "f20260401"/"t20260930" (from/until)
    and "x20261224-20270102" (a closure of the service)."""
    slots = list(slots)
    closures = [f"x{_ymd(s.rule.starts, '0')}-{_ymd(s.rule.ends, '0')}"
                for s in slots if s.rule.closed]
    tokens: list[str] = []
    for slot in slots:
        rule = slot.rule
        if rule.closed or slot.opens is None or slot.closes is None or slot.closes <= slot.opens:
            continue
        hours = f"|{slot.opens:04d}|{slot.closes:04d}"
        extras = (["h"] if rule.bank_holidays_only else []) + (
            [f"i{rule.interval}@{_ymd(rule.anchor, '0')}"] if rule.interval > 1 else []) + (
            [f"f{_ymd(rule.starts, '0')}"] if rule.starts and rule.freq else []) + (
            [f"t{_ymd(rule.ends, '0')}"] if rule.ends and rule.freq else []) + closures
        tail = "".join(f"|{extra}" for extra in extras)
        if rule.freq is None:
            prefixes = [f"O{_ymd(rule.anchor, '0')}"] if rule.anchor else []
        else:
            prefixes = [day + ("L" if week == -1 else str(week or "")) for day, week in rule.days]
            prefixes += ["DL" if n == -1 else f"D{n}" for n in rule.monthdays]
        tokens.extend(prefix + hours + tail for prefix in prefixes)
    return list(dict.fromkeys(tokens))


_PREFIX = re.compile(r"^(?:(MO|TU|WE|TH|FR|SA|SU)([1-5L]?)|D(L|\d{1,2})|O(\d{8}))$")


def decode_token(token: str) -> list[Rule]:
    """The rule an ``open_tokens`` token carries, followed by the service's closures."""
    parts = token.split("|")
    match = _PREFIX.match(parts[0])
    if len(parts) < 3 or not match or not parts[1].isdigit() or not parts[2].isdigit():
        return []
    opens, closes = int(parts[1]), int(parts[2])
    values: dict[str, Any] = {
        "opens": time(opens // 60, opens % 60),
        "closes": time(23, 59) if closes >= 24 * 60 else time(closes // 60, closes % 60)}
    closures = []
    for extra in parts[3:]:
        kind, rest = extra[:1], extra[1:]
        if kind == "h":
            values["bank_holidays_only"] = True
        elif kind == "i":
            interval, _sep, since = rest.partition("@")
            values["interval"], values["anchor"] = int(interval), _read_ymd(since)
        elif kind == "f":
            values["starts"] = _read_ymd(rest)
        elif kind == "t":
            values["ends"] = _read_ymd(rest)
        elif kind == "x":
            start, _sep, end = rest.partition("-")
            closures.append(Rule(closed=True, starts=_read_ymd(start), ends=_read_ymd(end)))
    day, week, monthday, once = match.groups()
    if once:
        anchor = _read_ymd(once)
        rule = Rule(**{**values, "anchor": anchor, "starts": anchor, "ends": anchor})
    elif monthday:
        rule = Rule(freq=recurrence.MONTHLY, monthdays=(-1 if monthday == "L" else int(monthday),),
                    **values)
    elif week:
        rule = Rule(freq=recurrence.MONTHLY, days=((day, -1 if week == "L" else int(week)),),
                    **values)
    else:
        rule = Rule(freq=recurrence.WEEKLY, days=((day, 0),), **values)
    return [rule, *closures]


def is_evening(slot: Slot) -> bool:
    return (slot.closes or 0) > EVENING_MINUTES or (slot.opens or 0) >= EVENING_MINUTES


def is_weekend(slot: Slot) -> bool:
    return any(day in WEEKEND for day, _week in slot.days)


def open_now_prefixes(now: datetime | None = None) -> tuple[datetime, int]:
    """The moment (UK time) that ``is_open_token`` checks tokens against, and its minute."""
    moment = local_now(now)
    return moment, moment.hour * 60 + moment.minute


def is_open_token(token: str, moment: datetime, _minute: int = 0) -> bool:
    """Whether an ``open_tokens`` token's schedule is on at this moment, by the shared rules."""
    return recurrence.open_at(decode_token(token), moment)
