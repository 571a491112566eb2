"""Sessions end on the server: a copied cookie replayed after sign-out is refused."""

from datetime import timedelta

import time_machine

from portal.authz import Role
from portal.db import utcnow
from tests.helpers.factories import PASSWORD, make_user


def _cookie(client):
    return client.get_cookie("portal_session").value


def test_session_cookie_is_httponly_and_samesite_lax(client, session):
    make_user(session, email="sam@example.test")
    response = client.submit("/account/sign-in", {"email": "sam@example.test", "password": PASSWORD})
    cookie = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("portal_session=")][-1]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_copied_cookie_is_refused_after_sign_out(app, client, session):
    make_user(session, email="sam@example.test")
    client.submit("/account/sign-in", {"email": "sam@example.test", "password": PASSWORD})
    stolen = _cookie(client)
    client.submit("/account/sign-out", {}, form_url="/account/")

    thief = app.test_client()
    thief.set_cookie("portal_session", stolen)
    assert thief.get("/account/").status_code == 302


def test_sign_out_everywhere_ends_other_sessions(app, client, another_client, session):
    user = make_user(session)
    client.sign_in_as(user)
    copied = app.test_client()
    copied.set_cookie("portal_session", _cookie(client))
    second = another_client
    second.sign_in_as(user)
    client.submit("/account/sign-out-everywhere", {}, form_url="/account/")
    assert second.get("/account/").status_code == 302
    assert copied.get("/account/").status_code == 302


def test_staff_idle_for_16_minutes_are_signed_out_with_an_explanation(client, session):
    user = make_user(session, Role.ADMIN)
    with time_machine.travel(utcnow(), tick=True) as traveller:
        client.sign_in_as(user)
        assert client.get("/account/").status_code == 200
        traveller.shift(timedelta(minutes=16))
        response = client.get("/account/")
        assert response.status_code == 302
        page = client.page(response.location)
    assert "You were signed out because you had not done anything for a while" in page.text


def test_residents_have_30_minutes(client, session):
    user = make_user(session, Role.RESIDENT)
    with time_machine.travel(utcnow(), tick=True) as traveller:
        client.sign_in_as(user)
        traveller.shift(timedelta(minutes=20))
        assert client.get("/account/").status_code == 200
        traveller.shift(timedelta(minutes=31))
        assert client.get("/account/").status_code == 302


def test_activity_keeps_a_session_alive_but_never_past_12_hours(client, session):
    user = make_user(session, Role.RESIDENT)
    with time_machine.travel(utcnow(), tick=True) as traveller:
        client.sign_in_as(user)
        for _ in range(11):
            traveller.shift(timedelta(minutes=25) * 2.6)  # ~65 minutes would be idle…
            traveller.shift(-timedelta(minutes=40))       # …so stay within 25 minutes of activity
            assert client.get("/account/").status_code == 200
        traveller.shift(timedelta(hours=1, minutes=10))
        assert client.get("/account/").status_code == 302


def test_extend_keeps_the_session_alive(client, session):
    user = make_user(session, Role.ADMIN)
    with time_machine.travel(utcnow(), tick=True) as traveller:
        client.sign_in_as(user)
        traveller.shift(timedelta(minutes=14))
        token = client.csrf_token("/account/")
        response = client.post("/account/session/extend", headers={"X-CSRFToken": token})
        assert response.status_code == 200 and response.json == {"status": "extended"}
        traveller.shift(timedelta(minutes=14))
        assert client.get("/account/").status_code == 200


def test_extend_without_csrf_header_is_refused(client, session):
    client.sign_in_as(make_user(session))
    assert client.post("/account/session/extend").status_code == 400


def test_signed_in_pages_carry_the_timeout_for_the_warning(client, session):
    client.sign_in_as(make_user(session, Role.ADMIN))
    html = client.get("/account/").get_data(as_text=True)
    assert '<meta name="portal-session-timeout" content="900">' in html
    assert 'id="session-timeout"' in html
