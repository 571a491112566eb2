"""The security probe's passing results kept as tests (issue 8, "Keep"), all through HTTP.

Already covered elsewhere and not repeated here: a cookie copied from a session that signed out
(tests/security/test_sessions.py), 20 failed sign-ins a minute per address and 100 per account
(tests/security/test_throttling.py) and the CPU time of known and unknown emails (same file).
"""

from __future__ import annotations

import re

import pytest

from portal.accounts import passwords
from tests.helpers.factories import PASSWORD, make_user
from tests.helpers.pages import check_page

SIGN_IN = "/account/sign-in"
CSRF_REFUSED = "Your page had expired"


def _cookie(client) -> str:  # type: ignore[no-untyped-def]
    return client.get_cookie("portal_session").value


def _sign_in(client, email: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return client.submit(SIGN_IN, {"email": email, "password": password})


def _copy(app, client):  # type: ignore[no-untyped-def]
    """A second browser holding a copy of ``client``'s session cookie."""
    thief = app.test_client()
    thief.set_cookie("portal_session", _cookie(client))
    return thief


def test_copied_cookie_works_until_sign_out_everywhere_then_is_refused(app, client, session):
    make_user(session, email="sam@example.test")
    assert _sign_in(client, "sam@example.test").status_code == 302
    thief = _copy(app, client)
    assert thief.get("/account/").status_code == 200  # the copy is a real session…
    client.submit("/account/sign-out-everywhere", {}, form_url="/account/")
    response = thief.get("/account/")
    assert response.status_code == 302 and response.location.startswith("/account/sign-in")
    assert client.get("/account/").status_code == 302


def test_copied_cookie_is_refused_after_sign_out_even_with_a_fresh_csrf_token(app, client,
                                                                              session):
    make_user(session, email="sam@example.test")
    _sign_in(client, "sam@example.test")
    thief = _copy(app, client)
    client.submit("/account/sign-out", {}, form_url="/account/")
    assert thief.get("/account/").status_code == 302
    # Nor can the copy act: a POST with a token from its own (now anonymous) session.
    token = thief.csrf_token()
    response = thief.post("/account/sign-out-everywhere", data={"csrf_token": token})
    assert response.status_code == 302 and response.location.startswith("/account/sign-in")


def test_sign_in_gives_a_new_session_and_the_cookie_from_before_stays_anonymous(app, client,
                                                                               session):
    make_user(session, email="sam@example.test")
    client.get(SIGN_IN)
    before = _cookie(client)
    assert _sign_in(client, "sam@example.test").status_code == 302
    after = _cookie(client)
    assert after != before
    planted = app.test_client()  # someone who planted the pre-sign-in cookie (fixation)
    planted.set_cookie("portal_session", before)
    assert planted.get("/account/").status_code == 302
    with client.session_transaction() as flask_session:
        first_sid = flask_session["sid"]
    client.submit("/account/sign-out", {}, form_url="/account/")
    _sign_in(client, "sam@example.test")
    with client.session_transaction() as flask_session:
        assert flask_session["sid"] != first_sid


def test_a_csrf_token_from_another_session_is_refused(app, client, another_client, session):
    user = make_user(session, email="sam@example.test")
    client.sign_in_as(user)
    another_client.sign_in_as(make_user(session))
    theirs = another_client.csrf_token("/account/")
    response = client.post("/account/sign-out-everywhere", data={"csrf_token": theirs})
    assert response.status_code == 400
    assert CSRF_REFUSED in check_page(response).text
    assert client.get("/account/").status_code == 200  # nothing happened: still signed in
    assert another_client.get("/account/").status_code == 200
    # A token taken from another visitor's page does not sign anyone in either.
    token = app.test_client().csrf_token()
    fresh = app.test_client()
    response = fresh.post(SIGN_IN, data={"csrf_token": token, "email": "sam@example.test",
                                         "password": PASSWORD})
    assert response.status_code == 400
    assert CSRF_REFUSED in check_page(response).text
    assert fresh.get("/account/").status_code == 302


def test_after_rapid_failures_even_the_right_password_gets_429(client, session):
    make_user(session, email="sam@example.test")
    for n in range(20):
        assert _sign_in(client, f"guess{n}@example.test", "wrong password").status_code == 200
    response = _sign_in(client, "sam@example.test")
    assert response.status_code == 429
    page = check_page(response)
    assert page.h1 == ["Too many attempts"]
    assert client.get("/account/").status_code == 302


class _CountingHasher:
    """Wraps the real argon2 hasher and counts the verifications it does."""

    def __init__(self, real: object) -> None:
        self.real = real
        self.verified: list[str] = []  # the parameters of each hash checked

    def verify(self, password_hash: str, password: str) -> bool:
        self.verified.append(password_hash.rsplit("$", 2)[0])
        return self.real.verify(password_hash, password)  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> object:
        return getattr(self.real, name)


def _normalised(response, email: str) -> str:  # type: ignore[no-untyped-def]
    html = response.get_data(as_text=True).replace(email, "EMAIL")
    html = re.sub(r'name="csrf_token" value="[^"]+"', 'name="csrf_token" value=""', html)
    return re.sub(r'nonce="[^"]+"', 'nonce=""', html)


@pytest.mark.parametrize("password", ["wrong password", PASSWORD + "x"])
def test_known_and_unknown_emails_take_the_same_sign_in_path(app, session, monkeypatch,
                                                             password):
    make_user(session, email="known@example.test")
    spy = _CountingHasher(passwords._hasher)
    monkeypatch.setattr(passwords, "_hasher", spy)
    answers = {}
    for email in ("known@example.test", "unknown@example.test"):
        client = app.test_client()
        spy.verified.clear()
        response = _sign_in(client, email, password)
        answers[email] = (response.status_code, _normalised(response, email),
                          list(spy.verified), response.headers.get("Set-Cookie") is None)
    known, unknown = answers["known@example.test"], answers["unknown@example.test"]
    assert known[0] == unknown[0] == 200
    assert known[1] == unknown[1]
    assert "Enter a correct email address and password" in known[1]
    assert len(known[2]) == len(unknown[2]) == 1
    assert known[2] == unknown[2]  # the same argon2 parameters, so the same cost
