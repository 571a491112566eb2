"""The carer's assessment self-referral: the form, its branches, sending, routing, the queue."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.authz import Role
from portal.carers.models import CarerReferral, ReferralStatus
from tests.helpers.factories import make_locality, make_team, make_user
from tests.helpers.pages import check_page

BASE = "/carers/assessment"

ANSWERS: dict[str, dict[str, object]] = {
    "danger": {"in_danger": "no"},
    "coping": {"cannot_carry_on": "no"},
    "carer_kind": {"carer_kind": "adult"},
    "filling_in": {"filled_by": "carer"},
    "about_you": {"full_name": "Jane Evans", "phone": "01803 555 010", "email": "",
                  "contact_way": "phone", "safe_time": "Mornings", "postcode": "tq1 1aa"},
    "communication": {"communication_needs": ["large_print"], "language": "Welsh",
                      "communication_words": ""},
    "your_gp": {"gp_practice": "Harbour Surgery, Torquay", "gp_knows": "no"},
    "work_study": {"work_study": ["part_time"], "work_words": "Flexible hours."},
    "cared_for": {"cared_for_name": "Alan Evans", "relationship": "parent", "age_band": "85+",
                  "conditions": ["dementia", "physical"], "conditions_words": "Falls often.",
                  "lives_where": "with_me", "cared_for_knows": "agrees"},
    "caring_role": {"hours": "50+", "tasks": ["medicines", "meals"],
                    "role_words": "Meals and medicines.", "when_caring": "both",
                    "other_help": "", "left_alone": "short"},
    "impact": {"impact_health": "big", "impact_sleep": "some", "impact_relationships": "some",
               "impact_work": "big", "impact_time": "big", "impact_money": "none",
               "impact_sleep_words": "Up three times a night.",
               "impact_words": "Sleep is the worst."},
    "carry_on": {"willing_able": "with_help", "help_wanted": ["break"], "help_words": ""},
    "what_matters": {"matters_words": "Keeping my job.", "good_day": "A walk by the sea."},
    "contingency": {"emergency_plan": "no", "emergency_words": ""},
    "involved": {"want_involved": "no"},
    "consent": {"consent_share": "yes", "consent_gp": "yes"},
}
PAGES = list(ANSWERS)


def answer(client, page_id: str, data: dict[str, object]):  # type: ignore[no-untyped-def]
    return client.submit(f"{BASE}/{page_id}", data)


def answer_all(client, **changes: dict[str, object]) -> None:  # type: ignore[no-untyped-def]
    for page_id in PAGES:
        response = answer(client, page_id, {**ANSWERS[page_id], **changes.get(page_id, {})})
        assert response.status_code == 302, (page_id, response.get_data(as_text=True)[:2000])


def send(client):  # type: ignore[no-untyped-def]
    return client.submit(f"{BASE}/check", {"website": ""})


@pytest.fixture
def torquay(session):  # type: ignore[no-untyped-def]
    locality = make_locality(session, "torquay")
    return make_team(session, [locality])


@pytest.fixture
def devonport(session):  # type: ignore[no-untyped-def]
    locality = make_locality(session, "devonport")
    return make_team(session, [locality])


def referrals(session) -> list[CarerReferral]:  # type: ignore[no-untyped-def]
    """The referrals, answers decrypted (which needs the app's keys, so its context)."""
    session.expire_all()
    with _APP[0].app_context():
        return list(session.scalars(select(CarerReferral).order_by(CarerReferral.id)))


_APP: list[object] = []


@pytest.fixture(autouse=True)
def _remember_app(app):  # type: ignore[no-untyped-def]
    _APP[:] = [app]


def test_start_page_links_to_the_first_question(client):
    page = client.page(BASE)
    assert page.h1 == ["Ask for a carer's assessment"]
    assert f"{BASE}/danger" in page.links


def test_a_guest_completes_the_form_and_gets_a_reference(client, session, torquay):
    answer_all(client)
    page = client.page(f"{BASE}/check")
    assert "Jane Evans" in page.text and "TQ1 1AA" in page.text
    assert "Dementia or memory problems, A physical disability or frailty" in page.text
    assert f"{BASE}/about_you#postcode" in page.links  # change links
    response = send(client)
    assert response.status_code == 302 and response.location == f"{BASE}/sent"
    [referral] = referrals(session)
    assert referral.reference.startswith("CR-2026-") and len(referral.reference) == 14
    assert referral.team_id == torquay.id and referral.urgent is False
    assert referral.answers["about_you"]["postcode"] == "TQ1 1AA"
    page = client.page(f"{BASE}/sent")
    assert referral.reference in page.text
    assert "within 5 working days" in page.text
    event = session.scalar(select(AuditEvent).where(
        AuditEvent.event_type == "carer_referral_submitted"))
    assert event.target_id == str(referral.id) and event.details["routed"] == "team"


def test_references_count_up_within_the_year(client, another_client, session, torquay):
    for browser in (client, another_client):
        answer_all(browser)
        send(browser)
    first, second = referrals(session)
    assert int(second.reference[-6:]) == int(first.reference[-6:]) + 1


def test_in_danger_stops_with_the_emergency_numbers(app, client):
    response = answer(client, "danger", {"in_danger": "yes"})
    assert response.location == f"{BASE}/stop/danger"
    page = client.page(response.location)
    assert "999" in page.text and "111" in page.text
    assert app.config["SINGLE_POINT_OF_ACCESS"] in page.text
    # The stop is where the path ends: later pages send you back to it.
    assert client.get(f"{BASE}/coping").location == f"{BASE}/stop/danger"


def test_cannot_carry_on_flags_the_referral_urgent(client, session, torquay):
    answer_all(client, coping={"cannot_carry_on": "yes"})
    send(client)
    [referral] = referrals(session)
    assert referral.urgent is True
    assert "We will try to contact you today" in client.page(f"{BASE}/sent").text


@pytest.mark.parametrize(("kind", "stop", "words"), [
    ("young", "young_carer", "This form is for carers aged 18 or over."),
    ("parent", "parent_carer", "children's disability team"),
])
def test_young_and_parent_carers_are_told_where_to_go(client, kind, stop, words):
    answer(client, "danger", {"in_danger": "no"})
    answer(client, "coping", {"cannot_carry_on": "no"})
    response = answer(client, "carer_kind", {"carer_kind": kind})
    assert response.location == f"{BASE}/stop/{stop}"
    assert words in client.page(response.location).text


def test_a_professional_is_asked_for_the_carers_agreement(client):
    for page_id in PAGES[:3]:
        answer(client, page_id, ANSWERS[page_id])
    response = answer(client, "filling_in", {"filled_by": "professional"})
    assert response.location == f"{BASE}/professional_consent"
    response = answer(client, "professional_consent", {"carer_agreed": "no"})
    assert response.location == f"{BASE}/stop/need_agreement"
    response = answer(client, "professional_consent", {"carer_agreed": "yes"})
    assert response.location == f"{BASE}/about_you"


def test_the_carer_is_never_asked_the_professionals_question(client):
    for page_id in PAGES[:4]:
        answer(client, page_id, ANSWERS[page_id])
    assert client.get(f"{BASE}/professional_consent").location == f"{BASE}/about_you"


def test_skipped_pages_send_you_back_to_the_first_unanswered(client):
    assert client.get(f"{BASE}/impact").location == f"{BASE}/danger"
    answer(client, "danger", {"in_danger": "no"})
    assert client.get(f"{BASE}/consent").location == f"{BASE}/coping"
    assert client.get(f"{BASE}/check").location == f"{BASE}/coping"
    # Posting to a skipped page saves nothing and sends you back too.
    response = client.submit(f"{BASE}/consent", {"consent_share": "yes"},
                             form_url=f"{BASE}/coping")
    assert response.location == f"{BASE}/coping"
    assert client.get(f"{BASE}/no-such-page").status_code == 404


def test_an_earlier_answer_can_be_changed_from_check_your_answers(client, session, torquay):
    answer_all(client)
    response = answer(client, "caring_role", {**ANSWERS["caring_role"], "hours": "0-19"})
    assert response.location == f"{BASE}/check"
    assert "Up to 19 hours" in client.page(f"{BASE}/check").text


def test_empty_required_fields_get_clear_messages(client):
    for page_id in PAGES[:4]:
        answer(client, page_id, ANSWERS[page_id])
    page = check_page(answer(client, "about_you", {"phone": "0180", "email": "not-an-email"}))
    assert page.title.startswith("Error:")
    assert page.error_summary == [
        "Enter the carer's full name",
        "Enter a phone number, like 01803 555 010 or 07700 900 982",
        "Enter an email address in the correct format, like name@example.com",
        "Select the safest way to contact you",
        "Enter a postcode",
    ]
    assert page.error_summary_links[0] == "#full_name"


def test_bad_input_keeps_what_was_typed(client):
    for page_id in PAGES[:4]:
        answer(client, page_id, ANSWERS[page_id])
    typed = {**ANSWERS["about_you"], "full_name": "<script>alert(1)</script>",
             "postcode": "NOT A POSTCODE", "safe_time": "x" * 10_000}
    response = answer(client, "about_you", typed)
    page = check_page(response)
    assert page.error_summary == ["Safe time to contact you must be 200 characters or fewer",
                                  "Enter a real postcode, like TQ1 1AA"]
    fields = page.form_with("full_name").fields
    assert fields["full_name"] == "<script>alert(1)</script>"
    assert fields["postcode"] == "NOT A POSTCODE"
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)


