"""Secure messaging over HTTP: the person's side, the carer's, the team's, and bad input."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import pytest
import time_machine
from PIL import Image
from sqlalchemy import func, select, text

from portal.audit.models import AuditEvent
from portal.authz import Role
from portal.circles.models import Purpose, Scope
from portal.messaging.models import Message, MessageThread, ThreadNote
from tests.helpers.factories import (
    make_consent,
    make_grant,
    make_locality,
    make_team,
    make_user,
    serve,
)

WEDNESDAY_10AM = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
SATURDAY_NOON = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
NOTICE = ("This is not for emergencies. In an emergency call 999; for urgent help call 111 "
          "or the 24/7 number")


@pytest.fixture(autouse=True)
def _in_hours():
    with time_machine.travel(WEDNESDAY_10AM, tick=True) as traveller:
        yield traveller


@pytest.fixture
def world(session):
    area, elsewhere = make_locality(session), make_locality(session)
    team, other_team = make_team(session, [area]), make_team(session, [elsewhere])
    tom = serve(session, make_user(session, name="Tom Evans"), area)
    make_consent(session, tom, Purpose.MESSAGING, Purpose.PLAN)
    jane = make_user(session, Role.CARER, name="Jane Evans")
    make_grant(session, tom, jane, Scope.MESSAGES, relationship="daughter")
    worker = make_user(session, Role.CARE_WORKER, name="Wendy Worker", teams=[team])
    colleague = make_user(session, Role.CARE_WORKER, name="Colin Colleague", teams=[team])
    outsider = make_user(session, Role.CARE_WORKER, name="Olga Other", teams=[other_team])
    return {"tom": tom, "jane": jane, "worker": worker, "colleague": colleague,
            "outsider": outsider, "team": team, "area": area}


def _key(page_html: str) -> str:
    match = re.search(r'name="key" type="hidden" value="([0-9a-f]+)"', page_html) or re.search(
        r'name="key" value="([0-9a-f]+)"', page_html)
    assert match, "no idempotency key in the form"
    return match.group(1)


def send_new(client, subject="Pain after my operation", body="My knee hurts at night.",
             url="/messages/new", files=None, key=None):
    html = client.get(url).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    data = {"csrf_token": token, "key": key or _key(html), "subject": subject, "body": body}
    if files:
        data["attachments"] = files
    return client.post(url, data=data, content_type="multipart/form-data")


def reply_to(client, thread_id, body, **extra):
    html = client.get(f"/messages/{thread_id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    data = {"csrf_token": token, "key": _key(html), "body": body, **extra}
    return client.post(f"/messages/{thread_id}/reply", data=data,
                       content_type="multipart/form-data")


def _thread(session):
    """The newest thread's plain columns (the subject is encrypted: read it in an app context)."""
    return session.execute(select(
        MessageThread.id, MessageThread.person_id, MessageThread.team_id,
        MessageThread.waiting_on, MessageThread.urgent, MessageThread.assignee_id)
        .order_by(MessageThread.id.desc()).limit(1)).first()


def _thread_ids(session):
    return list(session.scalars(select(MessageThread.id)))


def _message_ids(session, thread_id=None):
    query = select(Message.id)
    if thread_id is not None:
        query = query.where(Message.thread_id == thread_id)
    return list(session.scalars(query))


def _events(session, kind):
    return session.scalars(select(AuditEvent).where(AuditEvent.event_type == kind)).all()


# The person's side --------------------------------------------------------------------------


def test_compose_page_warns_it_is_not_for_emergencies(client, world):
    client.sign_in_as(world["tom"])
    page = client.page("/messages/new")
    assert NOTICE in page.text
    assert NOTICE in client.page("/messages").text


def test_person_sends_a_message_stored_encrypted_and_audited(client, session, world):
    client.sign_in_as(world["tom"])
    response = send_new(client)
    thread = _thread(session)
    assert response.status_code == 302 and response.location == f"/messages/{thread.id}"
    page = client.page(response.location)
    assert page.h1 == ["Pain after my operation"]
    assert "My knee hurts at night." in page.text and NOTICE in page.text
    assert "Your message has been sent." in page.text and "Sent" in page.text
    assert "The team usually replies within 2 working days." in page.text
    assert (thread.person_id, thread.team_id, thread.waiting_on.value) == (
        world["tom"].id, world["team"].id, "team")
    raw = session.execute(text("SELECT body FROM message")).scalars().all()
    assert raw and all("knee" not in value for value in raw)
    raw_subject = session.execute(text("SELECT subject FROM message_thread")).scalar_one()
    assert "operation" not in raw_subject
    (sent,) = _events(session, "message_sent")
    assert (sent.actor_id, sent.subject_id, sent.reason, sent.target_id) == (
        world["tom"].id, world["tom"].id, "owner", str(thread.id))


