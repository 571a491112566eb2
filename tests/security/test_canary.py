"""Canary: sensitive values never reach the disk, the logs or a URL in plain text.

Unique marker values are written into every encrypted field through the real pages, the
journeys that read them are run (the person's own pages, an administrator's view, both copies
of "your data", the audit pages), and then the raw database (the SQLite file and its WAL, or
every row of every table on PostgreSQL as text), the search index, the captured log output,
every email, and every URL requested or redirected to are searched for the markers.

Besides the markers, every value found (decrypted) in any encrypted column after the journeys
is searched for too, so values the portal makes itself (a TOTP secret, say) are covered.

Adding a sensitive field: make it ``EncryptedText`` (portal/crypto.py), then add it to
``MARKERS`` below and make ``_write_markers`` (or a new journey) put the marker in through
its page; a value the portal generates goes in ``SERVER_GENERATED`` instead, and a journey
must still create one. ``test_every_encrypted_column_has_a_canary`` fails until you do, and
the main test fails if the journeys leave any encrypted column empty.
"""

from __future__ import annotations

import json
import logging
import random
import secrets
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from portal import create_app, migrate
from portal.authz import Role
from portal.crypto import encrypted_columns
from portal.db import Base, Database, build_engine
from portal.profile.services import format_nhs_number, is_valid_nhs_number
from tests.conftest import Client, app_overrides
from tests.helpers.database import BACKENDS, throwaway_database
from tests.helpers.factories import make_user

RNG = random.SystemRandom()


def _nhs_number() -> str:
    while True:
        digits = "".join(RNG.choice("0123456789") for _ in range(9))
        for last in "0123456789":
            if is_valid_nhs_number(digits + last):
                return digits + last


BIRTH = date(RNG.randint(1901, 1929), RNG.randint(1, 12), RNG.randint(1, 28))
PHONE_DIGITS = "07700" + "".join(RNG.choice("0123456789") for _ in range(6))
POSTCODE = f"YY{RNG.randint(1, 9)} {RNG.randint(1, 9)}{RNG.choice('ABDEFGHJLNPQRSTUWXYZ')}" \
           f"{RNG.choice('ABDEFGHJLNPQRSTUWXYZ')}"

# (table, column) -> the value the journey writes. Every one is unique to this run.
MARKERS: dict[tuple[str, str], str] = {
    ("personal_details", "nhs_number"): _nhs_number(),
    ("personal_details", "date_of_birth"): BIRTH.isoformat(),
    ("personal_details", "phone"): PHONE_DIGITS,
    ("personal_details", "address_line_1"): f"CANARY{secrets.token_hex(6).upper()} Lane",
    ("personal_details", "address_line_2"): f"CANARY{secrets.token_hex(6).upper()} Court",
    ("personal_details", "town"): f"Canary{secrets.token_hex(6)}ton",
    ("personal_details", "postcode"): POSTCODE,
    # Plans: a section's text (its current copy and its version), a draft, a team's note.
    ("plan_section", "content"): f"CanaryPlan{secrets.token_hex(6)} likes tea",
    ("plan_version", "content"): f"CanaryPlan{secrets.token_hex(6)} likes tea",
    ("plan_draft", "content"): f"CanaryDraft{secrets.token_hex(6)} half a thought",
    ("plan_note", "text"): f"CanaryNote{secrets.token_hex(6)} try the group",
    # Carers: a referral's answers (while a draft and once sent) and a worker's note.
    ("journey_draft", "answers"): f"Canary{secrets.token_hex(6)} Draftperson",
    ("carer_referral", "answers"): f"Canary{secrets.token_hex(6)} Carer",
    ("carer_referral_update", "note"): f"CANARY{secrets.token_hex(6)} note",
    ("carer_referral_contact", "note"): f"CANARY{secrets.token_hex(6)} rang",
    # Messaging
    ("message_thread", "subject"): f"Canary subject {secrets.token_hex(6)}",
    ("message", "body"): f"Canary body {secrets.token_hex(6)}",
    ("message_note", "body"): f"Canary note {secrets.token_hex(6)}",
    ("message_attachment", "filename"): f"canary-{secrets.token_hex(6)}.png",
}
# The section and its newest version hold the same words.
MARKERS[("plan_version", "content")] = MARKERS[("plan_section", "content")]


