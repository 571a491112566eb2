from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import lazyload
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from portal.accounts.models import User
from portal.audit.events import AccessReason
from portal.authz import Permission, requires, signed_in
from portal.circles.policy import Access, decide
from portal.extensions import db
from portal.messaging import queries, services
from portal.messaging.cards import card_choices, cards_for
from portal.messaging.crisis import crisis_words
from portal.messaging.files import MAX_FILES, CleanFile, FileRefused, clean
from portal.messaging.forms import (
    AssignForm,
    ComposeForm,
    EmailSettingsForm,
    NoteForm,
    ReplyForm,
)
from portal.messaging.hours import local_text, team_hours
from portal.messaging.leading import leading_fields
from portal.messaging.models import Attachment, MessageKind, MessageThread, ThreadNote
from portal.messaging.saved import saved_responses, with_saved

bp = Blueprint("messaging", __name__)
UPLOAD_LIMIT = 64 * 1024 * 1024  # the whole request; each file is checked against 10 MB
FILE_ERRORS = {
    "too_big": _l("The selected file must be smaller than 10 MB"),
    "empty": _l("The selected file is empty"),
    "wrong_type": _l("The selected file must be a PDF, JPEG or PNG"),
    "too_many_pixels": _l("The selected image is too large to open. Send a smaller photo"),
    "damaged": _l("The selected file could not be opened. Check it and try again"),
    "too_many": _l("Attach up to 5 files"),
    "request_too_big": _l("The selected files must be smaller than 10 MB each"),
}


@bp.url_value_preprocessor
def _allow_uploads(endpoint: str | None, _values: dict[str, Any] | None) -> None:
    # Runs before the app's before-request hooks (CSRF reads the form there).
    if endpoint in ("messaging.compose", "messaging.reply"):
        request.max_content_length = UPLOAD_LIMIT


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error: RequestEntityTooLarge) -> tuple[str, int]:
    """Over the whole-request limit nothing was parsed: read back the fields typed before the
    files (browsers send them first) so the page shows them again, once the CSRF token in
    them checks out. Anything else gets the plain 413 page."""
    from flask_wtf.csrf import validate_csrf
    from wtforms.validators import ValidationError

    from portal.logging import request_id

    fields = leading_fields(request) if (request.content_length or 0) > UPLOAD_LIMIT else None
    try:
        if fields is None or not current_user.is_authenticated:
            raise ValidationError("nothing to show back")
        validate_csrf(fields.get("csrf_token"))
    except ValidationError:
        return render_template("errors/413.html", error=error, request_id=request_id()), 413
    data = {"key": fields.get("key", ""), "body": fields.get("body", ""),
            "subject": fields.get("subject", "")}
    if request.endpoint == "messaging.compose":
        target = _compose_target()
        if target is None:
            abort(404)
        form = ComposeForm(formdata=None, data=data)
        form.attachments.errors = [FILE_ERRORS["request_too_big"]]
        return render_template("messaging/compose.html", form=form, person=target[0],
                               relationship=target[1]), 413
    found = _thread_or_404(int((request.view_args or {}).get("thread_id", 0)))
    decision = services.thread_decision(db.session, actor=current_user, thread=found)
    reply_form = ReplyForm(formdata=None, data=data)
    if decision.reason is AccessReason.CARE_TEAM:
        reply_form.guidance.choices, reply_form.service.choices = card_choices(db.session)
    reply_form.attachments.errors = [FILE_ERRORS["request_too_big"]]
    return _thread_page(found, decision, reply_form, 413)


@bp.after_request
def _close_uploads(response: Response) -> Response:
    if "files" in request.__dict__:  # parsed: close the spooled temporary files now
        for _name, upload in request.files.items(multi=True):
            upload.close()
    return response


@bp.app_template_filter("message_time")
def _message_time(value: datetime | None) -> str:
    if value is None:
        return ""
    return local_text(value, "d MMM yyyy, HH:mm")


@bp.app_context_processor
def _crisis_context() -> dict[str, Any]:
    return {"messaging_crisis_words": crisis_words}


