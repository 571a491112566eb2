"""Asking for and keeping the experience pulse: who may be asked, and an answer kept apart
from the person who gave it (``portal.pulse.models``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portal.audit.events import AccessReason
from portal.carers.models import CarerReferral, ReferralStatus
from portal.circles.policy import decide_referral
from portal.clock import today
from portal.messaging.models import MessageThread, ThreadStatus
from portal.privacy.registry import register_eraser, register_exporter
from portal.pulse.models import PulseAnswer, PulseAsked
from portal.pulse.statements import ASKED, SCALE, Statement, Subject, quarter_of
from portal.unit_of_work import service


class NotAsked(ValueError):
    """This person is not being asked this (not theirs, not finished, not a statement for it)."""


class AlreadyAnswered(ValueError):
    """They have already answered (or turned down) this statement about this."""


def theirs(session: Session, subject: Subject, item: Any, person: Any) -> bool:
    """Only the person themself is asked (never a carer acting for them, never staff): the
    access policy decides whose the conversation or request is."""
    if item is None or not getattr(person, "is_authenticated", False):
        return False
    if subject is Subject.THREAD:
        from portal.messaging.services import thread_decision

        decision = thread_decision(session, actor=person, thread=item)
        return decision.reason is AccessReason.OWNER and item.person_id == person.id
    return decide_referral(session, actor=person, referral=item).reason is AccessReason.OWNER


def finished(subject: Subject, item: Any) -> bool:
    """Asked once the conversation is closed or the request completed."""
    if subject is Subject.THREAD:
        return item.status is ThreadStatus.CLOSED
    return item.status is ReferralStatus.COMPLETED


def _finished_and_theirs(session: Session, subject: Subject, item: Any, person: Any) -> bool:
    """Finished first: every page of an open conversation or request asks this, and only a
    finished one needs the access policy."""
    return item is not None and finished(subject, item) and theirs(session, subject, item, person)


def _asked(session: Session, subject: Subject, item: Any, person: Any) -> set[str]:
    return set(session.scalars(select(PulseAsked.statement).where(
        PulseAsked.person_id == person.id, PulseAsked.subject == subject.value,
        PulseAsked.subject_id == item.id)))


def to_ask(session: Session, *, subject: Subject, item: Any, person: Any) -> list[Statement]:
    """The statements still to put to ``person`` about ``item`` (none if they may not be
    asked)."""
    if not _finished_and_theirs(session, subject, item, person):
        return []
    done = _asked(session, subject, item, person)
    return [statement for statement in ASKED[subject] if statement.value not in done]


def _locality_id(subject: Subject, item: Any, person: Any) -> int | None:
    if subject is Subject.REFERRAL:
        return item.locality_id  # type: ignore[no-any-return]
    return person.locality_id  # type: ignore[no-any-return]


@service(audited=False, because="an anonymous answer; an audit event naming the person "
                                "beside it would let the answer be traced back to them")
def answer(session: Session, /, *, subject: Subject, item: MessageThread | CarerReferral,
           statement: Statement, value: int | None, by: Any) -> None:
    """Keep the answer (``value`` 1 to 5; None: they would rather not say) with only the
    locality and quarter, and, apart, that ``by`` has been asked this."""
    if statement not in ASKED[subject] or not _finished_and_theirs(session, subject, item, by):
        raise NotAsked(statement.value)
    if statement.value in _asked(session, subject, item, by):
        raise AlreadyAnswered(statement.value)
    if value is not None and value not in SCALE:
        raise NotAsked(f"{value} is not on the scale")
    session.add(PulseAsked(person_id=by.id, subject=subject.value, subject_id=item.id,
                           statement=statement.value))
    if value is not None:
        session.add(PulseAnswer(locality_id=_locality_id(subject, item, by),
                                quarter=quarter_of(today()), statement=statement.value,
                                answer=value))
    session.flush()


@service(audited=False, because="turning down the pulse: no answer is kept")
def decline(session: Session, /, *, subject: Subject, item: MessageThread | CarerReferral,
            by: Any) -> None:
    """"No thanks": none of the statements left is asked again."""
    for statement in to_ask(session, subject=subject, item=item, person=by):
        session.add(PulseAsked(person_id=by.id, subject=subject.value, subject_id=item.id,
                               statement=statement.value))
    session.flush()


# The person's data download and erasure ------------------------------------------------------


def export_asked(session: Session, user: Any) -> list[dict[str, Any]]:
    """Which statements the person was asked about which conversation or request. Their
    answers are not here: they were never kept with their name."""
    rows = session.scalars(select(PulseAsked).where(PulseAsked.person_id == user.id)
                           .order_by(PulseAsked.subject, PulseAsked.subject_id,
                                     PulseAsked.statement))
    return [{"about": row.subject, "id": row.subject_id, "statement": row.statement}
            for row in rows]


def erase_asked(session: Session, user: Any) -> None:
    session.execute(delete(PulseAsked).where(PulseAsked.person_id == user.id))


register_exporter("experience_pulse_asked", export_asked)
register_eraser("experience_pulse_asked", erase_asked)
