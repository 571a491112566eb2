"""Second factor: required for every staff role, offered to residents, single-use codes."""

import re

import pyotp
import pytest

from portal.accounts import mfa
from portal.authz import Role
from tests.helpers.factories import PASSWORD, make_user

STAFF = [role for role in Role if role.is_staff]


def _password_step(client, user, next_url=""):
    return client.submit(f"/account/sign-in{next_url}", {"email": user.email, "password": PASSWORD})


def _enrol(client):
    page = client.page("/account/two-factor/setup")
    secret = re.search(r'<code class="portal-secret">([A-Z2-7]+)</code>',
                       client.get("/account/two-factor/setup").get_data(as_text=True)).group(1)
    assert page.h1 == ["Set up your authenticator app"]
    return secret


@pytest.mark.parametrize("role", STAFF, ids=lambda r: r.value)
def test_staff_cannot_reach_any_page_before_enrolling_a_second_factor(client, session, role):
    user = make_user(session, role)
    response = _password_step(client, user)
    assert response.location == "/account/two-factor/setup"
    assert client.get("/account/").status_code == 302
    assert client.get("/admin/users").status_code == 302


def test_staff_enrol_with_a_qr_code_and_get_recovery_codes(app, client, session):
    user = make_user(session, Role.CARE_WORKER)
    _password_step(client, user, "?next=/account/")
    secret = _enrol(client)
    assert "data:image/svg+xml" in client.get("/account/two-factor/setup").get_data(as_text=True)
    response = client.submit("/account/two-factor/setup", {"code": pyotp.TOTP(secret).now()})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Save your recovery codes" in html
    assert len(re.findall(r"<li><code>[0-9a-f]{6}-[0-9a-f]{6}</code></li>", html)) == 10
    assert response.headers["Cache-Control"] == "no-store"
    assert client.get("/account/").status_code == 200
    with app.app_context():
        session.refresh(user)
        assert user.mfa_enabled and user.mfa_secret == secret


def test_wrong_setup_code_keeps_the_same_secret_and_says_so(client, session):
    user = make_user(session, Role.EDITOR)
    _password_step(client, user)
    secret = _enrol(client)
    response = client.submit("/account/two-factor/setup", {"code": "000000"})
    assert "The security code is not right. Check your app and try again" in response.get_data(as_text=True)
    assert f'<code class="portal-secret">{secret}</code>' in response.get_data(as_text=True)


def _enrolled(app, session, role=Role.MODERATOR):
    """Encrypted columns are written inside an app context (the keys belong to the app)."""
    with app.app_context():
        user = make_user(session, role)
        secret = mfa.new_secret()
        assert mfa.enable(session, user=user, secret=secret, code=pyotp.TOTP(secret).now())
        user.mfa_last_timestep = 0  # as if the enrolment code was long ago
        session.flush()
    return user, secret


def test_enrolled_staff_sign_in_with_a_code(app, client, session):
    user, secret = _enrolled(app, session)
    assert _password_step(client, user, "?next=/account/").location == "/account/two-factor"
    assert client.get("/account/").status_code == 302
    response = client.submit("/account/two-factor", {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302 and response.location == "/account/"
    assert client.get("/account/").status_code == 200


def test_a_code_cannot_be_used_twice(app, client, session):
    user, secret = _enrolled(app, session)
    code = pyotp.TOTP(secret).now()
    _password_step(client, user)
    assert client.submit("/account/two-factor", {"code": code}).status_code == 302
    client.submit("/account/sign-out", {}, form_url="/account/")
    _password_step(client, user)
    response = client.submit("/account/two-factor", {"code": code})
    assert response.status_code == 200
    assert "The security code is not right" in response.get_data(as_text=True)


def test_recovery_code_works_once(app, client, session):
    user, _secret = _enrolled(app, session)
    with app.app_context():
        codes = mfa.new_recovery_codes(session, user=user)
        session.flush()
    _password_step(client, user)
    assert client.submit("/account/two-factor/recovery", {"recovery_code": codes[0].upper()}
                         ).status_code == 302
    client.submit("/account/sign-out", {}, form_url="/account/")
    _password_step(client, user)
    response = client.submit("/account/two-factor/recovery", {"recovery_code": codes[0]})
    assert "That recovery code is not right or has been used" in response.get_data(as_text=True)


def test_second_factor_page_without_a_password_step_goes_to_sign_in(client):
    assert client.get("/account/two-factor").location == "/account/sign-in"
    assert client.get("/account/two-factor/setup").location == "/account/sign-in"


def test_residents_sign_in_without_a_second_factor_but_may_turn_it_on(app, client, session):
    user = make_user(session, Role.RESIDENT)
    assert _password_step(client, user).location == "/"
    page = client.page("/account/")
    assert "Authenticator app" in page.text and "Off" in page.text
    secret = _enrol(client)
    client.submit("/account/two-factor/setup", {"code": pyotp.TOTP(secret).now()})
    with app.app_context():
        session.refresh(user)
        assert user.mfa_enabled


def test_guessing_codes_is_throttled(app, client, session):
    user, _secret = _enrolled(app, session)
    _password_step(client, user)
    statuses = [client.submit("/account/two-factor", {"code": "123456"}).status_code
                for _ in range(11)]
    assert statuses[:10] == [200] * 10 and statuses[10] == 429
