"""Database plumbing: the declarative base, naming conventions and the per-app session.

There is no module-level engine or session: ``Database.init_app`` hangs them on
``app.extensions`` and ``db.session`` finds the one for the current app context.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_request_context, request
from flask.globals import app_ctx
from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, scoped_session
from sqlalchemy.orm import sessionmaker as make_sessionmaker

from portal.clock import utcnow as utcnow  # re-exported: models stamp rows with it

log = logging.getLogger(__name__)

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SQLITE_BUSY_TIMEOUT_MS = 15_000


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: DateTime(timezone=True)}


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


def _configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys, a busy timeout, and transactions that SQLAlchemy controls.

    pysqlite's own transaction handling breaks SAVEPOINTs; the documented recipe is to
    switch it off and emit BEGIN ourselves.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A deferred transaction that reads and then writes fails at once ("database is
        # locked") if another writer committed in between; the busy timeout cannot help.
        # Requests that change things take the write lock up front and queue for it instead.
        writes = _request_writes() or connection.get_execution_options().get(WRITES, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


WRITES = "portal_writes"


def _request_writes() -> bool:
    return has_request_context() and request.method not in ("GET", "HEAD", "OPTIONS")


def writing(engine: Engine) -> Engine:
    """The engine for work outside a request that reads then writes (the outbox worker and
    runner): on SQLite its transactions take the write lock up front, as a POST's do, so two
    writers queue for it instead of one failing with "database is locked". No effect on
    PostgreSQL."""
    return engine.execution_options(**{WRITES: True})


def build_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def _app_context_id() -> int:
    return id(app_ctx._get_current_object())  # type: ignore[attr-defined]


@dataclass
class DatabaseState:
    engine: Engine
    session: scoped_session[Session]


class Database:
    """Binds an engine and a scoped session to each Flask app."""

    def init_app(self, app: Flask) -> None:
        engine = build_engine(app.config["DATABASE_URL"])
        factory = make_sessionmaker(bind=engine, expire_on_commit=False)
        state = DatabaseState(engine, scoped_session(factory, scopefunc=_app_context_id))
        app.extensions["portal.db"] = state

        @app.teardown_appcontext
        def _remove_session(_exc: BaseException | None) -> None:
            try:
                state.session.remove()
            except DBAPIError as lost:
                # The connection died after the response was made (PostgreSQL restarting):
                # SQLAlchemy has invalidated it, so the pool hands out a fresh one next time.
                # The response stands; only the session's registry is left to clear.
                log.warning("database connection lost while closing the request's session: %s",
                            lost.orig)
                state.session.registry.clear()

    @staticmethod
    def state(app: Flask | None = None) -> DatabaseState:
        target = app if app is not None else current_app
        return target.extensions["portal.db"]  # type: ignore[no-any-return]

    @property
    def session(self) -> Session:
        return self.state().session()

    @property
    def engine(self) -> Engine:
        return self.state().engine
