"""Index documents built from the database, a chunk of services at a time.

Reads with a handful of bulk queries per chunk (no ORM objects), so a full rebuild of 100,000
services stays quick. Only published, active services become documents; everything else a
caller asks for is reported as "remove from the index".
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.directory.models import (
    Location,
    LocationType,
    Organisation,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceStatus,
    TaxonomyTerm,
    service_locality,
    service_term,
)
from portal.places.models import Locality
from portal.places.postcodes import normalise_postcode
from portal.search import schedules
from portal.search.places import locality_of_postcode
from portal.search.schema import (
    CHECKED_NEVER,
    FLAG_APPOINTMENT,
    FLAG_EVENING,
    FLAG_FREE,
    FLAG_REMOTE,
    FLAG_WEEKEND,
    index_words,
)

CHUNK = 1000
ATTENDANCE_CODES = frozenset({"in-person", "online", "telephone", "home-visit"})


@dataclass
class _Reference:
    terms: dict[str, tuple[str | None, str, str | None]]  # id -> (code, name, parent id)
    localities: dict[int, str]  # id -> slug

    def lineage(self, term_id: str) -> list[tuple[str | None, str]]:
        """The term and its ancestors, as (code, name), nearest first."""
        seen: list[tuple[str | None, str]] = []
        current: str | None = term_id
        while current and current in self.terms and len(seen) < 10:
            code, name, parent = self.terms[current]
            seen.append((code, name))
            current = parent
        return seen


def _reference(session: Session) -> _Reference:
    terms = {row.id: (row.code, row.name, row.parent_id) for row in session.execute(
        select(TaxonomyTerm.id, TaxonomyTerm.code, TaxonomyTerm.name, TaxonomyTerm.parent_id))}
    localities = dict(session.execute(select(Locality.id, Locality.slug)).all())
    return _Reference(terms, localities)


def indexable_ids(session: Session) -> list[str]:
    """Ids of every published, active service, in name order (the index's browsing order)."""
    return list(session.scalars(
        select(Service.id).where(Service.published.is_(True), Service.status == ServiceStatus.ACTIVE)
        .order_by(Service.name, Service.id)))


def iter_documents(session: Session, service_ids: Sequence[str]
                   ) -> Iterator[tuple[str, dict[str, Any] | None]]:
    """(service id, document) for each id; the document is None when it must not be indexed."""
    reference = _reference(session)
    for start in range(0, len(service_ids), CHUNK):
        chunk = list(service_ids[start:start + CHUNK])
        documents = _chunk(session, chunk, reference)
        for service_id in chunk:
            yield service_id, documents.get(service_id)


def _grouped(session: Session, statement: Any) -> dict[str, list[Any]]:
    grouped: dict[str, list[Any]] = defaultdict(list)
    for row in session.execute(statement):
        grouped[row[0]].append(row)
    return grouped


def _chunk(session: Session, ids: list[str], ref: _Reference) -> dict[str, dict[str, Any]]:
    services = session.execute(
        select(Service.id, Service.name, Service.description, Organisation.name.label("org"),
               Service.in_person, Service.online, Service.telephone, Service.home_visit,
               Service.minimum_age, Service.maximum_age, Service.eligibility_description,
               Service.is_free, Service.fees_description, Service.languages,
               Service.last_checked_on)
        .join(Organisation, Organisation.id == Service.organisation_id)
        .where(Service.id.in_(ids), Service.published.is_(True),
               Service.status == ServiceStatus.ACTIVE)).all()
    if not services:
        return {}
    terms = _grouped(session, select(service_term.c.service_id, service_term.c.term_id)
                     .where(service_term.c.service_id.in_(ids)))
    localities = _grouped(session, select(service_locality.c.service_id, service_locality.c.locality_id)
                          .where(service_locality.c.service_id.in_(ids)))
    times = _grouped(session, select(
        Schedule.service_id, Schedule.freq, Schedule.byday, Schedule.week_of_month, Schedule.opens_at,
        Schedule.closes_at, Schedule.by_appointment, Schedule.description, Schedule.interval,
        Schedule.bymonthday, Schedule.dtstart, Schedule.until, Schedule.valid_from,
        Schedule.valid_to, Schedule.closed)
        .where(Schedule.service_id.in_(ids)))
    venues = _grouped(session, select(
        ServiceAtLocation.service_id, Location.name, Location.location_type, Location.address_1,
        Location.city, Location.postcode, Location.latitude, Location.longitude,
        Location.confidential, Location.accessibility)
        .join(Location, Location.id == ServiceAtLocation.location_id)
        .where(ServiceAtLocation.service_id.in_(ids)))
    return {row.id: _document(row, terms.get(row.id, []), localities.get(row.id, []),
                              times.get(row.id, []), venues.get(row.id, []), ref)
            for row in services}


def _document(row: Any, term_rows: list[Any], locality_rows: list[Any], schedule_rows: list[Any],
              venue_rows: list[Any], ref: _Reference) -> dict[str, Any]:
    codes: list[str] = []
    term_names: list[str] = []
    categories: list[str] = []
    for term in term_rows:
        lineage = ref.lineage(term.term_id)
        codes.extend(code for code, _name in lineage if code)
        term_names.extend(name for _code, name in lineage)
        if lineage and lineage[-1][0] and lineage[-1][0] not in ATTENDANCE_CODES:
            categories.append(lineage[-1][0])  # the top-level ancestor (a need, not a delivery method)

    covered = [ref.localities[r.locality_id] for r in locality_rows if r.locality_id in ref.localities]
    geo: list[tuple[float, float]] = []
    details: list[str] = [row.eligibility_description or "", row.fees_description or ""]
    details.extend(str(lang.get("name", "")) for lang in (row.languages or []) if isinstance(lang, dict))
    for venue in venue_rows:
        if venue.confidential:
            # Never the address or coordinates: only the locality it serves.
            slug = locality_of_postcode(normalise_postcode(venue.postcode))
            if slug:
                covered.append(slug)
            continue
        if venue.location_type == LocationType.PHYSICAL and venue.latitude is not None \
                and venue.longitude is not None:
            geo.append((round(venue.latitude, 5), round(venue.longitude, 5)))
        details.extend([venue.name or "", venue.city or ""])
        details.extend(str(item.get("description", "")) for item in (venue.accessibility or [])
                       if isinstance(item, dict))

    slots = [schedules.slot_of(s) for s in schedule_rows]
    attendance = [mode for on, mode in ((row.in_person, "in-person"), (row.online, "online"),
                                        (row.telephone, "telephone"), (row.home_visit, "home-visit"))
                  if on]
    flags = [flag for on, flag in (
        (row.is_free, FLAG_FREE),
        (any(schedules.is_evening(s) for s in slots), FLAG_EVENING),
        (any(schedules.is_weekend(s) for s in slots), FLAG_WEEKEND),
        ((row.online or row.telephone) and not geo, FLAG_REMOTE),
        (any(s.by_appointment for s in schedule_rows), FLAG_APPOINTMENT)) if on]
    checked: date | None = row.last_checked_on
    days = dict.fromkeys(day for slot in slots for day, _week in slot.days)
    description = row.description or ""
    description_words = index_words(description)
    described = set(description_words)
    document = {
        "id": row.id,
        "name": _words(row.name),
        "description": " ".join(description_words),
        "organisation": _words(row.org),
        "terms": _words(" ".join(dict.fromkeys(term_names))),
        "details": " ".join(w for w in index_words(" ".join(p for p in details if p))
                            if w not in described),
        "vocab": " ".join(index_words(" ".join([row.name, *dict.fromkeys(term_names)]), spelling=True)),
        "codes": " ".join(dict.fromkeys(codes)),
        "category": " ".join(dict.fromkeys(categories)),
        "locality": " ".join(dict.fromkeys(covered)),
        "days": " ".join(days),
        "open_at": " ".join(schedules.open_tokens(slots)),
        "attendance": " ".join(attendance),
        "flags": " ".join(flags),
        "geo": " ".join(dict.fromkeys(f"{lat},{lon}" for lat, lon in geo)),
        "checked": checked.isoformat() if checked else CHECKED_NEVER,
        "age": f"min:{row.minimum_age or 0} max:{'none' if row.maximum_age is None else row.maximum_age}",
        "show": {"name": row.name, "organisation": row.org, "description": description},
        "place": {"geo": geo, "checked": checked.isoformat() if checked else None,
                  "attendance": attendance, "localities": list(dict.fromkeys(covered))},
    }
    document["fingerprint"] = fingerprint(document)
    return document


def _words(text: str) -> str:
    return " ".join(index_words(text))


def fingerprint(document: dict[str, Any]) -> str:
    """A digest of everything indexed, so ``search verify`` can spot a stale document."""
    content = {k: v for k, v in document.items() if k != "fingerprint"}
    return hashlib.blake2b(json.dumps(content, sort_keys=True, default=str).encode(),
                           digest_size=12).hexdigest()