def test_double_submit_makes_one_message(client, session, world):
    client.sign_in_as(world["tom"])
    html = client.get("/messages/new").get_data(as_text=True)
    key = _key(html)
    first = send_new(client, key=key)
    second = send_new(client, key=key)
    assert first.location == second.location
    assert len(_message_ids(session)) == 1


@pytest.mark.parametrize("body", ["", "   \n\t  "])
def test_empty_message_is_refused_and_subject_kept(client, session, world, body):
    client.sign_in_as(world["tom"])
    response = send_new(client, subject="Keep me", body=body)
    assert response.status_code == 200
    page = check_html(response)
    assert "Enter your message" in page.error_summary
    assert 'value="Keep me"' in response.get_data(as_text=True)
    assert _thread_ids(session) == []


def test_very_long_message_is_refused_and_text_kept(client, session, world):
    client.sign_in_as(world["tom"])
    body = "word " * 20_000  # 100,000 characters
    response = send_new(client, body=body)
    page = check_html(response)
    assert page.error_summary == [
        "Your message must be 10,000 characters or fewer. Shorten it or send it in parts."]
    assert body.strip() in response.get_data(as_text=True)
    assert _thread_ids(session) == []


def test_scripts_and_html_are_shown_as_text(client, session, world):
    client.sign_in_as(world["tom"])
    response = send_new(client, subject="<b>bold</b>", body="<script>alert(1)</script>")
    html = client.get(response.location).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html


def test_without_consent_the_person_is_asked_to_consent_first(client, session, world):
    loner = serve(session, make_user(session, name="Lena Loner"), world["area"])
    client.sign_in_as(loner)
    response = send_new(client, body="Please call me back.")
    page = check_html(response)
    assert response.status_code == 403
    assert page.h1 == ["Agree to share messages with the care team first"]
    assert "/account/team" in page.links  # the care circle's consent page
    assert "Please call me back." in page.text
    assert _thread_ids(session) == []


def test_someone_elses_thread_is_not_found(client, session, world):
    client.sign_in_as(world["tom"])
    thread_id = int(send_new(client).location.rsplit("/", 1)[1])
    for stranger in (make_user(session), world["outsider"],
                     make_user(session, Role.ADMIN), make_user(session, Role.CARER)):
        other = client.application.test_client()
        other.sign_in_as(stranger)
        assert other.get(f"/messages/{thread_id}").status_code == 404, stranger
        assert other.post(f"/messages/{thread_id}/reply",
                          data={"csrf_token": other.csrf_token("/messages"),
                                "body": "hi"}).status_code in (403, 404)


# The carer's side ---------------------------------------------------------------------------


def test_carer_writes_for_her_father_and_the_thread_says_so(client, session, world):
    client.sign_in_as(world["jane"])
    assert f"/messages/new?for={world['tom'].id}" in client.page("/messages").links
    response = send_new(client, url=f"/messages/new?for={world['tom'].id}",
                        body="Dad has not been eating.")
    thread = _thread(session)
    assert thread.person_id == world["tom"].id
    page = client.page(response.location)
    assert "Jane Evans (daughter) for Tom Evans" in page.text
    (sent,) = _events(session, "message_sent")
    assert (sent.actor_id, sent.subject_id, sent.reason) == (
        world["jane"].id, world["tom"].id, "proxy")
    # Tom sees it in his own list, and who wrote it.
    client.sign_in_as(world["tom"])
    assert "Jane Evans (daughter) for Tom Evans" in client.page(f"/messages/{thread.id}").text


