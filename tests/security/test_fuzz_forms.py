"""Fuzz the account forms: whatever arrives, the answer is a page, never a 500 or a traceback."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.authz import Role
from tests.helpers.factories import make_user

TEXT = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["", " ", "<script>alert(1)</script>", "' OR 1=1 --", "%(name)s", "{{ 7*7 }}",
                     "\x00", "😀" * 50, "a" * 5000, "../../etc/passwd", "javascript:alert(1)"]),
)
FUZZ = settings(max_examples=25, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])

PUBLIC_FORMS = {
    "/account/sign-in": ["email", "password"],
    "/account/register": ["display_name", "email", "password", "confirm_password"],
    "/account/password-reset": ["email"],
}
SIGNED_IN_FORMS = {
    "/account/password": ["current_password", "password", "confirm_password"],
    "/account/email": ["email", "current_password"],
}


def _assert_handled(response):
    assert response.status_code < 500, response.status_code
    assert "Traceback" not in response.get_data(as_text=True)


@pytest.mark.parametrize("url", PUBLIC_FORMS)
def test_public_account_forms_never_fail(app, client, url):
    fields = PUBLIC_FORMS[url]
    token = client.csrf_token(url)

    @FUZZ
    @given(st.fixed_dictionaries({name: TEXT for name in fields}))
    def run(data):
        from portal.extensions import limiter

        limiter.reset()
        _assert_handled(client.post(url, data={"csrf_token": token, **data}))

    run()


@pytest.mark.parametrize("url", SIGNED_IN_FORMS)
def test_signed_in_account_forms_never_fail(app, client, session, url):
    client.sign_in_as(make_user(session, Role.RESIDENT))
    fields = SIGNED_IN_FORMS[url]
    token = client.csrf_token(url)

    @FUZZ
    @given(st.fixed_dictionaries({name: TEXT for name in fields}))
    def run(data):
        from portal.extensions import limiter

        limiter.reset()
        _assert_handled(client.post(url, data={"csrf_token": token, **data}))

    run()


@FUZZ
@given(path=st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), max_size=200))
def test_any_path_is_handled(app, client, path):
    from urllib.parse import quote

    _assert_handled(client.get("/fuzz/" + quote(path)))
    _assert_handled(client.get("/services/" + quote(path)))
    _assert_handled(client.get("/account/sign-in?next=" + quote(path)))
