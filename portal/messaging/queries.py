"""Reads for messaging pages: the team inbox (through the same rules as ``decide``) and lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session, aliased

from portal.accounts.models import User
from portal.circles.models import Purpose, Scope
from portal.circles.policy import people_cared_for, served_people_query
from portal.clock import utcnow
from portal.messaging.models import Message, MessageThread, ThreadStatus, Waiting

PAGE_SIZE = 25
COUNT_CAP = 99  # counts above this show as "99+"


class InboxFilter(StrEnum):
    OPEN = "open"
    UNASSIGNED = "unassigned"
    MINE = "mine"
    WAITING_US = "waiting-for-us"
    WAITING_THEM = "waiting-for-them"
    URGENT = "urgent"
    OVERDUE = "overdue"
    CLOSED = "closed"


COUNTED = tuple(key for key in InboxFilter if key is not InboxFilter.CLOSED)


@dataclass(frozen=True)
class InboxRow:
    thread: MessageThread
    person_name: str
    assignee_name: str | None
    overdue: bool = False


def aware(value: datetime) -> datetime:
    """SQLite hands back naive UTC datetimes; PostgreSQL aware ones."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _visible(worker: Any) -> ColumnElement[bool]:
    team_ids = [team.id for team in worker.teams]
    people = served_people_query(worker, [Purpose.MESSAGING]).with_only_columns(
        User.id).order_by(None)
    return and_(MessageThread.team_id.in_(team_ids), MessageThread.person_id.in_(people))


def _visible_each(worker: Any) -> ColumnElement[bool]:
    """The same rule as ``_visible``, asked of each thread row in turn (a correlated EXISTS
    that OFFSET 0 keeps from being flattened). A count that stops after a hundred rows then
    checks about a hundred people, instead of first listing everyone the team serves, which
    the planner does whenever it guesses a filter matches few threads."""
    team_ids = [team.id for team in worker.teams]
    person = served_people_query(worker, [Purpose.MESSAGING]).with_only_columns(
        User.id).order_by(None).where(User.id == MessageThread.person_id).offset(0)
    return and_(MessageThread.team_id.in_(team_ids), person.exists())


def _conditions(worker: Any, now: datetime) -> dict[InboxFilter, ColumnElement[bool]]:
    is_open = MessageThread.status == ThreadStatus.OPEN
    return {
        InboxFilter.OPEN: is_open,
        InboxFilter.UNASSIGNED: and_(is_open, MessageThread.assignee_id.is_(None)),
        InboxFilter.MINE: and_(is_open, MessageThread.assignee_id == worker.id),
        InboxFilter.WAITING_US: and_(is_open, MessageThread.waiting_on == Waiting.TEAM),
        InboxFilter.WAITING_THEM: and_(is_open, MessageThread.waiting_on == Waiting.PERSON),
        InboxFilter.URGENT: and_(is_open, MessageThread.urgent.is_(True)),
        InboxFilter.OVERDUE: and_(is_open, MessageThread.waiting_on == Waiting.TEAM,
                                  MessageThread.reply_due_at < now),
        InboxFilter.CLOSED: MessageThread.status == ThreadStatus.CLOSED,
    }


def inbox_counts(session: Session, worker: Any) -> dict[InboxFilter, int]:
    """How many open threads each filter shows, up to ``COUNT_CAP + 1`` (shown as "99+").

    Each count stops at the cap, so its cost does not grow with the team's backlog: one
    exact count over every open thread of a large team checked the access rules for each of
    them (75 ms at 14,000 open threads). Closed threads are not counted at all.
    """
    conditions = _conditions(worker, utcnow())
    visible = _visible_each(worker)
    columns = [select(func.count()).select_from(
        select(MessageThread.id).where(visible, conditions[key]).limit(COUNT_CAP + 1)
        .subquery()).scalar_subquery().label(key.value) for key in COUNTED]
    row = session.execute(select(*columns)).one()
    return {key: int(row[i]) for i, key in enumerate(COUNTED)}


def inbox(session: Session, worker: Any, which: InboxFilter, page: int = 1) -> list[InboxRow]:
    person = aliased(User)
    assignee = aliased(User)
    cond = _conditions(worker, utcnow())[which]
    order = (MessageThread.urgent.desc(), MessageThread.last_message_at.desc(),
             MessageThread.id.desc())
    rows = session.execute(
        select(MessageThread, person.display_name, assignee.display_name)
        .join(person, person.id == MessageThread.person_id)
        .outerjoin(assignee, assignee.id == MessageThread.assignee_id)
        .where(_visible(worker), cond).order_by(*order)
        .limit(PAGE_SIZE).offset((max(page, 1) - 1) * PAGE_SIZE))
    now = utcnow()
    return [InboxRow(thread, name, assigned, overdue=thread.waiting_on is Waiting.TEAM
                     and thread.status is ThreadStatus.OPEN and thread.reply_due_at is not None
                     and aware(thread.reply_due_at) < now)
            for thread, name, assigned in rows]


def latest_activity(session: Session, worker: Any) -> str:
    # ORDER BY ... LIMIT 1 rather than max(): walks ix_message_thread_team_last backwards and
    # stops at the first visible thread, instead of checking every thread of the team.
    value = session.scalar(select(MessageThread.last_message_at).where(_visible(worker))
                           .order_by(MessageThread.last_message_at.desc()).limit(1))
    return value.isoformat() if value else ""


def people_i_write_for(session: Session, user: Any) -> list[tuple[User, str | None]]:
    """The person themselves, then everyone whose carer with the messages scope they are."""
    found: list[tuple[User, str | None]] = [(user, None)]
    for grant in people_cared_for(session, user):
        if Scope.MESSAGES in grant.scope_set:
            person = session.get(User, grant.person_id)
            if person is not None and person.is_active:
                found.append((person, grant.relationship))
    return found


def my_threads(session: Session, user: Any) -> list[tuple[MessageThread, str]]:
    people = {person.id: person.display_name for person, _ in people_i_write_for(session, user)}
    threads = session.scalars(select(MessageThread).where(
        MessageThread.person_id.in_(people)).order_by(MessageThread.last_message_at.desc())
        .limit(100))
    return [(thread, people[thread.person_id]) for thread in threads]


def thread_messages(session: Session, thread: MessageThread) -> list[Message]:
    return list(session.scalars(select(Message).where(Message.thread_id == thread.id)
                                .order_by(Message.id)))
