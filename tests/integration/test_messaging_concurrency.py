"""Messaging under real concurrency: requests in two threads at once, on a committed database.

Each test has a database of its own (a SQLite file, and PostgreSQL when configured) upgraded with
the migrations; nothing is rolled back between requests, so the two requests really race for
the same rows. A barrier releases both POSTs together, several rounds in a row.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import time_machine
from flask import Flask
from sqlalchemy import func, select

from portal import create_app, migrate
from portal.authz import Role
from portal.circles.models import Purpose
from portal.db import Database, build_engine
from portal.messaging.models import Message, MessageKind, MessageThread
from tests.conftest import Client, app_overrides
from tests.helpers.database import BACKENDS, throwaway_database
from tests.helpers.factories import make_consent, make_locality, make_team, make_user, serve

ROUNDS = 5
WEDNESDAY_10AM = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


@pytest.fixture(params=BACKENDS)
def live(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Flask, dict[str, int]]]:
    with time_machine.travel(WEDNESDAY_10AM, tick=True), \
            throwaway_database(request.param, tmp_path) as url:
        engine = build_engine(url)
        migrate.upgrade(engine)
        engine.dispose()
        app = create_app(app_overrides(url, tmp_path / "index"))
        app.test_client_class = Client
        with app.app_context():
            session = Database.state(app).session()
            area = make_locality(session)
            team = make_team(session, [area])
            tom = serve(session, make_user(session, name="Tom Evans"), area)
            make_consent(session, tom, Purpose.MESSAGING)
            wendy = make_user(session, Role.CARE_WORKER, name="Wendy Worker", teams=[team])
            colin = make_user(session, Role.CARE_WORKER, name="Colin Colleague", teams=[team])
            session.commit()
            ids = {"tom": tom.id, "wendy": wendy.id, "colin": colin.id}
        try:
            yield app, ids
        finally:
            Database.state(app).engine.dispose()


def _client(app: Flask, user_id: int) -> Client:
    client: Client = app.test_client()  # type: ignore[assignment]
    with app.app_context():
        from portal.accounts.models import User

        client.sign_in_as(Database.state(app).session().get(User, user_id))
    return client


def _form(client: Client, url: str) -> dict[str, str]:
    html = client.get(url).get_data(as_text=True)
    return {"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', html).group(1),
            "key": re.search(r'name="key" (?:type="hidden" )?value="([0-9a-f]+)"', html).group(1)}


def _at_once(*calls: Any) -> list[Any]:
    """Run each call in its own thread, released together; return their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Any) -> None:
        barrier.wait(10)
        try:
            results[index] = call()
        except BaseException as error:  # reported by the assertions below
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def _post(client: Client, url: str, data: dict[str, str]) -> Any:
    return lambda: client.post(url, data=data, content_type="multipart/form-data")


