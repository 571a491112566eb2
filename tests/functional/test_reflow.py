"""WCAG 1.4.10: pages reflow at 320 CSS pixels without scrolling sideways."""

import pytest

from tests.functional.conftest import DEMO_PASSWORD, sign_in

pytestmark = pytest.mark.browser

WIDE = "() => document.documentElement.scrollWidth"


def _overflow(page, url: str) -> int:
    page.goto(url)
    return int(page.evaluate(WIDE)) - 320


@pytest.mark.parametrize(("email", "urls"), [
    ("resident@demo.portal.test", ["/account/activity", "/account/data/summary"]),
    ("editor@demo.portal.test", ["/editor/"]),
    ("admin@demo.portal.test", ["/admin/audit"]),
])
def test_pages_reflow_at_320_pixels(browser, browser_context_args, base_url, email, urls):
    context = browser.new_context(**{**browser_context_args, "base_url": base_url,
                                     "viewport": {"width": 320, "height": 640}})
    page = context.new_page()
    sign_in(page, email, DEMO_PASSWORD)
    overflowing = {url: _overflow(page, url) for url in urls}
    context.close()
    assert {url: px for url, px in overflowing.items() if px > 0} == {}
