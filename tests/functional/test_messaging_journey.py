"""Messaging in a real browser: Rose writes to her care team with a photo of her knee; Cal,
already looking at the team inbox, sees it appear without reloading, assigns it to himself and
replies with a guidance card; Rose reads the reply, the card and her photo. axe-core finds
nothing on the compose, thread and inbox pages, in English and Arabic."""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Iterator

import pytest
from PIL import Image
from playwright.sync_api import expect
from werkzeug.serving import make_server

from portal import create_app, demo, migrate
from portal.db import Database
from tests.conftest import app_overrides
from tests.functional.conftest import axe_violations, signed_in_window

pytestmark = pytest.mark.browser

SUBJECT = "Swelling after my knee operation"
BODY = "My knee is swollen and warm this morning. I have attached a photo."
REPLY = "Thank you, Rose. Keep it raised and we will call you this afternoon."


@pytest.fixture(scope="module")
def root(tmp_path_factory, smtp_sink) -> Iterator[str]:
    """A portal of its own with the demo loaded: Rose lives in Torquay and has agreed to
    message the Torquay care team, whose member Cal is."""
    folder = tmp_path_factory.mktemp("messaging-live")
    app = create_app(app_overrides(f"sqlite:///{folder / 'live.sqlite3'}", folder / "index",
                                   MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_sink.port))
    migrate.upgrade(Database.state(app).engine)
    with app.app_context():
        demo.load(Database.state(app).session())
        Database.state(app).session().commit()
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        thread.join(timeout=5)
        Database.state(app).engine.dispose()


def sign_in(browser, root: str, email: str):  # type: ignore[no-untyped-def]
    return signed_in_window(browser, root, email)


def assert_accessible(page, root: str, path: str) -> None:  # type: ignore[no-untyped-def]
    for language in ("en", "ar"):
        page.goto(f"{root}/language/{language}?next={path}")
        page.goto(f"{root}{path}")
        if language == "ar":
            expect(page.locator("html")).to_have_attribute("dir", "rtl")
        assert axe_violations(page) == [], (language, path)
    page.goto(f"{root}/language/en?next={path}")


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (200, 120, 110)).save(out, "JPEG")
    return out.getvalue()


