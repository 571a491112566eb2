import re

from sqlalchemy import select

from portal.accounts.models import User
from portal.authz import Role
from tests.helpers.factories import PASSWORD, make_user

REGISTRATION = {
    "display_name": "Joan Example",
    "email": "Joan@Example.com ",
    "password": "a calm seaside morning",
    "confirm_password": "a calm seaside morning",
}


def test_register_creates_a_resident_who_confirms_the_address_then_signs_in(
        client, session, smtp_sink):
    response = client.submit("/account/register", REGISTRATION)

    assert response.status_code == 302
    assert response.location == "/account/register/check-your-email"
    user = session.scalar(select(User).where(User.email == "joan@example.com"))
    assert user is not None and user.roles == {Role.RESIDENT}
    assert user.password_hash.startswith("$argon2id$")
    page = client.page(response.location)
    assert page.h1 == ["Check your email"] and "We have sent an email to joan@example.com." in page.text
    assert client.get("/account/").status_code == 302  # not signed in until they sign in
    [mail] = smtp_sink.messages
    assert mail["To"] == "joan@example.com"
    link = re.search(r"http://127.0.0.1:5000(/account/verify/\S+)", mail.get_content()).group(1)
    confirmed = client.get(link)
    assert confirmed.status_code == 302 and confirmed.location == "/account/sign-in"
    session.refresh(user)
    assert user.email_verified_at is not None
    client.submit("/account/sign-in", {"email": "joan@example.com",
                                       "password": REGISTRATION["password"]})
    assert "Confirmed" in client.page("/account/").text


def test_register_with_every_field_empty_shows_each_error_and_keeps_nothing(client, session):
    response = client.submit("/account/register", {k: "" for k in REGISTRATION})

    page = _page(response)
    assert page.error_summary == ["Enter your name", "Enter your email address",
                                  "Create a password", "Confirm your password"]
    assert page.title.startswith("Error:")
    assert session.scalar(select(User)) is None


def test_register_errors_keep_what_was_typed_except_passwords(client):
    data = {**REGISTRATION, "email": "not-an-email", "display_name": "Zoë <script>alert(1)</script>"}
    response = client.submit("/account/register", data)

    page = _page(response)
    assert page.error_summary == [
        "Enter an email address in the correct format, like name@example.com"]
    form = page.form_with("email")
    assert form.fields["email"] == "not-an-email"
    assert form.fields["display_name"] == "Zoë <script>alert(1)</script>"
    assert form.fields["password"] == ""
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)


def test_register_refuses_short_and_mismatched_passwords(client):
    page = _page(client.submit("/account/register", {**REGISTRATION, "password": "short",
                                                     "confirm_password": "other"}))
    assert page.error_summary == ["Password must be between 10 and 1,024 characters",
                                  "Passwords must match"]


def _without_tokens(response):
    return re.sub(r'(name="csrf-token" content="|name="csrf_token" value=")[^"]+', r"\1",
                  response.get_data(as_text=True))


def test_registering_a_known_address_looks_the_same_and_emails_the_holder(client, app, session,
                                                                          smtp_sink):
    """No enumeration: the same redirect and page for a known and a new address; the known
    address's holder is told, and nothing is created or changed."""
    holder = make_user(session, email="joan@example.com", name="Joan Holder")
    known = client.submit("/account/register", REGISTRATION)
    known_page = client.get(known.location)
    other = app.test_client()
    new = other.submit("/account/register", {**REGISTRATION, "email": "fresh@example.com"})
    new_page = other.get(new.location)
    assert known.status_code == new.status_code == 302 and known.location == new.location
    assert (_without_tokens(known_page).replace("joan@example.com", "X")
            == _without_tokens(new_page).replace("fresh@example.com", "X"))
    assert len(session.scalars(select(User).where(User.email == "joan@example.com")).all()) == 1
    session.refresh(holder)
    assert holder.display_name == "Joan Holder"
    to_holder = [m for m in smtp_sink.messages if m["To"] == "joan@example.com"]
    assert len(to_holder) == 1
    text = to_holder[0].get_content()
    assert "This address already has an account, so nothing has changed." in text
    assert "http://127.0.0.1:5000/account/password-reset" in text and "/account/verify/" not in text


def test_register_with_huge_values_gets_messages_not_errors(client):
    huge = "x" * 100_000
    response = client.submit("/account/register", {**REGISTRATION, "display_name": huge,
                                                   "email": huge + "@example.test"})
    page = _page(response)
    assert "Name must be 200 characters or fewer" in page.error_summary
    assert "Email address must be 320 characters or fewer" in page.error_summary


