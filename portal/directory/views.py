"""Public directory pages: search and service listings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _
from wtforms import SelectChoice

from portal.authz import public
from portal.directory import queries, recurrence
from portal.directory.forms import POSTCODE_MESSAGES, SearchForm, choices
from portal.extensions import db
from portal.search import ranking, schedules, words
from portal.search.services import SearchResult, ServiceQuery, filter_choices, search_services

bp = Blueprint("directory", __name__)


@bp.route("/services")
@public
def search() -> str:
    form = SearchForm(request.args)
    localities, categories = filter_choices(db.session)
    form.locality.choices, form.category.choices = choices(localities), choices(categories)
    form.validate()
    result = search_services(db.session, None, _query(form),
                             record_gap=bool(request.args))
    if result.postcode_error:
        form.postcode.errors = [POSTCODE_MESSAGES[result.postcode_error]]
    active = _active_filters(form)
    _count_choices(form, result)
    return render_template("directory/search.html", form=form, result=result, active_filters=active,
                           searched=bool(request.args), page_url=_page_url,
                           cards=_card_facts([hit.service_id for hit in result.hits]),
                           distance_words=words.distance_words,
                           attendance_names=words.ATTENDANCE_NAMES)


@bp.route("/services/<service_id>")
@public
def service(service_id: str) -> str:
    listing = queries.published_service(db.session, service_id)
    if listing is None:
        abort(404)
    today = schedules.local_now().date()
    rules = recurrence.rules_of(listing.schedules)
    return render_template(
        "directory/service.html", service=listing, words=words, recurrence=recurrence,
        rules=rules, next_session=recurrence.next_session(rules),
        back_url=_results_url(request.referrer),
        stale=ranking.is_stale(listing.last_checked_on.isoformat() if listing.last_checked_on
                               else None, today),
        report_url=f"/services/{listing.id}/report")


@dataclass
class CardFacts:
    """What a result card says beside the description: when it runs, whether it is free."""

    when: list[str]
    next_session: str | None
    free: bool


def _card_facts(ids: list[str]) -> dict[str, CardFacts]:
    facts = {}
    for service_id, listing in queries.services_for_cards(db.session, ids).items():
        rules = recurrence.rules_of(listing.schedules)
        upcoming = recurrence.next_session(rules)
        lines = [words for words in (recurrence.rule_words(rule) for rule in rules
                                     if not rule.closed) if words]
        facts[service_id] = CardFacts(
            when=lines[:2], next_session=recurrence.session_words(upcoming) if upcoming else None,
            free=bool(listing.is_free))
    return facts


def _results_url(referrer: str | None) -> str | None:
    """"Back to results": the search (with its postcode and filters) the person came from, if
    they came from one of ours."""
    if not referrer:
        return None
    parts = urlsplit(referrer)
    if parts.netloc != request.host or parts.path != url_for("directory.search"):
        return None
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def _query(form: SearchForm) -> ServiceQuery:
    when = set(form.when.data or [])
    return ServiceQuery(
        text=form.q.data or "", postcode=form.postcode.data or None,
        locality=form.locality.data, categories=form.category.data or [],
        days=form.day.data or [], open_now="open_now" in when, evenings="evenings" in when,
        weekends="weekends" in when, free="free" in (form.cost.data or []), age=form.age_years,
        attendance=form.attendance.data or [], sort=form.sort.data or "relevance",
        page=_int(request.args.get("page"), 1), correct=request.args.get("spell") != "off")


def _int(value: str | None, default: int) -> int:
    try:
        return int(value or default)
    except ValueError:
        return default


def _active_filters(form: SearchForm) -> list[str]:
    """The labels of the filters in use, to say what the results are filtered by."""
    chosen = []
    for field in (form.category, form.locality, form.day, form.when, form.cost, form.attendance):
        selected = set(field.data or [])
        chosen += [str(choice.label) for choice in field.choices if choice.value in selected]
    if form.age_years is not None:
        chosen.append(_("Age %(age)s", age=form.age_years))
    return chosen


def _count_choices(form: SearchForm, result: SearchResult) -> None:
    """Each filter's label with how many results it would give; options giving none are not
    offered."""
    facets = result.facets
    flags = {value: facets.get(value, {}).get("true", 0) for value in ("open_now", "evenings",
                                                                       "weekends", "free")}
    for field, counts in ((form.locality, facets.get("locality", {})),
                          (form.category, facets.get("category", {})),
                          (form.day, facets.get("days", {})),
                          (form.attendance, facets.get("attendance", {})),
                          (form.when, flags), (form.cost, flags)):
        chosen = set(field.data or [])
        # An option that would find nothing is left out (unless it is chosen: it shows 0).
        field.choices = [SelectChoice(choice.value, _("%(label)s (%(count)s)", label=choice.label,
                                                      count=counts.get(choice.value, 0)))
                         for choice in field.choices
                         if counts.get(choice.value, 0) or choice.value in chosen]


def _page_url(page: int | None = None, **replace: Any) -> str:
    """This search's URL with another page (or other changed arguments)."""
    args = request.args.to_dict(flat=False)
    args.pop("page", None)
    args.update({key: [value] for key, value in replace.items()})
    if page and page > 1:
        args["page"] = [str(page)]
    return url_for("directory.search", **args)  # type: ignore[arg-type]  # lists are repeated args