def test_each_wellbeing_area_has_room_for_words_and_a_limit(client):
    for page_id in PAGES[:PAGES.index("impact")]:
        answer(client, page_id, ANSWERS[page_id])
    page = client.page(f"{BASE}/impact")
    for area in ("health", "sleep", "relationships", "work", "time", "money"):
        assert f"impact_{area}_words" in page.forms[0].fields
    typed = {**ANSWERS["impact"], "impact_money_words": "x" * 501}
    response = answer(client, "impact", typed)
    page = check_page(response)
    assert page.error_summary == [
        "What you say about your home and money must be 500 characters or fewer"]
    html = response.get_data(as_text=True)  # what was typed, shown back in the text boxes
    assert ">" + "x" * 501 + "</textarea>" in html
    assert ">Up three times a night.</textarea>" in html


def test_double_submission_makes_one_referral(client, session, torquay):
    answer_all(client)
    token = client.csrf_token(f"{BASE}/check")
    first = client.post(f"{BASE}/check", data={"csrf_token": token, "website": ""})
    second = client.post(f"{BASE}/check", data={"csrf_token": token, "website": ""})
    assert first.location == second.location == f"{BASE}/sent"
    assert len(referrals(session)) == 1
    # The back button after sending: the pages start a new request, not the sent one.
    assert client.get(f"{BASE}/about_you").location == f"{BASE}/danger"


