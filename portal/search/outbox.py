"""Index upkeep: the database is the truth, and the index follows it.

In every flush of the app's sessions, the services whose indexed content a change affects
(a service, its schedules and venues, an organisation's name, a taxonomy term, a locality)
are written to ``search_outbox`` in the same transaction. After the commit they are applied
to the index and their outbox rows deleted; a rollback discards them, so a rolled-back change
never reaches the index. Rows left behind (the process crashed, or the index lock stayed
busy) are picked up by the next apply that sees them as old, by ``drain`` (run now and then by
searches), and by ``search reindex``.

Applying takes the index's write lock *before* reading the database, so whichever process
writes last has read last: the index never goes back to an older state of a listing.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import delete, event, insert, inspect, or_, select
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
from portal.search.models import SearchOutbox

log = logging.getLogger(__name__)

KIND = "service"
FLUSHED = "portal.search.flushed"
PENDING = "portal.search.pending"
LEFTOVER_AGE = timedelta(seconds=30)
DRAIN_EVERY_SECONDS = 30.0
DRAIN_BATCH = 500
REBUILD_ABOVE = 5000
_CHILDREN = (ServiceAtLocation, Schedule, Phone, Contact, CostOption)
_WATCHED = (Service, *_CHILDREN, Location, Organisation, TaxonomyTerm, Locality)


def init_app(app: Flask) -> None:
    """Listen to the app's sessions: queue in the flush, apply after the commit."""
    sessions = Database.state(app).session

    def after_commit(session: Session) -> None:
        ids = session.info.pop(PENDING, None)
        if ids:
            apply_after_commit(app, session.get_bind(), ids)

    def after_rollback(session: Session, transaction: Any) -> None:
        # A savepoint rolled back: the outer transaction goes on, and may still commit what it
        # flushed before (applying an unchanged listing again is harmless).
        if transaction.parent is None:
            session.info.pop(PENDING, None)
            session.info.pop(FLUSHED, None)

    event.listen(sessions, "before_flush", _before_flush)
    event.listen(sessions, "after_flush", _after_flush)
    event.listen(sessions, "after_commit", after_commit)
    event.listen(sessions, "after_soft_rollback", after_rollback)
    app.extensions["portal.search.drain"] = _Drain()


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    touched = [obj for obj in (*session.new, *session.dirty, *session.deleted)
               if isinstance(obj, _WATCHED)]
    if touched:
        session.info.setdefault(FLUSHED, []).extend(touched)


def _after_flush(session: Session, _context: Any) -> None:
    touched = session.info.pop(FLUSHED, None)
    if not touched:
        return
    ids = affected_service_ids(session, touched)
    if ids:
        now = utcnow()
        session.connection().execute(insert(SearchOutbox), [
            {"kind": KIND, "object_id": service_id, "created_at": now} for service_id in sorted(ids)])
        session.info.setdefault(PENDING, set()).update(ids)


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


def apply_after_commit(app: Flask, bind: Any, service_ids: set[str]) -> None:
    """Apply just-committed changes; never raise (the change itself is already saved)."""
    try:
        with Session(bind=bind, join_transaction_mode="create_savepoint",
                     expire_on_commit=False) as session:
            apply(SearchIndex.for_app(app), session, service_ids)
    except Exception:
        log.exception("search index update failed; the outbox keeps the change for later")


def apply(index: SearchIndex, session: Session, service_ids: Iterable[str] = (),
          *, leftovers: bool = True, everything: bool = False) -> int:
    """Update the index for these services and any old outbox rows; delete the rows applied.

    ``everything``: every waiting row, however new. Returns the number of services applied
    (0 when there is no index yet: the next search builds it from the database).
    """
    wanted = set(service_ids)
    if not index.exists():
        return 0
    if len(wanted) > REBUILD_ABOVE:  # a bulk import: one rebuild is quicker than many updates
        session.rollback()
        return rebuild(index, session.get_bind())
    condition: Any = SearchOutbox.object_id.in_(wanted) if wanted else None
    if everything:
        condition = SearchOutbox.id.is_not(None)
    elif leftovers:
        old = SearchOutbox.created_at < utcnow() - LEFTOVER_AGE
        condition = old if condition is None else or_(condition, old)
    with index.writing() as writer:
        rows = [] if condition is None else session.execute(
            select(SearchOutbox.id, SearchOutbox.object_id).where(condition)
            .order_by(SearchOutbox.id).limit(DRAIN_BATCH)).all()
        todo = sorted(wanted | {row.object_id for row in rows})
        for service_id, document in iter_documents(session, todo):
            if document is None:
                writer.delete_by_term("id", service_id)
            else:
                writer.update_document(**document)
    session.commit()  # end the read before writing (SQLite: no stale-snapshot upgrade)
    if rows:
        session.execute(delete(SearchOutbox).where(SearchOutbox.id.in_([row.id for row in rows])))
        session.commit()
        if len(rows) == DRAIN_BATCH and (everything or leftovers):
            return len(todo) + apply(index, session, leftovers=leftovers, everything=everything)
    return len(todo)


def rebuild(index: SearchIndex, bind: Any, *, heal: bool = False) -> int:
    """Rebuild (or heal) the index from the database in a session of its own, then forget the
    outbox rows queued before it started: the rebuild read everything they stood for."""
    with Session(bind=bind, join_transaction_mode="create_savepoint",
                 expire_on_commit=False) as session:
        up_to = session.scalar(select(SearchOutbox.id).order_by(SearchOutbox.id.desc()).limit(1))
        count = index.heal(session) if heal else index.rebuild(session)
        session.commit()
        if up_to is not None:
            session.execute(delete(SearchOutbox).where(SearchOutbox.id <= up_to))
            session.commit()
        return count


class _Drain:
    """Now and then (at most every ``DRAIN_EVERY_SECONDS`` per process), apply old outbox rows."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._next = 0.0

    def due(self) -> bool:
        with self._lock:
            now = time.monotonic()
            if now < self._next:
                return False
            self._next = now + DRAIN_EVERY_SECONDS
            return True


def drain_if_due(app: Flask, session: Session) -> None:
    """Called by searches: pick up rows left by crashed processes or busy locks."""
    drain = app.extensions.get("portal.search.drain")
    if drain is None or not drain.due():
        return
    try:
        cutoff = utcnow() - LEFTOVER_AGE
        if session.scalar(select(SearchOutbox.id).where(SearchOutbox.created_at < cutoff).limit(1)):
            apply_after_commit(app, session.get_bind(), set())
    except Exception:
        log.exception("search outbox drain failed")
