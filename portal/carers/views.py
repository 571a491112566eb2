"""A carer's own requests and the locality team's queue (the form itself: ``views_form``)."""

from __future__ import annotations

from datetime import date, datetime

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.accounts.models import CareTeam, User
from portal.audit.events import AccessReason
from portal.audit.presenters import names_for
from portal.authz import Permission, requires, signed_in
from portal.carers import queries, services
from portal.carers.forms import AssignForm, ContactForm, PeriodForm, StatusForm
from portal.carers.journey import JOURNEY_ID, referral_journey
from portal.carers.models import CarerReferral, ContactMethod, ContactOutcome, ReferralStatus
from portal.carers.summary import summary
from portal.carers.targets import contact_target
from portal.circles.policy import decide_referral
from portal.clock import utcnow
from portal.extensions import db
from portal.journeys.services import draft_of_user

bp = Blueprint("carers", __name__)


@bp.app_template_filter("age_in_days")
def _age_in_days(when: datetime) -> str:
    days = (utcnow().date() - when.date()).days
    if days <= 0:
        return _("today")
    return ngettext("%(num)d day ago", "%(num)d days ago", days)


@bp.app_template_filter("carer_date")
def _carer_date(when: datetime | date) -> str:
    return format_date(when, "d MMMM yyyy")


@bp.app_template_filter("carer_day")
def _carer_day(when: date) -> str:
    return format_date(when, "EEEE d MMMM yyyy")


@bp.app_template_filter("contact_target")
def _contact_target(referral: CarerReferral) -> object:
    return contact_target(referral)


@bp.route("/account/carers-assessments")
@signed_in
def mine() -> str:
    return render_template("carers/mine.html",
                           referrals=queries.referrals_of(db.session, current_user),
                           waiting=draft_of_user(db.session, JOURNEY_ID, int(current_user.id)))


def _queue_page(period: PeriodForm, code: int = 200) -> tuple[str, int]:
    try:
        assigned = queries.Assigned(request.args.get("assigned", ""))
    except ValueError:
        assigned = queries.Assigned.ANYONE
    return render_template("carers/queue.html", assigned=assigned, period=period,
                           referrals=queries.queue(db.session, current_user, assigned)), code


@bp.route("/carers/queue")
@requires(Permission.CARE_TEAM_WORK)
def queue() -> tuple[str, int]:
    return _queue_page(PeriodForm(formdata=None))


