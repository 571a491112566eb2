"""What the figures need from a referral's progress, stored once as it happens.

The figures page counts how soon carers were first contacted and how many reached an
assessment; working those out from every status change at read time took too long with a
year of requests (docs/adr/0009). ``note_progress`` is called for each status change (by
``portal.carers.services.change_status``; the demo and the migration's backfill use it too),
which also keeps the referral's row in ``figures_referral_count``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from portal.accounts.models import CareTeam
from portal.carers.models import CarerReferral, ReferralStatus
from portal.carers.targets import (  # "contact made" or later: the carer was contacted
    CONTACTED,
    DEFAULT_ROUTINE_DAYS,
    DEFAULT_URGENT_DAYS,
    target_days,
)
from portal.clock import as_utc
from portal.figures.counts import bump, month_of, tenths
from portal.figures.models import NOT_YET, ReferralCount
from portal.messaging.hours import team_hours, working_days_to

# An assessment was booked (or done).
REACHED = frozenset({ReferralStatus.ASSESSMENT_BOOKED, ReferralStatus.COMPLETED})
DEFAULT_HOURS = "default"  # the triage queue's
# "Within target" is the queue's own contact target (carers.targets, CARER_CONTACT_DAYS_*);
# these are its defaults, which count where no app is configured (the migration's backfill).
CONTACT_TARGET_DAYS = DEFAULT_ROUTINE_DAYS
URGENT_CONTACT_TARGET_DAYS = DEFAULT_URGENT_DAYS



def contact_figures(team_slug: str | None, sent: datetime, contacted: datetime
                    ) -> tuple[float, int]:
    """Calendar days from sending to first contact, and the working days it took in the
    team's hours (0: the day it counts from; "within 5 working days" is ``<= 5``)."""
    days = (as_utc(contacted) - as_utc(sent)).total_seconds() / 86400
    return days, working_days_to(team_hours(team_slug or DEFAULT_HOURS), sent, contacted)


def figures_key(referral: CarerReferral) -> dict[str, Any]:
    """The referral's row in ``figures_referral_count``: everything the figures count about it."""
    target = target_days(bool(referral.urgent))
    return {"month": month_of(referral.created_at), "locality_id": referral.locality_id or 0,
            "urgent": bool(referral.urgent),
            "contact_tenths": NOT_YET if referral.contact_days is None
            else tenths(referral.contact_days),
            "within_target": referral.contact_working_days is not None
            and referral.contact_working_days <= target,
            "reached": referral.reached_at is not None or referral.status in REACHED,
            "completed": referral.status is ReferralStatus.COMPLETED}


def restate(session: Session, before: dict[str, Any] | None, after: dict[str, Any] | None
            ) -> None:
    """Move the referral's count from the row it was in to the row it is in now."""
    if before == after:
        return
    if before is not None:
        bump(session, ReferralCount, before, count=-1)
    if after is not None:
        bump(session, ReferralCount, after, count=1)


def counted(session: Session, referral: CarerReferral) -> None:
    """A new referral: counted for the first time (``portal.carers.services.submit``)."""
    restate(session, None, figures_key(referral))


def note_progress(session: Session, referral: CarerReferral, status: ReferralStatus,
                  at: datetime, *, before: dict[str, Any] | None = None) -> None:
    """Record the first contact and the first assessment the first time each happens, and
    move the referral's count (``before``: its ``figures_key`` before the change; None when
    it is not counted yet, as in the demo's and the backfill's history)."""
    if status in CONTACTED and referral.contact_made_at is None:
        team = session.get(CareTeam, referral.team_id) if referral.team_id else None
        referral.contact_made_at = at
        referral.contact_days, referral.contact_working_days = contact_figures(
            team.slug if team else None, referral.created_at, at)
    if status in REACHED and referral.reached_at is None:
        referral.reached_at = at
    if before is not None:
        restate(session, before, figures_key(referral))
