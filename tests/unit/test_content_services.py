"""The workflow without HTTP: drafts, conflicts, approval rules, review dates and withdrawal
(with a controllable clock), recommendations and feedback."""

from datetime import date, timedelta

import pytest
import time_machine
from sqlalchemy import select

from portal.authz import Role
from portal.content import policies, queries, services
from portal.content.models import (
    ContentApproval,
    ContentFeedback,
    ContentRecommendation,
    VersionStatus,
    WithdrawalReason,
)
from portal.outbox.core import run_due
from tests.helpers.factories import (
    content_fields,
    make_consent,
    make_content_item,
    make_content_version,
    make_locality,
    make_team,
    make_user,
    serve,
)

TODAY = date(2026, 11, 23)


@pytest.fixture
def ctx(app):
    with app.test_request_context(base_url="http://portal.test"), \
            time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def author(session):
    return make_user(session, Role.AUTHOR, name="Ada Author", email="ada@example.test")


@pytest.fixture
def approver(session):
    return make_user(session, Role.APPROVER, name="Dr Ann Approver", email="ann@example.test")


def _fields(**overrides):
    fields = content_fields(**overrides)
    return {key: value for key, value in fields.items()}


def _submitted(session, author):
    version = services.create_item(session, slug="keeping-warm", fields=_fields(title="Keeping warm"),
                                   captions="WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nWarm.\n",
                                   by=author)
    services.submit(session, version=version, based_on=version.revision, by=author)
    return version


def test_content_hash_changes_with_content_only(ctx):
    fields = {**_fields(title="A"), "video_sha256": None, "captions_sha256": None}
    assert services.content_hash(fields) == services.content_hash(dict(fields))
    assert services.content_hash(fields) != services.content_hash({**fields, "title": "B"})
    assert services.content_hash(fields) == services.content_hash(
        {**fields, "body": fields["body"].replace("\n", "\r\n") + "\n\n"})


def test_create_item_makes_a_first_draft_by_its_author(ctx, session, author):
    version = services.create_item(session, slug="keeping-warm", fields=_fields(), by=author)
    assert (version.number, version.status) == (1, VersionStatus.DRAFT)
    assert (version.author_id, version.edited_by_id, version.author_name) == (
        author.id, author.id, "Ada Author")
    assert version.content_hash == services.content_hash(version.fields())
    with pytest.raises(services.SlugTaken):
        services.create_item(session, slug="keeping-warm", fields=_fields(), by=author)


def test_save_draft_based_on_an_older_save_is_a_conflict_and_changes_nothing(ctx, session, author):
    version = services.create_item(session, slug="keeping-warm", fields=_fields(title="Mine"),
                                   by=author)
    opened = version.revision
    other = make_user(session, Role.AUTHOR, name="Other Author")
    services.save_draft(session, item=version.item, fields=_fields(title="Theirs"),
                        based_on=opened, by=other)
    with pytest.raises(services.DraftConflict) as caught:
        services.save_draft(session, item=version.item, fields=_fields(title="Mine again"),
                            based_on=opened, by=author)
    assert caught.value.current.title == "Theirs"
    assert queries.open_draft(session, version.item_id).title == "Theirs"


def test_editing_an_approved_item_makes_a_new_draft_while_the_approved_one_stays_live(
        ctx, session, author):
    item = make_content_item(session, title="Live title")
    live = queries.live_version(session, item.id)
    draft = services.save_draft(session, item=item, fields=_fields(title="New title"),
                                based_on=None, by=author)
    assert (draft.number, draft.status, draft.title) == (2, VersionStatus.DRAFT, "New title")
    assert draft.video_sha256 == live.video_sha256  # the video is carried over
    assert queries.live_version(session, item.id) is live and live.title == "Live title"
    assert queries.visible_by_slug(session, item.slug).title == "Live title"


