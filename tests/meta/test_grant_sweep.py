"""Every route on a person's plan or message thread, tried by everyone who might come near it:
the person, a carer with each scope (and so with every wrong one), a carer whose access
ended or was revoked, a member of the serving team with and without the person's consent, a
worker of another team, another resident, and someone not signed in.

Each route declares which access it needs (``ROUTES``); who has that access is written out by
hand (``ALLOWED``), not read from the policy, so a route that asks the policy the wrong
question, or forgets to ask, fails here. A refusal must be a 403 or 404 and must write
nothing; an allowed request must not be refused; nobody gets a 500. New object-level routes
must be added to ``ROUTES`` (``test_every_person_route_is_in_the_sweep`` checks).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from portal.authz import Role
from portal.clock import today
from tests.helpers.factories import (
    make_consent,
    make_grant,
    make_locality,
    make_team,
    make_user,
    serve,
)

CARER_SCOPES = ("plan:view", "plan:edit", "messages:send", "referrals:make", "details:view")
STATES = ("owner", *(f"carer {scope}" for scope in CARER_SCOPES), "carer expired",
          "carer revoked", "team with consent", "team without consent", "another team",
          "another resident", "anonymous")

# Who may do what, by hand (the rules of issue 10; the policy must agree).
ALLOWED: dict[str, set[str]] = {
    "plan read": {"owner", "carer plan:view", "carer plan:edit", "team with consent"},
    "plan write": {"owner", "carer plan:edit"},
    # Notes: the person (answering) or the team beside the plan; links also a carer who may
    # change the plan.
    "plan note": {"owner", "team with consent"},
    "plan link": {"owner", "carer plan:edit", "team with consent"},
    "messages": {"owner", "carer messages:send", "team with consent"},
    # The owner's link goes to their own details page (a redirect, not a refusal).
    "details": {"owner", "carer details:view", "team with consent"},
    "team only": {"team with consent"},
    # The experience pulse: only the person themself is asked (nobody acting for them).
    "the person only": {"owner"},
    # Recording access arranged on the person's behalf (a best-interests decision) needs no
    # consent: the serving team's members, whatever the person has shared.
    "serving team": {"team with consent", "team without consent"},
}

# (endpoint, method, access needed). URL values come from the world below.
ROUTES: list[tuple[str, str, str]] = [
    ("plans.show", "GET", "plan read"),
    ("plans.easy_read", "GET", "plan read"),
    ("plans.printable", "GET", "plan read"),
    ("plans.emergency", "GET", "plan read"),
    ("plans.history", "GET", "plan read"),
    ("plans.section_history", "GET", "plan read"),
    ("plans.difference", "GET", "plan read"),
    ("plans.export_fhir", "GET", "plan read"),
    ("plans.edit", "GET", "plan write"),
    ("plans.edit", "POST", "plan write"),
    ("plans.autosave", "POST", "plan write"),
    ("plans.restore", "POST", "plan write"),
    ("plans.remove_link", "POST", "plan write"),
    ("plans.add_link", "POST", "plan link"),
    ("plans.add_note", "POST", "plan note"),
    ("messaging.thread", "GET", "messages"),
    ("messaging.reply", "POST", "messages"),
    ("messaging.attachment", "GET", "messages"),
    ("messaging.assign", "POST", "team only"),
    ("messaging.note", "POST", "team only"),
    ("messaging.close", "POST", "team only"),
    ("messaging.reopen", "POST", "team only"),
    ("pulse.thread", "POST", "the person only"),
    ("circles.arrange", "GET", "serving team"),
    ("circles.arrange", "POST", "serving team"),
    ("profile.shared_details", "GET", "details"),
]
QUERY = {"plans.difference": "?from=1&to=2"}

# Changes a refused request must never make.
WRITTEN = ("plan_version", "plan_section", "plan_link", "plan_note", "plan_draft", "message",
           "message_note", "message_attachment", "message_thread", "carer_grant", "pulse_answer",
           "pulse_asked")


def _world(session: Any, state: str) -> tuple[Any, dict[str, Any]]:
    """A resident in a served locality with a plan (a saved section, a link), a thread with a
    photo, and the actor of ``state``."""
    from portal.crypto import encrypt_bytes
    from portal.messaging.models import Attachment, Message, MessageKind, MessageThread
    from portal.plans import sections as catalogue
    from portal.plans import services

    home, elsewhere = make_locality(session), make_locality(session)
    team, other_team = make_team(session, [home]), make_team(session, [elsewhere])
    person = serve(session, make_user(session, Role.RESIDENT, name="Tom Evans"), home)
    for number, words in enumerate(("I like the sea.", "I like the sea and my garden.")):
        services.save_section(session, person=person, section=catalogue.section("about_me"),
                              content={"text": words}, base_number=number, by=person)
    from portal.plans.models import PlanLink

    plan = services.plan_of(session, person.id)
    link = PlanLink(plan_id=plan.id, section_key="health", kind="guidance", target="x",
                    added_by_id=person.id)
    session.add(link)
    thread = MessageThread(person_id=person.id, team_id=team.id, subject="My breathing")
    session.add(thread)
    session.flush()
    message = Message(thread_id=thread.id, kind=MessageKind.PERSON, author_id=person.id,
                      body="Worse at night.", cards=[])
    session.add(message)
    session.flush()
    photo = Attachment(message_id=message.id, filename="p.png", content_type="image/png",
                       size=4, data=encrypt_bytes(b"\x89PNG"))
    session.add(photo)
    session.flush()
    if state != "team without consent":
        make_consent(session, person, "plan", "messaging", "personal_details")
    actor: Any = None
    if state == "owner":
        actor = person
    elif state.startswith("carer "):
        actor = make_user(session, Role.CARER, name="Jane Evans")
        if state == "carer expired":
            make_grant(session, person, actor, *CARER_SCOPES, ends_on=today() - timedelta(days=1))
        elif state == "carer revoked":
            make_grant(session, person, actor, *CARER_SCOPES, revoked=True)
        else:
            make_grant(session, person, actor, state.removeprefix("carer "))
    elif state in ("team with consent", "team without consent"):
        actor = make_user(session, Role.CARE_WORKER, name="Cal Careworker", teams=[team])
    elif state == "another team":
        actor = make_user(session, Role.CARE_WORKER, name="Olive Other", teams=[other_team])
    elif state == "another resident":
        actor = make_user(session, Role.RESIDENT, name="Rita Resident")
    session.commit()
    values = {"person_id": person.id, "section_id": "about_me", "number": 1,
              "link_id": link.id, "thread_id": thread.id, "attachment_id": photo.id}
    return actor, values


def _written(session: Any) -> dict[str, int]:
    from sqlalchemy import table

    return {name: session.scalar(select(func.count()).select_from(table(name)))
            for name in WRITTEN}


@pytest.mark.parametrize("state", STATES)
def test_every_person_route_honours_the_circle(app, client, session, state):
    failures = []
    for endpoint, method, access in ROUTES:
        with app.app_context():  # the world's texts are encrypted with the app's keys
            actor, values = _world(session, state)
        if actor is not None:
            client.sign_in_as(actor)
        rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
        with app.test_request_context():
            url = app.url_for(endpoint, **{a: values[a] for a in rule.arguments})
        url += QUERY.get(endpoint, "")
        data = {"csrf_token": client.csrf_token("/" if actor else "/account/sign-in")} \
            if method == "POST" else None
        before = _written(session)
        response = client.open(url, method=method, data=data)
        status = response.status_code
        allowed = state in ALLOWED[access]
        if status >= 500:
            failures.append(f"{state}: {method} {url} gave {status}")
        elif actor is None:
            if status != 302 or "/account/sign-in" not in (response.location or ""):
                failures.append(f"anonymous: {method} {url} gave {status}")
        elif allowed and status in (403, 404):
            failures.append(f"{state}: {method} {url} ({access}) refused with {status}")
        elif not allowed and status not in (403, 404):
            failures.append(f"{state}: {method} {url} ({access}) not refused: {status}")
        if not allowed:
            session.expire_all()
            if _written(session) != before:
                failures.append(f"{state}: {method} {url} refused but wrote something")
    assert failures == [], "\n".join(failures)


def test_every_person_route_is_in_the_sweep(app):
    """A new route on someone's plan or thread must be added to ROUTES."""
    swept = {(endpoint, method) for endpoint, method, _ in ROUTES}
    found = {(rule.endpoint, method) for rule in app.url_map.iter_rules()
             if rule.arguments & {"person_id", "thread_id"}
             for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert found - swept == set()
