"""The embedded engine: an on-disk Whoosh index per server, ranked over bitsets.

Matching and weights come from ``text.plan`` (partial matches, all-words first, concept map),
filters and facet counts are bitset operations (``bitsets``), ordering is ``ranking``. The
index follows the database through the change log (``outbox``): each server reads it from its
own position, so several web servers each keep a correct index of their own.
"""

from __future__ import annotations

import gc
import logging
from datetime import date, datetime
from typing import TYPE_CHECKING

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.directory.models import Service
from portal.search import backend, outbox, ranking, schedules, text
from portal.search.backend import FilterSet, SearchResult, ServiceQuery
from portal.search.bitsets import SearcherBits
from portal.search.index import SearchIndex, quiet_leaks
from portal.search.places import Place

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

log = logging.getLogger(__name__)


class WhooshBackend:
    name = "whoosh"

    def __init__(self, index: SearchIndex | None = None, app: Flask | None = None) -> None:
        self._index = index
        self._app = app

    @property
    def index(self) -> SearchIndex:
        """The given index, or the app's (looked up each time: tests give the app a new one)."""
        return self._index if self._index is not None else SearchIndex.for_app(self._app)

    def search(self, session: Session, query: ServiceQuery, parsed: text.TextQuery,
               place: Place | None, now: datetime | None) -> SearchResult:
        index = self.index
        if not index.exists():  # the first search, or the index was lost: build it
            outbox.rebuild(index, session.get_bind(), heal=True)
        with quiet_leaks():
            try:
                result = _run(session, index, query, parsed, place, now)
            except Exception as error:
                if index.healthy():
                    raise
                # No traceback in the record: it would keep the damaged index's open files alive.
                log.warning("search index unusable (%s: %s); rebuilding it from the database",
                            type(error).__name__, str(error))
                result = None
            if result is None:
                gc.collect()
        if result is None:
            outbox.rebuild(index, session.get_bind(), heal=True)
            result = _run(session, index, query, parsed, place, now)
        return result

    def rebuild(self, bind: Engine | Connection) -> int:
        return outbox.rebuild(self.index, bind)

    def is_reachable(self) -> bool:
        return self.index.is_reachable()

    def follow(self, app: Flask, bind: Engine | Connection) -> int:
        return outbox.follow_if_due(app, self.index, bind)


def _filters(session: Session, bits: SearcherBits, filters: FilterSet) -> dict[str, int]:
    found = {name: bits.any_of(field, values) for name, (field, values) in filters.keywords.items()}
    for name, flag in filters.flags.items():
        found[name] = bits.value("flags", flag)
    if filters.open_now is not None:
        found["open_now"] = _open_now(bits, filters.open_now)
    if filters.age is not None:
        found["age"] = _age(bits, filters.age)
    if filters.sql:
        found["sql"] = bits.of_ids(session.scalars(select(Service.id).where(*filters.sql)))
    return found


def _open_now(bits: SearcherBits, moment: datetime) -> int:
    result = 0
    for token, mask in bits.fields["open_at"].items():
        if schedules.is_open_token(token, moment):
            result |= mask
    return result


def _age(bits: SearcherBits, age: int) -> int:
    key = ("age", age)
    if key not in bits.memo:
        lower = upper = 0
        for value, mask in bits.fields["age"].items():
            kind, _sep, number = value.partition(":")
            if kind == "min" and number.isdigit() and int(number) <= age:
                lower |= mask
            elif kind == "max" and (number == "none" or (number.isdigit() and int(number) >= age)):
                upper |= mask
        bits.memo[key] = lower & upper
    return bits.memo[key]


def _facets(bits: SearcherBits, base: int, filters: dict[str, int], now: datetime | None
            ) -> dict[str, dict[str, int]]:
    """Counts for each filter value among results of the query with the *other* filters."""
    def others(name: str) -> int:
        result = base
        for other, mask in filters.items():
            if other != name:
                result &= mask
        return result

    facets: dict[str, dict[str, int]] = {}
    for name, field_name in backend.LIST_FACETS.items():
        scope = others(name)
        facets[name] = {value: (scope & mask).bit_count()
                        for value, mask in bits.fields[field_name].items()}
    for name, flag in backend.FLAG_FACETS.items():
        facets[name] = {"true": (others(name) & bits.value("flags", flag)).bit_count()}
    open_mask = filters.get("open_now")
    facets["open_now"] = {"true": (others("open_now") & (
        open_mask if open_mask is not None else _open_now(bits, schedules.local_now(now)))
    ).bit_count()}
    return facets


def _run(session: Session, index: SearchIndex, query: ServiceQuery, parsed: text.TextQuery,
         place: Place | None, now: datetime | None) -> SearchResult:
    today = schedules.local_now(now).date()
    filter_set = backend.filter_set(session, query, now)
    urgent = parsed.urgent
    with index.reading() as (searcher, bits):
        typed = None
        if query.correct:
            parsed, typed = backend.correct(parsed, index.known_words(searcher, bits),
                                            text.in_bits(bits))
        expansions = backend.expansions(session, parsed.keys)
        planned = text.plan(bits, parsed, expansions) if not parsed.is_empty or parsed.localities \
            else text.Plan(bits.live, [])
        base = planned.matching
        filters = _filters(session, bits, filter_set)
        final = base
        for mask in filters.values():
            final &= mask
        total = final.bit_count()
        pages = max(1, -(-total // query.per_page))
        query.page = min(query.page, pages)
        offset = (query.page - 1) * query.per_page
        ordered = _order(bits, final, query, planned.weights, place, today, offset)
        terms = text.highlight_terms(parsed, expansions) if not parsed.is_empty else frozenset()
        hits = [backend.make_hit(stored, score, place, terms, today)
                for stored, (_docnum, score) in zip(index.stored(searcher, [d for d, _s in ordered]),
                                                    ordered, strict=True)]
        facets = _facets(bits, base, filters, now) if query.facets else {}
    return SearchResult(total, hits, facets, query.page, query.per_page, place,
                        query=query, corrected=parsed.text if typed else None, typed=typed,
                        urgent=urgent or parsed.urgent, languages=sorted(parsed.languages),
                        localities_named=list(parsed.localities))


def _order(bits: SearcherBits, final: int, query: ServiceQuery, weighted: list[tuple[float, int]],
           place: Place | None, today: date, offset: int) -> list[tuple[int, float]]:
    """The page of results: (document number, score), best first."""
    if not final:
        return []
    stale = ranking.stale_bits(bits, today)
    scores: list[tuple[float, int]] = []
    if weighted:
        factor = ranking.STALE_FACTOR if place is None else 1.0  # with a place, staleness is distance
        scores = ranking.score_groups(weighted, final, stale, factor)
    if place is None:
        orders = [scores] if scores else [[(0.0, ~stale)]]
    else:
        near = ranking.buckets(bits, place, stale)
        if scores and query.sort == "relevance":
            orders = [ranking.blend(scores, ranking.tiers(near)), near]
        else:
            orders = [near, scores] if scores else [near]
    documents = ranking.page(orders, final, offset, query.per_page)
    return [(docnum, ranking.score_of(docnum, scores)) for docnum in documents]
