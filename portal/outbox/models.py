"""Jobs to run after a change commits, written in the change's own transaction."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Enum, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.crypto import EncryptedJSON
from portal.db import Base, utcnow


class JobStatus(StrEnum):
    PENDING = "pending"  # waiting to run (now, or at ``run_after``)
    RUNNING = "running"  # claimed by a runner until ``lease_until``
    DONE = "done"
    PARKED = "parked"    # failed too often: waits for a person (the admin outbox page)


class OutboxJob(Base):
    """One piece of work that must happen, exactly once in effect, after a commit.

    ``payload`` holds ids, a template name and links, never clinical text; it is encrypted
    all the same, because links carry tokens. ``key`` is the idempotency key: unique, so the
    same job cannot be queued twice, and used as the email's Message-ID.
    """

    __tablename__ = "outbox_job"
    __table_args__ = (Index("ix_outbox_job_status_run_after", "status", "run_after"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON())
    status: Mapped[JobStatus] = mapped_column(
        Enum(JobStatus, native_enum=False, length=10,
             values_callable=lambda items: [i.value for i in items]),
        default=JobStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    run_after: Mapped[datetime] = mapped_column(default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(default=None)
    claimed_by: Mapped[str | None] = mapped_column(String(80), default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    done_at: Mapped[datetime | None] = mapped_column(default=None)

    def __repr__(self) -> str:
        return f"<OutboxJob {self.id} {self.kind} {self.status}>"


class OutboxWorker(Base):
    """A running ``flask outbox run`` worker's heartbeat: web processes leave retries to it
    while one is alive, and retry themselves when none is."""

    __tablename__ = "outbox_worker"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
