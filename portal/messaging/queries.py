"""Reads for messaging pages: the team inbox (through the same rules as ``decide``) and lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session, aliased

from portal.accounts.models import User
from portal.circles.models import Purpose, Scope
from portal.circles.policy import people_cared_for, served_people_query
from portal.clock import utcnow
from portal.messaging.models import Message, MessageThread, ThreadStatus, Waiting

PAGE_SIZE = 25


class InboxFilter(StrEnum):
    OPEN = "open"
    UNASSIGNED = "unassigned"
    MINE = "mine"
    WAITING_US = "waiting-for-us"
    WAITING_THEM = "waiting-for-them"
    URGENT = "urgent"
    OVERDUE = "overdue"
    CLOSED = "closed"


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
    conditions = _conditions(worker, utcnow())
    columns = [func.coalesce(func.sum(case((cond, 1), else_=0)), 0).label(key.value)
               for key, cond in conditions.items()]
    row = session.execute(select(*columns).where(_visible(worker))).one()
    return {key: int(row[i]) for i, key in enumerate(conditions)}


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
    value = session.scalar(select(func.max(MessageThread.last_message_at))
                           .where(_visible(worker)))
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
