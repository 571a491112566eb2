"""The carer referral queue: contact targets in working days, overdue flags, what the carer
is told."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import time_machine

from portal.authz import Role
from portal.carers.models import ReferralStatus
from tests.helpers.factories import make_carer_referral, make_locality, make_team, make_user
from tests.integration.test_carers_referral import answer_all

# Wednesday 23 December 2026, 10:00: Christmas (Fri), the Boxing Day substitute (Mon 28th)
# and New Year's Day (Fri) fall inside the next five working days.
BEFORE_CHRISTMAS = datetime(2026, 12, 23, 10, 0, tzinfo=UTC)


@pytest.fixture
def sent_on(app, session, team):  # type: ignore[no-untyped-def]
    """A referral in ``team``'s queue sent at a given moment (answers are encrypted with the
    app's keys, so it is written in an app context)."""
    def make(moment: datetime, *, urgent: bool = False,
             status: ReferralStatus = ReferralStatus.RECEIVED):  # type: ignore[no-untyped-def]
        with app.app_context():
            referral = make_carer_referral(session, team=team, urgent=urgent)
            referral.created_at = moment  # type: ignore[attr-defined]
            referral.status = status  # type: ignore[attr-defined]
            session.flush()
        return referral
    return make


@pytest.fixture
def team(session):  # type: ignore[no-untyped-def]
    return make_team(session, [make_locality(session, "torquay")])


def row_of(html: str, reference: str) -> str:
    match = re.search(r"<tr[^>]*>(?:(?!</tr>).)*" + re.escape(reference) + r".*?</tr>", html,
                      re.S)
    assert match, reference
    return match.group(0)


def queue_on(client, session, moment: datetime, team) -> str:  # type: ignore[no-untyped-def]
    with time_machine.travel(moment, tick=False):
        client.sign_in_as(make_user(session, Role.CARE_WORKER, teams=[team]))
        response = client.get("/carers/queue")
        assert response.status_code == 200
        return response.get_data(as_text=True)


def test_queue_shows_contact_by_dates_in_working_days_and_flags_overdue(
        client, session, team, sent_on):
    urgent = sent_on(BEFORE_CHRISTMAS, urgent=True)
    routine = sent_on(BEFORE_CHRISTMAS)

    html = queue_on(client, session, BEFORE_CHRISTMAS, team)
    assert "23 December 2026" in row_of(html, urgent.reference)  # type: ignore[attr-defined]
    assert "4 January 2027" in row_of(html, routine.reference)  # type: ignore[attr-defined]
    assert 'data-overdue="true"' not in html

    # Christmas Eve: the urgent one is a day late; the routine one has time.
    html = queue_on(client, session, datetime(2026, 12, 24, 9, 0, tzinfo=UTC), team)
    late = row_of(html, urgent.reference)  # type: ignore[attr-defined]
    assert 'data-overdue="true"' in late and "Overdue" in late
    assert "1 working day" in late
    assert "Overdue" not in row_of(html, routine.reference)  # type: ignore[attr-defined]

    # Monday 4 January is the routine one's last day; on Tuesday it is overdue too.
    html = queue_on(client, session, datetime(2027, 1, 4, 16, 0, tzinfo=UTC), team)
    assert "Overdue" not in row_of(html, routine.reference)  # type: ignore[attr-defined]
    assert "5 working days" in row_of(html, routine.reference)  # type: ignore[attr-defined]
    html = queue_on(client, session, datetime(2027, 1, 5, 9, 0, tzinfo=UTC), team)
    assert "Overdue" in row_of(html, routine.reference)  # type: ignore[attr-defined]


def test_contact_made_clears_the_overdue_flag(client, session, team, sent_on):
    referral = sent_on(BEFORE_CHRISTMAS, urgent=True, status=ReferralStatus.CONTACT_MADE)
    html = queue_on(client, session, datetime(2027, 1, 5, 9, 0, tzinfo=UTC), team)
    row = row_of(html, referral.reference)  # type: ignore[attr-defined]
    assert "Overdue" not in row and "Contact made" in row


def test_a_configured_target_changes_the_due_date(app, client, session, team, sent_on):
    referral = sent_on(BEFORE_CHRISTMAS)
    before = app.config["CARER_CONTACT_DAYS_ROUTINE"]
    app.config["CARER_CONTACT_DAYS_ROUTINE"] = 2
    try:
        html = queue_on(client, session, BEFORE_CHRISTMAS, team)
    finally:
        app.config["CARER_CONTACT_DAYS_ROUTINE"] = before
    assert "29 December 2026" in row_of(html, referral.reference)  # type: ignore[attr-defined]


def test_the_carer_is_told_the_day_to_expect_contact(client, session, team):
    carer = make_user(session, Role.CARER)
    with time_machine.travel(BEFORE_CHRISTMAS, tick=False):
        client.sign_in_as(carer)
        answer_all(client)
        client.submit("/carers/assessment/check", {"website": ""})
        sent = client.page("/carers/assessment/sent").text
        mine = client.page("/account/carers-assessments").text
    assert ("within 5 working days, by Monday 4 January 2027, in the way you told us is safest"
            in sent)
    assert "We aim to contact you by Monday 4 January 2027." in mine
