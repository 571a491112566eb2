"""Messaging benchmark: ``python -m bench.messaging``.

Creates a PostgreSQL database of its own (from ``--postgres-url``, else ``BENCH_DATABASE_URL``,
else ``postgresql+psycopg://postgres@127.0.0.1:5432/bench_messaging``; dropped first if it is
left over, and dropped afterwards unless ``--keep``), upgrades it with the real migrations and
bulk-loads with COPY: care teams (one per locality), people served by them with their
messaging consent, N threads (default 100,000) and M messages (default 1,000,000). Bodies and
subjects are real Fernet ciphertexts made with the app's keys, from a pool, so every read
decrypts. A few threads of the measured team hold exactly 50 messages.

Then, through the Flask test client and the real pages, signed in with real server sessions:

* the team inbox, first page (``GET /inbox``) as a care worker: counts, the page of threads
  through the access rules, the people's names, subjects decrypted;
* a 50-message thread (``GET /messages/<id>``) as the worker: the policy, read marks, the
  audit entry, 50 bodies decrypted;
* sending a message: the person replying in their thread, and the worker replying (the
  notification email's outbox row included), each one audited transaction.

Prints p50/p95/p99 of each against the targets (p95 <= 60 ms pages, <= 80 ms sending).
Options: ``--threads N``, ``--messages M``, ``--teams T``, ``--requests R``, ``--statements``,
``--explain``, ``--keep``.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

os.environ.setdefault("PORTAL_ENV", "testing")

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from portal import create_app, migrate
from portal.db import Database, build_engine

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_messaging"
LONG = 50  # messages in a measured thread
TARGETS = {"inbox": 60.0, "thread": 60.0, "send": 80.0}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.messaging",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--teams", type=int, default=5,
                        help="care teams, one locality each; threads are spread over them")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--statements", action="store_true",
                        help="also print the slowest SQL statements of the measured requests")
    parser.add_argument("--explain", action="store_true",
                        help="print EXPLAIN ANALYZE of the inbox's queries")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--profile", action="store_true",
                        help="cProfile the inbox and thread requests (the portal's functions)")
    parser.add_argument("--postgres-url",
                        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    args = parser.parse_args(argv)
    if args.messages < args.threads:
        parser.error("--messages must be at least --threads (each thread has a first message)")
    with _database(args.postgres_url, keep=args.keep) as url:
        run(url, args)
    return 0


@contextmanager
def _database(url: str, *, keep: bool) -> Iterator[str]:
    parsed = make_url(url)
    name = parsed.database or "bench_messaging"
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                    "WHERE datname = :name AND pid <> pg_backend_pid()"),
                               {"name": name})
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))

    drop()
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield parsed.render_as_string(hide_password=False)
    finally:
        if not keep:
            drop()
        admin.dispose()


def _copy(connection: Any, table: str, columns: tuple[str, ...], rows: Iterator[tuple[Any, ...]]
          ) -> int:
    raw = connection.connection.driver_connection
    count = 0
    with raw.cursor() as cursor, cursor.copy(
            f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def _fix_sequences(connection: Any, *tables: str) -> None:
    for table in tables:
        connection.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT coalesce(max(id), 1) FROM {table}))"))


class Seeded:
    def __init__(self) -> None:
        self.workers: list[int] = []         # one per team, same order as the teams
        self.long_threads: list[int] = []    # threads of team 0 with exactly LONG messages
        self.person_threads: list[tuple[int, int]] = []  # (person id, thread id) of team 0


def _fill(app: Any, args: argparse.Namespace) -> Seeded:
    """Bulk rows with COPY; ciphertexts from a pool made with the app's own keys."""
    from portal.clock import utcnow
    from portal.crypto import EncryptedText

    engine = Database.state(app).engine
    started = time.perf_counter()
    rng = random.Random(12)
    seeded = Seeded()
    with app.app_context():
        kind = EncryptedText()
        dialect = engine.dialect
        bodies = [kind.process_bind_param(
            f"Message {i}: my knee still hurts at night and the tablets make me drowsy. "
            "Could someone call me back after lunch? " * 2, dialect) for i in range(2_000)]
        subjects = [kind.process_bind_param(f"About my care, question {i}", dialect)
                    for i in range(500)]
    now = utcnow()
    people = max(args.threads // 2, 1)
    teams = max(args.teams, 1)
    with engine.begin() as connection:
        base = connection.scalar(text("SELECT coalesce(max(id), 0) FROM user_account")) + 1
        loc0 = connection.scalar(text("SELECT coalesce(max(id), 0) FROM locality")) + 1
        team0 = connection.scalar(text("SELECT coalesce(max(id), 0) FROM care_team")) + 1
        _copy(connection, "locality", ("id", "slug", "name", "area"),
              ((loc0 + t, f"bench-locality-{t}", f"Bench locality {t}", "Bench")
               for t in range(teams)))
        _copy(connection, "care_team", ("id", "slug", "name", "created_at", "updated_at"),
              ((team0 + t, f"bench-team-{t}", f"Bench team {t}", now, now)
               for t in range(teams)))
        _copy(connection, "team_locality", ("team_id", "locality_id"),
              ((team0 + t, loc0 + t) for t in range(teams)))
        # People first (ids base .. base+people-1), then one worker per team.
        _copy(connection, "user_account",
              ("id", "email", "display_name", "password_hash", "is_active", "captions_on",
               "locality_id", "locality_source", "created_at", "updated_at"),
              ((base + p, f"bench{p}@example.test", f"Bench Person {p}", "x", True, False,
                loc0 + p % teams, "postcode", now, now) for p in range(people)))
        workers = [base + people + t for t in range(teams)]
        _copy(connection, "user_account",
              ("id", "email", "display_name", "password_hash", "is_active", "captions_on",
               "mfa_enabled_at", "created_at", "updated_at"),
              ((w, f"bench-worker{t}@example.test", f"Bench Worker {t}", "x", True, False,
                now, now, now) for t, w in enumerate(workers)))
        _copy(connection, "user_role", ("user_id", "role"),
              ((base + p, "resident") for p in range(people)))
        _copy(connection, "user_role", ("user_id", "role"),
              ((w, "care_worker") for w in workers))
        _copy(connection, "team_membership", ("user_id", "team_id"),
              ((w, team0 + t) for t, w in enumerate(workers)))
        _copy(connection, "team_consent",
              ("person_id", "purpose", "wording", "given_at", "given_by_id"),
              ((base + p, "messaging", "I agree to share my messages with my care team.",
                now, base + p) for p in range(people)))
        # Threads: thread i belongs to person i % people, so to team (i % people) % teams.
        # The first few threads of team 0 carry exactly LONG messages; the rest share the
        # remaining messages as evenly as they divide.
        thread0 = connection.scalar(text("SELECT coalesce(max(id), 0) FROM message_thread")) + 1
        team_zero = [i for i in range(min(args.threads, args.requests * teams * 3))
                     if (i % people) % teams == 0]
        long_set = set(team_zero[:args.requests]) if args.messages >= args.threads + (
            LONG - 1) * args.requests else set()
        rest = args.messages - LONG * len(long_set)
        others = args.threads - len(long_set)
        per, extra = divmod(rest, others) if others else (0, 0)
        counts: list[int] = []
        ordinary = 0
        for i in range(args.threads):  # the "extra" messages go to the first other threads
            if i in long_set:
                counts.append(LONG)
            else:
                counts.append(per + (1 if ordinary < extra else 0))
                ordinary += 1
        spread = 365 * 24 * 3600
        lasts = [now - timedelta(seconds=rng.randrange(spread)) for _ in range(args.threads)]

        def thread_rows() -> Iterator[tuple[Any, ...]]:
            for i in range(args.threads):
                person = i % people
                team = person % teams
                last = lasts[i]
                closed = rng.random() < 0.3
                waiting = "team" if rng.random() < 0.5 else "person"
                assignee = workers[team] if rng.random() < 0.4 else None
                yield (thread0 + i, base + person, team0 + team, subjects[i % len(subjects)],
                       "closed" if closed else "open", waiting, rng.random() < 0.02,
                       assignee, last - timedelta(hours=counts[i]), last,
                       last + timedelta(days=2) if waiting == "team" and not closed else None,
                       last if closed else None)

        _copy(connection, "message_thread",
              ("id", "person_id", "team_id", "subject", "status", "waiting_on", "urgent",
               "assignee_id", "created_at", "last_message_at", "reply_due_at", "closed_at"),
              thread_rows())

        def message_rows() -> Iterator[tuple[Any, ...]]:
            for i in range(args.threads):
                person = i % people
                team = person % teams
                start = lasts[i] - timedelta(hours=counts[i])
                for m in range(1, counts[i] + 1):
                    from_team = m % 2 == 0
                    yield ("team" if from_team else "person",
                           thread0 + i, workers[team] if from_team else base + person,
                           bodies[(i + m) % len(bodies)], "[]",
                           start + timedelta(hours=m))

        total = _copy(connection, "message",
                      ("kind", "thread_id", "author_id", "body", "cards", "created_at"),
                      message_rows())
        _fix_sequences(connection, "user_account", "locality", "care_team", "message_thread")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))
    seeded.workers = workers
    seeded.long_threads = sorted(thread0 + i for i in long_set)
    seeded.person_threads = [(base + i % people, thread0 + i) for i in sorted(long_set)]
    print(f"  filled {args.threads:,} threads, {total:,} messages, {people:,} people, "
          f"{teams} teams in {time.perf_counter() - started:.0f} s "
          f"({len(long_set)} threads of {LONG} messages in team 0)")
    return seeded


