"""Production-shaped apps, servers and databases for the ops tests (all on 127.0.0.1)."""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask

from portal import create_app, migrate
from portal.config import flask_config, read_settings
from portal.crypto import generate_key
from portal.db import Database, build_engine
from tests.helpers.database import throwaway_database

REDIS_URL = os.environ.get("PORTAL_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def production_environ(database_url: str, index_dir: Path, **extra: str) -> dict[str, str]:
    """The environment a real server would have: PORTAL_ENV=production and real secrets."""
    return {
        "PORTAL_ENV": "production",
        # The servers answer on 127.0.0.1; links in emails name the public address.
        "PORTAL_BASE_URL": "https://portal.example.nhs.uk",
        "TRUSTED_HOSTS": "127.0.0.1,localhost",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "ENCRYPTION_KEYS": generate_key(),
        "DATABASE_URL": database_url,
        "SEARCH_INDEX_DIR": str(index_dir),
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "PROXY_HOPS": "1",
        "MAIL_SERVER": "127.0.0.1",
        **extra,
    }


def app_from_environ(environ: dict[str, str], **overrides: object) -> Flask:
    """The app exactly as ``read_settings`` would configure it from this environment."""
    return create_app({**flask_config(read_settings(environ)), **overrides})


@contextmanager
def migrated_database(backend: str, directory: Path) -> Iterator[str]:
    with throwaway_database(backend, directory) as url:
        engine = build_engine(url)
        migrate.upgrade(engine)
        engine.dispose()
        yield url


def dispose(app: Flask) -> None:
    Database.state(app).engine.dispose()