def _files(form: Any) -> tuple[list[CleanFile], str | None]:
    uploads = [f for f in request.files.getlist(form.attachments.name) if f and f.filename]
    if len(uploads) > MAX_FILES:
        return [], "too_many"
    cleaned = []
    try:
        for upload in uploads:
            cleaned.append(clean(upload.filename or "", upload.stream.read(10 * 1024 * 1024 + 1)))
    except FileRefused as refused:
        return [], refused.reason
    finally:
        for upload in uploads:
            upload.close()
    return cleaned, None


def _thread_or_404(thread_id: int) -> MessageThread:
    thread = db.session.get(MessageThread, thread_id)
    if thread is None or not services.thread_decision(db.session, actor=current_user,
                                                      thread=thread):
        abort(404)
    return thread


def _refused(reason: str, text: str, person: User | None) -> tuple[str, int]:
    return render_template("messaging/refused.html", reason=reason, text=text, person=person,
                           consent_url=url_for("circles.team")), 403


@bp.route("/messages")
@signed_in
def index() -> str:
    return render_template("messaging/index.html",
                           threads=queries.my_threads(db.session, current_user),
                           people=queries.people_i_write_for(db.session, current_user))


@bp.route("/messages/new", methods=["GET", "POST"])
@signed_in
def compose() -> str | Response | tuple[str, int]:
    target = _compose_target()
    if target is None:  # not someone they write for (any more)
        wanted = db.session.get(User, request.args.get("for", type=int) or 0)
        if wanted is None or not _was_carer(wanted):
            abort(404)
        return _refused("not_allowed", request.form.get("body", ""), wanted)
    person, relationship = target
    form = ComposeForm()
    if form.validate_on_submit():
        files, problem = _files(form)
        if problem:
            form.attachments.errors = [FILE_ERRORS[problem]]
            status = 413 if problem == "too_big" else 200
            return render_template("messaging/compose.html", form=form, person=person,
                                   relationship=relationship), status
        try:
            sent = services.start_thread(db.session, person=person, subject=form.subject.data,
                                         body=form.body.data, files=files,
                                         key=form.key.data, by=current_user)
        except services.MessagingRefused as refused:
            return _refused(refused.reason, form.body.data, person)
        except IntegrityError:  # the same form, sent twice at once: the other one won
            db.session.rollback()
            sent = services.start_thread(db.session, person=person, subject=form.subject.data,
                                         body=form.body.data, key=form.key.data, by=current_user)
        return _after_send(sent)
    return render_template("messaging/compose.html", form=form, person=person,
                           relationship=relationship)


def _compose_target() -> tuple[User, str | None] | None:
    """Whom this message is for: the user, or a person they are a carer for (``?for=``)."""
    wanted = request.args.get("for", type=int) or current_user.id
    for person, relationship in queries.people_i_write_for(db.session, current_user):
        if person.id == wanted:
            return person, relationship
    return None


def _after_send(sent: services.Sent) -> Response:
    if sent.crisis:
        flash(_("If this is an emergency, call 999 now. For urgent help call 111 or the 24/7 "
                "number. Your message has been sent, but the team may not read it straight "
                "away."), "crisis")
    elif not sent.repeated:
        flash(_("Your message has been sent."), "success")
    return redirect(url_for("messaging.thread", thread_id=sent.message.thread_id))


def _thread_page(thread: MessageThread, decision: Any, reply: ReplyForm | None = None,
                 status: int = 200) -> tuple[str, int]:
    team_side = decision.reason is AccessReason.CARE_TEAM
    # One row: the page needs the person's name, not their roles, teams and organisations.
    person = db.session.scalars(select(User).where(User.id == thread.person_id)
                                .options(lazyload("*"))).one()
    reply = reply or ReplyForm()
    context: dict[str, Any] = {}
    if team_side:
        reply.guidance.choices, reply.service.choices = card_choices(db.session)
        context = {
            "notes": list(db.session.scalars(select(ThreadNote).where(
                ThreadNote.thread_id == thread.id).order_by(ThreadNote.id))),
            "note_form": NoteForm(), "assign_form": _assign_form(thread),
            "saved": saved_responses(),
            "plan_url": f"/plans/{thread.person_id}" if decide(
                db.session, actor=current_user, person=person, access=Access.PLAN_READ)
            else None,
        }
    team = thread.team_id
    from portal.accounts.models import CareTeam

    care_team = db.session.get(CareTeam, team)
    messages = queries.thread_messages(db.session, thread)
    names: dict[int, str] = {user_id: name for user_id, name in db.session.execute(
        select(User.id, User.display_name).where(User.id.in_(
            {m.author_id for m in messages if m.author_id}
            | {n.author_id for n in context.get("notes", []) if n.author_id})))}
    # Person's messages before the team's last one have been replied to.
    last_team = max((i for i, m in enumerate(messages) if m.kind is MessageKind.TEAM),
                    default=-1)
    return render_template(
        "messaging/thread.html", thread=thread, messages=messages, names=names,
        last_team_reply=last_team,
        person=person, team=care_team, hours=team_hours(care_team.slug if care_team else ""),
        team_side=team_side, reply=reply, cards_for=cards_for, **context), status


