"""Import Open Referral UK 3.0 services: upsert by id, idempotent, one bad record never blocks
the rest and is never half-written.

Each record is validated against the official ``service.json`` and read into a
``ServiceRecord``; a record that fails is reported (its index, id and first few errors with their
JSON paths) and skipped. Valid records are written a chunk at a time inside a SAVEPOINT; if the
database refuses anything in a chunk, the chunk is rolled back and written again one record per
SAVEPOINT, so the offending record is reported and skipped and every other one is kept whole.
A record that matches what is stored writes nothing: importing the same file twice changes
nothing the second time, versions included.

Organisations are matched by id, then charity number (GB-CHC), then company number (GB-COH),
and created only when none matches. Fields an organisation record leaves out are kept.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from portal.db import utcnow
from portal.directory import oruk_schema
from portal.directory.models import (
    Contact,
    CostOption,
    Location,
    Organisation,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
    new_uuid,
)
from portal.directory.oruk import delivery_term_codes, stable_id
from portal.directory.oruk_read import (
    ORGANISATION_FIELDS,
    ReadContext,
    RecordError,
    ServiceRecord,
    parse_service,
)
from portal.directory.queries import FULL_LOAD
from portal.directory.snapshots import (
    CHILDREN,
    child_ids,
    record_snapshot,
    redacted,
    set_changed,
    snapshot,
)
from portal.places.models import Locality, Postcode

MAX_ERRORS_PER_RECORD = 3
OWNED = (("service_at_locations", ServiceAtLocation), ("phones", Phone), ("contacts", Contact),
         ("schedules", Schedule), ("cost_options", CostOption))


@dataclass
class Problem:
    index: int
    id: str | None
    messages: list[str]

    def __str__(self) -> str:
        return f"Record {self.index} (id {self.id or 'missing'}): " + "; ".join(self.messages)


@dataclass
class ImportSummary:
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    organisations_created: set[str] = field(default_factory=set)
    organisations_updated: set[str] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)

    def skip(self, problem: Problem) -> None:
        self.skipped += 1
        self.problems.append(problem)


def documents_from_json(data: Any) -> list[Any]:
    """A service, a list of services, or a list page ({"contents": [...]})."""
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        if isinstance(data.get("contents"), list):
            return data["contents"]  # type: ignore[no-any-return]
        if "id" not in data and isinstance(data.get("services"), list):
            return data["services"]  # type: ignore[no-any-return]
        return [data]
    raise ValueError("The file must hold a service, a list of services or a page of services.")


def read_file(path: str | Path) -> list[Any]:
    with open(path, encoding="utf-8-sig") as fh:
        return documents_from_json(json.load(fh))


def schema_problems(document: Any, checker: oruk_schema.ServiceValidator | None = None
                    ) -> list[str]:
    checker = checker or oruk_schema.ServiceValidator()
    return [_short(problem) for problem in checker.problems(document, MAX_ERRORS_PER_RECORD)]


def _short(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def import_services(session: Session, documents: Iterable[Any], *,
                    chunk_size: int = 500) -> ImportSummary:
    """Upsert ``documents`` (ORUK services) in the session's transaction; the caller commits."""
    return _Importer(session).run(documents, chunk_size)


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(enumerate(items))
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower().replace("&", "and").replace("'", ""))
    return slug.strip("-")[:100] or "organisation"