# Encrypted columns whose values the portal generates (no marker can be typed in): their
# values are read back, decrypted, after the journeys and searched for like the markers.
SERVER_GENERATED: set[tuple[str, str]] = {("user_account", "mfa_secret"),
                                          ("outbox_job", "payload")}
SHORTEST_NEEDLE = 8


def _forms_of(marker: str) -> set[str]:
    """The ways a marker could be written out (as stored, as shown, as typed)."""
    forms = {marker}
    if marker == MARKERS[("personal_details", "nhs_number")]:
        forms.add(format_nhs_number(marker))
    if marker == BIRTH.isoformat():
        forms |= {BIRTH.strftime("%d/%m/%Y"), f"{BIRTH.day} {BIRTH:%B %Y}"}
    if marker == POSTCODE:
        forms.add(POSTCODE.replace(" ", ""))
    return forms


ALL_FORMS = sorted({form for marker in MARKERS.values() for form in _forms_of(marker)})


def _write_markers(client: Client) -> None:
    response = client.submit("/account/details/edit", {
        "nhs_number": MARKERS[("personal_details", "nhs_number")],
        "dob_day": str(BIRTH.day), "dob_month": str(BIRTH.month), "dob_year": str(BIRTH.year),
        "phone": MARKERS[("personal_details", "phone")],
        "address_line_1": MARKERS[("personal_details", "address_line_1")],
        "address_line_2": MARKERS[("personal_details", "address_line_2")],
        "town": MARKERS[("personal_details", "town")],
        "postcode": MARKERS[("personal_details", "postcode")],
    })
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture(params=BACKENDS)
def committed_app(request, tmp_path, smtp_sink) -> Iterator:
    """A portal on a database of its own, whose transactions really commit to disk."""
    with throwaway_database(request.param, tmp_path) as url:
        engine = build_engine(url)
        migrate.upgrade(engine)
        engine.dispose()
        app = create_app(app_overrides(url, tmp_path / "index", MAIL_SERVER="127.0.0.1",
                                       MAIL_PORT=smtp_sink.port))
        app.test_client_class = Client
        try:
            yield app
        finally:
            Database.state(app).engine.dispose()


def test_every_encrypted_column_has_a_canary():
    found = {(table.name, column.name) for table, column in encrypted_columns()}
    assert found == set(MARKERS) | SERVER_GENERATED, (
        "add a marker (and a journey) for each new encrypted column")


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, date):
        yield value.isoformat()
    elif value is not None:
        yield str(value)


def _stored_values(app) -> dict[tuple[str, str], list[str]]:
    """Every value in every encrypted column, decrypted, as text."""
    found: dict[tuple[str, str], list[str]] = {}
    with app.app_context(), Database.state(app).engine.connect() as connection:
        for table, column in encrypted_columns():
            rows = connection.execute(select(column).where(column.isnot(None))).scalars()
            found[(table.name, column.name)] = [s for v in rows for s in _strings(v)]
    return found


def _people(app):
    with app.app_context():
        session = Database.state(app).session()
        resident = make_user(session, Role.RESIDENT, name="Canary Resident")
        admin = make_user(session, Role.ADMIN, name="Canary Admin")
        session.commit()
        return resident, admin


