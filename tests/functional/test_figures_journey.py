"""The demo manager signs in (second factor included), finds the figures from the menu, reads
every page, filters one and downloads its CSV; axe-core finds nothing on any figures page, in
English and in Arabic (right to left)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.functional.conftest import DEMO_PASSWORD, axe_violations, sign_in

pytestmark = pytest.mark.browser

PAGES = ["/figures/", "/figures/carers", "/figures/messaging", "/figures/community-assets",
         "/figures/guidance", "/figures/use", "/figures/pulse"]


@pytest.mark.parametrize("language", ["en", "ar"])
def test_every_figures_page_has_no_axe_violations(page, language):
    page.goto(f"/language/{language}")
    sign_in(page, "manager@demo.portal.test", DEMO_PASSWORD)
    found = {}
    for path in PAGES:
        page.goto(path)
        expect(page.locator("h1")).to_have_count(1)
        found[path] = axe_violations(page)
    page.goto("/figures/carers?start=2026-13")
    found["/figures/carers (error)"] = axe_violations(page)
    assert {path: v for path, v in found.items() if v} == {}


def test_a_manager_filters_the_referrals_and_downloads_them(page):
    page.goto("/language/en")
    sign_in(page, "manager@demo.portal.test", DEMO_PASSWORD)
    page.get_by_role("link", name="Figures").first.click()
    page.get_by_role("link", name="Carer's assessments").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Carer's assessments")
    expect(page.get_by_role("table", name="Referrals per locality and month")).to_be_visible()
    expect(page.get_by_role("img", name="Referrals per month")).to_be_visible()
    page.get_by_text("Change the locality or period").click()
    page.get_by_label("Locality", exact=True).select_option(label="Torquay")
    page.get_by_role("button", name="Show figures").click()
    expect(page.get_by_text("Locality: Torquay.")).to_be_visible()
    table = page.get_by_role("table", name="Referrals per locality and month")
    expect(table.get_by_role("rowheader")).to_have_text(["Torquay", "Total"])
    with page.expect_download() as download:
        page.get_by_role("link", name="Download these figures as CSV").click()
    assert download.value.suggested_filename.startswith("figures-carers-")
    text = download.value.path().read_text(encoding="utf-8")
    assert text.startswith("Table,Row,Column,Value")
    assert "Torquay" in text and "Coastal" not in text


def test_figures_pages_reflow_at_320_pixels(browser, browser_context_args, base_url):
    """Wide tables scroll inside their own box; the page itself never scrolls sideways."""
    context = browser.new_context(**{**browser_context_args, "base_url": base_url,
                                     "viewport": {"width": 320, "height": 640}})
    page = context.new_page()
    sign_in(page, "manager@demo.portal.test", DEMO_PASSWORD)
    overflowing = {}
    for path in PAGES:
        page.goto(path)
        overflowing[path] = int(page.evaluate("() => document.documentElement.scrollWidth")) - 320
    context.close()
    assert {path: px for path, px in overflowing.items() if px > 0} == {}


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_resident_answers_the_pulse_on_a_closed_conversation(page, language):
    """The demo resident's closed conversation asks the "I" statements; one click answers one,
    without JavaScript needed (a plain form), and the page stays clean for axe."""
    page.goto(f"/language/{language}")
    sign_in(page, "resident@demo.portal.test", DEMO_PASSWORD)
    page.goto("/messages")
    page.get_by_role("link", name="Blue badge form").click()
    pulse = page.locator("section.portal-pulse")
    expect(pulse).to_be_visible()
    left = pulse.get_by_role("group").count()  # 3, less any answered in the other language
    assert left >= 1
    assert axe_violations(page) == []
    pulse.get_by_role("group").first.get_by_role("button").nth(3).click()  # "Agree"
    expect(page.locator("section.portal-pulse").get_by_role("group")).to_have_count(left - 1)
    assert axe_violations(page) == []
