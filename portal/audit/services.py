"""Writing, checking and reading the audit log.

``record()`` appends an entry in the caller's transaction (no change without its audit
record: if the caller rolls back, the entry goes too). Appending is serialised so that two
writers never chain onto the same entry: on PostgreSQL by a transaction-level advisory lock
taken before the last entry is read; on SQLite by taking the database's write lock first (a
write statement that changes nothing), so the read of the last entry already holds the lock.
Either way the lock is held until the caller commits, and ids are given explicitly (last id +
1), so a fork would also fail on the primary key.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, or_, select, text
from sqlalchemy.orm import Session

from portal.audit.events import (
    ACCESS_EVENTS,
    AccessReason,
    EventType,
    RecordType,
    check,
)
from portal.audit.models import GENESIS_HASH, AuditEvent, entry_hash
from portal.db import utcnow
from portal.privacy.registry import register_exporter
from portal.unit_of_work import mark_audited, service

# pg_advisory_xact_lock key: the first 8 bytes of sha256("portal.audit_event") as a bigint.
ADVISORY_LOCK_KEY = 0x2B1E_5A0C_77D3_4F19
VERIFY_BATCH_SIZE = 1000


def _lock_chain(session: Session) -> None:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
    elif dialect == "sqlite":
        # Takes SQLite's write lock (or waits for it) without changing anything.
        session.execute(text("DELETE FROM audit_event WHERE 0"))


def record(
    session: Session,
    event: EventType,
    *,
    actor_id: int | None,
    subject_id: int | None = None,
    target_type: str | None = None,
    target_id: str | int | None = None,
    reason: AccessReason | None = None,
    **details: Any,
) -> AuditEvent:
    """Append one audit entry in the caller's transaction; raise ``AuditError`` if malformed."""
    check(event, details, subject_id=subject_id, reason=reason, target_type=target_type)
    session.flush()
    _lock_chain(session)
    last = session.execute(
        select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
    ).first()
    entry = AuditEvent(
        id=(last.id + 1) if last else 1,
        created_at=utcnow(),
        event_type=event.value,
        actor_id=actor_id,
        subject_id=subject_id,
        target_type=str(target_type) if target_type is not None else None,
        target_id=str(target_id) if target_id is not None else None,
        reason=reason.value if reason is not None else None,
        details=dict(details),
        prev_hash=last.hash if last else GENESIS_HASH,
    )
    entry.hash = entry.compute_hash()
    session.add(entry)
    session.flush()
    mark_audited(session)
    return entry


# Verification -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_at: int | None = None
    problem: str | None = None

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def _all_entries(session: Session) -> Iterator[Any]:
    """Every entry as a plain row (not ORM objects: nothing piles up in the session)."""
    table = AuditEvent.__table__
    last_id = 0
    while True:
        batch = session.execute(
            select(table).where(table.c.id > last_id).order_by(table.c.id).limit(VERIFY_BATCH_SIZE)
        ).all()
        if not batch:
            return
        yield from batch
        last_id = batch[-1].id


def verify_chain(session: Session) -> ChainReport:
    """Walk the whole log; report the first entry that does not follow from the one before."""
    expected_prev, expected_id, checked = GENESIS_HASH, 1, 0
    for entry in _all_entries(session):
        if entry.id != expected_id:
            return ChainReport(checked, expected_id, "missing")
        if entry.prev_hash != expected_prev:
            return ChainReport(checked, entry.id, "link")
        if entry_hash(entry) != entry.hash:
            return ChainReport(checked, entry.id, "content")
        expected_prev, expected_id, checked = entry.hash, entry.id + 1, checked + 1
    return ChainReport(checked)


# Reading ------------------------------------------------------------------------------------


def accesses_by_others(session: Session, *, person_id: int, limit: int, offset: int = 0
                       ) -> list[AuditEvent]:
    """Every access to this person's records by someone else, newest first."""
    query = (
        select(AuditEvent)
        .where(AuditEvent.subject_id == person_id,
               AuditEvent.event_type.in_([e.value for e in ACCESS_EVENTS]),
               or_(AuditEvent.actor_id.is_(None), AuditEvent.actor_id != person_id))
        .order_by(AuditEvent.id.desc()).limit(limit).offset(offset)
    )
    return list(session.scalars(query))


@dataclass(frozen=True)
class AuditFilters:
    actor_id: int | None = None
    subject_id: int | None = None
    event_type: EventType | None = None
    date_from: date | None = None
    date_to: date | None = None

    def as_details(self) -> dict[str, Any]:
        return {
            "actor_id": self.actor_id,
            "subject_id": self.subject_id,
            "event_type": self.event_type.value if self.event_type else None,
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
        }


def _filtered(filters: AuditFilters) -> Select[AuditEvent]:
    query = select(AuditEvent)
    if filters.actor_id is not None:
        query = query.where(AuditEvent.actor_id == filters.actor_id)
    if filters.subject_id is not None:
        query = query.where(AuditEvent.subject_id == filters.subject_id)
    if filters.event_type is not None:
        query = query.where(AuditEvent.event_type == filters.event_type.value)
    if filters.date_from is not None:
        query = query.where(AuditEvent.created_at >= _day_start(filters.date_from))
    if filters.date_to is not None:
        query = query.where(AuditEvent.created_at < _day_start(filters.date_to + timedelta(days=1)))
    return query


def _day_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


@dataclass(frozen=True)
class SearchResult:
    entries: list[AuditEvent]
    total: int


@service
def search(session: Session, /, *, filters: AuditFilters, limit: int, offset: int, by: Any
           ) -> SearchResult:
    """An administrator's search of the log. The search itself is recorded."""
    query = _filtered(filters)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    entries = list(session.scalars(query.order_by(AuditEvent.id.desc()).limit(limit)
                                    .offset(offset)))
    record(session, EventType.AUDIT_SEARCHED, actor_id=by.id, subject_id=filters.subject_id,
           target_type=RecordType.AUDIT_LOG, reason=AccessReason.ADMIN,
           filters=filters.as_details(), results=total,
           viewer_roles=sorted(role.value for role in by.roles))
    return SearchResult(entries, total)


def export_events(session: Session, user: Any) -> list[dict[str, Any]]:
    """Audit entries about or by this person, for their own copy of their data."""
    query = (select(AuditEvent)
             .where(or_(AuditEvent.subject_id == user.id, AuditEvent.actor_id == user.id))
             .order_by(AuditEvent.id))
    return [
        {"id": e.id, "created_at": e.created_at.isoformat(), "event_type": e.event_type,
         "actor_id": e.actor_id, "subject_id": e.subject_id, "target_type": e.target_type,
         "target_id": e.target_id, "reason": e.reason, "details": e.details}
        for e in session.scalars(query)
    ]


register_exporter("audit_events", export_events)
