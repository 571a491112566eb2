"""The audit log: event rules, the hash chain, append-only, and verification."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select, text, update

from portal import create_app, migrate
from portal.audit.events import SPECS, AccessReason, AuditError, EventType, RecordType
from portal.audit.models import GENESIS_HASH, AppendOnlyError, AuditEvent
from portal.audit.services import record, verify_chain
from portal.db import Database, build_engine
from tests.conftest import app_overrides
from tests.helpers.database import throwaway_database


def _viewed(session, actor_id=1, subject_id=2):
    return record(session, EventType.RECORD_VIEWED, actor_id=actor_id, subject_id=subject_id,
                  target_type=RecordType.PERSONAL_DETAILS, target_id=7,
                  reason=AccessReason.ADMIN, viewer_roles=["admin"])


def test_every_event_type_has_rules():
    assert set(SPECS) == set(EventType)


def test_record_with_a_missing_detail_key_is_refused(session):
    with pytest.raises(AuditError, match="roles_changed needs detail keys: removed"):
        record(session, EventType.ROLES_CHANGED, actor_id=1, subject_id=2, added=["admin"])


def test_record_with_an_unknown_detail_key_is_refused(session):
    with pytest.raises(AuditError, match="sign_out does not take detail keys: email"):
        record(session, EventType.SIGN_OUT, actor_id=1, subject_id=1, email="a@example.test")


def test_record_of_an_access_without_a_reason_or_subject_is_refused(session):
    with pytest.raises(AuditError, match="needs a reason"):
        record(session, EventType.RECORD_VIEWED, actor_id=1, subject_id=2,
               target_type="personal_details", viewer_roles=["admin"])
    with pytest.raises(AuditError, match="needs subject_id"):
        record(session, EventType.RECORD_VIEWED, actor_id=1, target_type="personal_details",
               reason=AccessReason.ADMIN, viewer_roles=["admin"])


def test_record_refuses_details_that_look_like_content(session):
    with pytest.raises(AuditError, match="too long"):
        record(session, EventType.SIGN_IN_FAILED, actor_id=None, cause="x" * 201)
    with pytest.raises(AuditError, match="flat list"):
        record(session, EventType.SIGN_IN_FAILED, actor_id=None, cause={"a": {"b": 1}})


def test_record_refuses_a_loose_string_for_the_event_type(session):
    with pytest.raises(AuditError, match="not an audit event type"):
        record(session, "sign_in", actor_id=1, subject_id=1)  # type: ignore[arg-type]


def test_entries_are_numbered_and_chained(session):
    first = record(session, EventType.SIGN_IN, actor_id=1, subject_id=1, mfa=True)
    second = _viewed(session)
    assert (first.id, second.id) == (1, 2)
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash
    assert second.hash == second.compute_hash()
    assert second.details == {"viewer_roles": ["admin"]}
    assert (second.reason, second.target_type, second.target_id) == (
        "admin", "personal_details", "7")


def test_verify_passes_an_untouched_chain(session):
    for n in range(5):
        _viewed(session, subject_id=n)
    assert verify_chain(session).intact
    assert verify_chain(session).checked == 5


def test_an_entry_changed_with_raw_sql_breaks_the_chain_there(session):
    for n in range(4):
        _viewed(session, subject_id=n)
    session.execute(text("UPDATE audit_event SET subject_id = 99 WHERE id = 3"))
    report = verify_chain(session)
    assert (report.broken_at, report.problem, report.checked) == (3, "content", 2)


def test_an_entry_removed_with_raw_sql_breaks_the_chain(session):
    for n in range(4):
        _viewed(session, subject_id=n)
    session.execute(text("DELETE FROM audit_event WHERE id = 2"))
    report = verify_chain(session)
    assert (report.broken_at, report.problem) == (2, "missing")


def test_an_entry_rehashed_after_tampering_still_breaks_the_link(session):
    for n in range(3):
        _viewed(session, subject_id=n)
    session.execute(text("UPDATE audit_event SET hash = :h WHERE id = 2"), {"h": "f" * 64})
    report = verify_chain(session)
    assert (report.broken_at, report.problem) == (2, "content")


def test_the_orm_refuses_to_change_or_remove_an_entry(session):
    entry = _viewed(session)
    entry.subject_id = 42
    with pytest.raises(AppendOnlyError):
        session.flush()
    session.rollback()
    entry = _viewed(session)
    session.delete(entry)
    with pytest.raises(AppendOnlyError):
        session.flush()
    session.rollback()


def test_bulk_changes_to_entries_are_refused(session):
    _viewed(session)
    with pytest.raises(AppendOnlyError):
        session.execute(update(AuditEvent).values(subject_id=1))


def test_audit_verify_command_reports_the_first_broken_entry(app, session):
    for n in range(3):
        _viewed(session, subject_id=n)
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0 and "Audit chain intact: 3 entries checked." in ok.output
    session.execute(text("UPDATE audit_event SET reason = 'owner' WHERE id = 2"))
    broken = runner.invoke(args=["audit", "verify"])
    assert broken.exit_code == 1
    assert ("Audit chain broken at entry 2: its contents do not match its hash (changed after "
            "it was written). 1 entries before it are intact.") in broken.output


def test_concurrent_writers_never_fork_the_chain(backend, tmp_path):
    """Two threads, each appending in its own transactions, on a database of their own."""
    with throwaway_database(backend, tmp_path) as url:
        engine = build_engine(url)
        migrate.upgrade(engine)
        engine.dispose()
        app = create_app(app_overrides(url, tmp_path / "index"))
        barrier, errors, per_thread = threading.Barrier(2), [], 15

        def write(actor_id: int) -> None:
            try:
                with app.app_context():
                    state = Database.state(app)
                    barrier.wait()
                    for _n in range(per_thread):
                        _viewed(state.session(), actor_id=actor_id)
                        state.session().commit()
            except Exception as exc:  # reported below
                errors.append(exc)

        threads = [threading.Thread(target=write, args=(n,)) for n in (1, 2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        try:
            assert errors == []
            with app.app_context():
                session = Database.state(app).session()
                assert session.scalar(select(func.count()).select_from(AuditEvent)) == 30
                assert verify_chain(session).intact
                assert verify_chain(session).checked == 30
        finally:
            Database.state(app).engine.dispose()


def test_every_detail_key_of_every_event_type_has_words():
    from portal.audit.events import SPECS
    from portal.audit.presenters import DETAIL_LABELS

    keys = {key for spec in SPECS.values() for key in spec.required | spec.optional}
    assert sorted(keys - DETAIL_LABELS.keys()) == []
