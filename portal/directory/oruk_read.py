"""Reading Open Referral UK 3.0: one ORUK service -> a plain, comparable ``ServiceRecord``.

The other half of ``portal.directory.oruk``. A record holds exactly what the models keep, named
by the ``*_FIELDS`` tuples, so the importer compares a record with the row it would change and
writes nothing when they agree. Reading needs no database: the caller passes what it must know
(localities, delivery-method terms, a geocoder) in a ``ReadContext``.

A document that passed schema validation can still be wrong in ways the schema cannot say
(a maximum age below the minimum, a date that is not a date, an id too long for the column);
those raise ``RecordError`` with a JSON path, and the importer reports and skips the record.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from portal.directory import recurrence
from portal.directory.models import (
    Contact,
    CostOption,
    Location,
    LocationType,
    Organisation,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceStatus,
)
from portal.directory.oruk import IDENTIFIER_SCHEMES, LOCALITY_URI
from portal.places.postcodes import normalise_postcode

SERVICE_FIELDS = ("organisation_id", "name", "description", "url", "email", "status",
                  "in_person", "online", "telephone", "home_visit", "minimum_age", "maximum_age",
                  "eligibility_description", "is_free", "fees_description", "languages",
                  "last_checked_on")
ORGANISATION_FIELDS = ("name", "description", "email", "website", "charity_number",
                       "company_number")
LOCATION_FIELDS = ("name", "description", "location_type", "address_1", "city", "postcode",
                   "latitude", "longitude", "confidential", "accessibility")
PHONE_FIELDS = ("id", "number", "description")
CONTACT_FIELDS = ("id", "name", "title", "email", "phone")
SCHEDULE_FIELDS = ("id", "freq", "byday", "bymonthday", "interval", "week_of_month", "opens_at",
                   "closes_at", "by_appointment", "closed", "description", "dtstart", "until",
                   "valid_from", "valid_to")
COST_OPTION_FIELDS = ("id", "option", "amount", "currency", "amount_description")
_BYDAY = re.compile(r"^([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU)$")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$")
_ATTENDING_WORDS = (("in-person", ("in person", "in-person", "face to face")),
                    ("online", ("online", "video")), ("telephone", ("telephone", "phone")),
                    ("home-visit", ("home visit", "home-visit", "at home")))


class RecordError(ValueError):
    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")


@dataclass
class ReadContext:
    """What reading needs to know. ``localities`` maps slugs and case-folded names to slugs;
    ``delivery_codes`` maps delivery-method term ids to attendance codes."""

    localities: Mapping[str, str]
    delivery_codes: Mapping[str, str]
    geocode: Callable[[str], tuple[float, float] | None] = lambda _postcode: None


@dataclass
class ServiceRecord:
    id: str
    fields: dict[str, Any]  # SERVICE_FIELDS except organisation_id, resolved by the importer
    last_modified: datetime | None
    organisation_id: str | None
    organisation: dict[str, Any] | None  # {"id": ..., only the ORGANISATION_FIELDS given}
    terms: dict[str, dict[str, Any] | None]  # term id -> the taxonomy_term given with it
    localities: list[str]  # slugs
    # (service_at_location id, location id, LOCATION_FIELDS or None when only referenced)
    locations: list[tuple[str, str, dict[str, Any] | None]]
    phones: list[dict[str, Any]] = field(default_factory=list)
    contacts: list[dict[str, Any]] = field(default_factory=list)
    schedules: list[dict[str, Any]] = field(default_factory=list)
    cost_options: list[dict[str, Any]] = field(default_factory=list)


def _limit(model: type, column: str) -> int | None:
    return getattr(model.__table__.c[column].type, "length", None)  # type: ignore[attr-defined]


def _text(doc: Mapping[str, Any], key: str, path: str, model: type,
          column: str | None = None) -> str | None:
    value = doc.get(key)
    if value is None or value == "":
        return None
    value = str(value)
    limit = _limit(model, column or key)
    if limit is not None and len(value) > limit:
        raise RecordError(f"{path}.{key}", f"is longer than {limit} characters")
    return value


def _parsed(parse: Callable[[Any], Any], value: Any, path: str, what: str) -> Any:
    try:
        return parse(value)
    except (ValueError, TypeError, IndexError):
        raise RecordError(path, f"{value!r} is not {what}") from None


def parse_date(value: Any) -> date | None:
    """An ISO date (or the date part of a datetime); None when absent; ValueError when bad."""
    if value in (None, ""):
        return None
    return date.fromisoformat(str(value)[:10])


def parse_datetime(value: Any) -> datetime | None:
    """An ISO 8601 datetime as naive UTC; None when absent; ValueError when bad."""
    if value in (None, ""):
        return None
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def parse_time(value: Any) -> time | None:
    """"14:00", "14:00:00", "14:00Z" or "14:00+01:00" -> 14:00 (the wall-clock time)."""
    if value in (None, ""):
        return None
    match = _TIME.match(str(value).strip())
    if not match:
        raise ValueError(value)
    return time(int(match[1]), int(match[2]))


def _age(value: Any, path: str) -> int | None:
    if value is None:
        return None
    if value < 0 or value > 150:
        raise RecordError(path, "must be between 0 and 150")
    rounded: int = round(value)
    return rounded


def parse_service(doc: Mapping[str, Any], ctx: ReadContext) -> ServiceRecord:
    """One schema-valid ORUK service -> a ServiceRecord (RecordError when it cannot be kept)."""
    sid = _text(doc, "id", "$", Service) or ""
    minimum, maximum = (_age(doc.get("minimum_age"), "$.minimum_age"),
                        _age(doc.get("maximum_age"), "$.maximum_age"))
    if minimum is not None and maximum is not None and maximum < minimum:
        raise RecordError("$.maximum_age", "is less than minimum_age")
    costs = [_cost_option(c, f"$.cost_options[{i}]")
             for i, c in enumerate(doc.get("cost_options") or [])]
    locations = [_service_at_location(sal, f"$.service_at_locations[{i}]", ctx)
                 for i, sal in enumerate(doc.get("service_at_locations") or [])]
    modes = _attendance(doc, locations, ctx)
    fields = {
        "name": _text(doc, "name", "$", Service) or "",
        "description": doc.get("description") or "",
        "url": _text(doc, "url", "$", Service), "email": _text(doc, "email", "$", Service),
        "status": ServiceStatus(doc["status"]),
        "in_person": "in-person" in modes, "online": "online" in modes,
        "telephone": "telephone" in modes, "home_visit": "home-visit" in modes,
        "minimum_age": minimum, "maximum_age": maximum,
        "eligibility_description": doc.get("eligibility_description") or None,
        "is_free": not any((c["amount"] or 0) > 0 for c in costs),
        "fees_description": doc.get("fees") or None,
        "languages": [_clean({"name": lang.get("name"), "code": lang.get("code"),
                              "note": lang.get("note")})
                      for lang in doc.get("languages") or []
                      if lang.get("name") or lang.get("code")],
        "last_checked_on": _parsed(parse_date, doc.get("assured_date"), "$.assured_date",
                                   "a date (YYYY-MM-DD)"),
    }
    terms: dict[str, dict[str, Any] | None] = {}
    for attr in doc.get("attributes") or []:
        term = attr.get("taxonomy_term") or None
        term_id = attr.get("taxonomy_term_id") or (term or {}).get("id")
        if term_id and term_id not in ctx.delivery_codes:
            terms.setdefault(str(term_id), term)
    org = doc.get("organization")
    return ServiceRecord(
        id=sid, fields=fields,
        last_modified=_parsed(parse_datetime, doc.get("last_modified"), "$.last_modified",
                              "a date and time"),
        organisation_id=(org or {}).get("id") or doc.get("organization_id"),
        organisation=_organisation(org) if org else None,
        terms=terms, localities=_localities(doc, ctx), locations=locations,
        phones=[{"id": _text(p, "id", f"$.phones[{i}]", Phone),
                 "number": _text(p, "number", f"$.phones[{i}]", Phone),
                 "description": _text(p, "description", f"$.phones[{i}]", Phone)}
                for i, p in enumerate(doc.get("phones") or [])],
        contacts=[_contact(c, f"$.contacts[{i}]") for i, c in enumerate(doc.get("contacts") or [])],
        schedules=[_schedule(s, f"$.schedules[{i}]")
                   for i, s in enumerate(doc.get("schedules") or [])],
        cost_options=costs,
    )


def _clean(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if v is not None and v != ""}


def _organisation(org: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"id": _text(org, "id", "$.organization", Organisation)}
    for key, column in (("name", "name"), ("description", "description"),
                        ("email", "email"), ("website", "website")):
        if key in org:
            out[column] = (org[key] or "") if column == "description" else _text(
                org, key, "$.organization", Organisation, column)
    for i, ident in enumerate(org.get("organization_identifiers") or []):
        scheme = str(ident.get("identifier_scheme") or "").upper()
        if scheme not in IDENTIFIER_SCHEMES:
            kind = str(ident.get("identifier_type") or "").casefold()
            scheme = next((s for s, (_a, label) in IDENTIFIER_SCHEMES.items()
                           if label.casefold() == kind), "")
        if scheme:
            column = IDENTIFIER_SCHEMES[scheme][0]
            value = re.sub(r"\s+", "", str(ident.get("identifier") or "")).upper()
            if value:
                out[column] = _text({column: value}, column,
                                    f"$.organization.organization_identifiers[{i}]",
                                    Organisation)
    return out


def _localities(doc: Mapping[str, Any], ctx: ReadContext) -> list[str]:
    found: set[str] = set()
    for area in doc.get("service_areas") or []:
        uri = str(area.get("uri") or "")
        for key in (area.get("extent"), uri.removeprefix(LOCALITY_URI) if uri.startswith(
                LOCALITY_URI) else None, area.get("name")):
            slug = ctx.localities.get(str(key).casefold()) if key else None
            if slug:
                found.add(slug)
                break
    return sorted(found)


def _attendance(doc: Mapping[str, Any], locations: list[tuple[str, str, dict[str, Any] | None]],
                ctx: ReadContext) -> set[str]:
    """Delivery-method attributes first, then schedules' attending_type, then the venues."""
    modes = {ctx.delivery_codes[str(a.get("taxonomy_term_id") or
                                    (a.get("taxonomy_term") or {}).get("id"))]
             for a in doc.get("attributes") or []
             if str(a.get("taxonomy_term_id") or (a.get("taxonomy_term") or {}).get("id"))
             in ctx.delivery_codes}
    if not modes:
        for schedule in doc.get("schedules") or []:
            text = str(schedule.get("attending_type") or "").casefold()
            modes |= {code for code, words in _ATTENDING_WORDS if any(w in text for w in words)}
    if not modes:
        kinds = {loc["location_type"] for _s, _l, loc in locations if loc}
        if LocationType.PHYSICAL in kinds:
            modes.add("in-person")
        if LocationType.VIRTUAL in kinds:
            modes.add("online")
    return modes


