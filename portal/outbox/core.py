"""The one outbox: work that must happen after a change commits, never lost, never doubled.

How a job travels:

1. A service calls ``enqueue(session, kind, payload)`` inside its own transaction. The job is a
   row of ``outbox_job``: if the change rolls back, the job goes with it.
2. When that transaction commits, the app's one after-commit hook hands the new jobs to the
   process's runner, which tries them at once (``OUTBOX_RUN``: ``thread`` runs them on a
   background thread so the person is not kept waiting; ``inline`` runs them before the
   request returns, as the tests do; ``off`` leaves them to a worker).
3. Whatever did not succeed is retried with backoff by ``flask --app wsgi outbox run`` (the
   worker), or, when no worker has reported in lately, by the web processes' own poller. A job
   that keeps failing is parked with its error, for an administrator (``/admin/outbox``).

At most once in effect: a runner claims a job with a compare-and-set (``pending`` -> ``running``
with a lease) before running it, so two runners never run the same job; the job's idempotency
key is unique (the same job cannot be queued twice) and goes out as the email's Message-ID, so
the one case left, a crash after the mail server accepted a message and before the job was
marked done, repeats a message that mail clients recognise as the same one.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, current_app
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from portal.db import Database, utcnow, writing
from portal.outbox.models import JobStatus, OutboxJob, OutboxWorker

log = logging.getLogger(__name__)

Handler = Callable[[Session, dict[str, Any]], None]

NEW_JOBS = "portal.outbox.new"
EXTENSION = "portal.outbox"
LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 8
BATCH = 50
WORKER_FRESH = timedelta(seconds=60)
POLL_SECONDS = 15.0
KEEP_DONE = timedelta(days=14)

_handlers: dict[str, Handler] = {}


class OutboxError(RuntimeError):
    """A job that cannot be queued or run as asked."""


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that runs jobs of ``kind`` (a handler must be idempotent)."""

    def register(fn: Handler) -> Handler:
        existing = _handlers.get(kind)
        if existing is not None and existing.__qualname__ != fn.__qualname__:
            raise OutboxError(f"two handlers for outbox jobs of kind {kind!r}")
        _handlers[kind] = fn
        return fn

    return register


def handlers() -> dict[str, Handler]:
    return dict(_handlers)


def enqueue(session: Session, kind: str, payload: dict[str, Any], *, key: str | None = None,
            run_after: datetime | None = None) -> OutboxJob:
    """Queue a job in the caller's transaction; it runs after that transaction commits.

    ``key`` makes the job idempotent: queueing the same key twice keeps the first job.
    """
    if kind not in _handlers:
        raise OutboxError(f"no handler for outbox jobs of kind {kind!r}")
    key = key or f"{kind}:{uuid.uuid4().hex}"
    existing = session.scalar(select(OutboxJob).where(OutboxJob.key == key))
    if existing is not None:
        return existing
    now = utcnow()
    job = OutboxJob(key=key, kind=kind, payload=payload, status=JobStatus.PENDING,
                    created_at=now, run_after=run_after or now)
    session.add(job)
    session.flush()
    if job.run_after <= now:
        session.info.setdefault(NEW_JOBS, []).append(job.id)
    return job


def queued_kinds(session: Session) -> list[str]:
    """The kinds of the jobs this session has queued and not yet committed (for tests)."""
    ids = session.info.get(NEW_JOBS, [])
    return [job.kind for job in (session.get(OutboxJob, i) for i in ids) if job is not None]


# Running ------------------------------------------------------------------------------------


