"""The plan pages: writing, versions, merging, history, notes, links, and who may do what."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.authz import Role
from portal.circles.models import Purpose, Scope
from portal.clock import today, utcnow
from portal.plans.models import PlanDraft, PlanVersion
from portal.plans.sections import MAX_SECTION_CHARS
from tests.helpers.factories import (
    make_consent,
    make_content_item,
    make_grant,
    make_locality,
    make_team,
    make_user,
    serve,
)
from tests.helpers.pages import check_page


def textarea(response, name):
    """What a textarea holds (the page helper reads only inputs' values)."""
    found = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>',
                      response.get_data(as_text=True), re.S)
    assert found, f"no textarea {name}"
    return html.unescape(found.group(1))


FORM_PAGE = "/account/details/edit"  # any page whose form carries the session's CSRF token


def write(client, person, section="about_me", text="Call me Rose.", base=0, **extra):
    return client.submit(f"/plans/{person.id}/sections/{section}",
                         {"text": text, "base_number": str(base), "action": "save", **extra})


@pytest.fixture(autouse=True)
def _keys(app):
    """Encrypted columns decrypt inside an app context: the tests' own reads push one briefly."""
    _APP.append(app)
    yield
    _APP.clear()


_APP: list = []


def decrypted(fn):
    with _APP[0].app_context():
        return fn()


def versions(session, person, section="about_me"):
    return decrypted(lambda: _versions(session, person, section))


def _versions(session, person, section):
    from portal.plans.models import Plan

    return list(session.scalars(select(PlanVersion).join(Plan, Plan.id == PlanVersion.plan_id)
                                .where(Plan.person_id == person.id,
                                       PlanVersion.section_key == section)
                                .order_by(PlanVersion.number)))


@pytest.fixture
def circle(session):
    """Rose; her daughter Jane (plan:edit); a care worker in the team serving her locality."""
    locality = make_locality(session)
    rose = serve(session, make_user(session, name="Rose Evans"), locality)
    jane = make_user(session, Role.CARER, name="Jane Evans")
    make_grant(session, rose, jane, Scope.PLAN_EDIT, relationship="daughter")
    worker = make_user(session, Role.CARE_WORKER, name="Sam Worker",
                       teams=[make_team(session, [locality])])
    make_consent(session, rose, Purpose.PLAN)
    return rose, jane, worker


def test_plan_redirects_to_the_signed_in_persons_own(client, session):
    person = make_user(session)
    client.sign_in_as(person)
    response = client.get("/plan")
    assert response.status_code == 302 and response.location == f"/plans/{person.id}"


def test_owner_writes_a_section_and_it_is_kept_as_version_one(client, session):
    rose = make_user(session, name="Rose Evans")
    client.sign_in_as(rose)
    response = write(client, rose)
    assert response.status_code == 302 and response.location == f"/plans/{rose.id}#section-about_me"
    page = client.page(f"/plans/{rose.id}")
    assert "“About me” has been saved." in page.text and "Call me Rose." in page.text
    assert [(v.number, v.content, v.reason) for v in versions(session, rose)] == [
        (1, {"text": "Call me Rose."}, "owner")]


def test_nhs_number_shows_on_the_plan_when_given(client, session):
    rose = make_user(session)
    client.sign_in_as(rose)
    assert "NHS number" not in client.page(f"/plans/{rose.id}").text
    client.submit("/account/details/edit", {"nhs_number": "943 476 5919"})
    assert "NHS number: 943 476 5919" in client.page(f"/plans/{rose.id}").text


# Who may read ------------------------------------------------------------------------------

READERS = {
    "owner": 200, "carer_view": 200, "carer_edit": 200, "carer_wrong_scope": 404,
    "carer_expired": 404, "carer_revoked": 404, "team_with_consent": 200,
    "team_without_consent": 404, "other_team": 404, "stranger": 404,
}


def persona(session, kind):
    locality = make_locality(session)
    rose = serve(session, make_user(session, name="Rose Evans"), locality)
    actor = rose if kind == "owner" else make_user(
        session, Role.CARE_WORKER if kind.startswith(("team", "other")) else Role.CARER)
    if kind == "carer_view":
        make_grant(session, rose, actor, Scope.PLAN_VIEW)
    elif kind == "carer_edit":
        make_grant(session, rose, actor, Scope.PLAN_EDIT)
    elif kind == "carer_wrong_scope":
        make_grant(session, rose, actor, Scope.MESSAGES, Scope.DETAILS_VIEW)
    elif kind == "carer_expired":
        make_grant(session, rose, actor, Scope.PLAN_EDIT, ends_on=today() - timedelta(days=1))
    elif kind == "carer_revoked":
        make_grant(session, rose, actor, Scope.PLAN_EDIT, revoked=True)
    elif kind in ("team_with_consent", "team_without_consent"):
        actor.teams = [make_team(session, [locality])]
        make_consent(session, rose, Purpose.PLAN if kind == "team_with_consent"
                     else Purpose.MESSAGING)
    elif kind == "other_team":
        actor.teams = [make_team(session, [make_locality(session)])]
        make_consent(session, rose, Purpose.PLAN)
    session.flush()
    return rose, actor