def _assign_form(thread: MessageThread) -> AssignForm:
    from portal.accounts.models import team_membership

    form = AssignForm(assignee=str(thread.assignee_id or ""))
    members = db.session.execute(select(User.id, User.display_name).join(team_membership).where(
        team_membership.c.team_id == thread.team_id, User.is_active.is_(True))
        .order_by(User.display_name))
    form.assignee.choices = [SelectChoice("", _("Nobody"))] + [
        SelectChoice(str(user_id), name) for user_id, name in members]
    return form


@bp.route("/messages/<int:thread_id>")
@signed_in
def thread(thread_id: int) -> tuple[str, int]:
    found = db.session.get(MessageThread, thread_id) or abort(404)
    try:  # the service asks the policy; a refusal looks like no thread at all
        decision = services.open_thread(db.session, thread=found, by=current_user)
    except services.MessagingRefused:
        abort(404)
    return _thread_page(found, decision)


@bp.route("/messages/<int:thread_id>/reply", methods=["POST"])
@signed_in
def reply(thread_id: int) -> str | Response | tuple[str, int]:
    found = db.session.get(MessageThread, thread_id) or abort(404)
    form = ReplyForm()
    person = db.session.get(User, found.person_id)  # held: the service finds it loaded
    decision = services.thread_decision(db.session, actor=current_user, thread=found,
                                        person=person)
    if not decision:
        known = person is not None and (person.id == current_user.id or _was_carer(person))
        if not known:
            abort(404)
        return _refused("not_allowed", form.body.data or "", person)
    if decision.reason is AccessReason.CARE_TEAM:
        form.guidance.choices, form.service.choices = card_choices(db.session)
        if "use_saved" in request.form:
            # A saved response added to the reply (without JavaScript): the page again, with
            # what was typed and the response's words, and nothing sent.
            combined = with_saved(form.body.data, request.form.get("use_saved"))
            if combined is not None:
                form.body.data = combined
            return _thread_page(found, decision, form)
    else:
        form.guidance.choices = form.service.choices = [SelectChoice("", "—")]
    if not form.validate_on_submit():
        return _thread_page(found, decision, form)
    files, problem = _files(form)
    if problem:
        form.attachments.errors = [FILE_ERRORS[problem]]
        return _thread_page(found, decision, form, 413 if problem == "too_big" else 200)
    cards = cards_for(db.session, form.guidance.data, form.service.data)
    try:
        sent = services.reply(db.session, thread=found, body=form.body.data, files=files,
                              cards=cards, key=form.key.data, by=current_user)
    except services.MessagingRefused as refused:
        return _refused(refused.reason, form.body.data, person)
    except IntegrityError:
        db.session.rollback()
        sent = services.reply(db.session, thread=found, body=form.body.data, key=form.key.data,
                              by=current_user)
    return _after_send(sent)


def _was_carer(person: User) -> bool:
    from portal.circles.models import CarerGrant

    return db.session.scalar(select(CarerGrant.id).where(
        CarerGrant.person_id == person.id, CarerGrant.carer_id == current_user.id).limit(1)
    ) is not None


