"""Demo activity for the figures pages: a year of carer referrals across the localities,
searches that found nothing, "Was this helpful?" answers and answers to the experience pulse.
All fictional, deterministic (seed 2026), dated back from today; added once (a second load changes nothing).

Some localities get few referrals on purpose, so that the pages show "fewer than 5" and the
complementary suppression at work.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.accounts.models import team_locality
from portal.carers.models import CarerReferral, ReferralStatus, ReferralUpdate
from portal.carers.progress import counted, note_progress
from portal.clock import utcnow
from portal.content.models import ContentFeedback, ContentItem, ContentVersion, VersionStatus
from portal.places.models import Locality
from portal.pulse.models import PulseAnswer
from portal.search.models import SearchGap
from portal.search.services import note_gap

# Referrals a month, roughly, per locality (the rest of the localities get none).
REFERRALS_PER_MONTH = {"torquay": 9, "paignton-brixham": 6, "newton-abbot": 4, "coastal": 2,
                       "devonport": 7, "plympton": 3, "moor-to-sea": 0.25}
GAP_WORDS = [("men's group", "paignton-brixham", 3), ("Men's Group", "paignton-brixham", 2),
             ("sign language cafe", "torquay", 2), ("night sitting", "coastal", 2),
             ("polish speaking carers", "devonport", 2), ("swimming over 60s", "plympton", 1),
             ("dementia carers evening", "newton-abbot", 2), ("lgbt social", "moor-to-sea", 1)]
NAMES = ["Jo Demo", "Sam Example", "Alex Sample", "Pat Fictional", "Chris Placeholder"]


# The year's history is numbered from here, clear of the carers area's own demo requests
# (and of anything sent through the form on a demo machine), so the two never collide.
FIRST_SEQUENCE = 500_000


def load_demo(session: Session) -> None:
    rng = random.Random(2026)  # noqa: S311  # nosec B311 # deterministic fictional demo data
    if session.scalar(select(CarerReferral.id).where(
            CarerReferral.sequence > FIRST_SEQUENCE).limit(1)) is None:
        _referrals(session, rng)
    if session.scalar(select(SearchGap.id).limit(1)) is None:
        _gaps(session, rng)
    if session.scalar(select(ContentFeedback.id).limit(1)) is None:
        _feedback(session, rng)
    if session.scalar(select(PulseAnswer.id).limit(1)) is None:
        _pulse(session, rng)
    session.flush()


def _answers(rng: random.Random, urgent: bool) -> dict[str, dict[str, object]]:
    return {
        "danger": {"in_danger": "no"},
        "coping": {"cannot_carry_on": "yes" if urgent else "no"},
        "carer_kind": {"carer_kind": "adult"},
        "filling_in": {"filled_by": "carer"},
        "about_you": {"full_name": rng.choice(NAMES) + " (demo)", "phone": "01803 555 010",
                      "email": "", "contact_way": "phone", "safe_time": "", "postcode": ""},
        "cared_for": {"relationship": "parent", "age_band": "85+", "conditions": ["dementia"],
                      "conditions_words": ""},
        "caring_role": {"hours": "20-49", "role_words": ""},
        "impact": {"impact_health": "some", "impact_sleep": "some", "impact_time": "big",
                   "impact_money": "none"},
        "consent": {"consent_share": "yes"},
    }


def _referrals(session: Session, rng: random.Random) -> None:
    now = utcnow()
    localities = {loc.slug: loc for loc in session.scalars(select(Locality))}
    teams = dict(session.execute(select(team_locality.c.locality_id, func.min(team_locality.c.team_id))
                                 .group_by(team_locality.c.locality_id)).all())
    planned = sorted((now - timedelta(days=rng.uniform(1, 360), hours=rng.uniform(0, 8)), slug)
                     for slug, per_month in REFERRALS_PER_MONTH.items() if slug in localities
                     for _ in range(max(1, round(per_month * 12))))
    sequence: dict[int, int] = {}
    for sent, slug in planned:
        locality = localities[slug]
        urgent = rng.random() < 0.15
        sequence[sent.year] = sequence.get(sent.year, FIRST_SEQUENCE) + 1
        referral = CarerReferral(
            reference=f"CR-{sent.year}-{sequence[sent.year]:06d}", year=sent.year,
            sequence=sequence[sent.year], answers=_answers(rng, urgent), urgent=urgent,
            locality_id=locality.id, team_id=teams.get(locality.id),
            triage_note=None if teams.get(locality.id) else "No team serves this locality",
            created_at=sent, updated_at=sent)
        session.add(referral)
        session.flush()
        _progress(session, rng, referral, now)
        counted(session, referral)


def _progress(session: Session, rng: random.Random, referral: CarerReferral, now: datetime) -> None:
    """Every historical request ran its course to "completed" (so none waits in a care
    worker's queue); one that would still be running today is moved earlier."""
    steps = [(ReferralStatus.BEING_LOOKED_AT, rng.uniform(0.1, 1.5)),
             (ReferralStatus.CONTACT_MADE, rng.uniform(0.5, 9)),
             (ReferralStatus.ASSESSMENT_BOOKED, rng.uniform(3, 20)),
             (ReferralStatus.COMPLETED, rng.uniform(7, 40))]
    overrun = referral.created_at + timedelta(days=sum(days for _, days in steps)) - now
    if overrun > timedelta(0):
        referral.created_at -= overrun + timedelta(days=1)
    at = referral.created_at
    for status, days in steps:
        at = at + timedelta(days=days)
        session.add(ReferralUpdate(referral_id=referral.id, status=status, created_at=at))
        referral.status, referral.updated_at = status, at
        note_progress(session, referral, status, at)


def _gaps(session: Session, rng: random.Random) -> None:
    now = utcnow()
    for words, slug, per_month in GAP_WORDS:
        for _ in range(per_month * 12):
            note_gap(session, words=words, filters={"near_locality": slug},
                     at=now - timedelta(days=rng.uniform(1, 360)))


def _feedback(session: Session, rng: random.Random) -> None:
    now = utcnow()
    live = session.execute(select(ContentItem.id, ContentVersion.number)
                           .join(ContentVersion, ContentVersion.item_id == ContentItem.id)
                           .where(ContentVersion.status == VersionStatus.APPROVED)
                           .order_by(ContentItem.id)).all()
    for index, (item_id, number) in enumerate(live):
        for _ in range(3 if index % 4 == 3 else rng.randint(8, 40)):
            session.add(ContentFeedback(item_id=item_id, version_number=number,
                                        helpful=rng.random() < 0.8,
                                        created_at=now - timedelta(days=rng.uniform(1, 300))))


# Answers to the experience pulse per quarter, roughly, per locality (a few on purpose).
PULSE_PER_QUARTER = {"torquay": 40, "paignton-brixham": 25, "newton-abbot": 12, "coastal": 1,
                     "devonport": 30, "plympton": 8}
# How agreeable each statement's answers lean (the chance of each of 1 to 5).
PULSE_LEAN = {"situation": (1, 2, 3, 5, 3), "early": (2, 3, 3, 4, 2), "talk": (1, 1, 2, 5, 5),
              "places": (2, 4, 3, 3, 1), "range": (1, 2, 3, 4, 3)}


def _pulse(session: Session, rng: random.Random) -> None:
    """Four quarters of anonymous answers, as people leave them after a closed conversation
    or a completed request (only locality, quarter, statement and answer)."""
    from portal.pulse.statements import ASKED, Subject, quarter_of

    localities = {loc.slug: loc.id for loc in session.scalars(select(Locality))}
    this = quarter_of(utcnow().date())
    for back in range(4):
        index = this.year * 12 + this.month - 1 - 3 * back
        quarter = date(index // 12, index % 12 + 1, 1)
        for slug, per_quarter in PULSE_PER_QUARTER.items():
            if slug not in localities:
                continue
            for _ in range(max(1, round(per_quarter * rng.uniform(0.7, 1.3)))):
                for statement in ASKED[rng.choice([Subject.THREAD, Subject.REFERRAL])]:
                    if rng.random() < 0.85:  # some skip a statement
                        weights = PULSE_LEAN[statement.value]
                        session.add(PulseAnswer(
                            locality_id=localities[slug], quarter=quarter,
                            statement=statement.value,
                            answer=rng.choices(range(1, 6), weights=weights)[0]))
