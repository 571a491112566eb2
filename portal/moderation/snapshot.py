"""A listing's editable fields as a JSON snapshot, and applying a snapshot to the database.

A revision stores one snapshot; publishing applies it. ``apply`` writes only the fields that
differ from the listing as it is, so what an editor cannot see in the form (a language's note,
a monthly schedule's week, a second venue) survives an edit of something else.
"""

from __future__ import annotations

from datetime import date, time
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from portal.directory import recurrence
from portal.directory.models import (
    Attendance,
    CostOption,
    Location,
    LocationType,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceStatus,
    TaxonomyTerm,
)
from portal.places.models import Locality
from portal.places.postcodes import geocode

Snapshot = dict[str, Any]

MAX_PHONES = 3
MAX_SCHEDULES = 5
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WEEKS = (1, 2, 3, 4, -1)
# How a schedule repeats, as the editor chooses it (see ``portal.directory.recurrence``).
SCHEDULE_KINDS = ("weekly", "monthly", "monthdate", "once", "closed")

# Languages an editor can choose from: code (ISO 639-1, or 639-3 where there is no 639-1 code)
# -> English name (what ORUK's ``language.name`` carries) and a translatable label.
LANGUAGES: dict[str, tuple[str, Any]] = {
    "en": ("English", _l("English")),
    "bfi": ("British Sign Language", _l("British Sign Language (BSL)")),
    "pl": ("Polish", _l("Polish")),
    "ar": ("Arabic", _l("Arabic")),
    "pt": ("Portuguese", _l("Portuguese")),
    "ro": ("Romanian", _l("Romanian")),
    "bn": ("Bengali", _l("Bengali")),
    "yue": ("Cantonese", _l("Cantonese")),
    "zh": ("Chinese (Mandarin)", _l("Chinese (Mandarin)")),
    "ur": ("Urdu", _l("Urdu")),
    "pa": ("Punjabi", _l("Punjabi")),
    "ku": ("Kurdish", _l("Kurdish")),
    "fa": ("Persian (Farsi)", _l("Persian (Farsi)")),
    "tr": ("Turkish", _l("Turkish")),
    "uk": ("Ukrainian", _l("Ukrainian")),
    "ru": ("Russian", _l("Russian")),
    "lt": ("Lithuanian", _l("Lithuanian")),
    "es": ("Spanish", _l("Spanish")),
    "fr": ("French", _l("French")),
    "so": ("Somali", _l("Somali")),
    "ti": ("Tigrinya", _l("Tigrinya")),
    "cy": ("Welsh", _l("Welsh")),
}

FIELDS = (
    "name", "description", "url", "email", "status", "attendance",
    "minimum_age", "maximum_age", "eligibility_description", "is_free", "fees_description",
    "terms", "localities", "languages", "phones", "schedules", "venue",
)


def empty_snapshot() -> Snapshot:
    """The starting point of a new listing."""
    return {
        "name": "", "description": "", "url": None, "email": None,
        "status": ServiceStatus.ACTIVE.value, "attendance": [Attendance.IN_PERSON.value],
        "minimum_age": None, "maximum_age": None, "eligibility_description": None,
        "is_free": True, "fees_description": None,
        "terms": [], "localities": [], "languages": ["en"],
        "phones": [], "schedules": [], "venue": None,
    }


def _hhmm(value: time | None) -> str | None:
    return value.strftime("%H:%M") if value else None


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def schedule_item(schedule: Schedule) -> dict[str, Any]:
    """A schedule as the editor sees it: how it repeats, the days, weeks of the month, the
    date of the month, every how many weeks, from and until (or the one date), the hours."""
    rule = recurrence.rule_of(schedule)
    kind = rule.kind if rule.kind in SCHEDULE_KINDS else "weekly"
    codes = {day for day, _week in rule.days}
    weeks = {week for _day, week in rule.days if week}
    return {
        "kind": kind,
        "days": [day for day in DAYS if day in codes],
        "weeks": [week for week in WEEKS if week in weeks],
        "monthday": rule.monthdays[0] if rule.monthdays else None,
        "interval": rule.interval,
        "starts": _iso(rule.anchor if kind == "once" else rule.starts),
        "ends": None if kind == "once" else _iso(rule.ends),
        "opens_at": _hhmm(schedule.opens_at), "closes_at": _hhmm(schedule.closes_at),
        "by_appointment": bool(schedule.by_appointment),
        "description": schedule.description or None,
    }


