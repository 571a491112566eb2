"""Care circles pages: which team serves me and what I share with it; a team's people."""

from __future__ import annotations

from flask import Blueprint, flash, has_request_context, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from portal.authz import Permission, requires, signed_in
from portal.circles import acting, queries, services
from portal.circles.forms import ActionForm, ConsentForm, LocalityForm, NameSearchForm
from portal.circles.models import Purpose
from portal.circles.policy import people_served
from portal.extensions import db
from portal.messaging.hours import opening_times, team_hours

bp = Blueprint("circles", __name__)

PURPOSE_LABELS = {
    Purpose.PLAN: _l("Your care and support plan"),
    Purpose.MESSAGING: _l("Messages with your care team"),
    Purpose.PERSONAL_DETAILS: _l("Your personal details"),
}
SHARED_LABELS = {
    Purpose.PLAN: _l("Their plan"),
    Purpose.MESSAGING: _l("Messaging"),
    Purpose.PERSONAL_DETAILS: _l("Personal details"),
}


@bp.app_context_processor
def _labels() -> dict[str, object]:
    def acting_person() -> object:
        if not has_request_context() or not current_user.is_authenticated:
            return None
        return acting.acting_for(db.session)

    return {"purpose_labels": PURPOSE_LABELS, "shared_labels": SHARED_LABELS,
            "acting_person": acting_person}


def _locality_form() -> LocalityForm:
    form = LocalityForm(data={"locality": str(current_user.locality_id or "")})
    form.locality.choices = [SelectChoice("", _("Choose your area"))] + [
        SelectChoice(str(row.id), f"{row.name} ({row.area})")
        for row in queries.localities(db.session)]
    return form


def _team_page(locality_form: LocalityForm | None = None) -> str:
    session = db.session
    consents = services.consents_of(session, current_user)
    live = {c.purpose: c for c in consents if c.active}
    teams = queries.serving_teams(session, current_user)
    return render_template(
        "circles/team.html", teams=teams,
        opening={team.id: opening_times(team_hours(team.slug)) for team in teams},
        locality=current_user.locality, locality_form=locality_form or _locality_form(),
        live=live, history=consents, purposes=list(Purpose),
        wording=services.CONSENT_WORDING, action_form=ActionForm())


@bp.route("/account/team")
@signed_in
def team() -> str:
    return _team_page()


@bp.route("/account/team/area", methods=["POST"])
@signed_in
def choose_area() -> str | Response:
    form = _locality_form()
    if not form.validate_on_submit():
        return _team_page(form)
    chosen = int(form.locality.data) if form.locality.data else None
    services.choose_locality(db.session, person=current_user, locality_id=chosen,
                             by=current_user)
    flash(_("Your area has been saved."), "success")
    return redirect(url_for("circles.team"))


@bp.route("/account/team/consent", methods=["POST"])
@signed_in
def consent() -> Response:
    form = ConsentForm()
    purpose = form.chosen() if form.validate_on_submit() else None
    if purpose is None:
        flash(_("Choose what to share and try again."), "error")
    else:
        services.give_consent(db.session, person=current_user, purpose=purpose,
                              by=current_user)
        flash(_("You are now sharing this with your care team."), "success")
    return redirect(url_for("circles.team"))


@bp.route("/account/team/consent/<int:consent_id>/withdraw", methods=["POST"])
@signed_in
def withdraw(consent_id: int) -> Response:
    if not ActionForm().validate_on_submit():
        flash(_("Your request could not be checked. Try again."), "error")
        return redirect(url_for("circles.team"))
    try:
        services.withdraw_consent(db.session, person=current_user, consent_id=consent_id,
                                  by=current_user)
    except services.CircleError as error:
        flash(_("You have already stopped sharing this.") if error.kind == "already_withdrawn"
              else _("That consent could not be found."), "error")
        return redirect(url_for("circles.team"))
    flash(_("You have stopped sharing this with your care team."), "success")
    return redirect(url_for("circles.team"))


@bp.route("/team")
@requires(Permission.CARE_TEAM_WORK)
def team_people() -> str:
    form = NameSearchForm(request.args)
    people = people_served(db.session, current_user, name=form.name.data or None)
    return render_template("circles/team_people.html", form=form, people=people,
                           shared=queries.shared_by(db.session, [p.id for p in people]),
                           teams=list(current_user.teams))


from portal.circles import carer_views as _carer_views  # noqa: E402,F401  (routes on bp)
