"""Saving a journey's answers page by page in a draft keyed by a random token."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.clock import utcnow
from portal.journeys.models import JourneyDraft
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
