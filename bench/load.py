"""``python -m bench.load``: resident journeys under locust against gunicorn on PostgreSQL.

Sets up a throwaway PostgreSQL database (demo data: 341 services, the guidance library,
the demo accounts), serves it with gunicorn and ``deploy/gunicorn.conf.py`` (production
settings, Redis rate limits, as behind nginx: ``PROXY_HOPS=1``, each simulated user its own
forwarded address), then runs locust headless for ``--time`` seconds at ``--users`` users, each
repeating resident journeys with a think time between pages:

* search: the search page with a word (and sometimes a postcode);
* listing: a service's page;
* guidance: the library's front page and a guidance page;
* sign in: the sign-in page, the sign-in post, the account page, sign out;

and, signed in with accounts of their own (made for the run: residents of Torquay who share
everything with the Torquay care team, and care workers of that team with a second factor):

* a resident's plan and messages: the plan, a section saved, the messages list, a message sent
  (a new conversation the first time, then replies in it);
* a care worker's inbox: the team inbox, a conversation opened from it, a reply.

Before it, the same machine's ceiling: a hello-world Flask view under the same gunicorn
settings, hammered by the same number of users with no think time for ``--ceiling-time``
seconds. Prints p50/p95/p99 per page, requests a second, failures and 5xx, and the ratio.

    python -m bench.load                      # 50 users, 5 minutes (the issue's run)
    python -m bench.load --users 20 --time 60 # a short run
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import re
import secrets
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

import gevent

# locust monkey-patches the standard library with gevent on import (before sqlalchemy's).
import locust
from locust import HttpUser, between, constant, task
from locust.env import Environment
from requests.cookies import RequestsCookieJar
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ADMIN_URL = os.environ.get("PORTAL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
WORDS = ["befriending", "walking", "carers", "dementia", "lunch club", "exercise", "memory cafe",
         "mental health", "transport", "advice"]
POSTCODES = ["TQ1 1AA", "TQ2 5QE", "PL1 2AA", "TQ12 1AA"]
PASSWORD = "demo-password-2026"
RESIDENT = "resident@demo.portal.test"
# Accounts made for the run (prepare_database): residents and care workers of Torquay.
LOAD_RESIDENT = "load-resident-{}@bench.portal.test"
LOAD_WORKER = "load-worker-{}@bench.portal.test"


class PlainHttpCookies(RequestsCookieJar):
    """The portal's cookies are Secure (it believes it is behind TLS, as behind nginx); the
    simulated browsers speak plain HTTP to 127.0.0.1, so every cookie is kept as not Secure.
    (A cookie policy would not do: requests copies the jar into a default one per request.)"""

    def set_cookie(self, cookie: Any, *args: Any, **kwargs: Any) -> Any:
        cookie.secure = False
        return super().set_cookie(cookie, *args, **kwargs)


class Pages:
    """What the journeys pick from, filled in once the server is up."""

    listings: list[str] = []
    guidance: list[str] = []


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Visitor(HttpUser):
    """A browser of its own: its own forwarded address (as behind nginx), cookies kept, forms
    posted with their CSRF token and the page as the referer."""

    abstract = True
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.client.cookies = PlainHttpCookies()
        octets = [secrets.randbelow(250) + 1 for _ in range(3)]
        self.client.headers.update({"X-Forwarded-Proto": "https",
                                    "X-Forwarded-For": "10.{}.{}.{}".format(*octets)})
        self.host_name = self.host.split("://", 1)[1]

    def _post(self, path: str, page: Any, data: dict[str, str], name: str) -> Any:
        """Post a form from ``page``; a redirect is followed (and timed) as its own request."""
        token = CSRF.search(page.text)
        if token is None:
            return None
        referer = {"Referer": f"https://{self.host_name}{page.url.split(self.host_name, 1)[-1]}"}
        response = self.client.post(path, name=name, headers=referer, allow_redirects=False,
                                    data={"csrf_token": token.group(1), **data})
        if response.is_redirect:
            location = response.headers["Location"].split(self.host_name, 1)[-1]
            response = self.client.get(location, name=f"{name}: the page after")
        return response


class Resident(Visitor):
    """A visitor who has not signed in (and sometimes signs in and out)."""

    weight = 3

    @task(4)
    def search(self) -> None:
        params = {"q": random.choice(WORDS)}
        if random.random() < 0.3:
            params["postcode"] = random.choice(POSTCODES)
        self.client.get("/services", params=params, name="search /services?q=")

    @task(3)
    def listing(self) -> None:
        self.client.get(random.choice(Pages.listings), name="listing /services/[id]")

    @task(2)
    def guidance(self) -> None:
        self.client.get("/guidance/", name="guidance /guidance/")
        self.client.get(random.choice(Pages.guidance), name="guidance /guidance/[page]")

    @task(1)
    def sign_in(self) -> None:
        page = self.client.get("/account/sign-in", name="sign-in GET /account/sign-in")
        account = self._post("/account/sign-in", page, {"email": RESIDENT, "password": PASSWORD},
                             "sign-in POST /account/sign-in")
        if account is not None:
            self._post("/account/sign-out", account, {}, "sign-in POST /account/sign-out")
        self.client.cookies.clear()


class Accounts:
    """The run's own accounts (prepare_database) and which simulated user takes which."""

    residents = 0
    workers: list[str] = []  # TOTP secrets, one per care worker
    next_resident = itertools.count()
    next_worker = itertools.count()


