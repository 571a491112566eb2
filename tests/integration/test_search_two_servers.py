"""Several web servers on one PostgreSQL database: a listing published through one app process
is found through another within 2 seconds, with each search engine.

With Whoosh each process keeps its own index (its own directory) and follows the change log
from its own position; with PostgreSQL the documents are written in the publishing transaction.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from portal import migrate
from portal.db import build_engine
from tests.conftest import app_overrides
from tests.helpers.database import BACKENDS, throwaway_database

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif("postgresql" not in BACKENDS,
                                reason="needs PORTAL_TEST_POSTGRES_URL (several servers share it)")


def _config(database_url: str, index_dir: Path, engine: str) -> str:
    return json.dumps(app_overrides(database_url, index_dir, SEARCH_BACKEND=engine,
                                    OUTBOX_RUN="inline", WTF_CSRF_ENABLED=False))


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tests.helpers.search_server", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=60, check=False)


@pytest.fixture
def database(tmp_path: Path) -> Iterator[str]:
    with throwaway_database("postgresql", tmp_path) as url:
        engine = build_engine(url)
        migrate.upgrade(engine)
        engine.dispose()
        yield url


def _serve(config: str) -> tuple[subprocess.Popen[str], int]:
    process = subprocess.Popen([sys.executable, "-m", "tests.helpers.search_server", "serve", config],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line.startswith("port "):
        process.kill()
        raise AssertionError(f"the server did not start: {line}{process.communicate()[1][-2000:]}")
    return process, int(line.split()[1])


def _names(port: int, words: str) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/services?q={words}", timeout=10) as response:
        assert response.status == 200
        return str(response.read().decode("utf-8"))


@pytest.mark.parametrize("engine", ["whoosh", "postgresql"])
def test_a_listing_published_through_one_server_is_found_through_another(database, tmp_path, engine):
    first = _config(database, tmp_path / "index-first-server", engine)
    second = _config(database, tmp_path / "index-second-server", engine)
    assert _run("publish", first, "Harbour choir").returncode == 0  # both servers know it first
    server, port = _serve(second)
    try:
        assert "Harbour" in _names(port, "choir")  # the second server's index is built now
        published = _run("publish", first, "Zebrafinch lunch club")
        assert published.returncode == 0, published.stderr[-2000:]
        started = time.monotonic()
        while "Zebrafinch" not in _names(port, "zebrafinch"):
            assert time.monotonic() - started < 2.0, "not found through the other server in 2 s"
            time.sleep(0.05)
        assert "Harbour" in _names(port, "choir")
    finally:
        server.terminate()
        server.communicate(timeout=10)
