"""A signed-in person's own settings: password, email, sessions, session keep-alive."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.accounts import services, signin
from portal.accounts.forms import ChangeEmailForm, ChangePasswordForm
from portal.accounts.views import bp
from portal.authz import signed_in
from portal.extensions import db, limiter


@bp.route("/password", methods=["GET", "POST"])
@limiter.limit("10 per 15 minutes", methods=["POST"])
@signed_in
def change_password() -> str | Response:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(db.session, user=current_user, current=form.current_password.data,
                                     new=form.password.data, keep_token=signin.current_token())
        except services.AccountError:
            form.current_password.errors = [_("Your current password is not right")]
        else:
            flash(_("Your password has been changed. You have been signed out everywhere else."),
                  "success")
            return redirect(url_for("accounts.overview"))
    return render_template("accounts/change_password.html", form=form)


@bp.route("/email", methods=["GET", "POST"])
@limiter.limit("10 per 15 minutes", methods=["POST"])
@signed_in
def change_email() -> str | Response:
    form = ChangeEmailForm()
    if form.validate_on_submit():
        try:
            services.change_email(db.session, user=current_user, current=form.current_password.data,
                                  new_email=form.email.data)
        except services.AccountError as error:
            if str(error) == "same_email":
                form.email.errors = [_("This is already your email address")]
            else:
                form.current_password.errors = [_("Your current password is not right")]
        else:
            # The same answer whether or not another account uses the address.
            flash(_("We have sent a link to %(email)s. Your email address changes when you "
                    "follow it.", email=services.normalise_email(form.email.data)), "success")
            return redirect(url_for("accounts.overview"))
    return render_template("accounts/change_email.html", form=form)


@bp.route("/sign-out-everywhere", methods=["POST"])
@signed_in
def sign_out_everywhere() -> Response:
    services.sign_out_everywhere(db.session, user=current_user, token=signin.current_token())
    signin.forget()
    flash(_("You have been signed out on every device."), "success")
    return redirect(url_for("accounts.sign_in"))


@bp.route("/session/extend", methods=["POST"])
@signed_in
def extend_session() -> tuple[dict[str, str], int]:
    services.extend_session(db.session, token=signin.current_token())
    return {"status": "extended"}, 200


@bp.route("/verify/resend", methods=["POST"])
@limiter.limit("3 per hour", methods=["POST"])
@signed_in
def resend_verification() -> Response:
    services.resend_verification(db.session, user=current_user)
    flash(_("We have sent you a new link to confirm your email address."), "success")
    return redirect(url_for("accounts.overview"))