class SignedIn(Visitor):
    """A person with their own account, signed in once for the run (as a person keeps a
    session open), who then only uses the pages."""

    abstract = True

    def on_start(self) -> None:
        super().on_start()
        self.signed_in = self.sign_in()

    def _password(self, email: str) -> Any:
        page = self.client.get("/account/sign-in", name="signed-in: sign-in page")
        return self._post("/account/sign-in", page, {"email": email, "password": PASSWORD},
                          "signed-in: sign-in post")

    def sign_in(self) -> bool:
        raise NotImplementedError


class ResidentWithPlan(SignedIn):
    """A resident of Torquay: their plan and their messages with the team."""

    weight = 2

    def sign_in(self) -> bool:
        number = next(Accounts.next_resident) % max(Accounts.residents, 1)
        response = self._password(LOAD_RESIDENT.format(number))
        self.thread: str | None = None
        return response is not None and response.ok and "/account/sign-in" not in response.url

    @task(3)
    def plan(self) -> None:
        if self.signed_in:
            self.client.get("/plan", name="plan: open /plans/[id]")

    @task(2)
    def save_section(self) -> None:
        if not self.signed_in:
            return
        plan = self.client.get("/plan", name="plan: open /plans/[id]")
        path = plan.url.split(self.host_name, 1)[-1] + "/sections/what_matters"
        form = self.client.get(path, name="plan: section form")
        base = re.search(r'name="base_number" value="(\d+)"', form.text)
        self._post(path, form, {"text": f"Seeing my grandchildren on Sundays. {time.time():.0f}",
                                "base_number": base.group(1) if base else "0",
                                "action": "save"}, "plan: save a section (post)")

    @task(2)
    def messages(self) -> None:
        if self.signed_in:
            self.client.get("/messages", name="messages: my conversations")

    @task(1)
    def send(self) -> None:
        if not self.signed_in:
            return
        if self.thread is None:
            form = self.client.get("/messages/new", name="messages: write page")
            sent = self._post("/messages/new", form, {
                "subject": "A question about my tablets", "key": secrets.token_hex(16),
                "body": "Should I take the new tablets with food?"}, "messages: send (post)")
            found = re.search(r"/messages/(\d+)", sent.url) if sent is not None else None
            self.thread = found.group(1) if found else None
            return
        page = self.client.get(f"/messages/{self.thread}", name="messages: a conversation")
        self._post(f"/messages/{self.thread}/reply", page, {
            "body": "Thank you, that helps.", "key": secrets.token_hex(16)},
            "messages: send (post)")


class CareWorker(SignedIn):
    """A worker of the Torquay team: the inbox, a conversation, a reply."""

    fixed_count = 2

    def sign_in(self) -> bool:
        import pyotp

        if not Accounts.workers:
            return False
        number = next(Accounts.next_worker) % len(Accounts.workers)
        response = self._password(LOAD_WORKER.format(number))
        if response is None or "/two-factor" not in response.url:
            print(f"care worker {number}: the password step ended at "
                  f"{getattr(response, 'url', None)}", file=sys.stderr)
            return False
        code = pyotp.TOTP(Accounts.workers[number]).now()
        done = self._post(response.url.split(self.host_name, 1)[-1], response, {"code": code},
                          "signed-in: second factor (post)")
        if done is None or not done.ok or "/two-factor" in done.url:
            print(f"care worker {number}: the second factor ended at "
                  f"{getattr(done, 'url', None)}", file=sys.stderr)
            return False
        return True

    @task(3)
    def inbox(self) -> None:
        if self.signed_in:
            self.client.get("/inbox", name="care worker: team inbox")

    @task(2)
    def reply(self) -> None:
        if not self.signed_in:
            return
        inbox = self.client.get("/inbox", name="care worker: team inbox")
        threads = re.findall(r'href="/messages/(\d+)"', inbox.text)
        if not threads:
            title = re.search(r"<title>(.*?)</title>", inbox.text, re.S)
            print(f"care worker: no conversations on {inbox.url} "
                  f"({title.group(1).strip() if title else inbox.status_code})", file=sys.stderr)
            return
        thread = random.choice(threads[:10])
        page = self.client.get(f"/messages/{thread}", name="care worker: a conversation")
        self._post(f"/messages/{thread}/reply", page, {
            "body": "We will call you this afternoon.", "key": secrets.token_hex(16)},
            "care worker: reply (post)")


