"""Issue 15 in a real browser: the filters on a phone and the keyboard path to the results,
the phone home page, the editor's "Add another" and preview without JavaScript, the video
poster; each changed page axe-clean in English and Arabic and reflowing at 320 pixels."""

import re

import pytest
from playwright.sync_api import expect

from tests.functional.conftest import DEMO_PASSWORD, axe_violations, sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
FOCUSED = "() => document.activeElement ? document.activeElement.outerHTML.slice(0, 200) : ''"
FIRST_RESULT = ("() => document.activeElement === "
                "document.querySelector('.portal-result__name a')")


def _window(browser, browser_context_args, base_url, *, width=390, height=844,
            javascript=True):
    context = browser.new_context(**{**browser_context_args, "base_url": base_url,
                                     "viewport": {"width": width, "height": height},
                                     "java_script_enabled": javascript})
    return context, context.new_page()


def test_filters_on_a_phone_are_short_offer_only_what_finds_something(
        browser, browser_context_args, base_url):
    context, page = _window(browser, browser_context_args, base_url)
    page.goto("/services?q=befriending&postcode=TQ1+1AA")
    page.get_by_text("Filter and sort results").click()
    panel = page.locator("details.portal-filters")
    height = panel.evaluate("el => el.getBoundingClientRect().height")
    labels = page.locator("details.portal-filters label").all_inner_texts()
    context.close()
    assert height < 1500, height
    assert labels and not [label for label in labels if label.endswith("(0)")]


def test_a_keyboard_user_applies_filters_and_reaches_the_first_result_in_three_tabs(
        browser, browser_context_args, base_url):
    context, page = _window(browser, browser_context_args, base_url)
    page.goto("/services?q=befriending&postcode=TQ1+1AA")
    page.locator("details.portal-filters > summary").focus()
    page.keyboard.press("Enter")  # open "Filter and sort results"
    day = page.locator("details.portal-filter-group > summary", has_text="Day of the week")
    day.focus()
    page.keyboard.press("Enter")
    page.get_by_label(re.compile(r"^Saturday \(\d+\)$")).focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Apply filters").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"day=SA.*#filtered$"))
    expect(page.get_by_text("Filtered by: Saturday")).to_be_visible()
    presses = 0
    while presses < 3 and not page.evaluate(FIRST_RESULT):
        page.keyboard.press("Tab")
        presses += 1
    reached, where = page.evaluate(FIRST_RESULT), page.evaluate(FOCUSED)
    context.close()
    assert reached, (presses, where)


def test_the_phone_home_page_starts_with_search_and_shows_health_guidance(
        browser, browser_context_args, base_url):
    context, page = _window(browser, browser_context_args, base_url)
    page.goto("/")
    first_field = page.locator("main input, main a, main button").first
    expect(first_field).to_have_attribute("type", "search")
    guidance = page.locator(".nhsuk-header__navigation-list > li:not([hidden]) a",
                            has_text="Health guidance")
    expect(guidance).to_be_visible()
    page.get_by_label("Search services and health guidance").fill("lonely")
    page.get_by_label("Search services and health guidance").press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=lonely"))
    context.close()


def test_the_editor_adds_a_phone_and_previews_without_javascript(
        browser, browser_context_args, base_url):
    context, page = _window(browser, browser_context_args, base_url, width=1024, height=900,
                            javascript=False)
    sign_in(page, "editor@demo.portal.test", DEMO_PASSWORD)
    page.goto("/editor/")
    page.locator("main a", has_text=re.compile(r"^Change ")).first.click()
    expect(page.locator("fieldset[id^=phones-]")).to_have_count(
        page.locator("fieldset[id^=phones-]").count())
    phones = page.locator("fieldset[id^=phones-]").count()
    assert 1 <= phones < 3  # the blocks in use (at least one), not all three empty
    page.get_by_label("Name of the service").fill("A name typed before adding")
    page.get_by_role("button", name="Add another phone number").click()
    expect(page.locator("fieldset[id^=phones-]")).to_have_count(phones + 1)
    expect(page.get_by_label("Name of the service")).to_have_value("A name typed before adding")
    assert page.url.endswith(f"#phones-{phones}-block")
    page.locator(f"#phones-{phones}-number").fill("01803 555999")
    page.get_by_role("button", name="Preview the listing").click()
    preview = page.locator("#preview")
    expect(preview).to_contain_text("A name typed before adding")
    expect(preview.locator("a[href='tel:01803555999']")).to_have_count(1)
    expect(page.locator(f"#phones-{phones}-number")).to_have_value("01803 555999")
    context.close()


