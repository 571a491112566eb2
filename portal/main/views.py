from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from sqlalchemy import text
from werkzeug.wrappers import Response

from portal.authz import public
from portal.content.search import search_content
from portal.extensions import db
from portal.i18n import LANGUAGE_COOKIE, LANGUAGES
from portal.main.forms import SearchAllForm
from portal.search import backend as search_backend
from portal.search.services import ServiceQuery, search_services
from portal.security import safe_next_url

bp = Blueprint("main", __name__)

ALL_RESULTS_EACH = 5


@bp.route("/")
@public
def home() -> str:
    from flask_login import current_user

    from portal.content.queries import recommended_for

    return render_template("main/home.html", recommendations=recommended_for(current_user),
                           search_form=SearchAllForm(formdata=None))


@bp.route("/language/<code>")
@public
def choose_language(code: str) -> Response:
    if code not in LANGUAGES:
        abort(404)
    response = redirect(safe_next_url(request.args.get("next")) or url_for("main.home"))
    response.set_cookie(
        LANGUAGE_COOKIE,
        code,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
    )
    return response


@bp.route("/search")
@public
def search_all() -> str:
    """One search box for everything: the top community services and guidance pages."""
    form = SearchAllForm(request.args)
    form.validate()
    words = form.q.data or ""
    services = guidance = None
    if words:
        correct = request.args.get("spell") != "off"
        services = search_services(db.session, None,
                                   ServiceQuery(text=words, per_page=ALL_RESULTS_EACH, correct=correct,
                                                facets=False))
        guidance = search_content(words, 1, correct=correct)
    return render_template("main/search_all.html", form=form, words=words, services=services,
                           guidance=guidance, each=ALL_RESULTS_EACH)


@bp.route("/accessibility")
@public
def accessibility() -> str:
    return render_template("main/accessibility.html")


@bp.route("/healthz")
@public
def healthz() -> tuple[dict[str, str], int]:
    return {"status": "ok"}, 200


@bp.route("/readyz")
@public
def readyz() -> tuple[dict[str, object], int]:
    checks: dict[str, str] = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception:
        current_app.logger.exception("readiness: database unreachable")
        checks["database"] = "unreachable"
    finally:
        db.session.rollback()
    checks["search_index"] = "ok" if search_backend.for_app().is_reachable() else "unreachable"
    ready = all(value == "ok" for value in checks.values())
    return {"status": "ok" if ready else "unavailable", "checks": checks}, 200 if ready else 503
