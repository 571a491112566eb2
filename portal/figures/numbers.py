"""Arithmetic the figures share: percentiles, and time in a team's working hours.

Working hours come from ``portal.messaging.hours`` (each team's days, opening times and the
bank holidays of England): the same rules that set a thread's reply-by time.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from portal.messaging.hours import LONDON, TeamHours


def percentile(values: Sequence[float], share: float) -> float | None:
    """The nearest-rank percentile (``share`` 0.5: the median, 0.9: the 90th): the smallest
    value with at least that share of the values at or below it. None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def aware(value: datetime) -> datetime:
    """Datetimes read back from SQLite are naive UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def working_time(hours: TeamHours, start: datetime, end: datetime) -> timedelta:
    """How much of the time from ``start`` to ``end`` the team was open (weekends, bank
    holidays and time outside opening hours do not count)."""
    first, last = aware(start).astimezone(LONDON), aware(end).astimezone(LONDON)
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
    return replace(hours, reply_working_days=working_days).reply_due(aware(start))
