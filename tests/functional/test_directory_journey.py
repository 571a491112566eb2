"""The directory in a real browser: a resident's search, and an edit going through moderation."""

import re

import pytest
from playwright.sync_api import expect

from tests.functional.conftest import DEMO_PASSWORD, axe_violations, sign_in

pytestmark = pytest.mark.browser

SATURDAY_GROUP = "Torquay Saturday Social"


def _search(page, words: str, postcode: str) -> None:
    page.goto("/services")
    page.get_by_label("What are you looking for?").fill(words)
    page.get_by_label("Postcode (optional)").fill(postcode)
    page.get_by_role("button", name="Search", exact=True).click()


def test_resident_finds_a_saturday_group_near_torquay_and_reports_a_problem(page, smtp_sink):
    _search(page, "befriending", "tq1 1aa")
    expect(page.get_by_text(re.compile(r"\d+ services found near TQ1 1AA"))).to_be_visible()
    page.get_by_text("Filter and sort results").click()
    page.locator("details.portal-filter-group > summary", has_text="Day of the week").click()
    page.get_by_label(re.compile(r"^Saturday \(\d+\)$")).check()
    page.locator("details.portal-filter-group > summary", has_text="Cost").click()
    page.get_by_label(re.compile(r"^Free of charge \(\d+\)$")).check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_text("Filtered by: Saturday, Free of charge")).to_be_visible()

    page.get_by_role("link", name=SATURDAY_GROUP).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(SATURDAY_GROUP)
    page.get_by_role("link", name="Report a problem with this listing").click()
    page.get_by_label("What is wrong with this listing?").fill(
        "The group now meets at 11am, not 10am.")
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your report has been sent")


def test_editor_change_is_approved_by_a_moderator_and_shows_in_search(page):
    sign_in(page, "editor@demo.portal.test", DEMO_PASSWORD)
    page.goto("/editor/")
    page.get_by_role("link", name=f"Change {SATURDAY_GROUP}").click()
    page.get_by_label("Name of the service").fill("Torquay Saturday Social and Sing-along")
    page.get_by_role("button", name="Send for review").click()
    expect(page.get_by_text(re.compile("sent for review", re.I)).first).to_be_visible()
    page.locator("button.nhsuk-header__account-button").click()

    sign_in(page, "moderator@demo.portal.test", DEMO_PASSWORD)
    page.goto("/moderation/")
    page.get_by_role("link", name=SATURDAY_GROUP).first.click()
    expect(page.get_by_text("Torquay Saturday Social and Sing-along").first).to_be_visible()
    page.get_by_role("button", name="Publish").click()
    page.locator("button.nhsuk-header__account-button").click()

    _search(page, "sing-along", "TQ1 1AA")
    expect(page.get_by_role("link", name="Torquay Saturday Social and Sing-along")).to_be_visible()


@pytest.mark.parametrize("language", ["en", "ar"])
def test_directory_pages_have_no_axe_violations(page, language):
    page.goto(f"/language/{language}")
    found = {}
    page.goto("/services?q=befriending&postcode=TQ1+1AA&day=SA&cost=free")
    found["results"] = axe_violations(page)
    page.goto("/services?q=befreinding")
    found["did you mean"] = axe_violations(page)
    page.goto("/services?postcode=ZZ99+9ZZ")
    found["unknown postcode"] = axe_violations(page)
    page.locator("main a[href^='/services/']").first.click() if page.locator(
        "main a[href^='/services/']").count() else page.goto("/services?q=lunch")
    page.locator("main a[href^='/services/']").first.click()
    found["service"] = axe_violations(page)
    page.goto(page.url + "/report")
    found["report"] = axe_violations(page)

    sign_in(page, "editor@demo.portal.test", DEMO_PASSWORD)
    page.goto("/editor/")
    found["editor home"] = axe_violations(page)
    page.locator("main a", has_text=re.compile(r"^(Change|تغيير|Zmień)")).first.click()
    found["editor form"] = axe_violations(page)
    page.locator("button.nhsuk-header__account-button").click()

    sign_in(page, "moderator@demo.portal.test", DEMO_PASSWORD)
    page.goto("/moderation/")
    found["moderation queue"] = axe_violations(page)
    page.locator("main table a").first.click()
    found["moderation review"] = axe_violations(page)
    assert {name: v for name, v in found.items() if v} == {}