class Hello(HttpUser):
    wait_time = constant(0)

    @task
    def hello(self) -> None:
        self.client.get("/", name="hello-world /")


def run_locust(user_classes: list[type[HttpUser]], host: str, users: int, seconds: float
               ) -> tuple[Any, float]:
    for user in user_classes:
        user.host = host
    env = Environment(user_classes=user_classes, host=host)
    runner = env.create_local_runner()
    runner.start(users, spawn_rate=max(users / 5, 1))
    started = time.monotonic()
    gevent.spawn_later(seconds, runner.quit)
    runner.greenlet.join()
    return env.stats, time.monotonic() - started


def report(stats: Any, elapsed: float, title: str) -> float:
    print(f"\n{title}")
    print(f"{'page':<36}{'requests':>9}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}"
          f"{'fail':>6}{'5xx':>6}")
    total = 0
    for entry in sorted(stats.entries.values(), key=lambda e: e.name):
        fivexx = sum(err.occurrences for err in stats.errors.values()
                     if err.name == entry.name and re.search(r"\b5\d\d\b", str(err.error)))
        total += entry.num_requests
        print(f"{entry.name:<36}{entry.num_requests:>9}{entry.num_requests / elapsed:>8.1f}"
              f"{entry.get_response_time_percentile(0.5):>8.0f}{entry.get_response_time_percentile(0.95):>8.0f}"
              f"{entry.get_response_time_percentile(0.99):>8.0f}{entry.num_failures:>6}{fivexx:>6}")
    agg = stats.total
    print(f"{'all':<36}{total:>9}{total / elapsed:>8.1f}{agg.get_response_time_percentile(0.5):>8.0f}"
          f"{agg.get_response_time_percentile(0.95):>8.0f}{agg.get_response_time_percentile(0.99):>8.0f}"
          f"{agg.num_failures:>6}")
    for error in stats.errors.values():
        print(f"  error: {error.method} {error.name}: {error.error} x{error.occurrences}")
    return total / elapsed


def prepare_database(work: Path, residents: int = 50) -> tuple[str, str]:
    from portal import create_app, migrate
    from portal.config import flask_config, read_settings
    from portal.crypto import generate_key
    from portal.db import Database, build_engine

    name = f"portal_bench_{secrets.token_hex(4)}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    engine = build_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    environ = {"PORTAL_ENV": "production", "SECRET_KEY": secrets.token_urlsafe(48),
               "PORTAL_BASE_URL": "http://127.0.0.1", "TRUSTED_HOSTS": "127.0.0.1,localhost",
               "ENCRYPTION_KEYS": generate_key(), "DATABASE_URL": url,
               "SEARCH_INDEX_DIR": str(work / "index"), "RATELIMIT_STORAGE_URI": REDIS_URL,
               "PROXY_HOPS": "1"}
    os.environ.update(environ)
    app = create_app(flask_config(read_settings(environ)))
    runner = app.test_cli_runner()
    for command in (["demo"], ["search", "reindex"], ["content", "reindex"]):
        result = runner.invoke(args=command)
        if result.exit_code != 0:
            raise SystemExit(f"{' '.join(command)} failed: {result.output}")
    with app.app_context():
        make_accounts(Database.state(app).session(), residents)
    Database.state(app).engine.dispose()
    return name, url


