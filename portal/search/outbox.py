"""Index upkeep: the database is the truth, and each engine follows it.

In every flush of the app's sessions, the services whose indexed content a change affects
(a service, its schedules and venues, an organisation's name, a taxonomy term, a locality)
are found, and

* one row per service is appended to the change log (``search_change``) in the same
  transaction; a rollback discards it with the change;
* with the PostgreSQL engine, their search documents are rewritten in that same transaction
  (``postgres.write_documents``): there is nothing to follow.

With the Whoosh engine each server keeps an index of its own and reads the log from its own
position, kept beside the index on disk (``<index>.position``, written under the index's write
lock): after its own commits, and before a search at most every ``FOLLOW_EVERY_SECONDS``. No
server deletes what another still has to read, so a second web server's index sees every change.

Sequence numbers are handed out when a transaction writes, not when it commits, so a follower
can see number 7 before number 6 commits. The position is therefore "every change up to here is
applied", plus the numbers above it already applied; a missing number is waited for, and given
up on as a rolled-back transaction once it has been missing for ``GAP_WAIT_SECONDS``.

Following takes the index's write lock *before* reading the database, so whichever process
writes last has read last: the index never goes back to an older state of a listing.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import delete, event, func, insert, inspect, select
from sqlalchemy.orm import Session

from portal.db import Database, utcnow
from portal.directory.models import (
    Contact,
    CostOption,
    Location,
    Organisation,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
    service_locality,
    service_term,
)
from portal.places.models import Locality
from portal.search.documents import iter_documents
from portal.search.index import SearchIndex
from portal.search.models import SearchChange

log = logging.getLogger(__name__)

FLUSHED = "portal.search.flushed"
PENDING = "portal.search.pending"
FOLLOWER = "portal.search.follower"
FOLLOW_EVERY_SECONDS = 0.2
GAP_WAIT_SECONDS = 30.0
FOLLOW_BATCH = 2000
REBUILD_ABOVE = 5000
REBUILD_WINDOW = 1000  # numbers below the log's end a rebuild checks for changes still to commit
_CHILDREN = (ServiceAtLocation, Schedule, Phone, Contact, CostOption)
_WATCHED = (Service, *_CHILDREN, Location, Organisation, TaxonomyTerm, Locality)


def init_app(app: Flask) -> None:
    """Listen to the app's sessions: log (and, on PostgreSQL, index) in the flush; follow after
    the commit."""
    watch(app, Database.state(app).session)
    app.extensions[FOLLOWER] = _Due()


def watch(app: Flask, sessions: Any) -> None:
    """Keep ``app``'s engine in step with what ``sessions`` (a session, or a factory) change."""
    from portal.search import backend

    def after_flush(session: Session, _context: Any) -> None:
        touched = session.info.pop(FLUSHED, None)
        if not touched:
            return
        ids = affected_service_ids(session, touched)
        if not ids:
            return
        now = utcnow()
        session.connection().execute(insert(SearchChange), [
            {"service_id": service_id, "created_at": now} for service_id in sorted(ids)])
        if backend.for_app(app).name == "postgresql":
            from portal.search import postgres

            postgres.write_documents(session, ids)
        else:
            session.info.setdefault(PENDING, set()).update(ids)

    def after_commit(session: Session) -> None:
        if session.info.pop(PENDING, None):
            follow_after_commit(app, session.get_bind())

    def after_rollback(session: Session, transaction: Any) -> None:
        # A savepoint rolled back: the outer transaction goes on, and may still commit what it
        # flushed before (following an unchanged listing again is harmless).
        if transaction.parent is None:
            session.info.pop(PENDING, None)
            session.info.pop(FLUSHED, None)

    event.listen(sessions, "before_flush", _before_flush)
    event.listen(sessions, "after_flush", after_flush)
    event.listen(sessions, "after_commit", after_commit)
    event.listen(sessions, "after_soft_rollback", after_rollback)


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    touched = [obj for obj in (*session.new, *session.dirty, *session.deleted)
               if isinstance(obj, _WATCHED)]
    if touched:
        session.info.setdefault(FLUSHED, []).extend(touched)


