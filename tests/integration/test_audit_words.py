"""The audit log and the activity page in words: labelled details, dates as people read them."""

from __future__ import annotations

from datetime import UTC, datetime

import time_machine

from portal.audit.events import AccessReason, EventType, RecordType
from portal.audit.services import record
from portal.authz import Role
from tests.helpers.factories import make_user

WINTER = datetime(2026, 12, 2, 5, 33, tzinfo=UTC)   # UK time is UTC
SUMMER = datetime(2026, 7, 2, 10, 3, tzinfo=UTC)    # UK time is UTC + 1 (BST)


def _viewed(session, admin, person, at):
    with time_machine.travel(at, tick=False):
        record(session, EventType.RECORD_VIEWED, actor_id=admin.id, subject_id=person.id,
               target_type=RecordType.PERSONAL_DETAILS, reason=AccessReason.ADMIN,
               viewer_roles=["admin"], purpose="safeguarding")


def test_admin_log_shows_details_in_words_not_keys(client, session):
    admin, person = make_user(session, Role.ADMIN), make_user(session)
    _viewed(session, admin, person, WINTER)
    client.sign_in_as(admin)
    page = client.page(f"/admin/audit?subject={person.id}&event_type=record_viewed")
    assert "Viewed as: administrator" in page.text
    assert "Reason given: A safeguarding concern" in page.text
    assert "viewer_roles" not in page.text and "safeguarding:" not in page.text


def test_admin_log_and_activity_page_show_dates_as_people_read_them_in_uk_time(
        client, session):
    admin, person = make_user(session, Role.ADMIN), make_user(session)
    _viewed(session, admin, person, WINTER)
    _viewed(session, admin, person, SUMMER)
    client.sign_in_as(admin)
    page = client.page(f"/admin/audit?subject={person.id}&event_type=record_viewed")
    assert "2 December 2026 at 5:33am" in page.text
    assert "2 July 2026 at 11:03am" in page.text
    client.sign_in_as(person)
    page = client.page("/account/activity")
    assert "2 December 2026 at 5:33am" in page.text and "2 July 2026 at 11:03am" in page.text
    assert '<time datetime="2026-12-02T05:33:00' in client.get("/account/activity").get_data(
        as_text=True)


def test_an_audit_search_entry_shows_what_was_searched_for_in_words(client, session):
    admin, person = make_user(session, Role.ADMIN), make_user(session)
    client.sign_in_as(admin)
    client.get(f"/admin/audit?subject={person.id}&event_type=sign_in&date_from=2026-03-01")
    page = client.page("/admin/audit?event_type=audit_searched")
    assert (f"Searched for: About account: #{person.id}; Event: Signed in; "
            "From: 1 March 2026") in page.text
    assert "Results found: 0" in page.text
    assert "subject_id" not in page.text and "event_type=" not in page.text


def test_a_failed_sign_in_shows_why_in_words(client, session):
    admin = make_user(session, Role.ADMIN)
    record(session, EventType.SIGN_IN_FAILED, actor_id=None, cause="bad_credentials")
    client.sign_in_as(admin)
    page = client.page("/admin/audit?event_type=sign_in_failed")
    assert "Why: wrong email address or password" in page.text


def test_dates_and_details_read_naturally_in_polish_and_arabic(client, session):
    admin, person = make_user(session, Role.ADMIN), make_user(session)
    _viewed(session, admin, person, WINTER)
    client.sign_in_as(admin)
    url = f"/admin/audit?subject={person.id}&event_type=record_viewed"
    client.get("/language/pl")
    page = client.page(url)
    assert "2 grudnia 2026 o 05:33" in page.text
    assert "Wyświetlono jako: administrator" in page.text
    client.get("/language/ar")
    page = client.page(url)
    assert "2 ديسمبر 2026 في الساعة 5:33 ص" in page.text
    assert "السبب المذكور: مخاوف تتعلق بحماية الشخص" in page.text
