"""A person's plan: one row per person, the current content of each section, every saved
version, drafts, professionals' notes, links to things that help, and who last looked.

Every piece of text is encrypted at rest (``EncryptedJSON``/``EncryptedText``). Versions are
never changed or deleted while the person's account lives; restoring makes a new version.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.clock import utcnow
from portal.crypto import EncryptedJSON, EncryptedText
from portal.db import Base

_USER = "user_account.id"


class Plan(Base):
    __tablename__ = "plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey(_USER, ondelete="CASCADE"), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class PlanSection(Base):
    """The current content of one section (a copy of its newest version, for fast reading)."""

    __tablename__ = "plan_section"
    __table_args__ = (UniqueConstraint("plan_id", "section_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    section_key: Mapped[str] = mapped_column(String(40))
    number: Mapped[int] = mapped_column(default=0)  # the newest version's number
    content: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON())
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey(_USER, ondelete="SET NULL"), default=None)


class PlanVersion(Base):
    """One save of one section: who, when, for whom (a carer's relationship), and the content."""

    __tablename__ = "plan_version"
    __table_args__ = (UniqueConstraint("plan_id", "section_key", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    section_key: Mapped[str] = mapped_column(String(40))
    number: Mapped[int]
    content: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON())
    author_id: Mapped[int | None] = mapped_column(ForeignKey(_USER, ondelete="SET NULL"))
    # "owner" or "proxy"; for a proxy, the relationship the person gave the carer ("daughter").
    reason: Mapped[str] = mapped_column(String(20))
    relationship: Mapped[str | None] = mapped_column(String(80), default=None)
    restored_from: Mapped[int | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PlanDraft(Base):
    """Someone's unsaved work on a section (one per person writing, per section)."""

    __tablename__ = "plan_draft"
    __table_args__ = (UniqueConstraint("plan_id", "section_key", "author_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    section_key: Mapped[str] = mapped_column(String(40))
    author_id: Mapped[int] = mapped_column(ForeignKey(_USER, ondelete="CASCADE"))
    base_number: Mapped[int] = mapped_column(default=0)
    content: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON())
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class PlanNote(Base):
    """A professional's note or suggestion beside the plan, or the person's answer to one."""

    __tablename__ = "plan_note"
    __table_args__ = (Index("ix_plan_note_plan_id", "plan_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    section_key: Mapped[str | None] = mapped_column(String(40), default=None)
    reply_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan_note.id", ondelete="CASCADE"), default=None)
    author_id: Mapped[int | None] = mapped_column(ForeignKey(_USER, ondelete="SET NULL"))
    team_id: Mapped[int | None] = mapped_column(default=None)
    text: Mapped[str] = mapped_column(EncryptedText())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LinkKind(StrEnum):
    GUIDANCE = "guidance"
    SERVICE = "service"


class PlanLink(Base):
    """A guidance page or directory service that helps, linked to a section (or suggested)."""

    __tablename__ = "plan_link"
    __table_args__ = (
        CheckConstraint("(removed_at IS NULL) = (removed_by_id IS NULL)", name="removed_pair"),
        Index("ix_plan_link_plan_id", "plan_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    section_key: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(20))
    # The guidance item's slug or the service's id (kept when the target goes: "withdrawn").
    target: Mapped[str] = mapped_column(String(80))
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey(_USER, ondelete="SET NULL"))
    suggested: Mapped[bool] = mapped_column(default=False)  # by a professional
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(default=None)
    removed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey(_USER, ondelete="SET NULL"), default=None)


class PlanSeen(Base):
    """When someone other than the person last looked at the plan."""

    __tablename__ = "plan_seen"
    __table_args__ = (UniqueConstraint("plan_id", "viewer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    viewer_id: Mapped[int] = mapped_column(ForeignKey(_USER, ondelete="CASCADE"))
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)