def affected_service_ids(session: Session, objects: Iterable[object]) -> set[str]:
    """The services whose index documents these changed rows are part of."""
    connection = session.connection()
    ids: set[str] = set()
    locations, organisations, terms, localities = set(), set(), set(), set()
    for obj in objects:
        if isinstance(obj, Service):
            ids.add(obj.id)
        elif isinstance(obj, _CHILDREN):
            ids.add(obj.service_id)
        elif isinstance(obj, Location):
            locations.add(obj.id)
        elif isinstance(obj, Organisation) and _name_changed(obj):
            organisations.add(obj.id)
        elif isinstance(obj, TaxonomyTerm):
            terms.add(obj.id)
        elif isinstance(obj, Locality):
            localities.add(obj.id)
    queries = []
    if locations:
        queries.append(select(ServiceAtLocation.service_id)
                       .where(ServiceAtLocation.location_id.in_(locations)))
    if organisations:
        queries.append(select(Service.id).where(Service.organisation_id.in_(organisations)))
    if terms:
        queries.append(select(service_term.c.service_id)
                       .where(service_term.c.term_id.in_(_with_descendants(connection, terms))))
    if localities:
        queries.append(select(service_locality.c.service_id)
                       .where(service_locality.c.locality_id.in_(localities)))
    for query in queries:
        ids.update(connection.execute(query).scalars())
    ids.discard(None)  # type: ignore[arg-type, unused-ignore]
    return ids


def _name_changed(organisation: Organisation) -> bool:
    state = inspect(organisation)
    return state.pending or state.deleted or state.attrs.name.history.has_changes()


def _with_descendants(connection: Any, term_ids: set[str]) -> set[str]:
    children: dict[str, list[str]] = {}
    for term_id, parent_id in connection.execute(select(TaxonomyTerm.id, TaxonomyTerm.parent_id)):
        if parent_id:
            children.setdefault(parent_id, []).append(term_id)
    found, todo = set(term_ids), list(term_ids)
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


# -- the follower's position ---------------------------------------------------------------

@dataclass
class Position:
    """Every change numbered up to ``upto`` is in the index, and so are those in ``beyond``."""

    upto: int = 0
    beyond: set[int] = field(default_factory=set)

    def done(self, number: int) -> bool:
        return number <= self.upto or number in self.beyond

    def advance(self, applied: Iterable[int], given_up: Iterable[int] = ()) -> None:
        self.beyond.update(applied)
        self.beyond.update(given_up)
        while self.upto + 1 in self.beyond:
            self.upto += 1
            self.beyond.discard(self.upto)
        self.beyond = {n for n in self.beyond if n > self.upto}


def position_path(index: SearchIndex) -> Path:
    return index.directory.with_name(index.directory.name + ".position")


def read_position(index: SearchIndex) -> Position | None:
    """This server's position, or None when it has none (no index built here yet)."""
    try:
        data = json.loads(position_path(index).read_text(encoding="utf-8"))
        return Position(int(data["upto"]), {int(n) for n in data.get("beyond", [])})
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_position(index: SearchIndex, position: Position) -> None:
    """Written whole, then renamed into place: a reader sees the old position or the new one."""
    path = position_path(index)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    temporary.write_text(json.dumps({"upto": position.upto, "beyond": sorted(position.beyond)}),
                         encoding="utf-8")
    temporary.replace(path)


