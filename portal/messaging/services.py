"""Everything that changes messaging: each function is one audited transaction.

Every call asks the access policy afresh (``decide(..., Access.MESSAGES)``), so a carer whose
messaging scope was revoked a second ago is refused on their very next send.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import case, delete, select, update
from sqlalchemy.orm import Session

from portal.accounts.models import CareTeam, User
from portal.audit.events import AccessReason, EventType
from portal.audit.services import record
from portal.circles.models import Purpose
from portal.circles.policy import Access, Decision, decide, live_purposes, serving_team_ids
from portal.clock import utcnow
from portal.crypto import decrypt_bytes, encrypt_bytes
from portal.figures import counts as figures
from portal.mail import public_url, queue_email
from portal.messaging.crisis import suggests_crisis
from portal.messaging.files import CleanFile
from portal.messaging.hours import local_text, team_hours
from portal.messaging.models import (
    Attachment,
    Message,
    MessageKind,
    MessageThread,
    MessagingPreference,
    ThreadNote,
    ThreadStatus,
    Waiting,
)
from portal.privacy.registry import register_eraser, register_exporter
from portal.unit_of_work import service

TARGET = "message_thread"
MAX_BODY = 10_000
MAX_SUBJECT = 120


class MessagingRefused(Exception):
    """The change is not allowed; ``reason``: no_consent | not_allowed | not_served | closed."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Sent:
    message: Message
    crisis: bool
    repeated: bool = False  # the same form was sent before: nothing new was made


def _roles(user: Any) -> list[str]:
    return sorted(role.value for role in user.roles)


def thread_decision(session: Session, *, actor: Any, thread: MessageThread,
                    person: User | None = None) -> Decision:
    """May ``actor`` read and write in ``thread``? The person, a carer with the messages scope,
    or a member of the thread's own team while the person's messaging consent lasts.
    ``person``: the thread's person when the caller has them loaded already."""
    if person is None or person.id != thread.person_id:
        person = session.get(User, thread.person_id)
    decision = decide(session, actor=actor, person=person, access=Access.MESSAGES)
    if decision.reason is AccessReason.CARE_TEAM:
        mine = {team.id for team in actor.teams}
        if thread.team_id not in mine or (thread.team_id != decision.team_id and thread.team_id
                                          not in serving_team_ids(session, person)):
            return Decision(None)
        return Decision(AccessReason.CARE_TEAM, team_id=thread.team_id)
    return decision


def _check_person_side(session: Session, *, person: User, by: User) -> Decision:
    decision = decide(session, actor=by, person=person, access=Access.MESSAGES)
    if decision.reason not in (AccessReason.OWNER, AccessReason.PROXY):
        raise MessagingRefused("not_allowed")
    if Purpose.MESSAGING not in live_purposes(session, person.id):
        raise MessagingRefused("no_consent")
    return decision


def _existing(session: Session, by: User, key: str | None) -> Message | None:
    if not key:
        return None
    return session.scalar(select(Message).where(Message.author_id == by.id,
                                                Message.idempotency_key == key))


def _attach(message: Message, files: Sequence[CleanFile]) -> None:
    for item in files:
        message.attachments.append(Attachment(
            filename=item.filename, content_type=item.content_type, size=len(item.data),
            data=encrypt_bytes(item.data)))


def _auto_reply(session: Session, thread: MessageThread, team: CareTeam) -> None:
    """Out of hours: say so, name the 24/7 routes and when the team is next in."""
    hours = team_hours(team.slug)
    now = utcnow()
    if hours.is_open(now):
        return
    last = session.scalar(select(Message.kind).where(Message.thread_id == thread.id)
                          .order_by(Message.id.desc()).limit(1))
    if last is MessageKind.AUTO:
        return
    body = _("The team is not working right now. They will be back %(when)s and will reply "
             "then. If you need help before that, call 111 (or %(number)s, day and night). "
             "In an emergency call 999.",
             when=local_text(hours.next_open(now), "EEEE d MMMM, HH:mm"),
             number=hours.out_of_hours_number)
    session.add(Message(thread_id=thread.id, kind=MessageKind.AUTO, body=body, created_at=now))


