"""Email notices queued with a change and sent only after its transaction commits.

A notice that announces a change that was then rolled back would be a lie, so services queue
notices on the session (``queue``) and they leave after commit; a rollback discards them.
Notices carry a listing's name and a link, nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.mail import send_notice

_KEY = "portal.moderation.notices"


@dataclass(frozen=True)
class Notice:
    to: str
    subject: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)


def queue(session: Session, notice: Notice) -> None:
    session.info.setdefault(_KEY, []).append(notice)


def queued(session: Session) -> list[Notice]:
    return list(session.info.get(_KEY, []))


@event.listens_for(Session, "after_commit")
def _send_after_commit(session: Session) -> None:
    notices = session.info.pop(_KEY, [])
    for notice in notices:
        send_notice(to=notice.to, subject=notice.subject, template=notice.template,
                    **notice.context)


@event.listens_for(Session, "after_soft_rollback")
def _discard_after_rollback(session: Session, _previous: Any) -> None:
    session.info.pop(_KEY, None)
