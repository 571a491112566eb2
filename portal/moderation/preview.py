"""The editor's preview: a change as the public listing page would show it once published.

The listing page's template reads a ``Service``; the preview gives it the same attributes
built from the form's snapshot, and nothing is written (schedules are read by the rules
publishing would write, see ``snapshot.item_rule``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from portal.directory import recurrence
from portal.directory.models import Attendance, Organisation, Service
from portal.moderation import queries
from portal.moderation.snapshot import LANGUAGES, Snapshot, item_rule
from portal.places.postcodes import geocode


@dataclass
class PreviewListing:
    """What ``directory/_listing.html`` reads of a listing."""

    organisation: Any
    name: str
    description: str
    url: str | None
    email: str | None
    attendance: list[Attendance]
    schedules: list[dict[str, Any]]
    locations: list[dict[str, Any]]
    minimum_age: int | None
    maximum_age: int | None
    eligibility_description: str | None
    is_free: bool
    fees_description: str | None
    languages: list[dict[str, str]]
    localities: list[Any]
    phones: list[dict[str, Any]]
    contacts: list[Any] = field(default_factory=list)
    cost_options: list[Any] = field(default_factory=list)
    last_checked_on: date | None = None


@dataclass
class Preview:
    listing: PreviewListing
    rules: list[recurrence.Rule]
    next_session: recurrence.Session | None


def _venue(session: Session, venue: dict[str, Any] | None) -> list[dict[str, Any]]:
    if not venue:
        return []
    point = geocode(session, venue["postcode"]) if venue.get("postcode") else None
    lines = [line.strip() for line in (venue.get("accessibility") or "").splitlines()
             if line.strip()]
    return [{
        "location_type": {"value": "physical"}, "name": venue.get("name"),
        "address_1": venue.get("address_1"), "city": venue.get("city"),
        "postcode": venue.get("postcode"), "confidential": bool(venue.get("confidential")),
        "latitude": point[0] if point else None, "longitude": point[1] if point else None,
        "accessibility": [{"description": line, "details": None} for line in lines],
    }]


def preview(session: Session, data: Snapshot, *, organisation: Organisation,
            service: Service | None, today: date) -> Preview:
    """The listing page's view of ``data`` (a validated form's snapshot)."""
    chosen = set(data.get("localities") or [])
    rules = [item_rule(item) for item in data.get("schedules") or []]
    listing = PreviewListing(
        organisation=organisation, name=data["name"], description=data["description"] or "",
        url=data.get("url"), email=data.get("email"),
        attendance=[Attendance(mode) for mode in data.get("attendance") or []],
        schedules=list(data.get("schedules") or []),
        locations=_venue(session, data.get("venue")),
        minimum_age=data.get("minimum_age"), maximum_age=data.get("maximum_age"),
        eligibility_description=data.get("eligibility_description"),
        is_free=bool(data.get("is_free")), fees_description=data.get("fees_description"),
        languages=[{"code": code, "name": LANGUAGES[code][0] if code in LANGUAGES else code}
                   for code in data.get("languages") or []],
        localities=[locality for locality in queries.localities(session)
                    if locality.slug in chosen],
        phones=list(data.get("phones") or []),
        contacts=list(service.contacts) if service is not None else [],
        last_checked_on=today,
    )
    return Preview(listing, rules, recurrence.next_session(rules))
