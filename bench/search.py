"""Search benchmark: ``python -m bench.search --services N [--backend whoosh|postgresql]``.

Builds N realistic services (``bench.bulk_services.generate_bulk``) in a fresh database (SQLite
under a temporary directory for ``--backend whoosh``, the default; a throwaway PostgreSQL
database at ``--postgres-url`` for ``--backend postgresql``, the engine ``SEARCH_BACKEND=postgresql``
uses), then measures:

* the full index build (the engine's ``rebuild``, as ``flask search reindex`` runs it);
* a fixed mix of 50 searches with filters, facets, postcodes and paging through the real
  search page over HTTP (the Flask test client), cold (first pass) and warm (second pass);
* the same mix from a running server through the API: a threaded werkzeug server on
  127.0.0.1 and HTTP requests to ``/api/services?search=...`` (each page query's text, postcode,
  locality, day, age and page, the filters the API has), cold and warm;
* beside them, in the same run, a raw SQLite FTS5 query on the same corpus: an FTS5 table over
  the services' names and descriptions in a throwaway SQLite file, the mix's words as a
  ``MATCH`` of any of them, ``ORDER BY bm25`` and ``LIMIT``; our p95 / FTS5's p95 as a ratio;
* publish-to-searchable: rename a listing through the normal session and commit, then time
  until the search page finds the new name;
* the ORUK importer (``directory import-oruk``) on the same N services, in a second database.
"""

from __future__ import annotations

import argparse
import gc
import http.client
import logging
import os
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
import uuid
from datetime import date, datetime
from datetime import time as clock
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote_plus, urlencode

os.environ.setdefault("PORTAL_ENV", "testing")

from sqlalchemy import insert, select, text

from portal import create_app, migrate
from portal.db import build_engine, utcnow

QUERIES = [
    "q=walks", "q=lonely", "q=memory+problems", "q=money+worries", "q=carers",
    "q=lunch+club", "q=befreinding", "q=dementia&postcode=TQ1+1AA", "q=food+bank&free=free",
    "q=computer+help", "q=exercise&day=SA", "q=choir&when=evenings", "q=benefits+advice&postcode=PL1+1AA",
    "q=bereavement&attendance=telephone", "q=autism&age=12", "q=men%27s+shed", "q=hospital+transport",
    "q=housing&locality=plymstock", "q=debt&attendance=online", "q=coffee+morning&postcode=TQ12+1AA",
    "postcode=TQ1+1AA", "postcode=TQ1+1AA&sort=distance", "postcode=PL7+1AA&day=SA&cost=free",
    "postcode=TQ9+5AA&when=weekends", "postcode=TQ4+5AA&category=food&sort=distance",
    "day=SU", "when=open_now", "when=evenings&cost=free", "category=befriending&locality=torquay",
    "category=mental-wellbeing&age=30", "attendance=home-visit", "locality=coastal&page=2",
    "q=support&page=3", "q=group&day=MO&day=TU", "q=advice&postcode=TQ2+5QT&sort=distance",
    "q=lonely&postcode=TQ1+1AA&day=SA&cost=free", "q=swimming", "q=gardening&when=weekends",
    "q=wheelchair", "q=stroke", "q=sight+loss&postcode=PL1+1AA", "q=parent+and+toddler",
    "q=veterans&postcode=PL1+1AA", "q=polish", "q=anxiety&attendance=online&when=evenings",
    "q=AND+%28+%2A+%22+~", "q=" + "x" * 300, "page=-4&per_page=500", "q=crisis&when=open_now",
    "category=food&category=transport&day=FR",
]
assert len(QUERIES) == 50


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.search", description=__doc__.split("\n")[0])
    parser.add_argument("--services", type=int, default=10_000, help="how many services (N)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-import", action="store_true", help="do not time the ORUK importer")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--backend", choices=("whoosh", "postgresql"), default="whoosh",
                        help="the search engine (SEARCH_BACKEND)")
    parser.add_argument("--postgres-url", default=os.environ.get(
        "PORTAL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
        help="a PostgreSQL server to make a throwaway database on (--backend postgresql)")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="portal-bench-search-"))
    try:
        run(args, work)
    finally:
        if args.keep:
            for url in _KEPT:
                print(f"kept database {url}")
        else:
            for drop in _DATABASES:
                drop()
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


