"""Reference numbers stay unique when two carers send at the same moment.

The race is made real: after the service reads the year's highest number, another sender's
referral is written with the next number (straight into the database, on the same
connection, as a concurrent transaction that committed first would be seen), so the
service's insert meets the unique constraint and must try again."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from sqlalchemy import event, func, select

from portal.audit.models import AuditEvent
from portal.carers.models import CarerReferral
from portal.carers.services import REFERENCE_ATTEMPTS
from portal.db import Database
from tests.helpers.factories import make_locality, make_team
from tests.integration.test_carers_referral import answer_all

BASE = "/carers/assessment"


@pytest.fixture
def team(session):  # type: ignore[no-untyped-def]
    return make_team(session, [make_locality(session, "torquay")])


@contextmanager
def another_sender_wins(app, times: int) -> Iterator[list[int]]:  # type: ignore[no-untyped-def]
    """After each of the next ``times`` reads of the highest number, write a competing
    referral with the next number. Yields the numbers taken."""
    engine = Database.state(app).engine
    taken: list[int] = []

    def compete(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if len(taken) >= times or not statement.lstrip().upper().startswith(
                "SELECT MAX(CARER_REFERRAL.SEQUENCE)"):
            return
        raw = conn.connection.dbapi_connection
        mark = "?" if conn.dialect.name == "sqlite" else "%s"
        year = datetime.now(UTC).year
        probe = raw.cursor()
        probe.execute(f"SELECT coalesce(max(sequence), 0) FROM carer_referral WHERE year = {mark}",
                      (year,))
        number = probe.fetchone()[0] + 1
        probe.execute(
            "INSERT INTO carer_referral (reference, year, sequence, answers, urgent, status,"
            f" created_at, updated_at) VALUES ({', '.join([mark] * 8)})",
            (f"CR-{year}-{number:06d}", year, number, "not-read", False, "received",
             datetime.now(UTC).replace(tzinfo=None), datetime.now(UTC).replace(tzinfo=None)))
        probe.close()
        taken.append(number)

    event.listen(engine, "after_cursor_execute", compete)
    try:
        yield taken
    finally:
        event.remove(engine, "after_cursor_execute", compete)


def test_a_reference_taken_at_the_same_moment_is_not_reused(app, client, session, team):
    answer_all(client)
    token = client.csrf_token(f"{BASE}/check")
    with another_sender_wins(app, times=1) as taken:
        response = client.post(f"{BASE}/check", data={"csrf_token": token, "website": ""})
    assert response.status_code == 302 and response.location == f"{BASE}/sent"
    assert len(taken) == 1
    session.expire_all()
    ours = session.execute(select(CarerReferral.sequence, CarerReferral.reference)
                           .where(CarerReferral.draft_id.is_not(None))).one()
    assert ours.sequence == taken[0] + 1
    assert ours.reference.endswith(f"{taken[0] + 1:06d}")
    assert session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.event_type == "carer_referral_submitted")) == 1
    assert ours.reference in client.page(f"{BASE}/sent").text


def test_when_every_number_tried_is_taken_the_answers_are_kept(app, client, session, team):
    answer_all(client)
    token = client.csrf_token(f"{BASE}/check")
    with another_sender_wins(app, times=REFERENCE_ATTEMPTS) as taken:
        response = client.post(f"{BASE}/check", data={"csrf_token": token, "website": ""})
    assert len(taken) == REFERENCE_ATTEMPTS
    assert response.status_code == 503
    assert "Your answers are saved: try again in a minute." in response.get_data(as_text=True)
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(CarerReferral).where(
        CarerReferral.draft_id.is_not(None))) == 0
    # Trying again (nobody competing now) sends it.
    response = client.post(f"{BASE}/check", data={"csrf_token": token, "website": ""})
    assert response.location == f"{BASE}/sent"