def test_approver_cannot_approve_their_own_draft(ctx, session):
    both = make_user(session, Role.AUTHOR, Role.APPROVER, name="Both Roles")
    version = _submitted(session, both)
    with pytest.raises(services.ApprovalRefused) as refused:
        services.approve(session, version=version, seen_hash=version.content_hash,
                         review_due=TODAY + timedelta(days=365), by=both)
    assert refused.value.message == ("You wrote or changed this version, so a different clinical "
                                     "approver must approve it.")
    assert version.status is VersionStatus.SUBMITTED


def test_approving_a_changed_version_is_refused(ctx, session, author, approver):
    version = _submitted(session, author)
    with pytest.raises(services.ApprovalRefused) as refused:
        services.approve(session, version=version, seen_hash="0" * 64,
                         review_due=TODAY + timedelta(days=365), by=approver)
    assert refused.value.message == ("This version changed after you opened it. Check it again "
                                     "before you approve it.")


def test_approving_with_invalid_captions_is_refused_with_the_fault(ctx, session, author, approver):
    version = make_content_version(session, status=VersionStatus.SUBMITTED, author=author,
                                   captions="WEBVTT\n\n00:00:05.000 --> 00:00:01.000\nOops\n")
    with pytest.raises(services.ApprovalRefused) as refused:
        services.approve(session, version=version, seen_hash=version.content_hash,
                         review_due=TODAY + timedelta(days=365), by=approver)
    assert refused.value.message == ("The captions are not valid WebVTT, so this version cannot be "
                                     "approved. Line 3: The cue ends before it starts.")


def test_approval_records_who_when_and_hash_and_supersedes_the_live_version(
        ctx, session, author, approver):
    item = make_content_item(session)
    old = queries.live_version(session, item.id)
    draft = services.save_draft(session, item=item, fields=_fields(title="Better"), based_on=None,
                                by=author)
    services.submit(session, version=draft, based_on=draft.revision, by=author)
    approval = services.approve(session, version=draft, seen_hash=draft.content_hash,
                                review_due=date(2027, 11, 23), by=approver)
    assert (approval.approver_id, approval.approver_name, approval.approved_on) == (
        approver.id, "Dr Ann Approver", TODAY)
    assert approval.content_hash == draft.content_hash
    assert approval.approved_at is not None and approval.review_due == date(2027, 11, 23)
    assert (draft.status, old.status) == (VersionStatus.APPROVED, VersionStatus.SUPERSEDED)
    assert queries.visible_by_slug(session, item.slug).title == "Better"


def test_submit_and_approve_send_notices_after_commit(ctx, session, author, approver, smtp_sink):
    version = _submitted(session, author)
    assert smtp_sink.messages == []
    run_due(session)
    [mail] = smtp_sink.messages
    assert (mail["To"], mail["Subject"]) == ("ann@example.test", "Guidance is waiting for your approval")
    assert f"http://127.0.0.1:5000/guidance/approvals/{version.id}" in mail.get_content()
    smtp_sink.clear()
    services.approve(session, version=version, seen_hash=version.content_hash,
                     review_due=date(2027, 6, 1), by=approver)
    run_due(session)
    [mail] = smtp_sink.messages
    assert (mail["To"], mail["Subject"]) == ("ada@example.test", "Your guidance has been approved")