_DATABASES: list[Any] = []  # how to drop each throwaway PostgreSQL database
_KEPT: list[str] = []  # their URLs (``--keep`` keeps them, to EXPLAIN the engine's queries)


def _database_url(work: Path, name: str, args: argparse.Namespace | None) -> str:
    if args is None or args.backend != "postgresql":
        return f"sqlite:///{work / (name + '.sqlite3')}"
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    database = f"portal_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(args.postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{database}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                    "WHERE datname = :name AND pid <> pg_backend_pid()"),
                               {"name": database})
            connection.execute(text(f'DROP DATABASE IF EXISTS "{database}"'))
        admin.dispose()

    _DATABASES.append(drop)
    url = make_url(args.postgres_url).set(database=database).render_as_string(hide_password=False)
    _KEPT.append(url)
    return url


def _app(work: Path, name: str, args: argparse.Namespace | None = None) -> Any:
    """A migrated database (SQLite, or PostgreSQL for ``--backend postgresql``) and its app."""
    url = _database_url(work, name, args)
    engine = build_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    return create_app({"PORTAL_ENV": "testing", "TESTING": True, "SECRET_KEY": "bench",
                       "DATABASE_URL": url, "SEARCH_INDEX_DIR": str(work / f"{name}-index"),
                       "SEARCH_BACKEND": args.backend if args else "whoosh",
                       "WTF_CSRF_ENABLED": False})


def _reference(app: Any) -> dict[str, int]:
    from portal.demo import load_localities
    from portal.directory.reference import DATA_DIR, load_reference_taxonomies
    from portal.extensions import db
    from portal.places.onspd import import_onspd

    with app.app_context():
        localities = load_localities(db.session)
        load_reference_taxonomies(db.session)
        with (DATA_DIR / "postcodes_demo.csv").open(encoding="utf-8", newline="") as fh:
            import_onspd(db.session, fh)
        db.session.commit()
        return {slug: row.id for slug, row in localities.items()}


