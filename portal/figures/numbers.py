"""Arithmetic the figures share: percentiles, and time in a team's working hours.

Working hours come from ``portal.messaging.hours`` (each team's days, opening times and the
bank holidays of England): the same rules that set a thread's reply-by time.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

from portal.clock import as_utc
from portal.messaging.hours import LONDON, TeamHours, due_after, working_time

__all__ = ["WorkingClock", "due_after", "percentile", "working_time"]


def percentile(values: Sequence[float], share: float) -> float | None:
    """The nearest-rank percentile (``share`` 0.5: the median, 0.9: the 90th): the smallest
    value with at least that share of the values at or below it. None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]



class WorkingClock:
    """``working_time`` and ``due_after`` for one team, remembered by day: the figures read one
    time per thread or referral, thousands of them, and most fall on the same few hundred days.
    Gives the same answers as the two functions above (tested against them)."""

    def __init__(self, hours: TeamHours, since: date) -> None:
        """``since``: the first day it will be asked about (earlier days are worked out the
        plain way)."""
        self.hours = hours
        self.origin = since
        self._before: dict[date, float] = {since: 0.0}  # working seconds from ``since`` to day
        self._last = since
        self._due: dict[tuple[date, int], datetime] = {}
        self._spans: dict[date, tuple[time, time] | None] = {}

    def _span(self, day: date) -> tuple[time, time] | None:
        if day not in self._spans:
            self._spans[day] = (self.hours.hours[day.weekday()]
                                if self.hours.is_working_day(day) else None)
        return self._spans[day]

    def _seconds_in(self, day: date, until: time | None = None) -> float:
        span = self._span(day)
        if span is None:
            return 0.0
        opens, closes = span
        end = closes if until is None else min(max(until, opens), closes)
        return (datetime.combine(day, end, LONDON).astimezone(UTC)
                - datetime.combine(day, opens, LONDON).astimezone(UTC)).total_seconds()

    def _cumulative(self, day: date) -> float:
        while self._last < day:
            self._before[self._last + timedelta(days=1)] = (
                self._before[self._last] + self._seconds_in(self._last))
            self._last += timedelta(days=1)
        return self._before[day]

    def _at(self, moment: datetime) -> float | None:
        local = as_utc(moment).astimezone(LONDON)
        if local.date() < self.origin:
            return None
        return self._cumulative(local.date()) + self._seconds_in(local.date(), local.time())

    def working_time(self, start: datetime, end: datetime) -> timedelta:
        first, last = self._at(start), self._at(end)
        if first is None or last is None:
            return working_time(self.hours, start, end)
        return timedelta(seconds=max(0.0, last - first))

    def due_after(self, working_days: int, start: datetime) -> datetime:
        local = as_utc(start).astimezone(LONDON)
        span = self._span(local.date())
        if not self.hours.hours:
            return due_after(self.hours, working_days, start)
        day = local.date()
        if span is None or local.time() >= span[1]:
            day += timedelta(days=1)
            while self._span(day) is None:
                day += timedelta(days=1)
        key = (day, working_days)
        if key not in self._due:
            opens = self.hours.hours[day.weekday()][0]
            self._due[key] = due_after(self.hours, working_days, datetime.combine(day, opens, LONDON))
        return self._due[key]
