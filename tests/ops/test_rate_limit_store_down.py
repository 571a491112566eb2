"""When the shared rate-limit store (Redis) cannot be reached, rate-limited forms still work:
each server counts in its own memory until the store is back, and logs that it fell back."""

from __future__ import annotations

import logging
import re

import pytest

from tests.ops.helpers import (
    app_from_environ,
    dispose,
    free_port,
    migrated_database,
    production_environ,
)


@pytest.fixture
def app_without_redis(tmp_path):
    with migrated_database("sqlite", tmp_path) as url:
        app = app_from_environ(production_environ(
            url, tmp_path / "index", RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{free_port()}/0"))
        yield app
        dispose(app)


def _sign_in(client, email: str):  # type: ignore[no-untyped-def]
    page = client.get("/account/sign-in", base_url="https://127.0.0.1")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    assert token, "no CSRF token on the sign-in page"
    return client.post("/account/sign-in", base_url="https://127.0.0.1",
                       data={"csrf_token": token.group(1), "email": email,
                             "password": "not the password"},
                       headers={"Referer": "https://127.0.0.1/account/sign-in"})


def test_a_rate_limited_form_answers_and_still_limits_when_redis_is_down(
        app_without_redis, caplog):
    client = app_without_redis.test_client()
    with caplog.at_level(logging.WARNING):
        first = _sign_in(client, "nobody@example.org")
    assert first.status_code == 200, first.status_code
    assert "Traceback" not in first.get_data(as_text=True)
    assert "falling back to in-memory storage" in caplog.text
    # The limit still holds (20 sign-in attempts a minute from one address), in memory.
    statuses = [_sign_in(client, f"person{n}@example.org").status_code for n in range(25)]
    assert 429 in statuses and 500 not in statuses
