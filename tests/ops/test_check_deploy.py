"""``flask --app wsgi check-deploy`` judges a production configuration in plain words."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from portal.accounts.models import User
from portal.crypto import derive_development_key, generate_key
from portal.db import Database
from portal.ops.checks import estimated_bits
from tests.helpers.factories import make_user
from tests.ops.helpers import (
    app_from_environ,
    dispose,
    free_port,
    migrated_database,
    production_environ,
)


@pytest.fixture
def environ(database_url, tmp_path, smtp_sink):
    return production_environ(database_url, tmp_path / "index", MAIL_PORT=str(smtp_sink.port))


def check(environ, *args):
    app = app_from_environ(environ)
    try:
        return app.test_cli_runner().invoke(args=["check-deploy", *args])
    finally:
        dispose(app)


def test_a_sound_production_configuration_passes(environ):
    result = check(environ)
    assert result.exit_code == 0, result.output
    assert "PROBLEM" not in result.output
    assert "ready for production" in result.output
    assert "The schema is at the newest migration." in result.output
    assert "Rate limits are shared through redis://127.0.0.1:6379/0" in result.output


def test_warnings_fail_only_when_strict(environ, backend):
    environ["PROXY_HOPS"] = "0"
    assert check(environ).exit_code == 0
    strict = check(environ, "--strict")
    assert strict.exit_code == 1 and "PROXY_HOPS is 0" in strict.output


@pytest.mark.parametrize(("secret", "words"), [
    ("short-but-random-Q2x9", "characters long; it needs at least 32"),
    ("a" * 40 + "b" * 24, "too predictable"),
    ("replace-with-a-long-random-value-from-secrets-token", "looks like a placeholder"),
])
def test_a_weak_secret_key_is_a_problem(environ, secret, words):
    environ["SECRET_KEY"] = secret
    result = check(environ)
    assert result.exit_code == 1
    assert "PROBLEM  SECRET_KEY: SECRET_KEY" in result.output
    assert words in result.output
    assert "not ready for production" in result.output


def test_entropy_estimate_tells_random_from_repetitive():
    assert estimated_bits("a" * 64) == 0
    assert estimated_bits("abababababababab") == 16
    assert estimated_bits("Kq3-xZ81pLwQv0rT_m4YbN7sJd2hE9cUfGa6WkVt") > 128


def test_encryption_keys_must_be_real_keys(environ):
    environ["ENCRYPTION_KEYS"] = f"{generate_key()},{derive_development_key(environ['SECRET_KEY'])}"
    result = check(environ)
    assert result.exit_code == 1
    assert "ENCRYPTION_KEYS holds the development key derived from SECRET_KEY" in result.output


def test_an_unreachable_database_is_said_plainly(environ):
    environ["DATABASE_URL"] = f"postgresql+psycopg://portal@127.0.0.1:{free_port()}/portal"
    result = check(environ)
    assert result.exit_code == 1
    assert "PROBLEM  database: The database at postgresql+psycopg://portal@127.0.0.1:" in result.output
    assert "cannot be reached" in result.output
    assert "Traceback" not in result.output


def test_a_database_behind_the_newest_migration_is_a_problem(environ, backend, tmp_path):
    with migrated_database(backend, tmp_path) as url:
        environ["DATABASE_URL"] = url
        app = app_from_environ(environ)
        with Database.state(app).engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = '0001'"))
        dispose(app)
        result = check(environ)
    assert result.exit_code == 1
    assert "The database is at revision 0001, not the newest" in result.output
    assert "flask --app wsgi db upgrade" in result.output


def test_an_empty_database_needs_its_schema(environ, backend, tmp_path):
    from tests.helpers.database import throwaway_database

    with throwaway_database(backend, tmp_path) as url:
        environ["DATABASE_URL"] = url
        result = check(environ)
    assert result.exit_code == 1
    assert "The database has no schema yet" in result.output


def test_data_under_a_key_no_longer_configured_is_a_problem(environ, backend, tmp_path):
    with migrated_database(backend, tmp_path) as url:
        environ["DATABASE_URL"] = url
        app = app_from_environ(environ)
        with app.app_context():
            session = Database.state(app).session()
            user = make_user(session)
            user.mfa_secret = "JBSWY3DPEHPK3PXP"
            session.commit()
            assert session.get(User, user.id) is not None
        dispose(app)
        assert check(environ).exit_code == 0
        environ["ENCRYPTION_KEYS"] = generate_key()  # the old key was lost
        result = check(environ)
    assert result.exit_code == 1
    assert "The configured keys cannot decrypt data already stored in user_account.mfa_secret" \
        in result.output


def test_an_unreachable_mail_server_is_a_problem_unless_skipped(environ):
    environ["MAIL_PORT"] = str(free_port())
    result = check(environ)
    assert result.exit_code == 1
    assert f"PROBLEM  mail: The mail server 127.0.0.1:{environ['MAIL_PORT']} cannot be reached" \
        in result.output
    skipped = check(environ, "--skip", "mail")
    assert skipped.exit_code == 0, skipped.output
    assert "mail:" not in skipped.output


def test_memory_rate_limits_and_insecure_cookies_are_problems(environ):
    environ["RATELIMIT_STORAGE_URI"] = "memory://"
    environ["PORTAL_ENV"] = "testing"
    result = check(environ)
    assert result.exit_code == 1
    for words in ("Rate limits are kept in each process's memory",
                  "SESSION_COOKIE_SECURE is off", "REMEMBER_COOKIE_SECURE is off",
                  "PORTAL_ENV is 'testing', not 'production'"):
        assert words in result.output


def test_an_unreachable_redis_is_a_problem(environ):
    environ["RATELIMIT_STORAGE_URI"] = f"redis://127.0.0.1:{free_port()}/0"
    result = check(environ)
    assert result.exit_code == 1
    assert "PROBLEM  RATELIMIT_STORAGE_URI" in result.output