def _sent_event(session: Session, message: Message, thread: MessageThread, by: User,
                reason: AccessReason | None, crisis: bool) -> None:
    record(session, EventType.MESSAGE_SENT, actor_id=by.id, subject_id=thread.person_id,
           target_type=TARGET, target_id=thread.id, reason=reason, message=message.id,
           kind=message.kind.value, urgent=crisis, attachments=len(message.attachments),
           cards=len(message.cards))


@service
def start_thread(session: Session, /, *, person: User, subject: str, body: str,
                 files: Sequence[CleanFile] = (), key: str | None = None, by: User) -> Sent:
    """A new thread to the team that serves the person, with its first message."""
    earlier = _existing(session, by, key)
    if earlier is not None:
        return Sent(earlier, suggests_crisis(earlier.body), repeated=True)
    decision = _check_person_side(session, person=person, by=by)
    team_ids = serving_team_ids(session, person)
    if not team_ids:
        raise MessagingRefused("not_served")
    team = session.get(CareTeam, team_ids[0])
    assert team is not None  # nosec B101: the id came from the team table
    now = utcnow()
    crisis = suggests_crisis(subject + "\n" + body)
    due = team_hours(team.slug).reply_due(now)
    thread = MessageThread(person_id=person.id, team_id=team.id, subject=subject,
                           urgent=crisis, created_at=now, last_message_at=now,
                           waiting_on=Waiting.TEAM,
                           reply_due_at=due, first_reply_due_at=due)
    session.add(thread)
    session.flush()
    message = Message(thread_id=thread.id, kind=MessageKind.PERSON, author_id=by.id,
                      on_behalf_relationship=decision.grant.relationship if decision.grant
                      else None, body=body, idempotency_key=key, created_at=now, cards=[])
    _attach(message, files)
    session.add(message)
    session.flush()
    figures.thread_started(session, team_id=team.id, at=now, urgent=crisis)
    _auto_reply(session, thread, team)
    _sent_event(session, message, thread, by, decision.reason, crisis)
    return Sent(message, crisis)


@service
def reply(session: Session, /, *, thread: MessageThread, body: str,
          files: Sequence[CleanFile] = (), cards: Sequence[dict[str, str]] = (),
          key: str | None = None, by: User) -> Sent:
    """A message in an existing thread, from the person's side or the team's."""
    earlier = _existing(session, by, key)
    if earlier is not None:
        return Sent(earlier, suggests_crisis(earlier.body), repeated=True)
    # Held for the whole call: the identity map keeps only what someone holds, so every later
    # get() of the person would otherwise load them again with their roles and teams.
    person = session.get(User, thread.person_id)
    assert person is not None  # nosec B101: a foreign key
    decision = thread_decision(session, actor=by, thread=thread, person=person)
    if not decision:
        raise MessagingRefused("not_allowed")
    # Replies to one thread take turns (the row lock), so their times follow their order.
    before = session.execute(
        select(MessageThread.urgent, MessageThread.first_reply_at, MessageThread.first_reply_due_at,
               MessageThread.created_at).where(MessageThread.id == thread.id)
        .with_for_update()).one()
    now = utcnow()
    team = session.get(CareTeam, thread.team_id)
    assert team is not None  # nosec B101: a foreign key
    from_team = decision.reason is AccessReason.CARE_TEAM
    if not from_team:
        _check_person_side(session, person=person, by=by)
    crisis = not from_team and suggests_crisis(body)
    message = Message(thread_id=thread.id, author_id=by.id, body=body, idempotency_key=key,
                      kind=MessageKind.TEAM if from_team else MessageKind.PERSON,
                      on_behalf_relationship=decision.grant.relationship if decision.grant
                      else None, cards=list(cards) if from_team else [], created_at=now)
    _attach(message, files)
    session.add(message)
    session.flush()
    # One UPDATE, no read-modify-write: two replies at once both land, a reassignment
    # meanwhile is kept.
    # Never backwards: of two replies at once, the one that commits last may be the older.
    latest = case((MessageThread.last_message_at > now, MessageThread.last_message_at),
                  else_=now)
    values: dict[str, Any] = {"last_message_at": latest, "status": ThreadStatus.OPEN,
                              "closed_at": None}
    if from_team:
        values |= {"waiting_on": Waiting.PERSON, "reply_due_at": None}
        if before.first_reply_at is None:
            values |= _first_reply(session, team, before.created_at, before.first_reply_due_at, now)
    else:
        values |= {"waiting_on": Waiting.TEAM,
                   "reply_due_at": team_hours(team.slug).reply_due(now)}
        if crisis:
            values["urgent"] = True
            if not before.urgent:
                figures.thread_flagged_urgent(session, team_id=team.id, started=before.created_at)
    session.execute(update(MessageThread).where(MessageThread.id == thread.id).values(**values)
                    .execution_options(synchronize_session=False))
    if from_team:
        session.execute(update(Message).where(Message.thread_id == thread.id,
                                              Message.kind == MessageKind.PERSON,
                                              Message.read_by_team_at.is_(None))
                        .values(read_by_team_at=now)
                        .execution_options(synchronize_session=False))
        _notify_person(session, thread, message, person)
    else:
        _auto_reply(session, thread, team)
    _sent_event(session, message, thread, by, decision.reason, crisis)
    session.expire(thread)
    return Sent(message, crisis)


