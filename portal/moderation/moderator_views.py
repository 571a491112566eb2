"""Moderators' pages: the queue, reviewing a change, history with restore, problem reports."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.authz import Permission, requires
from portal.authz.loading import get_or_404
from portal.directory.models import Service
from portal.extensions import db
from portal.moderation import queries, services
from portal.moderation.form_rules import as_int
from portal.moderation.forms import ConfirmForm, DecisionForm
from portal.moderation.models import ProblemReport, RevisionStatus, ServiceRevision
from portal.moderation.pages import revision_page
from portal.moderation.views import bp

MODERATE = Permission.DIRECTORY_REVISION_MODERATE


@bp.route("/moderation/")
@requires(MODERATE)
def queue() -> str:
    waiting = queries.moderation_queue(db.session)
    return render_template(
        "moderation/queue.html", waiting=waiting,
        services=queries.services_by_id(db.session, (r.service_id for r in waiting)),
        people=queries.users_by_id(db.session, (r.author_id for r in waiting)),
        reports=queries.open_reports(db.session))


@bp.route("/moderation/revisions/<int:revision_id>", methods=["GET", "POST"])
@requires(MODERATE)
def review(revision_id: int) -> str | Response | tuple[str, int]:
    revision = get_or_404(ServiceRevision, revision_id)
    service = db.session.get(Service, revision.service_id) if revision.service_id else None
    reports = queries.open_reports_for(db.session, service.id) if service else []
    form = DecisionForm() if request.method == "POST" else DecisionForm(
        data={"expected_version": service.version if service else "",
              "close_reports": bool(reports)})
    if request.method == "POST" and revision.status is not RevisionStatus.PENDING:
        flash(_("This change has already been decided."), "info")
        return redirect(url_for("moderation.review", revision_id=revision.id))
    if form.validate_on_submit():
        try:
            services.decide(db.session, revision=revision, decision=form.decision.data,
                            reason=form.reason.data or None,
                            expected_version=as_int(form.expected_version.data), by=current_user,
                            close_reports=bool(reports) and form.close_reports.data)
        except services.DecisionConflict:
            form.expected_version.data = str(service.version) if service else ""
            return _review_page(revision, form, conflict=True), 409
        except services.OwnChange:
            form.form_errors.append(_("You made this change, so a different moderator must "
                                      "publish it."))
            return _review_page(revision, form, conflict=False), 200
        except services.ModerationError:
            flash(_("This change has already been decided."), "info")
            return redirect(url_for("moderation.review", revision_id=revision.id))
        flash(_("The change has been published.") if form.decision.data == "publish"
              else _("The change has been rejected. The editor has been told why."), "success")
        return redirect(url_for("moderation.queue"))
    return _review_page(revision, form, conflict=False)


@bp.route("/moderation/services/<service_id>/history")
@requires(MODERATE)
def moderator_history(service_id: str) -> str:
    service = get_or_404(Service, service_id)
    versions = queries.history(db.session, service.id)
    return render_template("moderation/history.html", service=service, moderator=True,
                           versions=versions, people=queries.users_by_id(
                               db.session, [r.author_id for r in versions]))


@bp.route("/moderation/revisions/<int:revision_id>/restore", methods=["POST"])
@requires(MODERATE)
def moderator_restore(revision_id: int) -> Response:
    revision = get_or_404(ServiceRevision, revision_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("moderation.review", revision_id=revision.id))
    try:
        restored = services.restore(db.session, revision=revision, by=current_user)
    except services.ModerationError:
        abort(404)
    flash(_("The old version is waiting for review. A different moderator must check and "
            "publish it."), "success")
    return redirect(url_for("moderation.review", revision_id=restored.id))


@bp.route("/moderation/reports/<int:report_id>/resolve", methods=["POST"])
@requires(MODERATE)
def moderator_resolve_report(report_id: int) -> Response:
    report = get_or_404(ProblemReport, report_id)
    if ConfirmForm().validate_on_submit():
        services.resolve_report(db.session, report=report, by=current_user)
        flash(_("The report is marked as resolved."), "success")
    return redirect(url_for("moderation.queue"))


def _review_page(revision: ServiceRevision, form: DecisionForm, *, conflict: bool) -> str:
    reports = (queries.open_reports_for(db.session, revision.service_id)
               if revision.service_id else [])
    return render_template("moderation/review.html", form=form, conflict=conflict,
                           open_reports=reports,
                           **revision_page(db.session, revision, current_user))
