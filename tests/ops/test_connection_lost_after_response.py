"""A connection that dies after the page is made (PostgreSQL restarting, a proxy dropping it)
must not turn the finished page into a bare 500 when the request's session is closed."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from portal import create_app, migrate
from portal.authz.decorators import public
from portal.db import Database
from portal.extensions import db
from tests.conftest import app_overrides
from tests.helpers.database import POSTGRES_URL, throwaway_database

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="needs PostgreSQL")


def test_a_page_whose_connection_dies_before_the_session_closes_is_still_served(tmp_path):
    with throwaway_database("postgresql", tmp_path) as url:
        app = create_app(app_overrides(url, tmp_path / "index"))
        migrate.upgrade(Database.state(app).engine)
        killer = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")

        @public
        def lose_connection() -> str:
            pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar_one()
            with killer.connect() as connection:
                connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            return "made before the connection went"

        app.add_url_rule("/test-lose-connection", view_func=lose_connection)
        try:
            response = app.test_client().get("/test-lose-connection")
            assert response.status_code == 200
            assert response.get_data(as_text=True) == "made before the connection went"
            # The dead connection was thrown away: the next request works.
            assert app.test_client().get("/").status_code == 200
        finally:
            killer.dispose()
            Database.state(app).engine.dispose()