class _Importer:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.summary = ImportSummary()
        self.postcodes: dict[str, tuple[float, float] | None] = {}
        self.checker = oruk_schema.ServiceValidator()
        self.load()

    def load(self) -> None:
        """(Re)read what records refer to. Called again after a rollback."""
        s = self.session
        self.localities = {row.slug: row for row in s.scalars(select(Locality))}
        keys = {slug.casefold(): slug for slug in self.localities}
        for row in self.localities.values():
            keys.setdefault(row.name.casefold(), row.slug)
        self.read = ReadContext(keys, delivery_term_codes(), self.geocode)
        self.terms = {row.id: row for row in s.scalars(select(TaxonomyTerm))}
        self.taxonomies = {row.id: row for row in s.scalars(select(Taxonomy))}
        organisations = list(s.scalars(select(Organisation)))
        self.orgs = {o.id: o for o in organisations}
        self.by_number = {(attr, getattr(o, attr)): o for o in organisations
                          for attr in ("charity_number", "company_number") if getattr(o, attr)}
        self.slugs = {o.slug for o in organisations}
        self.locations: dict[str, Location] = {}
        self.services: dict[str, Service] = {}
        self.owners: dict[tuple[str, str], str] = {}  # (collection, child id) -> service id

    def geocode(self, postcode: str) -> tuple[float, float] | None:
        if postcode not in self.postcodes:
            row = self.session.get(Postcode, postcode)
            self.postcodes[postcode] = (row.latitude, row.longitude) if row else None
        return self.postcodes[postcode]

    # ---- the run
    def run(self, documents: Iterable[Any], chunk_size: int) -> ImportSummary:
        for chunk in _chunks(documents, chunk_size):
            batch = []
            for index, document in chunk:
                record_id = document.get("id") if isinstance(document, dict) else None
                record_id = None if record_id is None else str(record_id)
                problems = schema_problems(document, self.checker)
                if not problems:
                    try:
                        batch.append((index, parse_service(document, self.read)))
                        continue
                    except RecordError as exc:
                        problems = [str(exc)]
                self.summary.skip(Problem(index, record_id, problems))
            if batch:
                self._write(batch)
        return self.summary

    def _write(self, batch: list[tuple[int, ServiceRecord]]) -> None:
        try:
            outcomes = self._in_savepoint(batch)
        except SQLAlchemyError:
            self.load()
            outcomes = []
            for item in batch:
                try:
                    outcomes += self._in_savepoint([item])
                except SQLAlchemyError as exc:
                    self.load()
                    message = _short(str(getattr(exc, "orig", exc)).splitlines()[0])
                    outcomes.append(("skipped", item[0], Problem(
                        item[0], item[1].id, [f"$: could not be written ({message})"])))
        for outcome, _index, detail in outcomes:
            if outcome == "skipped":
                self.summary.skip(detail)
            else:
                setattr(self.summary, outcome, getattr(self.summary, outcome) + 1)
                created, updated = detail
                self.summary.organisations_created |= created
                self.summary.organisations_updated |= updated

    def _in_savepoint(self, batch: list[tuple[int, ServiceRecord]]) -> list[tuple[str, int, Any]]:
        outcomes: list[tuple[str, int, Any]] = []
        self.org_changes: tuple[set[str], set[str]] = (set(), set())
        with self.session.begin_nested(), self.session.no_autoflush:
            self._prefetch([record for _i, record in batch])
            for index, record in batch:
                self.org_changes = (set(), set())
                try:
                    outcomes.append((self._apply(record), index, self.org_changes))
                except RecordError as exc:
                    outcomes.append(("skipped", index, Problem(index, record.id, [str(exc)])))
        return outcomes

    def _prefetch(self, records: list[ServiceRecord]) -> None:
        ids = [r.id for r in records]
        self.services = {s.id: s for s in self.session.scalars(
            select(Service).where(Service.id.in_(ids)).options(*FULL_LOAD))}
        wanted = {loc_id for r in records for _s, loc_id, _d in r.locations} - set(self.locations)
        if wanted:
            self.locations.update((loc.id, loc) for loc in self.session.scalars(
                select(Location).where(Location.id.in_(wanted))))
        children = [child_ids(r) for r in records]
        for attr, model in OWNED:
            wanted = {child_id for ids in children for child_id in ids[attr]}
            if wanted:
                self.owners.update(((attr, row.id), row.service_id) for row in self.session.execute(
                    select(model.id, model.service_id).where(model.id.in_(wanted))))

    # ---- one record
    def _apply(self, record: ServiceRecord) -> str:
        organisation = self._find_organisation(record)
        if organisation is None and record.organisation is None:
            raise RecordError("$.organization_id",
                              "names no known organisation and the record has no organization")
        for i, (_sal, location_id, data) in enumerate(record.locations):
            if data is None and location_id not in self.locations:
                raise RecordError(f"$.service_at_locations[{i}].location_id",
                                  f"names no known location ({location_id})")
        children = child_ids(record)
        for attr, ids in children.items():
            if len(set(ids)) < len(ids):
                raise RecordError(f"$.{attr}", "has two items with the same id")
            for i, child_id in enumerate(ids):
                owner = self.owners.get((attr, child_id), record.id)
                if owner != record.id:
                    raise RecordError(f"$.{attr}[{i}].id",
                                      f"is already used by another service ({owner})")
        service = self.services.get(record.id)
        before = snapshot(service) if service is not None else None
        organisation = self._upsert_organisation(organisation, record.organisation)
        terms = self._terms(record.terms)
        locations = [(sal_id, self._upsert_location(location_id, data))
                     for sal_id, location_id, data in record.locations]
        after = record_snapshot(record, organisation, terms, locations, before)
        self.owners.update(((attr, child_id), record.id)
                           for attr, ids in children.items() for child_id in ids)
        if before == after:
            return "unchanged"
        if service is None:
            service = Service(id=record.id, published=True)
            self.session.add(service)
            self.services[record.id] = service
        self._write_service(service, record, organisation, terms, locations)
        return "imported" if before is None else "updated"

    def _write_service(self, service: Service, record: ServiceRecord, organisation: Organisation,
                       terms: list[TaxonomyTerm], locations: list[tuple[str, Location]]) -> None:
        for name, value in record.fields.items():
            setattr(service, name, value)
        service.organisation = organisation
        service.terms = terms
        service.localities = [self.localities[slug] for slug in record.localities]
        current = {sal.id: sal for sal in service.service_at_locations}
        service.service_at_locations = [
            set_changed(current.get(sal_id) or ServiceAtLocation(id=sal_id), location=location)
            for sal_id, location in locations]
        for attr, model, names in CHILDREN:
            current = {child.id: child for child in getattr(service, attr)}
            rows = []
            for position, data in enumerate(getattr(record, attr)):
                child_id = data["id"] or stable_id(record.id, attr, position)
                values = {n: data[n] for n in names if n != "id"}
                child = current.get(child_id)
                rows.append(set_changed(child, position=position, **values) if child is not None
                            else model(id=child_id, position=position, **values))
            setattr(service, attr, rows)
        service.last_modified = (record.last_modified.replace(tzinfo=UTC)
                                 if record.last_modified else utcnow())
        service.updated_at = utcnow()  # a change to any part is a new version of the listing

    def _find_organisation(self, record: ServiceRecord) -> Organisation | None:
        data = record.organisation or {}
        if record.organisation_id in self.orgs:
            return self.orgs[record.organisation_id]
        for attr in ("charity_number", "company_number"):
            if data.get(attr) and (attr, data[attr]) in self.by_number:
                return self.by_number[(attr, data[attr])]
        return None

    def _upsert_organisation(self, organisation: Organisation | None,
                             data: dict[str, Any] | None) -> Organisation:
        if data is None:
            if organisation is None:
                raise RecordError("$.organization", "names an organisation that is neither stored nor given")
            return organisation
        values = {k: data[k] for k in ORGANISATION_FIELDS if k in data}
        if organisation is None:
            organisation = Organisation(id=data.get("id") or new_uuid(),
                                        slug=self._new_slug(values.get("name") or ""),
                                        **{"description": "", **values})
            self.session.add(organisation)
            self.orgs[organisation.id] = organisation
            self.org_changes[0].add(organisation.id)
        elif any(getattr(organisation, k) != v for k, v in values.items()):
            set_changed(organisation, **values)
            self.org_changes[1].add(organisation.id)
        for attr in ("charity_number", "company_number"):
            if getattr(organisation, attr):
                self.by_number[(attr, getattr(organisation, attr))] = organisation
        return organisation

    def _new_slug(self, name: str) -> str:
        base = _slugify(name)
        slug, n = base, 1
        while slug in self.slugs:
            n += 1
            slug = f"{base}-{n}"
        self.slugs.add(slug)
        return slug

    def _terms(self, wanted: dict[str, dict[str, Any] | None]) -> list[TaxonomyTerm]:
        terms = []
        for term_id, data in wanted.items():
            term = self.terms.get(term_id)
            if term is None and data and data.get("name") and len(term_id) <= 64:
                term = self._new_term(term_id, data)
            if term is not None:
                terms.append(term)
        return terms

    def _new_term(self, term_id: str, data: dict[str, Any]) -> TaxonomyTerm:
        taxonomy_id = data.get("taxonomy_id")
        if taxonomy_id and len(taxonomy_id) <= 64 and taxonomy_id not in self.taxonomies:
            self.taxonomies[taxonomy_id] = Taxonomy(
                id=taxonomy_id, name=str(data.get("taxonomy") or "Imported taxonomy")[:200],
                description="Created when importing Open Referral UK data.")
            self.session.add(self.taxonomies[taxonomy_id])
        term = TaxonomyTerm(
            id=term_id, name=str(data["name"])[:200], description=data.get("description") or "",
            parent_id=data.get("parent_id") if data.get("parent_id") in self.terms else None,
            taxonomy=self.taxonomies.get(taxonomy_id) if taxonomy_id else None)
        self.session.add(term)
        self.terms[term_id] = term
        return term

    def _upsert_location(self, location_id: str, data: dict[str, Any] | None) -> Location:
        location = self.locations.get(location_id)
        if data is not None and location is not None and location.confidential and redacted(data):
            data = None  # our own published copy of a confidential venue: keep what we know
        if data is None:
            if location is None:
                raise RecordError("$.service_at_locations",
                                  "names a location that is neither stored nor given")
        elif location is None:
            location = Location(id=location_id, **data)
            self.session.add(location)
            self.locations[location_id] = location
        elif any(getattr(location, k) != v for k, v in data.items()):
            set_changed(location, **data)
        return location