def _journeys(app, urls: list[str]) -> dict:
    resident, admin = _people(app)
    client: Client = app.test_client()  # type: ignore[assignment]

    def visit(url: str, **kwargs) -> object:
        response = client.get(url, **kwargs)
        urls.append(response.request.url)
        urls.append(response.location or "")
        return response

    client.sign_in_as(resident)
    _write_markers(client)
    _enrol_second_factor(client)
    # An email (an outbox job, whose payload holds a link with a token).
    assert client.submit("/account/verify/resend", {}, form_url="/account/").status_code == 302
    _write_message_markers(app, client, resident, visit)
    # A failed edit re-shows what was typed, and must not log it either.
    client.submit("/account/details/edit", {"nhs_number": "123",
                                            "town": MARKERS[("personal_details", "town")]})
    _plan_journey(app, client, resident, visit)
    for url in ("/account/details", "/account/details/edit", "/account/activity",
                "/account/data", "/account/data/summary"):
        assert visit(url).status_code == 200, url
    exported = json.loads(visit("/account/data.json").get_data(as_text=True))

    _carer_referral(app, visit)

    client.sign_in_as(admin)
    assert visit(f"/admin/users/{resident.id}/details").status_code == 200  # the reason form
    shown = client.submit(f"/admin/users/{resident.id}/details", {"purpose": "account_help"})
    assert shown.status_code == 200 and MARKERS[("personal_details", "town")] in shown.get_data(
        as_text=True)
    searched = client.submit("/admin/audit", {"subject": str(resident.id)},
                             form_url="/account/details")
    urls.append(searched.location or "")
    assert visit(searched.location).status_code == 200
    return exported


def _plan_journey(app, client: Client, resident, visit) -> None:
    """The resident writes a section and keeps a draft; her care team adds a note; every plan
    page is read by both."""
    from portal.circles.models import Purpose
    from tests.helpers.factories import make_consent, make_locality, make_team, serve

    with app.app_context():
        session = Database.state(app).session()
        locality = make_locality(session)
        serve(session, session.merge(resident), locality)
        worker = make_user(session, Role.CARE_WORKER, name="Canary Worker",
                           teams=[make_team(session, [locality])])
        make_consent(session, session.merge(resident), Purpose.PLAN)
        session.commit()
    plan = f"/plans/{resident.id}"
    assert client.submit(f"{plan}/sections/about_me", {
        "text": MARKERS[("plan_section", "content")], "base_number": "0", "action": "save",
    }).status_code == 302
    assert client.submit(f"{plan}/sections/health", {
        "text": MARKERS[("plan_draft", "content")], "base_number": "0", "action": "draft",
    }).status_code == 302
    # A refused (too long) save shows the text back and must not log it.
    client.submit(f"{plan}/sections/what_matters", {
        "text": MARKERS[("plan_section", "content")] * 2000, "base_number": "0"})
    client.sign_in_as(worker)
    assert client.submit(f"{plan}/notes", {"text": MARKERS[("plan_note", "text")]},
                         form_url="/account/details").status_code == 302
    for url in (plan, f"{plan}/history", f"{plan}/print", f"{plan}/emergency",
                f"{plan}/sections/about_me/history", f"{plan}/fhir.json"):
        assert visit(url).status_code == 200, url
    client.sign_in_as(resident)
    for url in (plan, f"{plan}/sections/health", f"{plan}/easy-read"):
        assert visit(url).status_code == 200, url
