"""Real servers on 127.0.0.1 for the fault, several-servers and load runs.

* ``Gunicorn``: the portal under gunicorn with ``deploy/gunicorn.conf.py``, in its own process
  group (so ``kill(SIGKILL)`` takes the master and every worker at once, as a crash would).
* ``PgCluster``: a throwaway PostgreSQL cluster (initdb/pg_ctl, run as the ``postgres`` user),
  never the shared one on 5432, so it can be restarted under load.
* ``Browser``: a tiny HTTP client as nginx would pass a browser on: ``X-Forwarded-Proto: https``
  and ``X-Forwarded-For`` (the servers run with ``PROXY_HOPS=1``), cookies kept by hand (they
  are ``Secure``), CSRF tokens read from the pages.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent.parent
PG_BIN = Path("/usr/lib/postgresql/15/bin")
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Gunicorn:
    def __init__(self, environ: dict[str, str], *, workers: int = 2, log: Path,
                 port: int | None = None, app: str = "wsgi:app", timeout: int = 30) -> None:
        self.port = port or free_port()
        self.environ = {**os.environ, **environ, "PORTAL_BIND": f"127.0.0.1:{self.port}",
                        "GUNICORN_WORKERS": str(workers), "GUNICORN_TIMEOUT": str(timeout),
                        "GUNICORN_GRACEFUL_TIMEOUT": "5"}
        self.app = app
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, wait: float = 60.0) -> Gunicorn:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [GUNICORN, "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), self.app],
                cwd=ROOT, env=self.environ, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log.read_text()[-3000:]}")
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            try:
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    return self
            except OSError:
                time.sleep(0.1)
            finally:
                connection.close()
        raise RuntimeError(f"gunicorn did not answer in {wait}s: {self.log.read_text()[-3000:]}")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)
        self.process.wait(30)

    def stop(self) -> None:
        self.kill(signal.SIGTERM)
        self.kill(signal.SIGKILL)  # anything left of the group

    def __enter__(self) -> Gunicorn:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()


class PgCluster:
    """A PostgreSQL cluster of our own on a free port, removed on stop."""

    def __init__(self) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="portal-pg-", dir="/tmp"))
        shutil.chown(self.directory, "postgres", "postgres")
        self.port = free_port()
        self._as_postgres([str(PG_BIN / "initdb"), "-D", str(self.directory / "data"), "-A", "trust",
                           "-U", "postgres", "--no-sync"])

    def _as_postgres(self, argv: list[str]) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", *argv], check=True,
                       capture_output=True, timeout=120)

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c max_connections=200")
        self._as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.directory / "data"), "-o", options,
                           "-l", str(self.directory / "server.log"), "-w", "start"])

    def stop(self, mode: str = "fast") -> None:
        self._as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.directory / "data"), "-m", mode,
                           "-w", "stop"])

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        engine = create_engine(self.url(), isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        return self.url(name)

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop("immediate")
        shutil.rmtree(self.directory, ignore_errors=True)


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: str

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


@dataclass
class Browser:
    """One browser behind nginx: cookies, forwarded headers, CSRF tokens."""

    port: int
    client_ip: str = "203.0.113.10"
    cookies: dict[str, str] = field(default_factory=dict)
    timeout: float = 30.0

    def request(self, method: str, path: str, form: dict[str, object] | None = None,
                port: int | None = None) -> Reply:
        host = f"127.0.0.1:{port or self.port}"
        headers = {"Host": host, "X-Forwarded-Proto": "https", "X-Forwarded-For": self.client_ip,
                   "Referer": f"https://{host}{path}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", port or self.port, timeout=self.timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read().decode("utf-8", "replace")
            for raw in response.headers.get_all("Set-Cookie") or []:
                cookie = SimpleCookie()
                cookie.load(raw)
                for name, morsel in cookie.items():
                    if morsel["max-age"] == "0" or not morsel.value:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, data)
        finally:
            connection.close()

    def get(self, path: str, port: int | None = None) -> Reply:
        return self.request("GET", path, port=port)

    def submit(self, path: str, form: dict[str, object], *, form_path: str | None = None,
               port: int | None = None) -> Reply:
        page = self.get(form_path or path, port=port)
        match = re.search(r'name="csrf_token" value="([^"]+)"', page.body)
        if match is None:
            raise AssertionError(f"no CSRF token on {form_path or path}: {page.status}")
        return self.request("POST", path, {"csrf_token": match.group(1), **form}, port=port)

    def sign_in(self, email: str, password: str, *, totp_secret: str | None = None,
                port: int | None = None) -> Reply:
        reply = self.submit("/account/sign-in", {"email": email, "password": password}, port=port)
        if totp_secret and reply.status == 302 and "two-factor" in reply.location:
            import pyotp

            reply = self.submit("/account/two-factor", {"code": pyotp.TOTP(totp_secret).now()},
                                port=port)
        return reply
