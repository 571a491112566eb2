"""The self-referral form: anyone, no account needed. Its pages, saving to come back later
(from the account, or by an emailed single-use link), and sending.

The draft's token lives in the browser session and, on every question page, in a hidden field
too: a page posted after the session has gone (timed out, browser restarted) still names its
draft, so what was typed is saved. That token is a secret only this person's pages hold, so it
is as good a proof as the CSRF token, which has gone with the session.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Response as FlaskResponse,
)
from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_limiter import RequestLimit
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from portal.authz import public, signed_in
from portal.carers import prefill, services
from portal.carers.forms import ResumeEmailForm, SendForm
from portal.carers.journey import JOURNEY_ID, referral_journey
from portal.carers.models import CarerReferral
from portal.carers.summary import summary
from portal.carers.views import bp
from portal.extensions import csrf, db, limiter
from portal.journeys import flow
from portal.journeys import services as journeys
from portal.journeys.definition import Page
from portal.journeys.forms import answers_of, page_form
from portal.journeys.models import JourneyDraft

TOKEN_KEY = f"journey.{JOURNEY_ID}"
SENT_KEY = f"journey.{JOURNEY_ID}.sent"
DRAFT_FIELD = "draft"
SAVE_ACTION = "save"


def _user_id() -> int | None:
    return int(current_user.id) if current_user.is_authenticated else None


def _draft() -> JourneyDraft | None:
    return journeys.open_draft(db.session, JOURNEY_ID, session.get(TOKEN_KEY),
                               user_id=_user_id())


def _posted_draft() -> JourneyDraft | None:
    """The draft named by the page's hidden field, taken into this session (see above)."""
    token = request.form.get(DRAFT_FIELD, "")[:100]
    draft = journeys.open_draft(db.session, JOURNEY_ID, token, user_id=_user_id())
    if draft is not None:
        session[TOKEN_KEY] = token
    return draft


def _held() -> JourneyDraft | None:
    """This session's draft or, on a POST after the session has gone, the page's."""
    draft = _draft()
    if draft is None and request.method == "POST":
        draft = _posted_draft()
    return draft


def _validate(form: FlaskForm, draft: JourneyDraft | None) -> tuple[bool, bool]:
    """(valid, proved): the form's fields, and whether the POST is this person's own (the
    CSRF token, or the draft's token in the page). A CSRF error is never shown as a field's."""
    valid = form.validate()
    proved = "csrf_token" not in form.errors or (
        draft is not None and request.form.get(DRAFT_FIELD) == session.get(TOKEN_KEY))
    form.csrf_token.errors = []
    form._errors = None  # WTForms caches them
    return valid or not form.errors, proved


def _token_of(draft: JourneyDraft | None) -> str | None:
    return session.get(TOKEN_KEY) if draft is not None else None


def _answers() -> flow.Answers:
    draft = _draft()
    return draft.answers if draft else {}


def _private(body: str, code: int = 200) -> FlaskResponse:
    """Pages that hold the draft's token are never kept by a cache."""
    response = make_response(body, code)
    response.headers["Cache-Control"] = "no-store"
    return response


def _onward_url(answers: flow.Answers) -> str:
    where = flow.position(referral_journey(), answers)
    if where.stop:
        return url_for("carers.stop", stop_id=where.stop)
    if where.next_page:
        return url_for("carers.question", page_id=where.next_page.id)
    return url_for("carers.check")


def _onward(answers: flow.Answers) -> Response:
    return redirect(_onward_url(answers))


def _back(answers: flow.Answers, page: Page | None) -> str:
    """The page before this one on the path (links work without JavaScript)."""
    path = list(flow.position(referral_journey(), answers).path)
    before = path[:path.index(page)] if page in path else path
    if not before:
        return url_for("carers.start")
    return url_for("carers.question", page_id=before[-1].id)


@bp.route("/carers/assessment")
@public
def start() -> FlaskResponse:
    held = _draft()
    waiting = None
    if held is None and current_user.is_authenticated:
        waiting = journeys.draft_of_user(db.session, JOURNEY_ID, int(current_user.id))
    return _private(render_template(
        "carers/start.html", journey=referral_journey(), first=referral_journey().pages[0],
        held=held if held is not None and held.answers else None, waiting=waiting,
        carry_on_url=_onward_url(held.answers) if held is not None else None))