@pytest.mark.parametrize("kind", list(READERS))
def test_who_may_read_a_plan(client, session, kind):
    rose, actor = persona(session, kind)
    client.sign_in_as(actor)
    for url in (f"/plans/{rose.id}", f"/plans/{rose.id}/history", f"/plans/{rose.id}/print",
                f"/plans/{rose.id}/emergency", f"/plans/{rose.id}/easy-read",
                f"/plans/{rose.id}/sections/about_me/history"):
        assert client.get(url).status_code == READERS[kind], (kind, url)


def test_anonymous_visitors_are_sent_to_sign_in(client, session):
    rose = make_user(session)
    response = client.get(f"/plans/{rose.id}")
    assert response.status_code == 302 and response.location.startswith("/account/sign-in?next=")


WRITERS = {"owner": 302, "carer_edit": 302, "carer_view": 403, "carer_wrong_scope": 403,
           "carer_expired": 403, "carer_revoked": 403, "team_with_consent": 404,
           "other_team": 404, "stranger": 404}


@pytest.mark.parametrize("kind", list(WRITERS))
def test_who_may_change_a_plan(client, session, kind):
    rose, actor = persona(session, kind)
    client.sign_in_as(actor)
    response = client.submit(f"/plans/{rose.id}/sections/about_me",
                             {"text": "Words", "base_number": "0", "action": "save"},
                             form_url=FORM_PAGE)
    assert response.status_code == WRITERS[kind]
    assert len(versions(session, rose)) == (1 if WRITERS[kind] == 302 else 0)
    expected_edit_page = 200 if WRITERS[kind] == 302 else 404
    assert client.get(f"/plans/{rose.id}/sections/about_me").status_code == expected_edit_page


def test_carers_change_is_labelled_as_theirs_for_the_person(client, session, circle):
    rose, jane, _worker = circle
    client.sign_in_as(jane)
    assert write(client, rose, text="Mum likes tea at four.").status_code == 302
    page = client.page(f"/plans/{rose.id}/sections/about_me/history")
    assert "Jane Evans (daughter) for Rose Evans" in page.text
    event = session.scalars(select(AuditEvent).where(AuditEvent.event_type == "record_changed")
                            .order_by(AuditEvent.id.desc())).first()
    assert (event.actor_id, event.subject_id, event.target_type, event.reason) == (
        jane.id, rose.id, "plan", "proxy")


def test_revoked_carer_pressing_save_with_the_page_open_is_refused_and_sees_their_text(
        client, session, circle):
    rose, jane, _worker = circle
    client.sign_in_as(jane)
    token = client.csrf_token(f"/plans/{rose.id}/sections/about_me")
    from portal.circles.models import CarerGrant

    grant = session.scalar(select(CarerGrant).where(CarerGrant.carer_id == jane.id))
    grant.revoked_at, grant.revoked_by_id = utcnow(), rose.id
    session.flush()
    response = client.post(f"/plans/{rose.id}/sections/about_me",
                           data={"csrf_token": token, "text": "Words to keep <b>safe</b>",
                                 "base_number": "0", "action": "save"})
    page = check_page(response)
    assert response.status_code == 403
    assert page.h1 == ["You can no longer change this plan"]
    assert "Words to keep <b>safe</b>" in page.text  # shown back, escaped
    assert versions(session, rose) == []
    assert session.scalars(select(PlanDraft)).all() == []


# Saving never loses text -------------------------------------------------------------------

