"""The editor form's rules that span fields or rows (messages name the row), and turning the
validated form into a snapshot."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from flask_babel import lazy_gettext as _l

from portal.directory.models import Attendance
from portal.moderation.snapshot import DAYS, Snapshot
from portal.places.postcodes import normalise_postcode

if TYPE_CHECKING:
    from portal.moderation.forms import ScheduleForm, ServiceForm, VenueForm


PHONE = re.compile(r"\+?[0-9 ()-]{6,40}")
TIME = re.compile(r"([01]?[0-9]|2[0-3])[:.]?([0-5][0-9])")
MAX_AGE = 120


def _fail(field: Any, message: Any) -> bool:
    field.errors = [*field.errors, message]
    return False


def _age(field: Any, invalid: Any, out_of_range: Any) -> tuple[bool, int | None]:
    text = (field.data or "").strip()
    if not text:
        return True, None
    if not text.isdigit():
        return _fail(field, invalid), None
    if int(text) > MAX_AGE:
        return _fail(field, out_of_range), None
    return True, int(text)


def _time(field: Any, message: Any) -> tuple[bool, str | None]:
    text = (field.data or "").strip()
    if not text:
        return True, None
    match = TIME.fullmatch(text)
    if not match:
        return _fail(field, message), None
    field.data = f"{int(match.group(1)):02d}:{match.group(2)}"
    return True, field.data


def _check_ages(form: ServiceForm) -> bool:
    ok_min, low = _age(form.minimum_age, _l("Minimum age must be a whole number, like 18"),
                       _l("Minimum age must be 120 or less"))
    ok_max, high = _age(form.maximum_age, _l("Maximum age must be a whole number, like 65"),
                        _l("Maximum age must be 120 or less"))
    if low is not None and high is not None and high < low:
        return _fail(form.maximum_age,
                     _l("Maximum age must be the same as or more than the minimum age"))
    return ok_min and ok_max


def _check_phones(form: ServiceForm) -> bool:
    ok = True
    for number, entry in enumerate(form.phones, start=1):
        row = entry.form
        if row.description.data and not row.number.data:
            ok = _fail(row.number, _l("Enter phone number %(number)s, or delete what it is for",
                                      number=number))
        elif row.number.data and not (PHONE.fullmatch(row.number.data)
                                      and sum(c.isdigit() for c in row.number.data) >= 6):
            ok = _fail(row.number, _l("Enter phone number %(number)s in the correct format, "
                                      "like 01803 123456", number=number))
        if len(row.description.data or "") > 200:
            ok = _fail(row.description, _l("What phone number %(number)s is for must be 200 "
                                           "characters or fewer", number=number))
    return ok


def _schedule_used(row: ScheduleForm) -> bool:
    return bool(row.days.data or row.opens_at.data or row.closes_at.data
                or row.by_appointment.data or row.description.data)


def _check_schedule(row: ScheduleForm, number: int) -> bool:
    ok = True
    if not row.days.data and not row.by_appointment.data:
        ok = _fail(row.days, _l("Select the days for opening times %(number)s, or select by "
                                "appointment only", number=number))
    ok_open, opens = _time(row.opens_at, _l("Enter the opening time for opening times "
                                            "%(number)s in the 24-hour clock, like 09:30",
                                            number=number))
    ok_close, closes = _time(row.closes_at, _l("Enter the closing time for opening times "
                                               "%(number)s in the 24-hour clock, like 17:00",
                                               number=number))
    ok = ok and ok_open and ok_close
    if ok_open and ok_close:
        if opens and not closes:
            ok = _fail(row.closes_at, _l("Enter the closing time for opening times %(number)s",
                                         number=number))
        elif closes and not opens:
            ok = _fail(row.opens_at, _l("Enter the opening time for opening times %(number)s",
                                        number=number))
        elif opens and closes and closes <= opens:
            ok = _fail(row.closes_at, _l("The closing time for opening times %(number)s must be "
                                         "after the opening time", number=number))
    if len(row.description.data or "") > 300:
        ok = _fail(row.description, _l("Notes for opening times %(number)s must be 300 "
                                       "characters or fewer", number=number))
    return ok


def _venue_used(venue: VenueForm) -> bool:
    return bool(venue.name.data or venue.address_1.data or venue.city.data
                or venue.postcode.data or venue.accessibility.data or venue.confidential.data)


def _check_venue(venue: VenueForm) -> bool:
    if not _venue_used(venue):
        return True
    ok = True
    limits = ((venue.name, 300, _l("Venue name must be 300 characters or fewer")),
              (venue.address_1, 300, _l("Address must be 300 characters or fewer")),
              (venue.city, 120, _l("Town or city must be 120 characters or fewer")),
              (venue.accessibility, 2000,
               _l("Accessibility of the venue must be 2,000 characters or fewer")))
    for field, limit, message in limits:
        if len(field.data or "") > limit:
            ok = _fail(field, message)
    if not venue.address_1.data:
        ok = _fail(venue.address_1, _l("Enter the first line of the venue's address"))
    if not venue.postcode.data:
        ok = _fail(venue.postcode, _l("Enter the venue's postcode"))
    else:
        postcode = normalise_postcode(venue.postcode.data)
        if postcode is None:
            ok = _fail(venue.postcode, _l("Enter a real postcode, like TQ1 1AA"))
        else:
            venue.postcode.data = postcode
    return ok


def check_rows(form: ServiceForm) -> bool:
    ok = _check_ages(form)
    if not form.attendance.data and not form.attendance.errors:
        ok = _fail(form.attendance, _l("Select how people use the service"))
    if form.is_free.data == "no" and not form.fees_description.data:
        ok = _fail(form.fees_description, _l("Enter what it costs"))
    ok = _check_phones(form) and ok
    for number, entry in enumerate(form.schedules, start=1):
        if _schedule_used(entry.form):
            ok = _check_schedule(entry.form, number) and ok
    return _check_venue(form.venue.form) and ok


def _text(value: str | None) -> str | None:
    return value or None


def _unique(values: list[str] | None) -> list[str]:
    return list(dict.fromkeys(values or []))


def snapshot_from_form(form: ServiceForm) -> Snapshot:
    """The validated form as a snapshot (see ``portal.moderation.snapshot``)."""
    venue = form.venue.form
    modes = set(form.attendance.data or [])
    return {
        "name": form.name.data,
        "description": form.description.data,
        "url": _text(form.url.data),
        "email": _text(form.email.data),
        "status": form.status.data,
        "attendance": [mode.value for mode in Attendance if mode.value in modes],
        "minimum_age": int(form.minimum_age.data) if form.minimum_age.data else None,
        "maximum_age": int(form.maximum_age.data) if form.maximum_age.data else None,
        "eligibility_description": _text(form.eligibility_description.data),
        "is_free": form.is_free.data == "yes",
        "fees_description": _text(form.fees_description.data),
        "terms": sorted(set(form.terms.data or [])),
        "localities": sorted(set(form.localities.data or [])),
        "languages": _unique(form.languages.data),
        "phones": [{"number": e.form.number.data, "description": _text(e.form.description.data)}
                   for e in form.phones if e.form.number.data],
        "schedules": [{
            "days": [d for d in DAYS if d in (e.form.days.data or [])],
            "opens_at": _text(e.form.opens_at.data), "closes_at": _text(e.form.closes_at.data),
            "by_appointment": bool(e.form.by_appointment.data),
            "description": _text(e.form.description.data),
        } for e in form.schedules if _schedule_used(e.form)],
        "venue": {
            "name": _text(venue.name.data), "address_1": _text(venue.address_1.data),
            "city": _text(venue.city.data), "postcode": _text(venue.postcode.data),
            "confidential": bool(venue.confidential.data),
            "accessibility": _text(venue.accessibility.data),
        } if _venue_used(venue) else None,
    }


def as_int(value: Any) -> int | None:
    """A hidden field's number; anything else (a tampered value) is None."""
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else None
