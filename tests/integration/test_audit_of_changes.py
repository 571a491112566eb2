"""Every publish, reject, approve, withdraw and recommend is in the audit log, with who did
it and to what, and administrators read it in plain words."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from portal.audit.events import EventType
from portal.audit.models import AuditEvent
from portal.authz import Role
from portal.content import services as content
from portal.content.models import WithdrawalReason
from portal.content.queries import live_version
from tests.helpers.factories import (
    make_consent,
    make_content_item,
    make_content_version,
    make_locality,
    make_organisation,
    make_revision,
    make_service,
    make_team,
    make_user,
    serve,
)


def _events(session, event: EventType) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    return list(session.scalars(select(AuditEvent).where(AuditEvent.event_type == event.value)))


def test_moderation_decisions_are_audited_and_shown_to_admins(client, session):
    organisation = make_organisation(session)
    editor = make_user(session, Role.EDITOR, organisations=[organisation])
    service = make_service(session, organisation, name="Tea and Chat")
    published = make_revision(session, service, author=editor, name="Tea, Chat and Cake")
    moderator = make_user(session, Role.MODERATOR, name="Mo Moderator")
    client.sign_in_as(moderator)
    client.submit(f"/moderation/revisions/{published.id}",
                  {"decision": "publish", "expected_version": "1", "reason": ""})
    rejected = make_revision(session, service, author=editor, name="Nonsense")
    client.submit(f"/moderation/revisions/{rejected.id}",
                  {"decision": "reject", "expected_version": "2", "reason": "Not right."})
    [publish] = _events(session, EventType.LISTING_PUBLISHED)
    assert (publish.actor_id, publish.target_type, publish.target_id) == (
        moderator.id, "listing", service.id)
    assert publish.details["revision"] == published.id and publish.details["version"] == 2
    [reject] = _events(session, EventType.LISTING_REJECTED)
    assert (reject.actor_id, reject.target_type, reject.target_id) == (
        moderator.id, "revision", str(rejected.id))
    client.sign_in_as(make_user(session, Role.ADMIN))
    page = client.page(f"/admin/audit?actor_id={moderator.id}")
    assert "Published a listing change" in page.text
    assert "Rejected a listing change" in page.text
    assert "Mo Moderator" in page.text and f"Listing #{service.id}" in page.text


def test_guidance_approval_withdrawal_and_recommendation_are_audited(app, session):
    author = make_user(session, Role.AUTHOR)
    approver = make_user(session, Role.APPROVER)
    area = make_locality(session)
    worker = make_user(session, Role.CARE_WORKER, teams=[make_team(session, [area])])
    resident = serve(session, make_user(session, Role.RESIDENT), area)
    make_consent(session, resident, "plan")
    item = make_content_item(session, live=False)
    with app.test_request_context():
        version = make_content_version(session, item, status="submitted", author=author)
        content.approve(session, version=version, seen_hash=version.content_hash,
                        review_due=date(2030, 1, 1), by=approver)
        content.recommend(session, item=item, person=resident, by=worker)
        content.withdraw(session, version=live_version(session, item.id),
                         reason=WithdrawalReason.APPROVER, by=approver)
    [approved] = _events(session, EventType.GUIDANCE_APPROVED)
    assert (approved.actor_id, approved.target_id) == (approver.id, str(version.id))
    assert approved.details["item"] == item.slug
    [recommended] = _events(session, EventType.GUIDANCE_RECOMMENDED)
    assert (recommended.actor_id, recommended.subject_id) == (worker.id, resident.id)
    [withdrawn] = _events(session, EventType.GUIDANCE_WITHDRAWN)
    assert withdrawn.actor_id == approver.id and withdrawn.details["cause"] == "approver"
