"""Sending a referral, routing it to a locality team, and moving it through its statuses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from portal.accounts.models import User, team_locality
from portal.audit.events import AccessReason, EventType, ObjectType
from portal.audit.services import record
from portal.carers.journey import referral_journey
from portal.carers.models import (
    CarerReferral,
    ContactAttempt,
    ContactMethod,
    ContactOutcome,
    ReferralStatus,
    ReferralUpdate,
)
from portal.carers.progress import counted, figures_key, note_progress
from portal.circles.policy import Decision, decide_referral
from portal.clock import UK, utcnow
from portal.journeys import flow
from portal.journeys import services as journeys
from portal.journeys.models import JourneyDraft
from portal.mail import public_url, queue_email
from portal.places.models import Locality
from portal.search.places import locality_of_postcode
from portal.unit_of_work import service


class NotReady(ValueError):
    """The draft has pages still to answer (or reached a stop page)."""


class NoReferenceFree(RuntimeError):
    """Every reference number tried was taken by referrals sent at the same moment."""


class NotAllowed(PermissionError):
    """The actor may not work on this referral (the access policy refused)."""


class NotAssignable(ValueError):
    """The chosen care worker may not work on this referral."""


# How many reference numbers to try when others sending at the same moment take them.
REFERENCE_ATTEMPTS = 5


@dataclass(frozen=True)
class Route:
    locality_id: int | None
    team_id: int | None
    triage_note: str | None


def N_(message: str) -> str:
    """A message kept in English on the record (``triage_note``) and translated when shown
    (``N_`` is one of Babel's default extraction keywords)."""
    return message


NO_LOCALITY_NOTE = N_("Postcode is not in any of our localities")
NO_TEAM_NOTE = N_("No team serves this locality")


def route(session: Session, postcode: str | None) -> Route:
    """Which team's queue a postcode belongs in; the triage queue (team None) with a note if
    the postcode is not in any locality or the locality has no team."""
    slug = locality_of_postcode(postcode)
    locality = session.scalar(select(Locality).where(Locality.slug == slug)) if slug else None
    if locality is None:
        return Route(None, None, NO_LOCALITY_NOTE)
    team_id = session.scalar(select(team_locality.c.team_id)
                             .where(team_locality.c.locality_id == locality.id)
                             .order_by(team_locality.c.team_id).limit(1))
    if team_id is None:
        return Route(locality.id, None, NO_TEAM_NOTE)
    return Route(locality.id, team_id, None)


def _next_sequence(session: Session, year: int, after: int) -> int:
    last = session.scalar(select(func.max(CarerReferral.sequence))
                          .where(CarerReferral.year == year))
    return max(last or 0, after) + 1


def reference_for(year: int, sequence: int) -> str:
    return f"CR-{year}-{sequence:06d}"


@service
def submit(session: Session, /, *, draft: JourneyDraft, by: User | None) -> CarerReferral:
    """Make the referral from a finished draft. Sending the same draft again returns the
    referral it already made (double submission makes one referral).

    The reference is the year's next number. Two referrals sent at the same moment may pick
    the same one: the insert is tried in a savepoint and, when a unique constraint refuses
    it, tried again with the next number (or, if the same draft was sent twice at once, the
    other send's referral is returned)."""
    existing = session.scalar(select(CarerReferral).where(CarerReferral.draft_id == draft.id))
    if existing is not None:
        return existing
    journey = referral_journey()
    where = flow.position(journey, draft.answers)
    if where.next_page is not None or where.stop is not None:
        raise NotReady(where.next_page.id if where.next_page else where.stop)
    answers = flow.on_path(journey, draft.answers)
    postcode = flow.value_of(answers, "postcode")
    routed = route(session, postcode)
    now = utcnow()
    sequence = 0
    for _attempt in range(REFERENCE_ATTEMPTS):
        sequence = _next_sequence(session, now.year, sequence)
        referral = CarerReferral(
            reference=reference_for(now.year, sequence), year=now.year, sequence=sequence,
            draft_id=draft.id, answers=answers,
            urgent="urgent" in flow.flags(journey, answers),
            postcode_district=postcode.split(" ")[0] if postcode else None,
            locality_id=routed.locality_id, team_id=routed.team_id,
            triage_note=routed.triage_note, carer_id=by.id if by else None,
            created_at=now, updated_at=now)
        try:
            with session.begin_nested():
                session.add(referral)
                session.flush()
            break
        except IntegrityError:
            existing = session.scalar(select(CarerReferral)
                                      .where(CarerReferral.draft_id == draft.id))
            if existing is not None:
                return existing
    else:
        raise NoReferenceFree(f"{REFERENCE_ATTEMPTS} reference numbers were taken")
    draft.submitted_at = now
    draft.answers = {}  # the referral holds them now; the draft keeps no second copy
    session.flush()
    counted(session, referral)
    record(session, EventType.CARER_REFERRAL_SUBMITTED, actor_id=by.id if by else None,
           target_type=ObjectType.CARER_REFERRAL, target_id=referral.id,
           routed="team" if routed.team_id else "triage", urgent=referral.urgent)
    return referral


def _as_team(session: Session, referral: CarerReferral, by: User) -> Decision:
    decision = decide_referral(session, actor=by, referral=referral)
    if decision.reason is not AccessReason.CARE_TEAM:
        raise NotAllowed(referral.id)
    return decision


@service
def view_referral(session: Session, /, *, referral: CarerReferral, by: User) -> CarerReferral:
    """A care worker opens a referral: the read is audited."""
    decision = _as_team(session, referral, by)
    record(session, EventType.CARER_REFERRAL_VIEWED, actor_id=by.id,
           target_type=ObjectType.CARER_REFERRAL, target_id=referral.id,
           reason=decision.reason)
    return referral


@service
def change_status(session: Session, /, *, referral: CarerReferral, status: ReferralStatus,
                  note: str | None, by: User) -> ReferralUpdate:
    decision = _as_team(session, referral, by)
    before = figures_key(referral)
    update = ReferralUpdate(referral=referral, status=status, note=note or None, by_id=by.id,
                            created_at=utcnow())
    session.add(update)
    referral.status = status
    referral.updated_at = update.created_at
    note_progress(session, referral, status, update.created_at, before=before)
    session.flush()
    record(session, EventType.CARER_REFERRAL_STATUS_CHANGED, actor_id=by.id,
           target_type=ObjectType.CARER_REFERRAL, target_id=referral.id,
           reason=decision.reason, status=status.value, noted=bool(note))
    return update


@service
def assign(session: Session, /, *, referral: CarerReferral, to: User | None, by: User
           ) -> CarerReferral:
    """Give the referral to a care worker who may work on it (``to=None``: to nobody)."""
    decision = _as_team(session, referral, by)
    if to is not None and decide_referral(session, actor=to, referral=referral).reason \
            is not AccessReason.CARE_TEAM:
        raise NotAssignable(to.id)
    now = utcnow()
    referral.assigned_to_id = to.id if to is not None else None
    referral.assigned_at = now if to is not None else None
    referral.updated_at = now
    session.flush()
    record(session, EventType.CARER_REFERRAL_ASSIGNED, actor_id=by.id,
           target_type=ObjectType.CARER_REFERRAL, target_id=referral.id,
           reason=decision.reason, assignee=to.id if to is not None else None)
    return referral


# Statuses a contact that reached the carer moves on from.
BEFORE_CONTACT = frozenset({ReferralStatus.RECEIVED, ReferralStatus.BEING_LOOKED_AT})


@service
def record_contact(session: Session, /, *, referral: CarerReferral, method: ContactMethod,
                   outcome: ContactOutcome, note: str | None, by: User) -> ContactAttempt:
    """A try at reaching the carer. The first that reaches them meets the contact target
    and, if the request has not got that far, moves it to "contact made" (which the carer
    sees)."""
    decision = _as_team(session, referral, by)
    now = utcnow()
    attempt = ContactAttempt(referral=referral, method=method, outcome=outcome,
                             note=note or None, by_id=by.id, created_at=now)
    session.add(attempt)
    referral.updated_at = now
    if outcome is ContactOutcome.REACHED and referral.first_contact_at is None:
        referral.first_contact_at = now
    session.flush()
    record(session, EventType.CARER_REFERRAL_CONTACT_RECORDED, actor_id=by.id,
           target_type=ObjectType.CARER_REFERRAL, target_id=referral.id,
           reason=decision.reason, method=method.value, outcome=outcome.value,
           noted=bool(note))
    if outcome is ContactOutcome.REACHED and referral.status in BEFORE_CONTACT:
        change_status(session, referral=referral, status=ReferralStatus.CONTACT_MADE,
                      note=None, by=by)
    return attempt


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0), UK)


