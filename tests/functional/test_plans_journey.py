"""Plans in a real browser: Rose writes her plan and her crisis plan, her daughter (with
"change my plan") edits a goal, a care-team member reads it, adds a note and suggests a
guidance page, Rose sees all of it in her history and her access log and prints her
emergency summary; axe-core finds nothing on the plan, history, difference and print pages,
in English and Arabic."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from werkzeug.serving import make_server

from portal import create_app, demo, migrate
from portal.db import Database
from tests.conftest import app_overrides
from tests.functional.conftest import axe_violations, signed_in_window

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory, smtp_sink) -> Iterator[tuple[str, int]]:
    """A portal of its own: the demo, with Rose living in Torquay, consenting to share her plan
    with her care team, and Cara (her daughter) allowed to change it."""
    from portal.accounts.models import User
    from portal.circles.models import Purpose, Scope
    from portal.places.models import Locality
    from tests.helpers.factories import make_consent, make_grant, serve

    folder = tmp_path_factory.mktemp("plans-live")
    app = create_app(app_overrides(f"sqlite:///{folder / 'live.sqlite3'}", folder / "index",
                                   MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_sink.port))
    migrate.upgrade(Database.state(app).engine)
    with app.app_context():
        session = Database.state(app).session()
        demo.load(session)
        rose = session.scalar(select(User).where(User.email == "resident@demo.portal.test"))
        cara = session.scalar(select(User).where(User.email == "carer@demo.portal.test"))
        torquay = session.scalar(select(Locality).where(Locality.slug == "torquay"))
        serve(session, rose, torquay)
        make_consent(session, rose, Purpose.PLAN)
        make_grant(session, rose, cara, Scope.PLAN_EDIT, relationship="daughter")
        session.commit()
        rose_id = rose.id
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}", rose_id
    finally:
        httpd.shutdown()
        thread.join(timeout=5)
        Database.state(app).engine.dispose()


def sign_in(browser, root: str, email: str):  # type: ignore[no-untyped-def]
    return signed_in_window(browser, root, email, close_others=True)


def assert_accessible(page, root: str, path: str) -> None:  # type: ignore[no-untyped-def]
    for language in ("en", "ar"):
        page.goto(f"{root}/language/{language}?next={path}")
        page.goto(f"{root}{path}")
        assert axe_violations(page) == [], (language, path)
    page.goto(f"{root}/language/en?next=/")


def test_plan_written_shared_noted_and_printed(browser, server):
    root, rose_id = server
    plan = f"{root}/plans/{rose_id}"

    # Rose writes "about me" (with JavaScript: the draft is kept as she types) and her crisis plan.
    page = sign_in(browser, root, "resident@demo.portal.test")
    page.goto(f"{root}/plan")
    expect(page.get_by_role("heading", level=1)).to_have_text("What's important to me")
    page.get_by_role("link", name="Change About me").click()
    page.get_by_label("In your own words").fill("Please call me Rose. I love my garden 🌷.")
    expect(page.locator("#autosave-status")).to_contain_text("Draft saved at")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("“About me” has been saved.")).to_be_visible()
    page.get_by_role("link", name="Change If things change: my plan for a crisis").click()
    page.get_by_label("Red: I am in crisis: Who to call").fill("999, then Cara on 07700 900123")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("“If things change: my plan for a crisis” has been saved.")
           ).to_be_visible()

    # Her daughter edits a goal; it is labelled as hers, for Rose.
    page = sign_in(browser, root, "carer@demo.portal.test")
    page.goto(plan)
    page.get_by_role("link", name="Change My goals").click()
    page.locator("#goals-0-title").fill("Walk to the harbour and back, twice a week")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("“My goals” has been saved.")).to_be_visible()

    # A care-team member reads the plan, adds a note and suggests a guidance page.
    page = sign_in(browser, root, "careworker@demo.portal.test")
    page.goto(plan)
    expect(page.get_by_text("Walk to the harbour and back, twice a week")).to_be_visible()
    page.get_by_label("Add a note or suggestion").fill("The Breathe Easy group meets on Mondays.")
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_text("Your note has been added.")).to_be_visible()
    page.locator("#section").select_option("health")
    page.get_by_label("The guidance page's title, or the service's name").fill("breathing")
    page.get_by_role("button", name="Add link").click()
    if page.get_by_text("Which one did you mean?").count():  # several pages say "breathing"
        page.get_by_label("Breathlessness and COPD", exact=False).check()
        page.get_by_role("button", name="Add link").click()
    expect(page.get_by_text("The link has been added to the plan.")).to_be_visible()

    # Rose sees it all: the note, the suggestion, the history and her access log.
    page = sign_in(browser, root, "resident@demo.portal.test")
    page.goto(plan)
    expect(page.get_by_text("The Breathe Easy group meets on Mondays.")).to_be_visible()
    expect(page.get_by_text("Suggested by Cal Careworker on")).to_be_visible()
    page.get_by_role("link", name="See the history of changes").click()
    expect(page.get_by_text("Cara Carer (daughter) for Rose Resident").first).to_be_visible()
    page.goto(f"{root}/account/activity")
    expect(page.get_by_text("Looked at your plan").first).to_be_visible()
    expect(page.get_by_text("Suggested something that may help you")).to_be_visible()
    page.goto(f"{plan}/emergency")
    expect(page.get_by_text("999, then Cara on 07700 900123")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator(".nhsuk-header")).to_be_hidden()
    expect(page.locator(".portal-print-running")).to_contain_text("Rose Resident")
    page.emulate_media(media="screen")

    for path in (f"/plans/{rose_id}", f"/plans/{rose_id}/history",
                 f"/plans/{rose_id}/sections/about_me/history",
                 f"/plans/{rose_id}/sections/about_me/difference?from=1&to=2",
                 f"/plans/{rose_id}/sections/goals", f"/plans/{rose_id}/print",
                 f"/plans/{rose_id}/emergency", f"/plans/{rose_id}/easy-read"):
        assert_accessible(page, root, path)
