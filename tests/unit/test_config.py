import pytest

from portal import create_app
from portal.config import ConfigError, read_settings


def test_missing_secret_key_in_production_stops_start_up():
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        read_settings({"PORTAL_ENV": "production"})


def test_production_is_the_default_environment():
    with pytest.raises(ConfigError):
        read_settings({})


def test_development_gets_a_default_secret_key():
    settings = read_settings({"PORTAL_ENV": "development"})
    assert settings.secret_key
    assert settings.database_url.startswith("sqlite:///")
    assert settings.database_url.endswith("instance/portal.sqlite3")


def test_unknown_environment_is_refused():
    with pytest.raises(ConfigError, match="PORTAL_ENV"):
        read_settings({"PORTAL_ENV": "staging-ish", "SECRET_KEY": "x"})


def test_environment_variables_are_read():
    settings = read_settings({
        "PORTAL_ENV": "production", "SECRET_KEY": "s3cret", "DATABASE_URL": "postgresql://db/x",
        "SEARCH_INDEX_DIR": "/srv/index", "MAIL_PORT": "2525", "MAIL_USE_TLS": "true",
        "ENCRYPTION_KEYS": "iJ7ZbQq0mOQ7gXK3n1zF3Yd2oQ9oVx0m6xJ1n0wYk8Q=",
        "PORTAL_BASE_URL": "https://portal.example.nhs.uk",
    })
    assert (settings.database_url, settings.search_index_dir) == ("postgresql://db/x", "/srv/index")
    assert (settings.mail_port, settings.mail_use_tls) == (2525, True)


def test_carer_contact_targets_are_read_and_checked():
    settings = read_settings({"PORTAL_ENV": "development", "CARER_CONTACT_DAYS_URGENT": "1",
                              "CARER_CONTACT_DAYS_ROUTINE": "10"})
    assert (settings.carer_contact_days_urgent, settings.carer_contact_days_routine) == (1, 10)
    defaults = read_settings({"PORTAL_ENV": "development"})
    assert (defaults.carer_contact_days_urgent, defaults.carer_contact_days_routine) == (0, 5)
    for bad in ("-1", "five", "61"):
        with pytest.raises(ConfigError, match="CARER_CONTACT_DAYS_ROUTINE"):
            read_settings({"PORTAL_ENV": "development", "CARER_CONTACT_DAYS_ROUTINE": bad})


def test_production_cookies_are_secure(monkeypatch, tmp_path):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-production-secret")
    monkeypatch.setenv("ENCRYPTION_KEYS", "iJ7ZbQq0mOQ7gXK3n1zF3Yd2oQ9oVx0m6xJ1n0wYk8Q=")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'p.sqlite3'}")
    monkeypatch.setenv("PORTAL_BASE_URL", "https://portal.example.nhs.uk")
    monkeypatch.setenv("TRUSTED_HOSTS", "localhost")
    monkeypatch.setenv("SEARCH_INDEX_DIR", str(tmp_path / "index"))
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    response = app.test_client().get("/healthz")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_search_backend_is_read_and_checked():
    assert read_settings({"PORTAL_ENV": "development"}).search_backend == "whoosh"
    assert read_settings({"PORTAL_ENV": "development",
                          "SEARCH_BACKEND": "PostgreSQL"}).search_backend == "postgresql"
    with pytest.raises(ConfigError, match="SEARCH_BACKEND must be one of whoosh, postgresql"):
        read_settings({"PORTAL_ENV": "development", "SEARCH_BACKEND": "elastic"})


def test_postgresql_search_on_sqlite_is_refused_at_start_up(tmp_path):
    with pytest.raises(ConfigError, match="SEARCH_BACKEND=postgresql needs a PostgreSQL database"):
        create_app({"PORTAL_ENV": "testing", "TESTING": True, "SECRET_KEY": "x",
                    "DATABASE_URL": f"sqlite:///{tmp_path / 'p.sqlite3'}",
                    "SEARCH_INDEX_DIR": str(tmp_path / "index"), "SEARCH_BACKEND": "postgresql"})
