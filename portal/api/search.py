"""``/api/services?search=...`` and ``?postcode=...``: the search page's own engine.

The API does not search by itself: it asks ``portal.search.services.search_services`` (synonyms,
stemming, coverage-and-distance ranking, stale listings last) and pages through the ranked ids.
Filters the engine knows (locality, day, age, top-level need, delivery method) go to the engine;
the Open Referral UK filters it does not know (organization_id, modified_after, taxonomy_id, a
term below the top level) are applied to the first ``MAX_SCAN`` ranked results with SQL.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.api.params import Paging, Place
from portal.directory.models import Service, TaxonomyTerm
from portal.directory.oruk import delivery_term_codes
from portal.directory.queries import ServiceFilters, service_conditions
from portal.search import SearchIndex
from portal.search.services import ServiceQuery, search_services

MAX_SCAN = 1000
ENGINE_PAGE = 100


def _engine_term(session: Session, term_id: str | None) -> dict[str, list[str]] | None:
    """The engine's own filter for a taxonomy term, or None when only SQL can apply it."""
    if not term_id:
        return {}
    code = delivery_term_codes().get(term_id)
    if code:
        return {"attendance": [code]}
    term = session.get(TaxonomyTerm, term_id)
    if term is not None and term.parent_id is None and term.code:
        return {"categories": [term.code]}
    return None


def search(session: Session, *, text: str | None, place: Place | None, filters: ServiceFilters,
           paging: Paging) -> tuple[int, list[str]]:
    """(total, ids of this page, best first)."""
    index = SearchIndex.for_app()
    engine_term = _engine_term(session, filters.taxonomy_term_id)
    base = {
        "text": text or "", "postcode": place.postcode if place else None,
        "locality": [filters.locality] if filters.locality else [],
        "days": [filters.day] if filters.day else [], "age": filters.age,
        "sort": "distance" if place is not None and not text else "relevance",
        **(engine_term or {}),
    }
    rest = ServiceFilters(organization_id=filters.organization_id,
                          modified_after=filters.modified_after, taxonomy_id=filters.taxonomy_id,
                          taxonomy_term_id=filters.taxonomy_term_id if engine_term is None else None)
    if rest == ServiceFilters():
        result = search_services(session, index, ServiceQuery(
            **base, page=paging.page, per_page=paging.per_page))  # type: ignore[arg-type]
        if result.page != paging.page:  # the engine shows the last page instead: we show none
            return result.total, []
        return result.total, [hit.service_id for hit in result.hits]
    ranked = _ranked(session, index, base)
    keep = set(session.scalars(select(Service.id).where(
        *service_conditions(session, replace(rest, ids=ranked)))))
    ordered = [service_id for service_id in ranked if service_id in keep]
    start = (paging.page - 1) * paging.per_page
    return len(ordered), ordered[start:start + paging.per_page]


def _ranked(session: Session, index: SearchIndex, base: dict[str, Any]) -> list[str]:
    ranked: list[str] = []
    for page in range(1, MAX_SCAN // ENGINE_PAGE + 1):
        result = search_services(session, index, ServiceQuery(
            **base, page=page, per_page=ENGINE_PAGE))
        if result.page != page:
            break
        ranked += [hit.service_id for hit in result.hits]
        if len(ranked) >= result.total:
            break
    return ranked


def ranked_ids(session: Session, text: str) -> list[str]:
    """The ids of the first ``MAX_SCAN`` services matching ``text``, best first."""
    return _ranked(session, SearchIndex.for_app(), {"text": text})
