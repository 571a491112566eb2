"""When the database cannot be reached, pages say so kindly with a 503, never a stack trace."""

from __future__ import annotations

import pytest

from tests.ops.helpers import app_from_environ, dispose, free_port, production_environ


@pytest.fixture
def app_without_database(tmp_path):
    url = f"postgresql+psycopg://portal@127.0.0.1:{free_port()}/portal"
    app = app_from_environ(production_environ(url, tmp_path / "index", RATELIMIT_STORAGE_URI="memory://"))
    yield app
    dispose(app)


def test_a_page_needing_the_database_gets_a_friendly_503(app_without_database):
    response = app_without_database.test_client().get(
        "/services/00000000-0000-0000-0000-000000000000", base_url="https://localhost")
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "Sorry, there is a problem with the service" in html
    assert "Traceback" not in html and "psycopg" not in html and "127.0.0.1" not in html


def test_the_api_gets_a_503_too(app_without_database):
    response = app_without_database.test_client().get("/api/services", base_url="https://localhost")
    assert response.status_code == 503
    assert "psycopg" not in response.get_data(as_text=True)