def test_carer_without_messaging_scope_cannot_write(client, session, world):
    nosy = make_user(session, Role.CARER, name="Nick Nephew")
    make_grant(session, world["tom"], nosy, Scope.PLAN_VIEW, relationship="nephew")
    client.sign_in_as(nosy)
    assert f"/messages/new?for={world['tom'].id}" not in client.page("/messages").links
    client.sign_in_as(world["tom"])
    thread_id = int(send_new(client).location.rsplit("/", 1)[1])
    client.sign_in_as(nosy)
    assert client.get(f"/messages/{thread_id}").status_code == 404


def test_reply_after_scope_revoked_is_refused_and_text_shown_back(client, session, world):
    from portal.clock import utcnow

    client.sign_in_as(world["jane"])
    thread_id = int(send_new(client, url=f"/messages/new?for={world['tom'].id}")
                    .location.rsplit("/", 1)[1])
    html = client.get(f"/messages/{thread_id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    from portal.circles.models import CarerGrant

    grant = session.scalars(select(CarerGrant).where(CarerGrant.carer_id == world["jane"].id)
                            ).one()
    grant.revoked_at, grant.revoked_by_id = utcnow(), world["tom"].id
    session.flush()
    response = client.post(f"/messages/{thread_id}/reply",
                           data={"csrf_token": token, "key": _key(html),
                                 "body": "He fell again this morning."},
                           content_type="multipart/form-data")
    page = check_html(response)
    assert response.status_code == 403
    assert page.h1 == ["Your message was not sent"]
    assert "He fell again this morning." in page.text
    assert len(_message_ids(session, thread_id)) == 1


# Crisis words -------------------------------------------------------------------------------


@pytest.mark.parametrize("body", ["I have CHEST PAIN since lunch", "I can\u2019t breathe well",
                                  "Mam ból w klatce piersiowej", "أشعر بألم في الصدر"])
def test_crisis_words_show_guidance_flag_urgent_and_still_send(client, session, world, body):
    client.sign_in_as(world["tom"])
    response = send_new(client, body=body)
    page = client.page(response.location)
    assert "If this is an emergency, call 999 now." in page.text
    thread = _thread(session)
    assert thread.urgent is True
    assert body in page.text
    client.sign_in_as(world["worker"])
    assert "Urgent" in client.page("/inbox?show=urgent").text


def test_ordinary_message_is_not_urgent(client, session, world):
    client.sign_in_as(world["tom"])
    page = client.page(send_new(client).location)
    assert "If this is an emergency, call 999 now." not in page.text
    assert _thread(session).urgent is False


# The team's side ----------------------------------------------------------------------------


def test_team_inbox_filters_assign_reply_with_card_and_person_reads(
        client, session, world, smtp_sink):
    from tests.helpers.factories import make_content_item

    item = make_content_item(session)
    client.sign_in_as(world["tom"])
    thread_id = int(send_new(client).location.rsplit("/", 1)[1])

    worker = client.application.test_client()
    worker.sign_in_as(world["worker"])
    inbox = worker.page("/inbox?show=unassigned")
    assert f"/messages/{thread_id}" in inbox.links
    assert f"/messages/{thread_id}" not in worker.page("/inbox?show=mine").links
    page = worker.page(f"/messages/{thread_id}")
    assert f"/plans/{world['tom'].id}" in page.links
    worker.post(f"/messages/{thread_id}/assign",
                data={"csrf_token": page.csrf_token, "me": "1"})
    assert f"/messages/{thread_id}" in worker.page("/inbox?show=mine").links
    assert f"/messages/{thread_id}" not in worker.page("/inbox?show=unassigned").links
    response = reply_to(worker, thread_id, "Rest it and see the guidance.", guidance=item.slug)
    assert response.status_code == 302
    assert f"/messages/{thread_id}" in worker.page("/inbox?show=waiting-for-them").links
    # The person reads it, with the card; their message shows it was replied to.
    tom_page = client.page(f"/messages/{thread_id}")
    assert "Rest it and see the guidance." in tom_page.text
    assert f"/guidance/{item.slug}" in tom_page.links
    assert "Replied" in tom_page.text
    (email,) = smtp_sink.messages
    assert email["Subject"] == "You have a new message from your care team"
    content = email.get_content()
    assert f"/messages/{thread_id}" in content and "Rest it" not in content
    assert "Replying to this email does no harm" in content
    # The outsider's team never sees it.
    outsider = client.application.test_client()
    outsider.sign_in_as(world["outsider"])
    assert f"/messages/{thread_id}" not in outsider.page("/inbox").links


def test_inbox_counts_and_updates_json(client, session, world):
    client.sign_in_as(world["tom"])
    send_new(client)
    send_new(client, body="I feel suicidal")
    worker = client.application.test_client()
    worker.sign_in_as(world["worker"])
    data = worker.get("/inbox/updates.json").get_json()
    assert data["counts"]["open"] == 2 and data["counts"]["urgent"] == 1
    assert data["counts"]["unassigned"] == 2 and data["counts"]["mine"] == 0
    assert data["latest"]
    outsider = client.application.test_client()
    outsider.sign_in_as(world["outsider"])
    assert outsider.get("/inbox/updates.json").get_json()["counts"]["open"] == 0
    assert client.get("/inbox/updates.json").status_code == 403


def test_inbox_counts_stop_at_99_plus(app, client, session, world):
    from portal.messaging.models import MessageThread

    with app.app_context():  # subjects are encrypted with the app's keys
        session.add_all(MessageThread(person_id=world["tom"].id, team_id=world["team"].id,
                                      subject=f"Question {n}") for n in range(101))
        session.flush()
    worker = client.application.test_client()
    worker.sign_in_as(world["worker"])
    page = worker.page("/inbox")
    assert "All open 99+" in page.text and "Mine 0" in page.text
    assert worker.get("/inbox/updates.json").get_json()["counts"]["open"] == 100
    assert "closed" not in worker.get("/inbox/updates.json").get_json()["counts"]


def test_internal_notes_are_never_shown_to_the_person(app, client, session, world):
    client.sign_in_as(world["tom"])
    thread_id = int(send_new(client).location.rsplit("/", 1)[1])
    worker = client.application.test_client()
    worker.sign_in_as(world["worker"])
    token = worker.page(f"/messages/{thread_id}").csrf_token
    worker.post(f"/messages/{thread_id}/notes", data={"csrf_token": token,
                                                      "note": "Husband says he is low."})
    assert "Husband says he is low." in worker.page(f"/messages/{thread_id}").text
    assert "Husband says he is low." not in client.page(f"/messages/{thread_id}").text
    raw = session.execute(text("SELECT body FROM message_note")).scalar_one()
    assert "Husband" not in raw
    with app.app_context():
        assert session.scalars(select(ThreadNote)).one().body == "Husband says he is low."


def test_reply_lands_after_reassignment_and_new_assignee_sees_it(app, client, session, world):
    client.sign_in_as(world["tom"])
    thread_id = int(send_new(client).location.rsplit("/", 1)[1])
    wendy = client.application.test_client()
    wendy.sign_in_as(world["worker"])
    colin = client.application.test_client()
    colin.sign_in_as(world["colleague"])
    html = wendy.get(f"/messages/{thread_id}").get_data(as_text=True)  # Wendy starts typing
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    colin_page = colin.page(f"/messages/{thread_id}")
    colin.post(f"/messages/{thread_id}/assign",
               data={"csrf_token": colin_page.csrf_token, "me": "1"})   # Colin takes it
    # Colin also replies, then Wendy's reply arrives: both land, in order.
    reply_to(colin, thread_id, "Colin here.")
    response = wendy.post(f"/messages/{thread_id}/reply",
                          data={"csrf_token": token, "key": _key(html), "body": "Wendy here."},
                          content_type="multipart/form-data")
    assert response.status_code == 302
    with app.app_context():
        bodies = [m.body for m in session.scalars(select(Message).where(
            Message.thread_id == thread_id).order_by(Message.id))]
    assert bodies[-2:] == ["Colin here.", "Wendy here."]
    assert _thread(session).assignee_id == world["colleague"].id
    assert "Wendy here." in colin.page(f"/messages/{thread_id}").text
    assert f"/messages/{thread_id}" in colin.page("/inbox?show=mine").links


def test_close_and_reopen(client, session, world):
    client.sign_in_as(world["tom"])
    thread_id = int(send_new(client).location.rsplit("/", 1)[1])
    worker = client.application.test_client()
    worker.sign_in_as(world["worker"])
    token = worker.page(f"/messages/{thread_id}").csrf_token
    worker.post(f"/messages/{thread_id}/close", data={"csrf_token": token})
    assert f"/messages/{thread_id}" in worker.page("/inbox?show=closed").links
    assert f"/messages/{thread_id}" not in worker.page("/inbox").links
    worker.post(f"/messages/{thread_id}/reopen", data={"csrf_token": token})
    assert f"/messages/{thread_id}" in worker.page("/inbox").links
    assert [e.event_type for e in _events(session, "message_thread_closed")] == [
        "message_thread_closed"]
    # The person cannot close it.
    assert client.post(f"/messages/{thread_id}/close",
                       data={"csrf_token": client.csrf_token("/messages")}).status_code == 403


def test_overdue_against_the_promise(client, session, world, _in_hours):
    client.sign_in_as(world["tom"])
    thread_id = int(send_new(client).location.rsplit("/", 1)[1])
    worker = client.application.test_client()
    worker.sign_in_as(world["worker"])
    assert f"/messages/{thread_id}" not in worker.page("/inbox?show=overdue").links
    _in_hours.move_to(datetime(2026, 12, 7, 9, 0, tzinfo=UTC))  # Monday: 3 working days on
    worker.sign_in_as(world["worker"])
    assert f"/messages/{thread_id}" in worker.page("/inbox?show=overdue").links


def test_out_of_hours_message_gets_an_automatic_reply(client, session, world, _in_hours):
    _in_hours.move_to(SATURDAY_NOON)
    client.sign_in_as(world["tom"])
    page = client.page(send_new(client).location)
    assert "The team is not working right now." in page.text
    assert "Monday 7 December, 09:00" in page.text and "111" in page.text
    # The 24/7 number is the portal's one, the same as everywhere else on the site.
    assert f"or {client.application.config['SINGLE_POINT_OF_ACCESS']}, day and night" in page.text


def test_email_notifications_can_be_turned_off(client, session, world, smtp_sink):
    client.sign_in_as(world["tom"])
    token = client.page("/account/message-settings").csrf_token
    client.post("/account/message-settings", data={"csrf_token": token, "emails": "off"})
    thread_id = int(send_new(client).location.rsplit("/", 1)[1])
    worker = client.application.test_client()
    worker.sign_in_as(world["worker"])
    reply_to(worker, thread_id, "Thanks.")
    assert smtp_sink.messages == []


# Attachments --------------------------------------------------------------------------------


def _png_with_location() -> bytes:
    image = Image.new("RGB", (40, 30), "red")
    exif = Image.Exif()
    exif[0x010E] = "secret description"  # ImageDescription
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def test_photo_is_cleaned_stored_encrypted_and_downloaded_by_the_thread_only(
        app, client, session, world):
    client.sign_in_as(world["tom"])
    photo = _png_with_location()
    assert b"secret description" in photo
    response = send_new(client, files=[(io.BytesIO(photo), "knee.jpg")])
    thread = _thread(session)
    from portal.messaging.models import Attachment

    (attachment,) = session.execute(select(Attachment.id, Attachment.content_type)).all()
    assert attachment.content_type == "image/jpeg"
    raw = session.execute(text("SELECT data FROM message_attachment")).scalar_one()
    assert b"\xff\xd8\xff" not in bytes(raw)[:10]
    page = client.page(response.location)
    url = f"/messages/{thread.id}/attachments/{attachment.id}"
    assert url in page.links
    download = client.get(url)
    assert download.status_code == 200 and download.mimetype == "image/jpeg"
    assert b"secret description" not in download.data
    assert Image.open(io.BytesIO(download.data)).size == (40, 30)
    stranger = client.application.test_client()
    stranger.sign_in_as(make_user(session))
    assert stranger.get(url).status_code == 404
    worker = client.application.test_client()
    worker.sign_in_as(world["worker"])
    assert worker.get(url).status_code == 200


def test_renamed_executable_posing_as_pdf_is_refused(client, session, world):
    client.sign_in_as(world["tom"])
    response = send_new(client, body="See attached.",
                        files=[(io.BytesIO(b"MZ\x90\x00" + b"\x00" * 200), "report.pdf")])
    page = check_html(response)
    assert page.error_summary == ["The selected file must be a PDF, JPEG or PNG"]
    assert "See attached." in page.text
    assert _thread_ids(session) == []


def test_decompression_bomb_is_refused(client, session, world):
    client.sign_in_as(world["tom"])
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(out, "PNG")
    response = send_new(client, files=[(io.BytesIO(out.getvalue()), "bomb.png")])
    assert check_html(response).error_summary == [
        "The selected image is too large to open. Send a smaller photo"]


def _multipart(fields: dict[str, str], filename: str, blob: bytes) -> tuple[bytes, str]:
    """A request body built in memory (the test client would spool a big one to a temp file)."""
    boundary = "----portal-test-boundary"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
             .encode() for name, value in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="attachments"; '
                 f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
                 + blob + f"\r\n--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize("size_mb", [11, 50])
def test_too_big_upload_gets_413_and_keeps_the_text(client, session, world, size_mb):
    client.sign_in_as(world["tom"])
    html = client.get("/messages/new").get_data(as_text=True)
    body, content_type = _multipart(
        {"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', html).group(1),
         "key": _key(html), "subject": "My letter", "body": "My letter is attached."},
        "letter.pdf", b"%PDF-1.4\n" + b"0" * (size_mb * 1024 * 1024))
    response = client.post("/messages/new", data=body, content_type=content_type)
    assert response.status_code == 413
    page = check_html(response)
    assert page.error_summary == ["The selected file must be smaller than 10 MB"]
    assert "My letter is attached." in page.text
    assert _thread_ids(session) == []


# Retention and the person's data ------------------------------------------------------------


def test_retention_command_deletes_threads_closed_long_ago(app, client, session, world,
                                                          _in_hours):
    client.sign_in_as(world["tom"])
    old_id = int(send_new(client, subject="Old").location.rsplit("/", 1)[1])
    new_id = int(send_new(client, subject="New").location.rsplit("/", 1)[1])
    worker = client.application.test_client()
    worker.sign_in_as(world["worker"])
    token = worker.page(f"/messages/{old_id}").csrf_token
    worker.post(f"/messages/{old_id}/close", data={"csrf_token": token})
    _in_hours.move_to(datetime(2027, 1, 20, 10, 0, tzinfo=UTC))
    result = app.test_cli_runner().invoke(args=["messaging", "purge", "--days", "30"])
    assert result.exit_code == 0, result.output
    assert "Deleted 1 closed thread(s) older than 30 days." in result.output
    assert _thread_ids(session) == [new_id]
    assert _message_ids(session, old_id) == []


def test_threads_are_in_the_data_download_and_erased(app, client, session, world):
    from portal.privacy import registry

    client.sign_in_as(world["tom"])
    send_new(client, body="Download me.")
    with app.app_context():
        data = registry.exporters()["messages"](session, world["tom"])
    assert data[0]["subject"] == "Pain after my operation"
    assert data[0]["messages"][0]["body"] == "Download me."
    registry.erasers()["messages"](session, world["tom"])
    assert _thread_ids(session) == []


def check_html(response):
    from tests.helpers.pages import check_page

    return check_page(response)


def test_a_saved_response_is_added_to_the_typed_reply_without_sending(client, session, world):
    from portal.messaging.models import Message
    from portal.messaging.saved import saved_responses

    client.sign_in_as(world["tom"])
    thread_id = int(send_new(client).location.rsplit("/", 1)[1])
    worker = client.application.test_client()
    worker.sign_in_as(world["worker"])
    before = session.scalar(select(func.count()).select_from(Message))
    response = reply_to(worker, thread_id, "Hello Tom.", use_saved="1")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    chosen = saved_responses()[1]["body"]
    box = re.search(r"<textarea[^>]*name=\"body\"[^>]*>(.*?)</textarea>", html, re.S).group(1)
    assert box.strip() == f"Hello Tom.\n\n{chosen}"
    assert session.scalar(select(func.count()).select_from(Message)) == before
    # An empty reply takes the response alone; a made-up choice changes nothing.
    html = reply_to(worker, thread_id, "", use_saved="0").get_data(as_text=True)
    assert saved_responses()[0]["body"] in html and "There is a problem" not in html
    html = reply_to(worker, thread_id, "Mine.", use_saved="99").get_data(as_text=True)
    box = re.search(r"<textarea[^>]*name=\"body\"[^>]*>(.*?)</textarea>", html, re.S).group(1)
    assert box.strip() == "Mine."
    # The person has no saved responses: the button's value is ignored and the reply is sent.
    assert reply_to(client, thread_id, "Thanks.", use_saved="1").status_code == 302
    assert session.scalar(select(func.count()).select_from(Message)) == before + 1