@service
def export_queue(session: Session, /, *, start: date | None, end: date | None, by: User) -> str:
    """The requests this care worker may work on, received between ``start`` and ``end``
    (UK days, inclusive; either may be open), as CSV. The export and the ids it held are
    audited."""
    from portal.accounts.models import CareTeam
    from portal.carers.export import queue_csv
    from portal.circles.policy import referrals_query

    query = referrals_query(by)
    if start is not None:
        query = query.where(CarerReferral.created_at >= _start_of(start))
    if end is not None:
        query = query.where(CarerReferral.created_at < _start_of(end + timedelta(days=1)))
    referrals = list(session.scalars(query.options(selectinload(CarerReferral.assigned_to))
                                     .order_by(CarerReferral.created_at, CarerReferral.id)))
    teams = {row.id: row.name for row in session.scalars(select(CareTeam))}
    localities = {row.id: row.name for row in session.scalars(select(Locality))}
    record(session, EventType.CARER_REFERRALS_EXPORTED, actor_id=by.id,
           reason=AccessReason.CARE_TEAM, format="csv",
           referrals=[referral.id for referral in referrals],
           filters={"from": start.isoformat() if start else None,
                    "to": end.isoformat() if end else None})
    return queue_csv(referrals, journey=referral_journey(), teams=teams, localities=localities)


@service
def export_fhir(session: Session, /, *, referral: CarerReferral, by: User) -> dict[str, Any]:
    """One request as a FHIR R4 bundle (validated); the export is audited."""
    from portal.accounts.models import CareTeam
    from portal.carers.fhir import bundle

    decision = _as_team(session, referral, by)
    team = session.get(CareTeam, referral.team_id) if referral.team_id is not None else None
    data = bundle(referral=referral, journey=referral_journey(),
                  team_name=team.name if team else None, now=utcnow())
    record(session, EventType.CARER_REFERRAL_EXPORTED, actor_id=by.id,
           target_type=ObjectType.CARER_REFERRAL, target_id=referral.id,
           reason=decision.reason, format="fhir")
    return data


@service(audited=False, because="a link back to a form in progress (no answers in it); "
                                "the submission is audited")
def send_resume_link(session: Session, /, *, draft: JourneyDraft, email: str, days: int,
                     by: User | None) -> None:
    """Email a single-use link, good for ``days`` days, back to ``draft`` (unsent:
    ``journeys.DraftSubmitted`` otherwise). The email holds a notice and the link, never an
    answer; the address is not kept."""
    link = journeys.new_resume_link(session, draft, lifetime=timedelta(days=days))
    queue_email(session, to=email, template="carer_resume",
                subject=_("Your request for a carer's assessment: come back to it"),
                link=public_url("carers.resume", token=link), days=days)
