"""Secure messaging: threads between a person (or their carer) and a care team.

Bodies, subjects, notes and attachments are encrypted at rest. Internal notes live in their own
table, so no query for the person's pages can ever reach them. Messages are ordered by id.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Enum, Float, ForeignKey, Index, LargeBinary, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.crypto import EncryptedText
from portal.db import Base, utcnow


def _enum(kind: type[StrEnum], length: int = 12) -> Enum:
    return Enum(kind, native_enum=False, length=length,
                values_callable=lambda items: [i.value for i in items])


class ThreadStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Waiting(StrEnum):
    """Whose turn it is to write."""

    TEAM = "team"
    PERSON = "person"


class MessageKind(StrEnum):
    PERSON = "person"  # written by the person, or by a carer for them
    TEAM = "team"      # written by a member of the care team
    AUTO = "auto"      # the automatic out-of-hours reply


class MessageThread(Base):
    __tablename__ = "message_thread"
    __table_args__ = (
        # The inbox page's order, walked backwards (migration 0010_messaging_indexes).
        Index("ix_message_thread_team_status_urgent_last", "team_id", "status", "urgent",
              "last_message_at", "id"),
        Index("ix_message_thread_team_last", "team_id", "last_message_at"),
        Index("ix_message_thread_team_status_waiting_due", "team_id", "status", "waiting_on",
              "reply_due_at"),
        Index("ix_message_thread_person_last", "person_id", "last_message_at"),
        # The figures read the threads still waiting for a first reply (0017_figures_stored).
        Index("ix_message_thread_awaiting_first_reply", "team_id", "created_at",
              postgresql_where=text("first_reply_at IS NULL"),
              sqlite_where=text("first_reply_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(ForeignKey("care_team.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(EncryptedText())
    status: Mapped[ThreadStatus] = mapped_column(_enum(ThreadStatus), default=ThreadStatus.OPEN)
    waiting_on: Mapped[Waiting] = mapped_column(_enum(Waiting), default=Waiting.TEAM)
    urgent: Mapped[bool] = mapped_column(default=False)
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_message_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the team promised to have replied by (set when the person writes and it is our turn).
    reply_due_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    # For the figures, set once: the promise made when the thread started, and the team's
    # first reply with the working hours it took (``portal.messaging.hours.working_time``).
    first_reply_due_at: Mapped[datetime | None] = mapped_column(default=None)
    first_reply_at: Mapped[datetime | None] = mapped_column(default=None)
    reply_working_hours: Mapped[float | None] = mapped_column(Float, default=None)

    messages: Mapped[list[Message]] = relationship(
        back_populates="thread", order_by="Message.id", cascade="all, delete-orphan",
        passive_deletes=True)


class Message(Base):
    __tablename__ = "message"
    __table_args__ = (
        UniqueConstraint("author_id", "idempotency_key", name="uq_message_author_key"),
        Index("ix_message_thread_id_id", "thread_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("message_thread.id", ondelete="CASCADE"))
    kind: Mapped[MessageKind] = mapped_column(_enum(MessageKind))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None)
    # A carer writing for the person: the relationship they hold ("daughter").
    on_behalf_relationship: Mapped[str | None] = mapped_column(String(80), default=None)
    body: Mapped[str] = mapped_column(EncryptedText())
    # Guidance pages and directory services attached as cards: [{"kind": ..., "ref": ...}].
    cards: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    idempotency_key: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_by_team_at: Mapped[datetime | None] = mapped_column(default=None)
    read_by_person_at: Mapped[datetime | None] = mapped_column(default=None)

    thread: Mapped[MessageThread] = relationship(back_populates="messages")
    attachments: Mapped[list[Attachment]] = relationship(
        order_by="Attachment.id", cascade="all, delete-orphan", passive_deletes=True,
        lazy="selectin")


class Attachment(Base):
    """A checked, cleaned file; ``data`` is the Fernet token of its bytes."""

    __tablename__ = "message_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("message.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(EncryptedText())
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)


class ThreadNote(Base):
    """A note for the team only. The person never sees it."""

    __tablename__ = "message_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(
        ForeignKey("message_thread.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None)
    body: Mapped[str] = mapped_column(EncryptedText())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MessagingPreference(Base):
    """Whether a person is emailed when their care team writes (on unless turned off)."""

    __tablename__ = "messaging_preference"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    email_on: Mapped[bool] = mapped_column(default=True)
