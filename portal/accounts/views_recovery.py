"""Forgotten passwords and email verification, by emailed single-use links."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.accounts import services, tokens
from portal.accounts.forms import PasswordResetForm, PasswordResetRequestForm
from portal.accounts.models import User
from portal.accounts.views import bp
from portal.authz import public
from portal.extensions import db, limiter
from portal.security import safe_next_url


def _load_user(user_id: int) -> User | None:
    return db.session.get(User, user_id)


@bp.route("/password-reset", methods=["GET", "POST"])
@limiter.limit("5 per 15 minutes", methods=["POST"])
@public
def password_reset_request() -> str | Response:
    form = PasswordResetRequestForm()
    if form.validate_on_submit():
        services.request_password_reset(db.session, email=form.email.data)
        # The same page whether or not the address is registered.
        return render_template("accounts/password_reset_sent.html")
    return render_template("accounts/password_reset_request.html", form=form)


@bp.route("/password-reset/<token>", methods=["GET", "POST"])
@limiter.limit("10 per 15 minutes", methods=["POST"])
@public
def password_reset(token: str) -> str | Response:
    user = tokens.user_id_from_reset_token(token, _load_user)
    if user is None:
        return render_template("accounts/password_reset_expired.html"), 410  # type: ignore[return-value]
    form = PasswordResetForm()
    if form.validate_on_submit():
        services.reset_password(db.session, user=user, new=form.password.data)
        flash(_("Your password has been changed. Sign in with your new password."), "success")
        return redirect(url_for("accounts.sign_in"))
    return render_template("accounts/password_reset.html", form=form, token=token)


@bp.route("/verify/<token>")
@public
def verify_email(token: str) -> Response:
    user = tokens.user_from_verification_token(token, _load_user)
    if user is None:
        abort(404)
    services.mark_email_verified(db.session, user=user)
    next_url = safe_next_url(request.args.get("next"))
    if current_user.is_authenticated:
        flash(_("Thank you. Your email address is confirmed."), "success")
        return redirect(next_url or url_for("main.home"))
    flash(_("Thank you. Your email address is confirmed. Sign in to carry on."), "success")
    return redirect(url_for("accounts.sign_in", next=next_url) if next_url
                    else url_for("accounts.sign_in"))


@bp.route("/email/confirm/<token>")
@public
def confirm_email_change(token: str) -> Response | tuple[str, int]:
    found = tokens.email_change_from_token(token, _load_user)
    if found is None:
        return render_template("accounts/email_change_expired.html"), 404
    user, new_email = found
    try:
        services.confirm_email_change(db.session, user=user, new_email=new_email)
    except services.AccountError:
        return render_template("accounts/email_change_expired.html", taken=True), 409
    flash(_("Your email address has been changed to %(email)s.", email=new_email), "success")
    return redirect(url_for("accounts.overview") if current_user.is_authenticated
                    else url_for("accounts.sign_in"))