def test_a_honeypot_filled_in_sends_nothing(client, session, torquay):
    answer_all(client)
    response = client.submit(f"{BASE}/check", {"website": "http://spam.example"})
    assert response.status_code == 400
    assert "We could not send your request. Try again." in response.get_data(as_text=True)
    assert referrals(session) == []


def test_anonymous_sending_is_rate_limited(app, client):
    app.config["CARER_REFERRAL_RATE"] = "2 per hour"
    try:
        token = client.csrf_token(f"{BASE}/danger")
        codes = [client.post(f"{BASE}/check", data={"csrf_token": token}).status_code
                 for _ in range(3)]
    finally:
        del app.config["CARER_REFERRAL_RATE"]
    assert codes == [302, 302, 429]


def test_sending_past_the_limit_shows_the_answers_again_and_sends_nothing(
        app, client, another_client, session, torquay):
    app.config["CARER_REFERRAL_RATE"] = "1 per hour"
    try:
        token = another_client.csrf_token(f"{BASE}/danger")
        assert another_client.post(f"{BASE}/check", data={"csrf_token": token}).status_code \
            == 302  # the hour's one
        answer_all(client)
        response = send(client)
    finally:
        del app.config["CARER_REFERRAL_RATE"]
    assert response.status_code == 429
    page = check_page(response)
    assert page.h1 == ["Check your answers before sending your request"]
    assert "We have had too many requests from here in the last hour. Your answers are saved: " \
        "wait a while and press Send request again." in page.text
    assert "Jane Evans" in page.text
    assert referrals(session) == []
    assert send(client).location == f"{BASE}/sent"  # at the usual limit: sent as it was
    assert len(referrals(session)) == 1


def test_out_of_area_postcode_goes_to_triage_with_a_note(client, session, torquay):
    answer_all(client, about_you={"postcode": "SW1A 1AA"})
    send(client)
    [referral] = referrals(session)
    assert referral.team_id is None and referral.locality_id is None
    assert referral.triage_note == "Postcode is not in any of our localities"


def test_the_queue_puts_urgent_first_and_shows_triage_to_every_worker(
        client, another_client, session, torquay, devonport):
    answer_all(client)
    send(client)
    answer_all(another_client, coping={"cannot_carry_on": "yes"})
    send(another_client)
    third = client.application.test_client()
    answer_all(third, about_you={"postcode": "SW1A 1AA"})
    send(third)
    routine, urgent, triage = referrals(session)
    worker = make_user(session, Role.CARE_WORKER, teams=[torquay])
    client.sign_in_as(worker)
    html = client.get("/carers/queue").get_data(as_text=True)
    order = [html.index(r.reference) for r in (urgent, routine, triage)]
    assert order == sorted(order[:1]) + sorted(order[1:]) and order[0] < order[1]
    assert 'data-urgent="true"' in html and "Triage" in html and "today" in html
    other = make_user(session, Role.CARE_WORKER, teams=[devonport])
    another_client.sign_in_as(other)
    html = another_client.get("/carers/queue").get_data(as_text=True)
    assert triage.reference in html
    assert routine.reference not in html and urgent.reference not in html
    assert another_client.get(f"/carers/queue/{routine.id}").status_code == 404
    assert another_client.get(f"/carers/queue/{triage.id}").status_code == 200