def _venue_link(service: Service) -> ServiceAtLocation | None:
    for link in service.service_at_locations:
        if link.location.location_type is LocationType.PHYSICAL:
            return link
    return None


def _venue(service: Service) -> dict[str, Any] | None:
    link = _venue_link(service)
    if link is None:
        return None
    location = link.location
    notes = [item.get("description") for item in location.accessibility or []
             if isinstance(item, dict) and item.get("description")]
    return {
        "name": location.name, "address_1": location.address_1, "city": location.city,
        "postcode": location.postcode, "confidential": bool(location.confidential),
        "accessibility": "\n".join(str(note) for note in notes if note) or None,
    }


def _cost_text(service: Service) -> str | None:
    """Imported listings describe their cost in cost options: say it in words for the form."""
    parts = []
    for option in service.cost_options:
        if option.amount_description:
            parts.append(option.amount_description)
        elif option.amount:
            parts.append(" ".join(filter(None, [option.option, f"£{option.amount:.2f}"])))
        elif option.option:
            parts.append(option.option)
    return "; ".join(parts) or None


def snapshot(service: Service) -> Snapshot:
    """The listing's editable fields as they are published now."""
    return {
        "name": service.name,
        "description": service.description or "",
        "url": service.url or None,
        "email": service.email or None,
        "status": ServiceStatus(service.status).value,
        "attendance": [mode.value for mode in service.attendance],
        "minimum_age": service.minimum_age,
        "maximum_age": service.maximum_age,
        "eligibility_description": service.eligibility_description or None,
        "is_free": bool(service.is_free),
        "fees_description": service.fees_description or _cost_text(service),
        "terms": sorted(term.id for term in service.terms),
        "localities": sorted(locality.slug for locality in service.localities),
        "languages": [item["code"] for item in service.languages or []
                      if isinstance(item, dict) and item.get("code")],
        "phones": [{"number": phone.number, "description": phone.description or None}
                   for phone in service.phones],
        "schedules": [schedule_item(schedule) for schedule in service.schedules],
        "venue": _venue(service),
    }


def normalise(data: Snapshot) -> Snapshot:
    """Every key present, in a stable form, so snapshots compare equal when they mean the same."""
    result = empty_snapshot()
    result.update({key: data[key] for key in FIELDS if key in data})
    for key in ("terms", "localities"):
        result[key] = sorted(set(result[key] or []))
    return result


def changed_fields(before: Snapshot | None, after: Snapshot) -> list[str]:
    base = normalise(before) if before is not None else empty_snapshot()
    after = normalise(after)
    return [key for key in FIELDS if base[key] != after[key]]


# Applying ---------------------------------------------------------------------------------

def apply(session: Session, service: Service, data: Snapshot) -> list[str]:
    """Write ``data`` to ``service`` (and its phones, schedules, venue...). Returns the keys changed."""
    data = normalise(data)
    if inspect(service).has_identity:
        before = snapshot(service)
        changed = [key for key in FIELDS if before[key] != data[key]]
    else:  # a new listing: write everything, the columns' defaults are not the form's
        changed = list(FIELDS)
    done = set()
    with session.no_autoflush:  # one UPDATE of the listing: its version moves on once
        for key in changed:
            setter = _SETTERS.get(key, _set_plain)
            if setter is _set_plain or setter not in done:
                setter(session, service, key, data[key], data)
                done.add(setter)
    return changed


