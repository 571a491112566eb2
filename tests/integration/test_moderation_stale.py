"""Listings not checked for 12 months: marked "may be out of date", editors reminded monthly."""

from __future__ import annotations

from datetime import date

import time_machine
from sqlalchemy import select

from portal.authz import Role
from portal.moderation.models import StaleReminder
from tests.helpers.factories import make_organisation, make_service, make_user


def _remind(app, day: str):
    result = app.test_cli_runner().invoke(args=["moderation", "remind-stale", "--today", day])
    assert result.exit_code == 0, result.output
    return result.output


def _stale_listings(session):
    organisation = make_organisation(session)
    make_user(session, Role.EDITOR, organisations=[organisation], email="ann@example.test")
    make_user(session, Role.EDITOR, organisations=[organisation], email="bob@example.test")
    old = make_service(session, organisation, name="Old Tea Club",
                       last_checked_on=date(2025, 11, 22))
    never = make_service(session, organisation, name="Never Checked", last_checked_on=None)
    make_service(session, organisation, name="Fresh Lunch Club",
                 last_checked_on=date(2026, 6, 1))
    return old, never


def test_remind_stale_emails_each_editor_once_listing_every_stale_listing(app, session,
                                                                         smtp_sink):
    old, never = _stale_listings(session)
    make_service(session, old.organisation, name="Checked a Year Ago Today",
                 last_checked_on=date(2025, 11, 23))
    output = _remind(app, "2026-11-23")
    assert "Listings that may be out of date: 2" in output
    assert "Reminded now: 2 listings, 2 emails sent" in output
    assert sorted(mail["To"] for mail in smtp_sink.messages) == [
        "ann@example.test", "bob@example.test"]
    body = smtp_sink.messages[0].get_content()
    assert "Old Tea Club" in body and "Never Checked" in body
    assert "Fresh Lunch Club" not in body and "Checked a Year Ago Today" not in body
    assert "http://127.0.0.1:5000/editor/" in body
    reminded = {row.service_id for row in session.scalars(select(StaleReminder))}
    assert reminded == {old.id, never.id}


def test_remind_stale_waits_30_days_before_reminding_again(app, session, smtp_sink):
    _stale_listings(session)
    _remind(app, "2026-11-23")
    smtp_sink.clear()
    output = _remind(app, "2026-12-22")
    assert "Reminded in the last 30 days, skipped: 2" in output
    assert smtp_sink.messages == []
    output = _remind(app, "2026-12-23")
    assert "Reminded now: 2 listings, 2 emails sent" in output
    assert len(smtp_sink.messages) == 2


def test_remind_stale_counts_listings_without_editors(app, session, smtp_sink):
    make_service(session, name="Orphan Listing", last_checked_on=None)
    output = _remind(app, "2026-11-23")
    assert "No editor to remind: 1" in output
    assert smtp_sink.messages == []


def test_remind_stale_uses_the_clock_when_no_date_is_given(app, session, smtp_sink):
    _stale_listings(session)
    with time_machine.travel(date(2026, 11, 23), tick=False):
        result = app.test_cli_runner().invoke(args=["moderation", "remind-stale"])
    assert "Listings that may be out of date: 2" in result.output
    with time_machine.travel(date(2020, 12, 1), tick=False):
        smtp_sink.clear()
        result = app.test_cli_runner().invoke(args=["moderation", "remind-stale"])
    assert "Listings that may be out of date: 1" in result.output


def test_remind_stale_refuses_a_bad_date(app):
    result = app.test_cli_runner().invoke(args=["moderation", "remind-stale", "--today", "soon"])
    assert result.exit_code == 2


def test_stale_listing_is_marked_for_its_editor(client, session):
    organisation = make_organisation(session)
    editor = make_user(session, Role.EDITOR, organisations=[organisation])
    make_service(session, organisation, name="Old Tea Club", last_checked_on=date(2020, 1, 1))
    client.sign_in_as(editor)
    page = client.page("/editor/")
    assert "1 January 2020" in page.text and "May be out of date" in page.text
