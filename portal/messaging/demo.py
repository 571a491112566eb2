"""Demo messaging: threads across both teams in several states. Idempotent."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.models import CareTeam, User
from portal.circles.models import CarerGrant, Purpose, Scope, TeamConsent
from portal.circles.services import CONSENT_WORDING
from portal.clock import utcnow
from portal.figures import counts as figures
from portal.messaging.hours import team_hours
from portal.messaging.models import (
    Message,
    MessageKind,
    MessageThread,
    ThreadNote,
    ThreadStatus,
    Waiting,
)
from portal.places.models import Locality


def _user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email))


def _ready(session: Session, person: User, locality_slug: str) -> None:
    if person.locality_id is None:
        locality = session.scalar(select(Locality).where(Locality.slug == locality_slug))
        if locality is not None:
            person.locality_id, person.locality_source = locality.id, "chosen"
    if session.scalar(select(TeamConsent.id).where(
            TeamConsent.person_id == person.id, TeamConsent.purpose == Purpose.MESSAGING,
            TeamConsent.withdrawn_at.is_(None))) is None:
        session.add(TeamConsent(person_id=person.id, purpose=Purpose.MESSAGING,
                                wording=str(CONSENT_WORDING[Purpose.MESSAGING]),
                                given_by_id=person.id))


def _thread(session: Session, person: User, team: CareTeam, subject: str,
            lines: list[tuple[MessageKind, User | None, str]], *, status: ThreadStatus =
            ThreadStatus.OPEN, urgent: bool = False, assignee: User | None = None,
            days_ago: int = 1, relationship: str | None = None) -> MessageThread:
    start = utcnow() - timedelta(days=days_ago)
    thread = MessageThread(person_id=person.id, team_id=team.id, subject=subject, urgent=urgent,
                           status=status, assignee_id=assignee.id if assignee else None,
                           created_at=start, last_message_at=start,
                           closed_at=start + timedelta(hours=5) if status is
                           ThreadStatus.CLOSED else None,
                           first_reply_due_at=team_hours(team.slug).reply_due(start))
    session.add(thread)
    session.flush()
    figures.thread_started(session, team_id=team.id, at=start, urgent=urgent)
    when = start
    for kind, author, body in lines:
        session.add(Message(thread_id=thread.id, kind=kind, author_id=author.id if author
                            else None, body=body, created_at=when, cards=[],
                            on_behalf_relationship=relationship if author is not None
                            and author.id != person.id and kind is MessageKind.PERSON
                            else None,
                            read_by_team_at=when if kind is MessageKind.PERSON and
                            len(lines) > 1 else None))
        thread.last_message_at = when
        if kind is MessageKind.TEAM and thread.first_reply_at is None:
            thread.first_reply_at = when
            thread.reply_working_hours = figures.first_reply(
                session, team_id=team.id, hours=team_hours(team.slug), started=start,
                replied=when, due=thread.first_reply_due_at)
        when += timedelta(hours=2)
    last = lines[-1][0]
    thread.waiting_on = Waiting.TEAM if last is MessageKind.PERSON else Waiting.PERSON
    if thread.waiting_on is Waiting.TEAM:
        thread.reply_due_at = team_hours(team.slug).reply_due(thread.last_message_at)
    return thread


def load_demo(session: Session) -> None:
    rose = _user(session, "resident@demo.portal.test")
    cara = _user(session, "carer@demo.portal.test")
    cal = _user(session, "careworker@demo.portal.test")
    torquay = session.scalar(select(CareTeam).where(CareTeam.slug == "torquay-care-team"))
    devonport = session.scalar(select(CareTeam).where(CareTeam.slug == "devonport-care-team"))
    if None in (rose, cara, cal, torquay, devonport):
        return
    assert rose and cara and cal and torquay and devonport  # nosec B101: checked
    if session.scalar(select(MessageThread.id).where(MessageThread.person_id == rose.id)):
        return  # already loaded
    _ready(session, rose, "torquay")
    if session.scalar(select(CarerGrant.id).where(CarerGrant.person_id == rose.id,
                                                  CarerGrant.carer_id == cara.id)) is None:
        session.add(CarerGrant(person_id=rose.id, carer_id=cara.id, relationship="daughter",
                               scopes=[Scope.MESSAGES.value, Scope.PLAN_VIEW.value],
                               created_by_id=rose.id))
    session.flush()
    person, team = MessageKind.PERSON, MessageKind.TEAM
    _thread(session, rose, torquay, "New walking frame", [
        (person, rose, "My walking frame squeaks and one foot is loose. Can someone look?")],
        days_ago=4)
    replied = _thread(session, rose, torquay, "Pain after my knee operation", [
        (person, rose, "My knee still aches at night, two weeks after the operation."),
        (team, cal, "Thank you, Rose. Keep it raised in the evening; we will call on Friday.")],
        assignee=cal, days_ago=2)
    session.add(ThreadNote(thread_id=replied.id, author_id=cal.id,
                           body="Check with the district nurse on Friday's round."))
    _thread(session, rose, torquay, "Mum seems more confused", [
        (person, cara, "Mum has been more confused this week and is not eating much.")],
        relationship="daughter", days_ago=1)
    _thread(session, rose, torquay, "Fell in the garden", [
        (person, rose, "I have fallen and can't get up easily since. My hip hurts.")],
        urgent=True, days_ago=0)
    _thread(session, rose, torquay, "Blue badge form", [
        (person, rose, "Where do I send the blue badge form?"),
        (team, cal, "Send it to the council; the address is on the form. Closing this now.")],
        status=ThreadStatus.CLOSED, days_ago=20)
    # Cara lives in Devonport: her own thread is in the other team's inbox (Cal never sees it).
    _ready(session, cara, "devonport")
    session.flush()
    if cara.locality_id in {loc.id for loc in devonport.localities}:
        _thread(session, cara, devonport, "Carer's assessment", [
            (person, cara, "Can I have a carer's assessment? I look after my mum.")], days_ago=3)
    session.flush()