def _set_plain(_session: Session, service: Service, key: str, value: Any, _data: Snapshot) -> None:
    setattr(service, key, value)


def _set_status(_session: Session, service: Service, _key: str, value: Any, _data: Snapshot) -> None:
    service.status = ServiceStatus(value)


def _set_attendance(_session: Session, service: Service, _key: str, value: Any,
                    _data: Snapshot) -> None:
    modes = set(value)
    service.in_person = Attendance.IN_PERSON.value in modes
    service.online = Attendance.ONLINE.value in modes
    service.telephone = Attendance.TELEPHONE.value in modes
    service.home_visit = Attendance.HOME_VISIT.value in modes


def _set_cost(_session: Session, service: Service, _key: str, _value: Any, data: Snapshot) -> None:
    service.is_free = bool(data["is_free"])
    service.fees_description = data["fees_description"]
    if service.is_free:
        service.cost_options = [option for option in service.cost_options if not option.amount]
    else:
        fees = data["fees_description"]
        service.cost_options = [CostOption(option=fees[:300] if fees else None,
                                           amount_description=fees[:300] if fees else None)]


def _set_languages(_session: Session, service: Service, _key: str, value: Any,
                   _data: Snapshot) -> None:
    existing = {item.get("code"): item for item in service.languages or [] if isinstance(item, dict)}
    service.languages = [
        existing.get(code) or {"name": LANGUAGES.get(code, (code, None))[0], "code": code}
        for code in value
    ]


def _set_terms(session: Session, service: Service, _key: str, value: Any, _data: Snapshot) -> None:
    service.terms = list(session.scalars(select(TaxonomyTerm).where(TaxonomyTerm.id.in_(value))))


def _set_localities(session: Session, service: Service, _key: str, value: Any,
                    _data: Snapshot) -> None:
    service.localities = list(session.scalars(select(Locality).where(Locality.slug.in_(value))))


def _set_phones(_session: Session, service: Service, _key: str, value: Any, _data: Snapshot) -> None:
    phones = list(service.phones)
    result = []
    for position, item in enumerate(value[:MAX_PHONES]):
        phone = phones[position] if position < len(phones) else Phone()
        phone.number, phone.description, phone.position = item["number"], item["description"], position
        result.append(phone)
    service.phones = result


def _parse_time(text: str | None) -> time | None:
    return time.fromisoformat(text) if text else None


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _write_schedule(schedule: Schedule, item: dict[str, Any]) -> None:
    kind = item["kind"]
    days = [day for day in DAYS if day in item["days"]]
    schedule.week_of_month = None
    schedule.interval = schedule.bymonthday = None
    schedule.dtstart = schedule.until = schedule.valid_from = schedule.valid_to = None
    schedule.closed = kind == "closed"
    schedule.freq = None
    schedule.byday = None
    starts, ends = _date(item.get("starts")), _date(item.get("ends"))
    if kind == "weekly" and days:
        schedule.freq, schedule.byday = recurrence.WEEKLY, ",".join(days)
        interval = int(item.get("interval") or 1)
        schedule.interval = interval if interval > 1 else None
        schedule.dtstart, schedule.until = starts, ends
    elif kind == "monthly":
        schedule.freq = recurrence.MONTHLY
        weeks = [week for week in WEEKS if week in (item.get("weeks") or [])]
        schedule.byday = recurrence.format_byday((day, week) for day in days for week in weeks)
        schedule.dtstart, schedule.until = starts, ends
    elif kind == "monthdate":
        schedule.freq, schedule.bymonthday = recurrence.MONTHLY, str(item["monthday"])
        schedule.dtstart, schedule.until = starts, ends
    elif kind == "once":
        schedule.dtstart = starts
    elif kind == "closed":
        schedule.valid_from, schedule.valid_to = starts, ends


