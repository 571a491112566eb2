from __future__ import annotations

import json

from flask import Blueprint, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from werkzeug.wrappers import Response

from portal.audit import presenters
from portal.audit.services import accesses_by_others
from portal.authz import public, signed_in
from portal.extensions import db
from portal.privacy import services
from portal.privacy.forms import DeleteAccountForm
from portal.profile.services import details_of

bp = Blueprint("privacy", __name__, url_prefix="/account")

ACCESS_HISTORY_ON_SUMMARY = 500
# Sections the summary page lays out itself; any other registered part is shown as data.
SUMMARY_SECTIONS = {"exported_at", "format_version", "account", "personal_details",
                    "audit_events"}


@bp.route("/data")
@signed_in
def data() -> str:
    return render_template("privacy/data.html")


@bp.route("/data.json")
@signed_in
def data_json() -> Response:
    exported = services.export_everything(db.session, user=current_user, fmt="json",
                                          by=current_user)
    body = json.dumps(exported, indent=2, ensure_ascii=False, sort_keys=True, default=str)
    response = Response(body + "\n", mimetype="application/json")
    response.headers["Content-Disposition"] = 'attachment; filename="my-portal-data.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/data/summary")
@signed_in
def summary() -> str:
    exported = services.collect_everything(db.session, user=current_user, by=current_user)
    accesses = accesses_by_others(db.session, person_id=current_user.id,
                                  limit=ACCESS_HISTORY_ON_SUMMARY)
    return render_template(
        "privacy/summary.html", exported=exported,
        details=details_of(db.session, current_user),
        accesses=presenters.describe_accesses(db.session, accesses),
        events=exported.get("audit_events") or [], event_label=presenters.event_label,
        known_sections=SUMMARY_SECTIONS,
    )


@bp.route("/delete", methods=["GET", "POST"])
@signed_in
def delete() -> str | Response:
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            services.delete_account(db.session, user=current_user, password=form.password.data,
                                    by=current_user)
        except services.PrivacyError as error:
            _explain(form, str(error))
        else:
            logout_user()
            session.clear()
            return redirect(url_for("privacy.deleted"))
    return render_template("privacy/delete.html", form=form)


def _explain(form: DeleteAccountForm, reason: str) -> None:
    if reason == "only_admin":
        form.form_errors.append(_("You cannot delete the only administrator account. "
                                  "Give another person the administrator role first."))
    else:
        form.password.errors = [_("The password you entered is not correct")]


@bp.route("/deleted")
@public
def deleted() -> str:
    return render_template("privacy/deleted.html", retention_years=services.RETENTION_YEARS)
