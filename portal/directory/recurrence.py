"""When a service runs: the one set of rules for every part of the portal.

The editor's form, the moderator's difference, the listing page ("Next: Saturday 5 December"),
"open now" and the day filters of search, ORUK import and export and the API all read schedules
through this module, so they cannot disagree about which days a group meets.

A schedule is one of:

- weekly: ``freq`` WEEKLY, ``byday`` "MO,TH", ``interval`` N for every N weeks counted from
  ``dtstart`` (fortnightly: interval 2 and the date of one session);
- monthly by week of the month: ``freq`` MONTHLY, ``byday`` with ordinals ("1SA", "2SA,4SA",
  "-1SA" = the last Saturday);
- monthly by date: ``freq`` MONTHLY, ``bymonthday`` "15" ("-1" = the last day of the month);
- one date: no ``freq``, ``dtstart`` the date;
- a closure: ``closed``, from ``valid_from`` (or ``dtstart``) to ``valid_to`` (or ``until``):
  no session of the service runs on those dates ("closed over Christmas");
- by appointment: no ``freq``, ``by_appointment``.

Any of the recurring ones may be seasonal: they run only between ``valid_from``/``dtstart`` and
``valid_to``/``until``. Times are UK local time. Bank holidays in England are closed unless the
schedule's description says it runs on bank holidays (then it runs only on bank holidays),
except one-date sessions, which run on their date.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import holidays
from flask_babel import format_date, gettext
from flask_babel import lazy_gettext as _l

LONDON = ZoneInfo("Europe/London")


def _(message: str, **values: Any) -> str:
    """``gettext``, typed (flask-babel has no type information)."""
    return str(gettext(message, **values))


DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WEEKLY, MONTHLY = "WEEKLY", "MONTHLY"
HORIZON_DAYS = 400
_BYDAY = re.compile(r"^\s*([+-]?[1-5])?\s*(MO|TU|WE|TH|FR|SA|SU)\s*$", re.IGNORECASE)
_BANK_HOLIDAY = re.compile(r"bank\s+holidays?", re.IGNORECASE)
_NOT_BANK_HOLIDAY = re.compile(r"(except|excluding|not|closed)[^.]{0,40}bank\s+holiday",
                               re.IGNORECASE)

DAY_NAMES = {"MO": _l("Monday"), "TU": _l("Tuesday"), "WE": _l("Wednesday"),
             "TH": _l("Thursday"), "FR": _l("Friday"), "SA": _l("Saturday"), "SU": _l("Sunday")}
DAYS_PLURAL = {"MO": _l("Mondays"), "TU": _l("Tuesdays"), "WE": _l("Wednesdays"),
               "TH": _l("Thursdays"), "FR": _l("Fridays"), "SA": _l("Saturdays"),
               "SU": _l("Sundays")}
MONTHLY_DAY = {1: _l("First %(day)s of the month"), 2: _l("Second %(day)s of the month"),
               3: _l("Third %(day)s of the month"), 4: _l("Fourth %(day)s of the month"),
               5: _l("Fifth %(day)s of the month"), -1: _l("Last %(day)s of the month")}


@dataclass(frozen=True)
class Rule:
    """One schedule, read once from a database row, an ORUK record or a form."""

    freq: str | None = None
    days: tuple[tuple[str, int], ...] = ()  # (day code, week of the month: 0 every, 1-5, -1 last)
    monthdays: tuple[int, ...] = ()
    interval: int = 1
    starts: date | None = None  # dtstart, or valid_from when later
    ends: date | None = None  # until, or valid_to when earlier
    opens: time | None = None
    closes: time | None = None
    by_appointment: bool = False
    closed: bool = False
    bank_holidays_only: bool = False
    anchor: date | None = None  # the dtstart that every N weeks counts from

    @property
    def kind(self) -> str:
        if self.closed:
            return "closed"
        if self.freq == WEEKLY:
            return "weekly"
        if self.freq == MONTHLY:
            return "monthdate" if self.monthdays and not self.days else "monthly"
        if self.anchor is not None:
            return "once"
        return "appointment" if self.by_appointment else "unknown"


@dataclass(frozen=True)
class Session:
    day: date
    opens: time | None
    closes: time | None


# Reading ------------------------------------------------------------------------------------

def parse_byday(text: str | None) -> tuple[tuple[str, int], ...]:
    """"MO, th,XX" -> (("MO", 0), ("TH", 0)); "1SA,-1FR" -> (("SA", 1), ("FR", -1))."""
    result = []
    for part in (text or "").split(","):
        match = _BYDAY.match(part)
        if match:
            result.append((match.group(2).upper(), int(match.group(1) or 0)))
    return tuple(dict.fromkeys(result))


def format_byday(days: Iterable[tuple[str, int]]) -> str | None:
    return ",".join(f"{week or ''}{day}" for day, week in days) or None


def parse_monthdays(text: str | None) -> tuple[int, ...]:
    result = []
    for part in str(text or "").split(","):
        part = part.strip()
        if re.fullmatch(r"-?\d{1,2}", part) and 1 <= abs(int(part)) <= 31:
            result.append(int(part))
    return tuple(dict.fromkeys(result))


def is_bank_holiday_schedule(*texts: str | None) -> bool:
    text = " ".join(t for t in texts if t)
    return bool(_BANK_HOLIDAY.search(text)) and not _NOT_BANK_HOLIDAY.search(text)


def _later(*days: date | None) -> date | None:
    known = [d for d in days if d is not None]
    return max(known) if known else None


def _earlier(*days: date | None) -> date | None:
    known = [d for d in days if d is not None]
    return min(known) if known else None


def rule_of(row: Any) -> Rule:
    """A rule from anything with a schedule's attributes (a ``Schedule``, a query row)."""
    freq = (getattr(row, "freq", None) or "").upper() or None
    days = parse_byday(getattr(row, "byday", None))
    week = getattr(row, "week_of_month", None)  # the old column: one week for every day
    if freq == MONTHLY and week and all(w == 0 for _d, w in days):
        days = tuple((d, -1 if int(week) < 0 else int(week)) for d, _w in days)
    if freq != MONTHLY:
        days = tuple((d, 0) for d, _w in days)
    monthdays = parse_monthdays(getattr(row, "bymonthday", None)) if freq == MONTHLY else ()
    if not days and not monthdays:
        freq = None  # the column's default says WEEKLY; without days it means nothing
    dtstart = getattr(row, "dtstart", None)
    closed = bool(getattr(row, "closed", False))
    starts = _later(dtstart, getattr(row, "valid_from", None))
    ends = _earlier(getattr(row, "until", None), getattr(row, "valid_to", None))
    if freq is None and not closed and dtstart is not None:
        ends = _earlier(ends, dtstart)
    return Rule(
        freq=freq if freq in (WEEKLY, MONTHLY) else None, days=tuple(dict.fromkeys(days)),
        monthdays=monthdays,
        interval=max(1, int(getattr(row, "interval", None) or 1)),
        starts=starts, ends=ends, anchor=dtstart,
        opens=getattr(row, "opens_at", None), closes=getattr(row, "closes_at", None),
        by_appointment=bool(getattr(row, "by_appointment", False)), closed=closed,
        bank_holidays_only=is_bank_holiday_schedule(getattr(row, "description", None)))


