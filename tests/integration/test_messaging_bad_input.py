"""Bad input in replies and uploads: a clear message, never a 500, nothing typed is lost."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from sqlalchemy import select

from portal.authz import Role
from portal.circles.models import CarerGrant
from tests.helpers.factories import make_user
from tests.integration.test_messaging import (  # noqa: F401
    _in_hours,
    _key,
    _message_ids,
    _multipart,
    _thread_ids,
    check_html,
    send_new,
    world,
)

BIG_TEXT = "word " * 20_000  # 100,000 characters


def _new_thread(client, world, **kwargs) -> int:  # noqa: F811
    client.sign_in_as(world["tom"])
    return int(send_new(client, **kwargs).location.rsplit("/", 1)[1])


def _reply_form(client, thread_id):
    html = client.get(f"/messages/{thread_id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    return {"csrf_token": token, "key": _key(html)}


@pytest.mark.parametrize("body", ["", "   \n\t  ", "\u00a0\u2003"])
@pytest.mark.parametrize("side", ["tom", "worker"])
def test_empty_or_whitespace_reply_is_refused(client, session, world, body, side):  # noqa: F811
    thread_id = _new_thread(client, world)
    client.sign_in_as(world[side])
    data = _reply_form(client, thread_id) | {"body": body}
    response = client.post(f"/messages/{thread_id}/reply", data=data,
                           content_type="multipart/form-data")
    assert response.status_code == 200
    assert check_html(response).error_summary == ["Enter your reply"]
    assert len(_message_ids(session, thread_id)) == 1


def test_whitespace_only_subject_is_refused_and_message_kept(client, session, world):  # noqa: F811
    client.sign_in_as(world["tom"])
    response = send_new(client, subject=" \t ", body="Keep this message.")
    page = check_html(response)
    assert page.error_summary == ["Enter a subject"]
    assert "Keep this message." in response.get_data(as_text=True)
    assert _thread_ids(session) == []


def test_very_long_reply_is_refused_and_text_kept(client, session, world):  # noqa: F811
    thread_id = _new_thread(client, world)
    data = _reply_form(client, thread_id) | {"body": BIG_TEXT}
    response = client.post(f"/messages/{thread_id}/reply", data=data,
                           content_type="multipart/form-data")
    assert response.status_code == 200
    assert check_html(response).error_summary == [
        "Your message must be 10,000 characters or fewer. Shorten it or send it in parts."]
    assert BIG_TEXT.strip() in response.get_data(as_text=True)
    assert len(_message_ids(session, thread_id)) == 1


def test_very_long_arabic_message_is_refused_and_text_kept(client, session, world):  # noqa: F811
    client.sign_in_as(world["tom"])
    body = "ألم " * 25_000  # 100,000 characters, 175,000 bytes of UTF-8
    response = send_new(client, body=body)
    assert response.status_code == 200
    assert check_html(response).error_summary == [
        "Your message must be 10,000 characters or fewer. Shorten it or send it in parts."]
    assert body.strip() in response.get_data(as_text=True)
    assert _thread_ids(session) == []


def test_too_big_reply_upload_gets_413_and_keeps_the_text(client, session, world):  # noqa: F811
    thread_id = _new_thread(client, world)
    body, content_type = _multipart(
        _reply_form(client, thread_id) | {"body": "My scan is attached."},
        "scan.pdf", b"%PDF-1.4\n" + b"0" * (50 * 1024 * 1024))
    response = client.post(f"/messages/{thread_id}/reply", data=body, content_type=content_type)
    assert response.status_code == 413
    page = check_html(response)
    assert page.error_summary == ["The selected file must be smaller than 10 MB"]
    assert "My scan is attached." in page.text
    assert len(_message_ids(session, thread_id)) == 1


@pytest.mark.parametrize("where", ["compose", "reply"])
def test_upload_over_the_whole_request_limit_gets_413_and_keeps_the_text(
        client, session, world, where):  # noqa: F811
    thread_id = _new_thread(client, world)
    if where == "compose":
        html = client.get("/messages/new").get_data(as_text=True)
        fields = {"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', html).group(1),
                  "key": _key(html), "subject": "My big letter", "body": "Letter attached."}
        url = "/messages/new"
    else:
        fields = _reply_form(client, thread_id) | {"body": "Letter attached."}
        url = f"/messages/{thread_id}/reply"
    body, content_type = _multipart(fields, "letter.pdf",
                                    b"%PDF-1.4\n" + b"0" * (70 * 1024 * 1024))
    response = client.post(url, data=body, content_type=content_type)
    assert response.status_code == 413
    page = check_html(response)
    assert page.error_summary == ["The selected files must be smaller than 10 MB each"]
    assert "Letter attached." in page.text
    if where == "compose":
        assert 'value="My big letter"' in response.get_data(as_text=True)
    assert _thread_ids(session) == [thread_id]
    assert len(_message_ids(session, thread_id)) == 1


def test_over_the_limit_without_a_valid_token_shows_the_plain_413_page(
        client, session, world):  # noqa: F811
    client.sign_in_as(world["tom"])
    body, content_type = _multipart({"csrf_token": "forged", "subject": "x", "body": "Echo me."},
                                    "letter.pdf", b"%PDF-1.4\n" + b"0" * (70 * 1024 * 1024))
    response = client.post("/messages/new", data=body, content_type=content_type)
    assert response.status_code == 413
    page = check_html(response)
    assert page.h1 == ["What you sent is too large"]
    assert "Echo me." not in page.text


def _exe() -> tuple[io.BytesIO, str]:
    return io.BytesIO(b"MZ\x90\x00" + b"\x00" * 200), "report.pdf"


def _bomb() -> tuple[io.BytesIO, str]:
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(out, "PNG")
    return io.BytesIO(out.getvalue()), "bomb.png"


def _damaged() -> tuple[io.BytesIO, str]:
    return io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"not really a png" * 20), "photo.png"


@pytest.mark.parametrize(("make", "error"), [
    (_exe, "The selected file must be a PDF, JPEG or PNG"),
    (_bomb, "The selected image is too large to open. Send a smaller photo"),
    (_damaged, "The selected file could not be opened. Check it and try again"),
])
def test_bad_file_in_a_reply_is_refused_and_text_kept(client, session, world, make, error):  # noqa: F811
    thread_id = _new_thread(client, world)
    data = _reply_form(client, thread_id) | {"body": "Here it is.", "attachments": [make()]}
    response = client.post(f"/messages/{thread_id}/reply", data=data,
                           content_type="multipart/form-data")
    assert response.status_code == 200
    page = check_html(response)
    assert page.error_summary == [error]
    assert "Here it is." in page.text
    assert len(_message_ids(session, thread_id)) == 1


def test_someone_elses_thread_is_404_for_every_action(client, session, world):  # noqa: F811
    thread_id = _new_thread(client, world, files=[(io.BytesIO(_png()), "knee.png")])
    from portal.messaging.models import Attachment

    attachment_id = session.scalar(select(Attachment.id))
    stranger = client.application.test_client()
    for who in (make_user(session, name="Sam Stranger"), world["outsider"],
                make_user(session, Role.CARER)):
        stranger.sign_in_as(who)
        token = stranger.csrf_token("/messages")
        assert stranger.get(f"/messages/{thread_id}").status_code == 404
        assert stranger.get(f"/messages/{thread_id}/attachments/{attachment_id}"
                            ).status_code == 404
        reply = stranger.post(f"/messages/{thread_id}/reply",
                              data={"csrf_token": token, "key": "a" * 32, "body": "hi"},
                              content_type="multipart/form-data")
        assert reply.status_code == 404, who.display_name
    stranger.sign_in_as(world["outsider"])  # a care worker of another team
    token = stranger.csrf_token("/inbox")
    for action in ("assign", "notes", "close", "reopen"):
        assert stranger.post(f"/messages/{thread_id}/{action}",
                             data={"csrf_token": token, "me": "1", "note": "x"}
                             ).status_code == 404, action
    assert stranger.get("/messages/999999").status_code == 404
    assert len(_message_ids(session, thread_id)) == 1


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(out, "PNG")
    return out.getvalue()


def test_new_message_after_scope_revoked_is_refused_and_text_shown_back(
        client, session, world):  # noqa: F811
    from portal.clock import utcnow

    client.sign_in_as(world["jane"])
    url = f"/messages/new?for={world['tom'].id}"
    html = client.get(url).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    grant = session.scalars(select(CarerGrant).where(CarerGrant.carer_id == world["jane"].id)
                            ).one()
    grant.revoked_at, grant.revoked_by_id = utcnow(), world["tom"].id
    session.flush()
    response = client.post(url, data={"csrf_token": token, "key": _key(html),
                                      "subject": "Dad", "body": "He fell again."},
                           content_type="multipart/form-data")
    page = check_html(response)
    assert response.status_code == 403
    assert page.h1 == ["Your message was not sent"]
    assert "He fell again." in page.text
    assert _thread_ids(session) == []
