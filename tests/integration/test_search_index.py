"""Index upkeep: the outbox, after-commit updates, reindex, verify, drain and self-healing."""

from __future__ import annotations

import gc
import shutil
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from whoosh.index import LockError

from portal.db import utcnow
from portal.directory.models import Schedule
from portal.extensions import db
from portal.search import outbox
from portal.search.index import quiet_leaks
from portal.search.models import SearchOutbox
from tests.helpers.factories import fresh_search_index, make_listing


@pytest.fixture
def index(app, tmp_path):
    with fresh_search_index(app, tmp_path / "index") as search_index:
        yield search_index
    # Whoosh leaves files of a damaged index open; once the index is let go, close them here
    # rather than let the warning surface in whichever test runs next.
    with quiet_leaks():
        gc.collect()


def found(client, words: str) -> list[str]:
    response = client.get("/services", query_string={"q": words})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return [part.split("</a>")[0] for part in html.split('portal-result__name"><a href="/services/')[1:]]


def outbox_count(session) -> int:
    return session.scalar(select(func.count()).select_from(SearchOutbox))


def test_committed_change_is_searchable_and_its_outbox_row_is_done(app, client, session, index):
    found(client, "anything")  # the first search builds the (empty) index
    with app.app_context():
        service = make_listing(db.session, name="Harbour choir")
        assert outbox_count(db.session) == 1  # queued in the same transaction
        db.session.commit()
        service_id = service.id
    assert [hit.split('">')[1] for hit in found(client, "choir")] == ["Harbour <mark>choir</mark>"]
    assert found(client, "choir")[0].startswith(service_id)
    assert outbox_count(session) == 0


def test_rolled_back_change_never_reaches_the_index(app, client, session, index):
    found(client, "anything")
    with app.app_context():
        make_listing(db.session, name="Phantom choir")
        assert outbox_count(db.session) == 1
        db.session.rollback()
        assert outbox_count(db.session) == 0
    assert found(client, "phantom") == []
    with index.reading() as (searcher, _bits):
        assert searcher.doc_count() == 0


def test_edits_to_children_and_organisation_name_reach_the_index(app, client, session, index):
    found(client, "anything")
    with app.app_context():
        service = make_listing(db.session, name="Harbour choir")
        db.session.commit()
        service.organisation.name = "Quayside Singers"
        service.schedules.append(Schedule(freq="WEEKLY", byday="SU"))
        db.session.commit()
    assert len(found(client, "quayside")) == 1
    assert client.get("/services?day=SU").get_data(as_text=True).count("portal-result__name") == 1
    with app.app_context():
        service = db.session.merge(service)
        service.published = False
        db.session.commit()
    assert found(client, "choir") == []


def test_reindex_command_rebuilds_from_the_database(app, session, index):
    make_listing(session, name="Harbour choir")
    make_listing(session, name="Tea dance")
    result = app.test_cli_runner().invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Search index rebuilt: 2 documents in ")
    with index.reading() as (searcher, _bits):
        assert sorted(doc["show"]["name"] for doc in searcher.all_stored_fields()) == \
            ["Harbour choir", "Tea dance"]


def test_verify_command_reports_missing_extra_and_stale_documents(app, session, index):
    runner = app.test_cli_runner()
    kept = make_listing(session, name="Harbour choir")
    gone = make_listing(session, name="Tea dance")
    assert runner.invoke(args=["search", "reindex"]).exit_code == 0
    result = runner.invoke(args=["search", "verify"])
    assert (result.exit_code, result.output) == (0, "The search index matches the database.\n")

    # Changes made behind the index's back (the test's own session has no index hooks).
    kept.name = "Harbour singers"
    session.delete(gone)
    added = make_listing(session, name="Book club")
    session.flush()
    result = runner.invoke(args=["search", "verify"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"missing: 1 ({added.id})", f"extra: 1 ({gone.id})", f"stale: 1 ({kept.id})",
        "The search index differs from the database: run `flask --app wsgi search reindex`."]


def test_verify_command_without_an_index_says_so(app, index):
    result = app.test_cli_runner().invoke(args=["search", "verify"])
    assert result.exit_code == 1
    assert "There is no search index yet" in result.output


def test_deleted_index_directory_heals_on_the_next_search(client, session, index):
    make_listing(session, name="Harbour choir")
    assert len(found(client, "choir")) == 1
    shutil.rmtree(index.directory)
    assert len(found(client, "choir")) == 1
    assert index.exists()


def test_corrupt_index_heals_on_the_next_search(client, session, index):
    make_listing(session, name="Harbour choir")
    assert len(found(client, "choir")) == 1
    for path in index.directory.iterdir():
        path.write_bytes(b"\x00garbage" * 10)
    index.reset()  # as a new process would find it
    assert len(found(client, "choir")) == 1
    assert index.healthy()


def test_busy_index_lock_leaves_the_change_in_the_outbox_until_drained(app, client, session, index):
    found(client, "anything")
    with index.writer() as _held:  # another process is writing for a long time
        with app.app_context():
            make_listing(db.session, name="Harbour choir")
            db.session.commit()  # the update gives up after its bounded retries
        assert outbox_count(session) == 1
    assert found(client, "choir") == []
    result = app.test_cli_runner().invoke(args=["search", "drain"])
    assert result.exit_code == 0 and result.output == "Applied 1 waiting index changes.\n"
    assert len(found(client, "choir")) == 1 and outbox_count(session) == 0


def test_old_outbox_rows_left_by_a_crash_are_applied_by_the_next_update(app, client, session, index):
    found(client, "anything")
    orphan = make_listing(session, name="Harbour choir")  # its process died before applying
    session.add(SearchOutbox(kind="service", object_id=orphan.id,
                             created_at=utcnow() - timedelta(minutes=5)))
    session.flush()
    with app.app_context():
        make_listing(db.session, name="Tea dance")
        db.session.commit()
    assert len(found(client, "choir")) == 1 and len(found(client, "dance")) == 1
    assert outbox_count(session) == 0


def test_writer_waits_a_bounded_time_for_the_lock(index, session):
    index.directory.mkdir(parents=True)
    index.rebuild(session)
    with index.writer(), pytest.raises(LockError):
        outbox.apply(index, session, ["x"], leftovers=False)


def test_readiness_reports_the_index_reachable(client, index):
    assert client.get("/readyz").json["checks"]["search_index"] == "ok"
    found(client, "anything")
    assert client.get("/readyz").json["checks"]["search_index"] == "ok"