def _first_reply(session: Session, team: CareTeam, asked: datetime, due: datetime | None,
                 now: datetime) -> dict[str, Any]:
    """The team's first reply and the working hours it took, kept once (for the figures)."""
    hours = figures.first_reply(session, team_id=team.id, hours=team_hours(team.slug),
                                started=asked, replied=now, due=due)
    return {"first_reply_at": now, "reply_working_hours": hours}


def email_on(session: Session, user_id: int) -> bool:
    pref = session.get(MessagingPreference, user_id)
    return True if pref is None else pref.email_on


def _notify_person(session: Session, thread: MessageThread, message: Message, person: User
                   ) -> None:
    if not person.is_active or not email_on(session, person.id):
        return
    queue_email(session, to=person.email, subject=_("You have a new message from your care team"),
                template="new_message", key=f"message-email:{message.id}",
                link=public_url("messaging.thread", thread_id=thread.id))


@service
def open_thread(session: Session, /, *, thread: MessageThread, by: User) -> Decision:
    """Reading a thread: recorded, and the other side's messages are marked read."""
    decision = thread_decision(session, actor=by, thread=thread)
    if not decision:
        raise MessagingRefused("not_allowed")
    now = utcnow()
    if decision.reason is AccessReason.CARE_TEAM:
        condition = (Message.kind == MessageKind.PERSON, Message.read_by_team_at.is_(None))
        values: dict[str, Any] = {"read_by_team_at": now}
    else:
        condition = (Message.kind != MessageKind.PERSON, Message.read_by_person_at.is_(None))
        values = {"read_by_person_at": now}
    session.execute(update(Message).where(Message.thread_id == thread.id, *condition)
                    .values(**values).execution_options(synchronize_session=False))
    record(session, EventType.MESSAGE_THREAD_OPENED, actor_id=by.id,
           subject_id=thread.person_id, target_type=TARGET, target_id=thread.id,
           reason=decision.reason, viewer_roles=_roles(by))
    return decision


def _team_only(session: Session, thread: MessageThread, by: User) -> Decision:
    decision = thread_decision(session, actor=by, thread=thread)
    if decision.reason is not AccessReason.CARE_TEAM:
        raise MessagingRefused("not_allowed")
    return decision


@service
def assign(session: Session, /, *, thread: MessageThread, assignee: User | None, by: User
           ) -> None:
    decision = _team_only(session, thread, by)
    if assignee is not None and thread.team_id not in {t.id for t in assignee.teams}:
        raise MessagingRefused("not_allowed")
    session.execute(update(MessageThread).where(MessageThread.id == thread.id)
                    .values(assignee_id=assignee.id if assignee else None)
                    .execution_options(synchronize_session=False))
    record(session, EventType.MESSAGE_THREAD_ASSIGNED, actor_id=by.id,
           subject_id=thread.person_id, target_type=TARGET, target_id=thread.id,
           reason=decision.reason, assignee=assignee.id if assignee else None)
    session.expire(thread)


@service
def add_note(session: Session, /, *, thread: MessageThread, body: str, by: User) -> ThreadNote:
    decision = _team_only(session, thread, by)
    note = ThreadNote(thread_id=thread.id, author_id=by.id, body=body)
    session.add(note)
    session.flush()
    record(session, EventType.MESSAGE_NOTE_ADDED, actor_id=by.id, subject_id=thread.person_id,
           target_type=TARGET, target_id=thread.id, reason=decision.reason, note=note.id)
    return note


