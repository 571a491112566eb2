"""What the figures need from a referral's progress, stored once as it happens.

The figures page counts how soon carers were first contacted and how many reached an
assessment; working those out from every status change at read time took too long with a
year of requests (docs/adr/0009). ``note_progress`` is called for each status change (by
``portal.carers.services.change_status``; the demo and the migration's backfill use it too).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from portal.accounts.models import CareTeam
from portal.carers.models import CarerReferral, ReferralStatus
from portal.messaging.hours import team_hours, working_days_to

# "Contact made" or any status after it: the carer was first contacted.
CONTACTED = frozenset({ReferralStatus.CONTACT_MADE, ReferralStatus.ASSESSMENT_BOOKED,
                       ReferralStatus.COMPLETED})
# An assessment was booked (or done).
REACHED = frozenset({ReferralStatus.ASSESSMENT_BOOKED, ReferralStatus.COMPLETED})
DEFAULT_HOURS = "default"  # the triage queue's


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def contact_figures(team_slug: str | None, sent: datetime, contacted: datetime
                    ) -> tuple[float, int]:
    """Calendar days from sending to first contact, and the working days it took in the
    team's hours (0: the day it counts from; "within 5 working days" is ``<= 5``)."""
    days = (_aware(contacted) - _aware(sent)).total_seconds() / 86400
    return days, working_days_to(team_hours(team_slug or DEFAULT_HOURS), sent, contacted)


def note_progress(session: Session, referral: CarerReferral, status: ReferralStatus,
                  at: datetime) -> None:
    """Record the first contact and the first assessment the first time each happens."""
    if status in CONTACTED and referral.contact_made_at is None:
        team = session.get(CareTeam, referral.team_id) if referral.team_id else None
        referral.contact_made_at = at
        referral.contact_days, referral.contact_working_days = contact_figures(
            team.slug if team else None, referral.created_at, at)
    if status in REACHED and referral.reached_at is None:
        referral.reached_at = at
