from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.accounts import services, signin, tokens
from portal.accounts.forms import RegistrationForm, SignInForm
from portal.authz import Role, public, signed_in
from portal.extensions import db, limiter
from portal.mail import send_notice
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
        user = services.authenticate(db.session, email=form.email.data, password=form.password.data)
        if user is not None:
            db.session.commit()
            return _after_password(user, safe_next_url(request.args.get("next")))
        db.session.commit()  # keeps the audited failure
        form.email.errors = [_("Enter a correct email address and password")]
    return render_template("accounts/sign_in.html", form=form,
                           timed_out=session.pop("_signed_out_idle", False))


def _after_password(user, next_url: str | None) -> Response:  # type: ignore[no-untyped-def]
    if user.mfa_enabled or user.mfa_required:
        signin.begin(user, next_url)
        endpoint = "accounts.two_factor" if user.mfa_enabled else "accounts.two_factor_setup"
        return redirect(url_for(endpoint))
    signin.complete(user)
    db.session.commit()
    flash(_("You are signed in."), "success")
    return redirect(next_url or url_for("main.home"))


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
@public
def register() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = RegistrationForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(
                db.session, email=form.email.data, password=form.password.data,
                display_name=form.display_name.data, roles=[Role.RESIDENT])
        except services.AccountError:
            db.session.rollback()
            form.email.errors = [_("An account with this email address already exists. "
                                   "Sign in instead.")]
        else:
            signin.complete(user)
            db.session.commit()
            _send_verification(user)
            flash(_("Your account has been created. We have sent you an email to check your "
                    "address."), "success")
            return redirect(url_for("accounts.overview"))
    return render_template("accounts/register.html", form=form)


def _send_verification(user) -> None:  # type: ignore[no-untyped-def]
    link = url_for("accounts.verify_email", token=tokens.verification_token(user), _external=True)
    send_notice(to=user.email, subject=_("Confirm your email address"), template="verify_email",
                link=link)


@bp.route("/sign-out", methods=["POST"])
@public
def sign_out() -> Response:
    if current_user.is_authenticated:
        signin.end()
        db.session.commit()
    session.clear()
    flash(_("You have signed out."), "success")
    return redirect(url_for("main.home"))


@bp.route("/", methods=["GET"])
@signed_in
def overview() -> str:
    return render_template("accounts/overview.html", user=current_user)


# The other account pages live in their own modules; importing them registers their routes.
from portal.accounts import views_mfa, views_recovery, views_settings  # noqa: E402, F401