def test_review_date_passing_shows_notice_then_withdraws_after_90_days(app, session, author,
                                                                       approver, smtp_sink):
    item = make_content_item(session, author=author, approved_on=date(2025, 11, 1),
                             review_due=date(2026, 11, 1))
    version = queries.live_version(session, item.id)
    version.author_id = author.id
    version.approvals[-1].approver_id = approver.id
    session.flush()
    with app.test_request_context(base_url="http://portal.test"):
        assert not policies.is_under_review(version, date(2026, 11, 1))
        assert policies.is_under_review(version, date(2026, 11, 2))
        counts = services.review_dates(session, on=date(2026, 11, 23))
        run_due(session)
        assert (counts.under_review, counts.reminded, counts.emails, counts.withdrawn) == (1, 1, 2, 0)
        assert sorted(m["To"] for m in smtp_sink.messages) == ["ada@example.test", "ann@example.test"]
        assert "withdrawn from residents on 31 January 2027" in smtp_sink.messages[0].get_content()
        smtp_sink.clear()
        again = services.review_dates(session, on=date(2026, 11, 24))
        assert (again.reminded, again.emails) == (0, 0)  # reminded once only
        assert policies.is_live(version, date(2027, 1, 30))
        assert not policies.is_live(version, date(2027, 1, 31))  # hidden by the clock alone
        late = services.review_dates(session, on=date(2027, 1, 31))
        run_due(session)
    assert late.withdrawn == 1
    assert (version.status, version.withdrawal_reason) == (VersionStatus.WITHDRAWN,
                                                           WithdrawalReason.REVIEW_OVERDUE)
    assert [m["Subject"] for m in smtp_sink.messages] == ["Guidance has been withdrawn"] * 2
    assert version in queries.history(session, item.id)  # never deleted


def test_reapproval_moves_the_review_date_and_keeps_the_page_live(ctx, session, approver):
    item = make_content_item(session, review_due=date(2026, 11, 1))
    version = queries.live_version(session, item.id)
    services.reapprove(session, version=version, review_due=date(2027, 11, 23), by=approver)
    assert version.review_due == date(2027, 11, 23) and not policies.is_under_review(version)
    assert len(session.scalars(select(ContentApproval).where(
        ContentApproval.version_id == version.id)).all()) == 2


def _served(session, *roles):
    """A person of ``roles`` served by a new team (with consent), and a worker of that team."""
    locality = make_locality(session)
    team = make_team(session, [locality])
    person = serve(session, make_user(session, *roles), locality)
    make_consent(session, person, "plan")
    return person, make_user(session, Role.CARE_WORKER, name="Cal Careworker", teams=[team])


def test_recommendation_goes_to_people_the_team_serves_with_consent_only(ctx, session):
    item = make_content_item(session, title="Breathing easier")
    resident, worker = _served(session, Role.RESIDENT)
    services.recommend(session, item=item, person=resident, by=worker)
    services.recommend(session, item=item, person=resident, by=worker)  # again: one row
    assert len(session.scalars(select(ContentRecommendation)).all()) == 1
    [shown] = queries.recommendations_for(session, resident)
    assert (shown.title, shown.recommended_by, shown.slug) == ("Breathing easier", "Cal Careworker",
                                                               item.slug)
    with pytest.raises(services.ContentError):
        services.recommend(session, item=item, person=make_user(session, Role.AUTHOR), by=worker)
    with pytest.raises(services.ContentError):
        services.recommend(session, item=item, person=resident, by=resident)
    # Someone in no team's area, or a worker of another team: refused.
    with pytest.raises(services.ContentError):
        services.recommend(session, item=item, person=make_user(session), by=worker)
    with pytest.raises(services.ContentError):
        services.recommend(session, item=item, person=resident,
                           by=make_user(session, Role.CARE_WORKER))


def test_withdrawn_item_disappears_from_recommendations(ctx, session):
    item = make_content_item(session)
    resident, worker = _served(session, Role.RESIDENT)
    services.recommend(session, item=item, person=resident, by=worker)
    services.withdraw(session, version=queries.live_version(session, item.id),
                      reason=WithdrawalReason.APPROVER)
    assert queries.recommendations_for(session, resident) == []


def test_feedback_keeps_no_personal_data_and_trims_comments(ctx, session):
    item = make_content_item(session)
    version = queries.live_version(session, item.id)
    row = services.record_feedback(session, version=version, helpful=False, comment="  x" * 600)
    assert set(ContentFeedback.__table__.columns.keys()) == {
        "id", "item_id", "version_number", "helpful", "comment", "created_at"}
    assert (row.helpful, len(row.comment), row.version_number) == (False, 1000, version.number)
