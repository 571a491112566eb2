"""The approval workflow over HTTP: authors draft with a preview, send for approval; a
different clinical approver approves a specific version; conflicts keep what was typed;
invalid captions are refused; approvers review and withdraw live pages."""

from datetime import date

import pytest
import time_machine
from sqlalchemy import select

from portal.authz import Role
from portal.content import queries
from portal.content.models import ContentApproval, ContentItem, VersionStatus
from tests.helpers.factories import make_content_item, make_content_version, make_user
from tests.helpers.pages import check_page

TODAY = date(2026, 11, 23)
DRAFT = {
    "slug": "keeping-warm", "title": "Keeping warm", "summary": "How to keep warm at home.",
    "topics": ["staying-well"], "conditions": ["none"], "audience": ["residents", "carers"],
    "languages": ["en"], "reading_age": "10",
    "body": "## Keep warm\n\nHeat your main room.\n\n<script>alert('x')</script>\n\n"
            "[Bad link](javascript:alert(1))",
    "transcript": "", "captions": "", "easy_read": "",
    "sources": "Written for this portal by its content team in plain English.\nNHS website",
}


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def author(session):
    return make_user(session, Role.AUTHOR, name="Ada Author")


@pytest.fixture
def approver(session):
    return make_user(session, Role.APPROVER, name="Dr Ann Approver")


def _draft_form(client, url, version):
    """What the editor form sends unchanged: the version's content and the page's hidden
    fields (the page parser does not read textareas, so the text comes from the version)."""
    fields = client.page(url).form_with("title").fields
    return {"csrf_token": fields["csrf_token"], "based_on": fields["based_on"],
            "title": version.title, "summary": version.summary, "topics": version.topics,
            "conditions": version.conditions, "audience": version.audience,
            "languages": version.languages, "reading_age": str(version.reading_age),
            "body": version.body, "transcript": version.transcript or "", "captions": "",
            "easy_read": version.easy_read or "", "sources": "\n".join(version.sources)}


def test_author_previews_then_saves_a_new_draft_with_scripts_stripped(client, session, author):
    client.sign_in_as(author)
    page = client.page("/guidance/manage/new")
    assert page.h1 == ["Write a new page"]
    preview = client.submit("/guidance/manage/new", {**DRAFT, "action": "preview"})
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Preview of the page text" in html
    assert "<h2>Keep warm</h2>" in html and "HTML in the text has been removed." in html
    assert "alert(" not in html.split("Preview of the page text")[1].split("</section>")[0]
    assert session.scalar(select(ContentItem)) is None  # a preview saves nothing
    saved = client.submit("/guidance/manage/new", {**DRAFT, "action": "save"})
    assert saved.status_code == 302 and saved.location == "/guidance/manage/keeping-warm"
    item = queries.item_by_slug(session, "keeping-warm")
    draft = queries.open_draft(session, item.id)
    assert (draft.status, draft.author_id, draft.title) == (VersionStatus.DRAFT, author.id, "Keeping warm")
    assert draft.sources == ["Written for this portal by its content team in plain English.", "NHS website"]
    assert client.get("/guidance/keeping-warm").status_code == 404  # not for residents yet


