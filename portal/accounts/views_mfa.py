"""Second factor: the challenge at sign-in, recovery codes, and setting up an app."""

from __future__ import annotations

from flask import flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.accounts import mfa, services, signin
from portal.accounts.forms import RecoveryCodeForm, TwoFactorForm
from portal.accounts.models import User
from portal.accounts.views import bp
from portal.authz import public
from portal.extensions import db, limiter

SETUP_SECRET_KEY = "mfa_setup_secret"  # noqa: S105  # nosec B105 - a session key name


def _pending_key() -> str:
    """Rate-limit key: the person part-way through signing in (or signed in and enrolling)."""
    if current_user.is_authenticated:
        return f"mfa:{current_user.id}"
    pending = session.get(signin.PENDING_KEY)
    return f"mfa:{pending.get('user_id') if isinstance(pending, dict) else 'none'}"


def _finish(user: User, token: str) -> Response:
    next_url = signin.pending_next()
    signin.establish(user, token)
    flash(_("You are signed in."), "success")
    return redirect(next_url or signin.landing_url(user))


@bp.route("/two-factor", methods=["GET", "POST"])
@limiter.limit("10 per 5 minutes", key_func=_pending_key, methods=["POST"])
@public
def two_factor() -> str | Response:
    user = signin.pending_user()
    if user is None or not user.mfa_enabled:
        return redirect(url_for("accounts.sign_in"))
    form = TwoFactorForm()
    if form.validate_on_submit():
        token = services.two_factor(db.session, user=user, code=form.code.data)
        if token is not None:
            return _finish(user, token)
        form.code.errors = [_("The security code is not right. Check your app and try again")]
    return render_template("accounts/two_factor.html", form=form)


@bp.route("/two-factor/recovery", methods=["GET", "POST"])
@limiter.limit("10 per 5 minutes", key_func=_pending_key, methods=["POST"])
@public
def two_factor_recovery() -> str | Response:
    user = signin.pending_user()
    if user is None or not user.mfa_enabled:
        return redirect(url_for("accounts.sign_in"))
    form = RecoveryCodeForm()
    if form.validate_on_submit():
        token = services.two_factor_recovery(db.session, user=user,
                                             code=form.recovery_code.data)
        if token is not None:
            flash(_("You used a recovery code. Each code works once: set up new codes soon."),
                  "info")
            return _finish(user, token)
        form.recovery_code.errors = [_("That recovery code is not right or has been used")]
    return render_template("accounts/two_factor_recovery.html", form=form)


@bp.route("/two-factor/setup", methods=["GET", "POST"])
@limiter.limit("10 per 5 minutes", key_func=_pending_key, methods=["POST"])
@public
def two_factor_setup() -> str | Response:
    user = current_user if current_user.is_authenticated else signin.pending_user()
    if user is None:
        return redirect(url_for("accounts.sign_in"))
    secret = session.get(SETUP_SECRET_KEY) or mfa.new_secret()
    session[SETUP_SECRET_KEY] = secret
    form = TwoFactorForm()
    if form.validate_on_submit():
        signing_in = not current_user.is_authenticated
        enabled = services.enable_two_factor(db.session, user=user, secret=secret,
                                             code=form.code.data, signing_in=signing_in)
        if enabled is not None:
            codes, token = enabled
            session.pop(SETUP_SECRET_KEY, None)
            next_url = (signin.pending_next() or signin.landing_url(user)) if signing_in \
                else None
            if token is not None:
                signin.establish(user, token)
            return render_template("accounts/recovery_codes.html", codes=codes,
                                   next_url=next_url or url_for("accounts.overview"))
        form.code.errors = [_("The security code is not right. Check your app and try again")]
    uri = mfa.provisioning_uri(secret, user.email)
    return render_template("accounts/two_factor_setup.html", form=form, secret=secret,
                           qr=mfa.qr_svg(uri), required=user.mfa_required)
