"""In a real browser: an editor moves a group from the second to the first Saturday of the
month, the moderator sees it in the difference, and once published the listing page and the
API agree. ("Open now" on that Saturday, which needs a fixed clock, is checked over HTTP in
tests/integration/test_schedule_journey.py.)"""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.functional.conftest import DEMO_PASSWORD, sign_in

pytestmark = pytest.mark.browser

GROUP = re.compile(r"^Change (Torquay Saturday Social.*)$")
SATURDAY = 5  # index of Saturday in the days checkboxes, Monday first
MONTHLY, FIRST, SECOND = 1, 0, 1  # option indexes: how often, weeks of the month


def _first_saturday_from(today: date) -> date:
    day = today.replace(day=1)
    while True:
        first = day + timedelta(days=(5 - day.weekday()) % 7)
        if first >= today:
            return first
        day = (day + timedelta(days=32)).replace(day=1)


def _edit_weeks(page, check: int, uncheck: int | None) -> tuple[str, str]:
    page.goto("/editor/")
    link = page.get_by_role("link", name=GROUP).first
    name = GROUP.match(re.sub(r"\s+", " ", link.inner_text()).strip()).group(1)
    service_id = (link.get_attribute("href") or "").split("/")[-2]
    link.click()
    page.locator(f"#schedules-0-kind-{MONTHLY}").check()
    for day in range(7):
        page.locator(f"#schedules-0-days-{day}").set_checked(day == SATURDAY)
    if uncheck is not None:
        page.locator(f"#schedules-0-weeks-{uncheck}").uncheck()
    page.locator(f"#schedules-0-weeks-{check}").check()
    page.get_by_role("button", name="Send for review").click()
    expect(page.get_by_text(re.compile("sent for review", re.I)).first).to_be_visible()
    return name, service_id


def _publish(moderator, name: str) -> None:
    moderator.goto("/moderation/")
    moderator.get_by_role("link", name=name).first.click()
    moderator.get_by_role("button", name="Publish").click()
    expect(moderator.get_by_role("heading", level=1)).to_be_visible()


def test_second_to_first_saturday_in_the_browser(page, browser, browser_context_args, base_url):
    sign_in(page, "editor@demo.portal.test", DEMO_PASSWORD)
    context = browser.new_context(**{**browser_context_args, "base_url": base_url})
    moderator = context.new_page()
    sign_in(moderator, "moderator@demo.portal.test", DEMO_PASSWORD)

    name, service_id = _edit_weeks(page, SECOND, None)
    _publish(moderator, name)
    name, service_id = _edit_weeks(page, FIRST, SECOND)

    moderator.goto("/moderation/")
    moderator.get_by_role("link", name=name).first.click()
    expect(moderator.get_by_text(re.compile(r"^Second Saturday of the month, ")).first).to_be_visible()
    expect(moderator.get_by_text(re.compile(r"^First Saturday of the month, ")).first).to_be_visible()
    moderator.get_by_role("button", name="Publish").click()
    context.close()

    page.goto(f"/services/{service_id}")
    first = _first_saturday_from(date.today())
    expect(page.locator(".portal-next-session")).to_contain_text(
        f"Next: Saturday {first.day} {first:%B}")
    expect(page.get_by_text(re.compile(r"^First Saturday of the month, ")).first).to_be_visible()
    expect(page.get_by_text("Second Saturday of the month")).to_have_count(0)
    exported = page.request.get(f"/api/services/{service_id}").json()
    assert [(s["freq"], s["byday"]) for s in exported["schedules"]] == [("MONTHLY", "1SA")]
