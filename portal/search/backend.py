"""One search interface, two engines: ``SEARCH_BACKEND`` = ``whoosh`` (the default) or ``postgresql``.

Everything that is not the engine is here, once, for both engines and for every caller (the
directory pages, the combined ``/search``, the Open Referral UK API):

* the query (``ServiceQuery``) with every filter the pages and the API know, and its
  normalisation (``normalised``): unknown values dropped, pages clamped, an ORUK taxonomy term
  turned into the need or delivery method it stands for;
* the filters (``FilterSet``): keyword filters are "the listing has one of these values of
  this keyword field", the keyword values being made once per listing by ``documents`` for both
  engines; the Open Referral UK filters with no keyword (organisation, modified after, a
  taxonomy, a term below the top level) are SQL conditions (``sql_conditions``) both engines
  apply to the whole result set;
* the results (``SearchResult``, ``Hit``), built the same way from a listing's stored fields.

An engine (``SearchBackend``) answers a normalised, understood query; ``services.search_services``
is the one entry point that callers use.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol

from flask import Flask, current_app
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from portal.directory.models import TaxonomyTerm
from portal.places.models import Locality
from portal.search import ranking, schedules, text
from portal.search.places import Place
from portal.search.schema import FLAG_EVENING, FLAG_FREE, FLAG_WEEKEND

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

BACKENDS = ("whoosh", "postgresql")
EXTENSION = "portal.search.backend"
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
    facets: bool = True  # count results per filter value (the pages' filters; the API has none)
    # Open Referral UK filters (the API's): applied to the whole result set with SQL.
    organization_id: str | None = None
    modified_after: datetime | None = None
    taxonomy_id: str | None = None
    taxonomy_term_id: str | None = None  # a need or a delivery method becomes a keyword filter

    @property
    def localities(self) -> list[str]:
        if not self.locality:
            return []
        return [self.locality] if isinstance(self.locality, str) else list(self.locality)


class Highlights(Mapping[str, str]):
    """A hit's name and description as escaped HTML with the matched words marked, made when
    first shown (the API and the combined page show none: no per-hit highlighting for them)."""

    def __init__(self, name: str, description: str, terms: frozenset[str]) -> None:
        self._texts = {"name": (name, True), "description": (description, False)}
        self._terms = terms
        self._made: dict[str, str] = {}

    def __getitem__(self, key: str) -> str:
        if key not in self._made:
            source, whole = self._texts[key]
            self._made[key] = text.highlighted(source, self._terms, whole=whole)
        return self._made[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._texts)

    def __len__(self) -> int:
        return len(self._texts)


@dataclass
class Hit:
    service_id: str
    score: float
    distance_km: float | None
    highlights: Mapping[str, str]  # field -> escaped HTML with <mark> around matched words
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


@dataclass(frozen=True)
class FilterSet:
    """A query's filters, as both engines apply them.

    ``keywords``: filter name -> (keyword field, values); a listing passes when it has one of
    the values. ``flags``: filter name -> flag a listing must have. ``open_now``: the moment a
    listing must be open at. ``age``: an age the listing must take. ``sql``: conditions on
    ``Service`` (the Open Referral UK filters with no keyword).
    """

    keywords: dict[str, tuple[str, list[str]]]
    flags: dict[str, str]
    open_now: datetime | None
    age: int | None
    sql: list[ColumnElement[bool]]

    @property
    def names(self) -> list[str]:
        return [*self.keywords, *self.flags, *(["open_now"] if self.open_now else []),
                *(["age"] if self.age is not None else []), *(["sql"] if self.sql else [])]


def filter_set(session: Session, query: ServiceQuery, now: datetime | None) -> FilterSet:
    lists = {"locality": query.localities, "category": query.categories, "days": query.days,
             "attendance": query.attendance}
    return FilterSet(
        keywords={name: (LIST_FACETS[name], values) for name, values in lists.items() if values},
        flags={name: flag for name, flag in FLAG_FACETS.items() if getattr(query, name)},
        open_now=schedules.local_now(now) if query.open_now else None,
        age=query.age,
        sql=sql_conditions(session, query),
    )


def sql_conditions(session: Session, query: ServiceQuery) -> list[ColumnElement[bool]]:
    """The Open Referral UK filters no keyword holds, as conditions on ``Service``."""
    from portal.directory.queries import ServiceFilters, service_conditions

    rest = ServiceFilters(organization_id=query.organization_id,
                          modified_after=query.modified_after, taxonomy_id=query.taxonomy_id,
                          taxonomy_term_id=query.taxonomy_term_id)
    if rest == ServiceFilters():
        return []
    return service_conditions(session, rest)[1:]  # [0] is "published": every document is


class SearchBackend(Protocol):
    """What an engine does. Queries come normalised (``normalised``) and understood."""

    name: str

    def search(self, session: Session, query: ServiceQuery, parsed: text.TextQuery,
               place: Place | None, now: datetime | None) -> SearchResult:
        """One page of results, with facet counts and any spelling correction."""

    def rebuild(self, bind: Engine | Connection) -> int:
        """Index every published service again from the database; the number indexed."""

    def is_reachable(self) -> bool:
        """For readiness checks."""

    def follow(self, app: Flask, bind: Engine | Connection) -> int:
        """Catch up with changes committed since this server last looked (0 when nothing to do)."""


def for_app(app: Flask | None = None) -> SearchBackend:
    target = app if app is not None else current_app
    return target.extensions[EXTENSION]  # type: ignore[no-any-return]


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


def _term_as_keyword(session: Session, term_id: str | None) -> tuple[str, str] | None:
    """An ORUK taxonomy term that a keyword holds: ("attendance" or "categories", code)."""
    from portal.directory.oruk import delivery_term_codes

    if not term_id:
        return None
    code = delivery_term_codes().get(term_id)
    if code:
        return "attendance", code
    term = session.get(TaxonomyTerm, term_id)
    if term is not None and term.parent_id is None and term.code:
        return "categories", term.code
    return None


def normalised(session: Session, query: ServiceQuery) -> ServiceQuery:
    localities, categories = filter_choices(session)
    known_localities = {slug for slug, _name in localities}
    known_categories = {code for code, _name in categories}

    def keep(values: Sequence[str] | None, allowed: Sequence[str] | set[str]) -> list[str]:
        return list(dict.fromkeys(v for v in (values or []) if isinstance(v, str) and v in allowed))

    term_id = query.taxonomy_term_id if isinstance(query.taxonomy_term_id, str) else None
    as_keyword = _term_as_keyword(session, term_id)
    chosen = {"categories": list(query.categories or []), "attendance": list(query.attendance or [])}
    if as_keyword is not None:
        chosen[as_keyword[0]] = [as_keyword[1]]
        term_id = None
        if as_keyword[0] == "categories":
            known_categories.add(as_keyword[1])
    age = query.age if isinstance(query.age, int) and 0 <= query.age <= MAX_AGE else None
    per_page = min(max(_int(query.per_page, 20), 1), MAX_PER_PAGE)
    return ServiceQuery(
        text=text.clean(query.text if isinstance(query.text, str) else ""),
        postcode=query.postcode if isinstance(query.postcode, str) else None,
        locality=keep(query.localities, known_localities),
        categories=keep(chosen["categories"], known_categories),
        days=keep([d.upper() for d in query.days or [] if isinstance(d, str)], schedules.DAY_CODES),
        open_now=bool(query.open_now), evenings=bool(query.evenings),
        weekends=bool(query.weekends), free=bool(query.free), age=age,
        attendance=keep(chosen["attendance"], ATTENDANCE),
        sort=query.sort if query.sort in SORTS else "relevance",
        page=min(max(_int(query.page, 1), 1), 10**6), per_page=per_page,
        correct=query.correct is not False, facets=query.facets is not False,
        organization_id=query.organization_id or None, modified_after=query.modified_after,
        taxonomy_id=query.taxonomy_id or None, taxonomy_term_id=term_id)


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return default


def expansions(session: Session, keys: list[str]) -> dict[str, text.Expansion]:
    """Each concept key as a need (a taxonomy code, with its name's words) or as text."""
    if not keys:
        return {}
    names = dict(session.execute(select(TaxonomyTerm.code, TaxonomyTerm.name)
                                 .where(TaxonomyTerm.code.in_(keys))).all())
    return {key: text.Expansion(key, text.stems(names[key])) if key in names
            else text.Expansion(None, text.stems(key)) for key in keys}


def make_hit(stored: dict[str, Any], score: float, place: Place | None, terms: frozenset[str],
             today: date) -> Hit:
    """A result from a listing's stored fields (``documents``: ``id``, ``show``, ``place``)."""
    where = stored.get("place") or {}
    show = stored.get("show") or {}
    checked = where.get("checked")
    return Hit(
        service_id=stored["id"],
        score=round(float(score), 4),
        distance_km=ranking.nearest_km(place, where.get("geo") or []) if place else None,
        highlights=Highlights(show.get("name", ""), show.get("description", ""), terms),
        name=show.get("name", ""),
        organisation=show.get("organisation", ""),
        last_checked=date.fromisoformat(checked) if checked else None,
        stale=ranking.is_stale(checked, today),
        attendance=list(where.get("attendance") or []),
        localities=list(where.get("localities") or []),
    )


def correct(query: text.TextQuery, known: list[str], in_index: Any) -> tuple[text.TextQuery, str | None]:
    """The query with unknown words corrected, and what was typed (None when nothing changed).
    ``in_index(stem)``: whether any listing has that indexed word."""
    if not query.units:
        return query, None
    changes = text.corrections(in_index, known, query)
    if not changes:
        return query, None
    return text.parse(text.corrected_text(query, changes)), query.text
