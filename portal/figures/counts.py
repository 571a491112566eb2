"""Keeping the figures' counts (``portal.figures.models``) in step: one upsert a change.

Called by the services that change what is counted (``portal.carers``, ``portal.messaging``),
in their transaction; every change is an increment in one statement, so two at once both land.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from portal.db import Base


def tenths(value: float) -> int:
    """A time as the pages show it, to one decimal place, in tenths."""
    return round(round(value, 1) * 10)


def month_of(at: datetime) -> date:
    at = (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC)
    return date(at.year, at.month, 1)


def day_of(at: datetime) -> date:
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC).date()


def bump(session: Session, model: type[Base], key: dict[str, Any], **by: int) -> None:
    """Add ``by`` (column: amount) to the row ``key`` names, making it if it is not there."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(model).values(**key, **by)
    table = model.__table__
    session.execute(statement.on_conflict_do_update(
        index_elements=list(key),
        set_={column: table.c[column] + statement.excluded[column] for column in by}))


def thread_started(session: Session, *, team_id: int, at: datetime, urgent: bool) -> None:
    from portal.figures.models import ThreadDay

    bump(session, ThreadDay, {"day": day_of(at), "team_id": team_id}, threads=1,
         urgent=int(urgent))


def thread_flagged_urgent(session: Session, *, team_id: int, started: datetime) -> None:
    from portal.figures.models import ThreadDay

    bump(session, ThreadDay, {"day": day_of(started), "team_id": team_id}, threads=0, urgent=1)


def first_reply(session: Session, *, team_id: int, started: datetime, hours: float,
                late: bool) -> None:
    from portal.figures.models import ReplyCount

    bump(session, ReplyCount, {"month": month_of(started), "team_id": team_id,
                               "reply_tenths": tenths(hours), "late": late}, count=1)
