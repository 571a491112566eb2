"""Read-only queries over the published directory, shared by the API, the export and the pages.

A published listing is a service with ``published`` set and status "active". Nothing else is
ever shown or exported: every query here starts from ``is_published()``. An organisation is
public when it has at least one published listing.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from portal.directory.models import (
    Location,
    Organisation,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceStatus,
    Taxonomy,
    TaxonomyTerm,
    service_locality,
    service_term,
)
from portal.directory.oruk import delivery_methods, delivery_term_codes
from portal.places.models import Locality

DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
ATTENDANCE_COLUMNS = {"in-person": Service.in_person, "online": Service.online,
                      "telephone": Service.telephone, "home-visit": Service.home_visit}

SUMMARY_LOAD: tuple[LoaderOption, ...] = (selectinload(Service.organisation),)
FULL_LOAD: tuple[LoaderOption, ...] = (
    selectinload(Service.organisation),
    selectinload(Service.terms).selectinload(TaxonomyTerm.taxonomy),
    selectinload(Service.localities),
    selectinload(Service.service_at_locations),  # each brings its location (lazy="joined")
    selectinload(Service.phones),
    selectinload(Service.contacts),
    selectinload(Service.schedules),
    selectinload(Service.cost_options),
)


def is_published() -> ColumnElement[bool]:
    return and_(Service.published.is_(True), Service.status == ServiceStatus.ACTIVE)


@dataclass(frozen=True)
class ServiceFilters:
    """Filters on published services. Values are already validated (see portal.api.params)."""

    taxonomy_term_id: str | None = None
    taxonomy_id: str | None = None
    organization_id: str | None = None
    modified_after: datetime | None = None  # timezone-aware
    age: int | None = None
    day: str | None = None  # MO..SU
    locality: str | None = None  # slug
    ids: Sequence[str] | None = None


def _term_and_descendants(session: Session, term_id: str) -> set[str]:
    children: dict[str | None, list[str]] = {}
    for tid, parent in session.execute(select(TaxonomyTerm.id, TaxonomyTerm.parent_id)):
        children.setdefault(parent, []).append(tid)
    found, todo = {term_id}, [term_id]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _has_terms(term_ids: Any) -> ColumnElement[bool]:
    return exists(select(service_term.c.service_id).where(
        service_term.c.service_id == Service.id, service_term.c.term_id.in_(term_ids)))


def service_conditions(session: Session, filters: ServiceFilters) -> list[ColumnElement[bool]]:
    conditions = [is_published()]
    f = filters
    if f.taxonomy_term_id:
        code = delivery_term_codes().get(f.taxonomy_term_id)
        if code:
            conditions.append(ATTENDANCE_COLUMNS[code].is_(True))
        else:
            conditions.append(_has_terms(_term_and_descendants(session, f.taxonomy_term_id)))
    if f.taxonomy_id:
        if f.taxonomy_id == delivery_methods()["taxonomy"]["id"]:
            conditions.append(or_(*(c.is_(True) for c in ATTENDANCE_COLUMNS.values())))
        else:
            conditions.append(_has_terms(select(TaxonomyTerm.id).where(
                TaxonomyTerm.taxonomy_id == f.taxonomy_id)))
    if f.organization_id:
        conditions.append(Service.organisation_id == f.organization_id)
    if f.modified_after is not None:
        conditions.append(Service.last_modified >= f.modified_after)
    if f.age is not None:
        conditions.append(or_(Service.minimum_age.is_(None), Service.minimum_age <= f.age))
        conditions.append(or_(Service.maximum_age.is_(None), Service.maximum_age >= f.age))
    if f.day:
        conditions.append(exists(select(Schedule.id).where(
            Schedule.service_id == Service.id, Schedule.by_appointment.is_(False),
            Schedule.freq.is_not(None), Schedule.byday.contains(f.day))))
    if f.locality:
        conditions.append(exists(select(service_locality.c.service_id).join(
            Locality, Locality.id == service_locality.c.locality_id).where(
            service_locality.c.service_id == Service.id, Locality.slug == f.locality)))
    if f.ids is not None:
        conditions.append(Service.id.in_(list(f.ids)))
    return conditions


def count(session: Session, statement: Select[Any]) -> int:
    return session.scalar(select(func.count()).select_from(
        statement.order_by(None).subquery())) or 0


def page(session: Session, statement: Select[Any], page_number: int, per_page: int
         ) -> tuple[int, list[Any]]:
    """(total, rows of this page). A page past the end is empty (and costs no OFFSET)."""
    total = count(session, statement)
    offset = (page_number - 1) * per_page
    if offset >= total:
        return total, []
    return total, list(session.scalars(statement.limit(per_page).offset(offset)))


def published_services(session: Session, filters: ServiceFilters | None = None, *,
                       full: bool = False) -> Select[Service]:
    return (select(Service)
            .where(*service_conditions(session, filters or ServiceFilters()))
            .options(*(FULL_LOAD if full else SUMMARY_LOAD))
            .order_by(Service.name, Service.id))


def published_service(session: Session, service_id: str, *, full: bool = True) -> Service | None:
    return session.scalar(select(Service).where(Service.id == service_id, is_published())
                          .options(*(FULL_LOAD if full else SUMMARY_LOAD)))


def published_services_in_order(session: Session, ids: Sequence[str], *, full: bool = False
                                ) -> list[Service]:
    """The published services among ``ids``, in the order given (search results)."""
    rows = _published_among(session, ids, FULL_LOAD if full else SUMMARY_LOAD)
    return [rows[i] for i in ids if i in rows]


def services_for_cards(session: Session, ids: Sequence[str]) -> dict[str, Service]:
    """The published services among ``ids`` with their schedules: what result cards say (one
    query for the page's cards, and one for their schedules)."""
    return _published_among(session, ids, (selectinload(Service.schedules),))


def _published_among(session: Session, ids: Sequence[str], load: Sequence[LoaderOption]
                     ) -> dict[str, Service]:
    if not ids:
        return {}
    return {service.id: service for service in session.scalars(
        select(Service).where(Service.id.in_(list(ids)), is_published()).options(*load))}


def iter_published_services(session: Session, *, chunk_size: int = 500) -> Iterator[Service]:
    """Every published service, fully loaded, a chunk at a time (for the export)."""
    ids = list(session.scalars(select(Service.id).where(is_published())
                               .order_by(Service.name, Service.id)))
    for start in range(0, len(ids), chunk_size):
        yield from published_services_in_order(session, ids[start:start + chunk_size], full=True)


def _has_published_service() -> ColumnElement[bool]:
    return exists(select(Service.id).where(Service.organisation_id == Organisation.id,
                                           is_published()))


def published_organisations(search: str | None = None) -> Select[Organisation]:
    statement = select(Organisation).where(_has_published_service())
    if search:
        statement = statement.where(Organisation.name.ilike(f"%{_like(search)}%", escape="\\"))
    return statement.order_by(Organisation.name, Organisation.id)


def published_organisation(session: Session, organisation_id: str) -> Organisation | None:
    return session.scalar(select(Organisation).where(Organisation.id == organisation_id,
                                                     _has_published_service()))


def services_of(session: Session, organisation: Organisation) -> list[Service]:
    return list(session.scalars(select(Service).where(
        Service.organisation_id == organisation.id, is_published())
        .options(*SUMMARY_LOAD).order_by(Service.name, Service.id)))


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def taxonomies(search: str | None = None) -> Select[Taxonomy]:
    statement = select(Taxonomy)
    if search:
        statement = statement.where(Taxonomy.name.ilike(f"%{_like(search)}%", escape="\\"))
    return statement.order_by(Taxonomy.name, Taxonomy.id)


def taxonomy_terms(*, search: str | None = None, taxonomy_id: str | None = None,
                   parent_id: str | None = None, top_only: bool = False
                   ) -> Select[TaxonomyTerm]:
    statement = select(TaxonomyTerm).options(selectinload(TaxonomyTerm.taxonomy))
    if search:
        statement = statement.where(TaxonomyTerm.name.ilike(f"%{_like(search)}%", escape="\\"))
    if taxonomy_id:
        statement = statement.where(TaxonomyTerm.taxonomy_id == taxonomy_id)
    if parent_id:
        statement = statement.where(TaxonomyTerm.parent_id == parent_id)
    if top_only:
        statement = statement.where(TaxonomyTerm.parent_id.is_(None))
    return statement.order_by(TaxonomyTerm.name, TaxonomyTerm.id)


def service_at_location_columns(session: Session, filters: ServiceFilters | None,
                                *columns: Any) -> Select[Any]:
    """``columns`` of the published services' service-at-locations (and their locations)."""
    return (select(*columns).select_from(ServiceAtLocation)
            .join(Service, Service.id == ServiceAtLocation.service_id)
            .join(Location, Location.id == ServiceAtLocation.location_id)
            .where(*service_conditions(session, filters or ServiceFilters())))


def published_service_at_locations(session: Session, filters: ServiceFilters | None = None
                                   ) -> Select[ServiceAtLocation]:
    return (service_at_location_columns(session, filters, ServiceAtLocation)
            .options(selectinload(ServiceAtLocation.service).selectinload(Service.organisation))
            .order_by(Service.name, ServiceAtLocation.id))


def published_service_at_location(session: Session, sal_id: str) -> ServiceAtLocation | None:
    return session.scalar(
        select(ServiceAtLocation).join(Service, Service.id == ServiceAtLocation.service_id)
        .where(ServiceAtLocation.id == sal_id, is_published())
        .options(selectinload(ServiceAtLocation.service).selectinload(Service.organisation)))
