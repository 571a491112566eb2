"""The steps of signing in: password, then (for staff, or anyone who turned it on) the
second factor, then a fresh server-side session. Nobody is signed in, and no page that needs
a signed-in person is reachable, until every step is done."""

from __future__ import annotations

import time

from flask import session, url_for
from flask_login import login_user, logout_user

from portal.accounts.models import User
from portal.authz import Role
from portal.extensions import db

PENDING_KEY = "pending_sign_in"
SESSION_TOKEN_KEY = "sid"  # noqa: S105  # nosec B105 - a session key name, not a secret
PENDING_SECONDS = 10 * 60


# Where someone lands after signing in when no ``next`` page was asked for: staff go to their
# own queue, chosen by the first of their roles in this fixed order (work that someone outside
# is waiting on comes first: a resident's message, an editor's change, an author's draft; then
# the person's own pages). Residents, carers and administrators go to the home page.
LANDING_PAGES: tuple[tuple[Role, str], ...] = (
    (Role.CARE_WORKER, "messaging.inbox"),
    (Role.MODERATOR, "moderation.queue"),
    (Role.APPROVER, "content.approvals"),
    (Role.EDITOR, "moderation.editor_home"),
    (Role.AUTHOR, "content.staff_home"),
)


def landing_url(user: User) -> str:
    """The page ``user`` starts on after signing in (see ``LANDING_PAGES``)."""
    for role, endpoint in LANDING_PAGES:
        if role in user.roles:
            return url_for(endpoint)
    return url_for("main.home")


def begin(user: User, next_url: str | None) -> None:
    """Password accepted; the second factor is still to come."""
    session.clear()
    session[PENDING_KEY] = {"user_id": user.id, "next": next_url, "at": int(time.time())}


def pending_user() -> User | None:
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = db.session.get(User, pending.get("user_id"))
    return user if user is not None and user.is_active else None


def pending_next() -> str | None:
    pending = session.get(PENDING_KEY)
    return pending.get("next") if isinstance(pending, dict) else None


def establish(user: User, token: str) -> None:
    """Every step done and the server-side session opened (``services.open_session``): a new
    cookie session (nothing from before survives) that carries its token."""
    session.clear()
    session[SESSION_TOKEN_KEY] = token
    session.permanent = True
    login_user(user)


def current_token() -> str | None:
    token = session.get(SESSION_TOKEN_KEY)
    return token if isinstance(token, str) else None


def forget() -> None:
    """Clear the cookie session (the server-side one is closed by ``services.close_session``)."""
    logout_user()
    session.clear()
