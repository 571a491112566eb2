"""The self-referral form (anyone, no account needed), a carer's own requests, and the
locality team's queue."""

from __future__ import annotations

from datetime import date, datetime

from flask import Blueprint, abort, current_app, flash, redirect, render_template, session, url_for
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.authz import Permission, public, requires, signed_in
from portal.carers import queries, services
from portal.carers.forms import SendForm, StatusForm
from portal.carers.journey import JOURNEY_ID, referral_journey
from portal.carers.models import CarerReferral, ReferralStatus
from portal.carers.summary import summary
from portal.carers.targets import contact_target
from portal.clock import utcnow
from portal.extensions import db, limiter
from portal.journeys import flow
from portal.journeys import services as journeys
from portal.journeys.definition import Page
from portal.journeys.forms import answers_of, page_form
from portal.journeys.models import JourneyDraft

bp = Blueprint("carers", __name__)

TOKEN_KEY = f"journey.{JOURNEY_ID}"
SENT_KEY = f"journey.{JOURNEY_ID}.sent"


def _draft() -> JourneyDraft | None:
    draft = journeys.find_draft(db.session, JOURNEY_ID, session.get(TOKEN_KEY))
    return draft if draft is not None and draft.submitted_at is None else None


def _answers() -> flow.Answers:
    draft = _draft()
    return draft.answers if draft else {}


def _user_id() -> int | None:
    return int(current_user.id) if current_user.is_authenticated else None


def _onward(answers: flow.Answers) -> Response:
    where = flow.position(referral_journey(), answers)
    if where.stop:
        return redirect(url_for("carers.stop", stop_id=where.stop))
    if where.next_page:
        return redirect(url_for("carers.question", page_id=where.next_page.id))
    return redirect(url_for("carers.check"))


def _back(answers: flow.Answers, page: Page | None) -> str:
    """The page before this one on the path (links work without JavaScript)."""
    path = list(flow.position(referral_journey(), answers).path)
    before = path[:path.index(page)] if page in path else path
    if not before:
        return url_for("carers.start")
    return url_for("carers.question", page_id=before[-1].id)


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


@bp.route("/carers/assessment")
@public
def start() -> str:
    return render_template("carers/start.html", journey=referral_journey(),
                           first=referral_journey().pages[0])


@bp.route("/carers/assessment/<page_id>", methods=["GET", "POST"])
@public
def question(page_id: str) -> str | Response:
    journey = referral_journey()
    page = journey.page(page_id)
    if page is None:
        abort(404)
    answers = _answers()
    if not flow.reachable(journey, answers, page):
        return _onward(answers)
    form = page_form(page, data=answers.get(page.id))
    if form.validate_on_submit():
        token = session.get(TOKEN_KEY) if _draft() else None
        if token is None:
            token = session[TOKEN_KEY] = journeys.new_token()
        draft = journeys.save_page(db.session, journey=JOURNEY_ID, token=token, page_id=page.id,
                                   answers=answers_of(page, form), user_id=_user_id())
        return _onward(draft.answers)
    return render_template("carers/question.html", journey=journey, page=page, form=form,
                           back=_back(answers, page))


@bp.route("/carers/assessment/stop/<stop_id>")
@public
def stop(stop_id: str) -> str:
    found = referral_journey().stops.get(stop_id)
    if found is None:
        abort(404)
    return render_template("carers/stop.html", stop=found, back=_back(_answers(), None))


@bp.route("/carers/assessment/check", methods=["GET", "POST"])
@public
@limiter.limit(lambda: str(current_app.config.get("CARER_REFERRAL_RATE", "10 per hour")),
               methods=["POST"], exempt_when=lambda: bool(current_user.is_authenticated))
def check() -> str | Response | tuple[str, int]:
    journey = referral_journey()
    draft = _draft()
    answers = draft.answers if draft else {}
    where = flow.position(journey, answers)
    if draft is None or where.next_page or where.stop:
        if draft is None and session.get(SENT_KEY):
            return redirect(url_for("carers.sent"))
        return _onward(answers)
    form = SendForm()
    if form.validate_on_submit():
        if form.website.data:
            form.website.errors = [_("We could not send your request. Try again.")]
            return render_template("carers/check.html", rows=summary(journey, answers),
                                   form=form), 400
        try:
            referral = services.submit(db.session, draft=draft,
                                       by=current_user if current_user.is_authenticated else None)
        except services.NoReferenceFree:
            form.website.errors = [_("We could not send your request just now. Your answers "
                                     "are saved: try again in a minute.")]
            return render_template("carers/check.html", rows=summary(journey, answers),
                                   form=form), 503
        session[SENT_KEY] = referral.id
        session.pop(TOKEN_KEY, None)
        return redirect(url_for("carers.sent"))
    return render_template("carers/check.html", rows=summary(journey, answers), form=form)


@bp.route("/carers/assessment/sent")
@public
def sent() -> str | Response:
    referral_id = session.get(SENT_KEY)
    referral = db.session.get(CarerReferral, referral_id) if referral_id else None
    if referral is None:
        return redirect(url_for("carers.start"))
    return render_template("carers/sent.html", referral=referral)


@bp.route("/account/carers-assessments")
@signed_in
def mine() -> str:
    return render_template("carers/mine.html",
                           referrals=queries.referrals_of(db.session, current_user))


@bp.route("/carers/queue")
@requires(Permission.CARE_TEAM_WORK)
def queue() -> str:
    return render_template("carers/queue.html", referrals=queries.queue(db.session, current_user))


def _referral_or_404(referral_id: int) -> CarerReferral:
    referral = queries.visible_referral(db.session, current_user, referral_id)
    if referral is None:
        abort(404)
    return referral


@bp.route("/carers/queue/<int:referral_id>")
@requires(Permission.CARE_TEAM_WORK)
def referral(referral_id: int) -> str:
    found = services.view_referral(db.session, referral=_referral_or_404(referral_id),
                                   by=current_user)
    return render_template("carers/referral.html", referral=found,
                           rows=summary(referral_journey(), found.answers),
                           form=StatusForm(data={"status": found.status.value}))


@bp.route("/carers/queue/<int:referral_id>/status", methods=["POST"])
@requires(Permission.CARE_TEAM_WORK)
def change_status(referral_id: int) -> str | Response:
    found = _referral_or_404(referral_id)
    form = StatusForm()
    if form.validate_on_submit():
        services.change_status(db.session, referral=found,
                               status=ReferralStatus(form.status.data), note=form.note.data,
                               by=current_user)
        flash(_("Status changed to %(status)s.", status=found.status.label), "success")
        return redirect(url_for("carers.referral", referral_id=found.id))
    return render_template("carers/referral.html", referral=found,
                           rows=summary(referral_journey(), found.answers), form=form)