def _start_thread(app: Flask, ids: dict[str, int]) -> tuple[Client, int]:
    tom = _client(app, ids["tom"])
    data = _form(tom, "/messages/new") | {"subject": "My knee", "body": "It hurts at night."}
    response = tom.post("/messages/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.status_code
    return tom, int(response.location.rsplit("/", 1)[1])


def _messages(app: Flask, thread_id: int) -> list[Message]:
    with app.app_context():
        session = Database.state(app).session()
        found = list(session.scalars(select(Message).where(Message.thread_id == thread_id)
                                     .order_by(Message.id)))
        for message in found:
            _ = message.body  # decrypt while the app context is there
        session.expunge_all()
        return found


def test_two_workers_replying_at_once_both_land_in_order(live):
    app, ids = live
    tom, thread_id = _start_thread(app, ids)
    wendy, colin = _client(app, ids["wendy"]), _client(app, ids["colin"])
    url = f"/messages/{thread_id}"
    for n in range(ROUNDS):
        wendy_form = _form(wendy, url) | {"body": f"Wendy {n}"}
        colin_form = _form(colin, url) | {"body": f"Colin {n}"}
        results = _at_once(_post(wendy, f"{url}/reply", wendy_form),
                           _post(colin, f"{url}/reply", colin_form))
        assert [getattr(r, "status_code", r) for r in results] == [302, 302]
    team = [m for m in _messages(app, thread_id) if m.kind is MessageKind.TEAM]
    assert sorted(m.body for m in team) == sorted(
        f"{who} {n}" for who in ("Wendy", "Colin") for n in range(ROUNDS))
    # In order: each round's pair comes before the next round's, times never go backwards.
    assert [int(m.body.split()[1]) for m in team] == sorted(n for n in range(ROUNDS)
                                                            for _ in (1, 2))
    assert [m.created_at for m in team] == sorted(m.created_at for m in team)
    # The person's page shows every reply in the same order; the thread is waiting for him.
    page = tom.page(url).text
    positions = [page.index(m.body) for m in team]
    assert positions == sorted(positions)
    with app.app_context():
        thread = Database.state(app).session().get(MessageThread, thread_id)
        assert thread.waiting_on.value == "person"
        assert thread.last_message_at == max(m.created_at for m in team)


def test_reply_while_the_thread_is_reassigned_lands_and_the_new_assignee_sees_it(live):
    app, ids = live
    _tom, thread_id = _start_thread(app, ids)
    wendy, colin = _client(app, ids["wendy"]), _client(app, ids["colin"])
    url = f"/messages/{thread_id}"
    for n in range(ROUNDS):
        # Wendy is typing her reply while Colin takes the thread (or gives it back to her).
        taker, taker_id = (colin, ids["colin"]) if n % 2 == 0 else (wendy, ids["wendy"])
        writer = wendy if taker is colin else colin
        reply_form = _form(writer, url) | {"body": f"Reply {n}"}
        assign_form = {"csrf_token": _form(taker, url)["csrf_token"], "me": "1"}
        results = _at_once(_post(writer, f"{url}/reply", reply_form),
                           lambda taker=taker, form=assign_form: taker.post(
                               f"{url}/assign", data=form))
        assert [getattr(r, "status_code", r) for r in results] == [302, 302]
        with app.app_context():
            thread = Database.state(app).session().get(MessageThread, thread_id)
            assert thread.assignee_id == taker_id, n
        assert f"Reply {n}" in taker.page(url).text
        assert url in taker.page("/inbox?show=mine").links
        assert url not in writer.page("/inbox?show=mine").links
    team = [m.body for m in _messages(app, thread_id) if m.kind is MessageKind.TEAM]
    assert team == [f"Reply {n}" for n in range(ROUNDS)]


@pytest.mark.parametrize("where", ["compose", "reply"])
def test_the_same_form_sent_twice_at_once_makes_one_message(live, where):
    app, ids = live
    tom, thread_id = _start_thread(app, ids)
    twin: Client = app.test_client()  # type: ignore[assignment]
    cookie = app.config["SESSION_COOKIE_NAME"]
    twin.set_cookie(cookie, tom.get_cookie(cookie).value)  # the same browser, two tabs
    for n in range(ROUNDS):
        if where == "compose":
            url = "/messages/new"
            data = _form(tom, url) | {"subject": f"Question {n}", "body": f"Body {n}"}
        else:
            url = f"/messages/{thread_id}/reply"
            data = _form(tom, f"/messages/{thread_id}") | {"body": f"More {n}"}
        results = _at_once(_post(tom, url, data), _post(twin, url, data))
        assert [getattr(r, "status_code", r) for r in results] == [302, 302], results
        assert results[0].location == results[1].location
        with app.app_context():
            session = Database.state(app).session()
            assert session.scalar(select(func.count(Message.id)).where(
                Message.idempotency_key == data["key"])) == 1
    with app.app_context():
        session = Database.state(app).session()
        threads = session.scalar(select(func.count(MessageThread.id)))
        person = session.scalar(select(func.count(Message.id)).where(
            Message.kind == MessageKind.PERSON))
    assert threads == (1 + ROUNDS if where == "compose" else 1)
    assert person == 1 + ROUNDS