def test_new_draft_with_bad_input_keeps_what_was_typed(client, session, author):
    client.sign_in_as(author)
    response = client.submit("/guidance/manage/new", {
        **DRAFT, "slug": "Keeping Warm!", "title": "", "topics": ["gardening"], "reading_age": "old",
        "sources": "From a leaflet", "action": "save"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for message in ("Web address name must be lower-case letters and numbers joined by hyphens, "
                    "like keeping-warm", "Enter a title", "Select topics from the list",
                    "Reading age must be a whole number from 5 to 18",
                    "The first source must say the text was \"Written for this portal\""):
        assert message.replace('"', "&#34;") in html or message in html, message
    assert "How to keep warm at home." in html and "<title>Error:" in html
    # The error summary follows the order of the form (the web address name comes first).
    assert check_page(response).error_summary == [
        "Web address name must be lower-case letters and numbers joined by hyphens, like "
        "keeping-warm", "Enter a title", "Select topics from the list",
        "Reading age must be a whole number from 5 to 18",
        'The first source must say the text was "Written for this portal"']


def test_draft_sent_for_approval_and_approved_by_a_different_person(client, session, author,
                                                                    approver):
    client.sign_in_as(author)
    client.submit("/guidance/manage/new", {**DRAFT, "action": "save"})
    draft = queries.open_draft(session, queries.item_by_slug(session, "keeping-warm").id)
    response = client.submit("/guidance/manage/keeping-warm/submit",
                             {"based_on": str(draft.revision)}, form_url="/guidance/manage/keeping-warm")
    assert response.status_code == 302
    session.refresh(draft)
    assert draft.status is VersionStatus.SUBMITTED
    client.sign_in_as(approver)
    assert "Keeping warm" in client.page("/guidance/approvals/").text
    page = client.page(f"/guidance/approvals/{draft.id}")
    assert page.h1 == ["Approve version 1"]
    assert page.form_with("seen_hash").fields["seen_hash"] == draft.content_hash
    response = client.submit(f"/guidance/approvals/{draft.id}",
                             {"seen_hash": draft.content_hash, "review_in": "12"})
    assert response.status_code == 302
    [approval] = session.scalars(select(ContentApproval).where(ContentApproval.version_id == draft.id))
    assert (approval.approver_id, approval.content_hash, approval.approved_on,
            approval.review_due) == (approver.id, draft.content_hash, TODAY, date(2027, 11, 23))
    page = client.page("/guidance/keeping-warm")
    assert "Page last reviewed: 23 November 2026 Next review due: 23 November 2027" in page.text


def test_approver_cannot_approve_their_own_draft(client, session):
    both = make_user(session, Role.AUTHOR, Role.APPROVER, name="Both Roles")
    client.sign_in_as(both)
    client.submit("/guidance/manage/new", {**DRAFT, "action": "save"})
    draft = queries.open_draft(session, queries.item_by_slug(session, "keeping-warm").id)
    client.submit("/guidance/manage/keeping-warm/submit", {"based_on": str(draft.revision)},
                  form_url="/guidance/manage/keeping-warm")
    message = ("You wrote or changed this version, so a different clinical approver must approve it.")
    assert message in client.page(f"/guidance/approvals/{draft.id}").text
    response = client.submit(f"/guidance/approvals/{draft.id}",
                             {"seen_hash": draft.content_hash, "review_in": "12"},
                             form_url="/guidance/manage/keeping-warm")
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    session.refresh(draft)
    assert draft.status is VersionStatus.SUBMITTED


def test_invalid_captions_are_refused_at_approval_with_a_message(client, session, approver):
    version = make_content_version(session, status=VersionStatus.SUBMITTED,
                                   author=make_user(session, Role.AUTHOR),
                                   captions="WEBVTT\n\n1\n00:00:01 --> 00:00:02\nBad timing\n")
    client.sign_in_as(approver)
    page = client.page(f"/guidance/approvals/{version.id}")
    assert ("The captions are not valid Line 4: The timing line is not in the form "
            "00:00:01.000 --> 00:00:02.000.") in page.text
    response = client.submit(f"/guidance/approvals/{version.id}",
                             {"seen_hash": version.content_hash, "review_in": "12"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert ("The captions are not valid WebVTT, so this version cannot be approved. Line 4: The "
            "timing line is not in the form 00:00:01.000 --&gt; 00:00:02.000.") in html
    session.refresh(version)
    assert version.status is VersionStatus.SUBMITTED


def test_two_authors_saving_the_same_draft_see_a_conflict_and_lose_nothing(client, session, author):
    item = make_content_item(session, live=False, draft=True, title="Shared draft")
    other = make_user(session, Role.AUTHOR, name="Other Author")
    draft = queries.open_draft(session, item.id)
    client.sign_in_as(author)
    mine = _draft_form(client, f"/guidance/manage/{item.slug}/edit", draft)
    client.sign_in_as(other)
    theirs = _draft_form(client, f"/guidance/manage/{item.slug}/edit", draft)
    saved = client.post(f"/guidance/manage/{item.slug}/edit",
                        data={**theirs, "title": "Their title", "action": "save"})
    assert saved.status_code == 302
    client.sign_in_as(author)
    token = client.csrf_token(f"/guidance/manage/{item.slug}/edit")
    conflict = client.post(f"/guidance/manage/{item.slug}/edit",
                           data={**mine, "csrf_token": token, "title": "My title", "action": "save"})
    assert conflict.status_code == 409
    html = conflict.get_data(as_text=True)
    assert "Someone else saved this draft while you were changing it" in html
    assert 'value="My title"' in html and "Their title" in html
    session.expire_all()
    assert queries.open_draft(session, item.id).title == "Their title"
    again = client.page(f"/guidance/manage/{item.slug}/edit", status=200)  # a fresh form
    assert again.form_with("title").fields["title"] == "Their title"
    based_on = conflict.get_data(as_text=True).split('name="based_on" value="')[1].split('"')[0]
    final = client.post(f"/guidance/manage/{item.slug}/edit",
                        data={**mine, "csrf_token": token, "based_on": based_on,
                              "title": "My title", "action": "save"})
    assert final.status_code == 302
    session.expire_all()
    assert queries.open_draft(session, item.id).title == "My title"


def test_editing_an_approved_page_keeps_it_live_until_the_new_version_is_approved(
        client, session, author):
    item = make_content_item(session, title="Live title")
    client.sign_in_as(author)
    form = _draft_form(client, f"/guidance/manage/{item.slug}/edit",
                       queries.live_version(session, item.id))
    assert form["based_on"] == ""
    assert client.page(f"/guidance/manage/{item.slug}/edit").form_with("title").fields["title"] == \
        "Live title"
    client.post(f"/guidance/manage/{item.slug}/edit", data={**form, "title": "Draft title",
                                                           "action": "save"})
    draft = queries.open_draft(session, item.id)
    assert (draft.number, draft.title) == (2, "Draft title")
    assert "Live title" in client.page(f"/guidance/{item.slug}").text
    staff = client.page(f"/guidance/manage/{item.slug}")
    assert "Version 1, approved on" in staff.text and "Version 2 Draft" in staff.text


def test_approver_confirms_a_page_still_correct_or_withdraws_it(client, session, approver):
    item = make_content_item(session, review_due=date(2026, 11, 1))
    live = queries.live_version(session, item.id)
    client.sign_in_as(approver)
    assert "review was due on 1 November 2026; it will be withdrawn on 31 January 2027" in \
        client.page("/guidance/approvals/").text
    response = client.submit(f"/guidance/approvals/{live.id}/still-correct", {"review_in": "6"})
    assert response.status_code == 302
    session.refresh(live)
    assert live.review_due == date(2027, 5, 23) and len(live.approvals) == 2
    assert client.page(f"/guidance/approvals/{live.id}/withdraw").h1 == ["Withdraw this page"]
    response = client.submit(f"/guidance/approvals/{live.id}/withdraw", {})
    assert response.status_code == 302
    session.refresh(live)
    assert live.status is VersionStatus.WITHDRAWN
    assert client.get(f"/guidance/{item.slug}").status_code == 404
    assert client.get(f"/guidance/approvals/{live.id}/withdraw").status_code == 404


def test_staff_pages_are_not_found_for_other_staff(client, session):
    item = make_content_item(session, draft=True)
    client.sign_in_as(make_user(session, Role.EDITOR))
    assert client.get(f"/guidance/manage/{item.slug}").status_code == 404
    draft = queries.open_draft(session, item.id)
    assert client.get(f"/guidance/manage/versions/{draft.id}").status_code == 404


def _save(client, slug, version, **changes):
    form = _draft_form(client, f"/guidance/manage/{slug}/edit", version)
    response = client.post(f"/guidance/manage/{slug}/edit",
                           data={**form, **changes, "action": "save"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]


def test_an_approver_who_changed_a_draft_cannot_approve_it_after_the_author_saves_again(
        client, session, author, approver):
    """The bypass the probe found: Ada saves, an author-and-approver changes the body, Ada
    saves again and submits. The last editor is Ada, but the approver's paragraph is in it."""
    both = make_user(session, Role.AUTHOR, Role.APPROVER, name="Both Roles")
    client.sign_in_as(author)
    client.submit("/guidance/manage/new", {**DRAFT, "action": "save"})
    item = queries.item_by_slug(session, "keeping-warm")
    draft = queries.open_draft(session, item.id)
    client.sign_in_as(both)
    _save(client, item.slug, draft, body="## Keep warm\n\nMy own paragraph.")
    client.sign_in_as(author)
    session.expire_all()
    _save(client, item.slug, draft, title="Keeping warm at home")
    session.expire_all()
    assert (draft.author_id, draft.edited_by_id) == (author.id, author.id)
    client.submit(f"/guidance/manage/{item.slug}/submit", {"based_on": str(draft.revision)},
                  form_url=f"/guidance/manage/{item.slug}")
    session.refresh(draft)
    client.sign_in_as(both)
    message = "You wrote or changed this version, so a different clinical approver must approve it."
    assert message in client.page(f"/guidance/approvals/{draft.id}").text
    refused = client.submit(f"/guidance/approvals/{draft.id}",
                            {"seen_hash": draft.content_hash, "review_in": "12"})
    assert refused.status_code == 200 and message in refused.get_data(as_text=True)
    session.refresh(draft)
    assert draft.status is VersionStatus.SUBMITTED
    client.sign_in_as(approver)  # someone who touched none of it may
    approved = client.submit(f"/guidance/approvals/{draft.id}",
                             {"seen_hash": draft.content_hash, "review_in": "12"})
    assert approved.status_code == 302
    session.refresh(draft)
    assert draft.status is VersionStatus.APPROVED


def test_changes_before_the_last_approval_do_not_stop_an_approver_later(client, session, author):
    """The rule looks back to the last approval, not forever: an approver who wrote version 1
    (approved by someone else) may approve version 2 written by another author."""
    both = make_user(session, Role.AUTHOR, Role.APPROVER, name="Both Roles")
    other = make_user(session, Role.APPROVER, name="Dr Other")
    client.sign_in_as(both)
    client.submit("/guidance/manage/new", {**DRAFT, "action": "save"})
    item = queries.item_by_slug(session, "keeping-warm")
    first = queries.open_draft(session, item.id)
    client.submit(f"/guidance/manage/{item.slug}/submit", {"based_on": str(first.revision)},
                  form_url=f"/guidance/manage/{item.slug}")
    session.refresh(first)
    client.sign_in_as(other)
    assert client.submit(f"/guidance/approvals/{first.id}",
                         {"seen_hash": first.content_hash, "review_in": "12"}).status_code == 302
    client.sign_in_as(author)
    session.expire_all()
    _save(client, item.slug, first, summary="Warmth for everyone.")
    second = queries.open_draft(session, item.id)
    client.submit(f"/guidance/manage/{item.slug}/submit", {"based_on": str(second.revision)},
                  form_url=f"/guidance/manage/{item.slug}")
    session.refresh(second)
    client.sign_in_as(both)
    assert client.submit(f"/guidance/approvals/{second.id}",
                         {"seen_hash": second.content_hash, "review_in": "12"}).status_code == 302
    session.refresh(second)
    assert second.status is VersionStatus.APPROVED
