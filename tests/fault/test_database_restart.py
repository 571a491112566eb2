"""Restart PostgreSQL under load: requests fail cleanly (a friendly 503, no stack traces) while
it is down, then recover without restarting the portal."""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass

from portal import demo
from tests.ops.helpers import app_from_environ, dispose, production_environ
from tests.ops.servers import Browser, Gunicorn, PgCluster

DOWN_SECONDS = 3.0


@dataclass
class Hit:
    started: float
    at: float
    path: str
    status: int
    body: str


def test_requests_fail_cleanly_while_postgresql_restarts_and_then_recover(tmp_path):
    cluster = PgCluster()
    server = None
    try:
        cluster.start()
        url = cluster.create_database("portal")
        environ = production_environ(url, tmp_path / "index", RATELIMIT_STORAGE_URI="memory://")
        setup = app_from_environ(environ)
        runner = setup.test_cli_runner()
        for command in (["db", "upgrade"], ["demo"], ["search", "reindex"]):
            assert runner.invoke(args=command).exit_code == 0, command
        dispose(setup)
        server = Gunicorn(environ, workers=2, log=tmp_path / "gunicorn.log").start()
        master = server.process.pid

        resident = Browser(server.port)
        assert resident.sign_in("resident@demo.portal.test", demo.read_people().password).status == 302
        listing = re.search(r'href="(/services/[0-9a-f-]{36})"',
                            resident.get("/services?q=befriending").body).group(1)
        paths = ["/account/", "/services?q=befriending", listing, "/guidance/", "/"]
        hits: list[Hit] = []
        stop = threading.Event()

        def load(offset: int) -> None:
            browser = Browser(server.port, cookies=dict(resident.cookies), timeout=60)
            n = offset
            while not stop.is_set():
                path = paths[n % len(paths)]
                n += 1
                started = time.monotonic()
                try:
                    reply = browser.get(path)
                except OSError as exc:
                    hits.append(Hit(started, time.monotonic(), path, 0, repr(exc)))
                    continue
                hits.append(Hit(started, time.monotonic(), path, reply.status, reply.body))

        threads = [threading.Thread(target=load, args=(i,)) for i in range(3)]
        for thread in threads:
            thread.start()
        time.sleep(1.5)
        went_down = time.monotonic()
        cluster.stop("fast")
        time.sleep(DOWN_SECONDS)
        cluster.start()
        came_back = time.monotonic()
        time.sleep(8)
        stop.set()
        for thread in threads:
            thread.join(90)

        assert server.process.poll() is None and server.process.pid == master  # never restarted
        # Sorted by when each request started (under load a request can take a while).
        before = [h for h in hits if h.at < went_down]
        during = [h for h in hits if went_down + 0.5 < h.started and h.at < came_back]
        recovered = [h for h in hits if h.started > came_back + 3]
        assert before and all(h.status == 200 for h in before), {h.status for h in before}
        assert any(h.status == 503 for h in during), {(h.path, h.status) for h in during}
        for hit in hits:
            assert hit.status in (200, 503), (hit.path, hit.status, hit.body[:500])
            assert "Traceback" not in hit.body and "psycopg" not in hit.body
            if hit.status == 503:
                assert "Sorry, there is a problem with the service" in hit.body
        assert recovered and all(h.status == 200 for h in recovered), \
            {(h.path, h.status) for h in recovered if h.status != 200}
        # The signed-in resident is still signed in: sessions live in the database.
        assert "Sign out" in Browser(server.port, cookies=dict(resident.cookies)).get("/account/").body
        log = (tmp_path / "gunicorn.log").read_text()
        assert "database unavailable" in log
    finally:
        if server is not None:
            server.stop()
        cluster.remove()