def test_saving_on_top_of_a_newer_version_shows_both_to_merge(client, session, circle):
    rose, jane, _worker = circle
    client.sign_in_as(rose)
    write(client, rose, text="First words.")
    client.sign_in_as(jane)
    write(client, rose, text="Jane's words.", base=1)
    client.sign_in_as(rose)
    response = write(client, rose, text="Rose's later words.", base=1)
    page = check_page(response)
    assert response.status_code == 409
    assert page.h1 == ["Someone else changed “About me” while you were writing"]
    assert "Jane's words." in page.text and "Rose's later words." in page.text
    assert "Saved by Jane Evans (daughter) for Rose Evans" in page.text
    assert page.form_with("text").fields["base_number"] == "2"
    assert [v.content["text"] for v in versions(session, rose)] == ["First words.",
                                                                    "Jane's words."]
    draft = decrypted(lambda: session.scalar(select(PlanDraft).where(
        PlanDraft.author_id == rose.id)))
    assert draft.content == {"text": "Rose's later words."}
    assert write(client, rose, text="Both of ours.", base=2).status_code == 302
    assert [v.number for v in versions(session, rose)] == [1, 2, 3]


def test_a_section_over_the_limit_is_refused_naming_it_and_the_text_comes_back(client, session):
    rose = make_user(session)
    client.sign_in_as(rose)
    text = "a" * 100_000
    response = write(client, rose, text=text)
    page = check_page(response)
    assert response.status_code == 400
    assert page.title.startswith("Error:")
    assert (f"This section must be {MAX_SECTION_CHARS:,} characters or fewer. It has 100,000 "
            "characters.") in page.text
    assert textarea(response, "text") == text
    assert versions(session, rose) == []


def test_pasted_html_is_escaped_and_emoji_and_right_to_left_text_survive(client, session):
    rose = make_user(session)
    client.sign_in_as(rose)
    text = "<script>alert(1)</script> أحب الشاي 🫖 <b>bold</b>"
    write(client, rose, text=text)
    response = client.get(f"/plans/{rose.id}")
    html = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; أحب الشاي 🫖 &lt;b&gt;bold&lt;/b&gt;" in html
    assert versions(session, rose)[0].content["text"] == text


def test_keep_as_a_draft_without_javascript_and_find_it_again(client, session):
    rose = make_user(session)
    client.sign_in_as(rose)
    response = client.submit(f"/plans/{rose.id}/sections/health",
                             {"text": "Half a thought", "base_number": "0", "action": "draft"})
    assert response.status_code == 302
    response = client.get(f"/plans/{rose.id}/sections/health")
    assert "This is your draft from" in check_page(response).text
    assert textarea(response, "text") == "Half a thought"
    assert versions(session, rose, "health") == []


def test_autosave_keeps_a_draft_and_says_so(client, session):
    rose = make_user(session)
    client.sign_in_as(rose)
    token = client.csrf_token(f"/plans/{rose.id}/sections/health")
    response = client.post(f"/plans/{rose.id}/sections/health/draft",
                           data={"csrf_token": token, "text": "Typing…", "base_number": "0"})
    assert response.status_code == 200
    assert response.json["saved"] is True and response.json["message"].startswith("Draft saved at")
    assert decrypted(lambda: session.scalar(select(PlanDraft)).content) == {"text": "Typing…"}


def test_unknown_section_is_not_found(client, session):
    rose = make_user(session)
    client.sign_in_as(rose)
    assert client.get(f"/plans/{rose.id}/sections/no-such-section").status_code == 404
    assert write(client, rose, section="no-such-section").status_code == 404


def test_goals_with_steps_status_and_review_date(client, session):
    rose = make_user(session)
    client.sign_in_as(rose)
    response = client.submit(f"/plans/{rose.id}/sections/goals", {
        "base_number": "0", "action": "save", "goals-0-title": "Walk to the shop",
        "goals-0-steps": "Round the block first", "goals-0-status": "working",
        "goals-0-review_on": "2027-03-31"})
    assert response.status_code == 302
    assert versions(session, rose, "goals")[0].content == {"goals": [{
        "title": "Walk to the shop", "steps": "Round the block first", "status": "working",
        "review_on": "2027-03-31"}]}
    page = client.page(f"/plans/{rose.id}")
    assert "Walk to the shop" in page.text and "Review date: 2027-03-31" in page.text
    bad = client.submit(f"/plans/{rose.id}/sections/goals", {
        "base_number": "1", "action": "save", "goals-0-title": "Walk", "goals-0-review_on": "soon"})
    assert bad.status_code == 400
    assert "Review date must be a real date, like 2027-03-31" in check_page(bad).text


