"""Moderators hear when a change waits (once per listing while it waits); publishing a change
can close the listing's problem reports, and reporters who left an address are told."""

from __future__ import annotations

from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.authz import Role
from portal.moderation.models import ProblemReport, ReportStatus, ServiceRevision
from portal.moderation.snapshot import snapshot
from tests.helpers.factories import (
    make_organisation,
    make_problem_report,
    make_revision,
    make_service,
    make_user,
    service_form_data,
)
from tests.helpers.pages import check_page


def _world(session):
    organisation = make_organisation(session, "Torbay Friends (test)")
    editor = make_user(session, Role.EDITOR, organisations=[organisation],
                       email="eddie@example.test")
    moderators = [make_user(session, Role.MODERATOR, email=f"mo{i}@example.test")
                  for i in (1, 2)]
    service = make_service(session, organisation, name="Tea and Chat")
    return editor, moderators, service


def _submit(client, session, service, name):
    session.refresh(service)
    data = {**snapshot(service), "name": name}
    response = client.submit(f"/editor/services/{service.id}/edit",
                             service_form_data(data, base_version=service.version))
    assert response.status_code == 302, response.status_code


def _waiting_mails(smtp_sink):
    return [m for m in smtp_sink.messages
            if m["Subject"] == "A listing change is waiting for review"]


def test_moderators_are_emailed_once_per_listing_while_a_change_waits(
        client, session, smtp_sink):
    editor, _moderators, service = _world(session)
    client.sign_in_as(editor)
    _submit(client, session, service, "Tea, Chat and Cake")
    mails = _waiting_mails(smtp_sink)
    assert sorted(m["To"] for m in mails) == ["mo1@example.test", "mo2@example.test"]
    for mail in mails:
        body = mail.get_content()
        assert "/moderation/" in body
        # No content of the change, not even the listing's name.
        assert "Tea" not in body and "Cake" not in body
    # The editor changes their waiting change again: nobody is emailed again.
    smtp_sink.clear()
    _submit(client, session, service, "Tea, Chat and Scones")
    assert _waiting_mails(smtp_sink) == []
    notified = [e.details["notified"] for e in session.scalars(
        select(AuditEvent).where(AuditEvent.event_type == "listing_submitted")
        .order_by(AuditEvent.id))]
    assert notified == [True, False]


def test_after_a_decision_the_next_change_emails_moderators_again(client, session, smtp_sink):
    editor, moderators, service = _world(session)
    client.sign_in_as(editor)
    _submit(client, session, service, "Tea, Chat and Cake")
    [revision] = session.scalars(select(ServiceRevision)).all()
    client.sign_in_as(moderators[0])
    client.submit(f"/moderation/revisions/{revision.id}",
                  {"decision": "reject", "reason": "Please keep the old name", "expected_version": "1"})
    smtp_sink.clear()
    client.sign_in_as(editor)
    _submit(client, session, service, "Tea and Chat Club")
    assert len(_waiting_mails(smtp_sink)) == 2


def test_a_new_listing_emails_moderators_but_a_double_click_does_not_twice(
        client, session, smtp_sink):
    editor, _moderators, service = _world(session)
    client.sign_in_as(editor)
    data = service_form_data({**snapshot(service), "name": "Walking Group"})
    url = f"/editor/services/new?organisation={service.organisation_id}"
    assert client.submit(url, data).status_code == 302
    assert client.submit(url, data).status_code == 302
    assert len(_waiting_mails(smtp_sink)) == 2  # one for each of the two moderators


def _pending_with_reports(session):
    editor, moderators, service = _world(session)
    revision = make_revision(session, service, author=editor, name="Tea and Chat (Tuesdays)")
    with_address = make_problem_report(session, service, message="The phone number rings out.")
    with_address.reporter_email = "resident@example.org"
    without = make_problem_report(session, service, message="It meets on Tuesdays now.")
    elsewhere = make_problem_report(session, make_service(session, name="Lunch Club"),
                                    message="Closed for good.")
    elsewhere.reporter_email = "other@example.org"
    session.flush()
    return moderators[0], service, revision, (with_address, without, elsewhere)


def test_review_page_offers_to_close_the_listings_open_reports_ticked(client, session):
    moderator, _service, revision, _reports = _pending_with_reports(session)
    client.sign_in_as(moderator)
    page = client.page(f"/moderation/revisions/{revision.id}")
    assert "2 open problem reports on this listing" in page.text
    assert "The phone number rings out." in page.text and "Closed for good." not in page.text
    assert page.form_with("close_reports").fields["close_reports"] == "y"
    assert 'name="close_reports" type="checkbox" value="y" checked' in client.get(
        f"/moderation/revisions/{revision.id}").get_data(as_text=True)


def test_review_page_without_open_reports_has_no_such_box(client, session):
    _editor, moderators, service = _world(session)
    revision = make_revision(session, service, name="Tea and Chat (Tuesdays)")
    client.sign_in_as(moderators[0])
    page = client.page(f"/moderation/revisions/{revision.id}")
    assert "close_reports" not in page.form_with("decision").fields


def test_publishing_with_the_box_ticked_resolves_reports_and_tells_the_reporter(
        client, session, smtp_sink):
    moderator, service, revision, (with_address, without, elsewhere) = _pending_with_reports(
        session)
    client.sign_in_as(moderator)
    response = client.submit(f"/moderation/revisions/{revision.id}", {
        "decision": "publish", "expected_version": "1", "close_reports": "y"})
    assert response.status_code == 302
    session.expire_all()
    statuses = [session.get(ProblemReport, r.id).status for r in (with_address, without, elsewhere)]
    assert statuses == [ReportStatus.RESOLVED, ReportStatus.RESOLVED, ReportStatus.OPEN]
    resolved = session.scalars(select(AuditEvent).where(
        AuditEvent.event_type == "problem_resolved").order_by(AuditEvent.id)).all()
    assert [(e.target_id, e.details["revision"]) for e in resolved] == [
        (str(with_address.id), revision.id), (str(without.id), revision.id)]
    [told] = [m for m in smtp_sink.messages if m["To"] == "resident@example.org"]
    assert told["Subject"] == "The listing you told us about has been updated"
    body = told.get_content()
    assert "Tea and Chat (Tuesdays)" in body and f"/services/{service.id}" in body
    assert "rings out" not in body
    assert not [m for m in smtp_sink.messages if m["To"] == "other@example.org"]


def test_publishing_with_the_box_cleared_leaves_the_reports_open(client, session, smtp_sink):
    moderator, _service, revision, reports = _pending_with_reports(session)
    client.sign_in_as(moderator)
    client.submit(f"/moderation/revisions/{revision.id}",
                  {"decision": "publish", "expected_version": "1"})
    session.expire_all()
    assert {session.get(ProblemReport, r.id).status for r in reports} == {ReportStatus.OPEN}
    assert not [m for m in smtp_sink.messages if m["To"] == "resident@example.org"]


def test_a_failed_reject_keeps_the_box_as_the_moderator_left_it(client, session):
    moderator, _service, revision, _reports = _pending_with_reports(session)
    client.sign_in_as(moderator)
    page = check_page(client.submit(f"/moderation/revisions/{revision.id}",
                                    {"decision": "reject", "expected_version": "1"}))
    assert page.error_summary == ["Enter the reason for rejecting the change"]
    assert page.form_with("close_reports").fields["close_reports"] == ""
