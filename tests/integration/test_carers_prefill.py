"""Suggested answers for signed-in carers (their account, and the person whose plan they may
see), shown to check and never sent unseen; the team's print view of a request."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.authz import Role
from portal.journeys.models import JourneyDraft
from portal.profile.models import PersonalDetails
from tests.helpers.factories import make_grant, make_locality, make_team, make_user
from tests.helpers.pages import check_page
from tests.integration.test_carers_referral import ANSWERS, PAGES, answer

BASE = "/carers/assessment"


@pytest.fixture
def carer(app, session):  # type: ignore[no-untyped-def]
    user = make_user(session, Role.CARER, name="Cara Carer", email="cara@example.com")
    with app.app_context():
        session.add(PersonalDetails(user_id=user.id, phone="07700 900 982", postcode="TQ2 5AA"))
        session.flush()
    return user


def up_to(client, page_id: str, **changes: dict[str, object]) -> None:  # type: ignore[no-untyped-def]
    for earlier in PAGES[:PAGES.index(page_id)]:
        response = answer(client, earlier, {**ANSWERS[earlier], **changes.get(earlier, {})})
        assert response.status_code == 302, earlier


def drafts(app, session) -> list[JourneyDraft]:  # type: ignore[no-untyped-def]
    session.expire_all()
    with app.app_context():
        return list(session.scalars(select(JourneyDraft)))


def test_the_carers_own_details_are_suggested_to_check(app, client, session, carer):
    client.sign_in_as(carer)
    up_to(client, "about_you")
    page = client.page(f"{BASE}/about_you")
    assert "We have filled in some answers from your account" in page.text
    fields = {k: v for k, v in page.form_with("full_name").fields.items()
              if k not in ("action", "csrf_token", "draft")}
    assert (fields["full_name"], fields["email"], fields["phone"], fields["postcode"]) == (
        "Cara Carer", "cara@example.com", "07700 900 982", "TQ2 5AA")
    # Nothing is saved until the carer presses Continue.
    [draft] = drafts(app, session)
    assert "about_you" not in draft.answers
    response = answer(client, "about_you", {**fields, "contact_way": "email"})
    assert response.location == f"{BASE}/communication"
    [draft] = drafts(app, session)
    assert draft.answers["about_you"]["postcode"] == "TQ2 5AA"
    # Once answered, the page shows the answers, not suggestions.
    answer(client, "about_you", {**fields, "contact_way": "email", "full_name": "C. Carer"})
    page = client.page(f"{BASE}/about_you")
    assert page.form_with("full_name").fields["full_name"] == "C. Carer"
    assert "We have filled in" not in page.text


@pytest.mark.parametrize("filled_by", ["helper", "professional"])
def test_nothing_is_suggested_when_filling_it_in_for_someone_else(client, carer, filled_by):
    client.sign_in_as(carer)
    up_to(client, "filling_in")
    answer(client, "filling_in", {"filled_by": filled_by})
    if filled_by == "professional":
        answer(client, "professional_consent", {"carer_agreed": "yes"})
    page = client.page(f"{BASE}/about_you")
    assert page.form_with("full_name").fields["full_name"] == ""
    assert "We have filled in" not in page.text


def test_guests_get_no_suggestions(client):
    up_to(client, "about_you")
    page = client.page(f"{BASE}/about_you")
    assert page.form_with("full_name").fields["full_name"] == ""


def test_the_person_whose_plan_the_carer_may_see_is_suggested(client, session, carer):
    mother = make_user(session, name="Margaret Carer")
    make_grant(session, mother, carer, "plan:view", relationship="Daughter")
    client.sign_in_as(carer)
    up_to(client, "cared_for")
    response = client.get(f"{BASE}/cared_for")
    page = check_page(response)
    assert page.form_with("cared_for_name").fields["cared_for_name"] == "Margaret Carer"
    assert 'value="parent" checked' in response.get_data(as_text=True)
    assert "We have filled in some answers from your account" in page.text


@pytest.mark.parametrize("grant", ["messages_only", "revoked", "two_people"])
def test_no_person_is_suggested_without_one_clear_plan_grant(client, session, carer, grant):
    mother = make_user(session, name="Margaret Carer")
    if grant == "messages_only":
        make_grant(session, mother, carer, "messages:send")
    elif grant == "revoked":
        make_grant(session, mother, carer, "plan:view", revoked=True)
    else:
        make_grant(session, mother, carer, "plan:view")
        make_grant(session, make_user(session, name="Frank Carer"), carer, "plan:edit")
    client.sign_in_as(carer)
    up_to(client, "cared_for")
    page = client.page(f"{BASE}/cared_for")
    assert page.form_with("cared_for_name").fields["cared_for_name"] == ""
    assert "Margaret" not in page.text


# The team's print view --------------------------------------------------------------------


@pytest.fixture
def sent(app, session):  # type: ignore[no-untyped-def]
    torquay = make_team(session, [make_locality(session, "torquay")])
    browser = app.test_client()
    for page_id in PAGES:
        changes = {"about_you": {"full_name": "<i>Jane</i> Evans"},
                   "coping": {"cannot_carry_on": "yes"}}.get(page_id, {})
        assert answer(browser, page_id, {**ANSWERS[page_id], **changes}).status_code == 302
    browser.submit(f"{BASE}/check", {"website": ""})
    from portal.carers.models import CarerReferral

    with app.app_context():
        return torquay, session.scalar(select(CarerReferral))


def test_the_print_view_reads_as_one_document_and_is_audited(client, session, sent):
    torquay, referral = sent
    worker = make_user(session, Role.CARE_WORKER, teams=[torquay])
    client.sign_in_as(worker)
    assert f"/carers/queue/{referral.id}/print" in client.page(
        f"/carers/queue/{referral.id}").links
    before = session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.event_type == "carer_referral_viewed"))
    response = client.get(f"/carers/queue/{referral.id}/print")
    page = check_page(response)
    html = response.get_data(as_text=True)
    assert page.h1 == [f"Carer's assessment request {referral.reference}"]
    assert "css/carers-print" in html and "Urgent" in page.text and torquay.name in page.text
    for heading in ("About the carer", "Your GP", "What matters to you",
                    "If you suddenly could not care", "Sharing your information", "History"):
        assert re.search(rf"<h2 id=\"section-[a-z_]+\">{heading}</h2>", html), heading
    assert "A walk by the sea." in page.text and "Harbour Surgery, Torquay" in page.text
    assert "&lt;i&gt;Jane&lt;/i&gt; Evans" in html
    events = list(session.scalars(select(AuditEvent).where(
        AuditEvent.event_type == "carer_referral_viewed").order_by(AuditEvent.id)))
    assert len(events) == before + 1
    assert (events[-1].actor_id, events[-1].target_id, events[-1].reason) == (
        worker.id, str(referral.id), "care_team")


def test_the_print_view_is_refused_like_the_request(client, another_client, session, sent):
    _torquay, referral = sent
    devonport = make_team(session, [make_locality(session, "devonport")])
    url = f"/carers/queue/{referral.id}/print"
    assert client.get(url).location.startswith("/account/sign-in?next=")
    client.sign_in_as(make_user(session, Role.CARE_WORKER, teams=[devonport]))
    assert client.get(url).status_code == 404
    another_client.sign_in_as(make_user(session, Role.CARER))
    assert another_client.get(url).status_code == 403
    assert session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.event_type == "carer_referral_viewed")) == 0
