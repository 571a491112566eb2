"""Moderation services without HTTP: conflicts, publishing, notices after commit."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, update

from portal.authz import Role
from portal.directory.models import Service
from portal.moderation import services
from portal.moderation.models import RevisionStatus
from portal.moderation.snapshot import snapshot
from portal.outbox.core import run_due
from portal.outbox.models import OutboxJob
from tests.helpers.factories import (
    make_organisation,
    make_revision,
    make_service,
    make_user,
)


@pytest.fixture
def request_context(app):
    with app.test_request_context():
        yield


def _people(session):
    organisation = make_organisation(session)
    ann = make_user(session, Role.EDITOR, organisations=[organisation], email="ann@example.test")
    bob = make_user(session, Role.EDITOR, organisations=[organisation], email="bob@example.test")
    return organisation, ann, bob, make_service(session, organisation, name="Tea and Chat")


def test_submit_with_a_stale_base_version_is_a_conflict(session, request_context):
    organisation, ann, _bob, service = _people(session)
    with pytest.raises(services.EditConflict) as caught:
        services.submit_revision(session, organisation=organisation, service=service,
                                 data=snapshot(service), base_version=0, replaces=None,
                                 note=None, by=ann)
    assert caught.value.current == snapshot(service)
    assert caught.value.current_revision is None and caught.value.replaces is None


def test_submit_over_an_unseen_waiting_change_is_a_conflict(session, request_context):
    organisation, ann, bob, service = _people(session)
    theirs = services.submit_revision(
        session, organisation=organisation, service=service,
        data={**snapshot(service), "name": "Ann's"}, base_version=1, replaces=None, note=None,
        by=ann)
    with pytest.raises(services.EditConflict) as caught:
        services.submit_revision(
            session, organisation=organisation, service=service,
            data={**snapshot(service), "name": "Bob's"}, base_version=1, replaces=None,
            note=None, by=bob)
    assert caught.value.current_revision is theirs and caught.value.replaces == theirs.id
    assert caught.value.current["name"] == "Ann's"


def test_submit_replacing_a_seen_change_supersedes_it_and_queues_a_notice(session,
                                                                          request_context):
    organisation, ann, bob, service = _people(session)
    theirs = services.submit_revision(
        session, organisation=organisation, service=service, data=snapshot(service),
        base_version=1, replaces=None, note=None, by=ann)
    mine = services.submit_revision(
        session, organisation=organisation, service=service,
        data={**snapshot(service), "name": "Bob's"}, base_version=1, replaces=theirs.id,
        note=None, by=bob)
    assert theirs.status is RevisionStatus.SUPERSEDED
    assert mine.status is RevisionStatus.PENDING
    [job] = session.scalars(select(OutboxJob)).all()
    assert job.payload["to"] == "ann@example.test"
    assert job.payload["template"] == "moderation_superseded"


def test_notices_are_outbox_jobs_of_the_change_and_go_when_the_outbox_runs(
        session, request_context, smtp_sink):
    _organisation, _ann, _bob, service = _people(session)
    services.report_problem(session, service=service, message="Wrong times.", email=None)
    assert len(session.scalars(select(OutboxJob)).all()) == 2 and smtp_sink.messages == []
    assert run_due(session).done == 2
    assert sorted(m["To"] for m in smtp_sink.messages) == ["ann@example.test", "bob@example.test"]


def test_a_change_that_fails_queues_no_notice(session, request_context, smtp_sink):
    organisation, ann, _bob, service = _people(session)
    with pytest.raises(services.EditConflict):
        services.submit_revision(session, organisation=organisation, service=service,
                                 data=snapshot(service), base_version=0, replaces=None,
                                 note=None, by=ann)
    assert session.scalars(select(OutboxJob)).all() == []
    assert run_due(session).ran == 0 and smtp_sink.messages == []


def test_publish_turns_a_concurrent_update_into_a_decision_conflict(session, request_context):
    _organisation, ann, _bob, service = _people(session)
    revision = make_revision(session, service, author=ann, name="Renamed")
    moderator = make_user(session, Role.MODERATOR)
    # Another process publishes between our read and our write: the row's version moves on
    # in the database while this session still holds version 1.
    session.execute(update(Service).where(Service.id == service.id)
                    .values(version=2).execution_options(synchronize_session=False))
    assert service.version == 1
    with pytest.raises(services.DecisionConflict):
        services.publish(session, revision=revision, expected_version=1, reason=None,
                         by=moderator)


def test_publish_refuses_a_decided_revision(session, request_context):
    _organisation, ann, _bob, service = _people(session)
    revision = make_revision(session, service, author=ann)
    revision.status = RevisionStatus.REJECTED
    with pytest.raises(services.NotPending):
        services.publish(session, revision=revision, expected_version=1, reason=None,
                         by=make_user(session, Role.MODERATOR))


def test_publish_sets_checked_date_from_the_given_day(session, request_context):
    _organisation, ann, _bob, service = _people(session)
    revision = make_revision(session, service, author=ann, name="Renamed")
    services.publish(session, revision=revision, expected_version=1, reason="Fine",
                     by=make_user(session, Role.MODERATOR), on=date(2026, 1, 2))
    assert service.last_checked_on == date(2026, 1, 2) and service.version == 2
    assert revision.decision_reason == "Fine"


def test_new_listing_twice_with_the_same_content_is_one_revision(session, request_context):
    organisation, ann, _bob, service = _people(session)
    data = {**snapshot(service), "name": "A new one"}
    first = services.submit_revision(session, organisation=organisation, service=None,
                                     data=data, base_version=None, replaces=None, note=None,
                                     by=ann)
    again = services.submit_revision(session, organisation=organisation, service=None,
                                     data=data, base_version=None, replaces=None, note=None,
                                     by=ann)
    other = services.submit_revision(session, organisation=organisation, service=None,
                                     data={**data, "name": "Another"}, base_version=None,
                                     replaces=None, note=None, by=ann)
    assert first is again and other is not first


def test_restore_needs_a_published_version(session, request_context):
    _organisation, ann, _bob, service = _people(session)
    revision = make_revision(session, service, author=ann)
    with pytest.raises(services.NotPending):
        services.restore(session, revision=revision, by=ann)
