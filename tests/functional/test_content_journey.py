"""Guidance in a real browser: an author drafts, a different approver approves, a resident
finds it by searching "short of breath" and plays the video with captions on, a care worker
recommends it and she sees it on her home page; axe-core finds nothing on the library, item,
player and authoring pages, in English and Arabic."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.functional.conftest import DEMO_PASSWORD, axe_violations
from tests.functional.conftest import sign_in as shared_sign_in

pytestmark = pytest.mark.browser

NEW_TITLE = "Breathlessness and COPD: breathing easier day to day"


def sign_in(page, email: str) -> None:  # type: ignore[no-untyped-def]
    shared_sign_in(page, email, DEMO_PASSWORD)


def sign_out(page) -> None:  # type: ignore[no-untyped-def]
    page.locator("button.nhsuk-header__account-button").click()


def test_author_drafts_approver_approves_resident_watches_care_worker_recommends(page):
    # An author starts a new draft of the breathlessness page (the approved one stays live).
    sign_in(page, "author@demo.portal.test")
    page.get_by_role("link", name="Write guidance").click()
    page.get_by_role("link", name="Breathlessness and COPD: breathing easier").click()
    page.get_by_role("link", name="Start a new draft").click()
    page.get_by_label("Title").fill(NEW_TITLE)
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", name="Preview of the page text")).to_be_visible()
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Your draft has been saved.")).to_be_visible()
    page.get_by_role("button", name="Send the draft for approval").click()
    expect(page.get_by_text("Your draft has been sent for approval.")).to_be_visible()
    sign_out(page)

    # A different person, a clinical approver, approves that exact version.
    sign_in(page, "approver@demo.portal.test")
    page.get_by_role("link", name="Approve guidance").click()
    page.get_by_role("link", name=NEW_TITLE).click()
    page.get_by_label("In 12 months").check()
    page.get_by_role("button", name="Approve this version").click()
    expect(page.get_by_text("Version 2 is approved and residents can now see it.")).to_be_visible()
    sign_out(page)

    # The resident turns captions on, finds the page by searching, and plays the video.
    sign_in(page, "resident@demo.portal.test")
    page.goto("/guidance/settings")
    page.get_by_label("Yes").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your video settings have been saved.")).to_be_visible()
    page.get_by_role("link", name="Health guidance").first.click()
    page.get_by_label("Search health guidance").fill("short of breath")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=NEW_TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NEW_TITLE)
    video = page.locator("video")
    expect(video.locator("track[kind=captions][default]")).to_have_count(1)
    page.evaluate("async () => { const v = document.querySelector('video'); v.muted = true;"
                  " await v.play(); }")
    page.wait_for_function("document.querySelector('video').currentTime > 1", timeout=15_000)
    assert page.evaluate("document.querySelector('video').textTracks[0].mode") == "showing"
    assert page.evaluate("document.querySelector('video').textTracks[0].cues.length") > 3
    sign_out(page)

    # A care worker recommends it to her; she sees it on her home page.
    sign_in(page, "careworker@demo.portal.test")
    page.goto("/guidance/breathlessness-copd")
    page.get_by_role("link", name="Recommend this page to someone you support").click()
    page.get_by_label("Rose Resident").check()  # picked from the team's list, never typed
    page.get_by_role("button", name="Recommend").click()
    expect(page.get_by_text(f"You recommended “{NEW_TITLE}” to Rose Resident.")).to_be_visible()
    sign_out(page)

    sign_in(page, "resident@demo.portal.test")
    page.goto("/")
    section = page.locator("section.portal-recommended")
    expect(section.get_by_role("heading", name="Recommended for you")).to_be_visible()
    expect(section.get_by_role("link", name=NEW_TITLE)).to_be_visible()
    expect(section).to_contain_text("Recommended by Cal Careworker on")


RESIDENT_PAGES = ["/guidance/", "/guidance/topics/long-term-conditions", "/guidance/conditions/copd",
                  "/guidance/search?q=short+of+breath", "/guidance/search?q=zzzqqq",
                  "/guidance/staying-well-in-winter", "/guidance/breathlessness-copd",
                  "/guidance/breathlessness-copd/watch", "/guidance/falls-prevention/easy-read",
                  "/guidance/settings"]
AUTHOR_PAGES = ["/guidance/manage/", "/guidance/manage/new", "/guidance/manage/eating-well",
                "/guidance/manage/eating-well/edit"]


@pytest.mark.parametrize("language", ["en", "ar"])
def test_guidance_pages_have_no_axe_violations(page, language):
    page.goto(f"/language/{language}")
    found = {}
    sign_in(page, "resident@demo.portal.test")
    for path in RESIDENT_PAGES:
        page.goto(path)
        found[path] = axe_violations(page)
    page.goto("/guidance/breathlessness-copd")
    page.locator("#feedback form button[type=submit]").click()  # no answer: the error summary
    found["feedback errors"] = axe_violations(page)
    sign_out(page)

    sign_in(page, "author@demo.portal.test")
    for path in AUTHOR_PAGES:
        page.goto(path)
        found[path] = axe_violations(page)
    page.locator("main form button[value=preview]").click()
    found["edit with preview"] = axe_violations(page)
    page.locator("main form button[value=save]").click()
    page.locator("main form[action$='/submit'] button").click()
    sign_out(page)

    sign_in(page, "approver@demo.portal.test")
    page.goto("/guidance/approvals/")
    found["/guidance/approvals/"] = axe_violations(page)
    page.locator("main a[href*='/guidance/approvals/']").first.click()
    found["review"] = axe_violations(page)
    page.goto("/guidance/manage/staying-well-in-winter")
    found["staff item"] = axe_violations(page)
    sign_out(page)
    assert {path: v for path, v in found.items() if v} == {}
