"""Pages under load: gunicorn with 2 workers, wrk with 8 connections for 10 s a page.

Loads the demo data (and, with ``--services N``, generated services up to N in all) into a
fresh SQLite database in a temporary directory, builds the search indexes and the static
files, then serves the portal and, as the ceiling, a hello-world Flask app, each under
gunicorn (2 sync workers), and measures each page with wrk: requests a second, p50 and p99
latency, and the ratio to the hello-world ceiling measured in the same run.

    python -m bench.pages [--services 10000] [--duration 10] [--connections 8] [--keep]
    python -m bench.pages --profile   # also: where a listing, guidance and search request
                                      # spend their time (pyinstrument, in-process)

Needs wrk (`tools/system-deps wrk` installs it with apt).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HELLO = '''
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, world!"
'''
PORTAL = '''
import os
from portal import create_app

app = create_app({"RATELIMIT_ENABLED": False, "STATIC_BUILD_DIR": os.environ["STATIC_BUILD_DIR"]})
'''
TARGETS = {"home": 0.40, "listing": 0.25, "guidance": 0.25, "search page": 0.10, "search API": 0.10}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _environment(work: Path) -> dict[str, str]:
    from portal.crypto import generate_key

    return {**os.environ, "PORTAL_ENV": "production", "SECRET_KEY": "bench-" + "x" * 40,
            "PORTAL_BASE_URL": "http://127.0.0.1", "TRUSTED_HOSTS": "127.0.0.1,localhost",
            "ENCRYPTION_KEYS": generate_key(), "DATABASE_URL": f"sqlite:///{work / 'pages.sqlite3'}",
            "SEARCH_INDEX_DIR": str(work / "index"), "STATIC_BUILD_DIR": str(work / "static"),
            "PYTHONPATH": f"{work}{os.pathsep}{ROOT}", "LOG_LEVEL": "WARNING"}


def prepare(work: Path, services: int) -> dict[str, str]:
    """Build the database, indexes and static files; return the paths of the pages to measure."""
    env = _environment(work)
    os.environ.update({k: v for k, v in env.items() if k != "PYTHONPATH"})
    from sqlalchemy import func, select

    from portal import assets, create_app, demo, migrate
    from portal.content.models import ContentItem
    from portal.content.search import ContentIndex
    from portal.db import Database
    from portal.directory.models import Service
    from portal.places.models import Locality
    from portal.search import SearchIndex

    app = create_app({"WARM_UP": False})
    state = Database.state(app)
    migrate.upgrade(state.engine)
    with app.app_context():
        session = state.session()
        demo.load(session)
        session.commit()
        have = session.scalar(select(func.count()).select_from(Service)) or 0
        if services > have:
            from bench.bulk_services import generate_bulk
            from bench.search import insert_bulk

            localities = {row.slug: row.id for row in session.scalars(select(Locality))}
            session.commit()  # end this session's read transaction so it sees the new rows
            insert_bulk(state.engine, generate_bulk(services - have, 7), localities)
        SearchIndex.for_app(app).rebuild(session)
        ContentIndex.for_app(app).rebuild(session)
        count = session.scalar(select(func.count()).select_from(Service)) or 0
        items = session.scalars(select(ContentItem).order_by(ContentItem.slug)).all()
        with_video = next(item.slug for item in items
                          if (ROOT / "content" / item.slug / "video.mp4").exists())
        client = app.test_client()
        html = client.get("/services?q=befriending").get_data(as_text=True)
        listing = re.search(r'href="(/services/[^"/?]+)"', html)
        assert listing, "no listing found on the search page"
    assets.build(Path(env["STATIC_BUILD_DIR"]))
    state.engine.dispose()
    (work / "hello_app.py").write_text(HELLO)
    (work / "portal_app.py").write_text(PORTAL)
    print(f"  {count} services, guidance with video: /guidance/{with_video}")
    return {
        "home": "/",
        "listing": listing.group(1),
        "guidance": f"/guidance/{with_video}",
        "search page": "/services?q=befriending&postcode=TQ1+1AA",
        "search API": "/api/services?search=befriending&postcode=TQ1+1AA",
        "sign-in": "/account/sign-in",
    }


class Gunicorn:
    def __init__(self, module: str, env: dict[str, str], workers: int = 2) -> None:
        self.port = _free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind",
             f"127.0.0.1:{self.port}", "--log-level", "warning", f"{module}:app"],
            env=env, cwd=ROOT)
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/", timeout=2):
                    break
            except OSError:
                time.sleep(0.2)
        time.sleep(2)  # let both workers start and warm up

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


def wrk(url: str, connections: int, duration: int) -> dict[str, float]:
    out = subprocess.run(
        ["wrk", "-t", "2", "-c", str(connections), "-d", f"{duration}s", "--latency",
         "-H", "Accept-Encoding: br, gzip", url],
        capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)

    def latency(percent: str) -> float:
        value, unit = re.search(rf"\s{percent}%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    return {"rate": rate, "p50": latency("50"), "p99": latency("99"),
            "errors": float(errors.group(1)) if errors else 0.0}


def profile(pages: dict[str, str]) -> None:
    from pyinstrument import Profiler

    from portal import create_app

    app = create_app({"RATELIMIT_ENABLED": False, "STATIC_BUILD_DIR": os.environ["STATIC_BUILD_DIR"]})
    client = app.test_client()
    for name in ("listing", "guidance", "search page", "search API", "home"):
        for _ in range(20):
            client.get(pages[name])
        profiler = Profiler(interval=0.0005)
        profiler.start()
        for _ in range(100):
            client.get(pages[name])
        profiler.stop()
        print(f"\n=== {name}: {pages[name]} (100 requests)")
        print(profiler.output_text(unicode=False, color=False, show_all=False))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pages", description=__doc__.split("\n")[0])
    parser.add_argument("--services", type=int, default=0, help="generate services up to N in all")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is missing: run tools/system-deps wrk (or apt-get install -y wrk)", file=sys.stderr)
        return 1
    work = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    try:
        print(f"Pages benchmark: Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
              f"load average {os.getloadavg()[0]:.1f}")
        pages = prepare(work, args.services)
        env = _environment(work)
        env["ENCRYPTION_KEYS"] = os.environ["ENCRYPTION_KEYS"]
        if args.profile:
            profile(pages)
        results: dict[str, dict[str, float]] = {}
        server = Gunicorn("hello_app", env)
        try:
            results["hello world"] = wrk(server.url + "/", args.connections, args.duration)
        finally:
            server.stop()
        server = Gunicorn("portal_app", env)
        try:
            for name, path in pages.items():
                results[name] = wrk(server.url + path, args.connections, args.duration)
        finally:
            server.stop()
        ceiling = results["hello world"]["rate"]
        print(f"\n  {'page':<14}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'of ceiling':>12}  target")
        for name, figures in results.items():
            target = TARGETS.get(name)
            ratio = figures["rate"] / ceiling
            verdict = "" if target is None else f"≥ {target:.0%} {'met' if ratio >= target else 'NOT met'}"
            errors = f"  ({figures['errors']:.0f} non-2xx!)" if figures["errors"] else ""
            print(f"  {name:<14}{figures['rate']:>9.0f}{figures['p50']:>9.1f}{figures['p99']:>9.1f}"
                  f"{ratio:>12.1%}  {verdict}{errors}")
    finally:
        if args.keep:
            print(f"\nkept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
