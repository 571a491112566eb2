"""Fault test: the mail server is down while the team replies; every notice goes out once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import select

from portal.db import Database
from portal.outbox.core import run_due
from portal.outbox.models import JobStatus, OutboxJob
from tests.helpers.smtp import SmtpSink
from tests.integration.test_messaging import (  # noqa: F401
    _in_hours,
    reply_to,
    send_new,
    world,
)


def test_notices_survive_the_mail_server_being_down(app, client, session, world):  # noqa: F811
    sink = SmtpSink()  # our own mail server, not yet running: "down"
    app.config["MAIL_PORT"], session_port = sink.port, app.config["MAIL_PORT"]
    try:
        _journey(app, client, session, world, sink)
    finally:
        app.config["MAIL_PORT"] = session_port
        sink.stop()


def _journey(app, client, session, world, smtp_sink):  # noqa: F811
    threads = []
    client.sign_in_as(world["tom"])
    for n in range(3):
        threads.append(int(send_new(client, subject=f"Question {n}").location.rsplit("/", 1)[1]))
    worker = client.application.test_client()
    worker.sign_in_as(world["worker"])
    for thread_id in threads:
        assert reply_to(worker, thread_id, "Here is our answer.").status_code == 302
    smtp_sink.start()  # the mail server comes back
    # The messages were sent even though no email could go.
    for thread_id in threads:
        assert "Here is our answer." in client.page(f"/messages/{thread_id}").text
    statuses = session.scalars(select(OutboxJob.status).where(OutboxJob.kind == "email")).all()
    assert statuses == [JobStatus.PENDING] * 3
    assert smtp_sink.messages == []
    with app.app_context():
        state = Database.state(app)
        assert run_due(state.session()).ran == 0  # not due yet: backing off
        with time_machine.travel(datetime.now(UTC) + timedelta(minutes=10), tick=False):
            assert run_due(state.session()).done == 3
            assert run_due(state.session()).ran == 0
    assert len(smtp_sink.messages) == 3
    assert len({m["Message-ID"] for m in smtp_sink.messages}) == 3
    assert {m["To"] for m in smtp_sink.messages} == {world["tom"].email}
    bodies = [m.get_content() for m in smtp_sink.messages]
    assert all("Here is our answer." not in body for body in bodies)
    assert sorted(next(line for line in body.splitlines() if "/messages/" in line)
                  .rsplit("/", 1)[1] for body in bodies) == sorted(str(t) for t in threads)
