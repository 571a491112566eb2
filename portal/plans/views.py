"""Plan pages. Every URL names whose plan (``/plans/<person_id>/...``); the services ask the
access policy on every request, reads and saves alike. Someone who may not see a plan gets a
404 (nothing is revealed); a carer whose access ended while a page was open gets a page that
shows their text back to copy (403)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.accounts.models import get_user
from portal.authz import signed_in
from portal.extensions import db
from portal.plans import presenters, services
from portal.plans import sections as catalogue
from portal.plans.forms import LinkForm, NoteForm, section_form
from portal.plans.models import LinkKind
from portal.plans.sections import Section

bp = Blueprint("plans", __name__)


def _person(person_id: int) -> Any:
    person = get_user(db.session, person_id)
    if person is None:
        abort(404)
    return person


def _section(section_id: str) -> Section:
    section = catalogue.section(section_id)
    if section is None:
        abort(404)
    return section


def _open(person: Any) -> services.PlanView:
    try:
        return services.open_plan(db.session, person=person, by=current_user)
    except services.NotAllowed:
        abort(404)


def _refused(person: Any, section: Section | None, form: Any) -> tuple[str, int]:
    had_access = services.ever_had_grant(db.session, carer=current_user, person=person)
    if not had_access:
        abort(404)
    return render_template("plans/refused.html", person=person, section=section,
                           form=form), 403


@bp.route("/plan")
@signed_in
def own() -> Response:
    return redirect(url_for("plans.show", person_id=current_user.id))


@bp.route("/plans/<int:person_id>")
@signed_in
def show(person_id: int) -> str:
    view = _open(_person(person_id))
    return render_template("plans/show.html", **presenters.plan_context(db.session, view))


@bp.route("/plans/<int:person_id>/easy-read")
@signed_in
def easy_read(person_id: int) -> str:
    view = _open(_person(person_id))
    return render_template("plans/show.html", easy_read=True,
                           **presenters.plan_context(db.session, view))


@bp.route("/plans/<int:person_id>/print")
@signed_in
def printable(person_id: int) -> str:
    view = _open(_person(person_id))
    return render_template("plans/print.html", **presenters.plan_context(db.session, view))


@bp.route("/plans/<int:person_id>/emergency")
@signed_in
def emergency(person_id: int) -> str:
    view = _open(_person(person_id))
    return render_template("plans/emergency.html", **presenters.plan_context(db.session, view))


@bp.route("/plans/<int:person_id>/sections/<section_id>", methods=["GET", "POST"])
@signed_in
def edit(person_id: int, section_id: str) -> str | Response | tuple[str, int]:
    person, section = _person(person_id), _section(section_id)
    if request.method == "POST":
        return _save(person, section)
    view = _open(person)
    if not view.can_write:
        abort(404)
    current = view.sections.get(section.id)
    draft = services.draft_of(db.session, view.plan, section.id, current_user)
    source = draft.content if draft else (current.content if current else None)
    base = draft.base_number if draft else (current.number if current else 0)
    form = section_form(section, source, base)
    return render_template("plans/edit.html", view=view, person=person, section=section,
                           form=form, draft=draft, current=current)


def _save(person: Any, section: Section) -> str | Response | tuple[str, int]:
    form = section_form(section, formdata=request.form)
    as_draft = request.form.get("action") == "draft"
    if not form.validate():
        view = _open(person)
        return render_template("plans/edit.html", view=view, person=person, section=section,
                               form=form, draft=None, current=view.sections.get(section.id)), 400
    kwargs = {"person": person, "section": section, "content": form.content(),
              "base_number": form.base, "by": current_user}
    try:
        if as_draft:
            services.save_draft(db.session, **kwargs)
            flash(_("Your draft has been kept. It is not part of the plan until you save it."),
                  "success")
            return redirect(url_for("plans.edit", person_id=person.id, section_id=section.id))
        services.save_section(db.session, **kwargs)
    except services.NotAllowed:
        return _refused(person, section, form)
    except services.StaleVersion as stale:
        services.save_draft(db.session, **kwargs)
        return _merge(person, section, form, stale.current)
    flash(_("“%(section)s” has been saved.", section=section.title), "success")
    return redirect(url_for("plans.show", person_id=person.id) + f"#section-{section.id}")


def _merge(person: Any, section: Section, form: Any, current: Any) -> tuple[str, int]:
    view = _open(person)
    theirs = presenters.version_line(db.session, view, services.version_of(
        db.session, view.plan, section.id, current.number))
    form.base_number.data = str(current.number)
    return render_template("plans/merge.html", view=view, person=person, section=section,
                           form=form, current=current, theirs=theirs,
                           mine=catalogue.flatten(section.kind, form.content())), 409


@bp.route("/plans/<int:person_id>/sections/<section_id>/draft", methods=["POST"])
@signed_in
def autosave(person_id: int, section_id: str) -> tuple[Response, int]:
    """The page's script keeps a draft as the person types (answers JSON)."""
    person, section = _person(person_id), _section(section_id)
    form = section_form(section, formdata=request.form)
    if not form.validate():
        return jsonify(saved=False, message=" ".join(form.form_errors) or _("Not saved")), 400
    try:
        draft = services.save_draft(db.session, person=person, section=section,
                                    content=form.content(), base_number=form.base,
                                    by=current_user)
    except services.NotAllowed:
        if not services.ever_had_grant(db.session, carer=current_user, person=person):
            abort(404)
        return jsonify(saved=False, message=_("You can no longer change this plan.")), 403
    return jsonify(saved=True, message=_("Draft saved at %(time)s",
                                         time=presenters.time_of(draft.updated_at))), 200


