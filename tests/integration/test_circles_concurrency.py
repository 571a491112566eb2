"""Care circles under real concurrency: two acceptances of one invitation at the same moment,
each on its own connection and transaction (not the suite's shared one), make one grant; the
other is told the link was used."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import func, select

from portal import create_app
from portal.circles import carers
from portal.circles.models import CarerGrant
from portal.db import Database
from tests.conftest import app_overrides
from tests.helpers.factories import make_user
from tests.ops.helpers import migrated_database


def test_one_invitation_accepted_twice_at_once_makes_one_grant(backend, tmp_path):
    with migrated_database(backend, tmp_path) as url:
        app = create_app(app_overrides(url, tmp_path / "index", OUTBOX_RUN="off"))
        try:
            with app.test_request_context():
                session = Database.state(app).session()
                tom = make_user(session, name="Tom Evans")
                jane = make_user(session, name="Jane Evans", email="jane@example.com")
                _invitation, token = carers.invite(
                    session, person=tom, email="jane@example.com", relationship="daughter",
                    scopes=["plan:view"], ends_on=None, by=tom)
                jane_id = jane.id
            start = threading.Barrier(2)
            outcomes: list[str] = []

            def accept() -> None:
                # As the accept button's POST (on SQLite, a POST takes the write lock first).
                with app.test_request_context(method="POST"):
                    from portal.accounts.models import User

                    start.wait(5)  # both press at once (on SQLite one then queues for the lock)
                    session = Database.state(app).session()
                    carer: Any = session.get(User, jane_id)
                    try:
                        carers.accept(session, token=token, by=carer)
                    except carers.CarerError as error:
                        outcomes.append(error.kind)
                    else:
                        outcomes.append("accepted")

            threads = [threading.Thread(target=accept) for _ in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(20)
            with app.app_context():
                grants = Database.state(app).session().scalar(
                    select(func.count()).select_from(CarerGrant))
            assert grants == 1
            assert sorted(outcomes) == ["accepted", "used"]
        finally:
            Database.state(app).engine.dispose()
