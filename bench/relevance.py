"""Relevance benchmark: ``python -m bench.relevance [--backend whoosh|postgresql]``.

Imports the demo directory (``tools.demo_generator.generate``, 341 fictional services)
through the ORUK importer into a fresh SQLite database in a temporary directory (or, with
``--backend postgresql``, a throwaway PostgreSQL database), builds the search index, then
runs every query of ``bench/relevance_set.jsonl`` through the one search interface
(``search_services``, as the search page does) and prints recall@5, MRR and nDCG@10 per group
and overall.

Judgements: a query lists the needs (taxonomy codes; a top-level code stands for its children)
that answer it, optionally the localities the answer must cover (place queries), and optionally
service names that also answer it. A service is relevant when it has one of the needs and, if
localities are given, covers one of them; or when its name is listed. Relevance is binary.

Options: ``--show`` prints each query's top five and whether each is relevant; ``--group G``
runs one group only; ``--failures`` prints only the queries with no relevant result in the top five.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ.setdefault("PORTAL_ENV", "testing")

SET_FILE = Path(__file__).with_name("relevance_set.jsonl")
TAXONOMY_FILE = Path(__file__).resolve().parents[1] / "portal" / "directory" / "data" / "taxonomy.json"


@dataclass
class Judged:
    group: str
    q: str
    needs: list[str] = field(default_factory=list)
    localities: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    postcode: str | None = None


def load_set(path: Path = SET_FILE) -> list[Judged]:
    queries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            queries.append(Judged(**json.loads(line)))
    return queries


def _children() -> dict[str, set[str]]:
    terms = json.loads(TAXONOMY_FILE.read_text(encoding="utf-8"))["terms"]
    by_id = {term["id"]: term["code"] for term in terms}
    found: dict[str, set[str]] = {term["code"]: {term["code"]} for term in terms}
    for term in terms:
        if term.get("parent_id"):
            found[by_id[term["parent_id"]]].add(term["code"])
    return found


def relevant_names(query: Judged, services: list[dict[str, Any]]) -> set[str]:
    """Names of the demo services that answer ``query``."""
    children = _children()
    by_id = {term["id"]: term["code"] for term in
             json.loads(TAXONOMY_FILE.read_text(encoding="utf-8"))["terms"]}
    wanted = set().union(*(children.get(code, {code}) for code in query.needs)) if query.needs else set()
    found = set(query.names)
    for service in services:
        needs = {by_id.get(a.get("taxonomy_term_id")) for a in service.get("attributes", [])
                 if a.get("link_type") == "need"}
        areas = {area.get("extent") for area in service.get("service_areas", [])}
        if needs & wanted and (not query.localities or areas & set(query.localities)):
            found.add(service["name"])
    return found


def metrics(ranked: list[str], relevant: set[str]) -> tuple[float, float, float]:
    """(recall@5, reciprocal rank, nDCG@10) of one ranked list of names."""
    if not relevant:
        return 0.0, 0.0, 0.0
    # recall@5 as the held-out set counts it: a right service in the top five.
    recall = 1.0 if any(name in relevant for name in ranked[:5]) else 0.0
    rr = next((1.0 / (i + 1) for i, name in enumerate(ranked) if name in relevant), 0.0)
    dcg = sum(1.0 / math.log2(i + 2) for i, name in enumerate(ranked[:10]) if name in relevant)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(10, len(relevant))))
    return recall, rr, dcg / ideal


def _app(work: Path, args: argparse.Namespace) -> Any:
    from bench.search import _app as make_app
    from bench.search import _reference

    app = make_app(work, "relevance", args)
    _reference(app)
    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.relevance", description=__doc__.split("\n")[0])
    parser.add_argument("--show", action="store_true", help="print each query's top five")
    parser.add_argument("--failures", action="store_true", help="print queries with no hit in the top five")
    parser.add_argument("--group", help="run one group only")
    parser.add_argument("--backend", choices=("whoosh", "postgresql"), default="whoosh",
                        help="the search engine (SEARCH_BACKEND)")
    parser.add_argument("--postgres-url", default=os.environ.get(
        "PORTAL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
        help="a PostgreSQL server to make a throwaway database on (--backend postgresql)")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="portal-bench-relevance-"))
    try:
        run(args, work)
    finally:
        from bench.search import _DATABASES

        for drop in _DATABASES:
            drop()
        shutil.rmtree(work, ignore_errors=True)
    return 0


def run(args: argparse.Namespace, work: Path) -> None:
    from portal.directory.importer import import_services
    from portal.extensions import db
    from portal.search import backend
    from portal.search.services import ServiceQuery, search_services
    from tools.demo_generator import generate

    services = generate()["services"]
    app = _app(work, args)
    queries = [q for q in load_set() if not args.group or q.group == args.group]
    scores: dict[str, list[tuple[float, float, float]]] = defaultdict(list)
    timings: list[float] = []
    with app.app_context(), app.test_request_context():
        import_services(db.session, services)
        db.session.commit()
        engine = backend.for_app()
        engine.rebuild(db.engine)
        for query in queries:
            relevant = relevant_names(query, services)
            if not relevant:
                raise SystemExit(f"no demo service answers {query.q!r}: fix its judgement")
            started = time.perf_counter()
            result = search_services(db.session, engine, ServiceQuery(
                text=query.q, postcode=query.postcode, per_page=10))
            timings.append(time.perf_counter() - started)
            ranked = [hit.name for hit in result.hits]
            score = metrics(ranked, relevant)
            scores[query.group].append(score)
            scores["overall"].append(score)
            if args.show or (args.failures and score[0] == 0.0):
                shown = getattr(result, "corrected", None) or ""
                print(f"[{query.group}] {query.q!r} ({len(relevant)} relevant, {result.total} found)"
                      + (f" -> {shown!r}" if shown else ""))
                for name in ranked[:5]:
                    print(f"    {'+' if name in relevant else '-'} {name}")
    print(f"Relevance on the demo directory: {len(services)} services, {len(queries)} queries, "
          f"{args.backend} engine")
    print(f"  {'group':<14} {'queries':>7} {'recall@5':>9} {'MRR':>6} {'nDCG@10':>8}")
    for group in [*sorted(g for g in scores if g != "overall"), "overall"]:
        rows = scores[group]
        n = len(rows)
        print(f"  {group:<14} {n:>7} {sum(r[0] for r in rows) / n:>9.2f} "
              f"{sum(r[1] for r in rows) / n:>6.2f} {sum(r[2] for r in rows) / n:>8.2f}")
    timings.sort()
    print(f"  search time p50 {timings[len(timings) // 2] * 1000:.1f} ms, "
          f"p95 {timings[int(len(timings) * 0.95) - 1] * 1000:.1f} ms (in process, 341 services)")


if __name__ == "__main__":
    raise SystemExit(main())