def _percentiles(samples: list[float], target: float) -> str:
    q = statistics.quantiles(sorted(samples), n=100)
    verdict = "meets" if q[94] <= target else "MISSES"
    return (f"p50 {q[49]:.1f} ms, p95 {q[94]:.1f} ms, p99 {q[98]:.1f} ms (n={len(samples)}; "
            f"{verdict} p95 <= {target:.0f} ms)")


def _sign_in(app: Any, user_id: int) -> Any:
    from portal.accounts import sessions
    from portal.accounts.models import User

    client = app.test_client()
    with app.app_context():
        state = Database.state(app)
        user = state.session().get(User, user_id)
        assert user is not None  # nosec B101: an id we just seeded
        token = sessions.start(state.session(), user=user)
        state.session().commit()
        user_key = user.get_id()
    with client.session_transaction() as flask_session:
        flask_session["_user_id"], flask_session["_fresh"] = user_key, True
        flask_session["sid"] = token
    return client


def _timed(call: Any, expect: int) -> float:
    started = time.perf_counter()
    response = call()
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == expect, (response.status_code, response.location)
    return elapsed


def _explain(app: Any, worker_id: int) -> None:
    from portal.accounts.models import User
    from portal.messaging import queries

    with app.test_request_context("/inbox"):
        state = Database.state(app)
        session = state.session()
        worker = session.get(User, worker_id)
        captured: list[tuple[str, Any]] = []
        engine = state.engine

        def grab(conn: Any, cursor: Any, statement: str, parameters: Any, *rest: Any) -> None:
            if "message_thread" in statement and statement.lstrip().startswith("SELECT"):
                captured.append((statement, parameters))

        event.listen(engine, "before_cursor_execute", grab)
        try:
            queries.inbox_counts(session, worker)
            queries.inbox(session, worker, queries.InboxFilter.OPEN)
        finally:
            event.remove(engine, "before_cursor_execute", grab)
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            for statement, parameters in captured:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
                print("\n".join(row[0] for row in cursor.fetchall()))
                print()
        finally:
            raw.close()