def test_each_video_has_its_poster(page):
    page.goto("/guidance/falls-prevention")
    poster = page.locator("video").get_attribute("poster")
    assert poster and re.fullmatch(r"/guidance/media/[0-9a-f]{64}\.jpg", poster)
    assert page.request.get(poster).status == 200
    loaded = page.evaluate("async (src) => { const i = new Image(); i.src = src;"
                           " await i.decode(); return [i.naturalWidth, i.naturalHeight]; }",
                           poster)
    assert loaded == [640, 360]


def _editor_preview(page):
    page.goto("/editor/")
    page.locator("main a", has_text=re.compile(r"^(Change|تغيير|Zmień)")).first.click()
    page.locator("button[name=add][value=schedules]").click()
    page.locator("button[name=preview]").click()
    expect(page.locator("#preview")).to_have_count(1)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_changed_pages_have_no_axe_violations(page, language):
    page.goto(f"/language/{language}")
    found = {}
    page.goto("/")
    found["home"] = axe_violations(page)
    page.goto("/services?q=befriending&postcode=TQ1+1AA&day=SA")
    page.locator("details.portal-filters > summary").click()
    found["results with filters open"] = axe_violations(page)
    page.goto("/services?age=abc")
    found["filters with a problem"] = axe_violations(page)
    page.goto("/guidance/falls-prevention")
    found["guidance with poster"] = axe_violations(page)
    page.goto("/guidance/loneliness-getting-connected")
    found["guidance translated"] = axe_violations(page)
    page.goto("/guidance/loneliness-getting-connected/watch")
    found["video translated"] = axe_violations(page)
    sign_in(page, "editor@demo.portal.test", DEMO_PASSWORD)
    _editor_preview(page)
    found["editor preview"] = axe_violations(page)
    assert {name: v for name, v in found.items() if v} == {}


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_changed_pages_reflow_at_320_pixels(browser, browser_context_args, base_url,
                                                language):
    context, page = _window(browser, browser_context_args, base_url, width=320, height=640)
    page.goto(f"/language/{language}")
    wide = {}
    for url in ("/", "/services?q=befriending&postcode=TQ1+1AA", "/guidance/falls-prevention",
                "/guidance/eating-well"):
        page.goto(url)
        if url.startswith("/services"):
            page.locator("details.portal-filters > summary").click()
            for summary in page.locator("details.portal-filter-group > summary").all():
                summary.click()
        wide[url] = page.evaluate("() => document.documentElement.scrollWidth") - 320
    sign_in(page, "editor@demo.portal.test", DEMO_PASSWORD)
    _editor_preview(page)
    wide["editor preview"] = page.evaluate("() => document.documentElement.scrollWidth") - 320
    context.close()
    assert {url: px for url, px in wide.items() if px > 0} == {}


@pytest.mark.parametrize(("language", "words"), [("pl", "Samotność"), ("ar", "الشعور بالوحدة")])
def test_captions_in_the_readers_language_are_on_after_pressing_our_button(
        browser, browser_context_args, base_url, language, words):
    context, page = _window(browser, browser_context_args, base_url, width=1024, height=800)
    page.goto(f"/language/{language}")
    page.goto("/guidance/loneliness-getting-connected")
    expect(page.locator("h1")).to_contain_text(words)
    page.locator("button.portal-player__captions").click()
    showing = page.evaluate("() => Array.from(document.querySelector('video').textTracks)"
                            ".filter(t => t.mode === 'showing').map(t => t.language)")
    context.close()
    assert showing == [language]
