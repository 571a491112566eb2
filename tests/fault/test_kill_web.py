"""kill -9 the web server during 100 rounds of writes (a listing edit, a sign-in, and a plan
save or a message each round): every acknowledged write is in the database, none is there
twice, and the audit chain verifies."""

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
from portal.messaging.models import Message
from portal.moderation.models import ServiceRevision
from portal.moderation.snapshot import empty_snapshot
from portal.plans.models import PlanVersion
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
        acknowledged: dict[str, list[str]] = {"edit": [], "plan": [], "message": []}
        attempted: dict[str, list[str]] = {"edit": [], "plan": [], "message": []}
        acknowledged_sign_ins = attempted_sign_ins = kills = 0
        try:
            editor = Browser(server.port)
            assert editor.sign_in("editor@demo.portal.test", demo.read_people().password,
                                  totp_secret=demo.read_people().totp_secret).status == 302
            home = editor.get("/editor/")
            new_path = re.search(r'href="(/editor/services/new\?organisation=[^"]+)"', home.body
                                 ).group(1).replace("&amp;", "&")
            # Rose, signed in once, saves her plan and writes to her team between the kills.
            rose = Browser(server.port, client_ip="198.51.100.251")
            assert rose.sign_in("resident@demo.portal.test",
                                demo.read_people().password).status == 302
            plan_path = rose.get("/plan").location
            section_path = f"{plan_path}/sections/about_me"
            compose = rose.get("/messages/new")
            opened = rose.request("POST", "/messages/new", {
                "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', compose.body).group(1),
                "key": re.search(r'name="key"[^>]*value="([0-9a-f]+)"', compose.body).group(1),
                "subject": "Written during the fault test", "body": "The first message."})
            assert opened.status == 302, opened.status
            thread_path = opened.location
            run = secrets.token_hex(3)
            for i in range(ROUNDS):
                name = f"Fault listing {run} {i}"
                form = service_form_data({**empty_snapshot(), "name": name,
                                          "description": "A listing written by the fault suite."})
                resident = Browser(server.port, client_ip=f"198.51.100.{i % 250 + 1}")
                words = f"Fault words {run} {i}"
                kind = "plan" if i % 2 == 0 else "message"

                def edit(form=form):  # type: ignore[no-untyped-def]
                    return editor.submit(new_path, form)

                def sign_in(resident=resident):  # type: ignore[no-untyped-def]
                    return resident.sign_in("resident@demo.portal.test", demo.read_people().password)

                def personal(words=words, kind=kind):  # type: ignore[no-untyped-def]
                    page = rose.get(section_path if kind == "plan" else thread_path)
                    if page.status != 200:
                        # On SQLite a page that records a look can meet a busy write lock and
                        # answer 503 ("try again"): nothing was written, nothing acknowledged.
                        return page
                    token = re.search(r'name="csrf_token" value="([^"]+)"', page.body).group(1)
                    if kind == "plan":
                        base = re.search(r'name="base_number" value="(\d+)"', page.body).group(1)
                        return rose.request("POST", section_path, {
                            "csrf_token": token, "text": words, "base_number": base,
                            "action": "save"})
                    key = re.search(r'name="key"[^>]*value="([0-9a-f]+)"', page.body).group(1)
                    return rose.request("POST", f"{thread_path}/reply", {
                        "csrf_token": token, "key": key, "body": words})

                attempted["edit"].append(name)
                attempted[kind].append(words)
                attempted_sign_ins += 1
                writes = {"edit": edit, "sign_in": sign_in, "personal": personal}
                if i % KILL_EVERY == KILL_EVERY - 1:
                    # Kill while one of the three writes is in flight, at a random moment in it.
                    victim = ("sign_in", "edit", "personal")[(i // KILL_EVERY) % 3]
                    replies = {key: write() for key, write in writes.items() if key != victim}
                    replies[victim] = in_flight(writes[victim], server.kill,
                                                rng.uniform(0.0, 0.15))
                    kills += 1
                    server.start()
                else:
                    replies = {key: write() for key, write in writes.items()}
                edit_reply, sign_in_reply = replies["edit"], replies["sign_in"]
                if edit_reply is not None and edit_reply.status == 302 \
                        and edit_reply.location.startswith("/editor/revisions/"):
                    acknowledged["edit"].append(name)
                if sign_in_reply is not None and sign_in_reply.status == 302 \
                        and sign_in_reply.location == "/":
                    acknowledged_sign_ins += 1
                personal_reply = replies["personal"]
                if personal_reply is not None and personal_reply.status == 302 and \
                        personal_reply.location.startswith(plan_path if kind == "plan"
                                                           else thread_path):
                    acknowledged[kind].append(words)
            # The editor's session outlived every kill: it is a row in the database.
            assert editor.get("/editor/").status == 200
            assert rose.get(plan_path).status == 200
        finally:
            server.stop()

        assert kills == ROUNDS // KILL_EVERY
        assert len(acknowledged["edit"]) >= ROUNDS - kills
        assert acknowledged_sign_ins >= ROUNDS - kills
        # Most plan saves and messages land (a few may meet SQLite's busy lock, see above).
        assert len(acknowledged["plan"]) + len(acknowledged["message"]) >= (ROUNDS - kills) // 2
        check = app_from_environ(environ)
        try:
            with check.app_context():
                session = Database.state(check).session()
                names = Counter(revision.data["name"] for revision in session.scalars(
                    select(ServiceRevision).where(ServiceRevision.data.isnot(None))))
                resident = session.scalar(select(User).where(User.email == "resident@demo.portal.test"))
                sign_ins = session.scalar(select(func.count()).select_from(AuditEvent).where(
                    AuditEvent.event_type == "sign_in", AuditEvent.actor_id == resident.id))
                # Decrypted with the app's keys: the texts are encrypted at rest.
                plan_words = Counter(version.content.get("text") for version in session.scalars(
                    select(PlanVersion).where(PlanVersion.section_key == "about_me")))
                message_words = Counter(message.body for message in session.scalars(
                    select(Message).where(Message.author_id == resident.id)))
                session.rollback()
            for name in acknowledged["edit"]:
                assert names[name] == 1, (name, names[name])
            for name in attempted["edit"]:
                assert names[name] <= 1, (name, names[name])
            # Each acknowledged plan save and message is stored once; none is stored twice.
            for kind, stored in (("plan", plan_words), ("message", message_words)):
                for words in acknowledged[kind]:
                    assert stored[words] == 1, (kind, words, stored[words])
                for words in attempted[kind]:
                    assert stored[words] <= 1, (kind, words, stored[words])
            assert acknowledged_sign_ins <= sign_ins <= attempted_sign_ins
            verified = check.test_cli_runner().invoke(args=["audit", "verify"])
            assert verified.exit_code == 0, verified.output
        finally:
            dispose(check)
