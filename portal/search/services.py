"""The one search interface: ``search_services(session, index, query)``.

Used by the search page and by the Open Referral UK API, so both have the same understanding
of the words (``understanding``: concepts, places, filler, crisis words; misspelt words are
searched corrected, ``ServiceQuery.correct``), ranking (partial matches, all-words first, see
``text.plan``; with a postcode relevance and distance are blended, ``ranking.blend``), filters
and coverage-and-distance ranking. Anything a person sends is normalised,
never an error: text is cut to 200 characters and never parsed as query syntax, unknown
filter values are dropped, pages and page sizes are clamped. A postcode that cannot be used
comes back as ``postcode_error`` ("malformed" or "unknown") and the search runs without it.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.directory.models import TaxonomyTerm
from portal.places.models import Locality
from portal.search import outbox, ranking, schedules, text
from portal.search.bitsets import SearcherBits
from portal.search.index import SearchIndex, quiet_leaks
from portal.search.models import SearchGap
from portal.search.places import Place, PostcodeError, find_place
from portal.search.schema import FLAG_EVENING, FLAG_FREE, FLAG_WEEKEND

log = logging.getLogger(__name__)

SORTS = ("relevance", "distance")
ATTENDANCE = ("in-person", "online", "telephone", "home-visit")
MAX_PER_PAGE = 100
MAX_AGE = 130
# facet name -> keyword field (lists) or flag (yes/no filters)
LIST_FACETS = {"locality": "locality", "category": "category", "days": "days",
               "attendance": "attendance"}
FLAG_FACETS = {"evenings": FLAG_EVENING, "weekends": FLAG_WEEKEND, "free": FLAG_FREE}


@dataclass
class ServiceQuery:
    text: str = ""
    postcode: str | None = None
    locality: str | Sequence[str] | None = None
    categories: list[str] = field(default_factory=list)
    days: list[str] = field(default_factory=list)
    open_now: bool = False
    evenings: bool = False
    weekends: bool = False
    free: bool = False
    age: int | None = None
    attendance: list[str] = field(default_factory=list)
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    correct: bool = True  # search misspelt words as corrected (False: exactly as typed)

    @property
    def localities(self) -> list[str]:
        if not self.locality:
            return []
        return [self.locality] if isinstance(self.locality, str) else list(self.locality)


@dataclass
class Hit:
    service_id: str
    score: float
    distance_km: float | None
    highlights: dict[str, str]  # field -> escaped HTML with <mark> around matched words
    name: str = ""
    organisation: str = ""
    last_checked: date | None = None
    stale: bool = False
    attendance: list[str] = field(default_factory=list)
    localities: list[str] = field(default_factory=list)


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]]
    page: int
    per_page: int
    place: Place | None = None
    postcode_error: str | None = None
    query: ServiceQuery | None = None
    corrected: str | None = None  # the corrected text the results are for ("Showing results for")
    typed: str | None = None  # what was typed, when it was corrected ("Search instead for")
    urgent: bool = False  # words of crisis: show the urgent help box first
    languages: list[str] = field(default_factory=list)  # non-English concept words used
    localities_named: list[str] = field(default_factory=list)  # places named in the words

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def search_services(session: Session, index: SearchIndex, query: ServiceQuery, *,
                    now: datetime | None = None, record_gap: bool = False) -> SearchResult:
    """Search published services. ``now`` fixes the clock (open now, freshness)."""
    query = _normalised(session, query)
    place, postcode_error = None, None
    if query.postcode and query.postcode.strip():
        try:
            place = find_place(session, query.postcode)
        except PostcodeError as error:
            postcode_error = error.kind
    parsed = text.parse(query.text)
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
    result.postcode_error = postcode_error
    if record_gap and result.total == 0:
        _record_gap(session, query, result.typed or parsed.text, place)
    if has_app_context():
        outbox.drain_if_due(current_app._get_current_object(), session)  # type: ignore[attr-defined]
    return result


def filter_choices(session: Session) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(slug, name) of every locality and (code, name) of every top-level need category."""
    localities = [(row.slug, row.name) for row in
                  session.execute(select(Locality.slug, Locality.name).order_by(Locality.id))]
    categories = [(row.code, row.name) for row in session.execute(
        select(TaxonomyTerm.code, TaxonomyTerm.name)
        .where(TaxonomyTerm.parent_id.is_(None), TaxonomyTerm.code.is_not(None),
               TaxonomyTerm.code.not_in(ATTENDANCE))
        .order_by(TaxonomyTerm.name))]
    return localities, categories


