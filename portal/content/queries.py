"""Reading the library: what residents may see, what staff work on, who recommended what.

Resident-facing lists go through ``policies.is_live`` (approved, not withdrawn by date), the
same rule as the item page, so a list never shows what the page would refuse.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from portal.accounts.models import User
from portal.content import policies
from portal.content.models import (
    OPEN_STATUSES,
    ContentFeedback,
    ContentItem,
    ContentRecommendation,
    ContentTranslation,
    ContentVersion,
    ContentVersionChange,
    VersionStatus,
)


def item_by_slug(session: Session, slug: str) -> ContentItem | None:
    if len(slug) > 80:
        return None
    return session.scalar(select(ContentItem).where(ContentItem.slug == slug))


def live_version(session: Session, item_id: int) -> ContentVersion | None:
    """The approved version (shown to residents only while ``policies.is_live``)."""
    return session.scalar(select(ContentVersion).where(
        ContentVersion.item_id == item_id, ContentVersion.status == VersionStatus.APPROVED))


def open_draft(session: Session, item_id: int) -> ContentVersion | None:
    return session.scalar(select(ContentVersion).where(
        ContentVersion.item_id == item_id, ContentVersion.status.in_(OPEN_STATUSES))
        .order_by(ContentVersion.number.desc()).limit(1))


def latest_number(session: Session, item_id: int) -> int:
    return session.scalar(select(func.max(ContentVersion.number))
                          .where(ContentVersion.item_id == item_id)) or 0


def visible_versions(session: Session, *, on: date | None = None, topic: str | None = None,
                     condition: str | None = None) -> list[ContentVersion]:
    """Every version residents may see today, by title; optionally one topic or condition."""
    day = on or policies.today()
    rows = session.scalars(
        select(ContentVersion).options(selectinload(ContentVersion.item))
        .where(ContentVersion.status == VersionStatus.APPROVED,
               ContentVersion.review_due >= policies.last_visible_review_due(day))
        .order_by(ContentVersion.title, ContentVersion.id))
    return [v for v in rows
            if (topic is None or topic in (v.topics or []))
            and (condition is None or condition in (v.conditions or []))]


def visible_by_slug(session: Session, slug: str, on: date | None = None) -> ContentVersion | None:
    item = item_by_slug(session, slug)
    version = live_version(session, item.id) if item is not None else None
    return version if policies.is_live(version, on) else None


def media_is_public(session: Session, digest: str, on: date | None = None) -> bool:
    """These bytes belong to a version residents may see today."""
    day = on or policies.today()
    found = session.scalar(select(ContentVersion.id).where(
        ContentVersion.status == VersionStatus.APPROVED,
        ContentVersion.review_due >= policies.last_visible_review_due(day),
        (ContentVersion.video_sha256 == digest) | (ContentVersion.captions_sha256 == digest)
        | ContentVersion.item_id.in_(_items_with_poster(digest))
        | ContentVersion.id.in_(_versions_with_captions(digest)))
        .limit(1))
    return found is not None


def media_is_known(session: Session, digest: str) -> bool:
    return session.scalar(select(ContentVersion.id).where(
        (ContentVersion.video_sha256 == digest) | (ContentVersion.captions_sha256 == digest)
        | ContentVersion.item_id.in_(_items_with_poster(digest))
        | ContentVersion.id.in_(_versions_with_captions(digest)))
        .limit(1)) is not None


def _versions_with_captions(digest: str) -> Select[int]:
    """Versions with a translation whose captions are these bytes."""
    return select(ContentTranslation.version_id).where(ContentTranslation.captions_sha256 == digest)


def _items_with_poster(digest: str) -> Select[int]:
    return select(ContentItem.id).where(ContentItem.poster_sha256 == digest)


# Recommendations -------------------------------------------------------------------------

@dataclass(frozen=True)
class Recommendation:
    slug: str
    title: str
    summary: str
    recommended_by: str | None
    recommended_at: datetime


def recommendations_for(session: Session, person: Any, on: date | None = None
                        ) -> list[Recommendation]:
    """What care workers recommended to this person, newest first (live items only)."""
    if not getattr(person, "is_authenticated", False):
        return []
    rows = session.execute(
        select(ContentRecommendation, User.display_name)
        .outerjoin(User, User.id == ContentRecommendation.recommended_by_id)
        .where(ContentRecommendation.person_id == person.id)
        .order_by(ContentRecommendation.recommended_at.desc(), ContentRecommendation.id.desc()))
    found = []
    for recommendation, recommender in rows:
        version = live_version(session, recommendation.item_id)
        if version is not None and policies.is_live(version, on):
            found.append(Recommendation(recommendation.item.slug, version.title, version.summary,
                                        recommender, recommendation.recommended_at))
    return found


def recommended_for(person: Any) -> list[Recommendation]:
    """For the home page: this person's recommendations, from the request's session."""
    from portal.extensions import db

    return recommendations_for(db.session, person)


# Staff -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ItemRow:
    item: ContentItem
    live: ContentVersion | None
    draft: ContentVersion | None
    helpful: int
    not_helpful: int

    @property
    def title(self) -> str:
        version = self.draft or self.live
        return version.title if version else self.item.slug


def staff_items(session: Session) -> list[ItemRow]:
    """Every item with its live version, open draft and feedback counts, by title."""
    versions = session.scalars(select(ContentVersion).where(
        ContentVersion.status.in_((VersionStatus.APPROVED, *OPEN_STATUSES)))).all()
    live = {v.item_id: v for v in versions if v.status is VersionStatus.APPROVED}
    drafts = {v.item_id: v for v in versions if v.status in OPEN_STATUSES}
    counts: dict[tuple[int, bool], int] = {
        (item_id, helpful): n for item_id, helpful, n in session.execute(
            select(ContentFeedback.item_id, ContentFeedback.helpful, func.count())
            .group_by(ContentFeedback.item_id, ContentFeedback.helpful))}
    rows = [ItemRow(item, live.get(item.id), drafts.get(item.id), counts.get((item.id, True), 0),
                    counts.get((item.id, False), 0))
            for item in session.scalars(select(ContentItem))]
    return sorted(rows, key=lambda row: (row.title.lower(), row.item.id))


def submitted_versions(session: Session) -> list[ContentVersion]:
    return list(session.scalars(
        select(ContentVersion).options(selectinload(ContentVersion.item))
        .where(ContentVersion.status == VersionStatus.SUBMITTED)
        .order_by(ContentVersion.submitted_at, ContentVersion.id)))


def review_due_versions(session: Session, on: date | None = None) -> list[ContentVersion]:
    """Live versions whose review date has passed, soonest withdrawal first."""
    day = on or policies.today()
    return list(session.scalars(
        select(ContentVersion).options(selectinload(ContentVersion.item))
        .where(ContentVersion.status == VersionStatus.APPROVED, ContentVersion.review_due < day)
        .order_by(ContentVersion.review_due, ContentVersion.id)))


def history(session: Session, item_id: int) -> list[ContentVersion]:
    return list(session.scalars(
        select(ContentVersion).options(selectinload(ContentVersion.approvals))
        .where(ContentVersion.item_id == item_id).order_by(ContentVersion.number.desc())))


def feedback_for(session: Session, item_id: int, limit: int = 50) -> list[ContentFeedback]:
    return list(session.scalars(
        select(ContentFeedback).where(ContentFeedback.item_id == item_id)
        .order_by(ContentFeedback.created_at.desc(), ContentFeedback.id.desc()).limit(limit)))


def user_names(session: Session, ids: set[int]) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    rows = session.execute(select(User.id, User.display_name).where(User.id.in_(ids)))
    return {user_id: name for user_id, name in rows}


def contributors(session: Session, version: ContentVersion) -> set[int]:
    """Everyone who wrote or changed this version, or any version of the item since its last
    approval before it: the people who may not approve it (the two-person rule)."""
    last_approved = (select(func.coalesce(func.max(ContentVersion.number), 0))
                     .where(ContentVersion.item_id == version.item_id,
                            ContentVersion.number < version.number,
                            ContentVersion.approved_on.is_not(None))
                     .scalar_subquery())
    since = (select(ContentVersion.id)
             .where(ContentVersion.item_id == version.item_id,
                    ContentVersion.number > last_approved,
                    ContentVersion.number <= version.number))
    people = set(session.scalars(select(ContentVersionChange.user_id)
                                 .where(ContentVersionChange.version_id.in_(since))))
    for author_id, edited_by_id in session.execute(
            select(ContentVersion.author_id, ContentVersion.edited_by_id)
            .where(ContentVersion.id.in_(since))):
        people.update((author_id, edited_by_id))
    return {person for person in people if person is not None}