@bp.route("/plans/<int:person_id>/history")
@signed_in
def history(person_id: int) -> str:
    return _history(_person(person_id), None)


@bp.route("/plans/<int:person_id>/sections/<section_id>/history")
@signed_in
def section_history(person_id: int, section_id: str) -> str:
    return _history(_person(person_id), _section(section_id))


def _history(person: Any, section: Section | None) -> str:
    try:
        view, versions = services.section_history(
            db.session, person=person, by=current_user, section_key=section.id if section else None)
    except services.NotAllowed:
        abort(404)
    return render_template("plans/history.html", view=view, person=person, section=section,
                           entries=presenters.history_entries(db.session, view, versions))


@bp.route("/plans/<int:person_id>/sections/<section_id>/difference")
@signed_in
def difference(person_id: int, section_id: str) -> str:
    person, section = _person(person_id), _section(section_id)
    view = _open(person)
    older, newer = request.args.get("from", type=int), request.args.get("to", type=int)
    old = services.version_of(db.session, view.plan, section.id, older or 0)
    new = services.version_of(db.session, view.plan, section.id, newer or 0)
    if old is None or new is None:
        abort(404)
    return render_template("plans/difference.html", view=view, person=person, section=section,
                           old=presenters.version_line(db.session, view, old),
                           new=presenters.version_line(db.session, view, new),
                           rows=presenters.difference(section, old.content, new.content))


@bp.route("/plans/<int:person_id>/sections/<section_id>/versions/<int:number>/restore",
          methods=["POST"])
@signed_in
def restore(person_id: int, section_id: str, number: int) -> Response | tuple[str, int]:
    person, section = _person(person_id), _section(section_id)
    try:
        version = services.restore_version(db.session, person=person, section=section,
                                           number=number, by=current_user)
    except services.NotAllowed:
        return _refused(person, section, None)
    except services.VersionNotFound:
        return render_template("plans/no_version.html", person=person, section=section,
                               number=number), 404
    flash(_("Version %(old)s of “%(section)s” has been restored as version %(new)s.",
            old=number, section=section.title, new=version.number), "success")
    return redirect(url_for("plans.section_history", person_id=person.id, section_id=section.id))


@bp.route("/plans/<int:person_id>/notes", methods=["POST"])
@signed_in
def add_note(person_id: int) -> Response | tuple[str, int]:
    person = _person(person_id)
    if not services.can_add_note(db.session, person=person, by=current_user):
        abort(404)
    form = NoteForm()
    section_key = form.section.data if catalogue.section(form.section.data or "") else None
    reply_to = int(form.reply_to.data) if (form.reply_to.data or "").isdigit() else None
    if not form.validate_on_submit():
        view = _open(person)
        return render_template("plans/show.html", note_form=form,
                               **presenters.plan_context(db.session, view)), 400
    try:
        services.add_note(db.session, person=person, text=form.text.data or "", by=current_user,
                          section_key=section_key, reply_to_id=reply_to)
    except services.NotAllowed:
        abort(404)
    except services.VersionNotFound:
        abort(404)
    flash(_("Your note has been added."), "success")
    return redirect(url_for("plans.show", person_id=person.id) + "#notes")


@bp.route("/plans/<int:person_id>/links", methods=["POST"])
@signed_in
def add_link(person_id: int) -> Response | tuple[str, int]:
    person = _person(person_id)
    if not services.can_add_link(db.session, person=person, by=current_user):
        abort(404)
    form = LinkForm()
    section = catalogue.section(form.section.data or "") or catalogue.sections()[0]
    choices: list[tuple[str, str]] = []
    if form.validate_on_submit():
        kind = LinkKind(form.kind.data)
        choices = services.link_candidates(db.session, kind, form.target.data or "")
        if len(choices) == 1:
            try:
                services.add_link(db.session, person=person, section_key=section.id, kind=kind,
                                  target=choices[0][0], by=current_user)
            except services.NotAllowed:
                abort(404)
            except services.LinkTargetUnknown:
                choices = []
            else:
                flash(_("The link has been added to the plan."), "success")
                return redirect(url_for("plans.show", person_id=person.id)
                                + f"#section-{section.id}")
        if not choices:
            form.target.errors = [_("There is no approved guidance page or service called "
                                    "that")]
    view = _open(person)
    page = render_template("plans/show.html", link_form=form, link_choices=choices,
                           link_section=section.id, **presenters.plan_context(db.session, view))
    return page, 200 if len(choices) > 1 else 400


@bp.route("/plans/<int:person_id>/links/<int:link_id>/remove", methods=["POST"])
@signed_in
def remove_link(person_id: int, link_id: int) -> Response:
    person = _person(person_id)
    try:
        services.remove_link(db.session, person=person, link_id=link_id, by=current_user)
    except (services.NotAllowed, services.VersionNotFound):
        abort(404)
    flash(_("The link has been removed from the plan."), "success")
    return redirect(url_for("plans.show", person_id=person.id))


@bp.route("/plans/<int:person_id>/fhir.json")
@signed_in
def export_fhir(person_id: int) -> Response:
    person = _person(person_id)
    try:
        data = services.export_fhir(db.session, person=person, by=current_user)
    except services.NotAllowed:
        abort(404)
    response = jsonify(data)
    response.mimetype = "application/fhir+json"
    response.headers["Content-Disposition"] = f'attachment; filename="plan-{person.id}.fhir.json"'
    return response
