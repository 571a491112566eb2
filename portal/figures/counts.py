"""Keeping the figures' counts (``portal.figures.models``) in step: one upsert a change.

Called by the services that change what is counted (``portal.carers``, ``portal.messaging``),
in their transaction; every change is an increment in one statement, so two at once both land.
The migration's backfill and the benchmark, which fill the counts in bulk, call the same
functions with a ``Tally`` in place of the session: one place works out what each count is.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from portal.clock import as_utc
from portal.db import Base

if TYPE_CHECKING:
    from portal.messaging.hours import TeamHours


def tenths(value: float) -> int:
    """A time as the pages show it, to one decimal place, in tenths."""
    return round(round(value, 1) * 10)


def month_of(at: datetime) -> date:
    at = as_utc(at)
    return date(at.year, at.month, 1)


def day_of(at: datetime) -> date:
    return as_utc(at).date()


class Tally:
    """What a run of ``bump`` calls adds, added up in memory, for writing the counts in bulk
    (the migration's backfill, the benchmark)."""

    def __init__(self) -> None:
        self._rows: dict[str, dict[tuple[tuple[str, Any], ...], dict[str, int]]] = (
            defaultdict(dict))

    def add(self, model: type[Base], key: dict[str, Any], by: dict[str, int]) -> None:
        amounts = self._rows[model.__tablename__].setdefault(tuple(key.items()), {})
        for column, n in by.items():
            amounts[column] = amounts.get(column, 0) + n

    def rows(self, model: type[Base]) -> list[dict[str, Any]]:
        """The rows for ``model``'s table: each key's columns and the amounts added to it."""
        return [dict(key) | amounts for key, amounts in self._rows[model.__tablename__].items()]


Counting = Session | Tally  # where ``bump`` adds: the database (a service's change) or a tally


def bump(session: Counting, model: type[Base], key: dict[str, Any], **by: int) -> None:
    """Add ``by`` (column: amount) to the row ``key`` names, making it if it is not there."""
    if isinstance(session, Tally):
        session.add(model, key, by)
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(model).values(**key, **by)
    table = model.__table__
    session.execute(statement.on_conflict_do_update(
        index_elements=list(key),
        set_={column: table.c[column] + statement.excluded[column] for column in by}))


def thread_started(session: Counting, *, team_id: int, at: datetime, urgent: bool) -> None:
    from portal.figures.models import ThreadDay

    bump(session, ThreadDay, {"day": day_of(at), "team_id": team_id}, threads=1,
         urgent=int(urgent))


def thread_flagged_urgent(session: Counting, *, team_id: int, started: datetime) -> None:
    from portal.figures.models import ThreadDay

    bump(session, ThreadDay, {"day": day_of(started), "team_id": team_id}, threads=0, urgent=1)


def first_reply(session: Counting, *, team_id: int, hours: TeamHours, started: datetime,
                replied: datetime, due: datetime | None) -> float:
    """The team's first reply to a thread: counted by the working hours it took (returned, for
    the thread's own record) and whether it came after ``due``, the promise made at the start."""
    from portal.figures.models import ReplyCount
    from portal.messaging.hours import working_time

    taken = working_time(hours, started, replied).total_seconds() / 3600
    late = due is not None and as_utc(replied) > as_utc(due)
    bump(session, ReplyCount, {"month": month_of(started), "team_id": team_id,
                               "reply_tenths": tenths(taken), "late": late}, count=1)
    return taken

