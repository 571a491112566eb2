from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from portal.accounts import services
from portal.accounts.forms import RegistrationForm, SignInForm
from portal.authz import Role, public, signed_in
from portal.extensions import db
from portal.mail import send_notice
from portal.security import safe_next_url

bp = Blueprint("accounts", __name__, url_prefix="/account")


def _start_session(user: object) -> None:
    # A fresh session at sign-in: nothing from before (a planted id) survives.
    session.clear()
    login_user(user)  # type: ignore[arg-type]


@bp.route("/sign-in", methods=["GET", "POST"])
@public
def sign_in() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = SignInForm()
    if form.validate_on_submit():
        user = services.authenticate(db.session, email=form.email.data, password=form.password.data)
        if user is not None:
            db.session.commit()
            _start_session(user)
            flash(_("You are signed in."), "success")
            return redirect(safe_next_url(request.args.get("next")) or url_for("main.home"))
        db.session.rollback()
        form.email.errors = [_("Enter a correct email address and password")]
    return render_template("accounts/sign_in.html", form=form)


@bp.route("/register", methods=["GET", "POST"])
@public
def register() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = RegistrationForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(
                db.session,
                email=form.email.data,
                password=form.password.data,
                display_name=form.display_name.data,
                roles=[Role.RESIDENT],
            )
        except services.AccountError:
            db.session.rollback()
            form.email.errors = [_("An account with this email address already exists. "
                                   "Sign in instead.")]
        else:
            db.session.commit()
            _start_session(user)
            send_notice(to=user.email, subject=_("Your account has been created"),
                        template="welcome")
            flash(_("Your account has been created."), "success")
            return redirect(url_for("accounts.overview"))
    return render_template("accounts/register.html", form=form)


@bp.route("/sign-out", methods=["POST"])
@public
def sign_out() -> Response:
    if current_user.is_authenticated:
        logout_user()
    session.clear()
    flash(_("You have signed out."), "success")
    return redirect(url_for("main.home"))


@bp.route("/", methods=["GET"])
@signed_in
def overview() -> str:
    return render_template("accounts/overview.html", user=current_user)
