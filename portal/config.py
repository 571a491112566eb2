"""Configuration read from the environment.

Development gets safe defaults; anywhere else a missing secret stops start-up.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

ENVIRONMENTS = ("development", "testing", "production")
PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"


class ConfigError(RuntimeError):
    """The environment does not describe a runnable portal."""


@dataclass(frozen=True)
class Settings:
    """The raw settings, read once from a mapping (normally ``os.environ``)."""

    env: str
    secret_key: str
    database_url: str
    search_index_dir: str
    mail_server: str
    mail_port: int
    mail_sender: str
    mail_use_tls: bool
    mail_username: str | None
    mail_password: str | None
    single_point_of_access: str
    ratelimit_storage_uri: str
    proxy_hops: int
    outbox_run: str = "thread"
    base_url: str = "http://127.0.0.1:5000"
    # Host names the portal answers to; any other Host header gets 400 (see trusted_hosts).
    trusted_hosts: tuple[str, ...] = ()
    # Fernet keys for field-level encryption, newest first (see portal/crypto.py).
    encryption_keys: tuple[str, ...] = ()
    # Carer's assessment requests: working days to first contact (portal/carers/targets.py).
    carer_contact_days_urgent: int = 0
    carer_contact_days_routine: int = 5
    # Days an emailed link back to an unsent carer's assessment request works for.
    carer_resume_days: int = 7
    # The search engine: "whoosh" (an index on each server's disk) or "postgresql".
    search_backend: str = "whoosh"


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def read_settings(environ: dict[str, str] | os._Environ[str] | None = None) -> Settings:
    environ = os.environ if environ is None else environ
    env = environ.get("PORTAL_ENV", "production").strip().lower()
    if env not in ENVIRONMENTS:
        raise ConfigError(f"PORTAL_ENV must be one of {', '.join(ENVIRONMENTS)}; got {env!r}.")
    secret_key = environ.get("SECRET_KEY", "")
    if not secret_key:
        if env == "production":
            raise ConfigError(
                "SECRET_KEY is not set. Set it to a long random value "
                "(python -c 'import secrets; print(secrets.token_urlsafe(48))')."
            )
        secret_key = f"insecure-{env}-key-never-use-in-production"
    default_db = f"sqlite:///{INSTANCE_DIR / 'portal.sqlite3'}"
    encryption_keys = _encryption_keys(environ.get("ENCRYPTION_KEYS", ""), env, secret_key)
    base_url = _base_url(environ, env)
    return Settings(
        env=env,
        secret_key=secret_key,
        database_url=environ.get("DATABASE_URL", default_db),
        search_index_dir=environ.get("SEARCH_INDEX_DIR", str(INSTANCE_DIR / "search-index")),
        mail_server=environ.get("MAIL_SERVER", "127.0.0.1"),
        mail_port=int(environ.get("MAIL_PORT", "8025")),
        mail_sender=environ.get("MAIL_SENDER", "no-reply@portal.example.nhs.uk"),
        mail_use_tls=_flag(environ.get("MAIL_USE_TLS")),
        mail_username=environ.get("MAIL_USERNAME") or None,
        mail_password=environ.get("MAIL_PASSWORD") or None,
        single_point_of_access=environ.get("SINGLE_POINT_OF_ACCESS", "0300 456 7890"),
        ratelimit_storage_uri=environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        proxy_hops=int(environ.get("PROXY_HOPS", "0")),
        outbox_run=environ.get("OUTBOX_RUN", "inline" if env == "testing" else "thread"),
        base_url=base_url,
        trusted_hosts=trusted_hosts(environ.get("TRUSTED_HOSTS", ""), base_url, env),
        encryption_keys=encryption_keys,
        carer_contact_days_urgent=_working_days(environ, "CARER_CONTACT_DAYS_URGENT", 0),
        carer_contact_days_routine=_working_days(environ, "CARER_CONTACT_DAYS_ROUTINE", 5),
        carer_resume_days=_resume_days(environ.get("CARER_RESUME_DAYS", "")),
        search_backend=_search_backend(environ.get("SEARCH_BACKEND", "whoosh")),
    )


SEARCH_BACKENDS = ("whoosh", "postgresql")


def _search_backend(value: str) -> str:
    name = value.strip().lower() or "whoosh"
    if name not in SEARCH_BACKENDS:
        raise ConfigError(f"SEARCH_BACKEND must be one of {', '.join(SEARCH_BACKENDS)}; got {value!r}.")
    return name


def _resume_days(value: str) -> int:
    value = value.strip()
    if not value:
        return 7
    if not value.isdigit() or not 1 <= int(value) <= 90:
        raise ConfigError("CARER_RESUME_DAYS must be a whole number of days from 1 to 90.")
    return int(value)


def _working_days(environ: dict[str, str] | os._Environ[str], name: str, default: int) -> int:
    value = environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) > 60:
        raise ConfigError(f"{name} must be a whole number of working days from 0 to 60.")
    return int(value)


def _base_url(environ: dict[str, str] | os._Environ[str], env: str) -> str:
    """The portal's public address, from which every link in an email is built (never from the
    request's Host header, which a client chooses)."""
    value = environ.get("PORTAL_BASE_URL", "").strip().rstrip("/")
    if not value:
        if env == "production":
            raise ConfigError("PORTAL_BASE_URL is not set. Set it to the portal's public address, "
                              "for example https://portal.example.nhs.uk: links in emails are "
                              "built from it.")
        return "http://127.0.0.1:5000"
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"PORTAL_BASE_URL must be an address such as "
                          f"https://portal.example.nhs.uk; got {value!r}.")
    return value


