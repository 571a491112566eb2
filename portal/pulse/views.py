"""The experience pulse's answers: one click per statement, from the closed conversation's page
or the carer's own requests page (plain forms, no script needed)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.authz import signed_in
from portal.carers.models import CarerReferral
from portal.extensions import db
from portal.messaging.models import MessageThread
from portal.pulse import services
from portal.pulse.statements import SCALE, Statement, Subject

bp = Blueprint("pulse", __name__)


@bp.app_template_global("pulse_statements")
def pulse_statements(subject: str, item: Any) -> list[Statement]:
    return services.to_ask(db.session, subject=Subject(subject), item=item, person=current_user)


@bp.app_template_global("pulse_scale")
def pulse_scale() -> list[tuple[int, str]]:
    return [(value, str(label)) for value, label in SCALE.items()]


def _answer(subject: Subject, item: Any, page: str) -> Response:
    if not services.theirs(db.session, subject, item, current_user):
        abort(404)  # someone else's: as if there were nothing here
    back = f"{page}#pulse-{subject.value}-{item.id}"
    if not services.finished(subject, item):
        flash(_("There is nothing to answer about this yet."), "error")
        return redirect(page)
    if request.form.get("decline"):
        services.decline(db.session, subject=subject, item=item, by=current_user)
        flash(_("You will not be asked about this again."), "success")
        return redirect(page)
    try:
        statement = Statement(request.form.get("statement", ""))
        value = int(request.form.get("answer", ""))
        if value not in SCALE:
            raise ValueError(value)
    except ValueError:
        flash(_("Choose one of the five answers for a statement."), "error")
        return redirect(back)
    try:
        services.answer(db.session, subject=subject, item=item, statement=statement,
                        value=value, by=current_user)
    except services.AlreadyAnswered:
        flash(_("You have already answered that one. Thank you."), "success")
        return redirect(back)
    except services.NotAsked:
        flash(_("Choose one of the five answers for a statement."), "error")
        return redirect(back)
    flash(_("Thank you. Your answer is kept without your name."), "success")
    return redirect(back)


@bp.route("/messages/<int:thread_id>/pulse", methods=["POST"])
@signed_in
def thread(thread_id: int) -> Response:
    found = db.session.get(MessageThread, thread_id)
    if found is None:
        abort(404)
    return _answer(Subject.THREAD, found, url_for("messaging.thread", thread_id=thread_id))


@bp.route("/account/carers-assessments/<int:referral_id>/pulse", methods=["POST"])
@signed_in
def referral(referral_id: int) -> Response:
    found = db.session.get(CarerReferral, referral_id)
    if found is None:
        abort(404)
    return _answer(Subject.REFERRAL, found, url_for("carers.mine"))
