"""An editor moves a group from the second to the first Saturday of the month: the moderator
sees it in words, and once published the listing page, the API and "open now" agree."""

from __future__ import annotations

from datetime import datetime, time

import time_machine
from sqlalchemy import select

from portal.authz import Role
from portal.directory.models import Schedule
from portal.directory.recurrence import LONDON
from portal.moderation.models import ServiceRevision
from portal.moderation.snapshot import snapshot
from portal.search import SearchIndex
from portal.search.services import ServiceQuery, search_services
from tests.helpers.factories import make_organisation, make_service, make_user, service_form_data
from tests.helpers.pages import check_page

FIRST_SATURDAY = datetime(2026, 12, 5, 11, 0, tzinfo=LONDON)
SECOND_SATURDAY = datetime(2026, 12, 12, 11, 0, tzinfo=LONDON)


def _open_now(app, session, moment) -> bool:
    index = SearchIndex.for_app(app)
    index.rebuild(session)
    result = search_services(session, index, ServiceQuery(open_now=True), now=moment)
    return bool(result.hits)


def test_second_to_first_saturday_is_the_same_everywhere(app, client, session):
    organisation = make_organisation(session, "Torbay Friends (test)")
    editor = make_user(session, Role.EDITOR, organisations=[organisation])
    moderator = make_user(session, Role.MODERATOR)
    service = make_service(session, organisation, name="Saturday Craft Club")
    service.schedules = [Schedule(freq="MONTHLY", byday="2SA", opens_at=time(10),
                                  closes_at=time(12), description="Bring your own wool")]
    session.flush()
    assert _open_now(app, session, SECOND_SATURDAY) and not _open_now(app, session, FIRST_SATURDAY)

    client.sign_in_as(editor)
    url = f"/editor/services/{service.id}/edit"
    form = client.page(url).form_with("name").fields
    assert form["schedules-0-kind"] == "monthly" and form["schedules-0-weeks"] == "2"
    data = snapshot(service)
    data["schedules"][0]["weeks"] = [1]
    response = client.submit(url, service_form_data(data, base_version=1))
    assert response.status_code == 302
    revision = session.scalars(select(ServiceRevision)).one()
    assert revision.data["schedules"][0]["weeks"] == [1]

    client.sign_in_as(moderator)
    review = check_page(client.get(f"/moderation/revisions/{revision.id}"))
    assert "Second Saturday of the month, 10am to 12 noon; Bring your own wool" in review.text
    assert "First Saturday of the month, 10am to 12 noon; Bring your own wool" in review.text
    response = client.submit(f"/moderation/revisions/{revision.id}",
                             {"decision": "publish", "expected_version": "1", "reason": ""})
    assert response.status_code == 302

    session.expire_all()
    [schedule] = service.schedules
    assert (schedule.freq, schedule.byday) == ("MONTHLY", "1SA")
    with time_machine.travel(datetime(2026, 12, 2, 9, 0, tzinfo=LONDON), tick=False):
        listing = client.page(f"/services/{service.id}").text
    assert "Next: Saturday 5 December, 10am to 12 noon" in listing
    assert "First Saturday of the month, 10am to 12 noon" in listing
    assert "Second Saturday" not in listing
    [exported] = client.get(f"/api/services/{service.id}").get_json()["schedules"]
    assert (exported["freq"], exported["byday"]) == ("MONTHLY", "1SA")
    assert _open_now(app, session, FIRST_SATURDAY) and not _open_now(app, session, SECOND_SATURDAY)


def test_editor_types_times_as_people_write_them_and_is_told_what_a_rule_needs(client, session):
    organisation = make_organisation(session, "Torbay Friends (test)")
    editor = make_user(session, Role.EDITOR, organisations=[organisation])
    service = make_service(session, organisation, name="Tuesday Walk")
    client.sign_in_as(editor)
    url = f"/editor/services/{service.id}/edit"
    data = service_form_data(snapshot(service), base_version=1)
    data.update({"schedules-0-kind": "weekly", "schedules-0-days": ["TU"],
                 "schedules-0-interval": "2", "schedules-0-opens_at": "0930",
                 "schedules-0-closes_at": "12.30pm",
                 "schedules-1-kind": "closed", "schedules-1-starts": "24/12/2026"})
    page = check_page(client.submit(url, data))
    assert page.error_summary == [
        "Enter the date of one session for opening times 1, so we know which weeks it runs",
        "Enter the last day of the closure for opening times 2, like 2/1/2027",
    ]
    assert page.form_with("name").fields["schedules-0-closes_at"] == "12:30"  # nothing lost
    data.update({"schedules-0-starts": "1 December 2026", "schedules-1-ends": "2/1/2027"})
    assert client.submit(url, data).status_code == 302
    revision = session.scalars(select(ServiceRevision)).one()
    weekly, closed = revision.data["schedules"]
    assert (weekly["interval"], weekly["starts"], weekly["opens_at"], weekly["closes_at"]) == (
        2, "2026-12-01", "09:30", "12:30")
    assert (closed["kind"], closed["starts"], closed["ends"]) == ("closed", "2026-12-24",
                                                                  "2027-01-02")
