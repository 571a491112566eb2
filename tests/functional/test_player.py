"""The guidance player's own captions button, for people who are not signed in."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

MODE = "document.querySelector('video').textTracks[0].mode"


def test_captions_are_on_after_pressing_our_button_and_stay_on(page):
    page.context.clear_cookies()
    page.goto("/guidance/loneliness-getting-connected")
    button = page.get_by_role("button", name="Captions on/off")
    expect(button).to_be_visible()
    expect(button).to_have_attribute("aria-pressed", "false")
    assert page.evaluate(MODE) != "showing"
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    assert page.evaluate(MODE) == "showing"
    page.evaluate("async () => { const v = document.querySelector('video'); v.muted = true;"
                  " await v.play(); }")
    page.wait_for_function("document.querySelector('video').textTracks[0].activeCues"
                           " && document.querySelector('video').textTracks[0].activeCues.length",
                           timeout=15_000)
    # at the top of the picture, clear of the "Urgent help" strip at the bottom
    assert page.evaluate("document.querySelector('video').textTracks[0].activeCues[0].line") == 0

    page.reload()  # the choice is kept in a cookie for people who are not signed in
    expect(page.locator("video track[kind=captions][default]")).to_have_count(1)
    expect(page.get_by_role("button", name="Captions on/off")).to_have_attribute(
        "aria-pressed", "true")