@bp.route("/messages/<int:thread_id>/attachments/<int:attachment_id>")
@signed_in
def attachment(thread_id: int, attachment_id: int) -> Response:
    found = _thread_or_404(thread_id)
    item = db.session.get(Attachment, attachment_id)
    if item is None or item.message_id not in {m.id for m in found.messages}:
        abort(404)
    item, data = services.open_attachment(db.session, attachment=item, by=current_user)
    response = Response(data, mimetype=item.content_type)
    disposition = "inline" if item.content_type.startswith("image/") else "attachment"
    response.headers["Content-Disposition"] = f"{disposition}; filename=attachment-{item.id}" + (
        {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}[item.content_type])
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# The team's side ----------------------------------------------------------------------------


def _team_thread(thread_id: int) -> MessageThread:
    found = _thread_or_404(thread_id)
    if services.thread_decision(db.session, actor=current_user, thread=found
                                ).reason is not AccessReason.CARE_TEAM:
        abort(404)
    return found


@bp.route("/messages/<int:thread_id>/assign", methods=["POST"])
@requires(Permission.CARE_TEAM_WORK)
def assign(thread_id: int) -> Response:
    found = _team_thread(thread_id)
    form = _assign_form(found)
    if request.form.get("me"):
        form.assignee.data = str(current_user.id)
    if form.validate_on_submit():
        who = db.session.get(User, int(form.assignee.data)) if form.assignee.data else None
        services.assign(db.session, thread=found, assignee=who, by=current_user)
        flash(_("Assigned to %(name)s.", name=who.display_name) if who
              else _("Nobody is assigned now."), "success")
    return redirect(url_for("messaging.thread", thread_id=thread_id))


@bp.route("/messages/<int:thread_id>/notes", methods=["POST"])
@requires(Permission.CARE_TEAM_WORK)
def note(thread_id: int) -> Response | tuple[str, int]:
    found = _team_thread(thread_id)
    form = NoteForm()
    if not form.validate_on_submit():
        decision = services.thread_decision(db.session, actor=current_user, thread=found)
        page, _status = _thread_page(found, decision)
        return page, 200
    services.add_note(db.session, thread=found, body=form.note.data, by=current_user)
    flash(_("Your note has been added. Only your team can see it."), "success")
    return redirect(url_for("messaging.thread", thread_id=thread_id))


@bp.route("/messages/<int:thread_id>/close", methods=["POST"])
@requires(Permission.CARE_TEAM_WORK)
def close(thread_id: int) -> Response:
    found = _team_thread(thread_id)
    services.set_status(db.session, thread=found, closed=True, by=current_user)
    flash(_("The conversation is closed."), "success")
    return redirect(url_for("messaging.thread", thread_id=thread_id))


@bp.route("/messages/<int:thread_id>/reopen", methods=["POST"])
@requires(Permission.CARE_TEAM_WORK)
def reopen(thread_id: int) -> Response:
    found = _team_thread(thread_id)
    services.set_status(db.session, thread=found, closed=False, by=current_user)
    flash(_("The conversation is open again."), "success")
    return redirect(url_for("messaging.thread", thread_id=thread_id))


@bp.route("/inbox")
@requires(Permission.CARE_TEAM_WORK)
def inbox() -> str:
    try:
        which = queries.InboxFilter(request.args.get("show", "open"))
    except ValueError:
        which = queries.InboxFilter.OPEN
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    return render_template("messaging/inbox.html", which=which, page=page,
                           rows=queries.inbox(db.session, current_user, which, page),
                           counts=queries.inbox_counts(db.session, current_user),
                           latest=queries.latest_activity(db.session, current_user),
                           filters=list(queries.InboxFilter), page_size=queries.PAGE_SIZE,
                           count_cap=queries.COUNT_CAP)


@bp.route("/inbox/updates.json")
@requires(Permission.CARE_TEAM_WORK)
def inbox_updates() -> Response:
    counts = queries.inbox_counts(db.session, current_user)
    return jsonify(latest=queries.latest_activity(db.session, current_user),
                   counts={key.value: value for key, value in counts.items()})


@bp.route("/account/message-settings", methods=["GET", "POST"])
@signed_in
def settings() -> str | Response:
    form = EmailSettingsForm(emails="on" if services.email_on(db.session, current_user.id)
                             else "off")
    if form.validate_on_submit():
        services.set_email_notifications(db.session, on=form.emails.data == "on",
                                         by=current_user)
        flash(_("Your message settings have been saved."), "success")
        return redirect(url_for("messaging.index"))
    return render_template("messaging/settings.html", form=form)
