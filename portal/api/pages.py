"""What each Open Referral UK list endpoint answers: request arguments in, one JSON page out.

Only the published directory is ever read (``portal.directory.queries``). ``search`` and
``postcode`` on ``/services`` go through the search page's engine (``portal.api.search``).
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from werkzeug.datastructures import MultiDict

from portal.api import params
from portal.api import search as api_search
from portal.api.params import Paging, bad_request, list_page
from portal.directory import queries
from portal.directory.models import Location, Service, ServiceAtLocation
from portal.directory.oruk import (
    minimal_service_to_oruk,
    organization_to_oruk,
    service_at_location_to_oruk,
    service_summary_to_oruk,
    service_to_oruk,
    taxonomy_term_to_oruk,
    taxonomy_to_oruk,
)
from portal.places.models import Locality
from portal.places.postcodes import EARTH_RADIUS_KM, distance_km

MAX_PROXIMITY_METRES = 1_000_000


def _format(args: MultiDict[str, str]) -> None:
    if params.text(args, "format") not in (None, "json"):
        bad_request("format must be json.")


def _filters(session: Session, args: MultiDict[str, str]) -> queries.ServiceFilters:
    return params.service_filters(session, args, set(session.scalars(select(Locality.slug))))


def services(session: Session, args: MultiDict[str, str]) -> dict[str, Any]:
    _format(args)
    minimal, full = params.boolean(args, "minimal"), params.boolean(args, "full")
    paging = (params.paging(args, maximum=params.MAX_PER_PAGE_MINIMAL,
                            default=params.MAX_PER_PAGE_MINIMAL) if minimal else params.paging(args))
    filters = _filters(session, args)
    text, place = params.text(args, "search"), params.place(session, args)
    if text or place:
        paging = Paging(paging.page, min(paging.per_page, params.MAX_PER_PAGE))
        total, ids = api_search.search(session, text=text, place=place, filters=filters,
                                       paging=paging)
        rows = queries.published_services_in_order(session, ids, full=full and not minimal)
    else:
        total, rows = queries.page(
            session, queries.published_services(session, filters, full=full and not minimal),
            paging.page, paging.per_page)
    render = (minimal_service_to_oruk if minimal else
              service_to_oruk if full else service_summary_to_oruk)
    return list_page([render(s) for s in rows], total=total, paging=paging)


def organizations(session: Session, args: MultiDict[str, str]) -> dict[str, Any]:
    _format(args)
    full, with_services = params.boolean(args, "full"), params.boolean(args, "full_service")
    paging = params.paging(args)
    total, rows = queries.page(session, queries.published_organisations(
        params.text(args, "search")), paging.page, paging.per_page)
    contents = []
    for org in rows:
        item = organization_to_oruk(org, full=full or with_services)
        if with_services:
            item["services"] = [service_summary_to_oruk(s) for s in queries.services_of(session, org)]
        contents.append(item)
    return list_page(contents, total=total, paging=paging)


def organization(session: Session, org: Any, args: MultiDict[str, str]) -> dict[str, Any]:
    full_services = params.boolean(args, "full_service")
    item = organization_to_oruk(org)
    rows = queries.services_of(session, org)
    if full_services:
        rows = queries.published_services_in_order(session, [s.id for s in rows], full=True)
    item["services"] = [service_to_oruk(s) if full_services else service_summary_to_oruk(s)
                        for s in rows]
    return item


def taxonomies(session: Session, args: MultiDict[str, str]) -> dict[str, Any]:
    _format(args)
    paging = params.paging(args)
    total, rows = queries.page(session, queries.taxonomies(params.text(args, "search")),
                               paging.page, paging.per_page)
    return list_page([taxonomy_to_oruk(t, terms=False) for t in rows], total=total, paging=paging)


def taxonomy_terms(session: Session, args: MultiDict[str, str]) -> dict[str, Any]:
    _format(args)
    paging = params.paging(args)
    statement = queries.taxonomy_terms(
        search=params.text(args, "search"), taxonomy_id=params.text(args, "taxonomy_id"),
        parent_id=params.text(args, "parent_id"), top_only=params.boolean(args, "top_only"))
    total, rows = queries.page(session, statement, paging.page, paging.per_page)
    return list_page([taxonomy_term_to_oruk(t) for t in rows], total=total, paging=paging)


def service_at_locations(session: Session, args: MultiDict[str, str]) -> dict[str, Any]:
    _format(args)
    full, paging = params.boolean(args, "full"), params.paging(args)
    filters = _filters(session, args)
    place = params.place(session, args)
    proximity = params.whole_number(args, "proximity", minimum=0, maximum=MAX_PROXIMITY_METRES)
    if proximity is not None and place is None:
        bad_request("proximity needs a postcode.")
    text = params.text(args, "search")
    if text:
        filters = replace(filters, ids=api_search.ranked_ids(session, text))
    if place is None:
        total, rows = queries.page(session, queries.published_service_at_locations(
            session, filters), paging.page, paging.per_page)
    else:
        total, rows = _nearest(session, filters, place, proximity, paging)
    return list_page([service_at_location_to_oruk(sal, full=full) for sal in rows],
                     total=total, paging=paging)


def _nearest(session: Session, filters: queries.ServiceFilters, place: params.Place,
             proximity: int | None, paging: Paging) -> tuple[int, list[ServiceAtLocation]]:
    """Nearest first; with ``proximity``, only those within it. Confidential venues have no
    published position, so they never take part in distances (one would give them away):
    without ``proximity`` they come last with the virtual ones, with it they never match."""
    here = (place.latitude, place.longitude)
    located = queries.service_at_location_columns(
        session, filters, ServiceAtLocation.id, Location.latitude, Location.longitude
    ).where(Location.latitude.is_not(None), Location.longitude.is_not(None),
            Location.confidential.is_(False))
    if proximity is not None:
        degrees = proximity / 1000 / EARTH_RADIUS_KM * 180 / math.pi
        stretch = max(math.cos(math.radians(place.latitude)), 0.01)
        located = located.where(Location.latitude.between(here[0] - degrees, here[0] + degrees),
                                Location.longitude.between(here[1] - degrees / stretch,
                                                           here[1] + degrees / stretch))
    ranked = sorted((distance_km(here, (row.latitude, row.longitude)), row.id)
                    for row in session.execute(located))
    if proximity is not None:
        ranked = [(km, sal_id) for km, sal_id in ranked if km * 1000 <= proximity]
    else:
        placed = {sal_id for _km, sal_id in ranked}
        ranked += sorted((math.inf, sal_id) for sal_id in session.scalars(
            queries.service_at_location_columns(session, filters, ServiceAtLocation.id))
            if sal_id not in placed)
    start = (paging.page - 1) * paging.per_page
    page_ids = [sal_id for _km, sal_id in ranked[start:start + paging.per_page]]
    rows = {sal.id: sal for sal in session.scalars(
        select(ServiceAtLocation).where(ServiceAtLocation.id.in_(page_ids))
        .options(selectinload(ServiceAtLocation.service).selectinload(Service.organisation)))}
    return len(ranked), [rows[i] for i in page_ids if i in rows]
