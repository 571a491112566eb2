"""Changes to accounts. Each service is one transaction with its audit event
(``portal.unit_of_work``); emails go through the outbox in the same transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.accounts.models import CareTeam, User, UserRole
from portal.accounts.passwords import hash_password, needs_rehash, verify_password
from portal.audit.events import EventType
from portal.audit.services import record
from portal.authz.permissions import Role
from portal.clock import as_utc
from portal.db import utcnow
from portal.directory.models import Organisation
from portal.mail import public_url, queue_email
from portal.unit_of_work import service


class AccountError(ValueError):
    """A change to an account that cannot be made, with a reason a person can read."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


@service
def create_user(
    session: Session,
    /,
    *,
    email: str,
    password: str,
    display_name: str,
    roles: Iterable[Role] = (Role.RESIDENT,),
    organisations: Iterable[Organisation] = (),
    teams: Iterable[CareTeam] = (),
    by: User | None = None,
) -> User:
    email = normalise_email(email)
    if find_by_email(session, email) is not None:
        raise AccountError("email_taken")
    user = User(
        email=email,
        display_name=display_name.strip(),
        password_hash=hash_password(password),
    )
    user.role_rows = [UserRole(role=role) for role in sorted(set(roles))]
    user.organisations = list(organisations)
    user.teams = list(teams)
    session.add(user)
    session.flush()
    record(session, EventType.ACCOUNT_CREATED, actor_id=by.id if by is not None else user.id,
           subject_id=user.id, roles=sorted(role.value for role in user.roles))
    return user


def _verification_email(session: Session, user: User, next_url: str | None = None) -> None:

    from portal.accounts import tokens

    values = {"next": next_url} if next_url else {}
    link = public_url("accounts.verify_email", token=tokens.verification_token(user), **values)
    queue_email(session, to=user.email, subject=_("Confirm your email address"),
                template="verify_email", link=link)


# At most one "someone tried to use your address" email to a holder in this time.
ADDRESS_NOTICE_GAP = timedelta(hours=24)


def _address_claimed(session: Session, holder: User, *, via: str) -> None:
    """Someone asked to use an address that already has an account: tell its holder, not
    the person asking (who sees the same "check your email" page either way). Every attempt
    is audited; the holder is emailed at most once in ``ADDRESS_NOTICE_GAP``, so nobody can
    fill a stranger's inbox by registering their address over and over."""
    record(session, EventType.ADDRESS_CLAIMED, actor_id=None, subject_id=holder.id, via=via)
    now = utcnow()
    if holder.address_notice_at is not None and (
            now - as_utc(holder.address_notice_at) < ADDRESS_NOTICE_GAP):
        return
    holder.address_notice_at = now
    queue_email(session, to=holder.email,
                subject=_("Someone tried to use your email address on Your Health and Care "
                          "Portal"),
                template="address_claimed", via=via,
                sign_in=public_url("accounts.sign_in"),
                reset=public_url("accounts.password_reset_request"))


@service
def register(session: Session, /, *, email: str, password: str, display_name: str,
             roles: Iterable[Role] = (Role.RESIDENT,), next_url: str | None = None
             ) -> User | None:
    """A new account waiting for its address to be confirmed by the emailed link (which
    then sends the person to sign in, and on to ``next_url``).

    When the address already has an account, nothing is created: its holder is emailed
    instead, and the password is hashed all the same, so the answer, the work done and the
    time taken do not tell whether the address is registered. Returns the new account, or
    None for a known address.
    """
    existing = find_by_email(session, email)
    if existing is not None:
        hash_password(password)
        _address_claimed(session, existing, via="registration")
        return None
    user = create_user(session, email=email, password=password, display_name=display_name,
                       roles=roles)
    _verification_email(session, user, next_url)
    return user


@service
def resend_verification(session: Session, /, *, user: User) -> None:
    _verification_email(session, user)


@service
def open_session(session: Session, /, *, user: User) -> str:
    """Every sign-in step done: a server-side session; returns its token for the cookie."""
    from portal.accounts import sessions

    record(session, EventType.SIGN_IN, actor_id=user.id, subject_id=user.id,
           mfa=user.mfa_enabled)
    user.last_signed_in_at = utcnow()
    return sessions.start(session, user=user)


