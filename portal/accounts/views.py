from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.accounts import services, signin
from portal.accounts.forms import RegistrationForm, SignInForm
from portal.accounts.models import User
from portal.authz import Role, public, signed_in
from portal.extensions import db, limiter
from portal.security import safe_next_url

bp = Blueprint("accounts", __name__, url_prefix="/account")


def _account_key() -> str:
    """Rate-limit key for the account being tried, whoever tries it."""
    return "account:" + services.normalise_email(request.form.get("email", ""))[:320]


def _failed(response: Response) -> bool:
    return response.status_code == 200  # a failed sign-in shows the form again


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
@limiter.limit("100 per hour", key_func=_account_key, methods=["POST"], deduct_when=_failed)
@public
def sign_in() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = SignInForm()
    if form.validate_on_submit():
        user, token = services.sign_in(db.session, email=form.email.data,
                                       password=form.password.data)
        if user is not None:
            return _after_password(user, token, safe_next_url(request.args.get("next")))
        form.email.errors = [_("Enter a correct email address and password")]
    return render_template("accounts/sign_in.html", form=form,
                           timed_out=session.pop("_signed_out_idle", False))


def _after_password(user: User, token: str | None, next_url: str | None) -> Response:
    if token is None:
        signin.begin(user, next_url)
        endpoint = "accounts.two_factor" if user.mfa_enabled else "accounts.two_factor_setup"
        return redirect(url_for(endpoint))
    signin.establish(user, token)
    flash(_("You are signed in."), "success")
    return redirect(next_url or signin.landing_url(user))


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
@public
def register() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = RegistrationForm()
    if form.validate_on_submit():
        # The same answer whether or not the address has an account (the holder is emailed).
        next_url = safe_next_url(request.args.get("next"))
        services.register(db.session, email=form.email.data, password=form.password.data,
                          display_name=form.display_name.data, roles=[Role.RESIDENT],
                          next_url=next_url)
        session["registered"] = {"email": services.normalise_email(form.email.data),
                                 "next": next_url}
        return redirect(url_for("accounts.registered"))
    return render_template("accounts/register.html", form=form)


@bp.route("/register/check-your-email")
@public
def registered() -> str:
    sent = session.get("registered") or {}
    return render_template("accounts/registered.html", email=sent.get("email"),
                           next_url=safe_next_url(sent.get("next")))


@bp.route("/sign-out", methods=["POST"])
@public
def sign_out() -> Response:
    if current_user.is_authenticated:
        services.close_session(db.session, user=current_user, token=signin.current_token())
    signin.forget()
    flash(_("You have signed out."), "success")
    return redirect(url_for("main.home"))


@bp.route("/", methods=["GET"])
@signed_in
def overview() -> str:
    return render_template("accounts/overview.html", user=current_user)


# The other account pages live in their own modules; importing them registers their routes.
from portal.accounts import views_mfa, views_recovery, views_settings  # noqa: E402, F401
