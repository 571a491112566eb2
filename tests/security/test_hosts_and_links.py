"""Links and redirects the client cannot steer (issue 8, parts B, D and H).

- B: a ``next=`` with control characters (a CR/LF would split the Location header) falls
  back to the home page instead of a 500.
- D: requests for a host the portal does not serve are refused, and every link in an email is
  built from ``PORTAL_BASE_URL``, never from the request's Host header.
- H: a protocol-relative Markdown link does not survive; the demo's reserved ``.test``
  addresses may use the password reset outside production.
"""

from __future__ import annotations

import re

import pytest

from portal.config import ConfigError, read_settings, trusted_hosts
from portal.content.markdown import render
from tests.helpers.factories import PASSWORD, make_user

RESET_LINK = re.compile(r"(\S+/account/password-reset/\S+)")


@pytest.mark.parametrize("target", ["/%0d%0aX", "/%0aSet-Cookie:%20x=1", "/a%09b", "/%00"])
def test_a_next_with_control_characters_goes_home_not_to_an_error(client, session, target):
    response = client.get(f"/language/pl?next={target}")
    assert response.status_code == 302
    assert response.location == "/"
    # Signing in with such a next, already signed in or not, lands on the home page too.
    make_user(session, email="nina@example.test")
    signed_in = client.submit(f"/account/sign-in?next={target}",
                              {"email": "nina@example.test", "password": PASSWORD},
                              form_url="/account/sign-in")
    assert signed_in.status_code == 302, signed_in.status_code
    again = client.post(f"/account/sign-in?next={target}", data={})
    assert again.status_code < 500


def test_a_request_for_a_host_the_portal_does_not_serve_is_refused(client):
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400
    assert client.post("/account/password-reset", data={"email": "x@example.com"},
                       headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/", headers={"Host": "127.0.0.1:5000"}).status_code == 200


def test_reset_links_come_from_the_configured_address_not_the_host_header(
        app, client, session, smtp_sink):
    # The test client asks for "localhost", a trusted name; the public address is another.
    assert app.config["PORTAL_BASE_URL"] == "http://127.0.0.1:5000"
    make_user(session, email="rose@example.com")
    response = client.submit("/account/password-reset", {"email": "rose@example.com"},
                             headers={"Host": "localhost"})
    assert response.status_code == 200
    [mail] = smtp_sink.messages
    [link] = RESET_LINK.findall(mail.get_content())
    assert link.startswith("http://127.0.0.1:5000/account/password-reset/"), link


def test_production_needs_its_public_address_and_trusts_only_its_host():
    production = {"PORTAL_ENV": "production", "SECRET_KEY": "s" * 40,
                  "ENCRYPTION_KEYS": "iJ7ZbQq0mOQ7gXK3n1zF3Yd2oQ9oVx0m6xJ1n0wYk8Q="}
    with pytest.raises(ConfigError, match="PORTAL_BASE_URL"):
        read_settings(production)
    with pytest.raises(ConfigError, match="PORTAL_BASE_URL"):
        read_settings({**production, "PORTAL_BASE_URL": "portal.example.nhs.uk"})
    settings = read_settings({**production, "PORTAL_BASE_URL": "https://care.example.nhs.uk/"})
    assert settings.base_url == "https://care.example.nhs.uk"
    assert settings.trusted_hosts == ("care.example.nhs.uk",)
    assert trusted_hosts("a.example, B.example", "https://care.example.nhs.uk", "production") \
        == ("a.example", "b.example")
    assert "localhost" in trusted_hosts("", "http://127.0.0.1:5000", "development")


@pytest.mark.parametrize("source", ["[x](//evil.example/phish)", "[x]( //evil.example)",
                                    "[x](/\\\\evil.example)"])
def test_protocol_relative_links_do_not_survive_sanitising(source):
    html = str(render(source))
    assert "evil.example" not in html.replace("%5C", "") or 'href="/%5C' in html
    assert 'href="//' not in html


def test_local_and_web_links_still_work():
    assert 'href="/guidance/copd"' in str(render("[COPD](/guidance/copd)"))
    assert 'href="https://www.nhs.uk/"' in str(render("[NHS](https://www.nhs.uk/)"))


def test_demo_addresses_can_reset_their_password_outside_production(client, session, smtp_sink):
    make_user(session, email="resident@demo.portal.test")
    page = client.submit("/account/password-reset", {"email": "resident@demo.portal.test"})
    assert page.status_code == 200
    assert "Enter an email address in the correct format" not in page.get_data(as_text=True)
    assert [m["To"] for m in smtp_sink.messages] == ["resident@demo.portal.test"]