def test_crisis_plan_shows_the_24_hour_number_and_the_emergency_summary(app, client, session):
    rose = make_user(session, name="Rose Evans")
    client.sign_in_as(rose)
    fields = {f"{rag}_{part}": f"{rag} {part}" for rag in ("red", "amber", "green")
              for part in ("signs", "helps", "call")}
    assert client.submit(f"/plans/{rose.id}/sections/crisis",
                         {"base_number": "0", "action": "save", **fields}).status_code == 302
    page = client.page(f"/plans/{rose.id}/emergency")
    assert page.h1 == ["Emergency summary: Rose Evans"]
    assert f"24-hour number, every day: {app.config['SINGLE_POINT_OF_ACCESS']}" in page.text
    assert "red call" in page.text and "My goals" not in page.text
    printed = client.page(f"/plans/{rose.id}/print")
    assert "Rose Evans · Printed" in printed.text and "green helps" in printed.text


# History, difference, restore --------------------------------------------------------------

def test_difference_between_two_versions_and_restore_makes_a_new_version(client, session):
    rose = make_user(session)
    client.sign_in_as(rose)
    write(client, rose, text="Tea\nBiscuits")
    write(client, rose, text="Tea\nCake", base=1)
    page = client.page(f"/plans/{rose.id}/sections/about_me/difference?from=1&to=2")
    assert "Removed: Biscuits" in page.text and "Added: Cake" in page.text
    response = client.submit(f"/plans/{rose.id}/sections/about_me/versions/1/restore", {},
                             form_url=f"/plans/{rose.id}/sections/about_me/history")
    assert response.status_code == 302
    assert [(v.number, v.content["text"], v.restored_from) for v in versions(session, rose)] == [
        (1, "Tea\nBiscuits", None), (2, "Tea\nCake", None), (3, "Tea\nBiscuits", 1)]
    assert "restored from version 1" in client.page(
        f"/plans/{rose.id}/sections/about_me/history").text


def test_restoring_a_version_that_does_not_exist_says_so(client, session):
    rose = make_user(session)
    client.sign_in_as(rose)
    write(client, rose)
    response = client.submit(f"/plans/{rose.id}/sections/about_me/versions/99/restore", {},
                             form_url=FORM_PAGE)
    assert response.status_code == 404
    assert check_page(response).h1 == ["That version does not exist"]
    assert client.get(f"/plans/{rose.id}/sections/about_me/difference?from=1&to=99"
                      ).status_code == 404


# Care team: reads audited, notes, suggestions, "changed since you last looked" ---------------

def test_team_members_read_is_audited_and_in_the_persons_access_log(client, session, circle):
    rose, _jane, worker = circle
    client.sign_in_as(worker)
    client.page(f"/plans/{rose.id}")
    event = session.scalars(select(AuditEvent).where(AuditEvent.event_type == "record_viewed")
                            ).one()
    assert (event.actor_id, event.subject_id, event.target_type, event.reason) == (
        worker.id, rose.id, "plan", "care_team")
    client.sign_in_as(rose)
    client.page(f"/plans/{rose.id}")  # the owner's own reads are not audited
    assert len(session.scalars(select(AuditEvent).where(
        AuditEvent.event_type == "record_viewed")).all()) == 1
    log = client.page("/account/activity")
    assert "Looked at your plan" in log.text and "Sam Worker" in log.text


def test_changed_since_you_last_looked(client, session, circle):
    rose, jane, worker = circle
    client.sign_in_as(worker)
    assert "Changed since you last looked" not in client.page(f"/plans/{rose.id}").text
    client.sign_in_as(rose)
    write(client, rose, text="New words")
    client.sign_in_as(worker)
    assert "Changed since you last looked" in client.page(f"/plans/{rose.id}").text
    assert "Changed since you last looked" not in client.page(f"/plans/{rose.id}").text
    client.sign_in_as(jane)
    assert "Changed since you last looked" in client.page(f"/plans/{rose.id}").text


def test_team_member_adds_a_note_the_person_answers_and_carers_cannot(client, session, circle):
    rose, jane, worker = circle
    client.sign_in_as(worker)
    assert client.submit(f"/plans/{rose.id}/notes", {"text": "Try the breathing group."},
                         form_url=FORM_PAGE).status_code == 302
    client.sign_in_as(rose)
    page = client.page(f"/plans/{rose.id}")
    assert "Try the breathing group." in page.text and "Sam Worker" in page.text
    from portal.plans.models import PlanNote

    note = decrypted(lambda: session.scalar(select(PlanNote)))
    assert client.submit(f"/plans/{rose.id}/notes", {"text": "Thank you, I will.",
                                                      "reply_to": str(note.id)},
                         form_url=FORM_PAGE).status_code == 302
    assert "Answer from Rose" in client.page(f"/plans/{rose.id}").text
    client.sign_in_as(jane)
    assert client.submit(f"/plans/{rose.id}/notes", {"text": "Me too"},
                         form_url=FORM_PAGE).status_code == 404
    client.sign_in_as(worker)
    empty = client.submit(f"/plans/{rose.id}/notes", {"text": ""}, form_url=FORM_PAGE)
    assert empty.status_code == 400
    assert check_page(empty).error_summary == ["Enter your note"]