def _carer_referral(app, visit) -> None:  # type: ignore[no-untyped-def]
    """A guest sends a referral (the triage queue) and starts another; a worker notes one
    and records a contact attempt with a note."""
    from tests.helpers.factories import make_team

    base = "/carers/assessment"
    pages = [("danger", {"in_danger": "no"}), ("coping", {"cannot_carry_on": "no"}),
             ("carer_kind", {"carer_kind": "adult"}), ("filling_in", {"filled_by": "carer"}),
             ("about_you", {"full_name": MARKERS[("carer_referral", "answers")],
                            "contact_way": "phone", "postcode": "SW1A 1AA"}),
             ("communication", {}), ("your_gp", {"gp_knows": "no"}),
             ("work_study", {"work_study": "neither"}),
             ("cared_for", {"relationship": "parent", "age_band": "85+",
                            "lives_where": "with_me", "cared_for_knows": "agrees"}),
             ("caring_role", {"hours": "50+", "when_caring": "both", "left_alone": "no"}),
             ("impact", {"impact_health": "big", "impact_sleep": "big", "impact_time": "big",
                         "impact_money": "big", "impact_relationships": "big",
                         "impact_work": "big"}),
             ("carry_on", {"willing_able": "no"}), ("what_matters", {}),
             ("contingency", {"emergency_plan": "no"}), ("involved", {"want_involved": "no"}),
             ("consent", {"consent_share": "yes", "consent_gp": "no"})]
    guest: Client = app.test_client()  # type: ignore[assignment]
    for page_id, data in pages:
        assert guest.submit(f"{base}/{page_id}", data).status_code == 302, page_id
    assert guest.submit(f"{base}/check", {"website": ""}).location == f"{base}/sent"
    assert visit(f"{base}/sent").status_code == 302  # another browser: not theirs to see
    for page_id, data in pages[:4]:
        guest.submit(f"{base}/{page_id}", data)
    guest.submit(f"{base}/about_you", {"full_name": MARKERS[("journey_draft", "answers")]})
    with app.app_context():
        session = Database.state(app).session()
        worker = make_user(session, Role.CARE_WORKER, name="Canary Worker",
                           teams=[make_team(session)])
        session.commit()
    worker_client: Client = app.test_client()  # type: ignore[assignment]
    worker_client.sign_in_as(worker)
    html = worker_client.get("/carers/queue").get_data(as_text=True)
    referral_id = html.split('href="/carers/queue/')[1].split('"')[0]
    assert worker_client.submit(f"/carers/queue/{referral_id}/status",
                                {"status": "being_looked_at",
                                 "note": MARKERS[("carer_referral_update", "note")]},
                                form_url=f"/carers/queue/{referral_id}").status_code == 302
    assert MARKERS[("carer_referral_update", "note")] in worker_client.get(
        f"/carers/queue/{referral_id}").get_data(as_text=True)
    assert worker_client.submit(f"/carers/queue/{referral_id}/contact",
                                {"method": "phone", "outcome": "no_answer",
                                 "contact_note": MARKERS[("carer_referral_contact", "note")]},
                                form_url=f"/carers/queue/{referral_id}").status_code == 302
    assert MARKERS[("carer_referral_contact", "note")] in worker_client.get(
        f"/carers/queue/{referral_id}").get_data(as_text=True)


def _write_message_markers(app, client: Client, resident, visit) -> None:
    """A message with a photo to the care team, and a team note (messaging's columns)."""
    import io
    import re

    from PIL import Image

    from portal.circles.models import Purpose
    from tests.helpers.factories import make_consent, make_locality, make_team, serve

    with app.app_context():
        session = Database.state(app).session()
        area = make_locality(session)
        team = make_team(session, [area])
        serve(session, session.merge(resident), area)
        make_consent(session, session.merge(resident), Purpose.MESSAGING)
        worker = make_user(session, Role.CARE_WORKER, name="Canary Worker", teams=[team])
        session.commit()
    html = client.get("/messages/new").get_data(as_text=True)
    photo = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(photo, "PNG")
    response = client.post("/messages/new", content_type="multipart/form-data", data={
        "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', html).group(1),
        "key": re.search(r'name="key" type="hidden" value="([0-9a-f]+)"', html).group(1),
        "subject": MARKERS[("message_thread", "subject")],
        "body": MARKERS[("message", "body")],
        "attachments": [(io.BytesIO(photo.getvalue()),
                         MARKERS[("message_attachment", "filename")])]})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    thread_url = response.location
    assert visit(thread_url).status_code == 200
    client.sign_in_as(worker)
    assert visit("/inbox").status_code == 200
    assert client.submit(f"{thread_url}/notes", {"note": MARKERS[("message_note", "body")]},
                         form_url=thread_url).status_code == 302
    client.sign_in_as(resident)


def _enrol_second_factor(client: Client) -> None:
    """The TOTP secret is generated by the portal and shown once: it must be stored encrypted."""
    import re

    import pyotp

    html = client.get("/account/two-factor/setup").get_data(as_text=True)
    secret = re.search(r'<code class="portal-secret">([A-Z2-7]+)</code>', html).group(1)
    response = client.submit("/account/two-factor/setup", {"code": pyotp.TOTP(secret).now()})
    assert "Save your recovery codes" in response.get_data(as_text=True)