class _Gaps:
    """When this process first saw each missing sequence number (per index)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.first_seen: dict[tuple[str, int], float] = {}

    def given_up(self, index: SearchIndex, missing: Iterable[int]) -> list[int]:
        now = time.monotonic()
        out = []
        with self.lock:
            for number in missing:
                key = (str(index.directory), number)
                seen = self.first_seen.setdefault(key, now)
                if now - seen >= GAP_WAIT_SECONDS:
                    out.append(number)
                    self.first_seen.pop(key, None)
        return out


_GAPS = _Gaps()


def _start_position(session: Session) -> Position:
    """The position of an index built from the database now: everything up to the log's end,
    except numbers near the end not (yet) in the log, which may belong to transactions still
    running; they are followed like any other."""
    last = session.scalar(select(func.max(SearchChange.id))) or 0
    present = set(session.scalars(select(SearchChange.id).where(
        SearchChange.id > last - REBUILD_WINDOW)))
    lowest = min(present, default=last)  # below it: pruned, or never used
    missing = [n for n in range(max(1, lowest), last + 1) if n not in present]
    if not missing:
        return Position(last)
    return Position(missing[0] - 1, {n for n in present if n > missing[0]})


# -- following -----------------------------------------------------------------------------

def follow_after_commit(app: Flask, bind: Any) -> None:
    """Follow just-committed changes; never raise (the change itself is already saved)."""
    try:
        with Session(bind=bind, join_transaction_mode="create_savepoint",
                     expire_on_commit=False) as session:
            _follow_or_rebuild(SearchIndex.for_app(app), session)
    except Exception:
        log.exception("search index update failed; the change log keeps the change for later")


def follow(index: SearchIndex, session: Session, service_ids: Iterable[str] = ()) -> int:
    """Apply every logged change this index has not applied yet (and ``service_ids``, however
    new); returns the number of services applied (0 when there is no index yet: the next
    search builds it from the database)."""
    if not index.exists():
        return 0
    extra = set(service_ids)
    writer = index.writer_waiting()
    try:
        position = read_position(index)
        if position is None:  # an index with no position (from before the log): no telling
            raise _RebuildInstead
        lowest, highest = session.execute(select(func.min(SearchChange.id),
                                                 func.max(SearchChange.id))).one()
        if lowest is not None and position.upto > 0 and lowest > position.upto + 1:
            raise _RebuildInstead  # the log was pruned past this server: only a rebuild is exact
        if position.upto > (highest or 0):
            raise _RebuildInstead  # the log went back (a database restored): so must the index
        rows = [row for row in session.execute(
            select(SearchChange.id, SearchChange.service_id).where(SearchChange.id > position.upto)
            .order_by(SearchChange.id).limit(FOLLOW_BATCH)).all() if not position.done(row.id)]
        todo = sorted(extra | {row.service_id for row in rows})
        if len(todo) > REBUILD_ABOVE:
            raise _RebuildInstead  # a bulk import: one rebuild is quicker than many updates
        for service_id, document in iter_documents(session, todo):
            if document is None:
                writer.delete_by_term("id", service_id)
            else:
                writer.update_document(**document)
        seen = {row.id for row in rows}
        top = max(seen | position.beyond, default=position.upto)
        missing = [n for n in range(position.upto + 1, top) if not position.done(n) and n not in seen]
        position.advance(seen, _GAPS.given_up(index, missing))
        session.commit()  # end the read before writing (SQLite: no stale-snapshot upgrade)
    except BaseException:
        writer.cancel()
        raise
    if todo:
        writer.commit()
    else:
        writer.cancel()  # nothing new: no new index generation
    write_position(index, position)
    if len(rows) == FOLLOW_BATCH:
        return len(todo) + follow(index, session)
    return len(todo)


class _RebuildInstead(Exception):
    """Too much to follow one by one (a bulk import), or the log no longer reaches back."""


def _follow_or_rebuild(index: SearchIndex, session: Session) -> int:
    try:
        return follow(index, session)
    except _RebuildInstead:
        session.rollback()
        return rebuild(index, session.get_bind())


def apply(index: SearchIndex, session: Session, service_ids: Iterable[str] = ()) -> int:
    """Follow the log now (and index ``service_ids`` whatever the log says); see ``follow``."""
    try:
        return follow(index, session, service_ids)
    except _RebuildInstead:
        session.rollback()
        return rebuild(index, session.get_bind())


def rebuild(index: SearchIndex, bind: Any, *, heal: bool = False) -> int:
    """Rebuild (or heal) the index from the database in a session of its own; the index then
    follows the log from where it stood when the rebuild started to read."""
    with Session(bind=bind, join_transaction_mode="create_savepoint",
                 expire_on_commit=False) as session:
        position = _start_position(session)
        session.commit()
        count = index.heal(session) if heal else index.rebuild(session)
        session.commit()
        if count >= 0:  # -1: another process healed it, and wrote its own position
            write_position(index, position)
        with contextlib.suppress(Exception):  # what committed while the rebuild ran
            follow(index, session)
        return count


def waiting(index: SearchIndex, session: Session) -> int:
    """How many logged changes this server's index has not applied yet."""
    position = read_position(index) or Position()
    numbers = session.scalars(select(SearchChange.id).where(SearchChange.id > position.upto))
    return sum(1 for n in numbers if not position.done(n))


def prune(session: Session, *, older_than_days: int) -> int:
    """Delete log rows older than this (never the newest): a server further behind rebuilds."""
    from datetime import timedelta

    newest = session.scalar(select(func.max(SearchChange.id)))
    if newest is None:
        return 0
    cutoff = utcnow() - timedelta(days=older_than_days)
    result = session.execute(delete(SearchChange).where(SearchChange.created_at < cutoff,
                                                        SearchChange.id < newest))
    session.commit()
    return int(getattr(result, "rowcount", 0) or 0)


class _Due:
    """At most every ``FOLLOW_EVERY_SECONDS`` per process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._next = 0.0

    def due(self) -> bool:
        with self._lock:
            now = time.monotonic()
            if now < self._next:
                return False
            self._next = now + FOLLOW_EVERY_SECONDS
            return True


def follow_if_due(app: Flask, index: SearchIndex, bind: Any) -> int:
    """Called before searches: apply changes other servers (or crashed processes) committed.

    One look at the log's end when nothing is new; the write lock only when something is."""
    due = app.extensions.get(FOLLOWER)
    if due is None or not due.due() or not index.exists():
        return 0
    with Session(bind=bind, join_transaction_mode="create_savepoint",
                 expire_on_commit=False) as session:
        last = session.scalar(select(func.max(SearchChange.id))) or 0
        position = read_position(index)
        if position is not None and position.upto <= last and all(
                position.done(n) for n in range(position.upto + 1, last + 1)):
            return 0
        try:
            return _follow_or_rebuild(index, session)
        except Exception:
            log.exception("search: following the change log failed; the next search tries again")
            return 0
