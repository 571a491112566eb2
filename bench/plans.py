"""Plans benchmark: ``python -m bench.plans``.

Builds a throwaway database (PostgreSQL: a new database on 127.0.0.1, dropped afterwards;
SQLite: a file in a temporary directory) upgraded with the real migrations, bulk-inserts N
people each with a plan (default 100,000), their current sections, and M saved versions
(default 1,000,000, spread over the plans), every text encrypted with the app's real keys.
Then, through the Flask test client and the real pages:

* opening a plan (``GET /plans/<id>``) as a carer with "see my plan": the access policy, the
  decryption of every section, the "last looked" mark and the audit entry included;
* saving a section (``POST /plans/<id>/sections/about_me``) as the person: a new encrypted
  version, the section's current copy and the audit entry, in one transaction.

Prints p50/p95/p99 of each (target: p95 <= 50 ms). Options: ``--backend sqlite|postgresql|both``,
``--plans N``, ``--versions M``, ``--requests R``, ``--postgres-url``.
"""

from __future__ import annotations

import argparse
import itertools
import os
import secrets
import shutil
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

os.environ.setdefault("PORTAL_ENV", "testing")

from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import make_url

from portal import create_app, migrate
from portal.db import Database, build_engine

POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BATCH = 10_000
SECTIONS = ("about_me", "what_matters", "health", "communication", "people", "support",
            "carer")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.plans",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--plans", type=int, default=100_000)
    parser.add_argument("--versions", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--statements", action="store_true",
                        help="also print the slowest SQL statements of the measured requests")
    parser.add_argument("--profile", action="store_true",
                        help="also print where the time of opening plans goes (cProfile)")
    parser.add_argument("--postgres-url", default=os.environ.get(
        "PORTAL_TEST_POSTGRES_URL", POSTGRES_URL))
    args = parser.parse_args(argv)
    backends = ("postgresql", "sqlite") if args.backend == "both" else (args.backend,)
    for backend in backends:
        with _database(backend, args.postgres_url) as url:
            run(url, backend, args)
    return 0


