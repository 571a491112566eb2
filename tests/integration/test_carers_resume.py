"""Save and come back: signed-in carers from their account, others by an emailed single-use,
expiring link; what was typed survives the session timing out."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from portal.authz import Role
from portal.clock import utcnow
from portal.journeys.models import JourneyDraft, JourneyResumeLink
from tests.helpers.factories import make_locality, make_team, make_user
from tests.helpers.pages import check_page
from tests.integration.test_carers_referral import ANSWERS, PAGES, answer

BASE = "/carers/assessment"
HALFWAY = PAGES[:PAGES.index("about_you") + 1]


@pytest.fixture
def torquay(session):  # type: ignore[no-untyped-def]
    return make_team(session, [make_locality(session, "torquay")])


def answer_some(client, pages=HALFWAY) -> None:  # type: ignore[no-untyped-def]
    for page_id in pages:
        assert answer(client, page_id, ANSWERS[page_id]).status_code == 302, page_id


def save_and_email(client, email: str = "jane@example.com"):  # type: ignore[no-untyped-def]
    """Press "Save and come back later" on the next page, then ask for the link."""
    response = answer(client, "communication",
                      {**ANSWERS["communication"], "action": "save"})
    assert response.location == f"{BASE}/save", response.get_data(as_text=True)[:500]
    return client.submit(f"{BASE}/save", {"email": email})


def link_in(smtp_sink, to: str = "jane@example.com") -> str:  # type: ignore[no-untyped-def]
    [mail] = [m for m in smtp_sink.messages if m["To"] == to]
    return re.search(r"http://127.0.0.1:5000(/carers/assessment/resume/\S+)",
                     mail.get_content()).group(1)


def test_a_guest_saves_halfway_and_carries_on_from_the_emailed_link(
        client, another_client, session, smtp_sink, torquay):
    answer_some(client)
    response = save_and_email(client)
    page = check_page(response)
    assert page.h1 == ["Check your email"]
    assert "jane@example.com" in page.text and "for 7 days" in page.text
    [mail] = smtp_sink.messages
    body = mail.get_content()
    assert mail["To"] == "jane@example.com" and "come back to it" in mail["Subject"]
    # A notice and a link: no answers.
    for answer_text in ("Jane Evans", "TQ1", "01803", "Welsh", "large"):
        assert answer_text not in body
    link = link_in(smtp_sink)
    token = link.rsplit("/", 1)[1]
    [row] = session.scalars(select(JourneyResumeLink)).all()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in row.token_hash

    # On another device: opening the link changes nothing (mail scanners open links) ...
    page = another_client.page(link)
    assert page.h1 == ["Come back to your request"]
    assert another_client.page(link).h1 == ["Come back to your request"]
    # ... the button brings the answers, at the first unanswered page (the page saved from).
    response = another_client.submit(link, {})
    assert response.location == f"{BASE}/your_gp"
    for page_id in PAGES[PAGES.index("your_gp"):]:
        assert answer(another_client, page_id, ANSWERS[page_id]).status_code == 302, page_id
    check = another_client.page(f"{BASE}/check")
    assert "Jane Evans" in check.text and "Large print" in check.text
    assert another_client.submit(f"{BASE}/check", {"website": ""}).location == f"{BASE}/sent"
    assert "CR-" in another_client.page(f"{BASE}/sent").text
    # The first browser no longer holds the draft.
    assert client.get(f"{BASE}/your_gp").location == f"{BASE}/danger"


def test_a_used_link_cannot_be_used_again(client, another_client, smtp_sink):
    answer_some(client)
    save_and_email(client)
    link = link_in(smtp_sink)
    assert another_client.submit(link, {}).status_code == 302
    third = client.application.test_client()
    response = third.get(link)
    assert response.status_code == 410
    page = check_page(response)
    assert page.h1 == ["This link has already been used"]
    assert BASE in page.links  # start again
    token = third.csrf_token(f"{BASE}/danger")
    response = third.post(link, data={"csrf_token": token})
    assert response.status_code == 410
    assert third.get(f"{BASE}/your_gp").location == f"{BASE}/danger"  # nothing restored


def test_a_second_link_ends_when_the_first_is_used(client, another_client, smtp_sink):
    answer_some(client)
    save_and_email(client)
    client.submit(f"{BASE}/save", {"email": "other@example.com"})
    first, second = link_in(smtp_sink), link_in(smtp_sink, "other@example.com")
    assert first != second
    another_client.submit(first, {})
    assert client.application.test_client().get(second).status_code == 410


@pytest.mark.parametrize(("days", "wait", "words"), [
    (None, timedelta(days=7, minutes=1), "for 7 days"),
    (1, timedelta(days=1, minutes=1), "for 1 day"),
])
def test_an_expired_link_offers_to_start_again(app, client, another_client, smtp_sink, days,
                                               wait, words):
    if days is not None:
        app.config["CARER_RESUME_DAYS"] = days
    try:
        answer_some(client)
        assert words in check_page(save_and_email(client)).text
        assert words in smtp_sink.messages[0].get_content()
    finally:
        app.config["CARER_RESUME_DAYS"] = 7
    link = link_in(smtp_sink)
    with time_machine.travel(utcnow() + wait - timedelta(minutes=2)):
        assert another_client.get(link).status_code == 200
    with time_machine.travel(utcnow() + wait):
        response = another_client.get(link)
        assert response.status_code == 410
        assert check_page(response).h1 == ["This link has expired"]
        token = another_client.csrf_token(f"{BASE}/danger")
        assert another_client.post(link, data={"csrf_token": token}).status_code == 410


def test_a_made_up_link_says_so(client):
    response = client.get(f"{BASE}/resume/not-a-real-link")
    assert response.status_code == 404
    page = check_page(response)
    assert page.h1 == ["This link does not work"] and BASE in page.links


def test_a_link_to_a_sent_request_is_used_up(client, another_client, smtp_sink, torquay):
    answer_some(client)
    save_and_email(client)
    for page_id in PAGES[PAGES.index("communication"):]:
        answer(client, page_id, ANSWERS[page_id])
    assert client.submit(f"{BASE}/check", {"website": ""}).location == f"{BASE}/sent"
    response = another_client.get(link_in(smtp_sink))
    assert response.status_code == 410
    assert check_page(response).h1 == ["This link has already been used"]


@pytest.mark.parametrize(("email", "error"), [
    ("", "Enter your email address"),
    ("not-an-email", "Enter an email address in the correct format, like name@example.com"),
    ("<script>alert(1)</script>@x",
     "Enter an email address in the correct format, like name@example.com"),
    ("a" * 10_000 + "@example.com", "Email address must be 254 characters or fewer"),
])
def test_a_bad_email_address_is_explained_and_kept(client, smtp_sink, email, error):
    answer_some(client)
    response = save_and_email(client, email)
    page = check_page(response)
    assert page.title.startswith("Error:") and page.error_summary == [error]
    assert page.form_with("email").fields["email"] == email
    assert "<script>" not in response.get_data(as_text=True)
    assert smtp_sink.messages == []


def test_sending_links_is_rate_limited_and_keeps_the_address(app, client, smtp_sink):
    app.config["CARER_RESUME_RATE"] = "2 per hour"
    try:
        answer_some(client)
        codes = [save_and_email(client, f"jane{n}@example.com").status_code for n in range(2)]
        response = client.submit(f"{BASE}/save", {"email": "jane9@example.com"})
    finally:
        del app.config["CARER_RESUME_RATE"]
    assert codes == [200, 200] and response.status_code == 429
    page = check_page(response)
    assert "sent too many links" in page.text
    assert page.form_with("email").fields["email"] == "jane9@example.com"
    assert len(smtp_sink.messages) == 2


def test_saving_needs_answers_first(client):
    assert client.get(f"{BASE}/save").location == BASE
    response = client.submit(f"{BASE}/save", {"email": "jane@example.com"},
                             form_url=f"{BASE}/danger")
    assert response.location == BASE


def test_save_and_come_back_on_the_first_page_saves_that_page(client):
    response = answer(client, "danger", {"in_danger": "no", "action": "save"})
    assert response.location == f"{BASE}/save"
    assert client.get(f"{BASE}/save").status_code == 200


def test_save_with_a_mistake_on_the_page_shows_it_and_keeps_what_was_typed(client):
    answer_some(client, PAGES[:4])
    response = answer(client, "about_you", {**ANSWERS["about_you"], "postcode": "NOPE",
                                            "action": "save"})
    page = check_page(response)
    assert page.error_summary == ["Enter a real postcode, like TQ1 1AA"]
    assert page.form_with("full_name").fields["full_name"] == "Jane Evans"


def _forget_the_session(client) -> None:  # type: ignore[no-untyped-def]
    client.delete_cookie("portal_session")


def test_a_page_posted_after_the_session_timed_out_is_saved(client, session):
    answer_some(client, PAGES[:4])
    html = client.get(f"{BASE}/about_you").get_data(as_text=True)
    draft_token = re.search(r'name="draft" value="([^"]+)"', html).group(1)
    csrf_token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    _forget_the_session(client)
    response = client.post(f"{BASE}/about_you", data={
        "csrf_token": csrf_token, "draft": draft_token, **ANSWERS["about_you"]})
    assert response.status_code == 302 and response.location == f"{BASE}/communication"
    # The draft is this browser's again, with the page's answers in it.
    assert "Jane Evans" in client.get(f"{BASE}/about_you").get_data(as_text=True)


def _tokens(client, url: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    html = client.get(url).get_data(as_text=True)
    return {name: re.search(rf'name="{name}" value="([^"]+)"', html).group(1)
            for name in ("csrf_token", "draft")}


def test_sending_after_the_session_timed_out_still_sends(client, session, torquay):
    answer_some(client, PAGES)
    tokens = _tokens(client, f"{BASE}/check")
    _forget_the_session(client)
    response = client.post(f"{BASE}/check", data={**tokens, "website": ""})
    assert response.location == f"{BASE}/sent"
    assert "CR-" in client.page(f"{BASE}/sent").text


def test_asking_for_a_link_after_the_session_timed_out_still_sends_it(client, smtp_sink):
    answer_some(client)
    answer(client, "communication", {**ANSWERS["communication"], "action": "save"})
    tokens = _tokens(client, f"{BASE}/save")
    _forget_the_session(client)
    response = client.post(f"{BASE}/save", data={**tokens, "email": "jane@example.com"})
    assert check_page(response).h1 == ["Check your email"]
    assert link_in(smtp_sink).startswith(f"{BASE}/resume/")


def test_a_stale_page_of_a_draft_taken_elsewhere_keeps_what_was_typed(client, another_client,
                                                                       smtp_sink):
    """The draft moved to another device (its link was used): an old tab's page, posted
    after its session went, is shown again with what was typed and a message."""
    answer_some(client)
    save_and_email(client)
    tokens = _tokens(client, f"{BASE}/your_gp")
    another_client.submit(link_in(smtp_sink), {})
    response = client.post(f"{BASE}/danger", data={
        "csrf_token": "stale", "draft": tokens["draft"], "in_danger": "no"})
    page = check_page(response)
    assert response.status_code == 200 and "Your session timed out" in page.text
    assert 'value="no" checked' in response.get_data(as_text=True)


def test_a_timed_out_page_with_a_wrong_draft_token_saves_nothing(client, another_client):
    answer_some(client, PAGES[:4])
    response = another_client.post(f"{BASE}/about_you", data={
        "csrf_token": "stale", "draft": "guessed", **ANSWERS["about_you"]})
    assert response.location == f"{BASE}/danger"  # no draft: the first page
    assert another_client.get(f"{BASE}/coping").location == f"{BASE}/danger"


def test_the_first_page_after_a_timeout_shows_what_was_typed_with_a_message(client):
    response = client.post(f"{BASE}/danger", data={"csrf_token": "stale", "in_danger": "no"})
    assert response.status_code == 200
    page = check_page(response)
    assert "Your session timed out" in page.text and page.error_summary == []
    assert 'value="no" checked' in response.get_data(as_text=True)
    response = client.submit(f"{BASE}/danger", {"in_danger": "no"})
    assert response.location == f"{BASE}/coping"


def test_the_start_page_carries_on_in_the_same_browser(client):
    assert "Start now" in client.page(BASE).text
    answer_some(client, PAGES[:2])
    page = client.page(BASE)
    assert "Continue where you left off" in page.text and f"{BASE}/carer_kind" in page.links


def test_pages_holding_the_draft_token_are_not_cached(client):
    answer_some(client, PAGES[:1])
    response = client.get(f"{BASE}/coping")
    assert 'name="draft"' in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"


def test_a_signed_in_carer_comes_back_from_their_account(client, another_client, session):
    carer = make_user(session, Role.CARER)
    client.sign_in_as(carer)
    answer_some(client)
    response = answer(client, "communication", {**ANSWERS["communication"], "action": "save"})
    assert response.location == f"{BASE}/save"
    page = client.page(f"{BASE}/save")
    assert page.h1 == ["Your answers are saved"] and "Send me a link" not in page.text
    # Another device, signed in as the same carer.
    another_client.sign_in_as(carer)
    page = another_client.page(BASE)
    assert "have not sent it yet" in page.text
    assert "have not sent it yet" in another_client.page("/account/carers-assessments").text
    response = another_client.submit(f"{BASE}/continue", {}, form_url=BASE)
    assert response.location == f"{BASE}/your_gp"
    assert "Jane Evans" in another_client.get(f"{BASE}/about_you").get_data(as_text=True)
    # Someone else signed in is offered nothing.
    third = client.application.test_client()
    third.sign_in_as(make_user(session, Role.CARER))
    assert "have not sent it yet" not in third.page(BASE).text
    assert third.submit(f"{BASE}/continue", {}, form_url=BASE).location == BASE


def test_someone_else_signed_in_cannot_take_a_carers_draft_by_its_token(
        client, another_client, session):
    carer = make_user(session, Role.CARER)
    client.sign_in_as(carer)
    answer_some(client, PAGES[:4])
    html = client.get(f"{BASE}/about_you").get_data(as_text=True)
    draft_token = re.search(r'name="draft" value="([^"]+)"', html).group(1)
    another_client.sign_in_as(make_user(session, Role.CARER))
    response = another_client.post(f"{BASE}/about_you", data={
        "csrf_token": "stale", "draft": draft_token, **ANSWERS["about_you"]})
    assert response.location == f"{BASE}/danger"
    session.expire_all()
    with client.application.app_context():
        [draft] = session.scalars(select(JourneyDraft)).all()
        assert "about_you" not in draft.answers


def test_long_answers_and_html_are_refused_or_kept_as_text(client, session, torquay):
    answer_some(client)
    long = "x" * 10_000
    response = answer(client, "communication", {**ANSWERS["communication"],
                                                "communication_words": long,
                                                "language": "<b>Polish</b>"})
    page = check_page(response)
    assert page.error_summary == [
        "What would help us communicate with you must be 1,000 characters or fewer"]
    assert f">{long}</textarea>" in response.get_data(as_text=True)
    assert "<b>Polish</b>" not in response.get_data(as_text=True)
    response = answer(client, "communication", {**ANSWERS["communication"],
                                                "language": "<b>Polish</b>"})
    assert response.location == f"{BASE}/your_gp"
    for page_id in PAGES[PAGES.index("your_gp"):]:
        answer(client, page_id, ANSWERS[page_id])
    html = client.get(f"{BASE}/check").get_data(as_text=True)
    assert "&lt;b&gt;Polish&lt;/b&gt;" in html and "<b>Polish" not in html


def test_unsent_drafts_are_deleted_after_their_time(app, client, another_client, session,
                                                    smtp_sink, torquay):
    answer_some(client)
    save_and_email(client)
    link = link_in(smtp_sink)
    for page_id in PAGES:
        answer(another_client, page_id, ANSWERS[page_id])
    another_client.submit(f"{BASE}/check", {"website": ""})  # sent: kept (no answers in it)
    with time_machine.travel(utcnow() + timedelta(days=31)):
        answer_some(client.application.test_client(), PAGES[:1])  # a fresh one: kept
        result = app.test_cli_runner().invoke(args=["journeys", "purge"])
        assert result.exit_code == 0, result.output
        assert "Deleted 1 unsent draft(s) untouched for more than 30 days." in result.output
        # Never fewer days than a link lasts.
        result = app.test_cli_runner().invoke(args=["journeys", "purge", "--days", "1"])
        assert "more than 7 days" in result.output
        assert client.get(link).status_code == 404
    session.expire_all()
    with app.app_context():
        left = session.scalars(select(JourneyDraft)).all()
        assert len(left) == 2 and session.scalars(select(JourneyResumeLink)).all() == []


def test_a_link_sent_from_a_page_left_open_keeps_its_draft_from_the_purge(app, client,
                                                                           smtp_sink):
    """The save page left open for 25 days, then sent (after the session has gone): the link
    lasts 7 days, so the draft is not purged after 30 days untouched while the link works."""
    answer_some(client)
    answer(client, "communication", {**ANSWERS["communication"], "action": "save"})
    tokens = _tokens(client, f"{BASE}/save")
    _forget_the_session(client)
    with time_machine.travel(utcnow() + timedelta(days=25)):
        response = client.post(f"{BASE}/save", data={**tokens, "email": "jane@example.com"})
        assert check_page(response).h1 == ["Check your email"]
    link = link_in(smtp_sink)
    with time_machine.travel(utcnow() + timedelta(days=31)):
        result = app.test_cli_runner().invoke(args=["journeys", "purge"])
        assert "Deleted 0 unsent draft(s)" in result.output
        assert client.page(link).h1 == ["Come back to your request"]