@dataclass
class RunReport:
    done: int = 0
    retried: int = 0
    parked: int = 0

    @property
    def ran(self) -> int:
        return self.done + self.retried + self.parked


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, ... capped at one hour."""
    return timedelta(seconds=min(3600, 30 * 2 ** max(0, attempts - 1)))


def runner_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident() % 100000}"


def _claim(session: Session, job_id: int, name: str) -> bool:
    now = utcnow()
    claimed = session.execute(
        update(OutboxJob)
        .where(OutboxJob.id == job_id,
               or_(OutboxJob.status == JobStatus.PENDING,
                   (OutboxJob.status == JobStatus.RUNNING) & (OutboxJob.lease_until < now)),
               OutboxJob.run_after <= now)
        .values(status=JobStatus.RUNNING, lease_until=now + LEASE, claimed_by=name,
                attempts=OutboxJob.attempts + 1)
        .execution_options(synchronize_session=False))
    session.commit()
    return bool(claimed.rowcount)  # type: ignore[attr-defined]


def _finish(session: Session, job_id: int, name: str, error: str | None) -> JobStatus:
    job = session.get(OutboxJob, job_id, populate_existing=True)
    if job is None or job.claimed_by != name or job.status is not JobStatus.RUNNING:
        session.rollback()
        return JobStatus.RUNNING  # the lease ran out and someone else has it now
    if error is None:
        job.status, job.done_at, job.last_error = JobStatus.DONE, utcnow(), None
    elif job.attempts >= MAX_ATTEMPTS:
        job.status, job.last_error = JobStatus.PARKED, error[:2000]
        log.error("outbox job %s (%s) parked after %s attempts", job.id, job.kind, job.attempts)
    else:
        job.status, job.last_error = JobStatus.PENDING, error[:2000]
        job.run_after = utcnow() + backoff(job.attempts)
    job.lease_until = None
    status = job.status
    session.commit()
    return status


def run_job(session: Session, job_id: int, *, name: str | None = None) -> JobStatus | None:
    """Claim and run one job; None if it was not there to claim (done, or someone has it)."""
    name = name or runner_name()
    if not _claim(session, job_id, name):
        return None
    job = session.get(OutboxJob, job_id, populate_existing=True)
    if job is None:  # deleted since it was claimed (pruned): nothing to run
        return None
    kind, payload = job.kind, dict(job.payload)
    session.commit()  # hold no transaction (and no SQLite lock) while the job runs
    error: str | None = None
    try:
        fn = _handlers.get(kind)
        if fn is None:
            raise OutboxError(f"no handler for outbox jobs of kind {kind!r}")
        fn(session, payload)  # reads what it needs, in a transaction of its own
        session.commit()
    except Exception as exc:  # the job failed: retried later, the change itself is safe
        session.rollback()
        log.warning("outbox job %s (%s) failed: %s", job_id, kind, type(exc).__name__)
        error = f"{type(exc).__name__}: {exc}"
    return _finish(session, job_id, name, error)


def due_ids(session: Session, *, limit: int = BATCH) -> list[int]:
    now = utcnow()
    return list(session.scalars(
        select(OutboxJob.id)
        .where(or_((OutboxJob.status == JobStatus.PENDING) & (OutboxJob.run_after <= now),
                   (OutboxJob.status == JobStatus.RUNNING) & (OutboxJob.lease_until < now)))
        .order_by(OutboxJob.id).limit(limit)))


def run_due(session: Session, *, limit: int = BATCH, name: str | None = None) -> RunReport:
    """Run every job that is due (up to ``limit``), oldest first."""
    report = RunReport()
    ids = due_ids(session, limit=limit)
    session.commit()
    for job_id in ids:
        status = run_job(session, job_id, name=name)
        if status is JobStatus.DONE:
            report.done += 1
        elif status is JobStatus.PENDING:
            report.retried += 1
        elif status is JobStatus.PARKED:
            report.parked += 1
    return report


def retry_parked(session: Session, job_id: int) -> bool:
    """Give a parked job another round of attempts (an administrator's decision)."""
    job = session.get(OutboxJob, job_id)
    if job is None or job.status is not JobStatus.PARKED:
        return False
    job.status, job.attempts, job.run_after = JobStatus.PENDING, 0, utcnow()
    session.flush()
    session.info.setdefault(NEW_JOBS, []).append(job.id)
    return True


def prune(session: Session, *, older_than: timedelta = KEEP_DONE) -> int:
    """Forget jobs done long ago (their effects are in the database and the mailboxes)."""
    result = session.execute(delete(OutboxJob).where(
        OutboxJob.status == JobStatus.DONE, OutboxJob.done_at < utcnow() - older_than))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def heartbeat(session: Session, name: str) -> None:
    worker = session.get(OutboxWorker, name)
    if worker is None:
        session.add(OutboxWorker(name=name, last_seen_at=utcnow()))
    else:
        worker.last_seen_at = utcnow()
    session.execute(delete(OutboxWorker).where(
        OutboxWorker.last_seen_at < utcnow() - 10 * WORKER_FRESH))
    session.commit()


def worker_alive(session: Session) -> bool:
    cutoff = utcnow() - WORKER_FRESH
    return session.scalar(select(OutboxWorker.name)
                          .where(OutboxWorker.last_seen_at >= cutoff).limit(1)) is not None


def counts(session: Session) -> dict[JobStatus, int]:
    from sqlalchemy import func

    rows = session.execute(select(OutboxJob.status, func.count()).group_by(OutboxJob.status))
    found = {status: 0 for status in JobStatus}
    for status, number in rows:
        found[JobStatus(status)] = int(number)
    return found


# The process's runner -------------------------------------------------------------------------


class Runner:
    """Runs just-committed jobs for one app, and (without a worker) retries due ones."""

    def __init__(self, app: Flask, mode: str) -> None:
        self.app = app
        self.mode = mode
        self._wake = threading.Event()
        self._pending: list[int] = []
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = False
        self._next_poll = 0.0

    def committed(self, bind: Any, job_ids: Iterable[int]) -> None:
        ids = list(job_ids)
        if not ids or self.mode == "off":
            return
        if self.mode == "inline":
            self._run_now(bind, ids)
            return
        with self._lock:
            self._pending.extend(ids)
        self._ensure_thread()
        self._wake.set()

    def _run_now(self, bind: Any, ids: list[int]) -> None:
        try:
            with self.app.app_context(), Session(
                    bind=bind, join_transaction_mode="create_savepoint",
                    expire_on_commit=False) as session:
                for job_id in ids:
                    run_job(session, job_id)
        except Exception:
            log.exception("outbox jobs could not be run at once; the worker will retry them")

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._stop = False
                self._thread = threading.Thread(target=self._loop, name="portal-outbox",
                                                daemon=True)
                self._thread.start()

    def _loop(self) -> None:
        engine = writing(Database.state(self.app).engine)
        while not self._stop:
            self._wake.wait(POLL_SECONDS)
            self._wake.clear()
            with self._lock:
                ids, self._pending = self._pending, []
            if ids:
                self._run_now(engine, ids)
            self._poll(engine)

    def _poll(self, engine: Any) -> None:
        try:
            with self.app.app_context(), Session(bind=engine, expire_on_commit=False) as session:
                if not worker_alive(session):
                    run_due(session)
        except Exception:
            log.exception("outbox poll failed")

    def start_polling(self) -> None:
        """Retry due jobs from this process too (web processes, when no worker runs)."""
        if self.mode == "thread":
            self._ensure_thread()

    def stop(self, timeout: float = 10.0) -> None:
        """End the background thread (after the job it is running, if any)."""
        self._stop = True
        self._wake.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)


def runner(app: Flask | None = None) -> Runner:
    target = app if app is not None else current_app
    return target.extensions[EXTENSION]  # type: ignore[no-any-return]


def init_app(app: Flask) -> None:
    """The app's one after-commit hook: new jobs go to the runner; a rollback drops them."""
    from sqlalchemy import event

    mode = app.config.get("OUTBOX_RUN", "thread")
    if mode not in ("thread", "inline", "off"):
        raise OutboxError("OUTBOX_RUN must be thread, inline or off")
    state = Runner(app, mode)
    app.extensions[EXTENSION] = state
    sessions = Database.state(app).session

    def after_commit(session: Session) -> None:
        ids = session.info.pop(NEW_JOBS, None)
        if ids:
            state.committed(session.get_bind(), ids)

    def after_rollback(session: Session, transaction: Any) -> None:
        if transaction.parent is None or not session.in_transaction():
            session.info.pop(NEW_JOBS, None)

    event.listen(sessions, "after_commit", after_commit)
    event.listen(sessions, "after_soft_rollback", after_rollback)
