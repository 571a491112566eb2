"""The outbox: emails survive a mail server that is down, are sent once, and leave only
with the change they announce. Run through the pages, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from portal.authz import Role
from portal.clock import utcnow
from portal.mail import queue_email
from portal.outbox import core
from portal.outbox.models import JobStatus, OutboxJob
from portal.unit_of_work import service
from tests.helpers.factories import (
    make_organisation,
    make_outbox_job,
    make_revision,
    make_service,
    make_user,
)
from tests.helpers.smtp import _free_port


@contextmanager
def mail_server_down(app) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Point the app at a port where nothing listens (as when the relay is down)."""
    port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = _free_port()
    try:
        yield
    finally:
        app.config["MAIL_PORT"] = port


def _jobs(app, session) -> list[OutboxJob]:  # type: ignore[no-untyped-def]
    session.expire_all()
    with app.app_context():  # payloads decrypt with the app's keys
        jobs = list(session.scalars(select(OutboxJob).order_by(OutboxJob.id)))
        for job in jobs:
            _ = job.payload
    return jobs


def test_emails_wait_while_the_mail_server_is_down_then_go_exactly_once(
        app, client, another_client, session, smtp_sink):
    organisation = make_organisation(session)
    editor = make_user(session, Role.EDITOR, organisations=[organisation],
                       email="eddie@example.test")
    revision = make_revision(session, make_service(session, organisation), author=editor,
                             name="Renamed while the mail was down")
    moderator = make_user(session, Role.MODERATOR)
    make_user(session, email="rose@example.com")
    with mail_server_down(app):
        # A password reset, a new account's verification, a moderation decision.
        assert client.submit("/account/password-reset", {"email": "rose@example.com"}
                             ).status_code == 200
        assert another_client.submit("/account/register", {
            "display_name": "New Person", "email": "new.person@example.com",
            "password": "a calm seaside morning", "confirm_password": "a calm seaside morning",
        }).status_code == 302
        client.sign_in_as(moderator)
        assert client.submit(f"/moderation/revisions/{revision.id}", {
            "decision": "publish", "expected_version": "1", "reason": ""}).status_code == 302
    assert smtp_sink.messages == []
    jobs = _jobs(app, session)
    assert [job.status for job in jobs] == [JobStatus.PENDING] * 3
    assert all(job.attempts == 1 and job.last_error for job in jobs)
    # The server is back; the worker retries once the backoff has passed.
    with app.app_context():
        assert core.run_due(session).ran == 0  # not due yet
    with time_machine.travel(utcnow() + timedelta(minutes=2)), app.app_context():
        report = core.run_due(session)
        assert report.done == 3
        assert core.run_due(session).ran == 0
    recipients = sorted(m["To"] for m in smtp_sink.messages)
    assert recipients == ["eddie@example.test", "new.person@example.com", "rose@example.com"]
    assert len({m["Message-ID"] for m in smtp_sink.messages}) == 3
    assert [job.status for job in _jobs(app, session)] == [JobStatus.DONE] * 3


def test_a_job_that_keeps_failing_is_parked_and_an_admin_can_retry_it(app, client, session,
                                                                      smtp_sink):
    make_user(session, email="rose@example.com")
    with mail_server_down(app):
        client.submit("/account/password-reset", {"email": "rose@example.com"})
        moment = utcnow()
        for _attempt in range(core.MAX_ATTEMPTS):
            moment += timedelta(hours=2)
            with time_machine.travel(moment), app.app_context():
                core.run_due(session)
    [job] = _jobs(app, session)
    assert job.status is JobStatus.PARKED and job.attempts == core.MAX_ATTEMPTS
    admin = make_user(session, Role.ADMIN)
    client.sign_in_as(admin)
    page = client.page("/admin/outbox/")
    assert f"#{job.id}" in page.text and "Connection refused" in page.text
    response = client.submit(f"/admin/outbox/{job.id}/retry", {}, form_url="/admin/outbox/")
    assert response.status_code == 302
    [job] = _jobs(app, session)
    assert job.status is JobStatus.DONE  # retried at once, the server being up
    [mail] = smtp_sink.messages
    assert mail["Subject"] == "Reset your password"
    audit = client.page("/admin/audit?event_type=outbox_job_retried")
    assert "Retried a parked email or index update" in audit.text


@service
def _announce_then_fail(session, /, *, to):  # type: ignore[no-untyped-def]
    queue_email(session, to=to, subject="Something changed", template="password_changed")
    raise RuntimeError("the change fails after queueing its email")


def test_a_rolled_back_change_sends_nothing(app, session, smtp_sink):
    with app.test_request_context(), pytest.raises(RuntimeError):
        _announce_then_fail(session, to="rose@example.com")
    assert _jobs(app, session) == []
    with app.app_context():
        assert core.run_due(session).ran == 0
    assert smtp_sink.messages == []


def test_a_job_is_claimed_by_one_runner_only(app, session, smtp_sink):
    with app.app_context():
        job = make_outbox_job(session, parked=False)
    assert core._claim(session, job.id, "first")
    assert not core._claim(session, job.id, "second")  # leased to the first
    with time_machine.travel(utcnow() + core.LEASE + timedelta(seconds=1)):
        assert core._claim(session, job.id, "second")  # the first died: its lease ran out


def test_queueing_the_same_key_twice_keeps_one_job(app, session):
    with app.test_request_context():
        first = queue_email(session, to="a@example.test", subject="S", template="password_changed",
                            key="reset:1")
        again = queue_email(session, to="a@example.test", subject="S", template="password_changed",
                            key="reset:1")
    assert first.id == again.id and len(_jobs(app, session)) == 1
