"""The append-only, hash-chained audit log.

No foreign keys: an entry outlives the accounts and records it names. Each entry's ``hash`` is
SHA-256 over the previous entry's hash and a canonical JSON of its own fields, and ids are
consecutive, so changing, removing or reordering any entry breaks the chain from there on
(``flask --app wsgi audit verify``). The ORM refuses to update or delete an entry.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, event
from sqlalchemy.orm import Mapped, Mapper, ORMExecuteState, Session, mapped_column

from portal.db import Base

GENESIS_HASH = "0" * 64


class AppendOnlyError(RuntimeError):
    """Audit entries are never changed or removed."""


class AuditEvent(Base):
    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_subject_id_id", "subject_id", "id"),
        Index("ix_audit_event_actor_id_id", "actor_id", "id"),
    )

    # Given explicitly (last id + 1, under the chain lock): gapless, so a removed entry shows.
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    created_at: Mapped[datetime] = mapped_column(index=True)
    event_type: Mapped[str] = mapped_column(String(40), index=True)
    actor_id: Mapped[int | None] = mapped_column(default=None)
    subject_id: Mapped[int | None] = mapped_column(default=None)
    target_type: Mapped[str | None] = mapped_column(String(40), default=None)
    target_id: Mapped[str | None] = mapped_column(String(64), default=None)
    reason: Mapped[str | None] = mapped_column(String(20), default=None)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    def compute_hash(self) -> str:
        return entry_hash(self)

    def __repr__(self) -> str:
        return f"<AuditEvent {self.id} {self.event_type}>"


def entry_hash(entry: Any) -> str:
    """SHA-256 of the previous hash and the canonical JSON of the entry's own fields.

    Works on an ``AuditEvent`` or on a result row of the table's columns.
    """
    canonical = canonical_json({
        "id": entry.id,
        "created_at": canonical_time(entry.created_at),
        "event_type": entry.event_type,
        "actor_id": entry.actor_id,
        "subject_id": entry.subject_id,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "reason": entry.reason,
        "details": entry.details or {},
    })
    return chain_hash(entry.prev_hash, canonical)


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_time(value: datetime) -> str:
    """UTC, microseconds, no offset: the same text whether the database kept the zone or not."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(timespec="microseconds")


def chain_hash(prev_hash: str, canonical: str) -> str:
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


@event.listens_for(AuditEvent, "before_update")
def _refuse_update(_mapper: Mapper[Any], _connection: Any, target: AuditEvent) -> None:
    raise AppendOnlyError(f"audit entry {target.id} cannot be changed")


@event.listens_for(AuditEvent, "before_delete")
def _refuse_delete(_mapper: Mapper[Any], _connection: Any, target: AuditEvent) -> None:
    raise AppendOnlyError(f"audit entry {target.id} cannot be removed")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_change(state: ORMExecuteState) -> None:
    if (state.is_update or state.is_delete) and any(
        mapper.class_ is AuditEvent for mapper in state.all_mappers
    ):
        raise AppendOnlyError("audit entries cannot be changed or removed")