def item_rule(item: dict[str, Any]) -> recurrence.Rule:
    """A snapshot's schedule as the rule it would publish (the same writing as publishing,
    onto a schedule that is never saved)."""
    schedule = Schedule(freq=recurrence.WEEKLY, week_of_month=None)
    if "kind" in item:
        _write_schedule(schedule, item)
    else:
        _write_legacy_schedule(schedule, item)
    schedule.opens_at = _parse_time(item.get("opens_at"))
    schedule.closes_at = _parse_time(item.get("closes_at"))
    schedule.by_appointment = bool(item.get("by_appointment"))
    schedule.description = item.get("description")
    return recurrence.rule_of(schedule)


def _write_legacy_schedule(schedule: Schedule, item: dict[str, Any]) -> None:
    """An item saved before schedules had kinds (a revision still waiting): days and hours
    only; a monthly schedule keeps its weeks of the month."""
    days = [day for day in DAYS if day in item["days"]]
    weeks = {week for _day, week in recurrence.rule_of(schedule).days if week}
    if schedule.freq == recurrence.MONTHLY and weeks:
        schedule.byday = recurrence.format_byday(
            (day, week) for day in days for week in sorted(weeks))
        schedule.week_of_month = None
    else:
        schedule.byday = ",".join(days) or None
    if not days and item["by_appointment"]:
        schedule.freq = None
    elif schedule.freq is None:
        schedule.freq = recurrence.WEEKLY


def _set_schedules(_session: Session, service: Service, _key: str, value: Any,
                   _data: Snapshot) -> None:
    schedules = list(service.schedules)
    result = []
    for position, item in enumerate(value[:MAX_SCHEDULES]):
        schedule = schedules[position] if position < len(schedules) else Schedule(freq="WEEKLY")
        if "kind" in item:
            _write_schedule(schedule, item)
        else:
            _write_legacy_schedule(schedule, item)
        schedule.opens_at = _parse_time(item["opens_at"])
        schedule.closes_at = _parse_time(item["closes_at"])
        schedule.by_appointment = bool(item["by_appointment"])
        schedule.description = item["description"]
        schedule.position = position
        result.append(schedule)
    service.schedules = result


def _set_venue(session: Session, service: Service, _key: str, value: Any, _data: Snapshot) -> None:
    link = _venue_link(service)
    if value is None:
        if link is not None:
            service.service_at_locations.remove(link)
        return
    if link is None:
        location = Location(location_type=LocationType.PHYSICAL)
        service.service_at_locations.append(ServiceAtLocation(location=location))
    else:
        location = link.location
        if service.id and _is_shared(session, location, service):
            # Another listing uses this venue too: give this one its own copy to change.
            location = Location(location_type=LocationType.PHYSICAL,
                                description=link.location.description)
            link.location = location
    if location.postcode != value["postcode"] or location.latitude is None:
        point = geocode(session, value["postcode"]) if value["postcode"] else None
        location.latitude, location.longitude = point if point else (None, None)
    location.name = value["name"]
    location.address_1 = value["address_1"]
    location.city = value["city"]
    location.postcode = value["postcode"]
    location.confidential = bool(value["confidential"])
    lines = [line.strip() for line in (value["accessibility"] or "").splitlines() if line.strip()]
    location.accessibility = [{"description": line} for line in lines]


def _is_shared(session: Session, location: Location, service: Service) -> bool:
    if location.id is None:
        return False
    others = session.scalar(select(func.count()).select_from(ServiceAtLocation).where(
        ServiceAtLocation.location_id == location.id, ServiceAtLocation.service_id != service.id))
    return bool(others)


_SETTERS = {
    "status": _set_status,
    "attendance": _set_attendance,
    "is_free": _set_cost,
    "fees_description": _set_cost,
    "languages": _set_languages,
    "terms": _set_terms,
    "localities": _set_localities,
    "phones": _set_phones,
    "schedules": _set_schedules,
    "venue": _set_venue,
}