def test_register_without_csrf_token_is_refused(client, session):
    response = client.post("/account/register", data=REGISTRATION)
    assert response.status_code == 400
    assert "Your page had expired" in response.get_data(as_text=True)
    assert session.scalar(select(User)) is None


def test_sign_in_with_right_password_goes_to_next_page(client, session):
    make_user(session, email="sam@example.test")
    response = client.submit("/account/sign-in?next=/account/",
                             {"email": " SAM@example.test", "password": PASSWORD})
    assert response.status_code == 302 and response.location == "/account/"
    assert "You are signed in." in client.page("/account/").text


def test_sign_in_ignores_a_next_that_leaves_the_site(client, session):
    make_user(session, email="sam@example.test")
    response = client.submit("/account/sign-in?next=//evil.example/",
                             {"email": "sam@example.test", "password": PASSWORD})
    assert response.location == "/"


def test_sign_in_failure_message_is_the_same_for_unknown_and_wrong(client, session):
    make_user(session, email="sam@example.test")
    wrong = _page(client.submit("/account/sign-in", {"email": "sam@example.test",
                                                     "password": "wrong password!"}))
    unknown = _page(client.submit("/account/sign-in", {"email": "nobody@example.test",
                                                       "password": "wrong password!"}))
    assert wrong.error_summary == unknown.error_summary == [
        "Enter a correct email address and password"]
    assert wrong.form_with("email").fields["email"] == "sam@example.test"


def test_disabled_account_cannot_sign_in(client, session):
    user = make_user(session, email="sam@example.test")
    user.is_active = False
    session.flush()
    page = _page(client.submit("/account/sign-in", {"email": "sam@example.test",
                                                    "password": PASSWORD}))
    assert page.error_summary == ["Enter a correct email address and password"]


def test_sign_in_rotates_the_session(client, session):
    make_user(session, email="sam@example.test")
    client.get("/account/sign-in")
    with client.session_transaction() as before:
        before["planted"] = "by an attacker"
    client.submit("/account/sign-in", {"email": "sam@example.test", "password": PASSWORD})
    with client.session_transaction() as after:
        assert "planted" not in after
        assert "_user_id" in after


def test_sign_out_ends_the_session(client, session):
    user = make_user(session)
    client.sign_in_as(user)
    assert client.get("/account/").status_code == 200
    response = client.submit("/account/sign-out", {}, form_url="/account/")
    assert response.status_code == 302
    assert client.get("/account/").status_code == 302


def test_revoking_all_sessions_signs_out_everywhere(client, session):
    from portal.accounts.sessions import revoke_all

    user = make_user(session)
    client.sign_in_as(user)
    revoke_all(session, user=user)
    session.flush()
    response = client.get("/account/")
    assert response.status_code == 302
    assert response.location.startswith("/account/sign-in")


def _page(response):
    from tests.helpers.pages import check_page

    assert response.status_code == 200, response.status_code
    return check_page(response)


def test_registering_a_known_address_again_and_again_emails_its_holder_once_a_day(
        client, app, session, smtp_sink):
    """Nobody can fill a stranger's inbox by registering their address over and over: every
    attempt is audited, the holder is emailed at most once in 24 hours."""
    from datetime import timedelta

    import time_machine

    from portal.audit.models import AuditEvent
    from portal.clock import utcnow

    holder = make_user(session, email="joan@example.com", name="Joan Holder")
    start = utcnow()
    with time_machine.travel(start, tick=False):
        for _ in range(3):
            assert app.test_client().submit("/account/register",
                                            REGISTRATION).status_code == 302
    with time_machine.travel(start + timedelta(hours=23), tick=False):
        assert app.test_client().submit("/account/register", REGISTRATION).status_code == 302
    to_holder = [m for m in smtp_sink.messages if m["To"] == "joan@example.com"]
    assert len(to_holder) == 1
    with time_machine.travel(start + timedelta(hours=24, minutes=1), tick=False):
        assert app.test_client().submit("/account/register", REGISTRATION).status_code == 302
    to_holder = [m for m in smtp_sink.messages if m["To"] == "joan@example.com"]
    assert len(to_holder) == 2
    claims = session.scalars(select(AuditEvent).where(
        AuditEvent.event_type == "address_claimed", AuditEvent.subject_id == holder.id)).all()
    assert len(claims) == 5