def rules_of(rows: Iterable[Any]) -> list[Rule]:
    return [rule_of(row) for row in rows]


# Times as people type them --------------------------------------------------------------------

_CLOCK = re.compile(r"^(\d{1,2})(?:[:.]?(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$")


def parse_clock(text: str | None) -> time | None:
    """"09:30", "9.30", "0930", "9:30am", "12.30pm", "9am", "noon", "midnight" -> a time;
    anything else None. Without am/pm the 24-hour clock is meant."""
    value = re.sub(r"\s+", " ", (text or "").strip().casefold())
    if value in ("noon", "12 noon", "midday", "12 midday"):
        return time(12, 0)
    if value in ("midnight", "12 midnight"):
        return time(23, 59)
    match = _CLOCK.match(value)
    if not match:
        return None
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if match.group(2) is None and half is None:
        return None  # "9" alone: too easily a mistake
    if minute > 59:
        return None
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half.startswith("p") else 0)
    elif hour > 23:
        return None
    return time(hour, minute)


_MONTHS = {name: number for number, names in enumerate((
    ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
    ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
    ("october", "oct"), ("november", "nov"), ("december", "dec")), start=1) for name in names}


def parse_day(text: str | None) -> date | None:
    """"5/12/2026", "05-12-2026", "2026-12-05", "5 December 2026", "5 Dec 2026" -> a date."""
    value = (text or "").strip().casefold()
    try:
        if match := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", value):
            return date(int(match[1]), int(match[2]), int(match[3]))
        if match := re.fullmatch(r"(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})", value):
            return date(int(match[3]), int(match[2]), int(match[1]))
        if match := re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\.?,?\s+(\d{4})", value):
            month = _MONTHS.get(match[2])
            return date(int(match[3]), month, int(match[1])) if month else None
    except ValueError:
        return None
    return None


# Occurrences --------------------------------------------------------------------------------

