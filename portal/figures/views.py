"""Figures for managers and commissioners: one page per subject, each as HTML or CSV."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, render_template, request
from flask_login import current_user

from portal.authz import Permission, requires
from portal.extensions import db
from portal.figures import presenters, services
from portal.figures.filters import FiguresFilterForm, all_localities
from portal.figures.tables import as_csv, month_label

bp = Blueprint("figures", __name__, url_prefix="/figures")
FIGURES = Permission.FIGURES_VIEW


@bp.app_template_filter("figures_month")
def _figures_month(month: date) -> str:
    return month_label(month)


@bp.route("/")
@requires(FIGURES)
def index() -> str:
    return render_template("figures/index.html")


def _show(key: str) -> str | Response:
    form = FiguresFilterForm(request.args, localities=all_localities(db.session))
    asked = bool(request.args.get("locality") or request.args.get("start") or request.args.get("end"))
    if asked:
        form.validate()
    filters = form.filters()
    fmt = "csv" if request.args.get("format") == "csv" else "html"
    page = presenters.PAGES[key](db.session, filters)
    services.record_read(db.session, page=key, fmt=fmt, filters=filters, by=current_user)
    if fmt == "csv":
        name = f"figures-{key}-{filters.as_details()['start']}-to-{filters.as_details()['end']}.csv"
        return Response(as_csv(page), mimetype="text/csv", headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store"})
    csv_args = {**request.args.to_dict(), "format": "csv"}
    return render_template("figures/page.html", page=page, form=form, filters=filters,
                           csv_args=csv_args)


@bp.route("/carers")
@requires(FIGURES)
def carers() -> str | Response:
    return _show("carers")


@bp.route("/messaging")
@requires(FIGURES)
def messaging() -> str | Response:
    return _show("messaging")


@bp.route("/community-assets")
@requires(FIGURES)
def community_assets() -> str | Response:
    return _show("community-assets")


@bp.route("/guidance")
@requires(FIGURES)
def guidance() -> str | Response:
    return _show("guidance")


@bp.route("/use")
@requires(FIGURES)
def use() -> str | Response:
    return _show("use")


@bp.route("/pulse")
@requires(FIGURES)
def pulse() -> str | Response:
    return _show("pulse")
