"""Field-by-field comparison of two snapshots, in words a moderator or editor can read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.directory import recurrence
from portal.directory.models import Attendance, ServiceStatus
from portal.moderation.queries import Names
from portal.moderation.snapshot import (
    FIELDS,
    LANGUAGES,
    Snapshot,
    empty_snapshot,
    item_rule,
    normalise,
)

LABELS = {
    "name": _l("Name"),
    "description": _l("Description"),
    "url": _l("Website"),
    "email": _l("Email address"),
    "status": _l("Status"),
    "attendance": _l("How people use it"),
    "minimum_age": _l("Minimum age"),
    "maximum_age": _l("Maximum age"),
    "eligibility_description": _l("Who it is for"),
    "is_free": _l("Free of charge"),
    "fees_description": _l("What it costs"),
    "terms": _l("Categories"),
    "localities": _l("Areas covered"),
    "languages": _l("Languages"),
    "phones": _l("Phone numbers"),
    "schedules": _l("Opening times"),
    "venue": _l("Venue"),
}

STATUS_LABELS = {
    ServiceStatus.ACTIVE.value: _l("Running"),
    ServiceStatus.TEMPORARILY_CLOSED.value: _l("Temporarily closed"),
    ServiceStatus.INACTIVE.value: _l("Not running at the moment"),
    ServiceStatus.DEFUNCT.value: _l("Closed for good"),
}

ATTENDANCE_LABELS = {
    Attendance.IN_PERSON.value: _l("In person"),
    Attendance.ONLINE.value: _l("Online"),
    Attendance.TELEPHONE.value: _l("By telephone"),
    Attendance.HOME_VISIT.value: _l("Home visits"),
}

DAY_LABELS = {
    "MO": _l("Monday"), "TU": _l("Tuesday"), "WE": _l("Wednesday"), "TH": _l("Thursday"),
    "FR": _l("Friday"), "SA": _l("Saturday"), "SU": _l("Sunday"),
}


@dataclass(frozen=True)
class FieldChange:
    key: str
    label: str
    before: list[str]
    after: list[str]
    changed: bool


def _schedule_line(item: dict[str, Any]) -> str:
    """The schedule in the words the listing page will use, and its notes."""
    parts = [recurrence.rule_words(item_rule(item))]
    if item.get("description"):
        parts.append(item["description"])
    return "; ".join(part for part in parts if part)


def _venue_lines(venue: dict[str, Any] | None) -> list[str]:
    if not venue:
        return []
    lines = [venue.get(k) for k in ("name", "address_1", "city", "postcode")]
    result = [str(line) for line in lines if line]
    if venue.get("confidential"):
        result.append(_("Confidential: the address is not published"))
    if venue.get("accessibility"):
        result.append(_("Accessibility: %(notes)s", notes=venue["accessibility"]))
    return result


def describe(key: str, value: Any, names: Names) -> list[str]:
    """One field's value as lines of text (an empty list means "not given")."""
    if value is None or value == "" or value == []:
        return []
    if key == "status":
        return [str(STATUS_LABELS.get(value, value))]
    if key == "is_free":
        return [_("Yes") if value else _("No")]
    if key == "attendance":
        return [str(ATTENDANCE_LABELS.get(mode, mode)) for mode in value]
    if key == "terms":
        return sorted(names.terms.get(term, term) for term in value)
    if key == "localities":
        return sorted(names.localities.get(slug, slug) for slug in value)
    if key == "languages":
        return [str(LANGUAGES[code][1]) if code in LANGUAGES else code for code in value]
    if key == "phones":
        return [f"{p['number']} ({p['description']})" if p.get("description") else p["number"]
                for p in value]
    if key == "schedules":
        return [_schedule_line(item) for item in value]
    if key == "venue":
        return _venue_lines(value)
    return [str(value)]


def compare(before: Snapshot | None, after: Snapshot, names: Names) -> list[FieldChange]:
    """Every field, before and after, marked changed or not. ``before`` None: a new listing."""
    base = normalise(before) if before is not None else empty_snapshot()
    new = normalise(after)
    rows = []
    for key in FIELDS:
        old_value = base[key] if before is not None else None
        rows.append(FieldChange(
            key=key, label=str(LABELS[key]),
            before=describe(key, old_value, names), after=describe(key, new[key], names),
            changed=(before is None and describe(key, new[key], names) != [])
            or (before is not None and base[key] != new[key]),
        ))
    return rows


def language_choices(codes: list[str]) -> list[tuple[str, Any]]:
    """The fixed list of languages, plus any other code a listing already has."""
    extra = [(code, code) for code in dict.fromkeys(codes) if code not in LANGUAGES]
    return [(code, label) for code, (_name, label) in LANGUAGES.items()] + extra
