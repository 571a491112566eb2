"""Anyone can report a problem with a listing; its editors and the moderators hear of it."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import select

from portal.authz import Role
from portal.db import utcnow
from portal.directory.models import ServiceStatus
from portal.moderation.models import ProblemReport, ReportStatus
from tests.helpers.factories import make_organisation, make_problem_report, make_service, make_user
from tests.helpers.pages import check_page


def _listing(session):
    organisation = make_organisation(session, "Torbay Friends (test)")
    editor = make_user(session, Role.EDITOR, organisations=[organisation],
                       email="eddie@example.test")
    make_user(session, Role.EDITOR, organisations=[make_organisation(session)],
              email="other-editor@example.test")
    moderator = make_user(session, Role.MODERATOR, email="mo@example.test")
    service = make_service(session, organisation, name="Tea and Chat")
    return editor, moderator, service


def test_report_page_is_open_to_everyone(client, session):
    _editor, _moderator, service = _listing(session)
    page = client.page(f"/services/{service.id}/report")
    assert page.h1 == ["Report a problem with this listing"]
    assert "Tea and Chat" in page.text
    assert "In an emergency, call 999." in page.text


def test_report_reaches_editors_and_moderators(client, session, smtp_sink):
    _editor, _moderator, service = _listing(session)
    response = client.submit(f"/services/{service.id}/report", {
        "message": "The phone number rings out.", "email": "Resident@Example.org "})
    assert response.status_code == 302
    assert response.location == f"/services/{service.id}/report/sent"
    page = client.page(response.location)
    assert page.h1 == ["Your report has been sent"]
    [report] = session.scalars(select(ProblemReport)).all()
    assert report.message == "The phone number rings out."
    assert report.reporter_email == "Resident@Example.org"
    assert report.status is ReportStatus.OPEN
    recipients = sorted(mail["To"] for mail in smtp_sink.messages)
    assert recipients == ["eddie@example.test", "mo@example.test"]
    for mail in smtp_sink.messages:
        assert mail["Subject"] == "Someone has reported a problem with a listing"
        assert "Tea and Chat" in mail.get_content()
        assert "rings out" not in mail.get_content()


def test_report_needs_a_message_of_a_sensible_length(client, session, smtp_sink):
    _editor, _moderator, service = _listing(session)
    url = f"/services/{service.id}/report"
    page = check_page(client.submit(url, {"message": "", "email": ""}))
    assert page.error_summary == ["Enter what is wrong with this listing"]
    page = check_page(client.submit(url, {"message": "Too short", "email": ""}))
    assert page.error_summary == ["What is wrong must be between 10 and 2,000 characters"]
    response = client.submit(url, {"message": "x" * 2001, "email": "not an email"})
    page = check_page(response)
    assert page.error_summary == [
        "What is wrong must be between 10 and 2,000 characters",
        "Enter an email address in the correct format, like name@example.com",
    ]
    assert "x" * 2001 in response.get_data(as_text=True)  # nothing typed is lost
    assert session.scalars(select(ProblemReport)).all() == []
    assert smtp_sink.messages == []


def test_only_published_running_listings_take_reports(client, session):
    _editor, _moderator, service = _listing(session)
    hidden = make_service(session, published=False)
    closed = make_service(session, status=ServiceStatus.DEFUNCT)
    assert client.get(f"/services/{hidden.id}/report").status_code == 404
    assert client.get(f"/services/{closed.id}/report").status_code == 404
    assert client.get("/services/no-such-listing/report").status_code == 404
    assert client.get(f"/services/{service.id}/report").status_code == 200


def test_editor_sees_and_resolves_reports_for_own_listings(client, session):
    editor, _moderator, service = _listing(session)
    mine = make_problem_report(session, service, "The <script>alert(1)</script> hall has moved.")
    theirs = make_problem_report(session, make_service(session), "Not for Eddie to see.")
    client.sign_in_as(editor)
    response = client.get("/editor/")
    page = check_page(response)
    assert "Problems reported by the public" in page.text
    assert "The <script>alert(1)</script> hall has moved." in page.text
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)
    assert "Not for Eddie to see." not in page.text
    response = client.submit(f"/editor/reports/{mine.id}/resolve", {}, form_url="/editor/")
    assert response.status_code == 302
    session.refresh(mine)
    assert mine.status is ReportStatus.RESOLVED and mine.resolved_by_id == editor.id
    assert "The report is marked as resolved." in client.page("/editor/").text
    token = client.csrf_token("/editor/")
    response = client.post(f"/editor/reports/{theirs.id}/resolve", data={"csrf_token": token})
    assert response.status_code == 404
    session.refresh(theirs)
    assert theirs.status is ReportStatus.OPEN


def test_moderator_sees_and_resolves_every_report(client, session):
    _editor, moderator, service = _listing(session)
    report = make_problem_report(session, service, "The hall has moved.")
    other = make_problem_report(session, make_service(session), "The times are wrong.")
    client.sign_in_as(moderator)
    page = client.page("/moderation/")
    assert "The hall has moved." in page.text and "The times are wrong." in page.text
    client.submit(f"/moderation/reports/{report.id}/resolve", {}, form_url="/moderation/")
    session.refresh(report)
    session.refresh(other)
    assert report.status is ReportStatus.RESOLVED and other.status is ReportStatus.OPEN


# Rate limits, repeats and bots (issue 8 G) -------------------------------------------------

def _report(client, service, message="The phone number rings out.", address="192.0.2.1",
            **extra):
    return client.submit(f"/services/{service.id}/report", {"message": message, "email": "",
                                                             **extra},
                         environ_base={"REMOTE_ADDR": address})


def test_reports_from_one_address_are_limited_and_the_429_page_keeps_what_was_typed(
        client, session, smtp_sink):
    _editor, _moderator, service = _listing(session)
    others = [make_service(session) for _ in range(5)]
    statuses = [_report(client, listing).status_code for listing in others]
    assert statuses == [302] * 5
    response = _report(client, service, "The hall is now at 4 Fore Street, Totnes.",
                       email="kim@example.org")
    assert response.status_code == 429
    page = check_page(response)
    assert page.h1 == ["Report a problem with this listing"]
    assert "Too many reports" in page.text
    assert "Your report has not been sent" in page.text
    html = response.get_data(as_text=True)
    assert "The hall is now at 4 Fore Street, Totnes.</textarea>" in html
    assert 'value="kim@example.org"' in html
    assert page.form_with("message").action == f"/services/{service.id}/report"
    assert session.scalars(select(ProblemReport).where(
        ProblemReport.service_id == service.id)).all() == []
    # Another address is not held back by this one.
    assert _report(client, service, address="192.0.2.2").status_code == 302


def test_reports_on_one_listing_are_limited_whoever_sends_them(client, session):
    _editor, _moderator, service = _listing(session)
    statuses = [_report(client, service, address=f"198.51.100.{n}").status_code
                for n in range(11)]
    assert statuses == [302] * 10 + [429]
    assert len(session.scalars(select(ProblemReport)).all()) == 10
    other = make_service(session)
    assert _report(client, other, address="198.51.100.200").status_code == 302


def test_five_reports_on_one_listing_send_one_round_of_emails(client, session, smtp_sink):
    _editor, _moderator, service = _listing(session)
    for n in range(5):
        assert _report(client, service, f"Report number {n} about the times.",
                       address=f"203.0.113.{n}").status_code == 302
    assert len(session.scalars(select(ProblemReport).where(
        ProblemReport.service_id == service.id)).all()) == 5
    assert sorted(mail["To"] for mail in smtp_sink.messages) == [
        "eddie@example.test", "mo@example.test"]
    smtp_sink.clear()
    other = make_service(session, name="Walking Group")
    assert _report(client, other, address="203.0.113.99").status_code == 302
    assert [mail["To"] for mail in smtp_sink.messages] == ["mo@example.test"]
    assert "Walking Group" in smtp_sink.messages[0].get_content()


def test_a_repeat_emails_again_once_the_earlier_report_is_resolved_or_an_hour_has_passed(
        client, session, smtp_sink):
    _editor, moderator, service = _listing(session)
    with time_machine.travel(utcnow(), tick=True) as traveller:
        assert _report(client, service, address="203.0.113.1").status_code == 302
        assert _report(client, service, address="203.0.113.2").status_code == 302
        assert len(smtp_sink.messages) == 2
        traveller.shift(timedelta(minutes=61))
        assert _report(client, service, address="203.0.113.3").status_code == 302
        assert len(smtp_sink.messages) == 4
        first = session.scalars(select(ProblemReport).order_by(ProblemReport.id)).all()
        staff = client.application.test_client()
        staff.sign_in_as(moderator)
        for report in first:
            staff.submit(f"/moderation/reports/{report.id}/resolve", {}, form_url="/moderation/")
        assert _report(client, service, address="203.0.113.4").status_code == 302
        assert len(smtp_sink.messages) == 6


def test_a_filled_honeypot_looks_sent_but_stores_and_emails_nothing(client, session, smtp_sink):
    _editor, _moderator, service = _listing(session)
    response = _report(client, service, website="https://cheap-pills.example")
    assert response.status_code == 302
    assert response.location == f"/services/{service.id}/report/sent"
    assert client.page(response.location).h1 == ["Your report has been sent"]
    assert session.scalars(select(ProblemReport)).all() == []
    assert smtp_sink.messages == []


def test_the_honeypot_is_hidden_from_people_and_screen_readers(client, session):
    _editor, _moderator, service = _listing(session)
    html = client.get(f"/services/{service.id}/report").get_data(as_text=True)
    assert ('<div class="nhsuk-u-visually-hidden" aria-hidden="true">\n'
            '        <label for="website">Leave this empty</label>\n'
            '        <input id="website" name="website" type="text" tabindex="-1" '
            'autocomplete="off" value="">') in html