def test_worker_finds_what_to_suggest_by_its_title_or_name_and_chooses_among_several(
        client, session, circle):
    from portal.plans.models import PlanLink
    from tests.helpers.factories import make_service

    rose, _jane, worker = circle
    easier = make_content_item(session, title="Breathing easier")
    make_content_item(session, title="Breathing exercises")
    lunch = make_service(session, name="Tuesday lunch club")
    client.sign_in_as(worker)
    several = client.submit(f"/plans/{rose.id}/links", {
        "section": "health", "kind": "guidance", "target": "  BREATHING "}, form_url=FORM_PAGE)
    assert several.status_code == 200
    page = check_page(several)
    assert "Which one did you mean?" in page.text
    assert "Breathing easier" in page.text and "Breathing exercises" in page.text
    assert session.scalar(select(PlanLink)) is None
    chosen = client.submit(f"/plans/{rose.id}/links", {
        "section": "health", "kind": "guidance", "target": easier.slug}, form_url=FORM_PAGE)
    assert chosen.status_code == 302
    by_name = client.submit(f"/plans/{rose.id}/links", {
        "section": "support", "kind": "service", "target": "lunch club"}, form_url=FORM_PAGE)
    assert by_name.status_code == 302
    links = {(link.kind, link.target) for link in session.scalars(select(PlanLink))}
    assert links == {("guidance", easier.slug), ("service", lunch.id)}
    nothing = client.submit(f"/plans/{rose.id}/links", {
        "section": "health", "kind": "service", "target": "100% _odd_ words"}, form_url=FORM_PAGE)
    assert nothing.status_code == 400
    assert "There is no approved guidance page or service called that" in check_page(nothing).text
    assert 'value="100% _odd_ words"' in nothing.get_data(as_text=True)


def test_worker_suggests_guidance_shown_with_who_until_removed_and_withdrawn_shows(
        client, session, circle):
    rose, _jane, worker = circle
    item = make_content_item(session, title="Breathing exercises")
    client.sign_in_as(worker)
    response = client.submit(f"/plans/{rose.id}/links", {
        "section": "health", "kind": "guidance", "target": item.slug}, form_url=FORM_PAGE)
    assert response.status_code == 302
    bad = client.submit(f"/plans/{rose.id}/links", {
        "section": "health", "kind": "guidance", "target": "no-such-page"}, form_url=FORM_PAGE)
    assert bad.status_code == 400
    assert "There is no approved guidance page or service called that" in check_page(bad).text
    client.sign_in_as(rose)
    page = client.page(f"/plans/{rose.id}")
    assert "Breathing exercises" in page.text and "Suggested by Sam Worker on" in page.text
    from portal.content.models import VersionStatus, WithdrawalReason

    version = item.versions[-1]
    version.status, version.withdrawn_at = VersionStatus.WITHDRAWN, utcnow()
    version.withdrawal_reason = WithdrawalReason.APPROVER
    session.flush()
    assert "Withdrawn" in client.page(f"/plans/{rose.id}").text
    from portal.plans.models import PlanLink

    link = session.scalar(select(PlanLink))
    assert client.submit(f"/plans/{rose.id}/links/{link.id}/remove", {},
                         form_url=FORM_PAGE).status_code == 302
    assert "Breathing exercises" not in client.page(f"/plans/{rose.id}").text


def test_the_easy_read_plan_has_a_picture_and_short_words_beside_each_section(client, session):
    from portal.plans.sections import sections

    rose = make_user(session)
    client.sign_in_as(rose)
    write(client, rose, text="Call me Rose.")
    page = client.get(f"/plans/{rose.id}/easy-read")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    rows = re.findall(r'<div class="portal-easy-read__row">(.*?)</div>', body, re.S)
    assert len(rows) == len(sections())
    for row, section in zip(rows, sections(), strict=True):
        assert 'aria-hidden="true"' in row and "<svg" in row
        assert html.escape(section.easy_read_en, quote=False) in row
    assert "Call me Rose." in body
    standard = client.get(f"/plans/{rose.id}").get_data(as_text=True)
    assert "portal-easy-read__row" not in standard
