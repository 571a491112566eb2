"""Changes to a person's circle: their home locality and their consents to the care team.

Each function is one transaction (``@service``) and writes its audit event in it.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.audit.events import EventType
from portal.audit.services import record
from portal.circles.models import LocalitySource, Purpose, TeamConsent
from portal.clock import utcnow
from portal.places.models import Locality
from portal.search.places import locality_of_postcode
from portal.unit_of_work import service

CONSENT_TARGET = "team_consent"

# The exact words a person agrees to, per purpose. Translatable data: the wording recorded is
# the text shown to the person, in the language they read it in.
CONSENT_WORDING: dict[Purpose, Any] = {
    Purpose.PLAN: _l("I agree that the care team serving my area may see my care and support "
                     "plan and add notes and suggestions beside it, until I withdraw this."),
    Purpose.MESSAGING: _l("I agree that the care team serving my area may read and answer the "
                          "messages I send them, until I withdraw this."),
    Purpose.PERSONAL_DETAILS: _l("I agree that the care team serving my area may see my "
                                 "personal details (such as my address, phone number and NHS "
                                 "number), until I withdraw this."),
}


class CircleError(ValueError):
    """A change that cannot be made; ``kind`` says which (for the view's message)."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def locality_for_postcode(session: Session, postcode: str | None) -> Locality | None:
    """The locality row a normalised postcode is in, or None (not served yet)."""
    slug = locality_of_postcode(postcode)
    if slug is None:
        return None
    return session.scalar(select(Locality).where(Locality.slug == slug))


def _set_locality(session: Session, person: Any, locality: Locality | None, source: str,
                  by: Any) -> bool:
    new_id = locality.id if locality is not None else None
    new_source = source if locality is not None else None
    if (person.locality_id, person.locality_source) == (new_id, new_source):
        return False
    person.locality_id = new_id
    person.locality_source = new_source
    session.flush()
    record(session, EventType.LOCALITY_CHANGED, actor_id=by.id, subject_id=person.id,
           source=source, locality=locality.slug if locality is not None else None)
    return True


def follow_postcode(session: Session, *, person: Any, postcode: str | None, by: Any) -> bool:
    """Part of a personal-details change: derive the home locality from the new postcode.

    A locality chosen by hand is kept when the postcode is removed; a postcode that names a
    locality replaces any earlier one. Runs inside the caller's service transaction.
    """
    locality = locality_for_postcode(session, postcode)
    if locality is None and person.locality_source == LocalitySource.CHOSEN:
        return False
    return _set_locality(session, person, locality, LocalitySource.POSTCODE, by)


@service
def choose_locality(session: Session, /, *, person: Any, locality_id: int | None, by: Any
                    ) -> bool:
    """The person picks their home area by hand (or clears it with None)."""
    if by.id != person.id:
        raise CircleError("not_yours")
    locality = session.get(Locality, locality_id) if locality_id is not None else None
    if locality_id is not None and locality is None:
        raise CircleError("unknown_locality")
    return _set_locality(session, person, locality, LocalitySource.CHOSEN, by)


def consents_of(session: Session, person: Any) -> list[TeamConsent]:
    """Every consent the person has given, newest first (withdrawn ones too: the history)."""
    return list(session.scalars(select(TeamConsent).where(TeamConsent.person_id == person.id)
                                .order_by(TeamConsent.given_at.desc(), TeamConsent.id.desc())))


def live_consent(session: Session, person: Any, purpose: Purpose) -> TeamConsent | None:
    return session.scalar(select(TeamConsent).where(
        TeamConsent.person_id == person.id, TeamConsent.purpose == purpose,
        TeamConsent.withdrawn_at.is_(None)).order_by(TeamConsent.id.desc()).limit(1))


@service
def give_consent(session: Session, /, *, person: Any, purpose: Purpose, by: Any
                 ) -> TeamConsent:
    """Record the person's consent to share ``purpose`` with their team, in the exact words
    they were shown. Giving it again while it stands changes nothing."""
    if by.id != person.id:
        raise CircleError("not_yours")
    existing = live_consent(session, person, purpose)
    if existing is not None:
        return existing
    consent = TeamConsent(person_id=person.id, purpose=purpose,
                          wording=str(CONSENT_WORDING[purpose]), given_at=utcnow(),
                          given_by_id=by.id)
    session.add(consent)
    session.flush()
    record(session, EventType.CONSENT_GIVEN, actor_id=by.id, subject_id=person.id,
           target_type=CONSENT_TARGET, target_id=consent.id, purpose=purpose.value)
    return consent


@service
def withdraw_consent(session: Session, /, *, person: Any, consent_id: int, by: Any
                     ) -> TeamConsent:
    """Withdraw one consent at once; the row stays, with who withdrew it and when."""
    consent = session.get(TeamConsent, consent_id)
    if consent is None or consent.person_id != person.id or by.id != person.id:
        raise CircleError("not_found")
    if consent.withdrawn_at is not None:
        raise CircleError("already_withdrawn")
    consent.withdrawn_at = utcnow()
    consent.withdrawn_by_id = by.id
    session.flush()
    record(session, EventType.CONSENT_WITHDRAWN, actor_id=by.id, subject_id=person.id,
           target_type=CONSENT_TARGET, target_id=consent.id, purpose=consent.purpose.value)
    return consent
