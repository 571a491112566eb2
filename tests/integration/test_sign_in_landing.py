"""Where people land after signing in when no ``next`` page was asked for."""

from __future__ import annotations

import re

import pyotp
import pytest

from portal.accounts import mfa
from portal.authz import Role
from tests.helpers.factories import PASSWORD, make_user


def _enrolled(app, session, *roles):
    with app.app_context():
        user = make_user(session, *roles)
        secret = mfa.new_secret()
        assert mfa.enable(session, user=user, secret=secret, code=pyotp.TOTP(secret).now())
        user.mfa_last_timestep = 0  # as if the enrolment code was long ago
        session.flush()
    return user, secret


def _sign_in(client, user, secret, next_url=""):
    response = client.submit(f"/account/sign-in{next_url}",
                             {"email": user.email, "password": PASSWORD})
    assert response.location == "/account/two-factor"
    return client.submit("/account/two-factor", {"code": pyotp.TOTP(secret).now()})


@pytest.mark.parametrize(("roles", "landing"), [
    ((Role.MODERATOR,), "/moderation/"),
    ((Role.EDITOR,), "/editor/"),
    ((Role.CARE_WORKER,), "/inbox"),
    ((Role.APPROVER,), "/guidance/approvals/"),
    ((Role.AUTHOR,), "/guidance/manage/"),
    ((Role.ADMIN,), "/"),
    # Several roles: the first in the fixed order (care worker, moderator, approver, editor,
    # author) wins, whatever order the roles were given in.
    ((Role.EDITOR, Role.MODERATOR), "/moderation/"),
    ((Role.AUTHOR, Role.APPROVER), "/guidance/approvals/"),
    ((Role.AUTHOR, Role.EDITOR), "/editor/"),
    ((Role.MODERATOR, Role.CARE_WORKER, Role.ADMIN), "/inbox"),
], ids=lambda value: "+".join(r.value for r in value) if isinstance(value, tuple) else None)
def test_staff_land_on_their_own_queue_after_signing_in(app, client, session, roles, landing):
    user, secret = _enrolled(app, session, *roles)
    response = _sign_in(client, user, secret)
    assert response.status_code == 302 and response.location == landing
    page = client.page(landing)
    assert "You are signed in." in page.text


def test_a_next_page_still_wins_over_the_staff_queue(app, client, session):
    user, secret = _enrolled(app, session, Role.MODERATOR)
    response = _sign_in(client, user, secret, "?next=/account/")
    assert response.location == "/account/"


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.CARER])
def test_residents_and_carers_land_on_the_home_page(client, session, role):
    user = make_user(session, role)
    response = client.submit("/account/sign-in", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 302 and response.location == "/"


def test_staff_setting_up_their_second_factor_carry_on_to_their_queue(client, session):
    user = make_user(session, Role.CARE_WORKER)
    client.submit("/account/sign-in", {"email": user.email, "password": PASSWORD})
    html = client.get("/account/two-factor/setup").get_data(as_text=True)
    secret = re.search(r'<code class="portal-secret">([A-Z2-7]+)</code>', html).group(1)
    response = client.submit("/account/two-factor/setup", {"code": pyotp.TOTP(secret).now()})
    assert 'href="/inbox">I have saved my codes' in response.get_data(as_text=True)