@lru_cache(maxsize=16)
def _england_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("GB", subdiv="ENG", years=year)


def is_bank_holiday(day: date) -> bool:
    return day in _england_holidays(day.year)


def _month_length(day: date) -> int:
    following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return (following - date(day.year, day.month, 1)).days


def week_of_month(day: date) -> tuple[int, bool]:
    """Which week of its month a date falls in (1-5), and whether it is in the last week."""
    return (day.day - 1) // 7 + 1, day.day + 7 > _month_length(day)


def _in_window(rule: Rule, day: date) -> bool:
    return (rule.starts is None or day >= rule.starts) and (rule.ends is None or day <= rule.ends)


def _matches(rule: Rule, day: date) -> bool:
    """Whether the rule's pattern falls on this date, ignoring closures and bank holidays."""
    if rule.closed or not _in_window(rule, day):
        return False
    code = DAY_CODES[day.weekday()]
    if rule.freq == WEEKLY:
        if code not in {d for d, _w in rule.days}:
            return False
        if rule.interval > 1 and rule.anchor is not None:
            weeks = ((day - timedelta(days=day.weekday()))
                     - (rule.anchor - timedelta(days=rule.anchor.weekday()))).days // 7
            return weeks % rule.interval == 0
        return True
    if rule.freq == MONTHLY:
        if rule.interval > 1 and rule.anchor is not None:
            months = (day.year - rule.anchor.year) * 12 + day.month - rule.anchor.month
            if months % rule.interval:
                return False
        length = _month_length(day)
        if any(day.day == (n if n > 0 else length + 1 + n) for n in rule.monthdays):
            return True
        nth, last = week_of_month(day)
        return any(d == code and (w == 0 or w == nth or (w == -1 and last))
                   for d, w in rule.days)
    return rule.anchor is not None and day == rule.anchor and not rule.by_appointment


def closed_on(rules: Sequence[Rule], day: date) -> bool:
    return any(rule.closed and _in_window(rule, day) for rule in rules)


def runs_on(rule: Rule, day: date, rules: Sequence[Rule] = ()) -> bool:
    """Whether a session of this rule happens on this date (``rules``: the service's others,
    for its closures)."""
    if not _matches(rule, day) or closed_on(rules, day):
        return False
    if rule.freq is None:
        return True  # a session on one date is held on its date
    return is_bank_holiday(day) == rule.bank_holidays_only


def _minutes(value: time | None) -> int | None:
    if value is None:
        return None
    minutes = value.hour * 60 + value.minute
    return 24 * 60 if minutes == 23 * 60 + 59 else minutes


def local_now(now: datetime | None = None) -> datetime:
    """The time in the UK; ``now`` (aware, or naive UTC) lets callers and tests fix the clock."""
    if now is None:
        now = datetime.now(LONDON)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=ZoneInfo("UTC"))
    return now.astimezone(LONDON)


def open_at(rules: Sequence[Rule], now: datetime | None = None) -> bool:
    """Whether a session of the service is on at this moment (UK time)."""
    moment = local_now(now)
    minute = moment.hour * 60 + moment.minute
    for rule in rules:
        opens, closes = _minutes(rule.opens), _minutes(rule.closes)
        if opens is None or closes is None or not opens <= minute < closes:
            continue
        if runs_on(rule, moment.date(), rules):
            return True
    return False


def next_session(rules: Sequence[Rule], now: datetime | None = None,
                 horizon: int = HORIZON_DAYS) -> Session | None:
    """The next session that has not finished yet (today's if still on or to come)."""
    moment = local_now(now)
    minute = moment.hour * 60 + moment.minute
    timed = [r for r in rules if not r.closed and (r.days or r.monthdays or r.anchor)
             and not (r.freq is None and r.by_appointment)]
    if not timed:
        return None
    for offset in range(horizon):
        day = moment.date() + timedelta(days=offset)
        found = []
        for rule in timed:
            if not runs_on(rule, day, rules):
                continue
            closes = _minutes(rule.closes)
            if offset == 0 and closes is not None and closes <= minute:
                continue
            found.append(Session(day, rule.opens, rule.closes))
        if found:
            return min(found, key=lambda s: _minutes(s.opens) or 0)
    return None


def runs_on_weekday(rule: Rule) -> set[str]:
    """The days of the week a rule can run on (for the day filters)."""
    if rule.closed:
        return set()
    if rule.freq is None:
        return {DAY_CODES[rule.anchor.weekday()]} if rule.anchor and not rule.by_appointment \
            else set()
    if rule.monthdays and not rule.days:
        return set(DAY_CODES)
    return {d for d, _w in rule.days}


