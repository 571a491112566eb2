"""No cold start: the serving process opens the index and compiles its templates at start-up."""

from __future__ import annotations

import threading
from pathlib import Path

from flask import Flask

from portal import create_app, migrate
from portal.db import Database
from portal.search import SearchIndex
from portal.warmup import warm_up
from tests.conftest import app_overrides


def _cached_templates(app: Flask) -> set[str]:
    return {name for (_loader, name) in (app.jinja_env.cache or {})}


def test_warm_up_opens_the_index_and_compiles_the_templates(tmp_path: Path) -> None:
    app = create_app(app_overrides(f"sqlite:///{tmp_path / 'w.sqlite3'}", tmp_path / "index"))
    engine = Database.state(app).engine
    migrate.upgrade(engine)
    with app.app_context():
        SearchIndex.for_app(app).rebuild(Database.state(app).session())
    SearchIndex.for_app(app).reset()
    assert "layouts/base.html" not in _cached_templates(app)

    timings = warm_up(app)

    assert set(timings) == {"search index", "bank holidays", "templates", "translations"}
    assert {"layouts/base.html", "directory/search.html"} <= _cached_templates(app)
    index = SearchIndex.for_app(app)
    assert index._searcher is not None and index._bits is not None
    engine.dispose()


def test_a_serving_app_warms_up_in_the_background_and_tests_do_not(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'w.sqlite3'}"
    quiet = create_app(app_overrides(url, tmp_path / "index"))
    assert not any(t.name == "portal-warm-up" for t in threading.enumerate())
    app = create_app(app_overrides(url, tmp_path / "index", WARM_UP=True))
    threads = [t for t in threading.enumerate() if t.name == "portal-warm-up"]
    assert threads
    for thread in threads:
        thread.join(timeout=30)
    assert "layouts/base.html" in _cached_templates(app)
    for each in (quiet, app):
        Database.state(each).engine.dispose()
