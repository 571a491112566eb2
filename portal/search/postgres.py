"""The PostgreSQL engine: full-text search in the database, for several web servers.

One row per published service in ``search.service_document`` (migration 0013), rewritten in
the same transaction as the change (``write_documents``, from the session hooks in ``outbox``),
so every server sees every change at once and there is nothing to follow.

* Words: the same analysed words as the Whoosh index (``documents``: English Porter stems,
  accents folded, stop words dropped), so the concept map, corrections and highlights mean
  the same on both engines. They go through the ``search.words`` text search configuration
  (``simple`` plus ``unaccent`` where the extension is installed) into one weighted
  ``tsvector``: name A, needs (taxonomy names) B, description C, organisation and place
  details D; a GIN index serves ``@@``.
* Filters and facets: the same keyword values as the Whoosh index, as ``tags``
  ("locality:torquay", "flags:free", "code:bereavement-groups"; GIN-indexed), opening tokens,
  ages, last checked and venue coordinates as columns.
* Ranking: as ``text.plan`` ranks, in SQL: a listing matching any unit of the query matches;
  the score adds a large bonus for answering every unit, a coordination bonus per unit, a need
  bonus per concept code, a place bonus, and ``ts_rank_cd`` over all the query's words with
  the field weights; stale listings count half. With a postcode, relevance and distance are
  blended by the same tiers as ``ranking.blend``.
* Where it only approximates the Whoosh engine (the shared ranking tests hold on both):
  ``ts_rank_cd`` with length normalisation stands in for BM25F (the field weights are
  ``WEIGHTS``, scaled by ``RANK_SCALE``); only the best ``CANDIDATES`` by a cheaper score
  (the bonuses plus ``ts_rank``, ``CHEAP_RANK_SCALE``) are ranked exactly (``_page``), so a
  listing is missed only when its cheap score is below theirs and its exact one above.
  Distances are ``ranking.km_between``'s (equirectangular) on both engines.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from flask import Flask
from sqlalchemy import (
    ARRAY,
    Column,
    ColumnElement,
    Date,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    bindparam,
    case,
    cast,
    delete,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    true,
)
from sqlalchemy import text as text_sql
from sqlalchemy.dialects.postgresql import JSONB, TSVECTOR, insert
from sqlalchemy.orm import Session

from portal.directory.models import Service
from portal.search import backend, ranking, schedules, text
from portal.search.backend import FilterSet, SearchResult, ServiceQuery
from portal.search.documents import indexable_ids, iter_documents
from portal.search.models import SearchChange
from portal.search.places import Place
from portal.search.schema import CHECKED_NEVER, FLAG_REMOTE

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

CONFIG = "search.words"
SCHEMA = "search"
# ts_rank_cd weights for D, C, B, A: organisation and place, description, needs, name.
WEIGHTS = [0.2, 0.4, 0.7, 1.0]
RANK_SCALE = 15.0  # ts_rank_cd is 0..1 or so: scaled to weigh like ``text.plan``'s word weights
# ts_rank is about a fifteenth of ts_rank_cd on the same listings: the candidates' rank is
# scaled up by this to weigh against the bonuses about as the exact rank does
CHEAP_RANK_SCALE = 15.0
# Only this many candidates (at least; more for deep pages) are ranked exactly: chosen by the
# cheap score over every match, then ordered by the exact one.
CANDIDATES = 200
WRITE_CHUNK = 500
COUNTS_CACHED = 2000  # searches whose counts a process keeps, per generation of the log

metadata = MetaData(schema=SCHEMA)
documents = Table(
    "service_document", metadata,
    Column("service_id", String(64), primary_key=True),
    Column("name", Text, nullable=False),  # the browsing order, with the id
    Column("vector", TSVECTOR, nullable=False),
    Column("tags", ARRAY(Text), nullable=False),
    Column("facets", ARRAY(Text), nullable=False),  # the tags facet counts are made of
    Column("open_at", ARRAY(Text), nullable=False),
    Column("min_age", Integer, nullable=False),
    Column("max_age", Integer),
    Column("checked", Date),
    Column("lats", ARRAY(Float), nullable=False),
    Column("lons", ARRAY(Float), nullable=False),
    Column("vocab", Text, nullable=False),
    Column("stored", JSONB(), nullable=False),
)
D = documents.c
_TAG_FIELDS = ("locality", "category", "days", "attendance", "flags")


def check_database(app: Flask) -> None:
    """Refuse to start on a database that cannot hold this engine's index."""
    from portal.config import ConfigError

    url = str(app.config.get("DATABASE_URL", ""))
    if not url.startswith("postgresql"):
        raise ConfigError(
            "SEARCH_BACKEND=postgresql needs a PostgreSQL database, but DATABASE_URL is "
            f"{url.split(':', 1)[0] or 'not set'}. Use SEARCH_BACKEND=whoosh with SQLite, or "
            "point DATABASE_URL at PostgreSQL (postgresql+psycopg://...).")