def run(args: argparse.Namespace, work: Path) -> None:
    from bench.bulk_services import generate_bulk

    n = args.services
    print(f"Search benchmark: {n} services, {args.backend} engine, Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    app = _app(work, "bench", args)
    localities = _reference(app)
    started = time.perf_counter()
    services = generate_bulk(n, args.seed)
    print(f"  generated {n} services in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    with app.app_context():
        from portal.extensions import db

        insert_bulk(db.engine, services, localities)
    print(f"  inserted them (bulk SQL) in {time.perf_counter() - started:.1f} s")
    del services  # a server process does not hold the whole directory in memory
    gc.collect()

    figures: dict[str, str] = {}
    wall, cpu = build_index(app)
    figures["index build (full reindex)"] = f"{wall:.1f} s (CPU {cpu:.1f} s)"
    client = app.test_client()
    cold, cold_cpu = _timed(lambda: time_queries(client))
    warm, warm_cpu = _timed(lambda: time_queries(client))
    figures["search page p50 / p95, first pass"] = f"{_ms(cold, 50)} / {_ms(cold, 95)} ms{cold_cpu}"
    figures["search page p50 / p95, second pass"] = f"{_ms(warm, 50)} / {_ms(warm, 95)} ms{warm_cpu}"
    figures["search page slowest"] = f"{max(warm) * 1000:.0f} ms"
    api_cold, api_warm, api_cpu = time_api(app)
    figures["API over HTTP p50 / p95, first pass"] = f"{_ms(api_cold, 50)} / {_ms(api_cold, 95)} ms"
    figures["API over HTTP p50 / p95, second pass"] = (
        f"{_ms(api_warm, 50)} / {_ms(api_warm, 95)} ms{api_cpu}")
    fts = time_fts5(app, work)
    figures["SQLite FTS5 p50 / p95 (same corpus)"] = f"{_ms(fts, 50, 1)} / {_ms(fts, 95, 1)} ms"
    fts95 = max(_p(fts, 95), 1e-6)
    figures["ratio to FTS5 p95: API, page (warm)"] = (
        f"{_p(api_warm, 95) / fts95:.0f}x, {_p(warm, 95) / fts95:.0f}x")
    figures["publish to searchable"] = f"{publish_to_searchable(app, client) * 1000:.0f} ms"
    if not args.skip_import:
        figures["import-oruk of the same services"] = time_import(work, generate_bulk(n, args.seed), args)
    figures["load average (1, 5, 15 min) at the end"] = ", ".join(
        f"{value:.1f}" for value in os.getloadavg())
    print()
    for label, value in figures.items():
        print(f"  {label:<40} {value}")


def _p(samples: list[float], percentile: int) -> float:
    ordered = sorted(samples)
    if percentile == 50:
        return statistics.median(ordered)
    return ordered[max(0, round(percentile / 100 * len(ordered)) - 1)]


def _ms(samples: list[float], percentile: int, digits: int = 0) -> str:
    return f"{_p(samples, percentile) * 1000:.{digits}f}"


def _timed(measure: Any) -> tuple[list[float], str]:
    """The samples, and this process's CPU time over them (the machine may be shared)."""
    cpu = time.process_time()
    samples = measure()
    used = time.process_time() - cpu
    return samples, f" (CPU {used:.2f} s for {len(samples)}, load {os.getloadavg()[0]:.1f})"


API_PARAMS = {"q": "search", "postcode": "postcode", "locality": "locality", "day": "day",
              "age": "age", "page": "page", "per_page": "per_page"}


def api_queries() -> list[str]:
    """The page mix as ``/api/services`` searches: the parameters the API has, once each. The
    mix's queries with neither words nor a postcode are left out: the API lists those in
    browsing order without the search engine."""
    found = []
    for query in QUERIES:
        params: dict[str, str] = {}
        for name, value in parse_qsl(query):
            if name in API_PARAMS and API_PARAMS[name] not in params:
                params[API_PARAMS[name]] = value
        if "search" in params or "postcode" in params:
            found.append(urlencode(params))
    return found


def time_api(app: Any) -> tuple[list[float], list[float], str]:
    """The mix from a running threaded werkzeug server on 127.0.0.1, over HTTP (one
    connection per request, as a client without keep-alive); cold and warm passes, and the
    server process's CPU time over the warm pass."""
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    queries = api_queries()

    def one_pass() -> list[float]:
        samples = []
        gc.collect()
        for query in queries:
            started = time.perf_counter()
            connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=60)
            connection.request("GET", f"/api/services?{query}")
            response = connection.getresponse()
            response.read()
            connection.close()
            samples.append(time.perf_counter() - started)
            if response.status >= 500 or (response.status != 200 and "search=" in query):
                raise SystemExit(f"/api/services?{query} answered {response.status}")
        return samples

    try:
        cold = one_pass()
        warm, cpu = _timed(one_pass)
    finally:
        server.shutdown()
        thread.join(timeout=5)
    return cold, warm, cpu


def fts_match(query: str) -> str | None:
    """An FTS5 MATCH of any of the query's words (our engines rank partial matches too)."""
    words = dict(parse_qsl(query)).get("q", "")
    tokens = re.findall(r"\w+", words.lower())[:12]
    return " OR ".join(f'"{token}"' for token in tokens) or None


def time_fts5(app: Any, work: Path, passes: int = 2) -> list[float]:
    """An FTS5 table (porter stemming, accents folded) over the same services' names and
    descriptions in a throwaway SQLite file; the mix's text queries, ranked by bm25 (name
    weighted 10 to description 1), one page (LIMIT 20 OFFSET the page's); the last pass."""
    import sqlite3

    from portal.directory.models import Service
    from portal.extensions import db

    path = work / "fts5.sqlite3"
    path.unlink(missing_ok=True)
    fts = sqlite3.connect(path)
    fts.execute("CREATE VIRTUAL TABLE doc USING fts5(id UNINDEXED, name, description, "
                "tokenize='porter unicode61 remove_diacritics 2')")
    with app.app_context():
        rows = db.session.execute(select(Service.id, Service.name, Service.description)
                                  .where(Service.published.is_(True))).all()
    fts.executemany("INSERT INTO doc VALUES (?, ?, ?)", [tuple(row) for row in rows])
    fts.commit()
    matches = []
    for query in QUERIES:
        match = fts_match(query)
        if match:
            page = max(1, int(dict(parse_qsl(query)).get("page", "1") or 1))
            matches.append((match, (page - 1) * 20))
    samples: list[float] = []
    for _ in range(passes):
        samples = []
        for match, offset in matches:
            started = time.perf_counter()
            fts.execute("SELECT id, bm25(doc, 0, 10.0, 1.0) AS score FROM doc WHERE doc MATCH ? "
                        "ORDER BY score LIMIT 20 OFFSET ?", (match, offset)).fetchall()
            samples.append(time.perf_counter() - started)
    fts.close()
    print(f"  FTS5: {len(rows)} documents, {len(matches)} text queries of the mix")
    return samples


def build_index(app: Any) -> tuple[float, float]:
    """Wall-clock and CPU seconds of a full rebuild (CPU time shows the cost on a busy machine)."""
    from portal.extensions import db
    from portal.search import backend

    with app.app_context():
        started, cpu = time.perf_counter(), time.process_time()
        count = backend.for_app().rebuild(db.engine)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"  indexed {count} documents in {elapsed:.1f} s")
    return elapsed, cpu


