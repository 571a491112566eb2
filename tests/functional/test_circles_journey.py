"""Care circles in a real browser: a resident gives her Torquay postcode and sees her team,
consents to share with it, invites her daughter; the daughter registers and accepts with
"see my plan" and "message my team", acts for her mother; the mother sees her on "who can see
my records" and revokes her; the daughter's next click is refused. axe-core finds nothing on
the new pages, in English and Arabic."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.functional.conftest import DEMO_PASSWORD, axe_violations, register, sign_in

pytestmark = pytest.mark.browser


def test_resident_finds_her_team_consents_invites_her_daughter_and_revokes_her(
        page, browser, base_url, smtp_sink):
    page.goto("/account/register")
    register(page, smtp_sink, "Tess Evans", "tess@example.com")
    page.goto("/account/details/edit")
    page.get_by_label("Address line 1").fill("3 Abbey Road")
    page.get_by_label("Town or city").fill("Torquay")
    page.get_by_label("Postcode").fill("TQ1 1AA")
    page.get_by_role("button", name="Save details").click()
    expect(page.get_by_text("Your details have been saved.")).to_be_visible()
    page.goto("/account/team")
    expect(page.get_by_text("Torquay Community Care Team (demo)")).to_be_visible()
    expect(page.get_by_text("01803 000 100")).to_be_visible()
    page.locator("form:has(input[name=purpose][value=plan]) button").click()
    expect(page.get_by_text("You are now sharing this with your care team.")).to_be_visible()
    page.locator("form:has(input[name=purpose][value=messaging]) button").click()
    expect(page.get_by_role("button", name="Stop sharing")).to_have_count(2)

    smtp_sink.clear()
    page.goto("/account/carers/invite")
    page.get_by_label("Email address").fill("jane@example.com")
    page.get_by_label("How they are related to you").fill("daughter")
    page.get_by_label("See my plan").check()
    page.get_by_label("Message my care team for me").check()
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("We have sent the invitation. It lasts 7 days.")).to_be_visible()
    [mail] = [m for m in smtp_sink.messages if m["To"] == "jane@example.com"]
    link = re.search(r"https?://[^/\s]+(/carers/invitation/\S+)", mail.get_content()).group(1)

    daughter = browser.new_context(base_url=base_url, locale="en-GB", bypass_csp=True)
    jane = daughter.new_page()
    jane.goto(link)
    expect(jane.get_by_text("Tess Evans has invited you to help them")).to_be_visible()
    jane.locator("#maincontent").get_by_role("link", name="Create an account").click()
    register(jane, smtp_sink, "Jane Evans", "jane@example.com")
    jane.get_by_role("button", name="Accept the invitation").click()
    expect(jane.get_by_role("heading", level=1)).to_have_text("People you care for")
    jane.get_by_role("button", name="Act for Tess Evans").click()
    expect(jane.get_by_role("link", name="Acting for Tess Evans")).to_be_visible()
    jane.get_by_role("link", name="See Tess Evans's plan").click()
    expect(jane.get_by_role("heading", level=1)).to_contain_text("Tess Evans")

    page.goto("/account/access")
    expect(page.get_by_text("Jane Evans (daughter)").first).to_be_visible()
    log = page.locator("table", has=page.get_by_text("Who has looked at your records"))
    expect(log.locator("tbody tr").first).to_contain_text("Jane Evans")
    expect(page.get_by_text("See my plan")).to_be_visible()
    page.get_by_role("button", name="End Jane Evans's access now").click()
    expect(page.get_by_text("Their access has ended.")).to_be_visible()

    jane.get_by_role("link", name="Acting for Tess Evans").click()
    expect(jane.get_by_text("Nobody has given you access to help them yet.")).to_be_visible()
    expect(jane.get_by_role("link", name="Acting for Tess Evans")).to_have_count(0)
    daughter.close()


@pytest.mark.parametrize("language", ["en", "ar"])
def test_circles_pages_have_no_axe_violations(page, language):
    found = {}
    sign_in(page, "resident@demo.portal.test", DEMO_PASSWORD)
    page.goto(f"/language/{language}")
    for path in ("/account/team", "/account/access", "/account/carers/invite", "/carers",
                 "/carers/ask", "/carers/invitation/not-a-real-token"):
        page.goto(path)
        found[path] = axe_violations(page)
    page.goto("/account/carers/invite")
    page.locator("main form button[type=submit]").click()
    found["/account/carers/invite (errors)"] = axe_violations(page)
    assert {path: v for path, v in found.items() if v} == {}


@pytest.mark.parametrize("language", ["en", "ar"])
def test_care_worker_opens_shared_personal_details_without_axe_violations(page, language):
    # Rose (the demo resident) shares every purpose with the Torquay team, details included.
    sign_in(page, "careworker@demo.portal.test", DEMO_PASSWORD)
    page.goto(f"/language/{language}")
    page.goto("/team")
    found = {"/team": axe_violations(page)}
    page.locator("a[href^='/people/'][href$='/details']").first.click()
    page.wait_for_url("**/people/*/details")
    expect(page.locator("h1")).to_have_count(1)
    found["/people/<id>/details"] = axe_violations(page)
    assert {path: v for path, v in found.items() if v} == {}
