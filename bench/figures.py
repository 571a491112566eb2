"""Figures benchmark: ``python -m bench.figures``.

Builds a throwaway database (PostgreSQL by default: a new database on 127.0.0.1, dropped
afterwards; or SQLite in a temporary directory) upgraded with the real migrations, and
bulk-inserts a year of activity across the demo localities and two care teams: N carer
referrals (default 100,000) with their status updates, threads with M messages (default
1,000,000; about four a thread) and G searches that found nothing (default 1,000,000).
Encrypted columns get real ciphertexts from a small pool. Then, as a manager through the Flask
test client, renders each figures page (the default period: the last 12 months, all
localities) R times and prints p50/p95/p99 per page (issue 18's target: p95 <= 300 ms).

Options: ``--backend sqlite|postgresql``, ``--referrals N``, ``--messages M``, ``--gaps G``,
``--tail SHARE`` (searches whose words nearly nobody else typed, default 0.3), ``--pulse P``
(answers to the experience pulse, default 50,000), ``--requests R``, ``--postgres-url``,
``--database-url`` (an existing database, filled once and kept: later runs only measure).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import statistics
import tempfile
import time
from collections.abc import Iterator
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

os.environ.setdefault("PORTAL_ENV", "testing")

from sqlalchemy import insert, select, text

from bench.plans import POSTGRES_URL, _database
from portal import create_app, migrate
from portal.db import Database, build_engine

BATCH = 10_000
PAGES = ["/figures/carers", "/figures/messaging", "/figures/community-assets",
         "/figures/guidance", "/figures/use", "/figures/pulse"]
WORDS = ["men's group", "night sitting", "sign language cafe", "swimming over 60s",
         "polish speaking carers", "lgbt social", "dementia carers evening", "allotment"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.figures",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="postgresql")
    parser.add_argument("--referrals", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--gaps", type=int, default=1_000_000)
    parser.add_argument("--tail", type=float, default=0.3,
                        help="share of the searches whose words nearly nobody else typed")
    parser.add_argument("--pulse", type=int, default=50_000,
                        help="answers to the experience pulse")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--postgres-url", default=os.environ.get(
        "PORTAL_TEST_POSTGRES_URL", POSTGRES_URL))
    parser.add_argument("--database-url", help="an existing database to use (filled on the "
                        "first run, measured again on later ones; never dropped)")
    args = parser.parse_args(argv)
    if args.database_url:
        run(args.database_url, args)
        return 0
    with _database(args.backend, args.postgres_url) as url:
        run(url, args)
    return 0


def _batches(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    while batch := list(itertools.islice(rows, BATCH)):
        yield batch


def _copy(connection: Any, table: str, columns: list[str], rows: Iterator[tuple[Any, ...]],
          what: str, total: int) -> None:
    """Bulk rows: COPY on PostgreSQL, batched executemany on SQLite; progress every 10%."""
    started, done, step = time.perf_counter(), 0, max(BATCH, total // 10)
    shown = step
    if connection.dialect.name == "postgresql":
        raw = connection.connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(
                f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                done += 1
                if done >= shown:
                    print(f"    {what}: {done:,} of {total:,} ({time.perf_counter() - started:.0f} s)",
                          flush=True)
                    shown += step
        return
    statement = text(f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
                     f"({', '.join(':' + c for c in columns)})")
    while batch := list(itertools.islice(rows, BATCH)):
        connection.execute(statement, [dict(zip(columns, row, strict=True)) for row in batch])
        done += len(batch)
        if done >= shown:
            print(f"    {what}: {done:,} of {total:,} ({time.perf_counter() - started:.0f} s)",
                  flush=True)
            shown += step


def _copy_counts(connection: Any, tally: Any, model: Any) -> None:
    """The counts ``tally`` holds for ``model``'s table (``portal.figures.counts.Tally``)."""
    rows = tally.rows(model)
    columns = list(rows[0]) if rows else []
    _copy(connection, model.__tablename__, columns, (tuple(row.values()) for row in rows),
          model.__tablename__, len(rows))


