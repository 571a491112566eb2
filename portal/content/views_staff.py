"""Authors' and approvers' pages: the list of items, the draft editor with its preview,
sending for approval, approving a version, reviewing a live page, withdrawing it.

Authors work on drafts together; two saving the same draft see a conflict with both texts
kept. Approvers approve exactly the version they looked at (its content hash), never their
own. Every page here shows drafts, so only authors and approvers see them.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.authz import Permission, requires
from portal.authz.loading import found_or_404, get_or_404
from portal.content import markdown, media, policies, queries, services
from portal.content.forms import (
    WRITTEN_HERE_LINE,
    ApproveForm,
    ConfirmForm,
    DraftForm,
    NewItemForm,
    ReviewForm,
    SendBackForm,
    SubmitForm,
)
from portal.content.models import ContentItem, ContentVersion, VersionStatus, WithdrawalReason
from portal.content.views import bp, item_context
from portal.content.vocab import AUDIENCES
from portal.extensions import db
from portal.i18n import LANGUAGES

WRITE = Permission.CONTENT_DRAFT_WRITE
APPROVE = Permission.CONTENT_VERSION_APPROVE
STAFF = Permission.STAFF_AREA_USE


def _item_or_404(item_slug: str) -> ContentItem:
    return found_or_404(queries.item_by_slug(db.session, item_slug), allowed=lambda _item: (
        policies.is_author(current_user) or policies.is_approver(current_user)))


def _version_or_404(content_version_id: int) -> ContentVersion:
    return get_or_404(ContentVersion, content_version_id,
                      allowed=lambda version: policies.can_view_version(current_user, version))


def _form_data(version: ContentVersion | None) -> dict[str, Any]:
    if version is None:
        return {"languages": ["en"], "sources": WRITTEN_HERE_LINE}
    data = version.fields()
    data["reading_age"] = str(version.reading_age or "")
    data["sources"] = "\n".join(version.sources or [])
    data["captions"] = (media.load(db.session, version.captions_sha256) or b"").decode(
        "utf-8", "replace") if version.captions_sha256 else ""
    return data


def _months(form: Any) -> Any:
    return policies.add_months(policies.today(), int(form.review_in.data))


@bp.route("/manage/")
@requires(WRITE)
def staff_home() -> str:
    return render_template("content/staff/home.html", rows=queries.staff_items(db.session))


@bp.route("/manage/new", methods=["GET", "POST"])
@requires(WRITE)
def new_item() -> str | Response:
    form = NewItemForm(data=_form_data(None) if request.method == "GET" else None)
    if not _previewing() and form.validate_on_submit():
        try:
            version = services.create_item(db.session, slug=form.slug.data, fields=form.content(),
                                           captions=form.captions.data, by=current_user)
        except services.SlugTaken:
            form.slug.errors.append(_("There is already a page with this web address name"))
        else:
            flash(_("Your draft has been saved."), "success")
            return redirect(url_for("content.staff_item", item_slug=version.item.slug))
    return _editor(form, item=None, draft=None)


@bp.route("/manage/<item_slug>")
@requires(STAFF)
def staff_item(item_slug: str) -> str:
    item = _item_or_404(item_slug)
    versions = queries.history(db.session, item.id)
    people = queries.user_names(db.session, {i for v in versions
                                             for i in (v.author_id, v.edited_by_id) if i})
    return render_template(
        "content/staff/item.html", item=item, versions=versions, people=people,
        live=queries.live_version(db.session, item.id), draft=queries.open_draft(db.session, item.id),
        feedback=queries.feedback_for(db.session, item.id), submit_form=SubmitForm(),
        today=policies.today())


@bp.route("/manage/<item_slug>/edit", methods=["GET", "POST"])
@requires(WRITE)
def edit_item(item_slug: str) -> ResponseReturnValue:
    item = _item_or_404(item_slug)
    draft = queries.open_draft(db.session, item.id)
    start = draft or queries.live_version(db.session, item.id)
    form = DraftForm(data=_form_data(start) if request.method == "GET" else None,
                     based_on=str(draft.revision) if draft and request.method == "GET" else None)
    if not _previewing() and form.validate_on_submit():
        try:
            services.save_draft(db.session, item=item, fields=form.content(),
                                based_on=_int(form.based_on.data), captions=form.captions.data,
                                by=current_user)
        except services.DraftConflict as conflict:
            return _conflict(form, item, conflict)
        flash(_("Your draft has been saved."), "success")
        return redirect(url_for("content.staff_item", item_slug=item.slug))
    return _editor(form, item=item, draft=draft)


def _conflict(form: DraftForm, item: ContentItem, conflict: services.DraftConflict
              ) -> tuple[str, int]:
    current = db.session.get(ContentVersion, conflict.current.id)
    form.based_on.data = str(current.revision) if current is not None else ""
    return _editor(form, item=item, draft=current, conflict=current), 409


def _previewing() -> bool:
    return request.method == "POST" and request.form.get("action") == "preview"


def _editor(form: DraftForm, *, item: ContentItem | None, draft: ContentVersion | None,
            conflict: ContentVersion | None = None) -> str:
    preview, removed = (markdown.render_with_report(form.body.data)
                        if request.method == "POST" else (None, False))
    return render_template("content/staff/edit.html", form=form, item=item, draft=draft,
                           preview=preview, raw_html_removed=removed, conflict=conflict,
                           conflict_body=markdown.render(conflict.body) if conflict else None)


@bp.route("/manage/<item_slug>/submit", methods=["POST"])
@requires(WRITE)
def submit_item(item_slug: str) -> Response:
    item = _item_or_404(item_slug)
    draft, form = queries.open_draft(db.session, item.id), SubmitForm()
    if draft is None:
        abort(404)
    if not form.validate_on_submit():
        return redirect(url_for("content.staff_item", item_slug=item.slug))
    try:
        services.submit(db.session, version=draft, based_on=_int(form.based_on.data) or 0,
                        by=current_user)
    except services.ContentError:
        flash(_("The draft changed or was already sent. Check it and send it again."), "info")
        return redirect(url_for("content.staff_item", item_slug=item.slug))
    flash(_("Your draft has been sent for approval."), "success")
    return redirect(url_for("content.staff_item", item_slug=item.slug))


@bp.route("/manage/versions/<int:content_version_id>")
@requires(STAFF)
def version_preview(content_version_id: int) -> str:
    version = _version_or_404(content_version_id)
    return render_template("content/staff/version.html",
                           **item_context(version, preview_mode=True))


# Approvers --------------------------------------------------------------------------------

@bp.route("/approvals/")
@requires(APPROVE)
def approvals() -> str:
    return render_template("content/staff/approvals.html",
                           submitted=queries.submitted_versions(db.session),
                           due=queries.review_due_versions(db.session), today=policies.today(),
                           withdrawal_date=policies.withdrawal_date)


@bp.route("/approvals/<int:content_version_id>", methods=["GET", "POST"])
@requires(APPROVE)
def review(content_version_id: int) -> str | Response:
    version = _version_or_404(content_version_id)
    form = ApproveForm(seen_hash=version.content_hash if request.method == "GET" else None)
    refusal = None
    if form.validate_on_submit():
        try:
            services.approve(db.session, version=version, seen_hash=form.seen_hash.data or "",
                             review_due=_months(form), by=current_user)
        except services.ApprovalRefused as refused:
            refusal = refused.message
        else:
            flash(_("Version %(number)s is approved and residents can now see it.",
                    number=version.number), "success")
            return redirect(url_for("content.staff_item", item_slug=version.item.slug))
    return _review_page(version, form, refusal)


@bp.route("/approvals/<int:content_version_id>/send-back", methods=["POST"])
@requires(APPROVE)
def send_back(content_version_id: int) -> str | Response:
    version = _version_or_404(content_version_id)
    form = SendBackForm()
    if form.validate_on_submit():
        try:
            services.send_back(db.session, version=version, comment=form.comment.data,
                               by=current_user)
        except services.NotOpen:
            flash(_("This version is no longer waiting for approval."), "info")
            return redirect(url_for("content.staff_item", item_slug=version.item.slug))
        flash(_("Version %(number)s has gone back to its author with your comments.",
                number=version.number), "success")
        return redirect(url_for("content.approvals"))
    return _review_page(version, ApproveForm(seen_hash=version.content_hash), None,
                        send_back_form=form)


def _review_page(version: ContentVersion, form: ApproveForm, refusal: str | None,
                 send_back_form: SendBackForm | None = None) -> str:
    problems = services.captions_problems(db.session, version)
    return render_template(
        "content/staff/review.html", form=form, refusal=refusal,
        send_back_form=send_back_form or SendBackForm(formdata=None),
        audience_labels=AUDIENCES, language_names={code: lang.native_name
                                                   for code, lang in LANGUAGES.items()},
        cannot_approve=policies.approval_refusal(current_user, version,
                                                 queries.contributors(db.session, version)),
        captions_problems=[str(p) for p in problems], **item_context(version))


@bp.route("/approvals/<int:content_version_id>/still-correct", methods=["GET", "POST"])
@requires(APPROVE)
def reapprove(content_version_id: int) -> str | Response:
    version = _version_or_404(content_version_id)
    if version.status is not VersionStatus.APPROVED:
        abort(404)
    form, refusal = ReviewForm(), None
    if form.validate_on_submit():
        try:
            services.reapprove(db.session, version=version, review_due=_months(form), by=current_user)
        except services.ApprovalRefused as refused:
            refusal = refused.message
        else:
            flash(_("The page has been reviewed. Its next review is due on %(date)s.",
                    date=format_date(version.review_due, "d MMMM yyyy")), "success")
            return redirect(url_for("content.staff_item", item_slug=version.item.slug))
    return render_template("content/staff/reapprove.html", form=form, version=version,
                           refusal=refusal)


@bp.route("/approvals/<int:content_version_id>/withdraw", methods=["GET", "POST"])
@requires(APPROVE)
def withdraw(content_version_id: int) -> str | Response:
    version = _version_or_404(content_version_id)
    if version.status is not VersionStatus.APPROVED:
        abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        services.withdraw(db.session, version=version, reason=WithdrawalReason.APPROVER,
                          by=current_user)
        flash(_("The page has been withdrawn. Residents can no longer see it."), "success")
        return redirect(url_for("content.staff_item", item_slug=version.item.slug))
    return render_template("content/staff/withdraw.html", form=form, version=version)


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None