def _service_at_location(sal: Mapping[str, Any], path: str, ctx: ReadContext
                         ) -> tuple[str, str, dict[str, Any] | None]:
    sal_id = _text(sal, "id", path, ServiceAtLocation) or ""
    loc = sal.get("location")
    location_id = (loc or {}).get("id") or sal.get("location_id")
    if not location_id:
        raise RecordError(path, "has neither a location nor a location_id")
    location_id = _text({"id": location_id}, "id", path + ".location", Location) or ""
    return sal_id, location_id, _location(loc, path + ".location", ctx) if loc else None


def _location(loc: Mapping[str, Any], path: str, ctx: ReadContext) -> dict[str, Any]:
    addresses = loc.get("addresses") or []
    address = next((a for a in addresses if a.get("address_type") == "physical"),
                   addresses[0] if addresses else {})
    raw_postcode = str(address.get("postal_code") or "").strip()
    postcode = normalise_postcode(raw_postcode) or (raw_postcode.upper() or None)
    if postcode and len(postcode) > (_limit(Location, "postcode") or 10):
        raise RecordError(path + ".addresses[0].postal_code", f"{raw_postcode!r} is not a postcode")
    latitude, longitude = loc.get("latitude"), loc.get("longitude")
    if (latitude is None or longitude is None) and postcode:
        latitude, longitude = ctx.geocode(postcode) or (None, None)
    return {
        "name": _text(loc, "name", path, Location),
        "description": loc.get("description") or None,
        "location_type": LocationType(loc["location_type"]),
        "address_1": _text(address, "address_1", path + ".addresses[0]", Location),
        "city": _text(address, "city", path + ".addresses[0]", Location),
        "postcode": postcode,
        "latitude": None if latitude is None else float(latitude),
        "longitude": None if longitude is None else float(longitude),
        "confidential": loc.get("x_confidential") is True,
        "accessibility": [_clean({"description": a.get("description"), "details": a.get("details"),
                                  "url": a.get("url")})
                          for a in loc.get("accessibility") or []],
    }


