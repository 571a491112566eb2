"""Changes to the library. Each service is one transaction with its audit event
(``portal.unit_of_work``); emails and index upkeep are outbox jobs in the same transaction.

Approved versions never change: editing an item makes (or continues) its one open draft,
while the approved version stays live. Approval records who, when and the content hash.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from portal.accounts.models import User, UserRole
from portal.audit.events import EventType, ObjectType
from portal.audit.services import record
from portal.authz.permissions import Role
from portal.content import media, policies, queries, search, vtt
from portal.content.models import (
    CONTENT_FIELDS,
    ContentApproval,
    ContentFeedback,
    ContentItem,
    ContentRecommendation,
    ContentSendBack,
    ContentVersion,
    ContentVersionChange,
    VersionStatus,
    WithdrawalReason,
)
from portal.db import utcnow
from portal.mail import public_url, queue_email
from portal.privacy.registry import register_eraser, register_exporter
from portal.unit_of_work import service

MAX_COMMENT_CHARS = 1000
TEXT_FIELDS = ("title", "summary", "body", "topics", "conditions", "audience", "languages",
               "sources", "reading_age", "transcript", "easy_read")


class ContentError(Exception):
    """A change that cannot be made as asked."""


class SlugTaken(ContentError):
    pass


class NotOpen(ContentError):
    """The version is no longer a draft (it was approved or replaced)."""


@dataclass
class DraftConflict(ContentError):
    """Someone else saved this draft since the author opened it."""

    current: ContentVersion


class ApprovalRefused(ContentError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def content_hash(fields: dict[str, Any]) -> str:
    """SHA-256 of a version's content (text, lists, and the media files' hashes)."""
    canonical = {name: fields.get(name) for name in CONTENT_FIELDS}
    if fields.get("translations"):
        canonical["translations"] = fields["translations"]
    for name in ("body", "transcript", "easy_read"):
        value = canonical[name]
        if isinstance(value, str):
            canonical[name] = value.replace("\r\n", "\n").strip()
    payload = json.dumps(canonical, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _rehash(version: ContentVersion) -> None:
    version.content_hash = content_hash(version.fields())


def _flush(session: Session, version: ContentVersion) -> None:
    try:
        session.flush()
    except StaleDataError as error:
        raise DraftConflict(version) from error


# Drafts -----------------------------------------------------------------------------------

def _apply(session: Session, version: ContentVersion, fields: dict[str, Any],
           captions: str | None, by: Any) -> None:
    for name in TEXT_FIELDS:
        if name in fields:
            setattr(version, name, fields[name])
    if captions is not None:
        text = captions.replace("\r\n", "\n").strip()
        version.captions_sha256 = (media.store(session, (text + "\n").encode("utf-8"),
                                               media.VTT_TYPE).sha256 if text else None)
    version.edited_by_id = by.id
    session.add(ContentVersionChange(version=version, user_id=by.id))
    version.status = VersionStatus.DRAFT
    version.submitted_at = None
    _rehash(version)


def _audit(session: Session, event: EventType, version: ContentVersion, by: Any,
           **details: Any) -> None:
    record(session, event, actor_id=getattr(by, "id", None),
           target_type=ObjectType.GUIDANCE_VERSION, target_id=version.id,
           item=version.item.slug, version=version.number, **details)


@service
def create_item(session: Session, /, *, slug: str, fields: dict[str, Any],
                captions: str | None = None, by: Any) -> ContentVersion:
    """A new item with its first draft."""
    if queries.item_by_slug(session, slug) is not None:
        raise SlugTaken(slug)
    item = ContentItem(slug=slug)
    session.add(item)
    session.flush()
    version = ContentVersion(item=item, number=1, author_id=by.id, author_name=by.display_name,
                             title="", summary="", body="", content_hash="")
    session.add(version)
    _apply(session, version, fields, captions, by)
    session.flush()
    record(session, EventType.GUIDANCE_CREATED, actor_id=by.id, target_type=ObjectType.GUIDANCE,
           target_id=item.id, item=slug)
    return version


@service
def save_draft(session: Session, /, *, item: ContentItem, fields: dict[str, Any],
               based_on: int | None, captions: str | None = None, by: Any) -> ContentVersion:
    """Save the item's open draft; with none open, start a new one from the live version.

    ``based_on`` is the draft's ``revision`` the author started from (None: they started
    from the live version). Anything else saved since is a ``DraftConflict``.
    """
    draft = queries.open_draft(session, item.id)
    if draft is not None and draft.revision != based_on:
        raise DraftConflict(draft)
    if draft is None:
        if based_on is not None:
            raise NotOpen(item.slug)
        draft = _new_draft(session, item, by)
    _apply(session, draft, fields, captions, by)
    _flush(session, draft)
    _audit(session, EventType.GUIDANCE_DRAFT_SAVED, draft, by)
    return draft


def _new_draft(session: Session, item: ContentItem, by: Any) -> ContentVersion:
    live = queries.live_version(session, item.id)
    draft = ContentVersion(item=item, number=queries.latest_number(session, item.id) + 1,
                           author_id=by.id, author_name=by.display_name, content_hash="",
                           title="", summary="", body="")
    if live is not None:
        for name in CONTENT_FIELDS:
            setattr(draft, name, getattr(live, name))
    session.add(draft)
    return draft


@service
def submit(session: Session, /, *, version: ContentVersion, based_on: int, by: Any) -> None:
    """Send a draft for clinical approval (approvers are told by email)."""
    if version.status is not VersionStatus.DRAFT:
        raise NotOpen(version.id)
    if version.revision != based_on:
        raise DraftConflict(version)
    version.status = VersionStatus.SUBMITTED
    version.submitted_at = utcnow()
    _flush(session, version)
    _audit(session, EventType.GUIDANCE_SUBMITTED, version, by)
    contributors = queries.contributors(session, version)
    link = _link("content.review", content_version_id=version.id)
    for person in _people_with(session, Role.APPROVER):
        if not policies.wrote(person, contributors):
            _notify(session, person, _("Guidance is waiting for your approval"),
                    "content_submitted", title=version.title, link=link)


# Approval ---------------------------------------------------------------------------------

def captions_problems(session: Session, version: ContentVersion) -> list[vtt.Problem]:
    if version.captions_sha256 is None:
        return [vtt.Problem(1, vtt.NO_CUES)] if version.video_sha256 else []
    data = media.load(session, version.captions_sha256)
    return vtt.problems_in(data or b"")


@service
def approve(session: Session, /, *, version: ContentVersion, seen_hash: str, review_due: date,
            by: Any, on: date | None = None) -> ContentApproval:
    """Approve exactly the content the approver saw; the old live version is superseded."""
    day = on or policies.today()
    refusal = policies.approval_refusal(by, version, queries.contributors(session, version))
    if refusal:
        raise ApprovalRefused(refusal)
    if seen_hash != version.content_hash:
        raise ApprovalRefused(_("This version changed after you opened it. Check it again "
                                "before you approve it."))
    problems = captions_problems(session, version)
    if problems:
        raise ApprovalRefused(_("The captions are not valid WebVTT, so this version cannot be "
                                "approved. %(problem)s", problem=str(problems[0])))
    if review_due <= day:
        raise ApprovalRefused(_("The review date must be in the future."))
    live = queries.live_version(session, version.item_id)
    if live is not None:
        live.status = VersionStatus.SUPERSEDED
        session.flush()
    version.status = VersionStatus.APPROVED
    approval = _record_approval(session, version, by.id, by.display_name, day, review_due)
    _flush(session, version)
    _audit(session, EventType.GUIDANCE_APPROVED, version, by, review_due=review_due.isoformat())
    search.queue(session, version.item_id)
    for person in _users(session, {version.author_id, version.edited_by_id} - {by.id}):
        _notify(session, person, _("Your guidance has been approved"), "content_approved",
                title=version.title, link=_link("content.item", item_slug=version.item.slug))
    return approval


@service
def reapprove(session: Session, /, *, version: ContentVersion, review_due: date, by: Any,
              on: date | None = None) -> ContentApproval:
    """The live version was reviewed and is still right: a new approval, a new review date."""
    day = on or policies.today()
    if version.status is not VersionStatus.APPROVED:
        raise NotOpen(version.id)
    if not policies.is_approver(by) or policies.wrote(by, queries.contributors(session, version)):
        raise ApprovalRefused(_("You wrote or changed this version, so a different clinical "
                                "approver must review it."))
    if review_due <= day:
        raise ApprovalRefused(_("The review date must be in the future."))
    approval = _record_approval(session, version, by.id, by.display_name, day, review_due)
    _flush(session, version)
    _audit(session, EventType.GUIDANCE_APPROVED, version, by, review_due=review_due.isoformat(),
           again=True)
    search.queue(session, version.item_id)
    return approval


MAX_SEND_BACK_COMMENT = 2000


@service
def send_back(session: Session, /, *, version: ContentVersion, comment: str, by: Any
              ) -> ContentSendBack:
    """An approver returns a submitted version to its authors with comments: it is a draft
    again (the same version, so its history and changes stay), and its author and last editor
    are emailed a link to the item's page, where the comment is shown. The audit entry says
    that it was sent back, never what the comment says."""
    if version.status is not VersionStatus.SUBMITTED:
        raise NotOpen(version.id)
    if not policies.is_approver(by):
        raise ApprovalRefused(_("Only a clinical approver can send guidance back."))
    comment = comment.strip()
    if not comment or len(comment) > MAX_SEND_BACK_COMMENT:
        raise ApprovalRefused(_("Enter your comments for the author"))
    returned = ContentSendBack(version=version, approver_id=by.id,
                               approver_name=by.display_name, comment=comment)
    session.add(returned)
    version.status = VersionStatus.DRAFT
    version.submitted_at = None
    _flush(session, version)
    _audit(session, EventType.GUIDANCE_SENT_BACK, version, by)
    for person in _users(session, {version.author_id, version.edited_by_id} - {by.id}):
        _notify(session, person, _("Your guidance has been sent back with comments"),
                "content_sent_back", title=version.title,
                link=_link("content.staff_item", item_slug=version.item.slug))
    return returned


def _record_approval(session: Session, version: ContentVersion, approver_id: int | None,
                     approver_name: str, day: date, review_due: date) -> ContentApproval:
    approval = ContentApproval(version=version, approver_id=approver_id,
                               approver_name=approver_name, approved_on=day,
                               content_hash=version.content_hash, review_due=review_due)
    session.add(approval)
    version.approved_on, version.review_due = day, review_due
    return approval


@service
def withdraw(session: Session, /, *, version: ContentVersion, reason: WithdrawalReason,
             by: Any | None = None) -> None:
    """Take the live version away from residents. Nothing is deleted."""
    if version.status is not VersionStatus.APPROVED:
        raise NotOpen(version.id)
    version.status = VersionStatus.WITHDRAWN
    version.withdrawn_at, version.withdrawal_reason = utcnow(), reason
    _flush(session, version)
    _audit(session, EventType.GUIDANCE_WITHDRAWN, version, by, cause=reason.value)
    search.queue(session, version.item_id)
    for person in _responsible(session, version, skip=getattr(by, "id", None)):
        _notify(session, person, _("Guidance has been withdrawn"), "content_withdrawn",
                title=version.title, reason=reason.value,
                link=_link("content.staff_item", item_slug=version.item.slug))


@dataclass
class ReviewCounts:
    under_review: int = 0
    reminded: int = 0
    emails: int = 0
    withdrawn: int = 0


@service
def review_dates(session: Session, /, *, on: date | None = None, by: Any = None) -> ReviewCounts:
    """Remind once when a review date passes; withdraw 90 days after it unless re-approved."""
    day = on or policies.today()
    counts = ReviewCounts()
    for version in queries.review_due_versions(session, day):
        if policies.is_overdue_for_withdrawal(version, day):
            withdraw(session, version=version, reason=WithdrawalReason.REVIEW_OVERDUE)
            counts.withdrawn += 1
            continue
        counts.under_review += 1
        approval = version.latest_approval
        if approval is None or approval.reminded_at is not None:
            continue
        approval.reminded_at = datetime.combine(day, time(12), tzinfo=UTC)
        counts.reminded += 1
        withdrawal = policies.withdrawal_date(version)
        for person in _responsible(session, version):
            _notify(session, person, _("Guidance is due for review"), "content_review_due",
                    title=version.title, review_due=version.review_due, withdrawal=withdrawal,
                    link=_link("content.staff_item", item_slug=version.item.slug))
            counts.emails += 1
    session.flush()
    if counts.reminded or counts.withdrawn:
        record(session, EventType.GUIDANCE_REVIEW_CHECKED, actor_id=getattr(by, "id", None),
               target_type=ObjectType.GUIDANCE, reminded=counts.reminded,
               withdrawn=counts.withdrawn)
    return counts


# Residents and care workers ---------------------------------------------------------------

@service
def recommend(session: Session, /, *, item: ContentItem, person: Any,
              by: Any) -> ContentRecommendation:
    """Recommend a live item to someone the worker's team serves with consent (again: it moves
    to the top); the care circles' policy decides (``Access.RECOMMEND``)."""
    from portal.circles.policy import Access, decide

    if not policies.can_receive_recommendation(person) or not decide(
            session, actor=by, person=person, access=Access.RECOMMEND):
        raise ContentError("cannot recommend")
    row = session.scalar(select(ContentRecommendation).where(
        ContentRecommendation.item_id == item.id, ContentRecommendation.person_id == person.id))
    if row is None:
        row = ContentRecommendation(item_id=item.id, person_id=person.id)
        session.add(row)
    row.recommended_by_id, row.recommended_at = by.id, utcnow()
    session.flush()
    record(session, EventType.GUIDANCE_RECOMMENDED, actor_id=by.id, subject_id=person.id,
           target_type=ObjectType.GUIDANCE, target_id=item.id, item=item.slug)
    return row