@bp.route("/carers/assessment/continue", methods=["POST"])
@signed_in
def carry_on() -> Response:
    """A signed-in carer takes up their unsent draft (from another browser, or an old one)."""
    form = FlaskForm()
    draft = journeys.draft_of_user(db.session, JOURNEY_ID, int(current_user.id))
    if not form.validate_on_submit() or draft is None:
        return redirect(url_for("carers.start"))
    session[TOKEN_KEY] = journeys.take_over(db.session, draft=draft)
    session.pop(SENT_KEY, None)
    flash(_("Welcome back. Your answers so far are saved: carry on where you left off."),
          "success")
    return _onward(draft.answers)


def _question_page(page: Page, form: FlaskForm, answers: flow.Answers, draft: Any, *,
                   timed_out: bool = False, prefilled: bool = False) -> FlaskResponse:
    journey = referral_journey()
    return _private(render_template(
        "carers/question.html", journey=journey, page=page, form=form, back=_back(answers, page),
        draft_token=_token_of(draft), timed_out=timed_out, prefilled=prefilled))


@bp.route("/carers/assessment/<page_id>", methods=["GET", "POST"])
@public
@csrf.exempt  # type: ignore[untyped-decorator]  # checked below (see the module's doc)
def question(page_id: str) -> FlaskResponse | Response:
    journey = referral_journey()
    page = journey.page(page_id)
    if page is None:
        abort(404)
    draft = _held()
    answers = draft.answers if draft else {}
    if not flow.reachable(journey, answers, page):
        return _onward(answers)
    saved = answers.get(page.id)
    filled = None if saved is not None or request.method == "POST" else prefill.answers_for(
        db.session, page, current_user, answers)
    form = page_form(page, data=saved if saved is not None else filled)
    if request.method != "POST":
        return _question_page(page, form, answers, draft, prefilled=bool(filled))
    valid, proved = _validate(form, draft)
    if not proved:
        # The session (and its CSRF secret) has gone and nothing names a draft yet: show
        # what was typed again, with a new token, for the person to send once more.
        return _question_page(page, form, answers, draft, timed_out=True)
    if not valid:
        return _question_page(page, form, answers, draft)
    token = session.get(TOKEN_KEY) if draft is not None else None
    if token is None:
        token = session[TOKEN_KEY] = journeys.new_token()
    saved_draft = journeys.save_page(db.session, journey=JOURNEY_ID, token=token,
                                     page_id=page.id, answers=answers_of(page, form),
                                     user_id=_user_id())
    if request.form.get("action") == SAVE_ACTION:
        return redirect(url_for("carers.save_for_later"))
    return _onward(saved_draft.answers)


@bp.route("/carers/assessment/stop/<stop_id>")
@public
def stop(stop_id: str) -> str:
    found = referral_journey().stops.get(stop_id)
    if found is None:
        abort(404)
    return render_template("carers/stop.html", stop=found, back=_back(_answers(), None))


def _check_page(answers: flow.Answers, form: SendForm, draft: JourneyDraft, code: int = 200,
                *, timed_out: bool = False) -> tuple[FlaskResponse, int]:
    return _private(render_template("carers/check.html", rows=summary(referral_journey(), answers),
                                    form=form, draft_token=_token_of(draft),
                                    timed_out=timed_out), code), code


def _sent_too_many(_limit: RequestLimit) -> FlaskResponse | None:
    """The limit on sending is hit: the check page again, saying so, with the answers kept
    (nothing sent). Without a draft to show, the usual "Too many attempts" page."""
    draft = _held()
    if draft is None:
        return None
    form = SendForm()
    form.website.errors = [_("We have had too many requests from here in the last hour. "
                             "Your answers are saved: wait a while and press Send request "
                             "again.")]
    return _check_page(draft.answers, form, draft, 429)[0]


@bp.route("/carers/assessment/check", methods=["GET", "POST"])
@public
@limiter.limit(lambda: str(current_app.config.get("CARER_REFERRAL_RATE", "10 per hour")),
               methods=["POST"], exempt_when=lambda: bool(current_user.is_authenticated),
               on_breach=_sent_too_many)