def _fill(app: Any, args: argparse.Namespace) -> int:
    """Bulk rows with COPY (PostgreSQL) or Core inserts, with the figures' stored columns
    worked out as the services would (first contact, first reply, gap counts); returns the
    manager's account id."""
    from portal import demo
    from portal.accounts.models import CareTeam, User, UserRole, team_locality
    from portal.carers.models import CarerReferral, ReferralStatus
    from portal.carers.progress import contact_figures, figures_key
    from portal.clock import utcnow
    from portal.crypto import EncryptedJSON, EncryptedText
    from portal.figures import counts as figures
    from portal.figures.models import ReferralCount, ReplyCount, ThreadDay
    from portal.messaging.hours import team_hours
    from portal.messaging.models import MessageThread
    from portal.search.gaps import count_gap
    from portal.search.models import SearchGapCount, SearchGapLocalityCount, SearchGapWords

    rng = random.Random(18)  # nosec B311 # deterministic benchmark data
    engine = Database.state(app).engine
    started = time.perf_counter()
    now = utcnow()
    with app.app_context():
        session = Database.state(app).session()
        demo.load_localities(session)
        session.commit()
        from portal.places.models import Locality

        localities = [(int(lid), str(slug)) for lid, slug in
                      session.execute(select(Locality.id, Locality.slug).order_by(Locality.id))]
        cipher_json = EncryptedJSON().process_bind_param({"about_you": {"full_name": "B"}},
                                                         engine.dialect)
        cipher_text = EncryptedText().process_bind_param("A message body of some length.",
                                                         engine.dialect)
    with engine.begin() as connection:
        teams = []
        for slug, served in (("torquay-care-team", localities[: len(localities) // 2]),
                             ("devonport-care-team", localities[len(localities) // 2:])):
            team_id = connection.execute(insert(CareTeam.__table__).values(
                slug=slug, name=slug, created_at=now, updated_at=now)).inserted_primary_key[0]
            connection.execute(insert(team_locality), [
                {"team_id": team_id, "locality_id": lid} for lid, _slug in served])
            teams.append((team_id, slug, [lid for lid, _slug in served]))
        person = connection.execute(insert(User.__table__).values(
            email="bench-person@example.test", display_name="P", password_hash="x",
            created_at=now, updated_at=now)).inserted_primary_key[0]
        manager = connection.execute(insert(User.__table__).values(
            email="bench-manager@example.test", display_name="M", password_hash="x",
            created_at=now, updated_at=now)).inserted_primary_key[0]
        connection.execute(insert(UserRole.__table__), [
            {"user_id": person, "role": "resident"}, {"user_id": manager, "role": "manager"}])

        tally = figures.Tally()  # the counts, worked out by the services' own functions

        def referrals() -> Iterator[tuple[Any, ...]]:
            """85% contacted (2 to 200 hours later), of those 60% booked, half of them done."""
            for i in range(args.referrals):
                team_id, slug, served = teams[i % 2]
                sent = now - timedelta(minutes=rng.uniform(60, 360 * 24 * 60))
                contacted = reached = days = working = None
                status = "received"
                if rng.random() < 0.85:
                    contacted = min(now, sent + timedelta(hours=rng.uniform(2, 200)))
                    days, working = contact_figures(slug, sent, contacted)
                    status = "contact_made"
                    if rng.random() < 0.6:
                        reached = min(now, contacted + timedelta(days=rng.uniform(1, 20)))
                        status = "completed" if rng.random() < 0.5 else "assessment_booked"
                urgent, locality_id = rng.random() < 0.15, rng.choice(served)
                figures.bump(tally, ReferralCount, figures_key(SimpleNamespace(  # type: ignore[arg-type]
                    created_at=sent, locality_id=locality_id, urgent=urgent, contact_days=days,
                    contact_working_days=working, reached_at=reached,
                    status=ReferralStatus(status))), count=1)
                yield (f"CR-B-{i:09d}", 2000 + i // 1_000_000, i % 1_000_000, cipher_json,
                       urgent, locality_id, team_id, status, sent, sent,
                       contacted, days, working, reached)

        _copy(connection, "carer_referral", [
            "reference", "year", "sequence", "answers", "urgent", "locality_id", "team_id",
            "status", "created_at", "updated_at", "contact_made_at", "contact_days",
            "contact_working_days", "reached_at"], referrals(), "referrals", args.referrals)
        _copy_counts(connection, tally, ReferralCount)
        table = CarerReferral.__table__
        rows = connection.execute(select(table.c.id, table.c.created_at, table.c.contact_made_at)
                                  .where(table.c.contact_made_at.is_not(None))).all()
        _copy(connection, "carer_referral_update", ["referral_id", "status", "created_at"],
              ((rid, "contact_made", at) for rid, _sent, at in rows), "referral updates", len(rows))

        threads = max(1, args.messages // 4)
        hours = {team_id: team_hours(slug) for team_id, slug, _served in teams}
        gaps_between = [[rng.uniform(0.5, 60) for _ in range(3)] for _ in range(threads)]

        def thread_rows() -> Iterator[tuple[Any, ...]]:
            for i in range(threads):
                team_id = teams[i % 2][0]
                asked = now - timedelta(minutes=rng.uniform(60, 518_000))
                replied = asked + timedelta(hours=gaps_between[i][0])
                last = replied + timedelta(hours=gaps_between[i][1] + gaps_between[i][2])
                urgent = rng.random() < 0.05
                due = hours[team_id].reply_due(asked)
                figures.thread_started(tally, team_id=team_id, at=asked, urgent=urgent)
                taken = None
                if replied > now:
                    replied = None
                else:
                    taken = figures.first_reply(tally, team_id=team_id, hours=hours[team_id],
                                                started=asked, replied=replied, due=due)
                yield (person, team_id, cipher_text, "open", "person", urgent,
                       asked, min(last, now), due, replied, taken)

        _copy(connection, "message_thread", [
            "person_id", "team_id", "subject", "status", "waiting_on", "urgent", "created_at",
            "last_message_at", "first_reply_due_at", "first_reply_at", "reply_working_hours"],
            thread_rows(), "threads", threads)
        _copy_counts(connection, tally, ThreadDay)
        _copy_counts(connection, tally, ReplyCount)
        thread_rows_back = connection.execute(select(MessageThread.__table__.c.id,
                                                     MessageThread.__table__.c.created_at)
                                              .order_by(MessageThread.__table__.c.id)).all()

        def messages() -> Iterator[tuple[Any, ...]]:
            for (tid, asked), between in zip(thread_rows_back, gaps_between, strict=True):
                at = asked
                for n in range(4):
                    yield (tid, "person" if n % 2 == 0 else "team", cipher_text, "[]", at)
                    if n < 3:
                        at = at + timedelta(hours=between[n])

        _copy(connection, "message", ["thread_id", "kind", "body", "cards", "created_at"],
              messages(), "messages", threads * 4)

        slugs = [slug for _lid, slug in localities]

        def gaps() -> Iterator[tuple[Any, ...]]:
            """Most searches from a few common phrases; a share (``--tail``) are words nearly
            nobody else typed (a long tail, as real searches have)."""
            for _ in range(args.gaps):
                words = (f"{rng.choice(WORDS)} {rng.randint(1, 10**7)}"
                         if rng.random() < args.tail else rng.choice(WORDS))
                filters = {"near_locality": rng.choice(slugs)}
                at = now - timedelta(minutes=rng.uniform(60, 518_000))
                count_gap(tally, words=words, filters=filters, at=at)
                yield words, json.dumps(filters), at

        _copy(connection, "search_gap", ["query", "filters", "created_at"], gaps(),
              "search gaps", args.gaps)
        for model in (SearchGapCount, SearchGapLocalityCount, SearchGapWords):
            _copy_counts(connection, tally, model)
        gap_counts = len(tally.rows(SearchGapCount))
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text("VACUUM ANALYZE"))
    print(f"  filled {args.referrals:,} referrals, {threads:,} threads ({threads * 4:,} messages),"
          f" {args.gaps:,} search gaps ({gap_counts:,} counts) in "
          f"{time.perf_counter() - started:.0f} s", flush=True)
    return int(manager)


def _fill_pulse(app: Any, args: argparse.Namespace) -> None:
    """P answers to the experience pulse over the year (once)."""
    import uuid

    from portal.clock import today
    from portal.places.models import Locality
    from portal.pulse.models import PulseAnswer
    from portal.pulse.statements import Statement, quarter_of

    engine = Database.state(app).engine
    with engine.begin() as connection:
        if connection.execute(select(PulseAnswer.id).limit(1)).first() is not None:
            return
        rng = random.Random(19)  # nosec B311 # deterministic benchmark data
        localities = [int(i) for i in connection.scalars(select(Locality.id))]
        day = today()
        quarters = [quarter_of(day - timedelta(days=91 * back)) for back in range(5)]
        statements = [s.value for s in Statement]
        _copy(connection, "pulse_answer", ["id", "locality_id", "quarter", "statement", "answer"],
              ((uuid.uuid4().hex, rng.choice(localities), rng.choice(quarters),
                rng.choice(statements), rng.randint(1, 5)) for _ in range(args.pulse)),
              "pulse answers", args.pulse)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text("VACUUM ANALYZE pulse_answer"))


def _percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    q = statistics.quantiles(ordered, n=100) if len(ordered) > 1 else [ordered[0]] * 99
    return f"p50 {q[49]:.0f} ms, p95 {q[94]:.0f} ms, p99 {q[98]:.0f} ms (n={len(ordered)})"


def run(url: str, args: argparse.Namespace) -> None:
    engine = build_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    app = create_app({"PORTAL_ENV": "testing", "SECRET_KEY": "bench", "DATABASE_URL": url,
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                      "SEARCH_INDEX_DIR": tempfile.mkdtemp(prefix="portal-bench-index-")})
    print(f"{engine.dialect.name}:", flush=True)
    with app.app_context():
        from portal.accounts.models import User as Account

        manager_id = Database.state(app).session().scalar(
            select(Account.id).where(Account.email == "bench-manager@example.test"))
    if manager_id is None:
        manager_id = _fill(app, args)
    else:
        print("  already filled: measuring only", flush=True)
    _fill_pulse(app, args)
    from portal.accounts import sessions
    from portal.accounts.models import User

    client = app.test_client()
    with app.app_context():
        state = Database.state(app)
        user = state.session().get(User, manager_id)
        token = sessions.start(state.session(), user=user)
        state.session().commit()
        user_key = user.get_id() if user else ""
    with client.session_transaction() as flask_session:
        flask_session["_user_id"], flask_session["_fresh"] = user_key, True
        flask_session["sid"] = token
    for url_path in PAGES:
        assert client.get(url_path).status_code == 200, url_path  # warm-up
        samples = []
        for _ in range(args.requests):
            started = time.perf_counter()
            response = client.get(url_path)
            samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
        print(f"  {url_path:28} {_percentiles(samples)}")
    Database.state(app).engine.dispose()


if __name__ == "__main__":
    raise SystemExit(main())