def time_queries(client: Any) -> list[float]:
    samples = []
    gc.collect()
    for query in QUERIES:
        started = time.perf_counter()
        response = client.get(f"/services?{query}")
        samples.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise SystemExit(f"/services?{query} answered {response.status_code}")
    return samples


def publish_to_searchable(app: Any, client: Any) -> float:
    """Rename a listing and commit through the app's session; poll the page until it shows."""
    from portal.directory.models import Service
    from portal.extensions import db

    token = "zq" + uuid.uuid4().hex[:10]
    with app.app_context():
        service = db.session.scalars(select(Service).limit(1)).one()
        service.name = f"Benchmark listing {token}"
        started = time.perf_counter()
        db.session.commit()
    while True:
        page = client.get(f"/services?q={quote_plus(token)}").get_data(as_text=True)
        if token in page:
            return time.perf_counter() - started
        if time.perf_counter() - started > 30:
            raise SystemExit("the renamed listing never became searchable")
        time.sleep(0.01)


def time_import(work: Path, services: list[dict[str, Any]], args: argparse.Namespace) -> str:
    try:
        from portal.directory.importer import import_services
    except ImportError:
        return "skipped (no importer)"
    from portal.extensions import db

    app = _app(work, "import", args)
    _reference(app)
    with app.app_context():
        started = time.perf_counter()
        summary = import_services(db.session, services)
        db.session.commit()
        elapsed = time.perf_counter() - started
    problems = f", {len(summary.problems)} problems" if summary.problems else ""
    return f"{elapsed:.1f} s ({summary.imported} imported{problems})"


# Bulk insert -----------------------------------------------------------------------------

