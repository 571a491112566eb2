"""Guidance benchmark: ``python -m bench.content``.

Loads the starter library (``content sync``) into a fresh SQLite database in a temporary
directory, plus one item whose video is 2 MB, then measures:

* a content page with video (``/guidance/<slug>``) rendered through the Flask test client:
  p50/p95/p99 over many requests after a warm-up (target: p95 <= 30 ms);
* the 2 MB video streamed from a running server (werkzeug, threaded, on 127.0.0.1) over
  loopback, in MB/s (target: >= 50 MB/s): whole-file GETs; open-ended range requests as a
  browser sends them when playing and seeking (``Range: bytes=N-`` -> 206); and, the
  hardest case, the whole file fetched as consecutive 256 KB ranges (``bytes=a-b``), where
  each request's fixed cost counts most.

Nothing leaves the machine: the server listens on 127.0.0.1 only, and every loop is bounded.
"""

from __future__ import annotations

import argparse
import http.client
import logging
import os
import re
import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("PORTAL_ENV", "testing")

from werkzeug.serving import make_server

from portal import create_app, migrate
from portal.db import Database

ROOT = Path(__file__).resolve().parents[1]
STARTER = ROOT / "content"
PAGE = "/guidance/breathlessness-copd"
TWO_MB = 2 * 1024 * 1024
RANGE_CHUNK = 256 * 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.content", description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=500, help="page renders to time")
    parser.add_argument("--streams", type=int, default=40, help="whole-video downloads to time")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="portal-bench-content-"))
    try:
        run(args, work)
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


def _library(work: Path) -> Path:
    """The starter library plus an item whose video is padded to 2 MB (still an MP4 file)."""
    library = work / "content"
    shutil.copytree(STARTER, library)
    big = library / "two-megabyte-video"
    shutil.copytree(STARTER / "breathlessness-copd", big)
    video = (big / "video.mp4").read_bytes()
    (big / "video.mp4").write_bytes((video * (TWO_MB // len(video) + 1))[:TWO_MB])
    index = big / "index.md"
    index.write_text(index.read_text(encoding="utf-8").replace(
        'title: "Breathlessness and COPD: breathing easier"', 'title: "A two megabyte video"'),
        encoding="utf-8")
    return library


def _app(work: Path) -> Any:
    app = create_app({
        "PORTAL_ENV": "testing", "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
        "DATABASE_URL": f"sqlite:///{work / 'bench.sqlite3'}",
        "SEARCH_INDEX_DIR": str(work / "index"), "RATELIMIT_ENABLED": False,
    })
    migrate.upgrade(Database.state(app).engine)
    return app


def _percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)

    def at(fraction: float) -> float:
        return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))] * 1000

    return (f"p50 {at(0.50):.1f} ms, p95 {at(0.95):.1f} ms, p99 {at(0.99):.1f} ms, "
            f"mean {statistics.fmean(ordered) * 1000:.1f} ms (n={len(ordered)})")


def _render(app: Any, requests: int) -> list[float]:
    client = app.test_client()
    for _ in range(20):  # warm-up: templates compiled, caches filled
        assert client.get(PAGE).status_code == 200
    samples = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(PAGE)
        samples.append(time.perf_counter() - start)
        assert response.status_code == 200 and b"<video" in response.data
    return samples


def _get(connection: http.client.HTTPConnection, path: str,
         headers: dict[str, str] | None = None) -> tuple[int, bytes, dict[str, str]]:
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    body = response.read()
    return response.status, body, dict(response.getheaders())


def _seeks(connection: http.client.HTTPConnection, video: str, streams: int) -> float:
    """What a browser does: ``Range: bytes=0-`` to play, ``bytes=N-`` after each seek."""
    start = time.perf_counter()
    total = 0
    for _ in range(streams):
        for first in (0, TWO_MB // 4, TWO_MB // 2, 3 * TWO_MB // 4):
            status, body, _headers = _get(connection, video, {"Range": f"bytes={first}-"})
            assert status == 206 and len(body) == TWO_MB - first, (status, len(body))
            total += len(body)
    return total / (time.perf_counter() - start) / 1e6


def _stream(port: int, video: str, streams: int) -> tuple[float, float, float, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    status, body, _headers = _get(connection, video)  # warm-up (fills the media cache)
    assert status == 200 and len(body) == TWO_MB, (status, len(body))
    start = time.perf_counter()
    total = 0
    for _ in range(streams):
        status, body, _headers = _get(connection, video)
        assert status == 200
        total += len(body)
    whole = total / (time.perf_counter() - start) / 1e6
    start = time.perf_counter()
    total = 0
    example = ""
    for _ in range(streams):
        for first in range(0, TWO_MB, RANGE_CHUNK):
            last = min(first + RANGE_CHUNK, TWO_MB) - 1
            status, body, headers = _get(connection, video, {"Range": f"bytes={first}-{last}"})
            assert status == 206 and len(body) == last - first + 1, (status, len(body))
            example = example or headers.get("Content-Range", "")
            total += len(body)
    ranged = total / (time.perf_counter() - start) / 1e6
    seeking = _seeks(connection, video, streams)
    connection.close()
    return whole, seeking, ranged, example


def run(args: argparse.Namespace, work: Path) -> None:
    app = _app(work)
    with app.test_request_context():
        from portal.content import sync

        session = Database.state(app).session()
        started = time.perf_counter()
        report = sync.sync(session, _library(work))
        assert report.ok, report.problems
        session.commit()
        print(f"content sync: {len(report.created)} items in {time.perf_counter() - started:.2f} s")
    print(f"content page with video ({PAGE}): {_percentiles(_render(app, args.requests))}")
    html = app.test_client().get("/guidance/two-megabyte-video").get_data(as_text=True)
    video = re.findall(r'src="(/guidance/media/[0-9a-f]{64}\.mp4)"', html)[0]
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        whole, seeking, ranged, example = _stream(server.server_port, video, args.streams)
    finally:
        server.shutdown()
        thread.join(timeout=5)
    print(f"2 MB video over loopback, whole file: {whole:.0f} MB/s ({args.streams} downloads)")
    print(f"2 MB video over loopback, open-ended range requests as a browser seeks (bytes=N-): "
          f"{seeking:.0f} MB/s")
    print(f"2 MB video over loopback, consecutive 256 KB range requests: {ranged:.0f} MB/s "
          f"(206 Partial Content, e.g. Content-Range: {example})")
    Database.state(app).engine.dispose()


if __name__ == "__main__":
    raise SystemExit(main())
