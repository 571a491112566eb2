"""The library in the database: items, their versions, approvals, media, feedback and
recommendations.

An item is one guidance page (``content/<slug>/``). Each change is a new ``ContentVersion``;
versions are never deleted, so history keeps every one. At most one version of an item is
``approved`` (the live one residents see); editing it makes a new draft while it stays live.
Each clinical approval (and re-approval at review) is a ``ContentApproval`` row recording who,
when, the content hash approved and the next review date. Video and captions files are
``ContentMedia`` rows, addressed by the SHA-256 of their bytes, so their URLs never change
meaning and can be cached for a year.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Enum,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from portal.db import Base, utcnow


class VersionStatus(StrEnum):
    DRAFT = "draft"            # being written in the portal
    SUBMITTED = "submitted"    # sent for clinical approval
    APPROVED = "approved"      # the live version (one per item at most)
    SUPERSEDED = "superseded"  # was live; a newer approved version replaced it
    WITHDRAWN = "withdrawn"    # was live; taken away from residents


class WithdrawalReason(StrEnum):
    REVIEW_OVERDUE = "review_overdue"  # 90 days past its review date without re-approval
    APPROVER = "approver"              # an approver withdrew it


def _enum(enum: type[StrEnum], name: str) -> Enum:
    return Enum(enum, name=name, native_enum=False, length=20,
                values_callable=lambda members: [m.value for m in members])


OPEN_STATUSES = (VersionStatus.DRAFT, VersionStatus.SUBMITTED)


class ContentItem(Base):
    __tablename__ = "content_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The picture shown before the video plays: the item's, whichever version is live (it is
    # not clinical content, so changing it needs no new approval).
    poster_sha256: Mapped[str | None] = mapped_column(
        ForeignKey("content_media.sha256"), default=None)

    versions: Mapped[list[ContentVersion]] = relationship(
        back_populates="item", order_by="ContentVersion.number")

    def __repr__(self) -> str:
        return f"<ContentItem {self.slug}>"


class ContentMedia(Base):
    """A video or captions file, by the SHA-256 of its bytes (stored once, never changed)."""

    __tablename__ = "content_media"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ContentVersion(Base):
    __tablename__ = "content_version"
    __table_args__ = (
        UniqueConstraint("item_id", "number"),
        CheckConstraint("(status != 'approved') OR (review_due IS NOT NULL AND approved_on IS NOT NULL)",
                        name="approved_has_dates"),
        CheckConstraint("(withdrawn_at IS NULL) = (withdrawal_reason IS NULL)",
                        name="withdrawn_together"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("content_item.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[VersionStatus] = mapped_column(
        _enum(VersionStatus, "content_version_status"), default=VersionStatus.DRAFT, index=True)

    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(400))
    body: Mapped[str] = mapped_column(Text)
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    conditions: Mapped[list[str]] = mapped_column(JSON, default=list)
    audience: Mapped[list[str]] = mapped_column(JSON, default=list)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    sources: Mapped[list[str]] = mapped_column(JSON, default=list)
    reading_age: Mapped[int | None] = mapped_column(Integer, default=None)
    transcript: Mapped[str | None] = mapped_column(Text, default=None)
    easy_read: Mapped[str | None] = mapped_column(Text, default=None)
    video_sha256: Mapped[str | None] = mapped_column(
        ForeignKey("content_media.sha256"), default=None)
    captions_sha256: Mapped[str | None] = mapped_column(
        ForeignKey("content_media.sha256"), default=None)
    content_hash: Mapped[str] = mapped_column(String(64))

    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None)
    author_name: Mapped[str] = mapped_column(String(200))
    edited_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(default=None)
    # Set from the latest approval (the history is in content_approval).
    approved_on: Mapped[date | None] = mapped_column(default=None)
    review_due: Mapped[date | None] = mapped_column(default=None, index=True)
    withdrawn_at: Mapped[datetime | None] = mapped_column(default=None)
    withdrawal_reason: Mapped[WithdrawalReason | None] = mapped_column(
        _enum(WithdrawalReason, "content_withdrawal_reason"), default=None)
    # Saved edits so far: a save based on an older count is a conflict (two authors).
    revision: Mapped[int] = mapped_column(Integer, default=1)

    item: Mapped[ContentItem] = relationship(back_populates="versions")
    approvals: Mapped[list[ContentApproval]] = relationship(
        back_populates="version", order_by="ContentApproval.id")
    changes: Mapped[list[ContentVersionChange]] = relationship(
        back_populates="version", order_by="ContentVersionChange.id")
    send_backs: Mapped[list[ContentSendBack]] = relationship(
        back_populates="version", order_by="ContentSendBack.id")
    translations: Mapped[list[ContentTranslation]] = relationship(
        back_populates="version", order_by="ContentTranslation.language")

    __mapper_args__ = {"version_id_col": revision}

    @property
    def latest_approval(self) -> ContentApproval | None:
        return self.approvals[-1] if self.approvals else None

    def fields(self) -> dict[str, Any]:
        """The version's content (what the content hash covers); its translations only when
        it has some (so a version without any hashes as it always did)."""
        fields = {name: getattr(self, name) for name in CONTENT_FIELDS}
        if self.translations:
            fields["translations"] = {t.language: t.fields() for t in self.translations}
        return fields

    def translation(self, language: str) -> ContentTranslation | None:
        return next((t for t in self.translations if t.language == language), None)

    def __repr__(self) -> str:
        return f"<ContentVersion {self.item_id} v{self.number} {self.status}>"


CONTENT_FIELDS = ("title", "summary", "body", "topics", "conditions", "audience", "languages",
                  "sources", "reading_age", "transcript", "easy_read", "video_sha256",
                  "captions_sha256")


class ContentTranslation(Base):
    """A version's text (and captions) in another language, translated from its English and
    approved with it: part of the version's content hash."""

    __tablename__ = "content_translation"
    __table_args__ = (UniqueConstraint("version_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("content_version.id"), index=True)
    language: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(400))
    body: Mapped[str] = mapped_column(Text)
    captions_sha256: Mapped[str | None] = mapped_column(
        ForeignKey("content_media.sha256"), default=None)

    version: Mapped[ContentVersion] = relationship(back_populates="translations")

    def fields(self) -> dict[str, Any]:
        return {"title": self.title, "summary": self.summary, "body": self.body.strip(),
                "captions_sha256": self.captions_sha256}


class ContentVersionChange(Base):
    """One save of one version by one person: who changed it, kept for the two-person rule
    (an approver may approve only a version none of whose changes since the last approval
    were theirs, not just the author and the last editor)."""

    __tablename__ = "content_version_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("content_version.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    version: Mapped[ContentVersion] = relationship(back_populates="changes")


class ContentApproval(Base):
    """One clinical approval of one version: who, when, which content, and the next review."""

    __tablename__ = "content_approval"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("content_version.id"), index=True)
    approver_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None)
    approver_name: Mapped[str] = mapped_column(String(200))
    approved_at: Mapped[datetime] = mapped_column(default=utcnow)
    approved_on: Mapped[date]
    content_hash: Mapped[str] = mapped_column(String(64))
    review_due: Mapped[date]
    # When the author and approver were told the review date had passed.
    reminded_at: Mapped[datetime | None] = mapped_column(default=None)

    version: Mapped[ContentVersion] = relationship(back_populates="approvals")


class ContentSendBack(Base):
    """An approver sent a submitted version back to its authors with comments: it is a draft
    again. The comment is about the guidance (never about a person); authors read it on the
    item's page."""

    __tablename__ = "content_send_back"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("content_version.id"), index=True)
    approver_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None)
    approver_name: Mapped[str] = mapped_column(String(200))
    comment: Mapped[str] = mapped_column(Text)
    sent_back_at: Mapped[datetime] = mapped_column(default=utcnow)

    version: Mapped[ContentVersion] = relationship(back_populates="send_backs")


class ContentFeedback(Base):
    """"Was this helpful?": yes or no and an optional comment. Nothing about who sent it."""

    __tablename__ = "content_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("content_item.id"), index=True)
    version_number: Mapped[int] = mapped_column(Integer)
    helpful: Mapped[bool]
    comment: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ContentRecommendation(Base):
    """A care worker recommended an item to a person (shown on their home page)."""

    __tablename__ = "content_recommendation"
    __table_args__ = (UniqueConstraint("item_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("content_item.id"), index=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    recommended_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None)
    recommended_at: Mapped[datetime] = mapped_column(default=utcnow)

    item: Mapped[ContentItem] = relationship()