def _normalised(session: Session, query: ServiceQuery) -> ServiceQuery:
    localities, categories = filter_choices(session)
    known_localities = {slug for slug, _name in localities}
    known_categories = {code for code, _name in categories}

    def keep(values: Sequence[str] | None, allowed: Sequence[str] | set[str]) -> list[str]:
        return list(dict.fromkeys(v for v in (values or []) if isinstance(v, str) and v in allowed))

    age = query.age if isinstance(query.age, int) and 0 <= query.age <= MAX_AGE else None
    per_page = min(max(_int(query.per_page, 20), 1), MAX_PER_PAGE)
    return ServiceQuery(
        text=text.clean(query.text if isinstance(query.text, str) else ""),
        postcode=query.postcode if isinstance(query.postcode, str) else None,
        locality=keep(query.localities, known_localities),
        categories=keep(query.categories, known_categories),
        days=keep([d.upper() for d in query.days or [] if isinstance(d, str)], schedules.DAY_CODES),
        open_now=bool(query.open_now), evenings=bool(query.evenings),
        weekends=bool(query.weekends), free=bool(query.free), age=age,
        attendance=keep(query.attendance, ATTENDANCE),
        sort=query.sort if query.sort in SORTS else "relevance",
        page=min(max(_int(query.page, 1), 1), 10**6), per_page=per_page, correct=query.correct is not False)


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return default


def _expansions(session: Session, keys: list[str]) -> dict[str, text.Expansion]:
    """Each concept key as a need (a taxonomy code, with its name's words) or as text."""
    if not keys:
        return {}
    names = dict(session.execute(select(TaxonomyTerm.code, TaxonomyTerm.name)
                                 .where(TaxonomyTerm.code.in_(keys))).all())
    return {key: text.Expansion(key, text.stems(names[key])) if key in names
            else text.Expansion(None, text.stems(key)) for key in keys}


def _filters(bits: SearcherBits, query: ServiceQuery, now: datetime | None) -> dict[str, int]:
    lists = {"locality": query.localities, "category": query.categories, "days": query.days,
             "attendance": query.attendance}
    filters = {name: bits.any_of(LIST_FACETS[name], values) for name, values in lists.items() if values}
    for name, flag in FLAG_FACETS.items():
        if getattr(query, name):
            filters[name] = bits.value("flags", flag)
    if query.open_now:
        filters["open_now"] = _open_now(bits, now)
    if query.age is not None:
        filters["age"] = _age(bits, query.age)
    return filters


def _open_now(bits: SearcherBits, now: datetime | None) -> int:
    prefixes, minute = schedules.open_now_prefixes(now)
    result = 0
    for token, mask in bits.fields["open_at"].items():
        if schedules.is_open_token(token, prefixes, minute):
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
    for name, field_name in LIST_FACETS.items():
        scope = others(name)
        facets[name] = {value: (scope & mask).bit_count()
                        for value, mask in bits.fields[field_name].items()}
    for name, flag in FLAG_FACETS.items():
        facets[name] = {"true": (others(name) & bits.value("flags", flag)).bit_count()}
    open_mask = filters.get("open_now")
    facets["open_now"] = {"true": (others("open_now") & (
        open_mask if open_mask is not None else _open_now(bits, now))).bit_count()}
    return facets


def _run(session: Session, index: SearchIndex, query: ServiceQuery, parsed: text.TextQuery,
         place: Place | None, now: datetime | None) -> SearchResult:
    today = schedules.local_now(now).date()
    with index.reading() as (searcher, bits):
        typed = None
        urgent = parsed.urgent
        if query.correct and parsed.units:
            changes = text.corrections(bits, index.known_words(searcher, bits), parsed)
            if changes:
                typed = parsed.text
                parsed = text.parse(text.corrected_text(parsed, changes))
        expansions = _expansions(session, parsed.keys)
        planned = text.plan(bits, parsed, expansions) if not parsed.is_empty or parsed.localities \
            else text.Plan(bits.live, [])
        base = planned.matching
        filters = _filters(bits, query, now)
        final = base
        for mask in filters.values():
            final &= mask
        total = final.bit_count()
        pages = max(1, -(-total // query.per_page))
        query.page = min(query.page, pages)
        offset = (query.page - 1) * query.per_page
        ordered = _order(bits, final, query, planned.weights, place, today, offset)
        terms = text.highlight_terms(parsed, expansions) if not parsed.is_empty else frozenset()
        hits = [_hit(stored, score, place, terms, today)
                for stored, (_docnum, score) in zip(index.stored(searcher, [d for d, _s in ordered]),
                                                    ordered, strict=True)]
        facets = _facets(bits, base, filters, now)
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


def _hit(stored: dict[str, Any], score: float, place: Place | None, terms: frozenset[str],
         today: date) -> Hit:
    where = stored.get("place") or {}
    show = stored.get("show") or {}
    checked = where.get("checked")
    return Hit(
        service_id=stored["id"],
        score=round(float(score), 4),
        distance_km=ranking.nearest_km(place, where.get("geo") or []) if place else None,
        highlights={"name": text.highlighted(show.get("name", ""), terms, whole=True),
                    "description": text.highlighted(show.get("description", ""), terms, whole=False)},
        name=show.get("name", ""),
        organisation=show.get("organisation", ""),
        last_checked=date.fromisoformat(checked) if checked else None,
        stale=ranking.is_stale(checked, today),
        attendance=list(where.get("attendance") or []),
        localities=list(where.get("localities") or []),
    )


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
    session.add(SearchGap(query=words, filters=filters))
    session.commit()
