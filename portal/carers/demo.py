"""Demo carer's assessment requests: one in every status, across localities, urgent and
routine, one waiting in triage and one overdue, so a newcomer signed in as the care worker
sees a working queue. Idempotent (each request is known by its demo draft token).

Requests are made as a carer would make them (the journey's drafts, then ``submit``) and
moved on by the serving team's care workers through the same services they use, so every
step is audited. A request whose team has no care worker in the demo data stays received.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.models import CareTeam, User
from portal.authz import Permission
from portal.carers import progress, services
from portal.carers.journey import JOURNEY_ID
from portal.carers.models import CarerReferral, ContactMethod, ContactOutcome, ReferralStatus
from portal.clock import utcnow
from portal.journeys import services as journeys

CARER_EMAIL = "carer@demo.portal.test"


@dataclass(frozen=True)
class DemoReferral:
    key: str
    name: str
    postcode: str
    days_ago: int
    urgent: bool = False
    status: ReferralStatus = ReferralStatus.RECEIVED
    attempts: tuple[ContactOutcome, ...] = ()
    assign: bool = False
    by_demo_carer: bool = False
    note: str | None = None
    extra: dict[str, dict[str, Any]] = field(default_factory=dict)


REFERRALS = (
    DemoReferral("torquay-urgent", "Helen Marsh (demo)", "TQ1 1AA", 0, urgent=True),
    DemoReferral("torquay-overdue", "Peter Lowe (demo)", "TQ2 5AB", 16),
    DemoReferral("torquay-looking", "Amina Yusuf (demo)", "TQ1 3BB", 2,
                 status=ReferralStatus.BEING_LOOKED_AT, assign=True,
                 attempts=(ContactOutcome.NO_ANSWER,), note="Try after 4pm (demo)."),
    DemoReferral("torquay-contact", "Cara Carer", "TQ1 2CC", 4, assign=True,
                 attempts=(ContactOutcome.LEFT_MESSAGE, ContactOutcome.REACHED),
                 status=ReferralStatus.CONTACT_MADE, by_demo_carer=True),
    DemoReferral("torquay-booked", "Graham Price (demo)", "TQ2 6DD", 9, assign=True,
                 attempts=(ContactOutcome.REACHED,), status=ReferralStatus.ASSESSMENT_BOOKED,
                 note="Assessment at home on Tuesday (demo)."),
    DemoReferral("torquay-completed", "Susan Hale (demo)", "TQ1 4EE", 30, assign=True,
                 attempts=(ContactOutcome.REACHED,), status=ReferralStatus.COMPLETED),
    DemoReferral("devonport-urgent", "Kofi Mensah (demo)", "PL1 4AA", 1, urgent=True),
    DemoReferral("devonport-routine", "Lily Parr (demo)", "PL2 1BB", 3),
    DemoReferral("triage-out-of-area", "Tom Reed (demo)", "EX1 1AA", 1),
)

BASE_ANSWERS: dict[str, dict[str, Any]] = {
    "danger": {"in_danger": "no"},
    "carer_kind": {"carer_kind": "adult"},
    "filling_in": {"filled_by": "carer"},
    "communication": {"communication_needs": [], "language": "English",
                      "communication_words": ""},
    "your_gp": {"gp_practice": "Harbour Surgery (demo)", "gp_knows": "no"},
    "work_study": {"work_study": ["part_time"], "work_words": ""},
    "cared_for": {"cared_for_name": "", "relationship": "parent", "age_band": "85+",
                  "conditions": ["dementia"], "conditions_words": "Memory getting worse (demo).",
                  "lives_where": "with_me", "cared_for_knows": "agrees"},
    "caring_role": {"hours": "50+", "tasks": ["medicines", "meals"],
                    "role_words": "Meals, medicines and nights (demo).", "when_caring": "both",
                    "other_help": "", "left_alone": "short"},
    "impact": {"impact_health": "big", "impact_sleep": "big", "impact_relationships": "some",
               "impact_work": "some", "impact_time": "some", "impact_money": "some",
               "impact_words": ""},
    "carry_on": {"willing_able": "with_help", "help_wanted": ["break"], "help_words": ""},
    "what_matters": {"matters_words": "Keeping my part-time job (demo).", "good_day": ""},
    "contingency": {"emergency_plan": "no", "emergency_words": ""},
    "involved": {"want_involved": "no"},
    "consent": {"consent_share": "yes", "consent_gp": "yes"},
}


def _answers(item: DemoReferral) -> dict[str, dict[str, Any]]:
    return {**BASE_ANSWERS,
            "coping": {"cannot_carry_on": "yes" if item.urgent else "no"},
            "about_you": {"full_name": item.name, "phone": "01803 555 010", "email": "",
                          "contact_way": "phone", "safe_time": "Mornings",
                          "postcode": item.postcode},
            **item.extra}


def _worker(session: Session, referral: CarerReferral) -> User | None:
    """A care worker of the team whose queue the request is in (any team's for triage)."""
    query = select(User).join(User.teams).where(User.is_active.is_(True)).order_by(User.id)
    if referral.team_id is not None:
        query = query.where(CareTeam.id == referral.team_id)
    return next((user for user in session.scalars(query).unique()
                 if user.has_permission(Permission.CARE_TEAM_WORK)), None)


def _move(session: Session, referral: CarerReferral, item: DemoReferral, worker: User) -> None:
    if item.assign:
        services.assign(session, referral=referral, to=worker, by=worker)
    if item.status is not ReferralStatus.RECEIVED and not item.attempts:
        services.change_status(session, referral=referral, status=item.status, note=item.note,
                               by=worker)
    for outcome in item.attempts:
        services.record_contact(session, referral=referral, method=ContactMethod.PHONE,
                                outcome=outcome, note=item.note, by=worker)
    if referral.status is not item.status:
        services.change_status(session, referral=referral, status=item.status, note=item.note,
                               by=worker)


def load_demo(session: Session) -> list[str]:
    """Make the demo requests that are not there yet; returns their references."""
    carer = session.scalar(select(User).where(User.email == CARER_EMAIL))
    made = []
    for item in REFERRALS:
        token = f"demo-carer-referral-{item.key}"
        if journeys.find_draft(session, JOURNEY_ID, token) is not None:
            continue
        by = carer if item.by_demo_carer else None
        for page_id, answers in _answers(item).items():
            draft = journeys.save_page(session, journey=JOURNEY_ID, token=token,
                                       page_id=page_id, answers=answers,
                                       user_id=by.id if by else None)
        session.flush()
        referral = services.submit(session, draft=draft, by=by)
        counted_as = progress.figures_key(referral)
        referral.created_at = referral.updated_at = utcnow() - timedelta(days=item.days_ago)
        progress.restate(session, counted_as, progress.figures_key(referral))  # backdated
        worker = _worker(session, referral)
        if worker is not None:
            _move(session, referral, item, worker)
        made.append(referral.reference)
    session.flush()
    return made