# -- writing -------------------------------------------------------------------------------

def _config() -> ColumnElement[Any]:
    return literal_column(f"'{CONFIG}'::regconfig")


def _weighted(words: ColumnElement[Any], weight: str) -> ColumnElement[Any]:
    return func.setweight(func.to_tsvector(_config(), words), literal_column(f"'{weight}'::\"char\""))


def _upsert() -> Any:
    """One statement for many rows: the vector is made in the database from the words."""
    columns = ["service_id", "name", "tags", "facets", "open_at", "min_age", "max_age", "checked", "lats",
               "lons", "vocab", "stored"]
    values: dict[str, Any] = {name: bindparam(name, type_=D[name].type) for name in columns}
    values["vector"] = _weighted(bindparam("a", type_=Text), "A").op("||")(
        _weighted(bindparam("b", type_=Text), "B")).op("||")(
        _weighted(bindparam("c", type_=Text), "C")).op("||")(
        _weighted(bindparam("d", type_=Text), "D"))
    statement = insert(documents).values(**values)
    return statement.on_conflict_do_update(
        index_elements=[D.service_id],
        set_={name: statement.excluded[name] for name in [*columns, "vector"] if name != "service_id"})


def _row(document: dict[str, Any]) -> dict[str, Any]:
    facets = [f"{field}:{value}" for field in _TAG_FIELDS for value in document[field].split()]
    tags = [*facets, *(f"code:{code}" for code in document["codes"].split())]
    ages = dict(part.split(":", 1) for part in document["age"].split())
    geo = document["place"]["geo"]
    checked = document["checked"]
    return {
        "service_id": document["id"], "name": document["show"]["name"],
        "a": document["name"], "b": document["terms"], "c": document["description"],
        "d": f"{document['organisation']} {document['details']}",
        "tags": tags, "facets": facets, "open_at": document["open_at"].split(),
        "min_age": int(ages.get("min", "0")),
        "max_age": None if ages.get("max", "none") == "none" else int(ages["max"]),
        "checked": None if checked == CHECKED_NEVER else date.fromisoformat(checked),
        "lats": [float(lat) for lat, _lon in geo], "lons": [float(lon) for _lat, lon in geo],
        "vocab": document["vocab"],
        "stored": {"id": document["id"], "show": document["show"], "place": document["place"]},
    }


def write_documents(session: Session, service_ids: Iterable[str]) -> None:
    """Rewrite these services' documents in the session's transaction (delete the ones that
    must not be searchable)."""
    connection = session.connection()
    gone: list[str] = []
    rows: list[dict[str, Any]] = []

    def flush_rows() -> None:
        if rows:
            connection.execute(_upsert(), rows)
        rows.clear()

    for service_id, document in iter_documents(session, sorted(service_ids)):
        if document is None:
            gone.append(service_id)
        else:
            rows.append(_row(document))
            if len(rows) >= WRITE_CHUNK:
                flush_rows()
    flush_rows()
    if gone:
        connection.execute(delete(documents).where(D.service_id.in_(gone)))


