"""Each team's promise, working hours and bank holidays, from ``data/teams.json``."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import holidays
from flask import current_app, has_app_context

TEAMS_FILE = Path(__file__).parent / "data" / "teams.json"
LONDON = ZoneInfo("Europe/London")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class TeamHours:
    reply_working_days: int
    hours: dict[int, tuple[time, time]]  # weekday -> (opens, closes)
    out_of_hours_number: str

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.hours and not is_bank_holiday(day)

    def is_open(self, at: datetime) -> bool:
        local = at.astimezone(LONDON)
        if not self.is_working_day(local.date()):
            return False
        opens, closes = self.hours[local.weekday()]
        return opens <= local.time() < closes

    def next_open(self, at: datetime) -> datetime:
        """When the team is next in (``at`` itself when open now), as a local time."""
        local = at.astimezone(LONDON)
        if self.is_open(at):
            return local
        day = local.date()
        for _ in range(30):
            if self.is_working_day(day):
                opens, _closes = self.hours[day.weekday()]
                start = datetime.combine(day, opens, LONDON)
                if start > local:
                    return start
            day += timedelta(days=1)
        return local  # no working hours configured at all

    def reply_due(self, sent: datetime) -> datetime:
        """The end of the N-th working day after the one the message counts from."""
        start = self.next_open(sent).date()
        day, counted = start, 0
        while counted < self.reply_working_days:
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        _opens, closes = self.hours.get(day.weekday(), (time(0), time(23, 59)))
        return datetime.combine(day, closes, LONDON).astimezone(UTC)


@lru_cache(maxsize=8)
def _bank_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("GB", subdiv="ENG", years=year)


def is_bank_holiday(day: date) -> bool:
    """A bank holiday in England and Wales (the two share them), from the ``holidays``
    package's own data: no network, updated with the package."""
    return day in _bank_holidays(day.year)


@lru_cache(maxsize=2)
def _load(path: Path = TEAMS_FILE) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _parse(entry: dict[str, Any]) -> TeamHours:
    hours = {DAYS.index(day): (time.fromisoformat(span[0]), time.fromisoformat(span[1]))
             for day, span in entry.get("hours", {}).items()}
    return TeamHours(int(entry.get("reply_working_days", 2)), hours,
                     str(entry.get("out_of_hours_number", "")))


def working_time(hours: TeamHours, start: datetime, end: datetime) -> timedelta:
    """How much of the time from ``start`` to ``end`` the team was open (weekends, bank
    holidays and time outside opening hours do not count)."""
    first, last = _aware(start).astimezone(LONDON), _aware(end).astimezone(LONDON)
    total = timedelta(0)
    day = first.date()
    while day <= last.date():
        if hours.is_working_day(day):
            opens, closes = hours.hours[day.weekday()]
            begin = max(datetime.combine(day, opens, LONDON), first)
            finish = min(datetime.combine(day, closes, LONDON), last)
            if finish > begin:
                total += finish.astimezone(UTC) - begin.astimezone(UTC)
        day += timedelta(days=1)
    return total


def due_after(hours: TeamHours, working_days: int, start: datetime) -> datetime:
    """The end of the ``working_days``-th working day after the one ``start`` counts from (the
    messaging promise's rule, with another number of days)."""
    if hours.reply_working_days != working_days:
        hours = replace(hours, reply_working_days=working_days)
    return hours.reply_due(_aware(start))


# How far ``working_days_to`` looks (a year of working days and more).
MOST_WORKING_DAYS = 400


def working_days_to(hours: TeamHours, start: datetime, end: datetime) -> int:
    """The fewest working days ``n`` with ``end`` no later than ``due_after(hours, n, start)``:
    0 when ``end`` is by the close of the day ``start`` counts from, 1 by the close of the next
    working day, and so on (so "within n working days" is ``working_days_to(...) <= n``)."""
    if not hours.hours:
        return 0
    end = _aware(end)
    day = hours.next_open(_aware(start)).date()
    for counted in range(MOST_WORKING_DAYS + 1):
        _opens, closes = hours.hours.get(day.weekday(), (time(0), time(23, 59)))
        if end <= datetime.combine(day, closes, LONDON).astimezone(UTC):
            return counted
        day += timedelta(days=1)
        while not hours.is_working_day(day):
            day += timedelta(days=1)
    return MOST_WORKING_DAYS


def _aware(value: datetime) -> datetime:
    """Datetimes read back from SQLite are naive UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def local_text(value: datetime, pattern: str) -> str:
    """A time as people in the UK read it, in the reader's language (BST-aware)."""
    from babel.dates import format_datetime
    from flask_babel import get_locale

    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return format_datetime(aware, pattern, tzinfo=LONDON, locale=get_locale() or "en")


def team_hours(slug: str) -> TeamHours:
    """The team's promise and hours; the out-of-hours number is the portal's 24/7 number
    (``SINGLE_POINT_OF_ACCESS``) unless the team's entry names its own."""
    data = _load()
    hours = _parse(data.get(slug) or data["default"])
    if not hours.out_of_hours_number and has_app_context():
        hours = replace(hours, out_of_hours_number=current_app.config["SINGLE_POINT_OF_ACCESS"])
    return hours


def opening_times(hours: TeamHours) -> list[tuple[str, str, str]]:
    """(day, opens, closes) for each working weekday, in the reader's language."""
    from babel.dates import format_time, get_day_names
    from flask_babel import get_locale

    locale = get_locale() or "en"
    names = get_day_names("wide", locale=locale)
    return [(names[day], format_time(opens, "HH:mm", locale=locale),
             format_time(closes, "HH:mm", locale=locale))
            for day, (opens, closes) in sorted(hours.hours.items())]
