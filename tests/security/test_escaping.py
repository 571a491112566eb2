"""Nothing a person or an editor typed reaches a page as markup (issue 8, part A).

Flask escapes only templates named ``.html`` and the like; the vendored NHS.UK macros are
``.jinja``, and their breadcrumbs printed listing names, guidance titles and display names raw.
The sweep fills every name, title and label it can with a hostile value, then opens every page
(every GET route, with those objects as its arguments) as every kind of person who may see
them, and finds the value escaped wherever it is shown and never as markup.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask, render_template_string

from portal.authz import Role
from portal.content.models import VersionStatus
from tests.helpers.factories import (
    make_consent,
    make_content_item,
    make_content_version,
    make_grant,
    make_locality,
    make_organisation,
    make_problem_report,
    make_revision,
    make_service,
    make_team,
    make_user,
    serve,
)
from tests.meta.test_access_rules import OBJECT_SAMPLES

HOSTILE = '<x-hostile onmouseover="alert(1)">Evil & Co</x-hostile>'
RAW = re.compile(r"<x-hostile", re.IGNORECASE)
ESCAPED = "&lt;x-hostile"

# Pages the security probe found printing a name or title raw: each must show it escaped.
FOUND_RAW = [
    "/admin/users/{user_id}/details",
    "/services/{service_id}/report",
    "/services/{service_id}/report/sent",
    "/guidance/{item_slug}/easy-read",
    "/guidance/{item_slug}/watch",
]


def _hostile_world(session: Any) -> dict[str, Any]:
    person = make_user(session, Role.RESIDENT, name=HOSTILE)
    organisation = make_organisation(session, name=HOSTILE)
    service = make_service(session, organisation, name=HOSTILE, description=HOSTILE)
    report = make_problem_report(session, service, message=HOSTILE)
    revision = make_revision(session, service, name=HOSTILE + " (changed)")
    author = make_user(session, Role.AUTHOR, name=HOSTILE)
    item = make_content_item(session, title=HOSTILE, summary=HOSTILE,
                             easy_read="## Easy Read\n\nShort words.")
    draft = make_content_version(session, item, status=VersionStatus.SUBMITTED, author=author,
                                 title=HOSTILE + " draft", summary=HOSTILE)
    locality = make_locality(session)
    locality.name = HOSTILE
    team = make_team(session, [locality])
    team.name = HOSTILE
    serve(session, person, locality)
    consent = make_consent(session, person, "plan", "messaging", "personal_details")[0]
    carer = make_user(session, Role.CARER, name=HOSTILE + " carer")
    grant = make_grant(session, person, carer, "plan:view", "plan:edit", "messages:send",
                       "details:view", relationship="daughter")
    thread = _thread(session, person, team)
    session.flush()
    people = {
        "the person": person,
        "their carer": carer,
        "an admin": make_user(session, Role.ADMIN, name="Admin"),
        "a moderator": make_user(session, Role.MODERATOR, name="Moderator"),
        "the listing's editor": make_user(session, Role.EDITOR, name="Editor",
                                          organisations=[organisation]),
        "an author": author,
        "an approver": make_user(session, Role.APPROVER, name="Approver"),
        "their care worker": make_user(session, Role.CARE_WORKER, name="Worker", teams=[team]),
    }
    values = {
        "user_id": person.id, "person_id": person.id, "service_id": service.id,
        "organization_id": organisation.id, "report_id": report.id,
        "revision_id": revision.id, "item_slug": item.slug, "content_version_id": draft.id,
        "thread_id": thread.id, "consent_id": consent.id, "grant_id": grant.id,
    }
    return {"people": people, "values": values}


def _thread(session: Any, person: Any, team: Any) -> Any:
    from portal.messaging.models import Message, MessageKind, MessageThread

    thread = MessageThread(person_id=person.id, team_id=team.id, subject=HOSTILE)
    session.add(thread)
    session.flush()
    session.add(Message(thread_id=thread.id, kind=MessageKind.PERSON, body=HOSTILE, cards=[],
                        author_id=person.id))
    session.flush()
    return thread


def _get_urls(app: Flask, session: Any, values: dict[str, Any]) -> list[str]:
    urls = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.endpoint in {"static", "assets.static"}:
            continue
        arguments = {name: values[name] if name in values else OBJECT_SAMPLES[name](session)
                     for name in rule.arguments}
        with app.test_request_context():
            urls.append(app.url_for(rule.endpoint, **arguments))
    session.flush()
    return urls


def test_no_page_shows_a_typed_name_or_title_as_markup(app, client, session):
    with app.app_context():  # encrypted columns need the app's keys
        world = _hostile_world(session)
        urls = _get_urls(app, session, world["values"])
    raw, escaped = [], set()
    for who, user in world["people"].items():
        client.sign_in_as(user)
        for url in urls:
            response = client.get(url)
            if "html" not in (response.content_type or ""):
                continue
            html = response.get_data(as_text=True)
            if RAW.search(html):
                raw.append(f"{who}: {url}")
            if ESCAPED in html:
                escaped.add(url)
    assert raw == []
    # The sweep saw the hostile values: on the pages that once printed them raw, and widely.
    for pattern in FOUND_RAW:
        assert pattern.format(**world["values"]) in escaped, pattern
    assert len(escaped) >= 25, sorted(escaped)


@pytest.mark.parametrize(("template", "macro", "params"), [
    ("nhsuk/components/breadcrumb/macro.jinja", "breadcrumb",
     '{"items": [{"text": name, "href": "/"}], "backLink": {"visuallyHiddenText": "Back to"}}'),
    ("nhsuk/components/back-link/macro.jinja", "backLink", '{"text": name, "href": "/"}'),
])
def test_the_nhsuk_macros_escape_their_text(app, template, macro, params):
    with app.test_request_context():
        html = render_template_string(
            f'{{% from "{template}" import {macro} %}}{{{{ {macro}({params}) }}}}', name=HOSTILE)
    assert not RAW.search(html)
    assert ESCAPED in html


def test_every_template_is_escaped_but_plain_text_emails(app):
    autoescape = app.jinja_env.autoescape
    assert callable(autoescape)
    for name in app.jinja_env.list_templates():
        expected = not (name.startswith("emails/") and name.endswith(".txt"))
        assert autoescape(name) is expected, name
