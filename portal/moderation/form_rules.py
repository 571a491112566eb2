"""The editor form's rules that span fields or rows (messages name the row), and turning the
validated form into a snapshot."""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Any

from flask_babel import lazy_gettext as _l

from portal.directory import recurrence
from portal.directory.models import Attendance
from portal.moderation.snapshot import DAYS, SCHEDULE_KINDS, WEEKS, Snapshot
from portal.places.postcodes import normalise_postcode

if TYPE_CHECKING:
    from portal.moderation.forms import ScheduleForm, ServiceForm, VenueForm


PHONE = re.compile(r"\+?[0-9 ()-]{6,40}")
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
    value = recurrence.parse_clock(text)
    if value is None:
        return _fail(field, message), None
    field.data = value.strftime("%H:%M")
    return True, field.data


def _day(field: Any, message: Any) -> tuple[bool, date | None]:
    text = (field.data or "").strip()
    if not text:
        return True, None
    value = recurrence.parse_day(text)
    if value is None:
        return _fail(field, message), None
    return True, value


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
    return bool(row.days.data or row.weeks.data or row.interval.data or row.monthday.data
                or row.starts.data or row.ends.data or row.opens_at.data or row.closes_at.data
                or row.by_appointment.data or row.description.data)


def _check_pattern(row: ScheduleForm, number: int) -> bool:
    """The fields each way of repeating needs."""
    kind = row.kind.data
    if kind not in SCHEDULE_KINDS:
        return _fail(row.kind, _l("Select how often opening times %(number)s run",
                                  number=number))
    ok = True
    if kind in ("weekly", "monthly") and not row.days.data and not row.by_appointment.data:
        ok = _fail(row.days, _l("Select the days for opening times %(number)s, or select by "
                                "appointment only", number=number))
    if kind == "monthly" and not row.weeks.data:
        ok = _fail(row.weeks, _l("Select which weeks of the month for opening times "
                                 "%(number)s, for example second", number=number))
    interval = (row.interval.data or "").strip()
    if kind == "weekly" and interval and not (interval.isdigit() and 1 <= int(interval) <= 52):
        ok = _fail(row.interval, _l("Every how many weeks for opening times %(number)s must be "
                                    "a number from 1 to 52", number=number))
    elif kind == "weekly" and interval.isdigit() and int(interval) > 1 and not row.starts.data:
        ok = _fail(row.starts, _l("Enter the date of one session for opening times %(number)s, "
                                  "so we know which weeks it runs", number=number))
    monthday = (row.monthday.data or "").strip().casefold()
    if kind == "monthdate" and not (monthday == "last" or (monthday.isdigit()
                                                         and 1 <= int(monthday) <= 31)):
        ok = _fail(row.monthday, _l("Enter the date of the month for opening times %(number)s, "
                                    "a number from 1 to 31 or \"last\"", number=number))
    if kind in ("once", "closed") and not row.starts.data:
        ok = _fail(row.starts, _l("Enter the date for opening times %(number)s, like 5/12/2026",
                                  number=number))
    if kind == "closed" and not row.ends.data:
        ok = _fail(row.ends, _l("Enter the last day of the closure for opening times "
                                "%(number)s, like 2/1/2027", number=number))
    return ok


def _check_schedule(row: ScheduleForm, number: int) -> bool:
    ok = _check_pattern(row, number)
    ok_start, starts = _day(row.starts, _l("Enter the from date for opening times %(number)s "
                                           "as a real date, like 5/12/2026", number=number))
    ok_end, ends = _day(row.ends, _l("Enter the until date for opening times %(number)s as a "
                                     "real date, like 30/9/2027", number=number))
    if starts and ends and ends < starts:
        ok_end = _fail(row.ends, _l("The until date for opening times %(number)s must be the "
                                    "same as or after the from date", number=number))
    ok_open, opens = _time(row.opens_at, _l("Enter the opening time for opening times "
                                            "%(number)s in the correct format, like 9:30am or 09:30",
                                            number=number))
    ok_close, closes = _time(row.closes_at, _l("Enter the closing time for opening times "
                                               "%(number)s in the correct format, like 5pm or 17:00",
                                               number=number))
    ok = ok and ok_open and ok_close and ok_start and ok_end
    if ok_open and ok_close:
        if opens and not closes:
            ok = _fail(row.closes_at, _l("Enter the closing time for opening times %(number)s",
                                         number=number))
        elif closes and not opens:
            ok = _fail(row.opens_at, _l("Enter the opening time for opening times %(number)s",
                                        number=number))
        elif opens and closes and closes <= opens and closes != "23:59":
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


def _schedule_from(row: ScheduleForm) -> dict[str, Any]:
    kind = row.kind.data
    monthday = (row.monthday.data or "").strip().casefold()
    interval = (row.interval.data or "").strip()
    starts, ends = recurrence.parse_day(row.starts.data), recurrence.parse_day(row.ends.data)
    weeks = {int(week) for week in row.weeks.data or [] if week in ("1", "2", "3", "4", "-1")}
    return {
        "kind": kind,
        "days": [] if kind in ("monthdate", "once", "closed")
        else [d for d in DAYS if d in (row.days.data or [])],
        "weeks": [week for week in WEEKS if week in weeks] if kind == "monthly" else [],
        "monthday": (-1 if monthday == "last" else int(monthday)) if kind == "monthdate" else None,
        "interval": int(interval) if kind == "weekly" and interval.isdigit() else 1,
        "starts": starts.isoformat() if starts else None,
        "ends": ends.isoformat() if ends and kind != "once" else None,
        "opens_at": None if kind == "closed" else _text(row.opens_at.data),
        "closes_at": None if kind == "closed" else _text(row.closes_at.data),
        "by_appointment": bool(row.by_appointment.data) and kind != "closed",
        "description": _text(row.description.data),
    }


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
        "schedules": [_schedule_from(e.form) for e in form.schedules if _schedule_used(e.form)],
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
