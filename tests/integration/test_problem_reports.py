"""Anyone can report a problem with a listing; its editors and the moderators hear of it."""

from __future__ import annotations

from sqlalchemy import select

from portal.authz import Role
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
