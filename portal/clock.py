"""The one clock. Everything that asks "now" or "today" asks here, so tests move one clock
(``time_machine``) and every rule sees the same moment.

* ``utcnow()``: an aware UTC datetime, for timestamps stored in the database;
* ``local_now()``: the time in the UK (Europe/London), for opening hours;
* ``today()``: the date in the UK, for review dates, staleness and grants' last days.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """A stored timestamp as an aware UTC datetime (SQLite gives them back naive)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def local_now(now: datetime | None = None) -> datetime:
    """The time in the UK; ``now`` (aware, or naive UTC) lets callers fix the moment."""
    if now is None:
        return datetime.now(UK)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return now.astimezone(UK)


def today() -> date:
    """Today's date in the UK."""
    return local_now().date()
