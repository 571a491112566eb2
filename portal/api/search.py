"""``/api/services?search=...`` and ``?postcode=...``: the search page's own engine.

The API does not search by itself: it asks ``portal.search.services.search_services`` (synonyms,
stemming, coverage-and-distance ranking, stale listings last) with every filter it was given;
the engine applies them all, the Open Referral UK ones too (``portal.search.backend``), so
totals and pages are exact however many services match.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from portal.api.params import Paging, Place
from portal.directory.queries import ServiceFilters
from portal.search.services import ServiceQuery, search_services

MAX_SCAN = 1000


def search(session: Session, *, text: str | None, place: Place | None, filters: ServiceFilters,
           paging: Paging) -> tuple[int, list[str]]:
    """(total, ids of this page, best first)."""
    result = search_services(session, None, ServiceQuery(
        text=text or "", postcode=place.postcode if place else None,
        locality=[filters.locality] if filters.locality else [],
        days=[filters.day] if filters.day else [], age=filters.age,
        sort="distance" if place is not None and not text else "relevance",
        organization_id=filters.organization_id, modified_after=filters.modified_after,
        taxonomy_id=filters.taxonomy_id, taxonomy_term_id=filters.taxonomy_term_id,
        page=paging.page, per_page=paging.per_page, facets=False))
    if result.page != paging.page:  # the engine shows the last page instead: we show none
        return result.total, []
    return result.total, [hit.service_id for hit in result.hits]


def ranked_ids(session: Session, text: str) -> list[str]:
    """The ids of the first ``MAX_SCAN`` services matching ``text``, best first."""
    ranked: list[str] = []
    per_page = 100
    for page in range(1, MAX_SCAN // per_page + 1):
        result = search_services(session, None, ServiceQuery(text=text, page=page,
                                                             per_page=per_page, facets=False))
        if result.page != page:
            break
        ranked += [hit.service_id for hit in result.hits]
        if len(ranked) >= result.total:
            break
    return ranked