def rebuild(connection: Connection) -> int:
    with Session(bind=connection, join_transaction_mode="create_savepoint") as session:
        session.connection().execute(delete(documents))
        ids = indexable_ids(session)
        write_documents(session, ids)
        session.execute(text_sql("ANALYZE search.service_document"))  # plans for the new contents
        session.commit()
        return int(session.scalar(select(func.count()).select_from(documents)) or 0)


# -- reading -------------------------------------------------------------------------------

def _tsquery(words: Sequence[str]) -> ColumnElement[Any]:
    """All of ``words`` (already analysed), through the same configuration as the documents."""
    return func.plainto_tsquery(_config(), " ".join(words))


def _any_query(groups: Sequence[Sequence[str]]) -> ColumnElement[Any] | None:
    """A tsquery matching any of the groups (each group: all of its words)."""
    found: ColumnElement[Any] | None = None
    for group in groups:
        if not group:
            continue
        query = _tsquery(group)
        found = query if found is None else found.op("||")(query)
    return found


def _tags(values: Iterable[str]) -> ColumnElement[Any]:
    return cast(list(values), ARRAY(Text))


class _Cache:
    """Per-process values for one state of the log (its last sequence number)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.generation: int | None = None
        self.values: dict[str, Any] = {}

    def get(self, generation: int, name: str, make: Any) -> Any:
        with self.lock:
            if generation != self.generation:
                self.generation, self.values = generation, {}
            if name in self.values:
                return self.values[name]
        value = make()
        with self.lock:
            if generation == self.generation:
                self.values[name] = value
        return value


class PostgresBackend:
    name = "postgresql"

    def __init__(self) -> None:
        self._cache = _Cache()
        self._checked = False
        self._check_lock = threading.Lock()

    def _build_if_new(self, session: Session) -> None:
        """Once a process: with no documents at all but published services (just after the
        migration), write them all, in a transaction of their own (a GET rolls back its own)."""
        with self._check_lock:
            if self._checked:
                return
            self._checked = True
            if session.scalar(select(D.service_id).limit(1)) is None and session.scalar(
                    select(Service.id).where(Service.published.is_(True)).limit(1)) is not None:
                self.rebuild(session.get_bind())

    def rebuild(self, bind: Engine | Connection) -> int:
        from sqlalchemy.engine import Engine

        self._cache = _Cache()
        if isinstance(bind, Engine):
            with bind.begin() as connection:
                count = rebuild(connection)
            # the old rows (deleted, so that searches went on during the rebuild) out of the
            # table and its indexes now, not at autovacuum's next visit: searches after a
            # rebuild would read them all and the planner would price the index by them
            with bind.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text_sql(f"VACUUM (ANALYZE) {SCHEMA}.{documents.name}"))
            return count
        return rebuild(bind)

    def is_reachable(self) -> bool:
        return True  # the database check covers it

    def follow(self, app: Flask, bind: Engine | Connection) -> int:
        return 0  # written in the same transaction as the change: nothing to follow

    # -- searching --------------------------------------------------------------------------

    def _generation(self, session: Session) -> int:
        return int(session.scalar(select(func.max(SearchChange.id))) or 0)

    def known_words(self, session: Session, generation: int) -> list[str]:
        def make() -> list[str]:
            words: set[str] = set()
            for vocab in session.scalars(select(D.vocab)):
                words.update(vocab.split())
            return text.vocabulary(words)

        return self._cache.get(generation, "known", make)  # type: ignore[no-any-return]

    def open_tokens(self, session: Session, generation: int) -> list[str]:
        return self._cache.get(generation, "open", lambda: list(session.scalars(  # type: ignore[no-any-return]
            select(func.unnest(D.open_at)).distinct())))

    def _counts(self, session: Session, query: ServiceQuery, parsed: text.TextQuery,
                filter_set: FilterSet, matching: ColumnElement[bool],
                conditions: dict[str, ColumnElement[bool]], generation: int, now: datetime | None
                ) -> tuple[int, dict[str, dict[str, int]]]:
        """The number of results and the facet counts (the pages'; the API's number comes
        with its page, see ``_page``). Kept for the log's generation: the same search again
        costs nothing until a listing changes (the minute is part of the key, for "open
        now")."""
        moment = schedules.local_now(now)
        key = None if filter_set.sql else (
            tuple((unit.typed, tuple(unit.stems), unit.keys) for unit in parsed.units),
            tuple(parsed.localities), tuple(sorted(
                (name, tuple(values)) for name, (_field, values) in filter_set.keywords.items())),
            tuple(sorted(filter_set.flags)), filter_set.age, filter_set.open_now is not None,
            moment.strftime("%Y%m%d%H%M"))
        if key is None:
            return _facets(session, matching, conditions, self, generation, now)
        cached: dict[Any, Any] = self._cache.get(generation, "counts", dict)
        found = cached.get(key)
        if found is None:
            found = _facets(session, matching, conditions, self, generation, now)
            if len(cached) > COUNTS_CACHED:
                cached.clear()
            cached[key] = found
        return found

    def search(self, session: Session, query: ServiceQuery, parsed: text.TextQuery,
               place: Place | None, now: datetime | None) -> SearchResult:
        today = schedules.local_now(now).date()
        self._build_if_new(session)
        generation = self._generation(session)
        urgent = parsed.urgent
        typed = None
        if query.correct:
            parsed, typed = backend.correct(
                parsed, self.known_words(session, generation),
                lambda stem: _has_word(session, stem))
        expansions = backend.expansions(session, parsed.keys)
        plan = _plan(parsed, expansions)
        filter_set = backend.filter_set(session, query, now)
        conditions = _filters(session, filter_set, self, generation)
        stale = or_(D.checked.is_(None),
                    D.checked < today - timedelta(days=ranking.STALE_AFTER_DAYS))
        where = and_(plan.matching, *conditions.values())
        total: int | None = None
        facets: dict[str, dict[str, int]] = {}
        if query.facets:  # the number comes with the counts (kept per state of the log)
            total, facets = self._counts(session, query, parsed, filter_set, plan.matching,
                                         conditions, generation, now)
            query.page = min(query.page, max(1, -(-total // query.per_page)))
        ranked, found = _page(session, query, plan, where, stale, place) if total != 0 else ([], 0)
        if total is None:
            total = found
            if not ranked and query.page > 1:  # past the last page: show the last one
                total = int(session.scalar(select(func.count()).select_from(documents)
                                           .where(where)) or 0)
                query.page = max(1, -(-total // query.per_page))
                ranked, _found = _page(session, query, plan, where, stale, place) if total else ([], 0)
        terms = text.highlight_terms(parsed, expansions) if not parsed.is_empty else frozenset()
        hits = [backend.make_hit(stored, float(value or 0.0), place, terms, today)
                for _service_id, value, stored in ranked]
        return SearchResult(total, hits, facets, query.page, query.per_page, place,
                            query=query, corrected=parsed.text if typed else None, typed=typed,
                            urgent=urgent or parsed.urgent, languages=sorted(parsed.languages),
                            localities_named=list(parsed.localities))


@dataclass(frozen=True)
class Plan:
    """What matches, and its score as ``text.plan`` has it: the bonuses (units answered, every
    unit, needs, place: cheap, from ``@@`` and the tags) plus ``RANK_SCALE`` times a text rank
    over all the query's words with the field weights (``rank``)."""

    matching: ColumnElement[bool]
    bonuses: ColumnElement[Any] | None  # None: no words to rank by (browsing, a place alone)
    rank_query: ColumnElement[Any] | None

    def score(self, *, exact: bool) -> ColumnElement[Any] | None:
        """``exact``: ``ts_rank_cd`` (cover density: the words near each other), the score
        shown and ordered by; otherwise ``ts_rank`` (word frequencies, about a third of the
        cost), scaled to weigh about the same, only to choose the candidates."""
        if self.bonuses is None or self.rank_query is None:
            return self.bonuses
        weights: ColumnElement[Any] = literal_column(
            "'{" + ",".join(str(w) for w in WEIGHTS) + "}'::float4[]")
        # 1: divided by 1 + log(length), so a short listing about the words beats a long one
        if exact:
            return self.bonuses + RANK_SCALE * func.ts_rank_cd(weights, D.vector, self.rank_query, 1)
        return self.bonuses + RANK_SCALE * CHEAP_RANK_SCALE * func.ts_rank(
            weights, D.vector, self.rank_query, 1)


def _plan(query: text.TextQuery, expansions: dict[str, text.Expansion]) -> Plan:
    """What matches and its score, as ``text.plan`` has them."""
    units: list[ColumnElement[bool]] = []
    score: list[ColumnElement[Any]] = []
    flat: list[list[str]] = []  # every word, for ts_rank_cd
    for unit in query.units:
        factor = text.PHRASE_FACTOR if unit.phrase else 1.0
        groups: list[list[str]] = []
        codes: list[str] = []
        for key in unit.keys:
            expansion = expansions.get(key)
            if expansion is None:
                continue
            if expansion.code:
                codes.append(expansion.code)
                score.append(case((D.tags.op("@>")(_tags([f"code:{expansion.code}"])),
                                   text.CODE_WEIGHT * factor), else_=0.0))
                flat.extend([s] for s in expansion.stems)
            elif expansion.stems:
                groups.append(expansion.stems)
                flat.extend([s] for s in expansion.stems)
        if unit.stems:
            groups.append(unit.stems)
            flat.extend([s] for s in unit.stems)
        parts: list[ColumnElement[bool]] = []
        tsquery = _any_query(groups)
        if tsquery is not None:
            parts.append(D.vector.op("@@")(tsquery))
        if codes:
            parts.append(D.tags.op("&&")(_tags(f"code:{code}" for code in codes)))
        answered = or_(*parts) if parts else false()
        units.append(answered)
        score.append(case((answered, text.UNIT_BONUS * factor), else_=0.0))
    if len(units) > 1:
        score.append(case((and_(*units), text.ALL_BONUS), else_=0.0))
    matching: ColumnElement[bool] = or_(*units) if units else true()
    if query.localities:
        near = D.tags.op("&&")(_tags(f"locality:{slug}" for slug in query.localities))
        if not units:
            return Plan(near, None, None)
        score.append(case((near, text.PLACE_BONUS), else_=0.0))
        flat.extend([s] for s in text.stems(" ".join(query.place_words)))
    rank_query = _any_query([[word] for word in dict.fromkeys(w for group in flat for w in group)])
    if not units:
        return Plan(matching, None, None)
    total: ColumnElement[Any] = literal(0.0)
    for part in score:
        total = total + part
    return Plan(matching, total, rank_query)


def _filters(session: Session, filters: FilterSet, engine: PostgresBackend, generation: int
             ) -> dict[str, ColumnElement[bool]]:
    found: dict[str, ColumnElement[bool]] = {
        name: D.tags.op("&&")(_tags(f"{field}:{value}" for value in values))
        for name, (field, values) in filters.keywords.items()}
    for name, flag in filters.flags.items():
        found[name] = D.tags.op("@>")(_tags([f"flags:{flag}"]))
    if filters.open_now is not None:
        found["open_now"] = _open_now(session, engine, generation, filters.open_now)
    if filters.age is not None:
        found["age"] = and_(D.min_age <= filters.age,
                            or_(D.max_age.is_(None), D.max_age >= filters.age))
    if filters.sql:
        found["sql"] = D.service_id.in_(select(Service.id).where(*filters.sql))
    return found


def _open_now(session: Session, engine: PostgresBackend, generation: int, moment: datetime
              ) -> ColumnElement[bool]:
    tokens = [token for token in engine.open_tokens(session, generation)
              if schedules.is_open_token(token, moment)]
    return D.open_at.op("&&")(_tags(tokens)) if tokens else false()


def _effective_km(place: Place, stale: ColumnElement[bool]) -> ColumnElement[Any]:
    """``ranking.buckets``' effective distance: the nearest venue, coverage of the searcher's
    locality, remote services, everything else far; stale listings further."""
    lat, lon = place.point

    def km(lats: ColumnElement[Any], lons: ColumnElement[Any]) -> ColumnElement[Any]:
        return 6371.0088 * func.sqrt(
            func.power(func.radians(lons - lon) * func.cos(func.radians((lats + lat) / 2)), 2)
            + func.power(func.radians(lats - lat), 2))

    venues = func.unnest(D.lats, D.lons).table_valued("lat", "lon").render_derived()
    # most listings have one venue or none: arithmetic on the row, no subquery for each row
    nearest = case((func.cardinality(D.lats) == 1, km(D.lats[1], D.lons[1])),
                   (func.cardinality(D.lats) > 1, select(func.min(km(venues.c.lat, venues.c.lon)))
                    .select_from(venues).scalar_subquery()),
                   else_=None)
    options = [func.coalesce(nearest, ranking.FAR_KM),
               case((D.tags.op("@>")(_tags([f"flags:{FLAG_REMOTE}"])), ranking.REMOTE_KM),
                    else_=ranking.FAR_KM)]
    if place.locality:
        options.append(case((D.tags.op("@>")(_tags([f"locality:{place.locality}"])),
                             ranking.COVER_KM), else_=ranking.FAR_KM))
    return func.least(*options) + case((stale, ranking.STALE_KM), else_=0.0)


def _has_word(session: Session, stem: str) -> bool:
    """Whether any listing has this indexed word. A count over the index's matches (``OFFSET
    0`` keeps the planner from the sequential scan it picks for ``LIMIT 1`` on a rare word)."""
    matches = select(literal(1)).where(D.vector.op("@@")(_tsquery([stem]))).offset(0).subquery()
    return bool(session.scalar(select(func.count()).select_from(matches)))


def _scored(where: ColumnElement[bool], score: ColumnElement[Any] | None,
            stale: ColumnElement[bool], place: Place | None, *extra: Any) -> Any:
    """The matches with what they are ordered by, each worked out once a row (``OFFSET 0``
    keeps PostgreSQL from copying the expressions into every sort key that uses them)."""
    columns = [D.service_id.label("id"), D.name.label("name"), stale.label("stale"),
               (score if score is not None else literal(0.0)).label("score"), *extra]
    if place is not None:
        columns.append(_effective_km(place, stale).label("km"))
    return select(*columns).where(where).offset(0).subquery("scored")


def _page(session: Session, query: ServiceQuery, plan: Plan, where: ColumnElement[bool],
          stale: ColumnElement[bool], place: Place | None
          ) -> tuple[list[tuple[str, float, dict[str, Any]]], int]:
    """(service id, score shown, stored fields) of the page's listings, best first, and the
    number of matches.

    With words to rank by, in two steps: every match gets the cheap score (its bonuses and
    ``ts_rank``), the best ``CANDIDATES`` (or more, for a deep page) by it are kept, and only
    those get the exact score (``ts_rank_cd``) the page is ordered by: a listing whose cheap
    score is below the candidates' would be missed only if its exact one were above theirs.
    The number of matches comes from the same pass (a window count), not a second one."""
    offset = (query.page - 1) * query.per_page
    # whole blocks of candidates, at least twice the listings up to this page's end: the
    # candidates are the same for every page of a block, so its pages follow on exactly
    wanted = CANDIDATES * -(-2 * (offset + query.per_page) // CANDIDATES)
    exact, cheap = plan.score(exact=True), plan.score(exact=False)
    if exact is None or cheap is None:  # browsing: one step
        # the count over the worked-out rows (narrow), not over the table's (it would spill)
        scored = _scored(where, None, stale, place)
        order, shown = _ordering(query, scored, ranked=False, place=place)
        page = session.execute(select(scored.c.id, shown, func.count().over()).order_by(*order)
                               .limit(query.per_page).offset(offset)).all()
        # the stored fields of the page alone (carried through the count they would spill it)
        stored = dict(session.execute(select(D.service_id, D.stored).where(
            D.service_id.in_([row[0] for row in page]))).all()) if page else {}
        return [(row[0], row[1], stored[row[0]]) for row in page], int(page[0][2]) if page else 0
    first = _scored(where, cheap, stale, place)
    order, _shown = _ordering(query, first, ranked=True, place=place)
    candidates = select(first.c.id, func.count().over().label("found")).order_by(
        *order).limit(wanted).subquery("candidate")
    scored = _scored(D.service_id == candidates.c.id, exact, stale, place,
                     D.stored.label("stored"), candidates.c.found)
    order, shown = _ordering(query, scored, ranked=True, place=place)
    rows = session.execute(select(scored.c.id, shown, scored.c.stored, scored.c.found)
                           .order_by(*order).limit(query.per_page).offset(offset)).all()
    if rows:
        return [(row[0], row[1], row[2]) for row in rows], int(rows[0][3])
    return [], int(session.scalar(select(func.max(candidates.c.found))) or 0)


def _ordering(query: ServiceQuery, scored: Any, *, ranked: bool, place: Place | None
              ) -> tuple[list[Any], ColumnElement[Any]]:
    """ORDER BY over ``_scored``'s columns and the score shown, as ``whoosh_backend._order``
    orders."""
    c = scored.c
    browse = [c.name, c.id]
    if place is None:
        if not ranked:
            return [c.stale, *browse], literal(0.0)
        shown = c.score * case((c.stale, ranking.STALE_FACTOR), else_=1.0)
        return [shown.desc(), *browse], shown
    if not ranked:
        return [c.km, *browse], literal(0.0)
    if query.sort == "relevance":
        # the decay of the distance's tier (``ranking.TIERS_KM``: beyond a boundary, the next)
        decay = case(*((c.km <= boundary, value)
                       for boundary, value in zip(ranking.TIERS_KM, ranking.TIER_DECAY, strict=False)),
                     else_=ranking.TIER_DECAY[len(ranking.TIERS_KM)])
        return [(c.score * decay).desc(), c.km, *browse], c.score
    return [c.km, c.score.desc(), *browse], c.score


def _facets(session: Session, matching: ColumnElement[bool],
            filters: dict[str, ColumnElement[bool]], engine: PostgresBackend, generation: int,
            now: datetime | None) -> tuple[int, dict[str, dict[str, int]]]:
    """The number of results, and counts for each filter value among results of the query with
    the *other* filters; one statement, one pass over the matches."""
    names = list(filters)
    is_open = filters.get("open_now")
    if is_open is None:
        is_open = _open_now(session, engine, generation, schedules.local_now(now))
    base = select(D.facets, *(cond.label(f"f_{i}") for i, cond in enumerate(filters.values())),
                  is_open.label("is_open")).where(matching).cte("matched")

    def others(name: str) -> ColumnElement[bool]:
        return and_(true(), *(base.c[f"f_{i}"] for i, other in enumerate(names) if other != name))

    tags = func.unnest(base.c.facets).table_valued("tag").render_derived()
    tag = tags.c.tag
    prefixes = {f"{field}:": name for name, field in backend.LIST_FACETS.items()}
    flag_tags = {f"flags:{flag}": name for name, flag in backend.FLAG_FACETS.items()}
    which = or_(*(and_(tag.startswith(prefix), others(name)) for prefix, name in prefixes.items()),
                *(and_(tag == value, others(name)) for value, name in flag_tags.items()))
    counted = select(tag, func.count()).select_from(base.join(tags, true())).where(which).group_by(tag)
    open_now = select(literal("~open", Text), func.count()).select_from(base).where(
        base.c.is_open, others("open_now"))
    total = select(literal("~total", Text), func.count()).select_from(base).where(others(""))
    facets: dict[str, dict[str, int]] = {name: {} for name in backend.LIST_FACETS}
    for name in backend.FLAG_FACETS:
        facets[name] = {"true": 0}
    facets["open_now"] = {"true": 0}
    found = 0
    for value, number in session.execute(counted.union_all(open_now, total)).all():
        if value == "~total":
            found = int(number)
        elif value == "~open":
            facets["open_now"]["true"] = int(number)
        elif value in flag_tags:
            facets[flag_tags[value]]["true"] = int(number)
        else:
            field, _sep, rest = value.partition(":")
            facets[prefixes[f"{field}:"]][rest] = int(number)
    return found, facets