def _contact(contact: Mapping[str, Any], path: str) -> dict[str, Any]:
    phones = contact.get("phones") or []
    phone = phones[0].get("number") if phones and isinstance(phones[0], Mapping) else None
    return {"id": _text(contact, "id", path, Contact), "name": _text(contact, "name", path, Contact),
            "title": _text(contact, "title", path, Contact),
            "email": _text(contact, "email", path, Contact),
            "phone": _text({"phone": phone or contact.get("phone")}, "phone", path, Contact)}


def _schedule(s: Mapping[str, Any], path: str) -> dict[str, Any]:
    """Every ORUK schedule shape: weekly (every ``interval`` weeks from ``dtstart``), monthly by
    ``byday`` ordinals or ``bymonthday``, one date (``dtstart`` and no ``freq``), seasonal
    (``valid_from``/``valid_to``, ``until``), closures (notes "Closed") and by appointment."""
    freq = str(s.get("freq") or "").upper() or None
    days = recurrence.parse_byday(str(s.get("byday") or ""))
    monthdays = recurrence.parse_monthdays(s.get("bymonthday"))
    if freq not in (recurrence.WEEKLY, recurrence.MONTHLY) or not (days or monthdays):
        freq = None
    if freq == recurrence.WEEKLY:
        days = tuple((day, 0) for day, _week in days)
        monthdays = ()
    text = " ".join(str(s.get(k) or "") for k in ("description", "notes")).casefold()
    dtstart = _parsed(parse_date, s.get("dtstart"), path + ".dtstart", "a date")
    valid_from = _parsed(parse_date, s.get("valid_from"), path + ".valid_from", "a date")
    valid_to = _parsed(parse_date, s.get("valid_to"), path + ".valid_to", "a date")
    closed = freq is None and not s.get("opens_at") and any(
        str(s.get(k) or "").strip().casefold().startswith("closed") for k in ("notes", "description"))
    timed = freq is not None or (dtstart is not None and not closed)
    interval = s.get("interval")
    return {
        "id": _text(s, "id", path, Schedule), "freq": freq,
        "byday": recurrence.format_byday(days) if freq else None,
        "bymonthday": ",".join(str(n) for n in monthdays) if freq and monthdays else None,
        "interval": int(interval) if freq and isinstance(interval, int) and 1 < interval < 100
        else None,
        "week_of_month": None,
        "opens_at": _parsed(parse_time, s.get("opens_at"), path + ".opens_at", "a time (HH:MM)")
        if timed else None,
        "closes_at": _parsed(parse_time, s.get("closes_at"), path + ".closes_at", "a time (HH:MM)")
        if timed else None,
        "by_appointment": not closed and "appointment" in text,
        "closed": closed,
        "description": s.get("description") or (None if closed else s.get("notes")) or None,
        "dtstart": dtstart,
        "until": _parsed(parse_date, s.get("until"), path + ".until", "a date"),
        "valid_from": valid_from,
        "valid_to": valid_to,
    }


def _cost_option(c: Mapping[str, Any], path: str) -> dict[str, Any]:
    amount = c.get("amount")
    return {"id": _text(c, "id", path, CostOption), "option": _text(c, "option", path, CostOption),
            "amount": None if amount is None else float(amount),
            "currency": _text(c, "currency", path, CostOption) or "GBP",
            "amount_description": _text(c, "amount_description", path, CostOption)}
