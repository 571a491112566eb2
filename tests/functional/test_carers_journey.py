"""The carer's assessment form in a real browser.

A guest carer fills it in with the keyboard only, saves halfway, comes back from the emailed
link on another device, sends it and gets a reference; the Torquay care worker finds it among
the urgent requests at the top of the queue and moves it to "contact made". A signed-in carer
sees their request's status change. axe-core finds nothing on any page of the form (a guest's,
and a signed-in carer's pages for saving to the account), in English and in Arabic (right to
left).
"""

from __future__ import annotations

import re
import time
import uuid

import pytest
from playwright.sync_api import expect

from tests.functional.conftest import axe_violations, signed_in_window

pytestmark = pytest.mark.browser

BASE = "/carers/assessment"

# The answers, page by page: radios and checkboxes by value, text as typed.
ANSWERS: list[tuple[str, dict[str, object]]] = [
    ("danger", {"in_danger": "no"}),
    ("coping", {"cannot_carry_on": "yes"}),
    ("carer_kind", {"carer_kind": "adult"}),
    ("filling_in", {"filled_by": "carer"}),
    ("about_you", {"full_name": "Joy Keyboard", "phone": "01803 555 010",
                   "contact_way": "phone", "postcode": "TQ1 1AA"}),
    ("communication", {"communication_needs": ["large_print"], "language": "English"}),
    ("your_gp", {"gp_practice": "Harbour Surgery", "gp_knows": "no"}),
    ("work_study", {"work_study": ["part_time"]}),
    ("cared_for", {"relationship": "parent", "age_band": "85+", "conditions": ["dementia"],
                   "lives_where": "with_me", "cared_for_knows": "agrees"}),
    ("caring_role", {"hours": "50+", "when_caring": "both", "left_alone": "short"}),
    ("impact", {"impact_health": "big", "impact_sleep": "big", "impact_relationships": "some",
                "impact_work": "some", "impact_time": "big", "impact_money": "none"}),
    ("carry_on", {"willing_able": "with_help", "help_wanted": ["break"]}),
    ("what_matters", {"good_day": "A walk by the sea."}),
    ("contingency", {"emergency_plan": "no"}),
    ("involved", {"want_involved": "yes"}),
    ("involved_who", {"involved_name": "Sam Keyboard"}),
    ("consent", {"consent_share": "yes", "consent_gp": "yes"}),
]
SAVE_AT = "communication"
SAVE_INDEX = [page_id for page_id, _data in ANSWERS].index(SAVE_AT)


# The keyboard only -------------------------------------------------------------------------