def run(url: str, args: argparse.Namespace) -> None:
    engine = build_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    app = create_app({"PORTAL_ENV": "testing", "SECRET_KEY": "bench", "DATABASE_URL": url,
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                      # As in production ("thread"), the email leaves after the response;
                      # "off" keeps the send out of the measuring process altogether.
                      "OUTBOX_RUN": "off",
                      "SEARCH_INDEX_DIR": tempfile.mkdtemp(prefix="portal-bench-index-")})
    print(f"postgresql ({make_url(url).database}):")
    seeded = _fill(app, args)
    if not seeded.long_threads:
        raise SystemExit("too few messages for the 50-message threads: raise --messages")
    timings: dict[str, list[float]] = {}
    if args.statements:
        db_engine = Database.state(app).engine

        @event.listens_for(db_engine, "before_cursor_execute")
        def _start(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
            conn.info["bench.t"] = time.perf_counter()

        @event.listens_for(db_engine, "after_cursor_execute")
        def _stop(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
            timings.setdefault(statement, []).append(time.perf_counter() - conn.info["bench.t"])

    one, five, fifteen = os.getloadavg()
    print(f"  load average before measuring: {one:.1f} {five:.1f} {fifteen:.1f} "
          f"({os.cpu_count() or '?'} cores)")
    worker = _sign_in(app, seeded.workers[0])
    for _ in range(10):  # warm-up: templates compiled, pool connections open
        worker.get("/inbox")
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    inbox = [_timed(lambda: worker.get("/inbox"), 200) for _ in range(args.requests)]
    pages = [_timed(lambda t=t: worker.get(f"/messages/{t}"), 200)
             for t in seeded.long_threads]
    if profiler is not None:
        import pstats

        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(r"/(portal|flask|jinja2)/", 60)
    print(f"  team inbox, first page:        {_percentiles(inbox, TARGETS['inbox'])}")
    print(f"  50-message thread (worker):    {_percentiles(pages, TARGETS['thread'])}")
    person_sends = []
    for person_id, thread_id in seeded.person_threads:
        person = _sign_in(app, person_id)
        person_sends.append(_timed(lambda p=person, t=thread_id: p.post(
            f"/messages/{t}/reply", data={"body": "Thank you, that helps. 🌱",
                                          "key": uuid.uuid4().hex},
            content_type="multipart/form-data"), 302))
    print(f"  send: the person replies:      {_percentiles(person_sends, TARGETS['send'])}")
    worker_sends = [_timed(lambda t=t: worker.post(
        f"/messages/{t}/reply", data={"body": "We will call you this afternoon.",
                                      "key": uuid.uuid4().hex},
        content_type="multipart/form-data"), 302) for t in seeded.long_threads]
    print(f"  send: the worker replies:      {_percentiles(worker_sends, TARGETS['send'])}")
    one, five, fifteen = os.getloadavg()
    print(f"  load average after: {one:.1f} {five:.1f} {fifteen:.1f}")
    slowest = sorted(timings.items(), key=lambda kv: -statistics.mean(kv[1]))[:8]
    for statement, times in slowest:
        print(f"    {statistics.mean(times) * 1000:7.2f} ms x{len(times):4d}  "
              f"{' '.join(statement.split())[:160]}")
    if args.explain:
        _explain(app, seeded.workers[0])
    Database.state(app).engine.dispose()


if __name__ == "__main__":
    raise SystemExit(main())
