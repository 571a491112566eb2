"""Every route declares who may use it, and behaves as declared for every role.

A new route without a rule fails ``test_every_view_declares_an_access_rule``; a new route
whose URL takes an argument fails the sweep until ``OBJECT_SAMPLES`` says which object
(belonging to someone else) to try it with.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from portal.accounts.tokens import reset_token
from portal.authz import Role
from portal.authz.decorators import AccessRule
from tests.helpers.factories import (
    make_carer_referral,
    make_consent,
    make_content_item,
    make_content_version,
    make_grant,
    make_outbox_job,
    make_problem_report,
    make_revision,
    make_service,
    make_service_at_location,
    make_taxonomy,
    make_taxonomy_term,
    make_user,
)

STATIC_ENDPOINTS = {"static", "assets.static"}

PUBLIC_ENDPOINTS = {
    "main.home",
    "circles.invitation",  # a carer's invitation link: the token is the key
    "main.choose_language",
    "main.accessibility",
    "main.healthz",
    "main.readyz",
    "main.search_all",
    "accounts.sign_in",
    "accounts.register",
    "accounts.registered",
    "accounts.sign_out",
    # Part-way through signing in (password accepted, second factor to come): not yet signed in.
    "accounts.two_factor",
    "accounts.two_factor_recovery",
    "accounts.two_factor_setup",
    # Emailed links and forgotten passwords: for people who cannot sign in.
    "accounts.password_reset_request",
    "accounts.password_reset",
    "accounts.verify_email",
    "accounts.confirm_email_change",
    # Shown after an account is deleted (and its session ended): says what was kept and why.
    "privacy.deleted",
    # The directory: searching published listings and reading one.
    "directory.search",
    "directory.service",
    # "Report a problem with this listing": anyone may tell us a published listing is wrong.
    "moderation.report_problem",
    "moderation.report_sent",
    # The Open Referral UK read API: open data, no key, GET only (published listings only).
    "api.api_details",
    "api.openapi",
    "api.services",
    "api.service",
    "api.organizations",
    "api.organization",
    "api.taxonomies",
    "api.taxonomy",
    "api.taxonomy_terms",
    "api.taxonomy_term",
    "api.service_at_locations",
    "api.service_at_location",
    # Health guidance: approved, in-date pages and their video and captions files (drafts'
    # files only for authors and approvers); anonymous "Was this helpful?" feedback.
    "content.library",
    "content.topic",
    "content.condition",
    "content.search",
    "content.item",
    "content.watch",
    "content.easy_read",
    "content.feedback",
    "content.media_file",
    # Carers: asking for a carer's assessment needs no account (the answers live in a draft
    # found only through the browser's own session; the sent page shows only its own request).
    "carers.start",
    "carers.question",
    "carers.stop",
    "carers.check",
    "carers.sent",
    # Saving the form to come back later by an emailed link, and following that link.
    "carers.save_for_later",
    "carers.resume",
}

# For each URL argument: how to make a value that belongs to someone other than the persona.
OBJECT_SAMPLES: dict[str, Callable[[Any], object]] = {
    "user_id": lambda session: make_user(session, name="Someone else").id,
    "code": lambda session: "pl",
    # A reset link made for someone else (also tried on the email-verification route).
    "token": lambda session: reset_token(make_user(session, name="Someone else")),
    # Listings, revisions and reports of an organisation the persona does not belong to.
    "service_id": lambda session: make_service(session).id,
    "revision_id": lambda session: make_revision(session).id,
    "report_id": lambda session: make_problem_report(session).id,
    # The ORUK API: another organisation's published listing and its parts.
    "organization_id": lambda session: make_service(session).organisation_id,
    "service_at_location_id": lambda session: make_service_at_location(session).id,
    "taxonomy_id": lambda session: make_taxonomy(session).id,
    "taxonomy_term_id": lambda session: make_taxonomy_term(session).id,
    # Guidance: a live page with another author's draft waiting for approval, that draft, and
    # the draft's own captions file (not public: only authors and approvers may fetch it).
    "item_slug": lambda session: make_content_item(session, draft=True).slug,
    "content_version_id": lambda session: make_content_version(
        session, status="submitted", captions="WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nDraft.\n",
        author=make_user(session, Role.AUTHOR, name="Another author")).id,
    "media_ref": lambda session: make_content_version(
        session, status="submitted", video=None,
        captions="WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nA draft's captions.\n",
    ).captions_sha256 + ".vtt",
    "topic": lambda session: "staying-well",
    "condition": lambda session: "copd",
    # The outbox: a parked job (administrators only).
    "job_id": lambda session: make_outbox_job(session).id,
    # Plans: someone else's plan (with a saved section), a real section, a version, a link.
    "person_id": lambda session: _someone_elses_plan(session)[0],
    "section_id": lambda session: "about_me",
    "number": lambda session: 1,
    "link_id": lambda session: _someone_elses_plan(session)[1],
    # Carers: a form page and stop page, and a referral in another locality team's queue.
    "page_id": lambda session: "about_you",
    "stop_id": lambda session: "danger",
    "referral_id": lambda session: make_carer_referral(session).id,  # type: ignore[attr-defined]
    # Care circles: another person's consent to share with their team.
    "consent_id": lambda session: make_consent(
        session, make_user(session, name="Someone else"), "plan")[0].id,
    "grant_id": lambda session: make_grant(
        session, make_user(session, name="Someone else"), make_user(session), "plan:view").id,
    "request_id": lambda session: _carer_request(session),
    # Messaging: another person's thread, and a file in it.
    "thread_id": lambda session: _someone_elses_thread(session).id,
    "attachment_id": lambda session: _someone_elses_attachment(session).id,
}


def _someone_elses_plan(session: Any) -> tuple[int, int]:
    from portal.plans.models import Plan, PlanLink

    person = make_user(session, name="Someone with a plan")
    plan = Plan(person_id=person.id)
    session.add(plan)
    session.flush()
    link = PlanLink(plan_id=plan.id, section_key="health", kind="guidance", target="x",
                    added_by_id=person.id)
    session.add(link)
    session.flush()
    return person.id, link.id



def _carer_request(session: Any) -> int:
    """A carer's request for access waiting for someone else's answer."""
    from datetime import timedelta

    from portal.circles.models import CarerInvitation, InvitationKind
    from portal.clock import utcnow

    carer = make_user(session, name="A carer")
    row = CarerInvitation(kind=InvitationKind.REQUEST, carer_id=carer.id, email=carer.email,
                          person_id=make_user(session, name="Someone else").id,
                          relationship="son", scopes=["plan:view"],
                          expires_at=utcnow() + timedelta(days=7))
    session.add(row)
    session.flush()
    return row.id



def _someone_elses_thread(session):  # type: ignore[no-untyped-def]
    from portal.messaging.models import MessageThread
    from tests.helpers.factories import make_team

    thread = MessageThread(person_id=make_user(session, name="Someone else").id,
                           team_id=make_team(session).id, subject="Private")
    session.add(thread)
    session.flush()
    return thread


def _someone_elses_attachment(session):  # type: ignore[no-untyped-def]
    from portal.messaging.models import Attachment, Message, MessageKind

    message = Message(thread_id=_someone_elses_thread(session).id, kind=MessageKind.PERSON,
                      body="Private", cards=[])
    message.attachments.append(Attachment(filename="x.pdf", content_type="application/pdf",
                                          size=1, data=b"x"))
    session.add(message)
    session.flush()
    return message.attachments[0]

PERSONAS = [None, *Role]

# Routes that end the session: the sweep signs in again after trying them.
SIGNING_OUT = {"accounts.sign_out", "accounts.sign_out_everywhere"}


def _rules(app: Flask):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint in STATIC_ENDPOINTS:
            continue
        yield rule, app.view_functions[rule.endpoint].access_rule


def test_every_view_declares_an_access_rule(app):
    missing = [endpoint for endpoint, view in app.view_functions.items()
               if endpoint not in STATIC_ENDPOINTS and not isinstance(
                   getattr(view, "access_rule", None), AccessRule)]
    assert missing == []


def test_public_endpoints_are_exactly_the_reviewed_list(app):
    public = {rule.endpoint for rule, access in _rules(app) if access.kind == "public"}
    assert public == PUBLIC_ENDPOINTS
    assert set(app.view_functions) >= PUBLIC_ENDPOINTS


@pytest.mark.parametrize("persona", PERSONAS, ids=lambda p: p.value if p else "anonymous")
def test_every_route_behaves_as_declared_for_every_role(app, client, session, persona):
    user = make_user(session, persona) if persona else None
    if user:
        client.sign_in_as(user)
    token = client.csrf_token("/" if user else "/account/sign-in")
    failures = []
    for rule, access in _rules(app):
        missing = [arg for arg in rule.arguments if arg not in OBJECT_SAMPLES]
        assert not missing, f"add OBJECT_SAMPLES for {missing} ({rule.rule})"
        with app.test_request_context():
            url = app.url_for(rule.endpoint,
                              **{a: OBJECT_SAMPLES[a](session) for a in rule.arguments})
        session.flush()
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            data = {"csrf_token": token} if method == "POST" else None
            response = client.open(url, method=method, data=data)
            status = response.status_code
            if status >= 500:
                failures.append(f"{method} {url}: {status}")
            elif access.kind == "public":
                if status in (401, 403) or "/account/sign-in?" in (response.location or ""):
                    failures.append(f"{method} {url}: public but got {status}")
            elif user is None:
                if status != 302 or not response.location.startswith("/account/sign-in?next="):
                    failures.append(f"{method} {url}: anonymous got {status}")
            elif access.allows(user) and status == 403:
                failures.append(f"{method} {url}: {persona} allowed but refused")
            elif not access.allows(user) and status != 403:
                failures.append(f"{method} {url}: {persona} not allowed but got {status}")
            if rule.endpoint in SIGNING_OUT and method == "POST":
                # Signing out clears the session, CSRF secret included: start again.
                if user:
                    client.sign_in_as(user)
                token = client.csrf_token("/" if user else "/account/sign-in")
    assert failures == []


def test_sweep_covers_objects_of_someone_else(app, client, session):
    """An admin may open another person's account; nobody else may."""
    other = make_user(session, name="Someone else")
    for role in Role:
        user = make_user(session, role)
        client.sign_in_as(user)
        status = client.get(f"/admin/users/{other.id}").status_code
        assert status == (200 if role is Role.ADMIN else 403), role
