"""Index upkeep: the change log, after-commit updates, followers, reindex, verify, drain and
self-healing."""

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
from portal.search.index import SearchIndex, quiet_leaks
from portal.search.models import SearchChange
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


@pytest.fixture(autouse=True)
def follow_at_every_search(monkeypatch):
    monkeypatch.setattr(outbox, "FOLLOW_EVERY_SECONDS", 0.0)


def log_count(session) -> int:
    return session.scalar(select(func.count()).select_from(SearchChange))


def test_committed_change_is_searchable_and_stays_in_the_log(app, client, session, index):
    found(client, "anything")  # the first search builds the (empty) index
    with app.app_context():
        service = make_listing(db.session, name="Harbour choir")
        assert log_count(db.session) == 1  # logged in the same transaction
        db.session.commit()
        service_id = service.id
    assert [hit.split('">')[1] for hit in found(client, "choir")] == ["Harbour <mark>choir</mark>"]
    assert found(client, "choir")[0].startswith(service_id)
    assert log_count(session) == 1  # append-only: other servers read it too
    assert outbox.waiting(index, session) == 0


def test_rolled_back_change_never_reaches_the_index(app, client, session, index):
    found(client, "anything")
    with app.app_context():
        make_listing(db.session, name="Phantom choir")
        assert log_count(db.session) == 1
        db.session.rollback()
        assert log_count(db.session) == 0
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


def test_busy_index_lock_leaves_the_change_in_the_log_until_drained(app, client, session, index):
    found(client, "anything")
    with index.writer() as _held:  # another process is writing for a long time
        with app.app_context():
            make_listing(db.session, name="Harbour choir")
            db.session.commit()  # the update gives up after its bounded retries
        assert outbox.waiting(index, session) == 1
    result = app.test_cli_runner().invoke(args=["search", "drain"])
    assert result.exit_code == 0 and result.output == "Applied 1 waiting index changes.\n"
    assert outbox.waiting(index, session) == 0 and log_count(session) == 1
    assert len(found(client, "choir")) == 1


def test_a_change_whose_process_died_before_indexing_is_applied_by_the_next_search(
        app, client, session, index):
    found(client, "anything")
    orphan = make_listing(session, name="Harbour choir")  # committed, but its process died
    session.add(SearchChange(service_id=orphan.id))
    session.flush()
    assert outbox.waiting(index, session) == 1
    assert len(found(client, "choir")) == 1
    assert outbox.waiting(index, session) == 0


def test_a_second_server_index_follows_every_change_from_its_own_position(
        app, client, session, index, tmp_path):
    """Two web servers, each with its own index: neither consumes the other's changes."""
    found(client, "anything")
    other = SearchIndex(tmp_path / "other-server")
    outbox.rebuild(other, session.get_bind())
    with app.app_context():
        make_listing(db.session, name="Harbour choir")  # through the first server
        db.session.commit()
        make_listing(db.session, name="Tea dance")
        db.session.commit()
    assert len(found(client, "choir")) == 1 and outbox.waiting(index, session) == 0
    assert outbox.waiting(other, session) == 2  # still there for the other server
    assert outbox.follow(other, session) == 2
    with other.reading() as (searcher, _bits):
        assert sorted(doc["show"]["name"] for doc in searcher.all_stored_fields()) == \
            ["Harbour choir", "Tea dance"]
    assert outbox.read_position(other) == outbox.read_position(index)
    other.reset()


def test_a_change_numbered_before_one_already_applied_is_still_applied(session, index):
    """Numbers are taken when a transaction writes, not when it commits: number 2 can be seen
    before number 1 commits. The follower waits for the missing number."""
    index.directory.mkdir(parents=True)
    outbox.rebuild(index, session.get_bind())
    start = outbox.read_position(index).upto
    slow = make_listing(session, name="Slow choir")
    quick = make_listing(session, name="Quick dance")
    session.add(SearchChange(id=start + 2, service_id=quick.id))  # committed first
    session.flush()
    assert outbox.follow(index, session) == 1
    position = outbox.read_position(index)
    assert (position.upto, position.beyond) == (start, {start + 2})
    session.add(SearchChange(id=start + 1, service_id=slow.id))  # the slower transaction commits
    session.flush()
    assert outbox.follow(index, session) == 1
    position = outbox.read_position(index)
    assert (position.upto, position.beyond) == (start + 2, set())
    with index.reading() as (searcher, _bits):
        assert sorted(doc["show"]["name"] for doc in searcher.all_stored_fields()) == \
            ["Quick dance", "Slow choir"]


def test_a_number_missing_for_long_is_given_up_as_rolled_back(session, index, monkeypatch):
    index.directory.mkdir(parents=True)
    outbox.rebuild(index, session.get_bind())
    start = outbox.read_position(index).upto
    session.add(SearchChange(id=start + 2, service_id=make_listing(session, name="Choir").id))
    session.flush()
    outbox.follow(index, session)
    assert outbox.read_position(index).upto == start
    monkeypatch.setattr(outbox, "GAP_WAIT_SECONDS", 0.0)
    outbox.follow(index, session)
    assert outbox.read_position(index).upto == start + 2


def test_a_server_behind_a_pruned_log_rebuilds(app, client, session, index):
    found(client, "anything")
    with app.app_context():
        make_listing(db.session, name="Harbour choir")
        db.session.commit()
    position = outbox.read_position(index)
    outbox.write_position(index, outbox.Position(1))  # far behind...
    session.add(SearchChange(id=position.upto + 5, service_id="none"))
    session.execute(SearchChange.__table__.delete().where(SearchChange.id <= position.upto))
    session.flush()  # ...and the log no longer reaches back to it
    assert len(found(client, "choir")) == 1
    assert outbox.read_position(index).upto >= position.upto


def test_an_index_ahead_of_the_log_rebuilds(app, client, session, index):
    """The database was restored from a backup older than the index: the index starts again."""
    found(client, "anything")
    make_listing(session, name="Harbour choir")  # in the restored database, not in the index
    session.flush()
    outbox.write_position(index, outbox.Position(10_000))
    assert len(found(client, "choir")) == 1


def test_an_index_without_a_position_rebuilds(app, client, session, index):
    found(client, "anything")
    make_listing(session, name="Harbour choir")
    session.flush()
    outbox.position_path(index).unlink()  # an index from before the change log
    assert len(found(client, "choir")) == 1
    assert outbox.read_position(index) is not None


def test_prune_log_command_keeps_recent_changes_and_the_newest(app, session):
    old = utcnow() - timedelta(days=40)
    session.add_all([SearchChange(service_id="a", created_at=old),
                     SearchChange(service_id="b", created_at=old),
                     SearchChange(service_id="c")])
    session.flush()
    result = app.test_cli_runner().invoke(args=["search", "prune-log", "--days", "30"])
    assert result.exit_code == 0 and result.output == "Deleted 2 change-log rows.\n"
    assert session.scalars(select(SearchChange.service_id)).all() == ["c"]


def test_writer_waits_a_bounded_time_for_the_lock(index, session):
    index.directory.mkdir(parents=True)
    index.rebuild(session)
    with index.writer(), pytest.raises(LockError):
        outbox.apply(index, session, ["x"])


def test_readiness_reports_the_index_reachable(client, index):
    assert client.get("/readyz").json["checks"]["search_index"] == "ok"
    found(client, "anything")
    assert client.get("/readyz").json["checks"]["search_index"] == "ok"
