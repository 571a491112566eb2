"""The one search interface: ``search_services(session, engine, query)``.

Used by the directory pages, the combined ``/search`` and the Open Referral UK API, so all have
the same understanding of the words (``understanding``: concepts, places, filler, crisis words;
misspelt words are searched corrected, ``ServiceQuery.correct``), ranking (partial matches,
all-words first; with a postcode relevance and distance are blended) and filters (defined
once, ``backend.filter_set``). The engine is the app's (``SEARCH_BACKEND``, see ``backend``).
Anything a person sends is normalised, never an error: text is cut to 200 characters and never
parsed as query syntax, unknown filter values are dropped, pages and page sizes are clamped. A
postcode that cannot be used comes back as ``postcode_error`` ("malformed" or "unknown") and
the search runs without it.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy.orm import Session

from portal.clock import utcnow
from portal.search import backend, text
from portal.search.backend import (
    ATTENDANCE,
    FLAG_FACETS,
    LIST_FACETS,
    MAX_AGE,
    MAX_PER_PAGE,
    SORTS,
    Hit,
    SearchBackend,
    SearchResult,
    ServiceQuery,
    filter_choices,
)
from portal.search.gaps import count_gap
from portal.search.index import SearchIndex
from portal.search.models import SearchGap
from portal.search.places import Place, PostcodeError, find_place

log = logging.getLogger(__name__)

__all__ = ["ATTENDANCE", "FLAG_FACETS", "LIST_FACETS", "MAX_AGE", "MAX_PER_PAGE", "SORTS", "Hit",
           "SearchResult", "ServiceQuery", "filter_choices", "search_services"]


def engine_of(engine: SearchBackend | SearchIndex | None) -> SearchBackend:
    """The engine to search: the one given (a bare ``SearchIndex`` is the Whoosh engine on it),
    else the app's."""
    if engine is None:
        return backend.for_app()
    if isinstance(engine, SearchIndex):
        from portal.search.whoosh_backend import WhooshBackend

        return WhooshBackend(engine)
    return engine


def search_services(session: Session, engine: SearchBackend | SearchIndex | None,
                    query: ServiceQuery, *, now: datetime | None = None,
                    record_gap: bool = False) -> SearchResult:
    """Search published services. ``now`` fixes the clock (open now, freshness)."""
    engine = engine_of(engine)
    if has_app_context():  # changes other servers committed since we last looked
        try:
            engine.follow(current_app._get_current_object(), session.get_bind())  # type: ignore[attr-defined]
        except Exception:
            log.exception("search: catching up with the change log failed")
    query = backend.normalised(session, query)
    place, postcode_error = None, None
    if query.postcode and query.postcode.strip():
        try:
            place = find_place(session, query.postcode)
        except PostcodeError as error:
            postcode_error = error.kind
    parsed = text.parse(query.text)
    result = engine.search(session, query, parsed, place, now)
    result.postcode_error = postcode_error
    if record_gap and result.total == 0:
        _record_gap(session, query, result.typed or parsed.text, place)
    return result


def _record_gap(session: Session, query: ServiceQuery, words: str, place: Place | None) -> None:
    """Words, filters and time only: never who searched, their IP or their full postcode."""
    filters: dict[str, Any] = {
        "localities": query.localities, "categories": query.categories, "days": query.days,
        "attendance": query.attendance, "open_now": query.open_now, "evenings": query.evenings,
        "weekends": query.weekends, "free": query.free, "age": query.age}
    filters = {k: v for k, v in filters.items() if v not in (None, False, [])}
    if place is not None:
        filters["postcode_district"] = place.district
        if place.locality:
            filters["near_locality"] = place.locality
    if not words and not filters:
        return
    note_gap(session, words=words, filters=filters)
    session.commit()


def note_gap(session: Session, *, words: str, filters: dict[str, Any],
             at: datetime | None = None) -> SearchGap:
    """The search's row, and its count by month, locality and words (``portal.search.gaps``)
    in the same transaction (``at``: when, if not now, as the demo's year of searches)."""
    gap = SearchGap(query=words, filters=filters, created_at=at or utcnow())
    session.add(gap)
    count_gap(session, words=words, filters=filters, at=gap.created_at)
    return gap
