"""The experience pulse over HTTP: who is asked and when, one click an answer, answers kept
without the person, never asked twice, bad input explained; and the figures page."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import func, inspect, select

from portal.authz import Role
from portal.carers import services as carers
from portal.carers.models import CarerReferral, ReferralStatus
from portal.circles.models import Purpose
from portal.messaging import services as messaging
from portal.pulse.models import PulseAnswer, PulseAsked
from tests.helpers.factories import (
    make_carer_referral,
    make_consent,
    make_locality,
    make_team,
    make_user,
    serve,
)
from tests.integration.test_figures import FEWER, row, tables

WHEN = datetime(2026, 11, 18, 11, 0, tzinfo=UTC)  # a Wednesday in Oct-Dec 2026
TALK = "I want the ability to talk to a health or social care professional when I need to"


@pytest.fixture(autouse=True)
def _clock():  # type: ignore[no-untyped-def]
    with time_machine.travel(WHEN, tick=True):
        yield


@pytest.fixture
def world(app, session):  # type: ignore[no-untyped-def]
    area = make_locality(session)
    area.name = "Brixham"
    team = make_team(session, [area])
    tom = serve(session, make_user(session, name="Tom Evans"), area)
    worker = make_user(session, Role.CARE_WORKER, teams=[team])
    with app.app_context():
        make_consent(session, tom, Purpose.MESSAGING)
        sent = messaging.start_thread(session, person=tom, subject="My knee", body="It aches.",
                                      by=tom)
        thread_id = sent.message.thread_id
        from portal.messaging.models import MessageThread

        thread = session.get(MessageThread, thread_id)
        messaging.reply(session, thread=thread, body="Rest it.", by=worker)
    return {"area": area, "team": team, "tom": tom, "worker": worker, "thread_id": thread_id}


def _close(app, session, world) -> None:  # type: ignore[no-untyped-def]
    from portal.messaging.models import MessageThread

    with app.app_context():
        thread = session.get(MessageThread, world["thread_id"])
        messaging.set_status(session, thread=thread, closed=True, by=world["worker"])


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]


def test_the_pulse_is_offered_on_a_closed_conversation_only_to_the_person(
        app, client, session, world):
    client.sign_in_as(world["tom"])
    url = f"/messages/{world['thread_id']}"
    assert "How well are we doing?" not in client.page(url).text  # still open
    _close(app, session, world)
    page = client.page(url)
    assert "How well are we doing?" in page.text
    assert TALK in page.text
    # Three statements, five answers each.
    assert client.get(url).get_data(as_text=True).count('name="answer"') == 3 * 5
    client.sign_in_as(world["worker"])
    assert "How well are we doing?" not in client.page(url).text  # never staff


def test_one_click_keeps_the_answer_without_the_person_and_is_not_asked_again(
        app, client, session, world):
    _close(app, session, world)
    client.sign_in_as(world["tom"])
    url = f"/messages/{world['thread_id']}"
    html = client.get(url).get_data(as_text=True)
    response = client.post(f"{url}/pulse", data={
        "csrf_token": _token(html), "statement": "talk", "answer": "5"})
    assert response.status_code == 302
    assert response.location == f"{url}#pulse-thread-{world['thread_id']}"
    page = client.page(url)
    assert "Your answer is kept without your name" in page.text
    assert TALK not in page.text  # answered: not asked again
    assert client.get(url).get_data(as_text=True).count('name="answer"') == 2 * 5
    answers = session.execute(select(PulseAnswer.locality_id, PulseAnswer.quarter,
                                     PulseAnswer.statement, PulseAnswer.answer)).all()
    assert answers == [(world["area"].id, date(2026, 10, 1), "talk", 5)]
    # The answer has no person, time, thread or sequence; who was asked has no answer.
    assert {c.name for c in inspect(PulseAnswer).columns} == {
        "id", "locality_id", "quarter", "statement", "answer"}
    assert {c.name for c in inspect(PulseAsked).columns} == {
        "person_id", "subject", "subject_id", "statement"}
    asked = session.execute(select(PulseAsked.person_id, PulseAsked.subject_id,
                                   PulseAsked.statement)).all()
    assert asked == [(world["tom"].id, world["thread_id"], "talk")]
    # The same click again changes nothing.
    again = client.post(f"{url}/pulse", data={
        "csrf_token": _token(html), "statement": "talk", "answer": "1"})
    assert again.status_code == 302
    assert session.scalar(select(func.count()).select_from(PulseAnswer)) == 1
    assert "You have already answered that one" in client.page(url).text


def test_no_thanks_means_not_asked_again_and_nothing_kept(app, client, session, world):
    _close(app, session, world)
    client.sign_in_as(world["tom"])
    url = f"/messages/{world['thread_id']}"
    html = client.get(url).get_data(as_text=True)
    client.post(f"{url}/pulse", data={"csrf_token": _token(html), "decline": "1"})
    assert "How well are we doing?" not in client.page(url).text
    assert session.scalar(select(func.count()).select_from(PulseAnswer)) == 0


@pytest.mark.parametrize("data", [{"statement": "talk", "answer": "7"},
                                  {"statement": "talk", "answer": "lots"},
                                  {"statement": "nonsense", "answer": "3"},
                                  {"answer": "3"}])
def test_a_bad_answer_is_explained_never_an_error(app, client, session, world, data):
    _close(app, session, world)
    client.sign_in_as(world["tom"])
    url = f"/messages/{world['thread_id']}"
    html = client.get(url).get_data(as_text=True)
    response = client.post(f"{url}/pulse", data={"csrf_token": _token(html), **data})
    assert response.status_code == 302
    assert "Choose one of the five answers for a statement." in client.page(url).text
    assert session.scalar(select(func.count()).select_from(PulseAnswer)) == 0


def test_nobody_answers_for_someone_elses_conversation_or_an_open_one(app, client, session, world):
    client.sign_in_as(world["tom"])
    url = f"/messages/{world['thread_id']}"
    html = client.get(url).get_data(as_text=True)
    assert client.post(f"{url}/pulse", data={  # still open: nothing to answer yet
        "csrf_token": _token(html), "statement": "talk", "answer": "4"}).status_code == 302
    assert "There is nothing to answer about this yet." in client.page(url).text
    _close(app, session, world)
    client.sign_in_as(make_user(session, name="Someone else"))
    html = client.get("/").get_data(as_text=True)
    assert client.post(f"{url}/pulse", data={
        "csrf_token": _token(html), "statement": "talk", "answer": "4"}).status_code == 404
    assert session.scalar(select(func.count()).select_from(PulseAnswer)) == 0


def test_a_carer_acting_for_the_person_reads_the_closed_conversation_but_is_not_asked(
        app, client, session, world):
    """The person's own view of their care: a carer with the messages scope answers nothing
    for them (the page does not ask, and a posted answer is refused as if not there)."""
    from portal.circles.models import Scope
    from tests.helpers.factories import make_grant

    carer = make_user(session, Role.CARER, name="Cara Carer")
    make_grant(session, world["tom"], carer, Scope.MESSAGES)
    _close(app, session, world)
    client.sign_in_as(carer)
    url = f"/messages/{world['thread_id']}"
    page = client.page(url)
    assert "Rest it." in page.text  # they may read it
    assert "How well are we doing?" not in page.text
    html = client.get(url).get_data(as_text=True)
    assert client.post(f"{url}/pulse", data={
        "csrf_token": _token(html), "statement": "talk", "answer": "4"}).status_code == 404
    assert client.post(f"{url}/pulse", data={
        "csrf_token": _token(html), "decline": "1"}).status_code == 404
    assert session.scalar(select(func.count()).select_from(PulseAnswer)) == 0
    assert session.scalar(select(func.count()).select_from(PulseAsked)) == 0


def test_a_carer_is_asked_after_their_assessment_request_is_completed(app, client, session, world):
    carer = make_user(session, Role.CARER, name="Cara Carer")
    with app.app_context():
        referral = make_carer_referral(session, team=world["team"])
        referral.carer_id = carer.id  # type: ignore[attr-defined]
        session.flush()
    client.sign_in_as(carer)
    assert "How well are we doing?" not in client.page("/account/carers-assessments").text
    with app.app_context():
        carers.change_status(session, referral=referral, status=ReferralStatus.COMPLETED,
                             note=None, by=world["worker"])
    page = client.page("/account/carers-assessments")
    assert "How well are we doing?" in page.text
    assert "I want access to a range of services" in page.text
    html = client.get("/account/carers-assessments").get_data(as_text=True)
    response = client.post(f"/account/carers-assessments/{referral.id}/pulse", data={  # type: ignore[attr-defined]
        "csrf_token": _token(html), "statement": "range", "answer": "2"})
    assert response.status_code == 302
    assert session.execute(select(PulseAnswer.locality_id, PulseAnswer.statement,
                                  PulseAnswer.answer)).all() == [
        (world["area"].id, "range", 2)]
    # Someone else's completed request: refused.
    other = make_user(session, Role.CARER)
    client.sign_in_as(other)
    html = client.get("/").get_data(as_text=True)
    assert client.post(f"/account/carers-assessments/{referral.id}/pulse", data={  # type: ignore[attr-defined]
        "csrf_token": _token(html), "statement": "situation", "answer": "2"}).status_code == 404
    assert session.scalar(select(func.count(CarerReferral.id))) >= 1


def _answers(session, locality, quarter, statement, values) -> None:  # type: ignore[no-untyped-def]
    for value in values:
        session.add(PulseAnswer(locality_id=locality.id, quarter=quarter, statement=statement,
                                answer=value))
    session.flush()


def test_the_figures_page_shows_the_pulse_per_locality_and_quarter_with_small_cells_hidden(
        client, session):
    here, there, few = (make_locality(session) for _ in range(3))
    here.name, there.name, few.name = "Here", "There", "Few"
    _answers(session, here, date(2026, 7, 1), "talk", [5, 5, 4, 4, 4, 2, 1, 3, 2, 1])
    _answers(session, here, date(2026, 10, 1), "situation", [4] * 6 + [2] * 6)
    _answers(session, there, date(2026, 7, 1), "talk", [1, 2, 3, 4, 5, 5, 5])
    _answers(session, there, date(2026, 10, 1), "talk", [1, 1, 1, 1, 1, 1, 4, 4, 4, 4, 4])
    _answers(session, few, date(2026, 10, 1), "talk", [5, 5, 1])
    manager = make_user(session, Role.MANAGER)
    client.sign_in_as(manager)
    url = "/figures/pulse?start=2026-07&end=2026-12"
    page = client.page(url)
    assert page.title.startswith("Experience pulse \u2013 Figures")
    found = tables(client.get(url).get_data(as_text=True))
    counts = found["pulse-by-locality"]
    assert counts[0] == ["Locality", "Jul to Sep 2026", "Oct to Dec 2026", "Total"]
    assert row(counts, "Here") == ["10", "12", "22"]
    assert row(counts, "Few") == ["0", FEWER, FEWER]
    # Few's 3 cannot be worked out from the October column: another cell there is hidden too.
    assert row(counts, "There")[1] == FEWER
    agree = found["pulse-agree-by-locality"]
    assert row(agree, "Here") == ["50%", "50%"]
    assert row(agree, "Few") == ["no data", FEWER]
    statements = found["pulse-by-statement"]
    assert row(statements, "Talk to a professional, tell my story once")[0] == "31"
    assert row(statements, "My situation in life, not just my condition") == ["12", "50%", "50%"]
    assert 'role="img" aria-labelledby="' in client.get(url).get_data(as_text=True)
    response = client.get(url + "&format=csv")
    assert response.mimetype == "text/csv"
    lines = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    few_cells = [value for _t, r, _c, value in lines[1:] if r == "Few"]
    assert "3" not in few_cells and FEWER in few_cells
    from portal.audit.models import AuditEvent

    events = session.scalars(select(AuditEvent.details).where(
        AuditEvent.event_type == "figures_viewed")).all()
    assert {(e["page"], e["format"]) for e in events} == {("pulse", "html"), ("pulse", "csv")}


def test_only_managers_and_admins_see_the_pulse_figures(client, session):
    client.sign_in_as(make_user(session, Role.RESIDENT))
    assert client.get("/figures/pulse").status_code == 403


def test_the_data_download_says_what_was_asked_never_the_answer_and_erasure_forgets_it(
        app, client, session, world):
    from tests.helpers.factories import PASSWORD

    _close(app, session, world)
    client.sign_in_as(world["tom"])
    url = f"/messages/{world['thread_id']}"
    html = client.get(url).get_data(as_text=True)
    client.post(f"{url}/pulse", data={"csrf_token": _token(html), "statement": "talk",
                                      "answer": "4"})
    data = client.get("/account/data.json").get_json()
    assert data["experience_pulse_asked"] == [
        {"about": "thread", "id": world["thread_id"], "statement": "talk"}]
    assert client.get("/account/data/summary").status_code == 200
    response = client.submit("/account/delete", {"confirm": "y", "password": PASSWORD})
    assert response.status_code == 302
    assert session.scalars(select(PulseAsked)).all() == []
    assert session.scalar(select(func.count()).select_from(PulseAnswer)) == 1  # no name on it
