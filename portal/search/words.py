"""Listings in words, for people: opening times, ages, distances.

Each phrase is a whole translatable sentence or fragment with named placeholders.
"""

from __future__ import annotations

from datetime import time
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.search.schedules import DAY_CODES, parse_days

DAY_NAMES = {"MO": _l("Monday"), "TU": _l("Tuesday"), "WE": _l("Wednesday"), "TH": _l("Thursday"),
             "FR": _l("Friday"), "SA": _l("Saturday"), "SU": _l("Sunday")}
DAYS_PLURAL = {"MO": _l("Mondays"), "TU": _l("Tuesdays"), "WE": _l("Wednesdays"),
               "TH": _l("Thursdays"), "FR": _l("Fridays"), "SA": _l("Saturdays"), "SU": _l("Sundays")}
MONTHLY = {"1": _l("First %(day)s of the month"), "2": _l("Second %(day)s of the month"),
           "3": _l("Third %(day)s of the month"), "4": _l("Fourth %(day)s of the month"),
           "5": _l("Fifth %(day)s of the month"), "L": _l("Last %(day)s of the month")}
ATTENDANCE_NAMES = {"in-person": _l("In person"), "online": _l("Online"),
                    "telephone": _l("By telephone"), "home-visit": _l("Home visits")}
KM_PER_MILE = 1.609344


def clock(value: time) -> str:
    """10am, 10:30am, 12pm, midnight (English); the locale's short time elsewhere."""
    if (value.hour, value.minute) in ((0, 0), (23, 59)):
        return _("midnight")
    if str(get_locale() or "en").startswith("en"):
        suffix = "am" if value.hour < 12 else "pm"
        hour = value.hour % 12 or 12
        return f"{hour}{suffix}" if value.minute == 0 else f"{hour}:{value.minute:02d}{suffix}"
    return f"{value.hour:02d}:{value.minute:02d}"


def join_words(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return _("%(first)s and %(last)s", first=", ".join(items[:-1]), last=items[-1])


def days_words(byday: str | None, freq: str | None, week_of_month: int | None) -> str:
    days = parse_days(byday, freq, week_of_month)
    if not days:
        return ""
    if any(week for _day, week in days):
        return join_words([str(MONTHLY[week] % {"day": DAY_NAMES[day]}) if week
                           else str(DAYS_PLURAL[day]) for day, week in days])
    codes = [day for day in DAY_CODES if day in {d for d, _w in days}]
    if len(codes) == 7:
        return _("Every day")
    if codes == ["MO", "TU", "WE", "TH", "FR"]:
        return _("Monday to Friday")
    if codes == ["SA", "SU"]:
        return _("Weekends")
    return join_words([str(DAYS_PLURAL[day]) for day in codes])


def schedule_words(schedule: Any) -> str:
    """"Saturdays, 10am to 12pm", "Monday to Friday, 9am to 5pm", "By appointment"."""
    if schedule.by_appointment:
        return _("By appointment")
    days = days_words(schedule.byday, schedule.freq, schedule.week_of_month)
    opens, closes = schedule.opens_at, schedule.closes_at
    if opens is not None and closes is not None:
        if (opens.hour, opens.minute) == (0, 0) and (closes.hour, closes.minute) in ((23, 59), (0, 0)):
            return _("%(days)s, 24 hours", days=days) if days else _("24 hours")
        hours = _("%(opens)s to %(closes)s", opens=clock(opens), closes=clock(closes))
        return _("%(days)s, %(hours)s", days=days, hours=hours) if days else hours
    return days or (schedule.description or "")


def ages_words(minimum: int | None, maximum: int | None) -> str:
    if minimum and maximum is not None:
        return _("Ages %(minimum)s to %(maximum)s", minimum=minimum, maximum=maximum)
    if minimum:
        return _("Ages %(minimum)s and over", minimum=minimum)
    if maximum is not None:
        return _("Up to age %(maximum)s", maximum=maximum)
    return _("All ages")


def distance_words(km: float | None) -> str:
    if km is None:
        return ""
    miles = km / KM_PER_MILE
    if miles < 0.1:
        return _("Less than 0.1 miles away")
    return _("%(miles)s miles away", miles=f"{miles:.1f}")
