"""Eight processes editing shared listings at once, on a real SQLite file and on PostgreSQL.

Each process makes 25 edits through the service layer (``confirm_still_correct``) inside POST
requests, each starting from the copy of the listing an earlier GET request read, as an
editor's form would. Every edit either
succeeds or is refused as a conflict (the version column): none is lost silently, none fails
with "database is locked", and afterwards the search index matches the database exactly.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal import create_app, migrate
from portal.db import build_engine
from tests.conftest import app_overrides
from tests.helpers.database import BACKENDS, throwaway_database

PROCESSES = 8
EDITS = 25
LISTINGS = 4


def _edit_listings(database_url: str, index_dir: str, service_ids: list[str], worker: int
                   ) -> tuple[list[tuple[str, int, str]], int, list[str]]:
    """One process's edits: (service id, version it made, value it set), conflicts, errors."""
    os.environ["PORTAL_ENV"] = "testing"
    app = create_app(app_overrides(database_url, Path(index_dir)))
    from portal.directory.models import Service
    from portal.extensions import db
    from portal.moderation.services import DecisionConflict, confirm_still_correct

    rng = random.Random(worker)
    made, conflicts, errors = [], 0, []
    for edit in range(EDITS):
        with app.test_request_context("/edit", method="GET"):  # the editor opens the form...
            service = db.session.get(Service, rng.choice(service_ids))
        time.sleep(rng.random() * 0.02)  # ...thinks...
        day = date(2020, 1, 1) + timedelta(days=worker * 100 + edit)
        with app.test_request_context("/edit", method="POST"):  # ...and saves what they saw
            session = db.session
            try:
                session.scalar(select(func.count(Service.id)))  # a request reads before it writes
                service = session.merge(service, load=False)
                confirm_still_correct(session, service=service, by=None, on=day)
                session.commit()
                made.append((service.id, service.version, day.isoformat()))
            except DecisionConflict:  # StaleDataError from the version column, shown to them
                session.rollback()
                conflicts += 1
            except Exception as error:  # counted: the test fails on any
                session.rollback()
                errors.append(f"{type(error).__name__}: {error}")
    _dispose(app)
    return made, conflicts, errors


def _dispose(app) -> None:
    from portal.db import Database

    Database.state(app).engine.dispose()


def _seed(database_url: str, index_dir: Path) -> list[str]:
    from portal.directory.models import Organisation, Service
    from portal.extensions import db
    from portal.search import SearchIndex, outbox

    engine = build_engine(database_url)
    migrate.upgrade(engine)
    engine.dispose()
    app = create_app(app_overrides(database_url, index_dir))
    with app.app_context():
        organisation = Organisation(slug="shared", name="Shared listings (demo)")
        db.session.add(organisation)
        for n in range(LISTINGS):
            db.session.add(Service(organisation=organisation, name=f"Shared listing {n}",
                                   last_checked_on=date(2019, 1, 1)))
        db.session.commit()
        outbox.rebuild(SearchIndex.for_app(), db.engine)
        ids = list(db.session.scalars(select(Service.id).order_by(Service.name)))
    _dispose(app)
    return ids


@pytest.mark.parametrize("backend", BACKENDS)
def test_concurrent_edits_conflict_never_vanish_and_the_index_matches(backend, tmp_path):
    from portal.directory.models import Service
    from portal.extensions import db
    from portal.search import SearchIndex, outbox
    from portal.search.models import SearchChange

    index_dir = tmp_path / "index"
    with throwaway_database(backend, tmp_path) as database_url:
        service_ids = _seed(database_url, index_dir)
        context = multiprocessing.get_context("spawn")
        with context.Pool(PROCESSES) as pool:
            results = pool.starmap(_edit_listings, [(database_url, str(index_dir), service_ids, w)
                                                    for w in range(PROCESSES)])
        made = [m for result in results for m in result[0]]
        conflicts = sum(result[1] for result in results)
        errors = [e for result in results for e in result[2]]
        assert errors == []
        assert len(made) + conflicts == PROCESSES * EDITS
        assert conflicts > 0  # the edits really did overlap

        app = create_app(app_overrides(database_url, index_dir))
        with app.app_context():
            for service in db.session.scalars(select(Service)):
                mine = [m for m in made if m[0] == service.id]
                # Each success moved the version on by one: nothing was overwritten unseen.
                assert service.version == 1 + len(mine)
                last = max(mine, key=lambda m: m[1])
                assert (service.version, service.last_checked_on.isoformat()) == last[1:]
            index = SearchIndex.for_app()
            # Anything the index lags behind on is still waiting in the change log...
            difference = index.verify(db.session)
            position = outbox.read_position(index)
            waiting = {change.service_id for change in db.session.scalars(select(SearchChange))
                       if not position.done(change.id)}
            assert set(difference.missing + difference.extra + difference.stale) <= waiting
            outbox.apply(index, db.session)  # ...as the next search finds it
            assert outbox.waiting(index, db.session) == 0
            result = app.test_cli_runner().invoke(args=["search", "verify"])
            assert (result.exit_code, result.output) == (0, "The search index matches the database.\n")
        _dispose(app)
