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
``--requests R``, ``--postgres-url``.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import statistics
import tempfile
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

os.environ.setdefault("PORTAL_ENV", "testing")

from sqlalchemy import insert, select, text

from bench.plans import POSTGRES_URL, _database
from portal import create_app, migrate
from portal.db import Database, build_engine

BATCH = 10_000
PAGES = ["/figures/carers", "/figures/messaging", "/figures/community-assets",
         "/figures/guidance", "/figures/use"]
WORDS = ["men's group", "night sitting", "sign language cafe", "swimming over 60s",
         "polish speaking carers", "lgbt social", "dementia carers evening", "allotment"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.figures",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="postgresql")
    parser.add_argument("--referrals", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--gaps", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--postgres-url", default=os.environ.get(
        "PORTAL_TEST_POSTGRES_URL", POSTGRES_URL))
    args = parser.parse_args(argv)
    with _database(args.backend, args.postgres_url) as url:
        run(url, args)
    return 0


def _batches(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    while batch := list(itertools.islice(rows, BATCH)):
        yield batch


def _fill(app: Any, args: argparse.Namespace) -> int:
    """Bulk rows with Core inserts; returns the manager's account id."""
    from portal import demo
    from portal.accounts.models import CareTeam, User, UserRole, team_locality
    from portal.carers.models import CarerReferral, ReferralUpdate
    from portal.clock import utcnow
    from portal.crypto import EncryptedJSON, EncryptedText
    from portal.messaging.models import Message, MessageThread
    from portal.search.models import SearchGap

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
            teams.append((team_id, [lid for lid, _slug in served]))
        person = connection.execute(insert(User.__table__).values(
            email="bench-person@example.test", display_name="P", password_hash="x",
            created_at=now, updated_at=now)).inserted_primary_key[0]
        manager = connection.execute(insert(User.__table__).values(
            email="bench-manager@example.test", display_name="M", password_hash="x",
            created_at=now, updated_at=now)).inserted_primary_key[0]
        connection.execute(insert(UserRole.__table__), [
            {"user_id": person, "role": "resident"}, {"user_id": manager, "role": "manager"}])

        def referrals() -> Iterator[dict[str, Any]]:
            for i in range(args.referrals):
                team_id, served = teams[i % 2]
                sent = now - timedelta(minutes=rng.uniform(60, 360 * 24 * 60))
                yield {"reference": f"CR-B-{i:09d}", "year": 2000 + i // 1_000_000,
                       "sequence": i % 1_000_000, "answers": cipher_json,
                       "urgent": rng.random() < 0.15, "locality_id": rng.choice(served),
                       "team_id": team_id, "status": "contact_made", "created_at": sent,
                       "updated_at": sent}

        table = CarerReferral.__table__
        raw = text(f"INSERT INTO {table.name} (reference, year, sequence, answers, urgent, "
                   "locality_id, team_id, status, created_at, updated_at) VALUES (:reference, "
                   ":year, :sequence, :answers, :urgent, :locality_id, :team_id, :status, "
                   ":created_at, :updated_at)")
        for batch in _batches(referrals()):
            connection.execute(raw, batch)
        rows = connection.execute(select(table.c.id, table.c.created_at)).all()
        for batch in _batches({"referral_id": rid, "status": "contact_made",
                               "created_at": sent + timedelta(hours=rng.uniform(2, 200))}
                              for rid, sent in rows):
            connection.execute(insert(ReferralUpdate.__table__), batch)

        threads = max(1, args.messages // 4)
        thread_raw = text(
            f"INSERT INTO {MessageThread.__table__.name} (person_id, team_id, subject, status, "
            "waiting_on, urgent, created_at, last_message_at) VALUES (:person_id, :team_id, "
            ":subject, 'open', 'person', :urgent, :created_at, :created_at)")
        for batch in _batches({"person_id": person, "team_id": teams[i % 2][0],
                               "subject": cipher_text, "urgent": rng.random() < 0.05,
                               "created_at": now - timedelta(minutes=rng.uniform(60, 518_000))}
                              for i in range(threads)):
            connection.execute(thread_raw, batch)
        thread_rows = connection.execute(select(MessageThread.__table__.c.id,
                                                MessageThread.__table__.c.created_at)).all()
        message_raw = text(
            f"INSERT INTO {Message.__table__.name} (thread_id, kind, body, cards, created_at) "
            "VALUES (:thread_id, :kind, :body, '[]', :created_at)")

        def messages() -> Iterator[dict[str, Any]]:
            for tid, asked in thread_rows:
                at = asked
                for n in range(4):
                    yield {"thread_id": tid, "kind": "person" if n % 2 == 0 else "team",
                           "body": cipher_text, "created_at": at}
                    at = at + timedelta(hours=rng.uniform(0.5, 60))

        for batch in _batches(messages()):
            connection.execute(message_raw, batch)
        slugs = [slug for _lid, slug in localities]
        for batch in _batches({"query": rng.choice(WORDS),
                               "filters": {"near_locality": rng.choice(slugs)},
                               "created_at": now - timedelta(minutes=rng.uniform(60, 518_000))}
                              for _ in range(args.gaps)):
            connection.execute(insert(SearchGap.__table__), batch)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(text("ANALYZE"))
    print(f"  filled {args.referrals:,} referrals, {threads:,} threads ({threads * 4:,} messages),"
          f" {args.gaps:,} search gaps in {time.perf_counter() - started:.0f} s")
    return int(manager)


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
    print(f"{args.backend}:")
    manager_id = _fill(app, args)
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