@contextmanager
def _database(backend: str, postgres_url: str) -> Iterator[str]:
    if backend == "sqlite":
        work = Path(tempfile.mkdtemp(prefix="portal-bench-plans-"))
        try:
            yield f"sqlite:///{work / 'plans.sqlite3'}"
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return
    name = f"portal_bench_plans_{secrets.token_hex(4)}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                    "WHERE datname = :name AND pid <> pg_backend_pid()"),
                               {"name": name})
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def _batches(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    while batch := list(itertools.islice(rows, BATCH)):
        yield batch


def _fill(app: Any, plans: int, versions: int) -> None:
    """Bulk rows with Core inserts: people, plans, sections and versions, texts encrypted."""
    from portal.accounts.models import User, UserRole
    from portal.crypto import EncryptedJSON
    from portal.plans.models import Plan, PlanSection, PlanVersion

    engine = Database.state(app).engine
    started = time.perf_counter()
    with app.app_context():
        kind = EncryptedJSON()
        dialect = engine.dialect
        # A pool of distinct ciphertexts (Fernet output differs each time): real sizes, real
        # decryption on every read, without a million encryptions before the measuring starts.
        pool = [kind.process_bind_param(
            {"text": f"Plan text {i}: what matters to me is my garden, my cat and tea at four. "
                     * 4}, dialect) for i in range(2_000)]
        now = time.time()
        from portal.clock import utcnow

        moment = utcnow()
        with engine.begin() as connection:
            for batch in _batches({"email": f"bench{i}@example.test",
                                   "display_name": f"Bench Person {i}",
                                   "password_hash": "x"} for i in range(plans)):
                connection.execute(insert(User.__table__), batch)
            first = connection.scalar(select(User.__table__.c.id).order_by(
                User.__table__.c.id).limit(1))
            ids = range(first, first + plans)
            for batch in _batches({"user_id": uid, "role": "resident"} for uid in ids):
                connection.execute(insert(UserRole.__table__), batch)
            for batch in _batches({"person_id": uid, "created_at": moment, "updated_at": moment}
                                  for uid in ids):
                connection.execute(insert(Plan.__table__), batch)
            plan_first = connection.scalar(select(Plan.__table__.c.id).order_by(
                Plan.__table__.c.id).limit(1))
            per_plan = max(1, versions // plans)
            spread = [per_plan // len(SECTIONS) + (1 if s < per_plan % len(SECTIONS) else 0)
                      for s in range(len(SECTIONS))]
            used = [(key, n) for key, n in zip(SECTIONS, spread, strict=True) if n]

            def sections() -> Iterator[dict[str, Any]]:
                for p in range(plans):
                    for key, n in used:
                        yield {"plan_id": plan_first + p, "section_key": key, "number": n,
                               "content": pool[(p + n) % len(pool)], "updated_at": moment,
                               "updated_by_id": first + p}

            def version_rows() -> Iterator[dict[str, Any]]:
                for p in range(plans):
                    for key, n in used:
                        for number in range(1, n + 1):
                            yield {"plan_id": plan_first + p, "section_key": key,
                                   "number": number, "content": pool[(p + number) % len(pool)],
                                   "author_id": first + p, "reason": "owner",
                                   "created_at": moment}

            raw_sections = PlanSection.__table__
            raw_versions = PlanVersion.__table__
            # Insert ciphertext as is: bypass the type's encryption (the pool is encrypted).
            section_insert = text(
                f"INSERT INTO {raw_sections.name} (plan_id, section_key, number, content, "
                "updated_at, updated_by_id) VALUES (:plan_id, :section_key, :number, :content, "
                ":updated_at, :updated_by_id)")
            version_insert = text(
                f"INSERT INTO {raw_versions.name} (plan_id, section_key, number, content, "
                "author_id, reason, created_at) VALUES (:plan_id, :section_key, :number, "
                ":content, :author_id, :reason, :created_at)")
            for batch in _batches(sections()):
                connection.execute(section_insert, batch)
            total = 0
            for batch in _batches(version_rows()):
                connection.execute(version_insert, batch)
                total += len(batch)
        if engine.dialect.name == "postgresql":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.execute(text("ANALYZE"))
        else:
            with engine.begin() as c:
                c.execute(text("ANALYZE"))
    print(f"  filled {plans:,} plans, {total:,} versions in {time.perf_counter() - started:.0f} s"
          f" (pool of {len(pool):,} ciphertexts; {time.time() - now:.0f} s of inserts)")


def _percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    q = statistics.quantiles(ordered, n=100)
    return f"p50 {q[49]:.1f} ms, p95 {q[94]:.1f} ms, p99 {q[98]:.1f} ms (n={len(ordered)})"


def run(url: str, backend: str, args: argparse.Namespace) -> None:
    engine = build_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    app = create_app({"PORTAL_ENV": "testing", "SECRET_KEY": "bench", "DATABASE_URL": url,
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                      "SEARCH_INDEX_DIR": tempfile.mkdtemp(prefix="portal-bench-index-")})
    print(f"{backend}:")
    _fill(app, args.plans, args.versions)
    from portal.accounts import sessions
    from portal.accounts.models import User
    from portal.circles.models import CarerGrant
    from portal.plans.models import Plan

    with app.app_context():
        session = Database.state(app).session()
        plan_people = list(session.scalars(select(Plan.person_id).order_by(Plan.id)))
        people = [plan_people[i * len(plan_people) // args.requests]
                  for i in range(args.requests)]
        carer = User(email="bench-carer@example.test", display_name="Bench Carer",
                     password_hash="x")
        session.add(carer)
        session.flush()
        session.add_all(CarerGrant(person_id=pid, carer_id=carer.id, relationship="daughter",
                                   scopes=["plan:view"]) for pid in people)
        session.commit()
        carer_id = carer.id

    def client_for(user_id: int) -> Any:
        client = app.test_client()
        with app.app_context():
            state = Database.state(app)
            user = state.session().get(User, user_id)
            token = sessions.start(state.session(), user=user)
            state.session().commit()
            user_key = user.get_id()
        with client.session_transaction() as flask_session:
            flask_session["_user_id"], flask_session["_fresh"] = user_key, True
            flask_session["sid"] = token
        return client

    timings: dict[str, list[float]] = {}
    if args.statements:
        from sqlalchemy import event

        engine = Database.state(app).engine

        @event.listens_for(engine, "before_cursor_execute")
        def _start(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
            conn.info["bench.t"] = time.perf_counter()

        @event.listens_for(engine, "after_cursor_execute")
        def _stop(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
            timings.setdefault(statement, []).append(time.perf_counter() - conn.info["bench.t"])

    carer_client = client_for(carer_id)
    for pid in people[:10]:  # warm-up
        assert carer_client.get(f"/plans/{pid}").status_code == 200
    opens = []
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    for pid in people:
        t = time.perf_counter()
        response = carer_client.get(f"/plans/{pid}")
        opens.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, response.status_code
    if profiler is not None:
        import pstats

        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(r"/portal/", 45)
    print(f"  open a plan (carer, audited):  {_percentiles(opens)}")

    saves = []
    with app.app_context():
        session = Database.state(app).session()
        numbers = dict(session.execute(text(
            "SELECT p.person_id, s.number FROM plan_section s JOIN plan p ON p.id = s.plan_id "
            "WHERE s.section_key = 'about_me'")).all())
    for pid in people:
        client = client_for(pid)
        base = numbers.get(pid, 0)
        t = time.perf_counter()
        response = client.post(f"/plans/{pid}/sections/about_me", data={
            "text": f"New words for plan {pid} 🌱", "base_number": str(base), "action": "save"})
        saves.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 302, response.status_code
    print(f"  save a section (owner, audited): {_percentiles(saves)}")
    slowest = sorted(timings.items(), key=lambda kv: -statistics.mean(kv[1]))[:40]
    for statement, times in slowest:
        print(f"    {statistics.mean(times) * 1000:7.2f} ms x{len(times):4d}  "
              f"{' '.join(statement.split())[:150]}")
    Database.state(app).engine.dispose()


if __name__ == "__main__":
    raise SystemExit(main())
