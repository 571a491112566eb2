from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from portal.accounts.models import User
from portal.audit import presenters, services
from portal.audit.events import EventType
from portal.audit.forms import AuditSearchForm
from portal.authz import Permission, requires, signed_in
from portal.extensions import db

bp = Blueprint("audit", __name__)

PAGE_SIZE = 50
MAX_PAGE = 10_000
MAX_ID_DIGITS = 9


def _page_number() -> int:
    raw = request.args.get("page", "1")
    return min(int(raw), MAX_PAGE) if raw.isdigit() and 1 <= len(raw) <= 6 and int(raw) else 1


@bp.route("/account/activity")
@signed_in
def activity() -> str:
    page = _page_number()
    entries = services.accesses_by_others(db.session, person_id=current_user.id,
                                          limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
    return render_template(
        "audit/activity.html", page=page, has_more=len(entries) > PAGE_SIZE,
        entries=presenters.describe_accesses(db.session, entries[:PAGE_SIZE]),
    )


def _id(text: str | None) -> int | None:
    number = (text or "").strip().removeprefix("#")
    return int(number) if number.isdigit() and len(number) <= MAX_ID_DIGITS else None


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text or "")
    except ValueError:
        return None


def _filters_from(args: MultiDict[str, str]) -> services.AuditFilters:
    """Filters from the results page's URL (numbers and dates only); bad values are ignored."""
    event = args.get("event_type", "")
    return services.AuditFilters(
        actor_id=_id(args.get("actor")), subject_id=_id(args.get("subject")),
        event_type=EventType(event) if event in set(EventType) else None,
        date_from=_date(args.get("date_from")), date_to=_date(args.get("date_to")))


def _as_args(filters: services.AuditFilters) -> dict[str, Any]:
    values = filters.as_details()
    named = {"actor": values["actor_id"], "subject": values["subject_id"],
             "event_type": values["event_type"], "date_from": values["date_from"],
             "date_to": values["date_to"]}
    return {key: value for key, value in named.items() if value is not None}


def _form_data(filters: services.AuditFilters) -> dict[str, Any]:
    return {**_as_args(filters), "date_from": filters.date_from, "date_to": filters.date_to}


def _person_id(field: Any) -> int | None:
    """The account an admin named by number or email; sets the field's error if none."""
    text = (field.data or "").strip()
    if not text or field.errors:
        return None
    found = _id(text) if text.removeprefix("#").isdigit() else db.session.scalar(
        select(User.id).where(User.email == text.lower()))
    if found is None:
        field.errors = [_l("Enter an account number or the email address of an account")]
    return found


@bp.route("/admin/audit", methods=["GET", "POST"])
@requires(Permission.ADMIN_AUDIT_READ)
def search() -> str | Response:
    if request.method == "POST":
        form = AuditSearchForm()
        valid = form.validate_on_submit()
        actor_id, subject_id = _person_id(form.actor), _person_id(form.subject)
        if valid and not (form.actor.errors or form.subject.errors):
            return redirect(url_for("audit.search", **_as_args(services.AuditFilters(
                actor_id=actor_id, subject_id=subject_id, event_type=form.chosen_event,
                date_from=form.date_from.data, date_to=form.date_to.data))))
        return render_template("audit/search.html", form=form, result=None, entries=[])
    filters, page = _filters_from(request.args), _page_number()
    result = services.search(db.session, filters=filters, limit=PAGE_SIZE,
                             offset=(page - 1) * PAGE_SIZE, by=current_user)
    return render_template(
        "audit/search.html", form=AuditSearchForm(formdata=None, data=_form_data(filters)),
        result=result, entries=presenters.describe_for_admin(db.session, result.entries),
        page=page, page_size=PAGE_SIZE)
