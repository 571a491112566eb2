"""Saving a journey's answers page by page in a draft keyed by a random token."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from portal.clock import as_utc, utcnow
from portal.journeys.models import JourneyDraft, JourneyResumeLink
from portal.unit_of_work import service


class DraftSubmitted(ValueError):
    """The draft was already sent; a new one needs a new token."""


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def find_draft(session: Session, journey: str, token: str | None) -> JourneyDraft | None:
    if not token:
        return None
    return session.scalar(select(JourneyDraft).where(
        JourneyDraft.journey == journey, JourneyDraft.token_hash == token_hash(token)))


def open_draft(session: Session, journey: str, token: str | None, *, user_id: int | None
               ) -> JourneyDraft | None:
    """The unsent draft ``token`` names, if this visitor may carry it on: anyone holding the
    token of a draft (the token is the proof, as after a session has gone), except someone
    signed in to another account than the draft's."""
    draft = find_draft(session, journey, token)
    if draft is None or draft.submitted_at is not None:
        return None
    if draft.user_id is not None and user_id is not None and draft.user_id != user_id:
        return None
    return draft


@service(audited=False, because="a form's answers in progress; the submission is audited")
def save_page(session: Session, /, *, journey: str, token: str, page_id: str,
              answers: dict[str, Any], user_id: int | None) -> JourneyDraft:
    draft = find_draft(session, journey, token)
    if draft is not None and draft.submitted_at is not None:
        raise DraftSubmitted(journey)
    if draft is None:
        draft = JourneyDraft(journey=journey, token_hash=token_hash(token), answers={},
                             user_id=user_id)
        session.add(draft)
    draft.answers = {**draft.answers, page_id: answers}
    draft.updated_at = utcnow()
    if user_id and draft.user_id is None:
        draft.user_id = user_id
    return draft


def draft_of_user(session: Session, journey: str, user_id: int) -> JourneyDraft | None:
    """The account's newest unsent draft of this journey. Only that one row is read and
    decrypted: a draft is made by ``save_page`` with a page in it, so an unsent one always has
    something answered."""
    draft = session.scalar(select(JourneyDraft).where(
        JourneyDraft.journey == journey, JourneyDraft.user_id == user_id,
        JourneyDraft.submitted_at.is_(None)).order_by(JourneyDraft.updated_at.desc(),
                                                      JourneyDraft.id.desc()).limit(1))
    return draft if draft is not None and draft.answers else None


@service(audited=False, because="a form's answers in progress; the submission is audited")
def take_over(session: Session, /, *, draft: JourneyDraft) -> str:
    """A new token for the draft (for this browser's session); the old token stops working,
    so only one browser at a time holds a draft."""
    token = new_token()
    draft.token_hash = token_hash(token)
    draft.updated_at = utcnow()
    return token


def new_resume_link(session: Session, draft: JourneyDraft, *, lifetime: timedelta) -> str:
    """A single-use link token for ``draft`` (only its hash is kept), inside the caller's
    service. Sending a link touches the draft, so ``purge_drafts`` (never sooner than a link
    lasts) does not delete it while the link works."""
    if draft.submitted_at is not None:
        raise DraftSubmitted(draft.journey)
    link = new_token()
    now = utcnow()
    draft.updated_at = now
    session.add(JourneyResumeLink(draft_id=draft.id, token_hash=token_hash(link),
                                  expires_at=now + lifetime))
    session.flush()
    return link


class LinkProblem(ValueError):
    """A resume link that cannot be used: ``reason`` is unknown, used or expired."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Resumed:
    draft: JourneyDraft
    token: str


def check_resume_link(session: Session, journey: str, link: str) -> JourneyResumeLink:
    """The link if it may still be used; ``LinkProblem`` says why not."""
    found = session.scalar(select(JourneyResumeLink).where(
        JourneyResumeLink.token_hash == token_hash(link)))
    draft = session.get(JourneyDraft, found.draft_id) if found is not None else None
    if found is None or draft is None or draft.journey != journey:
        raise LinkProblem("unknown")
    if found.used_at is not None or draft.submitted_at is not None:
        raise LinkProblem("used")
    if as_utc(found.expires_at) <= utcnow():
        raise LinkProblem("expired")
    return found


@service(audited=False, because="a form's answers in progress; the submission is audited")
def use_resume_link(session: Session, /, *, journey: str, link: str) -> Resumed:
    """Follow a resume link once: every link to the draft stops working, and the draft gets a
    new token for this browser. Two presses at once: the second finds the link used."""
    found = check_resume_link(session, journey, link)
    now = utcnow()
    claimed = session.execute(
        update(JourneyResumeLink).where(JourneyResumeLink.id == found.id,
                                        JourneyResumeLink.used_at.is_(None))
        .values(used_at=now).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise LinkProblem("used")
    session.execute(update(JourneyResumeLink).where(
        JourneyResumeLink.draft_id == found.draft_id, JourneyResumeLink.used_at.is_(None))
        .values(used_at=now).execution_options(synchronize_session=False))
    draft = session.get(JourneyDraft, found.draft_id)
    if draft is None:  # purged between the check and the claim: as good as expired
        raise LinkProblem("expired")
    return Resumed(draft, take_over(session, draft=draft))


@service(audited=False, because="unsent form drafts past their time (nobody's record yet)")
def purge_drafts(session: Session, /, *, days: int) -> int:
    """Delete unsent drafts nobody has touched for ``days`` days, with their links (the
    answers of a form never sent are not kept for ever). Sent drafts hold no answers."""
    cutoff = utcnow() - timedelta(days=days)
    ids = list(session.scalars(select(JourneyDraft.id).where(
        JourneyDraft.submitted_at.is_(None), JourneyDraft.updated_at < cutoff)))
    for chunk in range(0, len(ids), 500):
        part = ids[chunk:chunk + 500]
        session.execute(delete(JourneyResumeLink).where(JourneyResumeLink.draft_id.in_(part)))
        session.execute(delete(JourneyDraft).where(JourneyDraft.id.in_(part)))
    return len(ids)