# In words -----------------------------------------------------------------------------------

def clock(value: time) -> str:
    """10am, 10:30am, 12 noon, midnight (English); the 24-hour clock elsewhere."""
    from flask_babel import get_locale

    if (value.hour, value.minute) in ((0, 0), (23, 59)):
        return _("midnight")
    if not str(get_locale() or "en").startswith("en"):
        return f"{value.hour:02d}:{value.minute:02d}"
    if (value.hour, value.minute) == (12, 0):
        return "12 noon"
    suffix = "am" if value.hour < 12 else "pm"
    hour = value.hour % 12 or 12
    return f"{hour}{suffix}" if value.minute == 0 else f"{hour}:{value.minute:02d}{suffix}"


def join_words(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return _("%(first)s and %(last)s", first=", ".join(items[:-1]), last=items[-1])


def long_date(day: date, *, year: bool = True) -> str:
    return str(format_date(day, "EEEE d MMMM y" if year else "EEEE d MMMM"))


def _days_words(rule: Rule) -> str:
    codes = [d for d in DAY_CODES if d in {c for c, _w in rule.days}]
    if rule.freq == MONTHLY:
        parts = [str(MONTHLY_DAY[w] % {"day": DAY_NAMES[d]}) if w else str(DAYS_PLURAL[d])
                 for d, w in rule.days]
        for n in rule.monthdays:
            parts.append(_("Last day of the month") if n == -1
                         else _("Day %(number)s of every month", number=n))
        return join_words(parts)
    if rule.interval > 1:
        names = join_words([str(DAY_NAMES[d]) for d in codes])
        if rule.interval == 2:
            return _("Every other %(days)s", days=names)
        return _("Every %(count)s weeks on %(days)s", count=rule.interval, days=names)
    if len(codes) == 7:
        return _("Every day")
    if codes == ["MO", "TU", "WE", "TH", "FR"]:
        return _("Monday to Friday")
    if codes == ["SA", "SU"]:
        return _("Weekends")
    return join_words([str(DAYS_PLURAL[d]) for d in codes])


def hours_words(opens: time | None, closes: time | None) -> str:
    if opens is None or closes is None:
        return ""
    if (opens.hour, opens.minute) == (0, 0) and (closes.hour, closes.minute) in ((23, 59), (0, 0)):
        return _("24 hours")
    return _("%(opens)s to %(closes)s", opens=clock(opens), closes=clock(closes))


def rule_words(rule: Rule) -> str:
    """"Second Saturday of the month, 10am to 12 noon", "Every other Tuesday, 6pm to 8pm",
    "Closed from Thursday 24 December 2026 to Saturday 2 January 2027"."""
    if rule.closed:
        if rule.starts and rule.ends:
            return _("Closed from %(start)s to %(end)s", start=long_date(rule.starts),
                     end=long_date(rule.ends))
        if rule.starts:
            return _("Closed from %(start)s", start=long_date(rule.starts))
        return _("Closed until %(end)s", end=long_date(rule.ends)) if rule.ends else _("Closed")
    if rule.freq is None:
        if rule.anchor is None or rule.by_appointment:
            return _("By appointment") if rule.by_appointment else ""
        days = long_date(rule.anchor)
    else:
        days = _days_words(rule)
    hours = hours_words(rule.opens, rule.closes)
    text = _("%(days)s, %(hours)s", days=days, hours=hours) if days and hours else days or hours
    if rule.by_appointment:
        text = _("%(when)s, by appointment", when=text) if text else _("By appointment")
    if rule.freq is not None:
        if rule.starts and rule.ends:
            text = _("%(when)s, from %(start)s to %(end)s", when=text,
                     start=long_date(rule.starts), end=long_date(rule.ends))
        elif rule.ends:
            text = _("%(when)s, until %(end)s", when=text, end=long_date(rule.ends))
        elif rule.starts and rule.starts > local_now().date():
            text = _("%(when)s, starting %(start)s", when=text, start=long_date(rule.starts))
    return text


def session_words(session: Session, today: date | None = None) -> str:
    """"Next: Saturday 5 December, 10am to 12 noon"."""
    today = today or local_now().date()
    when = long_date(session.day, year=session.day.year != today.year)
    hours = hours_words(session.opens, session.closes)
    if hours:
        return _("Next: %(date)s, %(hours)s", date=when, hours=hours)
    return _("Next: %(date)s", date=when)


def with_closures(rule: Rule, rules: Sequence[Rule]) -> list[Rule]:
    """A rule and the service's closures: what one search token must carry."""
    return [rule, *(replace(r) for r in rules if r.closed)]