@service
def set_status(session: Session, /, *, thread: MessageThread, closed: bool, by: User) -> None:
    decision = _team_only(session, thread, by)
    session.execute(update(MessageThread).where(MessageThread.id == thread.id).values(
        status=ThreadStatus.CLOSED if closed else ThreadStatus.OPEN,
        closed_at=utcnow() if closed else None).execution_options(synchronize_session=False))
    record(session, EventType.MESSAGE_THREAD_CLOSED if closed
           else EventType.MESSAGE_THREAD_REOPENED, actor_id=by.id,
           subject_id=thread.person_id, target_type=TARGET, target_id=thread.id,
           reason=decision.reason)
    session.expire(thread)


@service
def open_attachment(session: Session, /, *, attachment: Attachment, by: User
                    ) -> tuple[Attachment, bytes]:
    message = session.get(Message, attachment.message_id)
    thread = session.get(MessageThread, message.thread_id) if message else None
    decision = thread_decision(session, actor=by, thread=thread) if thread else Decision(None)
    if not decision or thread is None:
        raise MessagingRefused("not_allowed")
    record(session, EventType.MESSAGE_ATTACHMENT_OPENED, actor_id=by.id,
           subject_id=thread.person_id, target_type=TARGET, target_id=thread.id,
           reason=decision.reason, attachment=attachment.id)
    return attachment, decrypt_bytes(attachment.data)


@service
def set_email_notifications(session: Session, /, *, on: bool, by: User) -> None:
    pref = session.get(MessagingPreference, by.id)
    if pref is None:
        pref = MessagingPreference(user_id=by.id, email_on=on)
        session.add(pref)
    pref.email_on = on
    session.flush()
    record(session, EventType.SETTINGS_CHANGED, actor_id=by.id, subject_id=by.id,
           settings=["message_emails"])


@service
def purge_closed(session: Session, /, *, days: int, by: User | None = None) -> int:
    """Retention: delete threads closed more than ``days`` days ago (with everything in them)."""
    cutoff = utcnow() - timedelta(days=days)
    ids = list(session.scalars(select(MessageThread.id).where(
        MessageThread.status == ThreadStatus.CLOSED, MessageThread.closed_at < cutoff)))
    for chunk in range(0, len(ids), 500):
        part = ids[chunk:chunk + 500]
        message_ids = select(Message.id).where(Message.thread_id.in_(part))
        session.execute(delete(Attachment).where(Attachment.message_id.in_(message_ids)))
        session.execute(delete(Message).where(Message.thread_id.in_(part)))
        session.execute(delete(ThreadNote).where(ThreadNote.thread_id.in_(part)))
        session.execute(delete(MessageThread).where(MessageThread.id.in_(part)))
    record(session, EventType.MESSAGE_THREADS_PURGED, actor_id=by.id if by else None,
           target_type=TARGET, days=days, count=len(ids))
    return len(ids)


# The person's data: download and erasure ------------------------------------------------


def export_messages(session: Session, user: Any) -> list[dict[str, Any]]:
    threads = session.scalars(select(MessageThread).where(MessageThread.person_id == user.id)
                              .order_by(MessageThread.id))
    return [{"subject": t.subject, "status": t.status.value, "created_at": t.created_at.isoformat(),
             "messages": [{"kind": m.kind.value, "sent_at": m.created_at.isoformat(),
                           "body": m.body, "attachments": [a.filename for a in m.attachments]}
                          for m in t.messages]}
            for t in threads]


def erase_messages(session: Session, user: Any) -> None:
    ids = list(session.scalars(select(MessageThread.id).where(MessageThread.person_id == user.id)))
    if ids:
        message_ids = select(Message.id).where(Message.thread_id.in_(ids))
        session.execute(delete(Attachment).where(Attachment.message_id.in_(message_ids)))
        session.execute(delete(Message).where(Message.thread_id.in_(ids)))
        session.execute(delete(ThreadNote).where(ThreadNote.thread_id.in_(ids)))
        session.execute(delete(MessageThread).where(MessageThread.id.in_(ids)))
    session.execute(delete(MessagingPreference).where(MessagingPreference.user_id == user.id))


register_exporter("messages", export_messages)
register_eraser("messages", erase_messages)