def _raw_database_text(app) -> bytes:
    """Every row of every table, as the database itself renders it to text."""
    engine = Database.state(app).engine
    chunks = []
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            if engine.dialect.name == "postgresql":
                query = f'SELECT CAST(t AS text) FROM "{table.name}" AS t'
            else:
                columns = " || '|' || ".join(f'COALESCE(CAST("{c.name}" AS TEXT), \'\')'
                                              for c in table.columns)
                query = f'SELECT {columns} FROM "{table.name}"'
            chunks.extend(str(row[0]).encode() for row in connection.execute(text(query)))
    return b"\n".join(chunks)


def _sqlite_files(app) -> list[Path]:
    database = Path(make_url(app.config["DATABASE_URL"]).database or "")
    return [p for p in (database, Path(f"{database}-wal"), Path(f"{database}-shm")) if p.exists()]


def _assert_absent(where: str, haystack: bytes, needles: list[str]) -> None:
    leaked = [needle for needle in needles if needle.encode() in haystack]
    assert leaked == [], f"sensitive values in plain text in {where}: {leaked}"


def test_sensitive_values_never_appear_in_plain_text(committed_app, smtp_sink):
    app, urls, capture = committed_app, [], _Capture()
    loggers = [logging.getLogger(), app.logger, logging.getLogger("sqlalchemy.engine"),
               logging.getLogger("werkzeug")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(capture)
        logger.setLevel(logging.INFO)
    try:
        exported = _journeys(app, urls)
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(capture)
            logger.setLevel(level)

    # Positive control: the markers really were stored, and come back decrypted.
    details = exported["personal_details"]
    for (table, column), marker in MARKERS.items():
        if table == "personal_details":
            assert details[column] == marker, column
    plan = exported["plans"]
    assert plan["sections"]["about_me"]["content"] == {"text": MARKERS[("plan_section", "content")]}
    assert plan["drafts"][0]["content"] == {"text": MARKERS[("plan_draft", "content")]}
    assert plan["notes"][0]["text"] == MARKERS[("plan_note", "text")]
    (thread,) = exported["messages"]
    assert thread["subject"] == MARKERS[("message_thread", "subject")]
    assert thread["messages"][0]["body"] == MARKERS[("message", "body")]
    assert capture.lines, "the log capture saw nothing: is it attached?"
    stored = _stored_values(app)
    empty = sorted(key for key, values in stored.items() if not values)
    assert empty == [], f"no journey wrote into {empty}"
    # An outbox job holds an email's recipient, template and link, which the email itself
    # carries: they are encrypted at rest, but are not needles to look for elsewhere.
    needles = sorted(set(ALL_FORMS) | {
        value for key, values in stored.items() for value in values
        if len(value) >= SHORTEST_NEEDLE and key != ("outbox_job", "payload")})

    _assert_absent("the database's rows", _raw_database_text(app), needles)
    with Database.state(app).engine.connect() as connection:
        for table, column in encrypted_columns():
            raw = connection.execute(text(
                f'SELECT CAST("{column.name}" AS TEXT) FROM "{table.name}" '
                f'WHERE "{column.name}" IS NOT NULL')).scalars().all()
            assert raw and all(value.startswith("gAAAAA") for value in raw), column
    if Database.state(app).engine.dialect.name == "sqlite":
        files = _sqlite_files(app)
        assert any(p.name.endswith("-wal") for p in files), "expected a WAL file to search"
        for path in files:
            _assert_absent(path.name, path.read_bytes(), needles)
    index_dir = Path(app.config["SEARCH_INDEX_DIR"])
    for path in index_dir.rglob("*") if index_dir.exists() else []:
        if path.is_file():
            _assert_absent(f"search index {path.name}", path.read_bytes(), needles)
    _assert_absent("the log output", "\n".join(capture.lines).encode(), needles)
    _assert_absent("the URLs requested", "\n".join(urls).encode(), needles)
    _assert_absent("email", b"\n".join(m.as_bytes() for m in smtp_sink.messages), needles)

    # And once more after the WAL is folded into the database file.
    Database.state(app).engine.dispose()
    for path in _sqlite_files(app) if Database.state(app).engine.dialect.name == "sqlite" else []:
        _assert_absent(f"{path.name} after checkpoint", path.read_bytes(), needles)
