"""Services own change: one decorator makes a service function one audited transaction.

    @service
    def publish(session: Session, /, *, revision: ServiceRevision, by: User) -> Service:
        ...                                  # change rows, record(session, EventType.X, ...)

A service takes the session as its only positional argument (so it is tested without HTTP,
on any session) and everything else by keyword, ``by=`` naming who acts. The decorator
commits when the function returns and rolls back when it raises, so a view calls one service
and never commits. A service called by another service joins the caller's transaction.

No change without its audit record: if the function changed rows and wrote no audit event, the
decorator refuses to commit (``UnauditedChange``). Services whose changes are not anyone's
record (a session's last-seen time, a search that found nothing) say so with
``@service(audited=False, because="...")``; ``tests/meta/test_services.py`` lists and reviews
every such exception.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, ParamSpec, TypeVar, overload

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

P = ParamSpec("P")
R = TypeVar("R")

DEPTH = "portal.uow.depth"
CHANGED = "portal.uow.changed"
AUDITED = "portal.uow.audited"
# Bookkeeping rows that are not a change to anyone's record.
UNAUDITED_TABLES = frozenset({"audit_event", "outbox_job", "outbox_worker", "search_change"})


class UnauditedChange(RuntimeError):
    """A service changed rows without writing its audit event."""


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    audited: bool
    because: str


SERVICES: dict[str, ServiceSpec] = {}


def mark_audited(session: Session) -> None:
    """Called by ``portal.audit.services.record``."""
    session.info[AUDITED] = True


def _table_of(obj: Any) -> str:
    table = getattr(obj, "__table__", None)
    return str(getattr(table, "name", ""))


def _after_flush(session: Session, _context: Any) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        if _table_of(obj) not in UNAUDITED_TABLES and (
                obj in session.new or obj in session.deleted or session.is_modified(obj)):
            session.info[CHANGED] = True
            return


def _on_execute(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if str(getattr(table, "name", "")) not in UNAUDITED_TABLES:
            state.session.info[CHANGED] = True


def _run(fn: Callable[..., R], audited: bool, session: Session, kwargs: dict[str, Any]) -> R:
    if session.info.get(DEPTH):
        session.info[DEPTH] += 1
        try:
            return fn(session, **kwargs)
        finally:
            session.info[DEPTH] -= 1
    session.info.update({DEPTH: 1, CHANGED: False, AUDITED: False})
    event.listen(session, "after_flush", _after_flush)
    event.listen(session, "do_orm_execute", _on_execute)
    try:
        result = fn(session, **kwargs)
        session.flush()
        if audited and session.info[CHANGED] and not session.info[AUDITED]:
            raise UnauditedChange(f"{fn.__module__}.{fn.__qualname__} changed rows without "
                                  "an audit event")
        session.commit()
        return result
    except BaseException:
        session.rollback()
        raise
    finally:
        event.remove(session, "after_flush", _after_flush)
        event.remove(session, "do_orm_execute", _on_execute)
        for key in (DEPTH, CHANGED, AUDITED):
            session.info.pop(key, None)


def _decorate(fn: Callable[..., R], audited: bool, because: str) -> Callable[..., R]:
    name = f"{fn.__module__}.{fn.__qualname__}"
    SERVICES[name] = ServiceSpec(name, audited, because)

    @wraps(fn)
    def wrapper(session: Session, /, *args: Any, **kwargs: Any) -> R:
        if args:
            raise TypeError(f"{name} takes its arguments by keyword")
        return _run(fn, audited, session, kwargs)

    wrapper.service_spec = SERVICES[name]  # type: ignore[attr-defined]
    return wrapper


@overload
def service(fn: Callable[P, R], /) -> Callable[P, R]: ...
@overload
def service(*, audited: bool = True, because: str = "") -> Callable[[Callable[P, R]], Callable[P, R]]: ...


def service(fn: Any = None, /, *, audited: bool = True, because: str = "") -> Any:
    """Make ``fn`` a service: one transaction, committed on return, with its audit event."""
    if not audited and not because:
        raise ValueError("an unaudited service says why (because=...)")
    if fn is not None:
        return _decorate(fn, audited, because)
    return lambda inner: _decorate(inner, audited, because)