@service
def close_session(session: Session, /, *, user: User | None, token: str | None) -> None:
    from portal.accounts import sessions

    if user is not None:
        record(session, EventType.SIGN_OUT, actor_id=user.id, subject_id=user.id)
    sessions.revoke(session, token=token)


@service(audited=False, because="a session's last-seen time and idle expiry are bookkeeping")
def check_session(session: Session, /, *, user: User, token: str | None) -> str | None:
    from portal.accounts import sessions

    return sessions.check(session, user=user, token=token)


@service(audited=False, because="keeping a session alive is bookkeeping")
def extend_session(session: Session, /, *, token: str | None) -> None:
    from portal.accounts import sessions

    sessions.extend(session, token=token)


@service
def authenticate(session: Session, /, *, email: str, password: str) -> User | None:
    """The active user with these credentials, or None. Same work for unknown emails.

    A failure is audited (with the account's id when the email is known, never the email).
    """
    user = find_by_email(session, email)
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        cause = "inactive" if ok and user is not None else "bad_credentials"
        record(session, EventType.SIGN_IN_FAILED, actor_id=None,
               subject_id=user.id if user else None, cause=cause)
        return None
    return user


@service
def sign_in(session: Session, /, *, email: str, password: str) -> tuple[User | None, str | None]:
    """Password step. Returns (user, token): a token when no second factor is needed, None
    when one is; (None, None) when the credentials are wrong (audited)."""
    user = authenticate(session, email=email, password=password)
    if user is None:
        return None, None
    if user.mfa_enabled or user.mfa_required:
        return user, None  # nothing is written until the second factor is given
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user, open_session(session, user=user)


@service
def two_factor(session: Session, /, *, user: User, code: str) -> str | None:
    """The second factor at sign-in: a session token, or None if the code is wrong."""
    from portal.accounts import mfa

    if not mfa.verify(user, code):
        return None
    return open_session(session, user=user)


@service
def two_factor_recovery(session: Session, /, *, user: User, code: str) -> str | None:
    from portal.accounts import mfa

    if not mfa.use_recovery_code(session, user=user, code=code):
        return None
    return open_session(session, user=user)


@service
def enable_two_factor(session: Session, /, *, user: User, secret: str, code: str,
                      signing_in: bool) -> tuple[list[str], str | None] | None:
    """Turn on the second factor; returns the recovery codes (and, part-way through
    signing in, the new session's token), or None if the code is wrong."""
    from portal.accounts import mfa

    codes = mfa.enable(session, user=user, secret=secret, code=code)
    if codes is None:
        return None
    return codes, open_session(session, user=user) if signing_in else None


@service
def request_password_reset(session: Session, /, *, email: str) -> None:
    """Email a reset link if the address is an active account's; the same work otherwise."""

    from portal.accounts import tokens

    # Only the columns the link needs: loading a whole account (its roles, teams and
    # organisations) would make known addresses measurably slower than unknown ones.
    address = normalise_email(email)
    row = session.execute(select(User.id, User.email, User.password_hash).where(
        User.email == address, User.is_active.is_(True))).first()
    # Both paths take the same steps, so the time taken does not tell whether the address has
    # an account: an audit entry (an unknown address's has no subject and never the address),
    # a token, and one email queued in this transaction, sent after the response. An unknown
    # address is told that no account uses it (the page's rate limit bounds both kinds).
    record(session, EventType.PASSWORD_RESET_REQUESTED, actor_id=None,
           subject_id=row.id if row else None, known=row is not None)
    if row is not None:
        link = public_url("accounts.password_reset",
                          token=tokens.reset_token_of(row.id, row.password_hash))
        queue_email(session, to=row.email, subject=_("Reset your password"),
                    template="password_reset", link=link)
    else:
        tokens.dummy_reset_token()
        queue_email(session, to=address, subject=_("Reset your password"),
                    template="password_reset_no_account", link=public_url("accounts.register"))


