"""Editors' pages: their listings, the listing editor, conflicts, history and reports.

Moderators' pages are in ``moderator_views``, "report a problem" in ``report_views``; both
add routes to this blueprint.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.authz import Permission, requires
from portal.authz.loading import get_or_404
from portal.directory import recurrence
from portal.directory.models import Organisation, Service
from portal.extensions import db
from portal.moderation import diff, policies, preview, queries, services
from portal.moderation.form_rules import as_int
from portal.moderation.forms import ConfirmForm, ServiceForm, form_data
from portal.moderation.models import ProblemReport, RevisionStatus, ServiceRevision
from portal.moderation.pages import dashboard, editor_form_context, revision_page
from portal.moderation.snapshot import empty_snapshot, snapshot
from portal.search import words

bp = Blueprint("moderation", __name__)
EDIT = Permission.DIRECTORY_LISTING_EDIT


def _service_or_404(service_id: str) -> Service:
    return get_or_404(Service, service_id,
                      allowed=lambda service: policies.can_edit_service(current_user, service))


def _revision_or_404(revision_id: int) -> ServiceRevision:
    return get_or_404(ServiceRevision, revision_id,
                      allowed=lambda revision: policies.can_view_revision(current_user, revision))


def _organisation_or_404() -> Organisation:
    ids = policies.editor_organisation_ids(current_user)
    wanted = request.args.get("organisation") or (next(iter(ids)) if len(ids) == 1 else None)
    if wanted not in ids:
        abort(404)
    return get_or_404(Organisation, wanted)


@bp.route("/editor/")
@requires(EDIT)
def editor_home() -> str:
    return render_template("moderation/editor_home.html",
                           **dashboard(db.session, current_user, policies.today()))


@bp.route("/editor/services/new", methods=["GET", "POST"])
@requires(EDIT)
def new_service() -> ResponseReturnValue:
    organisation = _organisation_or_404()
    form = _form(empty_snapshot(), base_version=None)
    action = url_for("moderation.new_service", organisation=organisation.id)
    if _only_showing(form):
        return _render_form(form, organisation=organisation, service=None, action=action,
                            listing_preview=_preview(form, organisation, None))
    if form.validate_on_submit():
        revision = services.submit_revision(
            db.session, organisation=organisation, service=None, data=form.to_snapshot(),
            base_version=None, replaces=None, note=form.note.data or None, by=current_user)
        return _sent(revision)
    return _render_form(form, organisation=organisation, service=None, action=action)


@bp.route("/editor/services/<service_id>/edit", methods=["GET", "POST"])
@requires(EDIT)
def edit_service(service_id: str) -> ResponseReturnValue:
    service = _service_or_404(service_id)
    start_from = _start_from(service)
    start = services.edit_start(db.session, service=service, by=current_user,
                                start_from=start_from, fresh=request.args.get("start") == "current")
    form = _form(start.data, base_version=start.base_version, replaces=start.replaces,
                 note=start.note, extra_languages=snapshot(service)["languages"])
    if _only_showing(form):
        return _render_form(form, organisation=service.organisation, service=service,
                            start_from=start_from,
                            listing_preview=_preview(form, service.organisation, service))
    if form.validate_on_submit():
        try:
            revision = services.submit_revision(
                db.session, organisation=service.organisation, service=service,
                data=form.to_snapshot(), base_version=as_int(form.base_version.data),
                replaces=as_int(form.replaces.data), note=form.note.data or None, by=current_user)
        except services.EditConflict as conflict:
            return _render_form(form, organisation=service.organisation, service=service,
                                conflict=conflict, status=409)
        except services.ModerationError:
            return _try_again(service)
        return _sent(revision)
    return _render_form(form, organisation=service.organisation, service=service,
                        start_from=start_from)


@bp.route("/editor/revisions/<int:revision_id>/edit", methods=["GET", "POST"])
@requires(EDIT)
def edit_draft(revision_id: int) -> ResponseReturnValue:
    revision = _revision_or_404(revision_id)
    if not policies.can_change_revision(current_user, revision):
        abort(404)
    if revision.service_id is not None:
        return redirect(url_for("moderation.edit_service", service_id=revision.service_id))
    form = _form(revision.data, base_version=None, note=revision.note)
    organisation = get_or_404(Organisation, revision.organisation_id)
    action = url_for("moderation.edit_draft", revision_id=revision.id)
    if _only_showing(form):
        return _render_form(form, organisation=organisation, service=None, action=action,
                            listing_preview=_preview(form, organisation, None))
    if form.validate_on_submit():
        try:
            services.update_draft(db.session, revision=revision, data=form.to_snapshot(),
                                  note=form.note.data or None, by=current_user)
        except services.ModerationError:
            flash(_("This listing has already been reviewed, so it cannot be changed."), "info")
            return redirect(url_for("moderation.editor_revision", revision_id=revision.id))
        return _sent(revision)
    return _render_form(form, organisation=organisation, service=None, action=action)


@bp.route("/editor/services/<service_id>/confirm", methods=["POST"])
@requires(EDIT)
def confirm_service(service_id: str) -> Response:
    service = _service_or_404(service_id)
    if ConfirmForm().validate_on_submit():
        try:
            services.confirm_still_correct(db.session, service=service, by=current_user)
        except services.ModerationError:
            return _try_again(service)
        flash(_("Thank you. %(name)s is marked as checked today.", name=service.name), "success")
    return redirect(url_for("moderation.editor_home"))


@bp.route("/editor/services/<service_id>/history")
@requires(EDIT)
def editor_history(service_id: str) -> str:
    service = _service_or_404(service_id)
    versions = queries.history(db.session, service.id)
    return render_template("moderation/history.html", service=service, moderator=False,
                           versions=versions, people=_people(versions))


@bp.route("/editor/revisions/<int:revision_id>")
@requires(EDIT)
def editor_revision(revision_id: int) -> str:
    revision = _revision_or_404(revision_id)
    return render_template("moderation/revision.html",
                           **revision_page(db.session, revision, current_user))


@bp.route("/editor/reports/<int:report_id>/resolve", methods=["POST"])
@requires(EDIT)
def editor_resolve_report(report_id: int) -> Response:
    report = get_or_404(ProblemReport, report_id)
    _service_or_404(report.service_id)
    if ConfirmForm().validate_on_submit():
        services.resolve_report(db.session, report=report, by=current_user)
        flash(_("The report is marked as resolved."), "success")
    return redirect(url_for("moderation.editor_home"))


# Helpers ----------------------------------------------------------------------------------

def _form(data: dict[str, Any], *, base_version: int | None, replaces: int | None = None,
          note: str | None = None, extra_languages: list[str] = ()) -> ServiceForm:  # type: ignore[assignment]
    """The editor form: the submitted one on POST, else filled from ``data``."""
    if request.method == "POST":
        form = ServiceForm()
        form.add_block(request.form.get("add"))
    else:
        form = ServiceForm(formdata=None, data=form_data(data, base_version=base_version,
                                                         replaces=replaces, note=note))
    codes = [*extra_languages, *(data.get("languages") or [])]
    form.set_choices(term_groups=queries.term_groups(db.session),
                     localities=queries.localities(db.session),
                     languages=diff.language_choices(codes))
    return form


def _only_showing(form: ServiceForm) -> bool:
    """"Add another" or "Preview" pressed: the form is shown again (with the preview when
    it is valid) and nothing is sent."""
    return request.method == "POST" and ("add" in request.form or "preview" in request.form)


def _preview(form: ServiceForm, organisation: Organisation,
             service: Service | None) -> preview.Preview | None:
    """The public listing as the form would publish it: only for "Preview" on a valid form
    (an invalid one shows its errors instead)."""
    if "preview" not in request.form or not form.validate_on_submit():
        return None
    return preview.preview(db.session, form.to_snapshot(), organisation=organisation,
                           service=service, today=policies.today())


def _start_from(service: Service) -> ServiceRevision | None:
    """``?start=<id>``: build on another waiting revision, or restore a published one."""
    wanted = as_int(request.args.get("start"))
    revision = db.session.get(ServiceRevision, wanted) if wanted else None
    if revision is None or revision.service_id != service.id or revision.status not in (
            RevisionStatus.PENDING, RevisionStatus.PUBLISHED):
        return None
    return revision


def _render_form(form: ServiceForm, *, organisation: Organisation, service: Service | None,
                 status: int = 200, **context: Any) -> tuple[str, int]:
    page = editor_form_context(db.session, form, organisation=organisation, service=service,
                               user=current_user, **context)
    return render_template("moderation/edit.html", **page, words=words,
                           recurrence=recurrence), status


def _sent(revision: ServiceRevision) -> Response:
    flash(_("Your change has been sent for review. A moderator will check it before it is "
            "published."), "success")
    return redirect(url_for("moderation.editor_revision", revision_id=revision.id))


def _try_again(service: Service) -> Response:
    flash(_("Someone else changed this listing at the same moment. Check it and try again."),
          "info")
    return redirect(url_for("moderation.edit_service", service_id=service.id))


def _people(revisions: list[ServiceRevision]) -> dict[int, Any]:
    return queries.users_by_id(db.session, [r.author_id for r in revisions])


from portal.moderation import moderator_views, report_views  # noqa: E402, F401  (their routes)