@bp.route("/carers/queue.csv")
@requires(Permission.CARE_TEAM_WORK)
def export_csv() -> tuple[str, int] | Response:
    period = PeriodForm(request.args)
    if not period.validate():
        return _queue_page(period, 400)
    text = services.export_queue(db.session, start=period.start, end=period.end,
                                 by=current_user)
    name = "carers-assessment-requests"
    if period.start or period.end:
        name += f"-{period.start or 'start'}-to-{period.end or 'now'}"
    return Response(text, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{name}.csv"'})


@bp.route("/carers/queue/<int:referral_id>/fhir.json")
@requires(Permission.CARE_TEAM_WORK)
def export_fhir(referral_id: int) -> Response:
    found = _referral_or_404(referral_id)
    response = jsonify(services.export_fhir(db.session, referral=found, by=current_user))
    response.mimetype = "application/fhir+json"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{found.reference}.fhir.json"')
    return response


def _referral_or_404(referral_id: int) -> CarerReferral:
    """The referral if the access policy lets this care worker work on it; 404 otherwise
    (a guessed id or reference tells nothing)."""
    referral = db.session.get(CarerReferral, referral_id)
    decision = decide_referral(db.session, actor=current_user, referral=referral)
    if referral is None or decision.reason is not AccessReason.CARE_TEAM:
        abort(404)
    return referral


def _workers(referral: CarerReferral) -> list[tuple[int, str]]:
    return [(user.id, user.display_name)
            for user in queries.assignable(db.session, referral, current_user)]


def _names(referral: CarerReferral) -> dict[int, str]:
    """Who made each status change and contact attempt (``carers/_history.html``)."""
    return names_for(db.session, [c.by_id for c in referral.contacts]
                     + [u.by_id for u in referral.updates])


def _show(referral: CarerReferral, *, status_form: StatusForm | None = None,
          assign_form: AssignForm | None = None, contact_form: ContactForm | None = None,
          code: int = 200) -> tuple[str, int]:
    workers = _workers(referral)
    if assign_form is None:
        assign_form = AssignForm(formdata=None, workers=workers, data={
            "assignee": str(referral.assigned_to_id or current_user.id)})
    return render_template(
        "carers/referral.html", referral=referral, rows=summary(referral_journey(),
                                                                referral.answers, sent=True),
        form=status_form or StatusForm(formdata=None, data={"status": referral.status.value}),
        assign_form=assign_form, contact_form=contact_form or ContactForm(formdata=None),
        names=_names(referral)), code


@bp.route("/carers/queue/<int:referral_id>")
@requires(Permission.CARE_TEAM_WORK)
def referral(referral_id: int) -> tuple[str, int]:
    found = services.view_referral(db.session, referral=_referral_or_404(referral_id),
                                   by=current_user)
    return _show(found)


@bp.route("/carers/queue/<int:referral_id>/print")
@requires(Permission.CARE_TEAM_WORK)
def print_referral(referral_id: int) -> str:
    """One request as a readable document to print or keep (the same rule and audit as the
    request's page)."""
    found = services.view_referral(db.session, referral=_referral_or_404(referral_id),
                                   by=current_user)
    team = db.session.get(CareTeam, found.team_id) if found.team_id is not None else None
    return render_template("carers/print.html", referral=found, team=team, names=_names(found),
                           rows=summary(referral_journey(), found.answers, sent=True),
                           now=utcnow())


@bp.route("/carers/queue/<int:referral_id>/status", methods=["POST"])
@requires(Permission.CARE_TEAM_WORK)
def change_status(referral_id: int) -> tuple[str, int] | Response:
    found = _referral_or_404(referral_id)
    form = StatusForm()
    if form.validate_on_submit():
        services.change_status(db.session, referral=found,
                               status=ReferralStatus(form.status.data), note=form.note.data,
                               by=current_user)
        flash(_("Status changed to %(status)s.", status=found.status.label), "success")
        return redirect(url_for("carers.referral", referral_id=found.id))
    return _show(found, status_form=form, code=400)


@bp.route("/carers/queue/<int:referral_id>/assign", methods=["POST"])
@requires(Permission.CARE_TEAM_WORK)
def assign(referral_id: int) -> tuple[str, int] | Response:
    found = _referral_or_404(referral_id)
    workers = _workers(found)
    form = AssignForm(workers=workers)
    if form.validate_on_submit():
        chosen = {str(worker_id): worker_id for worker_id, _name in workers}
        if form.assignee.data and form.assignee.data not in chosen:
            form.assignee.errors = [_("Select someone from the list")]
            return _show(found, assign_form=form, code=400)
        to = db.session.get(User, chosen[form.assignee.data]) if form.assignee.data else None
        services.assign(db.session, referral=found, to=to, by=current_user)
        flash(_("Assigned to %(name)s.", name=to.display_name) if to is not None
              else _("Nobody is assigned now."), "success")
        return redirect(url_for("carers.referral", referral_id=found.id))
    return _show(found, assign_form=form, code=400)


@bp.route("/carers/queue/<int:referral_id>/contact", methods=["POST"])
@requires(Permission.CARE_TEAM_WORK)
def record_contact(referral_id: int) -> tuple[str, int] | Response:
    found = _referral_or_404(referral_id)
    form = ContactForm()
    if form.validate_on_submit():
        services.record_contact(db.session, referral=found,
                                method=ContactMethod(form.method.data),
                                outcome=ContactOutcome(form.outcome.data),
                                note=form.contact_note.data, by=current_user)
        flash(_("Contact attempt recorded."), "success")
        return redirect(url_for("carers.referral", referral_id=found.id))
    return _show(found, contact_form=form, code=400)


from portal.carers import views_form  # noqa: E402, F401  (the form's routes)
