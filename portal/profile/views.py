from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.accounts.models import User
from portal.audit.events import AccessReason
from portal.audit.presenters import purpose_label
from portal.authz import Permission, requires, signed_in
from portal.authz.loading import get_or_404
from portal.extensions import db
from portal.profile import services
from portal.profile.forms import PersonalDetailsForm, ViewPurposeForm, initial_data
from portal.profile.policies import can_view_personal_details

bp = Blueprint("profile", __name__)


@bp.app_template_filter("nhs_number")
def _nhs_number_filter(digits: str | None) -> str:
    return services.format_nhs_number(digits)


@bp.route("/account/details")
@signed_in
def details() -> str:
    record = services.view_details(db.session, person=current_user, by=current_user)
    return render_template("profile/details.html", details=record)


@bp.route("/account/details/edit", methods=["GET", "POST"])
@signed_in
def edit() -> str | Response:
    current = services.details_of(db.session, current_user)
    form = PersonalDetailsForm(data=initial_data(current))
    if form.validate_on_submit():
        services.update_details(db.session, person=current_user, values=form.cleaned(),
                                by=current_user)
        flash(_("Your details have been saved."), "success")
        return redirect(url_for("profile.details"))
    return render_template("profile/edit.html", form=form)


@bp.route("/admin/users/<int:user_id>/details", methods=["GET", "POST"])
@requires(Permission.ADMIN_USERS_MANAGE)
def person_details(user_id: int) -> str:
    """First the reason (a GET always shows only the form), then the details.

    The details are the answer to the reason's POST, not a page of their own: a link or a
    reload without a reason never shows them, and each look is one audit entry with its reason.
    """
    person = get_or_404(User, user_id)
    if can_view_personal_details(db.session, current_user, person) is None:
        abort(404)
    form = ViewPurposeForm()
    if not form.validate_on_submit():
        return render_template("profile/person_details_reason.html", person=person, form=form)
    record = services.view_details(db.session, person=person, by=current_user,
                                   purpose=form.chosen, note=form.note.data)
    return render_template("profile/person_details.html", person=person, details=record,
                           purpose_text=purpose_label(form.chosen), note=form.note.data)


@bp.route("/people/<int:person_id>/details")
@signed_in
def shared_details(person_id: int) -> str | Response:
    """A person's details for someone in their circle: a carer given "see my personal
    details", or a member of the serving team when the person shares their details with it.
    Each look is one audit entry, which the person sees on their access page. Administrators
    outside the circle use their own page, which asks why first."""
    person = get_or_404(User, person_id)
    reason = can_view_personal_details(db.session, current_user, person)
    if reason is AccessReason.OWNER:
        return redirect(url_for("profile.details"))
    if reason not in (AccessReason.PROXY, AccessReason.CARE_TEAM):
        abort(404)
    record = services.view_details(db.session, person=person, by=current_user)
    return render_template("profile/shared_details.html", person=person, details=record,
                           as_carer=reason is AccessReason.PROXY)