def test_resident_writes_with_a_photo_worker_assigns_and_replies(browser, root):
    # Cal is already looking at the team inbox.
    cal = sign_in(browser, root, "careworker@demo.portal.test")
    cal.goto(f"{root}/inbox")
    expect(cal.get_by_role("heading", level=1)).to_have_text("Team inbox")
    expect(cal.get_by_role("link", name=SUBJECT)).to_have_count(0)

    # Rose writes to her care team and attaches a photo of her knee.
    rose = sign_in(browser, root, "resident@demo.portal.test")
    assert_accessible(rose, root, "/messages/new")
    rose.goto(f"{root}/messages")
    rose.get_by_role("link", name="Write a new message").click()
    expect(rose.get_by_role("heading", level=1)).to_have_text("Write to your care team")
    expect(rose.locator("#emergency-notice")).to_contain_text("In an emergency call 999")
    rose.get_by_label("Subject").fill(SUBJECT)
    rose.get_by_label("Your message").fill(BODY)
    rose.locator("#attachments").set_input_files(
        files=[{"name": "knee.jpg", "mimeType": "image/jpeg", "buffer": _photo()}])
    rose.get_by_role("button", name="Send message").click()
    expect(rose.get_by_text("Your message has been sent.")).to_be_visible()
    expect(rose.get_by_role("heading", level=1)).to_have_text(SUBJECT)
    thread_path = rose.url.removeprefix(root)
    assert thread_path.startswith("/messages/")
    expect(rose.get_by_role("link", name="knee.jpg")).to_be_visible()
    assert_accessible(rose, root, thread_path)

    # It appears in Cal's inbox without him reloading the page (the inbox polls).
    expect(cal.get_by_role("link", name=SUBJECT)).to_be_visible(timeout=30_000)
    expect(cal.locator("#inbox-live")).to_have_text("The inbox has new messages.")
    assert_accessible(cal, root, "/inbox")
    cal.goto(f"{root}/inbox?show=unassigned")
    cal.get_by_role("link", name=SUBJECT).click()
    expect(cal.get_by_text(BODY)).to_be_visible()
    expect(cal.get_by_role("link", name="knee.jpg")).to_be_visible()

    # He takes it and replies.
    cal.get_by_role("button", name="Assign to me").click()
    expect(cal.get_by_text("Assigned to Cal Careworker.")).to_be_visible()
    cal.goto(f"{root}/inbox?show=mine")
    cal.get_by_role("link", name=SUBJECT).click()
    assert_accessible(cal, root, thread_path)
    cal.get_by_label("Your reply").fill(REPLY)
    # A saved response goes at the end of what he typed, without a reload.
    cal.get_by_text("Saved responses").click()
    cal.get_by_role("button", name="Add to your reply").first.click()
    expect(cal.get_by_label("Your reply")).to_have_value(re.compile(
        re.escape(REPLY) + r"\n\nThank you for your message\. We are looking into this"))
    assert cal.url.endswith(thread_path)
    guidance = cal.locator("#guidance option").nth(1)  # the first approved guidance page
    card_title = guidance.inner_text().strip()
    cal.locator("#guidance").select_option(guidance.get_attribute("value"))
    cal.get_by_role("button", name="Send reply").click()
    expect(cal.get_by_text("Your message has been sent.")).to_be_visible()
    expect(cal.locator("#messages")).to_contain_text(REPLY)
    cal.goto(f"{root}/inbox?show=waiting-for-them")
    expect(cal.get_by_role("link", name=SUBJECT)).to_be_visible()

    # Rose reads the reply: her message shows it was replied to, her photo is still there.
    rose.goto(f"{root}/messages")
    rose.get_by_role("link", name=SUBJECT).click()
    messages = rose.locator("#messages")
    expect(messages).to_contain_text(REPLY)
    expect(messages).to_contain_text("Cal Careworker")
    card = messages.locator(".portal-card a")
    expect(card).to_have_text(card_title)
    assert card.get_attribute("href").startswith("/guidance/")
    expect(messages.locator(".portal-message--person .portal-message__status")
           ).to_have_text("Replied")
    photo = rose.get_by_role("link", name="knee.jpg")
    response = rose.request.get(root + photo.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "image/jpeg"
    assert Image.open(io.BytesIO(response.body())).size == (320, 240)
    assert_accessible(rose, root, "/messages")
    assert_accessible(rose, root, thread_path)


CARER_SUBJECT = "Mum's new tablets"
CARER_BODY = "Mum has been dizzy since starting the new tablets on Monday."


def test_a_carer_writes_for_her_mother_and_the_thread_says_so(browser, root):
    """Cara may message Rose's team for her (Rose gave her that right) and see Rose's plan,
    but not change it: exactly the rights she was given."""
    cara = sign_in(browser, root, "carer@demo.portal.test")
    cara.goto(f"{root}/messages")
    cara.get_by_role("link", name="Write a new message for Rose Resident").click()
    cara.get_by_label("Subject").fill(CARER_SUBJECT)
    cara.get_by_label("Your message").fill(CARER_BODY)
    cara.get_by_role("button", name="Send message").click()
    expect(cara.get_by_text("Your message has been sent.")).to_be_visible()
    thread_path = cara.url.removeprefix(root)
    expect(cara.get_by_role("heading", level=1)).to_have_text(CARER_SUBJECT)
    said_so = "Cara Carer (daughter) for Rose Resident"
    expect(cara.locator("#messages")).to_contain_text(said_so)
    assert_accessible(cara, root, thread_path)

    # Cal sees in the team inbox who wrote, and for whom.
    cal = sign_in(browser, root, "careworker@demo.portal.test")
    cal.goto(f"{root}/inbox?show=unassigned")
    cal.get_by_role("link", name=CARER_SUBJECT).click()
    expect(cal.locator("#messages")).to_contain_text(said_so)
    expect(cal.get_by_text(CARER_BODY)).to_be_visible()
    rose_plan = cal.get_by_role("link", name="Open Rose Resident\u2019s plan").get_attribute("href")

    # Her rights are what Rose gave: she reads the plan, she cannot change it.
    cara.goto(f"{root}{rose_plan}")
    expect(cara.get_by_role("heading", level=1)).to_contain_text("Rose")
    expect(cara.locator(f"a[href='{rose_plan}/sections/about_me']")).to_have_count(0)
    edit = cara.request.get(f"{root}{rose_plan}/sections/about_me")
    assert edit.status in (403, 404)

    # Rose sees the conversation among her own, written for her.
    rose = sign_in(browser, root, "resident@demo.portal.test")
    rose.goto(f"{root}/messages")
    rose.get_by_role("link", name=CARER_SUBJECT).click()
    expect(rose.locator("#messages")).to_contain_text(said_so)