@service
def set_roles(session: Session, /, *, user: User, roles: Iterable[Role], by: User) -> None:
    wanted = set(roles)
    if user.id == by.id and Role.ADMIN not in wanted:
        raise AccountError("cannot_remove_own_admin")
    before = user.roles
    user.role_rows = [row for row in user.role_rows if row.role in wanted] + [
        UserRole(role=role) for role in sorted(wanted - user.roles)
    ]
    session.flush()
    if wanted != before:
        record(session, EventType.ROLES_CHANGED, actor_id=by.id, subject_id=user.id,
               added=sorted(r.value for r in wanted - before),
               removed=sorted(r.value for r in before - wanted))


def count_users(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User)) or 0


@service
def change_password(session: Session, /, *, user: User, current: str, new: str,
                    keep_token: str | None) -> None:
    if not verify_password(user.password_hash, current):
        raise AccountError("wrong_password")
    _set_password(session, user=user, password=new, keep_token=keep_token)
    record(session, EventType.PASSWORD_CHANGED, actor_id=user.id, subject_id=user.id)
    queue_email(session, to=user.email, subject=_("Your password has been changed"),
                template="password_changed")


@service
def reset_password(session: Session, /, *, user: User, new: str) -> None:
    _set_password(session, user=user, password=new, keep_token=None)
    record(session, EventType.PASSWORD_RESET, actor_id=None, subject_id=user.id)
    queue_email(session, to=user.email, subject=_("Your password has been changed"),
                template="password_changed")


def _set_password(session: Session, *, user: User, password: str, keep_token: str | None) -> None:
    from portal.accounts import sessions

    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    sessions.revoke_all(session, user=user, keep_token=keep_token)
    session.flush()
    record(session, EventType.SESSIONS_REVOKED, actor_id=user.id, subject_id=user.id,
           cause="password_changed")


@service
def change_email(session: Session, /, *, user: User, current: str, new_email: str) -> None:
    """Ask to change the address: a link goes to the new address, and the address changes
    only when it is followed (``confirm_email_change``). If another account uses the new
    address, its holder is told instead; the person asking sees the same answer."""
    from portal.accounts import tokens

    if not verify_password(user.password_hash, current):
        raise AccountError("wrong_password")
    new_email = normalise_email(new_email)
    if new_email == user.email:
        raise AccountError("same_email")
    record(session, EventType.EMAIL_CHANGE_REQUESTED, actor_id=user.id, subject_id=user.id)
    existing = find_by_email(session, new_email)
    if existing is not None:
        _address_claimed(session, existing, via="email_change")
        return
    link = public_url("accounts.confirm_email_change",
                      token=tokens.email_change_token(user, new_email))
    queue_email(session, to=new_email, subject=_("Confirm your new email address"),
                template="confirm_email_change", link=link)


@service
def confirm_email_change(session: Session, /, *, user: User, new_email: str) -> str:
    """The link sent to the new address was followed: the address changes (confirmed, since
    it reached its mailbox) and the old address is told. Returns the old address."""
    if find_by_email(session, new_email) is not None:
        raise AccountError("email_taken")
    old = user.email
    user.email = new_email
    user.email_verified_at = utcnow()
    session.flush()
    record(session, EventType.EMAIL_CHANGED, actor_id=user.id, subject_id=user.id,
           verified=True)
    queue_email(session, to=old, subject=_("Your email address has been changed"),
                template="email_changed")
    return old


@service
def mark_email_verified(session: Session, /, *, user: User) -> None:
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        record(session, EventType.EMAIL_VERIFIED, actor_id=None, subject_id=user.id)
    session.flush()


@service
def set_active(session: Session, /, *, user: User, active: bool, by: User) -> None:
    from portal.accounts import sessions

    if user.id == by.id and not active:
        raise AccountError("cannot_disable_self")
    changed = user.is_active != active
    user.is_active = active
    if not active:
        sessions.revoke_all(session, user=user)
    session.flush()
    if changed:
        record(session, EventType.ACCOUNT_DISABLED if not active else EventType.ACCOUNT_ENABLED,
               actor_id=by.id, subject_id=user.id)


@service
def sign_out_everywhere(session: Session, /, *, user: User, token: str | None) -> None:
    """End every session of this person, on every device, and record it."""
    from portal.accounts import sessions

    sessions.revoke_all(session, user=user)
    record(session, EventType.SESSIONS_REVOKED, actor_id=user.id, subject_id=user.id,
           cause="sign_out_everywhere")
    close_session(session, user=user, token=token)
