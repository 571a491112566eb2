"""An approver sends a submitted draft back with comments instead of approving it; the review
page shows the reading age, who it is for and its languages."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.authz import Role
from portal.content import queries
from portal.content.models import ContentSendBack, VersionStatus
from tests.helpers.factories import make_user
from tests.helpers.pages import check_page
from tests.integration.test_content_workflow import DRAFT

TODAY = date(2026, 11, 23)
COMMENT = "Please add when to call 111.\nThe second heading is unclear."


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def submitted(client, session):
    author = make_user(session, Role.AUTHOR, name="Ada Author", email="ada@example.test")
    client.sign_in_as(author)
    client.submit("/guidance/manage/new", {**DRAFT, "languages": ["en", "pl"],
                                           "action": "save"})
    draft = queries.open_draft(session, queries.item_by_slug(session, "keeping-warm").id)
    client.submit("/guidance/manage/keeping-warm/submit", {"based_on": str(draft.revision)},
                  form_url="/guidance/manage/keeping-warm")
    session.refresh(draft)
    assert draft.status is VersionStatus.SUBMITTED
    return author, draft


@pytest.fixture
def approver(session):
    return make_user(session, Role.APPROVER, name="Dr Ann Approver")


def test_review_page_shows_reading_age_audience_and_languages(client, submitted, approver):
    _author, draft = submitted
    client.sign_in_as(approver)
    page = client.page(f"/guidance/approvals/{draft.id}")
    assert "Reading age 10" in page.text
    assert "Who it is for Residents, Carers" in page.text
    # (each language's name is marked with its own lang, so the text has a node per name)
    assert "Languages English, Polski" in page.text.replace(" ,", ",")
    assert "comment" in page.form_with("comment").fields


def test_approver_sends_a_draft_back_with_comments_the_author_reads_them(
        client, session, submitted, approver, smtp_sink):
    author, draft = submitted
    smtp_sink.clear()
    client.sign_in_as(approver)
    response = client.submit(f"/guidance/approvals/{draft.id}/send-back", {"comment": COMMENT},
                             form_url=f"/guidance/approvals/{draft.id}")
    assert response.status_code == 302 and response.location == "/guidance/approvals/"
    assert "Version 1 has gone back to its author with your comments." in client.page(
        response.location).text
    session.refresh(draft)
    assert draft.status is VersionStatus.DRAFT and draft.submitted_at is None
    [returned] = session.scalars(select(ContentSendBack)).all()
    assert (returned.version_id, returned.approver_id, returned.comment) == (
        draft.id, approver.id, COMMENT)
    [event] = session.scalars(select(AuditEvent).where(
        AuditEvent.event_type == "guidance_sent_back")).all()
    assert (event.actor_id, event.target_id, event.details) == (
        approver.id, str(draft.id), {"item": "keeping-warm", "version": 1})
    [mail] = smtp_sink.messages
    assert mail["To"] == "ada@example.test"
    assert mail["Subject"] == "Your guidance has been sent back with comments"
    body = mail.get_content()
    assert "Keeping warm" in body and "/guidance/manage/keeping-warm" in body
    assert "111" not in body  # the comment stays in the portal
    client.sign_in_as(author)
    page = client.page("/guidance/manage/keeping-warm")
    assert "Sent back by Dr Ann Approver on 23 November 2026 at 12:00am" in page.text
    assert "Please add when to call 111." in page.text
    # It is a draft again: the author can change it (the comments beside the form) and send it.
    assert "based_on" in page.form_with("based_on").fields
    assert "Please add when to call 111." in client.page("/guidance/manage/keeping-warm/edit").text


def test_send_back_without_a_comment_shows_an_error_and_changes_nothing(
        client, session, submitted, approver):
    _author, draft = submitted
    client.sign_in_as(approver)
    url = f"/guidance/approvals/{draft.id}/send-back"
    page = check_page(client.submit(url, {"comment": "  "}, form_url=f"/guidance/approvals/{draft.id}"))
    assert page.title.startswith("Error:")
    assert page.error_summary == ["Enter your comments for the author"]
    assert page.error_summary_links == ["#comment"]
    response = client.submit(url, {"comment": "x" * 2001}, form_url=f"/guidance/approvals/{draft.id}")
    page = check_page(response)
    assert page.error_summary == ["Comments must be 2,000 characters or fewer"]
    assert "x" * 2001 in response.get_data(as_text=True)  # nothing typed is lost
    session.refresh(draft)
    assert draft.status is VersionStatus.SUBMITTED
    assert session.scalars(select(ContentSendBack)).all() == []


def test_a_draft_not_waiting_for_approval_cannot_be_sent_back(
        client, session, submitted, approver):
    _author, draft = submitted
    client.sign_in_as(approver)
    url = f"/guidance/approvals/{draft.id}/send-back"
    client.submit(url, {"comment": COMMENT}, form_url=f"/guidance/approvals/{draft.id}")
    response = client.submit(url, {"comment": "Again"}, form_url="/guidance/approvals/")
    assert response.status_code == 302
    assert response.location == "/guidance/manage/keeping-warm"
    assert len(session.scalars(select(ContentSendBack)).all()) == 1


def test_only_approvers_may_send_guidance_back(client, session, submitted):
    author, draft = submitted
    client.sign_in_as(author)
    token = client.csrf_token("/guidance/manage/")
    response = client.post(f"/guidance/approvals/{draft.id}/send-back",
                           data={"csrf_token": token, "comment": COMMENT})
    assert response.status_code == 403
    session.refresh(draft)
    assert draft.status is VersionStatus.SUBMITTED


def test_the_author_sends_the_draft_again_and_it_waits_for_approval_again(
        client, session, submitted, approver):
    author, draft = submitted
    client.sign_in_as(approver)
    client.submit(f"/guidance/approvals/{draft.id}/send-back", {"comment": COMMENT},
                  form_url=f"/guidance/approvals/{draft.id}")
    assert "Keeping warm" not in client.page("/guidance/approvals/").text
    client.sign_in_as(author)
    session.refresh(draft)
    client.submit("/guidance/manage/keeping-warm/submit", {"based_on": str(draft.revision)},
                  form_url="/guidance/manage/keeping-warm")
    session.refresh(draft)
    assert draft.status is VersionStatus.SUBMITTED
    assert "Please add when to call 111." not in client.page("/guidance/manage/keeping-warm").text
    client.sign_in_as(approver)
    assert "Keeping warm" in client.page("/guidance/approvals/").text