@service(audited=False, because="'Was this helpful?' is anonymous and changes no one's record")
def record_feedback(session: Session, /, *, version: ContentVersion, helpful: bool,
                    comment: str | None) -> ContentFeedback:
    """"Was this helpful?": no personal data is kept with it."""
    comment = (comment or "").strip()[:MAX_COMMENT_CHARS] or None
    row = ContentFeedback(item_id=version.item_id, version_number=version.number,
                          helpful=helpful, comment=comment)
    session.add(row)
    session.flush()
    return row


@service
def set_captions(session: Session, /, *, user: Any, captions_on: bool) -> None:
    if user.captions_on != captions_on:
        user.captions_on = captions_on
        session.flush()
        record(session, EventType.SETTINGS_CHANGED, actor_id=user.id, subject_id=user.id,
               settings=["captions_on"])


# People and emails ------------------------------------------------------------------------

def _users(session: Session, ids: set[int | None]) -> list[User]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return []
    return [u for u in session.scalars(select(User).where(User.id.in_(wanted)).order_by(User.id))
            if u.is_active]


def _people_with(session: Session, role: Role) -> list[User]:
    return [u for u in session.scalars(select(User).join(UserRole).where(UserRole.role == role)
                                       .order_by(User.id)) if u.is_active]


def _responsible(session: Session, version: ContentVersion, skip: int | None = None) -> list[User]:
    approval = version.latest_approval
    ids = {version.author_id, version.edited_by_id, approval.approver_id if approval else None}
    return [u for u in _users(session, ids) if u.id != skip]


def _notify(session: Session, person: User, subject: str, template: str, **context: Any) -> None:
    queue_email(session, to=person.email, subject=subject, template=template, **context)


def _link(endpoint: str, **values: Any) -> str:
    return public_url(endpoint, **values)


# A person's data --------------------------------------------------------------------------

def export_recommendations(session: Session, user: Any) -> list[dict[str, Any]]:
    rows = session.scalars(select(ContentRecommendation)
                           .where(ContentRecommendation.person_id == user.id)
                           .order_by(ContentRecommendation.id))
    return [{"guidance": row.item.slug, "recommended_at": row.recommended_at.isoformat(),
             "recommended_by_id": row.recommended_by_id} for row in rows]


def erase_recommendations(session: Session, user: Any) -> None:
    for row in session.scalars(select(ContentRecommendation)
                               .where(ContentRecommendation.person_id == user.id)):
        session.delete(row)
    session.flush()


register_exporter("guidance_recommendations", export_recommendations)
register_eraser("guidance_recommendations", erase_recommendations)