def trusted_hosts(value: str, base_url: str, env: str) -> tuple[str, ...]:
    """``TRUSTED_HOSTS`` (comma-separated), else the base URL's host; outside production the
    machine's own names too, so ``make run`` answers on localhost and 127.0.0.1."""
    hosts = [host.strip().lower() for host in value.split(",") if host.strip()]
    if not hosts:
        hosts = [urlsplit(base_url).hostname or ""]
        if env != "production":
            hosts += ["localhost", "127.0.0.1"]
    return tuple(dict.fromkeys(host for host in hosts if host))


def _encryption_keys(value: str, env: str, secret_key: str) -> tuple[str, ...]:
    from portal.crypto import EncryptionKeyError, KeyRing, derive_development_key, parse_keys

    keys = parse_keys(value)
    if not keys:
        if env == "production":
            raise ConfigError(
                "ENCRYPTION_KEYS is not set. Set it to one or more Fernet keys, newest first "
                "(flask --app wsgi keys generate)."
            )
        keys = (derive_development_key(secret_key),)
    try:
        KeyRing(keys)
    except EncryptionKeyError as exc:
        raise ConfigError(str(exc)) from exc
    return keys


def flask_config(settings: Settings) -> dict[str, object]:
    """Turn settings into Flask's configuration mapping."""
    secure_cookies = settings.env == "production"
    return {
        "PORTAL_ENV": settings.env,
        "TESTING": settings.env == "testing",
        "SECRET_KEY": settings.secret_key,
        "DATABASE_URL": settings.database_url,
        "SEARCH_INDEX_DIR": settings.search_index_dir,
        "SEARCH_BACKEND": settings.search_backend,
        "MAIL_SERVER": settings.mail_server,
        "MAIL_PORT": settings.mail_port,
        "MAIL_SENDER": settings.mail_sender,
        "MAIL_USE_TLS": settings.mail_use_tls,
        "MAIL_USERNAME": settings.mail_username,
        "MAIL_PASSWORD": settings.mail_password,
        "SINGLE_POINT_OF_ACCESS": settings.single_point_of_access,
        "RATELIMIT_STORAGE_URI": settings.ratelimit_storage_uri,
        "RATELIMIT_HEADERS_ENABLED": True,
        # Redis down: each server counts in its own memory (and logs it) until Redis is back,
        # rather than every rate-limited form failing.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "PROXY_HOPS": settings.proxy_hops,
        # After a commit, new outbox jobs run on a background thread (tests: before the
        # request returns; "off": only the `outbox run` worker runs them).
        "OUTBOX_RUN": settings.outbox_run,
        # The portal's public address, for links in emails written outside a request.
        "PORTAL_BASE_URL": settings.base_url,
        "TRUSTED_HOSTS": list(settings.trusted_hosts),
        "ENCRYPTION_KEYS": list(settings.encryption_keys),
        "CARER_CONTACT_DAYS_URGENT": settings.carer_contact_days_urgent,
        "CARER_CONTACT_DAYS_ROUTINE": settings.carer_contact_days_routine,
        "CARER_RESUME_DAYS": settings.carer_resume_days,
        "SESSION_COOKIE_NAME": "portal_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure_cookies,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": secure_cookies,
        "REMEMBER_COOKIE_DURATION": timedelta(hours=12),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        "MAX_FORM_MEMORY_SIZE": 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": 12 * 3600,
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).resolve().parent.parent / "translations"),
        "PREFERRED_URL_SCHEME": "https" if settings.env == "production" else "http",
        "SEND_FILE_MAX_AGE_DEFAULT": timedelta(hours=1),
        # Hashed, precompressed static files (`flask assets build`; see portal/assets.py).
        "STATIC_BUILD_DIR": str(INSTANCE_DIR / "static"),
        # HTML and JSON responses compressed on the fly (Flask-Compress).
        "COMPRESS_ALGORITHM": ["br", "gzip"],
        "COMPRESS_BR_LEVEL": 4,
        "COMPRESS_LEVEL": 6,
        "COMPRESS_MIN_SIZE": 500,
        "COMPRESS_MIMETYPES": ["text/html", "application/json", "text/plain", "text/csv",
                               "application/geo+json", "text/calendar"],
    }
