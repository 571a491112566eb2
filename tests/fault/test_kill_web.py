"""kill -9 the web server during 100 rounds of writes: every acknowledged write is in the
database, none is there twice, and the audit chain verifies."""

from __future__ import annotations

import http.client
import random
import re
import secrets
import threading
import time
from collections import Counter

import pytest
from sqlalchemy import func, select

from portal import demo
from portal.accounts.models import User
from portal.audit.models import AuditEvent
from portal.db import Database
from portal.moderation.models import ServiceRevision
from portal.moderation.snapshot import empty_snapshot
from tests.helpers.database import BACKENDS
from tests.helpers.factories import service_form_data
from tests.ops.helpers import app_from_environ, dispose, migrated_database, production_environ
from tests.ops.servers import Browser, Gunicorn

ROUNDS = 100
KILL_EVERY = 10


def in_flight(action, kill, delay: float):  # type: ignore[no-untyped-def]
    """Run ``action`` in a thread, kill the server ``delay`` seconds in; the reply or None."""
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(action())
        except (OSError, http.client.HTTPException):
            # The connection died with the server (before the reply, or in the middle of its
            # body: IncompleteRead is not an OSError): not acknowledged.
            outcome.append(None)

    thread = threading.Thread(target=run)
    thread.start()
    time.sleep(delay)
    kill()
    thread.join(60)
    assert not thread.is_alive()
    return outcome[0] if outcome else None


@pytest.mark.parametrize("backend", BACKENDS)
def test_acknowledged_writes_survive_kill_9(backend, tmp_path):
    rng = random.Random(17)
    with migrated_database(backend, tmp_path) as url:
        environ = production_environ(url, tmp_path / "index", RATELIMIT_STORAGE_URI="memory://")
        setup = app_from_environ(environ)
        assert setup.test_cli_runner().invoke(args=["demo"]).exit_code == 0
        dispose(setup)

        server = Gunicorn(environ, workers=2, log=tmp_path / "gunicorn.log").start()
        acknowledged_edits: list[str] = []
        attempted_edits: list[str] = []
        acknowledged_sign_ins = attempted_sign_ins = kills = 0
        try:
            editor = Browser(server.port)
            assert editor.sign_in("editor@demo.portal.test", demo.read_people().password,
                                  totp_secret=demo.read_people().totp_secret).status == 302
            home = editor.get("/editor/")
            new_path = re.search(r'href="(/editor/services/new\?organisation=[^"]+)"', home.body
                                 ).group(1).replace("&amp;", "&")
            run = secrets.token_hex(3)
            for i in range(ROUNDS):
                name = f"Fault listing {run} {i}"
                form = service_form_data({**empty_snapshot(), "name": name,
                                          "description": "A listing written by the fault suite."})
                resident = Browser(server.port, client_ip=f"198.51.100.{i % 250 + 1}")

                def edit(name=name, form=form):  # type: ignore[no-untyped-def]
                    return editor.submit(new_path, form)

                def sign_in(resident=resident):  # type: ignore[no-untyped-def]
                    return resident.sign_in("resident@demo.portal.test", demo.read_people().password)

                attempted_edits.append(name)
                attempted_sign_ins += 1
                if i % KILL_EVERY == KILL_EVERY - 1:
                    # Kill while one of the two writes is in flight, at a random moment in it.
                    victim = edit if (i // KILL_EVERY) % 2 else sign_in
                    other = sign_in if victim is edit else edit
                    first = other()
                    killed = in_flight(victim, server.kill, rng.uniform(0.0, 0.15))
                    kills += 1
                    replies = {victim: killed, other: first}
                    server.start()
                else:
                    replies = {edit: edit(), sign_in: sign_in()}
                edit_reply, sign_in_reply = replies[edit], replies[sign_in]
                if edit_reply is not None and edit_reply.status == 302 \
                        and edit_reply.location.startswith("/editor/revisions/"):
                    acknowledged_edits.append(name)
                if sign_in_reply is not None and sign_in_reply.status == 302 \
                        and sign_in_reply.location == "/":
                    acknowledged_sign_ins += 1
            # The editor's session outlived every kill: it is a row in the database.
            assert editor.get("/editor/").status == 200
        finally:
            server.stop()

        assert kills == ROUNDS // KILL_EVERY
        assert len(acknowledged_edits) >= ROUNDS - kills and acknowledged_sign_ins >= ROUNDS - kills
        check = app_from_environ(environ)
        try:
            with check.app_context():
                session = Database.state(check).session()
                names = Counter(revision.data["name"] for revision in session.scalars(
                    select(ServiceRevision).where(ServiceRevision.data.isnot(None))))
                resident = session.scalar(select(User).where(User.email == "resident@demo.portal.test"))
                sign_ins = session.scalar(select(func.count()).select_from(AuditEvent).where(
                    AuditEvent.event_type == "sign_in", AuditEvent.actor_id == resident.id))
                session.rollback()
            for name in acknowledged_edits:
                assert names[name] == 1, (name, names[name])
            for name in attempted_edits:
                assert names[name] <= 1, (name, names[name])
            assert acknowledged_sign_ins <= sign_ins <= attempted_sign_ins
            verified = check.test_cli_runner().invoke(args=["audit", "verify"])
            assert verified.exit_code == 0, verified.output
        finally:
            dispose(check)