def test_opening_a_referral_is_audited(client, session, torquay):
    answer_all(client)
    send(client)
    [referral] = referrals(session)
    worker = make_user(session, Role.CARE_WORKER, teams=[torquay])
    client.sign_in_as(worker)
    page = client.page(f"/carers/queue/{referral.id}")
    assert "Jane Evans" in page.text and "Falls often." in page.text
    assert "Up three times a night." in page.text  # each wellbeing area has room for words
    event = session.scalar(select(AuditEvent).where(
        AuditEvent.event_type == "carer_referral_viewed"))
    assert (event.actor_id, event.reason, event.target_id) == (
        worker.id, "care_team", str(referral.id))


def test_status_change_is_seen_by_the_carer_but_never_the_note(
        client, another_client, session, torquay):
    carer = make_user(session, Role.CARER)
    client.sign_in_as(carer)
    answer_all(client)
    send(client)
    [referral] = referrals(session)
    assert referral.carer_id == carer.id
    assert "Received" in client.page("/account/carers-assessments").text
    worker = make_user(session, Role.CARE_WORKER, teams=[torquay])
    another_client.sign_in_as(worker)
    response = another_client.submit(
        f"/carers/queue/{referral.id}/status",
        {"status": "contact_made", "note": "Spoke to her sister first."},
        form_url=f"/carers/queue/{referral.id}")
    assert response.location == f"/carers/queue/{referral.id}"
    assert "Spoke to her sister first." in another_client.page(response.location).text
    mine = client.page("/account/carers-assessments")
    assert referral.reference in mine.text and "Contact made" in mine.text
    assert "Spoke to her sister first." not in mine.text
    assert session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.event_type == "carer_referral_status_changed")) == 1
    assert referrals(session)[0].status is ReferralStatus.CONTACT_MADE


def test_a_bad_status_keeps_the_note(client, session, torquay):
    answer_all(client)
    send(client)
    [referral] = referrals(session)
    client.sign_in_as(make_user(session, Role.CARE_WORKER, teams=[torquay]))
    response = client.submit(f"/carers/queue/{referral.id}/status",
                             {"status": "lost", "note": "Kept this note"},
                             form_url=f"/carers/queue/{referral.id}")
    page = check_page(response)
    assert page.title.startswith("Error:") and page.error_summary_links == ["#status"]
    assert ">Kept this note</textarea>" in response.get_data(as_text=True)
    assert referrals(session)[0].status is ReferralStatus.RECEIVED


def test_a_guest_cannot_read_a_referral_even_with_its_reference(
        client, another_client, session, torquay):
    answer_all(client)
    send(client)
    [referral] = referrals(session)
    assert another_client.get(f"/carers/queue/{referral.id}").status_code == 302  # sign in
    assert another_client.get(f"{BASE}/sent").location == BASE
    assert another_client.get(f"{BASE}/sent?reference={referral.reference}").location == BASE
    resident = make_user(session, Role.RESIDENT)
    another_client.sign_in_as(resident)
    assert another_client.get(f"/carers/queue/{referral.id}").status_code == 403
    assert referral.reference not in another_client.page("/account/carers-assessments").text


def test_answers_are_encrypted_at_rest_in_the_draft_and_the_referral(client, session, torquay):
    from sqlalchemy import text

    answer_all(client)
    [draft_answers] = session.execute(text("SELECT answers FROM journey_draft")).scalars()
    send(client)
    [sent_answers] = session.execute(text("SELECT answers FROM carer_referral")).scalars()
    for stored in (draft_answers, sent_answers):
        stored = str(stored)
        for typed in ("Jane Evans", "Harbour Surgery", "A walk by the sea.", "about_you"):
            assert typed not in stored
    assert referrals(session)[0].answers["about_you"]["full_name"] == "Jane Evans"


def test_a_locality_no_team_serves_goes_to_triage_with_a_note(client, session):
    torquay = make_locality(session, "torquay")  # no team serves it
    answer_all(client)
    send(client)
    [referral] = referrals(session)
    assert referral.team_id is None and referral.locality_id == torquay.id
    assert referral.triage_note == "No team serves this locality"
