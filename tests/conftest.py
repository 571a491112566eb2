"""Shared fixtures.

The schema is built once per backend with the real migrations; each test then runs inside
a transaction that is rolled back (SQLAlchemy's ``join_transaction_mode="create_savepoint"``),
so every test sees an empty database. With ``PORTAL_TEST_POSTGRES_URL`` set, every test that
uses the database runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from portal import create_app, migrate
from portal.authz import Role
from portal.db import Database, build_engine
from portal.extensions import limiter
from tests.helpers.database import BACKENDS, throwaway_database
from tests.helpers.factories import make_user
from tests.helpers.pages import Page, check_page
from tests.helpers.smtp import SmtpSink

os.environ.setdefault("PORTAL_ENV", "testing")


def app_overrides(database_url: str, index_dir: Path, **extra: object) -> dict[str, object]:
    return {
        "PORTAL_ENV": "testing",
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "DATABASE_URL": database_url,
        "SEARCH_INDEX_DIR": str(index_dir),
        "WTF_CSRF_ENABLED": True,
        **extra,
    }


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
                 ) -> Iterator[str]:
    with throwaway_database(request.param, tmp_path_factory.mktemp("db")) as url:
        engine = build_engine(url)
        migrate.upgrade(engine)
        engine.dispose()
        yield url


@pytest.fixture(scope="session")
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture(scope="session")
def _app(database_url: str, tmp_path_factory: pytest.TempPathFactory,
         smtp_sink: SmtpSink) -> Iterator[Flask]:
    app = create_app(app_overrides(
        database_url, tmp_path_factory.mktemp("index"),
        MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_sink.port,
    ))
    # Flask-Limiter is one object per process and keeps the store of the app bound last (an
    # ops test's app may be bound to a Redis it stopped): keep this app's, to give it back.
    app.extensions["portal.test.limiter"] = (limiter._storage, limiter._limiter)
    yield app
    Database.state(app).engine.dispose()


@pytest.fixture
def _connection(_app: Flask) -> Iterator[Connection]:
    """One connection in one transaction, rolled back after the test."""
    state = Database.state(_app)
    connection = state.engine.connect()
    transaction = connection.begin()
    try:
        yield connection
    finally:
        transaction.rollback()
        connection.close()


@pytest.fixture
def app(_app: Flask, _connection: Connection, smtp_sink: SmtpSink) -> Iterator[Flask]:
    """The app, every request's session joined to the test's transaction.

    No app context is held open during the test: requests each push their own, exactly as
    in production (a shared context would share ``g`` and the session between requests).
    """
    state = Database.state(_app)
    smtp_sink.clear()
    limiter._storage, limiter._limiter = _app.extensions["portal.test.limiter"]
    limiter._storage_dead = False
    limiter.reset()
    with _app.app_context():
        state.session.remove()
        state.session.configure(bind=_connection, join_transaction_mode="create_savepoint")
    try:
        yield _app
    finally:
        with _app.app_context():
            state.session.remove()
            state.session.configure(bind=state.engine,
                                    join_transaction_mode="conservative_savepoint")


@pytest.fixture
def session(app: Flask, _connection: Connection) -> Iterator[Session]:
    """The test's own session, on the same transaction as the app's requests."""
    with Session(bind=_connection, join_transaction_mode="create_savepoint",
                 expire_on_commit=False) as test_session:
        yield test_session


@pytest.fixture
def backend(database_url: str) -> str:
    return "postgresql" if database_url.startswith("postgresql") else "sqlite"


SEARCH_ENGINES = ["whoosh", "postgresql"] if "postgresql" in BACKENDS else ["whoosh"]


@pytest.fixture(params=SEARCH_ENGINES)
def search_engine(request: pytest.FixtureRequest, app: Flask, backend: str, session: Session,
                  tmp_path: Path) -> Iterator[object]:
    """A fresh search engine of each kind (``SEARCH_BACKEND``) for one test: the Whoosh index
    (yielded; the first search builds it), and on PostgreSQL the PostgreSQL engine too."""
    if request.param == "postgresql" and backend != "postgresql":
        pytest.skip("the PostgreSQL search engine needs a PostgreSQL database")
    from tests.helpers.factories import fresh_search_engine

    with fresh_search_engine(app, request.param, tmp_path / "index", session) as engine:
        yield engine


class Client(FlaskClient):
    """The Flask test client plus page checks and form submission with the page's CSRF token."""

    def page(self, url: str, status: int = 200, **kwargs: object) -> Page:
        response = self.get(url, **kwargs)
        assert response.status_code == status, (response.status_code, response.location)
        return check_page(response)

    def submit(self, url: str, data: dict[str, object], *, form_url: str | None = None,
               field: str = "csrf_token", **kwargs: object):  # type: ignore[no-untyped-def]
        """GET the page holding the form, then POST ``data`` with its CSRF token."""
        token = self.csrf_token(form_url or url, field=field)
        return self.post(url, data={"csrf_token": token, **data}, **kwargs)

    def csrf_token(self, url: str = "/account/sign-in", field: str = "csrf_token") -> str:
        html = self.get(url).get_data(as_text=True)
        match = re.search(r'name="csrf_token" value="([^"]+)"', html)
        assert match, f"no CSRF token on {url}"
        return match.group(1)

    def sign_in_as(self, user) -> str:  # type: ignore[no-untyped-def]
        """A quick sign-in (second factor included) for tests that are not about signing in.

        Opens a real server-side session, exactly as the sign-in pages would; returns its token.
        """
        from portal.accounts import sessions

        app = self.application
        with app.app_context():
            state = Database.state(app)
            token = sessions.start(state.session(), user=user)
            state.session().commit()
        with self.session_transaction() as flask_session:
            flask_session["_user_id"] = user.get_id()
            flask_session["_fresh"] = True
            flask_session["sid"] = token
        return token


@pytest.fixture
def client(app: Flask) -> Client:
    app.test_client_class = Client
    return app.test_client()  # type: ignore[return-value]


@pytest.fixture
def another_client(client: Client) -> Client:
    """A second browser (another device) on the same app."""
    return client.application.test_client()  # type: ignore[return-value]


@pytest.fixture
def personas(session: Session) -> dict[Role, object]:
    """One signed-up person for each role."""
    return {role: make_user(session, role, name=f"{role.value} persona") for role in Role}