def make_accounts(session: Any, residents: int, workers: int = 2) -> None:
    """Residents of Torquay who share everything with its team, and workers of that team."""
    import pyotp
    from sqlalchemy import select

    from portal.accounts import services as accounts
    from portal.accounts.models import CareTeam
    from portal.authz import Role
    from portal.circles.models import LocalitySource, Purpose, TeamConsent
    from portal.circles.services import CONSENT_WORDING
    from portal.clock import utcnow
    from portal.places.models import Locality

    torquay = session.scalar(select(Locality).where(Locality.slug == "torquay"))
    team = session.scalar(select(CareTeam).where(CareTeam.slug == "torquay-care-team"))
    for number in range(residents):
        person = accounts.create_user(session, email=LOAD_RESIDENT.format(number),
                                      password=PASSWORD, display_name=f"Load Resident {number}",
                                      roles=[Role.RESIDENT])
        person.email_verified_at = utcnow()
        person.locality_id, person.locality_source = torquay.id, LocalitySource.CHOSEN
        session.add_all([TeamConsent(person_id=person.id, purpose=purpose,
                                     wording=str(CONSENT_WORDING[purpose]), given_at=utcnow(),
                                     given_by_id=person.id) for purpose in Purpose])
    Accounts.residents = residents
    Accounts.workers = []
    for number in range(workers):
        worker = accounts.create_user(session, email=LOAD_WORKER.format(number),
                                      password=PASSWORD, display_name=f"Load Worker {number}",
                                      roles=[Role.CARE_WORKER], teams=[team])
        worker.email_verified_at = utcnow()
        worker.mfa_secret = pyotp.random_base32()
        worker.mfa_enabled_at = utcnow()
        Accounts.workers.append(worker.mfa_secret)
    session.commit()


def drop_database(name: str) -> None:
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": name})
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def discover(port: int) -> None:
    import urllib.request

    def fetch(path: str) -> str:
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}",
                                         headers={"X-Forwarded-Proto": "https"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return str(response.read().decode())

    listings = set()
    for word in WORDS:
        page = fetch("/services?q=" + quote_plus(word))
        listings.update(re.findall(r'href="(/services/[0-9a-f-]{36})"', page))
    Pages.listings = sorted(listings)
    front = fetch("/guidance/")
    Pages.guidance = sorted(set(re.findall(r'href="(/guidance/[a-z0-9-]+)"', front)) -
                            {"/guidance/search", "/guidance/settings"})
    if not Pages.listings or not Pages.guidance:
        raise SystemExit("found no listings or guidance pages to visit")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--time", type=float, default=300.0, help="seconds of the portal run")
    parser.add_argument("--ceiling-time", type=float, default=20.0, help="seconds of the hello-world run")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: its config)")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.ops.servers import Gunicorn

    workers = args.workers or (os.cpu_count() or 1) * 2 + 1
    with tempfile.TemporaryDirectory(prefix="portal-bench-load-") as work_dir:
        work = Path(work_dir)
        print(f"locust {locust.__version__}, {args.users} users, gunicorn {workers} sync workers, "
              f"PostgreSQL {make_url(ADMIN_URL).host}:{make_url(ADMIN_URL).port}, cores: {os.cpu_count()}")
        print("Preparing a database with the demo data …", flush=True)
        name, _url = prepare_database(work, residents=args.users)
        try:
            hello = Gunicorn(dict(os.environ), workers=workers, log=work / "hello.log",
                             app="bench.hello:app").start()
            try:
                stats, elapsed = run_locust([Hello], f"http://127.0.0.1:{hello.port}", args.users,
                                            args.ceiling_time)
            finally:
                hello.stop()
            ceiling = report(stats, elapsed, f"Ceiling: hello-world Flask view, {args.users} users, "
                                             f"no think time, {elapsed:.0f} s")
            portal = Gunicorn(dict(os.environ), workers=workers, log=work / "portal.log").start()
            try:
                discover(portal.port)
                stats, elapsed = run_locust([Resident, ResidentWithPlan, CareWorker],
                                            f"http://127.0.0.1:{portal.port}", args.users,
                                            args.time)
            finally:
                portal.stop()
            served = report(stats, elapsed, f"Portal: resident, plan and message, and care "
                                            f"worker journeys, {args.users} users, think time "
                                            f"1-3 s, {elapsed:.0f} s")
            print(f"\nPortal {served:.1f} req/s beside a ceiling of {ceiling:.0f} req/s "
                  f"({served / ceiling:.1%} of it; the portal's users think between pages, so this "
                  "ratio is load, not capacity).")
            log = (work / "portal.log").read_text()
            errors = log.count('"level": "ERROR"')
            print(f"Portal log: {log.count(chr(10))} lines, {errors} at level ERROR.")
        finally:
            drop_database(name)


if __name__ == "__main__":
    main()
