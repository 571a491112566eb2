"""Residents' pages: the library, topics and conditions, search, items, video, Easy Read,
feedback, the captions setting and the media files. Staff pages are in ``views_staff``.

Residents see only live versions (``policies.is_live``); anything else is "not found".
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from portal.accounts.models import User
from portal.authz import Permission, public, requires, signed_in
from portal.authz.loading import found_or_404
from portal.circles.forms import NameSearchForm
from portal.circles.policy import people_served
from portal.content import markdown, media, policies, queries, services
from portal.content.forms import CaptionsForm, FeedbackForm, RecommendForm, SearchForm
from portal.content.models import ContentVersion
from portal.content.search import search_content
from portal.content.vocab import BROWSABLE_CONDITIONS, TOPICS
from portal.extensions import db, limiter
from portal.i18n import current_language

bp = Blueprint("content", __name__, url_prefix="/guidance")


def _live_or_404(item_slug: str) -> ContentVersion:
    return found_or_404(queries.visible_by_slug(db.session, item_slug))


def media_url(digest: str | None, content_type: str) -> str | None:
    if digest is None:
        return None
    return url_for("content.media_file", media_ref=f"{digest}.{media.EXTENSIONS[content_type]}")


def item_context(version: ContentVersion, **extra: Any) -> dict[str, Any]:
    """What the item and player pages show of a version (also the staff preview)."""
    video_type = "video/mp4"
    if version.video_sha256:
        row = db.session.get(media.ContentMedia, version.video_sha256)
        video_type = row.content_type if row is not None else video_type
    language = current_language().code
    translation = version.translation(language) if language != "en" else None
    poster = db.session.get(media.ContentMedia, version.item.poster_sha256) \
        if version.video_sha256 and version.item.poster_sha256 else None
    return {
        "version": version, "body": markdown.render(version.body),
        "transcript": markdown.render(version.transcript, top=3),
        "under_review": policies.is_under_review(version),
        "video_url": media_url(version.video_sha256, video_type), "video_type": video_type,
        "captions_url": media_url(version.captions_sha256, media.VTT_TYPE),
        "poster_url": media_url(poster.sha256, poster.content_type) if poster else None,
        # The reader's language, when the version has a translation in it (else English).
        "translation": translation,
        "translated_body": markdown.render(translation.body) if translation else None,
        "translated_captions": {
            "url": media_url(translation.captions_sha256, media.VTT_TYPE), "lang": language,
        } if translation and translation.captions_sha256 and version.video_sha256 else None,
        "captions_on": bool(current_user.captions_on) if current_user.is_authenticated
        else request.cookies.get("captions") == "on",
        "can_recommend": policies.can_recommend(current_user), **extra,
    }


@bp.route("/")
@public
def library() -> str:
    versions = queries.visible_versions(db.session)
    counts = {key: sum(key in v.topics for v in versions) for key in TOPICS}
    return render_template("content/library.html", versions=versions, topics=TOPICS,
                           topic_counts=counts, conditions=BROWSABLE_CONDITIONS,
                           form=SearchForm(formdata=None))


@bp.route("/topics/<topic>")
@public
def topic(topic: str) -> str:
    if topic not in TOPICS:
        abort(404)
    return render_template("content/listing.html", heading=TOPICS[topic],
                           versions=queries.visible_versions(db.session, topic=topic))


@bp.route("/conditions/<condition>")
@public
def condition(condition: str) -> str:
    if condition not in BROWSABLE_CONDITIONS:
        abort(404)
    return render_template("content/listing.html", heading=BROWSABLE_CONDITIONS[condition],
                           versions=queries.visible_versions(db.session, condition=condition))


@bp.route("/search")
@public
def search() -> str:
    form = SearchForm(request.args)
    query = form.q.data if form.validate() and form.q.data else ""
    page = request.args.get("page", "1")
    results = search_content(query, int(page) if page.isdigit() and len(page) < 5 else 1,
                             correct=request.args.get("spell") != "off") if query else None
    return render_template("content/search.html", form=form, results=results, query=query)


@bp.route("/<item_slug>")
@public
def item(item_slug: str) -> str:
    version = _live_or_404(item_slug)
    return render_template("content/item.html", **item_context(version, form=FeedbackForm()))


@bp.route("/<item_slug>/watch")
@public
def watch(item_slug: str) -> str:
    version = _live_or_404(item_slug)
    if version.video_sha256 is None:
        abort(404)
    return render_template("content/watch.html", **item_context(version))


@bp.route("/<item_slug>/easy-read")
@public
def easy_read(item_slug: str) -> str:
    version = _live_or_404(item_slug)
    if not version.easy_read:
        abort(404)
    return render_template("content/easy_read.html", version=version,
                           easy_read=markdown.render(version.easy_read))


@bp.route("/<item_slug>/feedback", methods=["POST"])
@public
@limiter.limit("20 per hour", methods=["POST"])
def feedback(item_slug: str) -> ResponseReturnValue:
    version = _live_or_404(item_slug)
    form = FeedbackForm()
    if not form.validate_on_submit():
        return render_template("content/item.html", **item_context(version, form=form)), 400
    services.record_feedback(db.session, version=version, helpful=form.helpful.data == "yes",
                             comment=form.comment.data)
    flash(_("Thank you for your feedback."), "success")
    return redirect(url_for("content.item", item_slug=item_slug, _anchor="feedback"))


@bp.route("/<item_slug>/recommend", methods=["GET", "POST"])
@requires(Permission.CARE_TEAM_WORK)
def recommend(item_slug: str) -> str | Response:
    version = _live_or_404(item_slug)
    search = NameSearchForm(request.args)
    people = people_served(db.session, current_user, name=search.name.data or None)
    form = RecommendForm()
    form.person.choices = [SelectChoice(str(p.id), p.display_name) for p in people]
    if form.validate_on_submit():
        person_id = form.chosen_id()
        person = db.session.get(User, person_id) if person_id is not None else None
        try:
            services.recommend(db.session, item=version.item, person=person, by=current_user)
        except services.ContentError:
            form.person.errors = [_("Choose someone from your team's list")]
        else:
            flash(_("You recommended “%(title)s” to %(name)s.", title=version.title,
                    name=person.display_name if person else ""), "success")
            return redirect(url_for("content.item", item_slug=item_slug))
    return render_template("content/recommend.html", form=form, version=version, search=search,
                           people=people)


@bp.route("/settings", methods=["GET", "POST"])
@signed_in
def settings() -> str | Response:
    form = CaptionsForm(data={"captions": "on" if current_user.captions_on else "off"}
                        if request.method == "GET" else None)
    if form.validate_on_submit():
        services.set_captions(db.session, user=current_user, captions_on=form.captions.data == "on")
        flash(_("Your video settings have been saved."), "success")
        return redirect(url_for("content.settings"))
    return render_template("content/settings.html", form=form)


def _sees_drafts() -> bool:
    return policies.is_author(current_user) or policies.is_approver(current_user)


@bp.route("/media/<media_ref>")
@public
def media_file(media_ref: str) -> Response:
    parsed = media.parse_name(media_ref)
    if parsed is None:
        abort(404)
    digest, content_type = parsed
    public_file = queries.media_is_public(db.session, digest)
    found = media.load_with_type(db.session, digest) if public_file or (
        _sees_drafts() and queries.media_is_known(db.session, digest)) else None
    if found is None or found[1] != content_type:
        abort(404)
    return media.send(found[0], digest=digest, content_type=content_type, public=public_file)


from portal.content import views_staff  # noqa: E402, F401  (their routes)