def tab_to(page, selector: str, limit: int = 120) -> None:  # type: ignore[no-untyped-def]
    """Press Tab until the element matching ``selector`` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)",
                         selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def key_choose(page, name: str, value: str) -> None:  # type: ignore[no-untyped-def]
    """Tab into a radio group and move to the option with the arrow keys."""
    tab_to(page, f"input[type=radio][name='{name}']")
    for _ in range(12):
        if page.evaluate("() => document.activeElement.value") == value:
            page.keyboard.press("Space")
            expect(page.locator(f"input[name='{name}'][value='{value}']")).to_be_checked()
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"no option {value} for {name}")


def key_answer(page, data: dict[str, object]) -> None:  # type: ignore[no-untyped-def]
    for name, value in data.items():
        kind = page.locator(f"[name='{name}']").first.get_attribute("type")
        if kind == "radio":
            key_choose(page, name, str(value))
        elif kind == "checkbox":
            for item in value:  # type: ignore[attr-defined]
                tab_to(page, f"input[name='{name}'][value='{item}']")
                page.keyboard.press("Space")
        else:
            tab_to(page, f"[name='{name}']")
            page.keyboard.type(str(value))


def key_press_button(page, selector: str) -> None:  # type: ignore[no-untyped-def]
    tab_to(page, selector)
    page.keyboard.press("Enter")
    page.wait_for_load_state()


CONTINUE = "main form button:not([name=action])"
SAVE = "main form button[name=action]"


# Pointer helpers for the other journeys --------------------------------------------------


def answer(page, data: dict[str, object]) -> None:  # type: ignore[no-untyped-def]
    for name, value in data.items():
        field = page.locator(f"[name='{name}']").first
        kind = field.get_attribute("type")
        if kind == "radio":
            page.locator(f"input[name='{name}'][value='{value}']").check()
        elif kind == "checkbox":
            for item in value:  # type: ignore[attr-defined]
                page.locator(f"input[name='{name}'][value='{item}']").check()
        else:
            field.fill(str(value))
    page.locator(CONTINUE).click()
    page.wait_for_load_state()


def emailed_link(smtp_sink, to: str) -> str:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for mail in list(smtp_sink.messages):
            found = re.search(r"https?://[^/\s]+(/carers/assessment/resume/\S+)",
                              mail.get_content())
            if mail["To"] == to and found:
                return found.group(1)
        time.sleep(0.05)
    raise AssertionError(f"no resume email for {to}")


def move_to_contact_made(browser, base_url: str, reference: str) -> None:  # type: ignore[no-untyped-def]
    worker = signed_in_window(browser, base_url, "careworker@demo.portal.test")
    worker.goto("/carers/queue")
    rows = worker.locator("main table tbody tr")
    ours = rows.filter(has_text=reference)
    expect(ours).to_have_count(1)
    expect(ours).to_have_attribute("data-urgent", "true")
    urgent = [rows.nth(i).get_attribute("data-urgent") == "true" for i in range(rows.count())]
    position = next(i for i in range(rows.count()) if reference in rows.nth(i).inner_text())
    assert all(urgent[:position + 1]), "urgent requests come first"
    ours.get_by_role("link", name=reference).click()
    worker.get_by_label("New status").select_option("contact_made")
    worker.get_by_role("button", name="Save status").click()
    expect(worker.get_by_text("Status changed to Contact made.")).to_be_visible()
    worker.context.close()


def test_a_guest_carer_with_the_keyboard_only_saves_comes_back_and_sends(
        page, browser, base_url, smtp_sink):
    email = f"joy-{uuid.uuid4().hex[:8]}@example.com"
    page.goto("/language/en")
    page.goto(BASE)
    key_press_button(page, f"main a[href='{BASE}/danger']")
    for page_id, data in ANSWERS[:SAVE_INDEX]:
        expect(page).to_have_url(re.compile(f"{BASE}/{page_id}$"))
        key_answer(page, data)
        key_press_button(page, CONTINUE)
    expect(page).to_have_url(re.compile(f"{BASE}/{SAVE_AT}$"))
    key_answer(page, dict(ANSWERS)[SAVE_AT])
    key_press_button(page, SAVE)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Save your answers and come back later")
    tab_to(page, "#email")
    page.keyboard.type(email)
    key_press_button(page, "main form button")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    link = emailed_link(smtp_sink, email)
    page.context.close()

    # Another device: the link, once.
    device = browser.new_context(base_url=base_url, bypass_csp=True, locale="en-GB").new_page()
    device.goto(link)
    key_press_button(device, "main form button")
    expect(device).to_have_url(re.compile(f"{BASE}/your_gp$"))
    expect(device.get_by_text("Welcome back.")).to_be_visible()
    for page_id, data in ANSWERS[SAVE_INDEX + 1:]:
        expect(device).to_have_url(re.compile(f"{BASE}/{page_id}$"))
        key_answer(device, data)
        key_press_button(device, CONTINUE)
    expect(device.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before sending your request")
    expect(device.get_by_text("Large print")).to_be_visible()  # answered before saving
    key_press_button(device, "main form button")
    expect(device.get_by_role("heading", level=1)).to_have_text("Request sent")
    reference = device.locator("main strong").first.inner_text()
    assert re.fullmatch(r"CR-\d{4}-\d{6}", reference)
    expect(device.get_by_text("We will try to contact you today")).to_be_visible()
    # The link has been used.
    device.goto(link)
    expect(device.get_by_role("heading", level=1)).to_have_text("This link has already been used")
    device.context.close()

    move_to_contact_made(browser, base_url, reference)


def test_a_signed_in_carer_sees_the_status_change(browser, base_url):
    carer = signed_in_window(browser, base_url, "carer@demo.portal.test")
    carer.goto(BASE)
    carer.locator(f"main a[href='{BASE}/danger']").click()
    for page_id, data in ANSWERS:
        expect(carer).to_have_url(re.compile(f"{BASE}/{page_id}$"))
        if page_id == "about_you":
            # Suggested from the account, to check: never sent unseen.
            expect(carer.get_by_text("We have filled in some answers")).to_be_visible()
            expect(carer.locator("#full_name")).to_have_value("Cara Carer")
            data = {"contact_way": "email", "postcode": "TQ1 1AA"}
        if page_id == "cared_for":
            expect(carer.locator("#cared_for_name")).to_have_value("Rose Resident")
            expect(carer.locator("input[name=relationship][value=parent]")).to_be_checked()
        answer(carer, data)
    carer.get_by_role("button", name="Send request").click()
    reference = carer.locator("main strong").first.inner_text()
    carer.goto("/account/carers-assessments")
    row = carer.locator(".nhsuk-summary-list__row", has_text=reference)
    expect(row).to_contain_text("Received")

    move_to_contact_made(browser, base_url, reference)

    carer.reload()
    expect(row).to_contain_text("Contact made")
    carer.context.close()


# Accessibility ---------------------------------------------------------------------------


def _found(page, found: dict[str, list[dict]], name: str) -> None:  # type: ignore[no-untyped-def]
    expect(page.locator("h1")).to_have_count(1)
    found[name] = axe_violations(page)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_every_form_page_has_no_axe_violations(browser, base_url, smtp_sink, language):
    page = browser.new_context(base_url=base_url, bypass_csp=True, locale="en-GB").new_page()
    page.goto(f"/language/{language}")
    found: dict[str, list[dict]] = {}
    page.goto(BASE)
    _found(page, found, "start")
    page.goto(f"{BASE}/danger")
    page.locator(CONTINUE).click()  # nothing chosen: the error summary
    _found(page, found, "danger (errors)")
    answer(page, {"in_danger": "yes"})
    _found(page, found, "stop danger")
    for page_id, data in ANSWERS:
        page.goto(f"{BASE}/{page_id}")
        _found(page, found, page_id)
        if page_id == "filling_in":
            answer(page, {"filled_by": "professional"})
            _found(page, found, "professional_consent")
            answer(page, {"carer_agreed": "no"})
            _found(page, found, "stop need_agreement")
            page.goto(f"{BASE}/filling_in")
        if page_id == "carer_kind":
            answer(page, {"carer_kind": "young"})
            _found(page, found, "stop young_carer")
            page.goto(f"{BASE}/carer_kind")
        answer(page, data)
    _found(page, found, "check")
    page.goto(f"{BASE}/save")
    _found(page, found, "save")
    page.locator("main form button").click()
    _found(page, found, "save (errors)")
    email = f"axe-{language}-{uuid.uuid4().hex[:8]}@example.com"
    page.locator("#email").fill(email)
    page.locator("main form button").click()
    _found(page, found, "save sent")
    link = emailed_link(smtp_sink, email)
    page.goto(link)
    _found(page, found, "resume")
    page.locator("main form button").click()
    page.goto(f"{BASE}/check")
    page.locator("main form button").last.click()
    _found(page, found, "sent")
    page.goto(link)
    _found(page, found, "resume (used)")
    page.context.close()
    assert {name: v for name, v in found.items() if v} == {}


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_signed_in_save_pages_have_no_axe_violations(browser, base_url, language):
    """Saving to the account: the page that says so, the account's notice of the unsent
    request and the start page that offers to carry on (a guest never sees these)."""
    page = signed_in_window(browser, base_url, "carer@demo.portal.test")
    page.goto(f"/language/{language}")
    found: dict[str, list[dict]] = {}
    page.goto(f"{BASE}/danger")
    page.locator("input[name='in_danger'][value='no']").check()
    page.locator(SAVE).click()
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(f"{BASE}/save$"))
    _found(page, found, "saved to account")
    page.goto("/account/carers-assessments")
    expect(page.locator("main form[action$='/carers/assessment/continue']")).to_have_count(1)
    _found(page, found, "account (unsent request)")
    page.context.close()
    page = signed_in_window(browser, base_url, "carer@demo.portal.test")  # another browser
    page.goto(f"/language/{language}")
    page.goto(BASE)
    expect(page.locator("main form[action$='/carers/assessment/continue']")).to_have_count(1)
    _found(page, found, "start (unsent request)")
    page.locator("main form[action$='/carers/assessment/continue'] button").click()
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(f"{BASE}/coping$"))
    page.context.close()
    assert {name: v for name, v in found.items() if v} == {}
