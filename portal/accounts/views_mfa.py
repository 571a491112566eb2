"""Second factor: the challenge at sign-in, recovery codes, and setting up an app."""

from __future__ import annotations

from flask import flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.accounts import mfa, signin
from portal.accounts.forms import RecoveryCodeForm, TwoFactorForm
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


def _finish(user) -> Response:  # type: ignore[no-untyped-def]
    next_url = signin.pending_next()
    signin.complete(user)
    db.session.commit()
    flash(_("You are signed in."), "success")
    return redirect(next_url or url_for("main.home"))


@bp.route("/two-factor", methods=["GET", "POST"])
@limiter.limit("10 per 5 minutes", key_func=_pending_key, methods=["POST"])
@public
def two_factor() -> str | Response:
    user = signin.pending_user()
    if user is None or not user.mfa_enabled:
        return redirect(url_for("accounts.sign_in"))
    form = TwoFactorForm()
    if form.validate_on_submit():
        if mfa.verify(user, form.code.data):
            return _finish(user)
        db.session.rollback()
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
        if mfa.use_recovery_code(db.session, user=user, code=form.recovery_code.data):
            flash(_("You used a recovery code. Each code works once: set up new codes soon."),
                  "info")
            return _finish(user)
        db.session.rollback()
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
        codes = mfa.enable(db.session, user=user, secret=secret, code=form.code.data)
        if codes is not None:
            session.pop(SETUP_SECRET_KEY, None)
            if not current_user.is_authenticated:
                next_url = signin.pending_next()
                signin.complete(user)
            else:
                next_url = None
            db.session.commit()
            return render_template("accounts/recovery_codes.html", codes=codes,
                                   next_url=next_url or url_for("accounts.overview"))
        form.code.errors = [_("The security code is not right. Check your app and try again")]
    uri = mfa.provisioning_uri(secret, user.email)
    return render_template("accounts/two_factor_setup.html", form=form, secret=secret,
                           qr=mfa.qr_svg(uri), required=user.mfa_required)