@csrf.exempt  # type: ignore[untyped-decorator]  # checked below (see the module's doc)
def check() -> Response | tuple[FlaskResponse, int]:
    journey = referral_journey()
    draft = _held()
    answers = draft.answers if draft else {}
    where = flow.position(journey, answers)
    if draft is None or where.next_page or where.stop:
        if draft is None and session.get(SENT_KEY):
            return redirect(url_for("carers.sent"))
        return _onward(answers)
    form = SendForm()
    if request.method != "POST":
        return _check_page(answers, form, draft)
    _valid, proved = _validate(form, draft)
    if not proved:
        return _check_page(answers, form, draft, timed_out=True)
    if form.website.data:
        form.website.errors = [_("We could not send your request. Try again.")]
        return _check_page(answers, form, draft, 400)
    try:
        referral = services.submit(db.session, draft=draft,
                                   by=current_user if current_user.is_authenticated else None)
    except services.NoReferenceFree:
        form.website.errors = [_("We could not send your request just now. Your answers "
                                 "are saved: try again in a minute.")]
        return _check_page(answers, form, draft, 503)
    session[SENT_KEY] = referral.id
    session.pop(TOKEN_KEY, None)
    return redirect(url_for("carers.sent"))


@bp.route("/carers/assessment/sent")
@public
def sent() -> str | Response:
    referral_id = session.get(SENT_KEY)
    referral = db.session.get(CarerReferral, referral_id) if referral_id else None
    if referral is None:
        return redirect(url_for("carers.start"))
    return render_template("carers/sent.html", referral=referral)


# Save and come back later -------------------------------------------------------------------


def _resume_rate() -> str:
    return str(current_app.config.get("CARER_RESUME_RATE", "5 per hour"))


def _too_many(_limit: RequestLimit) -> FlaskResponse:
    """The limit is hit: the page again with the address typed, and nothing sent."""
    return _save_page(ResumeEmailForm(), _draft(), limited=True, code=429)


def _resume_days() -> int:
    return int(current_app.config.get("CARER_RESUME_DAYS", 7))


def _save_page(form: ResumeEmailForm, draft: JourneyDraft | None, *, timed_out: bool = False,
               limited: bool = False, code: int = 200) -> FlaskResponse:
    return _private(render_template(
        "carers/save.html", form=form, days=_resume_days(), draft_token=_token_of(draft),
        carry_on_url=_onward_url(draft.answers) if draft is not None else None,
        timed_out=timed_out, limited=limited), code)


@bp.route("/carers/assessment/save", methods=["GET", "POST"])
@public
@limiter.limit(_resume_rate, methods=["POST"], on_breach=_too_many)
@csrf.exempt  # type: ignore[untyped-decorator]  # checked below (see the module's doc)
def save_for_later() -> FlaskResponse | Response:
    draft = _held()
    if draft is None or not draft.answers:
        return redirect(url_for("carers.start"))
    if current_user.is_authenticated:
        return _private(render_template("carers/saved_to_account.html",
                                        carry_on_url=_onward_url(draft.answers)))
    form = ResumeEmailForm()
    if request.method != "POST":
        return _save_page(form, draft)
    valid, proved = _validate(form, draft)
    if not proved or not valid:
        return _save_page(form, draft, timed_out=not proved)
    services.send_resume_link(db.session, draft=draft, email=form.email.data,
                              days=_resume_days(), by=None)
    return _private(render_template("carers/save_sent.html", email=form.email.data,
                                    days=_resume_days(),
                                    carry_on_url=_onward_url(draft.answers)))


@bp.route("/carers/assessment/resume/<token>", methods=["GET", "POST"])
@public
@limiter.limit("20 per hour", methods=["POST"])
def resume(token: str) -> FlaskResponse | Response:
    """An emailed link back to a draft. Opening it changes nothing (mail scanners open links);
    pressing the button uses it up and brings the answers into this browser."""
    form = FlaskForm()
    try:
        if form.validate_on_submit():
            resumed = journeys.use_resume_link(db.session, journey=JOURNEY_ID, link=token)
            session[TOKEN_KEY] = resumed.token
            session.pop(SENT_KEY, None)
            flash(_("Welcome back. Your answers so far are saved: carry on where you left off."),
                  "success")
            return _onward(resumed.draft.answers)
        journeys.check_resume_link(db.session, JOURNEY_ID, token)
    except journeys.LinkProblem as problem:
        return _private(render_template("carers/resume_problem.html", reason=problem.reason),
                        410 if problem.reason != "unknown" else 404)
    return _private(render_template("carers/resume.html", form=form, token=token))