def insert_bulk(engine: Any, services: list[dict[str, Any]], localities: dict[str, int]) -> None:
    """The generated ORUK services as rows, with plain multi-row INSERTs (no ORM, no outbox)."""
    from portal.directory.models import (
        CostOption,
        Location,
        Organisation,
        Schedule,
        Service,
        ServiceAtLocation,
        service_locality,
        service_term,
    )

    tables: dict[Any, list[dict[str, Any]]] = {table: [] for table in (
        Organisation, Location, Service, ServiceAtLocation, Schedule, CostOption,
        service_term, service_locality)}
    seen: set[str] = set()
    now = utcnow()
    for s in services:
        org = s["organization"]
        if org["id"] not in seen:
            seen.add(org["id"])
            tables[Organisation].append({"id": org["id"], "slug": f"org-{org['id'][:13]}",
                                         "name": org["name"], "description": org.get("description", ""),
                                         "version": 1, "created_at": now, "updated_at": now})
        tables[Service].append(_service_row(s, now))
        for link in s.get("service_at_locations", []):
            location = link["location"]
            if location["id"] not in seen:
                seen.add(location["id"])
                tables[Location].append(_location_row(location, now))
            tables[ServiceAtLocation].append({"id": link["id"], "service_id": s["id"],
                                              "location_id": location["id"]})
        for position, sched in enumerate(s.get("schedules", [])):
            tables[Schedule].append(_schedule_row(s["id"], sched, position))
        for position, cost in enumerate(s.get("cost_options", [])):
            tables[CostOption].append({"id": cost["id"], "service_id": s["id"], "option": cost.get("option"),
                                       "amount": cost.get("amount"), "currency": "GBP",
                                       "amount_description": cost.get("amount_description"),
                                       "position": position})
        for attribute in s.get("attributes", []):
            if attribute.get("link_type") == "need":
                tables[service_term].append({"service_id": s["id"], "term_id": attribute["taxonomy_term_id"]})
        for area in s.get("service_areas", []):
            if area.get("extent") in localities:
                tables[service_locality].append({"service_id": s["id"],
                                                 "locality_id": localities[area["extent"]]})
    with engine.begin() as connection:
        for table, rows in tables.items():
            target = getattr(table, "__table__", table)
            for start in range(0, len(rows), 5000):
                connection.execute(insert(target), rows[start:start + 5000])
    with engine.begin() as connection:
        # planner statistics, as autovacuum (PostgreSQL) or an operator (SQLite) would have
        # them on a live database: without them the plans are guessed from empty tables
        connection.execute(text("ANALYZE"))


def _service_row(s: dict[str, Any], now: datetime) -> dict[str, Any]:
    from portal.directory.models import ServiceStatus

    modes = {a["taxonomy_term"].get("name") for a in s.get("attributes", [])
             if a.get("link_type") == "delivery_method"}
    free = all((c.get("amount") or 0) <= 0 for c in s.get("cost_options", []))
    return {
        "id": s["id"], "organisation_id": s["organization_id"], "name": s["name"],
        "description": s.get("description", ""), "status": ServiceStatus.ACTIVE, "published": True,
        "in_person": "In person" in modes, "online": "Online" in modes,
        "telephone": "By telephone" in modes, "home_visit": "Home visit" in modes or "Home visits" in modes,
        "minimum_age": s.get("minimum_age"), "maximum_age": s.get("maximum_age"),
        "eligibility_description": s.get("eligibility_description"), "is_free": free,
        "fees_description": None, "languages": [], "url": None, "email": None,
        "last_checked_on": date.fromisoformat(s["assured_date"]) if s.get("assured_date") else None,
        "last_modified": now, "version": 1, "created_at": now, "updated_at": now,
    }


def _location_row(location: dict[str, Any], now: datetime) -> dict[str, Any]:
    from portal.directory.models import LocationType

    address = (location.get("addresses") or [{}])[0]
    return {
        "id": location["id"], "name": location.get("name"), "description": location.get("description"),
        "location_type": LocationType(location.get("location_type", "physical")),
        "address_1": address.get("address_1"), "city": address.get("city"),
        "postcode": address.get("postal_code"), "latitude": location.get("latitude"),
        "longitude": location.get("longitude"), "confidential": bool(location.get("x_confidential")),
        "accessibility": [{"description": a.get("description"), "details": a.get("details")}
                          for a in location.get("accessibility", [])],
        "version": 1, "created_at": now, "updated_at": now,
    }


def _schedule_row(service_id: str, sched: dict[str, Any], position: int) -> dict[str, Any]:
    def at(value: str | None) -> clock | None:
        return clock.fromisoformat(value) if value else None

    return {"id": sched["id"], "service_id": service_id, "freq": sched.get("freq"),
            "byday": sched.get("byday"), "opens_at": at(sched.get("opens_at")),
            "closes_at": at(sched.get("closes_at")), "by_appointment": "freq" not in sched,
            "description": sched.get("description"), "position": position}


if __name__ == "__main__":
    sys.exit(main())
