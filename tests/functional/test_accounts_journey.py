import re

import pytest
from playwright.sync_api import expect

from tests.functional.conftest import (
    DEMO_PASSWORD,
    axe_violations,
    fresh_demo_code,
    register,
    sign_in,
)

pytestmark = pytest.mark.browser


def test_register_sign_out_sign_in_switch_to_arabic_and_sign_out(page, smtp_sink):
    page.goto("/")
    page.get_by_role("link", name="Create an account").first.click()
    register(page, smtp_sink, "Margaret Example", "margaret@example.com")
    page.goto("/account/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    expect(page.get_by_text("Margaret Example")).to_be_visible()

    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()

    sign_in(page, "margaret@example.com", "tea by the harbour")
    expect(page.get_by_text("You are signed in.")).to_be_visible()

    page.get_by_role("link", name="العربية").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")

    page.locator("button.nhsuk-header__account-button").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_role("link", name=re.compile("تسجيل الدخول"))).to_be_visible()


def test_register_with_empty_form_shows_error_summary_and_focuses_it(page):
    page.goto("/account/register")
    page.get_by_role("button", name="Create account").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    summary.get_by_role("link", name="Enter your name").click()
    expect(page.get_by_label("Your name")).to_be_focused()


PUBLIC_PAGES = ["/", "/account/sign-in", "/account/register", "/account/register/check-your-email",
                "/accessibility", "/no-such-page",
                "/account/password-reset", "/account/password-reset/expired-token",
                "/search", "/search?q=short+of+breath"]
RESIDENT_PAGES = ["/account/", "/account/details", "/account/details/edit", "/account/activity",
                  "/account/data", "/account/data/summary", "/account/password", "/account/email",
                  "/account/two-factor/setup", "/account/delete"]
ADMIN_PAGES = ["/admin/users", "/admin/users/1", "/admin/users/1/details", "/admin/audit"]


@pytest.mark.parametrize("language", ["en", "ar"])
def test_every_page_has_no_axe_violations(page, language):
    page.goto(f"/language/{language}")
    found = {}
    for path in PUBLIC_PAGES:
        page.goto(path)
        found[path] = axe_violations(page)
    page.goto("/account/register")
    page.locator("form button[type=submit]").last.click()
    found["/account/register (errors)"] = axe_violations(page)

    sign_in(page, "resident@demo.portal.test", DEMO_PASSWORD)
    for path in RESIDENT_PAGES:
        page.goto(path)
        found[path] = axe_violations(page)
    page.locator("button.nhsuk-header__account-button").click()

    sign_in(page, "admin@demo.portal.test", DEMO_PASSWORD)
    for path in ADMIN_PAGES:
        page.goto(path)
        found[path] = axe_violations(page)
    # The details themselves come after a reason is given (the page above is the reason form).
    page.goto("/admin/users/1/details")
    page.locator("#purpose-0").check()
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    found["/admin/users/1/details (after the reason)"] = axe_violations(page)
    assert {path: v for path, v in found.items() if v} == {}


def test_care_worker_signs_in_with_the_authenticator_code(page):
    page.goto("/account/sign-in")
    page.get_by_label("Email address").fill("careworker@demo.portal.test")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your security code")
    page.get_by_label("Security code").fill(fresh_demo_code())
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("You are signed in.")).to_be_visible()
    assert page.url.endswith("/inbox")  # staff land on their own queue
    page.goto("/account/")
    expect(page.get_by_text("Torquay Community Care Team (demo)")).to_be_visible()


def test_pages_fit_a_phone_screen_without_sideways_scrolling(page):
    page.set_viewport_size({"width": 320, "height": 640})
    for path in PUBLIC_PAGES:
        page.goto(path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, path
