"""Playwright against a real server on 127.0.0.1, driving Debian's Chromium."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from portal import create_app, demo, migrate
from portal.db import Database
from tests.conftest import app_overrides
from tests.helpers.smtp import SmtpSink

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

pytestmark = pytest.mark.browser

# The demo accounts' shared password and staff authenticator key, from demo/people.yaml.
DEMO_PEOPLE = demo.read_people()
DEMO_PASSWORD = DEMO_PEOPLE.password


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # axe-core is injected as a script; let it past our own strict CSP in tests only.
    return {**browser_context_args, "bypass_csp": True, "locale": "en-GB"}


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory, smtp_sink: SmtpSink) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("live")
    app = create_app(app_overrides(
        f"sqlite:///{folder / 'live.sqlite3'}", folder / "index",
        MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_sink.port,
    ))
    migrate.upgrade(Database.state(app).engine)
    with app.app_context():
        demo.load(Database.state(app).session())
        Database.state(app).session().commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        Database.state(app).engine.dispose()


@pytest.fixture(scope="session")
def base_url(live_server: str) -> str:
    return live_server


def axe_violations(page) -> list[dict]:  # type: ignore[no-untyped-def]
    assert AXE.exists(), "run `make node` to install axe-core"
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})",
        AXE_TAGS,
    )
    return [{"id": v["id"], "help": v["help"],
             "targets": [n["target"] for n in v["nodes"]][:5]} for v in result["violations"]]


_used_steps: set[int] = set()


def fresh_demo_code() -> str:
    """A second-factor code for the demo staff key that has not been used yet.

    The portal accepts each code once, as it must; signing in twice within one 30-second
    window waits for the next code, as a person would.
    """
    import time

    import pyotp

    step = int(time.time() // 30)
    while step in _used_steps:
        time.sleep(30 - time.time() % 30 + 0.2)
        step = int(time.time() // 30)
    _used_steps.add(step)
    return pyotp.TOTP(DEMO_PEOPLE.totp_secret).at(step * 30)


def sign_in(page, email: str, password: str) -> None:  # type: ignore[no-untyped-def]
    """Sign in through the real page, in whatever language the page is in."""
    page.goto("/account/sign-in")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/account/sign-in" not in url)
    if "/account/two-factor" in page.url:
        page.locator("#code").fill(fresh_demo_code())
        page.locator("main form button[type=submit]").click()
    # Staff land on their own queue, everyone else on the home page.
    page.wait_for_url(lambda url: "/account/two-factor" not in url
                      and "/account/sign-in" not in url)


def register(page, smtp_sink: SmtpSink, name: str, email: str,  # type: ignore[no-untyped-def]
             password: str = "tea by the harbour") -> None:
    """Create an account through the real pages, from an open registration form: the form,
    "check your email", the emailed link, then signing in (on to any ``next`` page)."""
    import re
    import time

    from playwright.sync_api import expect

    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Create a password").fill(password)
    page.get_by_label("Confirm your password").fill(password)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    deadline = time.monotonic() + 10
    link = None
    while link is None and time.monotonic() < deadline:
        for mail in list(smtp_sink.messages):
            found = re.search(r"https?://[^/\s]+(/account/verify/\S+)", mail.get_content())
            if mail["To"] == email and found:
                link = found.group(1)
        time.sleep(0.05)
    assert link, f"no confirmation email for {email}"
    page.goto(link)
    expect(page.get_by_text("Your email address is confirmed.")).to_be_visible()
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/account/sign-in" not in url)


def signed_in_window(browser, root: str, email: str, *,  # type: ignore[no-untyped-def]
                     close_others: bool = False):
    """A browser window of this person's own (a fresh context: nobody else's session), signed
    in through the real pages with the demo password; ``close_others`` closes other windows."""
    if close_others:
        for context in browser.contexts:
            context.close()
    page = browser.new_context(base_url=root, bypass_csp=True, locale="en-GB").new_page()
    sign_in(page, email, DEMO_PASSWORD)
    page.wait_for_load_state()
    return page
