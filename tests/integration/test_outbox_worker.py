"""The outbox worker as its own process: killed mid-batch (SIGKILL), nothing is lost and
nothing is sent twice in effect; and the web process's own runner sends after a commit.

These use real committed databases (not the rolled-back test transaction), since another
process or thread must see the jobs.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal import create_app, migrate
from portal.db import Database, build_engine
from portal.mail import queue_email
from portal.outbox.models import JobStatus, OutboxJob
from tests.conftest import app_overrides
from tests.helpers.database import BACKENDS, throwaway_database
from tests.helpers.smtp import SmtpSink

ROOT = Path(__file__).resolve().parents[2]
JOBS = 150


@pytest.fixture(params=BACKENDS)
def committed_url(request, tmp_path):  # type: ignore[no-untyped-def]
    with throwaway_database(request.param, tmp_path) as url:
        engine = build_engine(url)
        migrate.upgrade(engine)
        engine.dispose()
        yield url


@pytest.fixture
def sink():  # type: ignore[no-untyped-def]
    server = SmtpSink()
    server.start()
    yield server
    server.stop()


def _app(url: str, tmp_path: Path, sink: SmtpSink, mode: str):  # type: ignore[no-untyped-def]
    return create_app(app_overrides(url, tmp_path / "index", MAIL_SERVER="127.0.0.1",
                                    MAIL_PORT=sink.port, OUTBOX_RUN=mode))


def _queue(app, count: int) -> list[str]:  # type: ignore[no-untyped-def]
    with app.test_request_context():
        session = Database.state(app).session()
        ids = [queue_email(session, to=f"person{n}@example.com", subject="A notice",
                           template="password_changed").payload["message_id"]
               for n in range(count)]
        session.commit()
    return ids


def _worker(app, url: str, sink: SmtpSink) -> subprocess.Popen[bytes]:  # type: ignore[no-untyped-def]
    env = {**os.environ, "PORTAL_ENV": "testing", "SECRET_KEY": app.config["SECRET_KEY"],
           "ENCRYPTION_KEYS": ",".join(app.config["ENCRYPTION_KEYS"]),
           "DATABASE_URL": url, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(sink.port),
           "OUTBOX_RUN": "off"}
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "outbox", "run",
                             "--interval", "0.1", "--batch", "5"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def _done(engine) -> int:  # type: ignore[no-untyped-def]
    """Jobs done, read in a new transaction each time (a held SQLite read would keep seeing
    the snapshot it started with)."""
    with Session(engine) as session:
        return session.scalar(select(func.count()).where(OutboxJob.status == JobStatus.DONE)) or 0


def _wait(condition, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def test_a_worker_killed_mid_batch_loses_nothing_and_repeats_nothing(committed_url, tmp_path,
                                                                   sink):
    app = _app(committed_url, tmp_path, sink, "off")
    wanted = _queue(app, JOBS)
    first = _worker(app, committed_url, sink)
    try:
        assert _wait(lambda: len(sink.messages) >= JOBS // 5, 180), "the worker sent nothing"
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        first.kill()
    sent_before_kill = len(sink.messages)
    assert 0 < sent_before_kill < JOBS, "the kill did not land mid-batch"
    # A job claimed when the worker died waits for its lease to run out; end it now, as the
    # passing of time would (the lease is five minutes).
    engine = Database.state(app).engine
    with Session(engine) as session:
        session.execute(OutboxJob.__table__.update()
                        .where(OutboxJob.status == JobStatus.RUNNING)
                        .values(lease_until=OutboxJob.created_at))
        session.commit()
    second = _worker(app, committed_url, sink)
    try:
        assert _wait(lambda: len(sink.messages) >= JOBS, 180)
        assert _wait(lambda: _done(engine) == JOBS, 30)
    finally:
        second.terminate()
        second.wait(10)
    ids = Counter(m["Message-ID"] for m in sink.messages)
    assert set(ids) == set(wanted)  # none lost
    # At most the one message in flight at the kill went out again, with the same identity,
    # which mail clients show once.
    assert sum(ids.values()) - len(ids) <= 1
    engine.dispose()


def test_two_workers_at_once_run_each_job_exactly_once(committed_url, tmp_path, sink):
    """Two worker processes (as on two hosts) on one database: every job runs, and once."""
    from portal.outbox.models import OutboxWorker

    app = _app(committed_url, tmp_path, sink, "off")
    workers = [_worker(app, committed_url, sink) for _ in range(2)]
    engine = Database.state(app).engine
    try:
        def workers_alive() -> int:
            with Session(engine) as session:  # a fresh snapshot each time
                return session.scalar(select(func.count()).select_from(OutboxWorker)) or 0

        assert _wait(lambda: workers_alive() == 2, 60)  # both polling before there is work
        wanted = _queue(app, JOBS)
        assert _wait(lambda: len(sink.messages) >= JOBS, 180), len(sink.messages)
        assert _wait(lambda: _done(engine) == JOBS, 30)
        with Session(engine) as session:
            runners = set(session.scalars(select(OutboxJob.claimed_by)))
        # Neither died on the other's lock (SQLite: "database is locked" used to end one).
        assert [worker.poll() for worker in workers] == [None, None]
    finally:
        for worker in workers:
            worker.terminate()
            worker.wait(10)
    time.sleep(0.5)  # nothing more arrives after the last job is done
    ids = Counter(m["Message-ID"] for m in sink.messages)
    assert set(ids) == set(wanted) and set(ids.values()) == {1}
    assert len(runners - {None}) == 2, "both workers should have taken part"
    engine.dispose()


def test_the_web_process_sends_just_committed_jobs_on_its_own_thread(committed_url, tmp_path,
                                                                     sink):
    app = _app(committed_url, tmp_path, sink, "thread")
    try:
        wanted = _queue(app, 3)
        assert _wait(lambda: len(sink.messages) == 3, 15)
        assert sorted(m["Message-ID"] for m in sink.messages) == sorted(wanted)
    finally:
        app.extensions["portal.outbox"].stop()
        Database.state(app).engine.dispose()
