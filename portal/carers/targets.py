"""How soon the team aims to contact a carer, counted in working days.

A working day is Monday to Friday and not a bank holiday in England and Wales (the bank
holidays come from ``portal.messaging.hours``, which reads the ``holidays`` package's own
data, so nothing is fetched). The targets are settings (``portal/config.py``, from the
environment of the same names; see docs/deployment.md):

* ``CARER_CONTACT_DAYS_URGENT`` (default 0): 0 means the same working day the request
  arrives (or the next working day when it arrives on a weekend or bank holiday);
* ``CARER_CONTACT_DAYS_ROUTINE`` (default 5): working days after the day it arrives.

A target is met once a contact attempt reached the carer, or the status is "contact made" or
later.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask import current_app, has_app_context

from portal.carers.models import CarerReferral, ReferralStatus
from portal.clock import UK, today
from portal.messaging.hours import is_bank_holiday

DEFAULT_URGENT_DAYS = 0
DEFAULT_ROUTINE_DAYS = 5
CONTACTED = frozenset({ReferralStatus.CONTACT_MADE, ReferralStatus.ASSESSMENT_BOOKED,
                       ReferralStatus.COMPLETED})


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and not is_bank_holiday(day)


def first_working_day(day: date) -> date:
    """``day`` itself if it is a working day, else the next one."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def add_working_days(day: date, count: int) -> date:
    """The ``count``-th working day after the first working day on or after ``day``."""
    day = first_working_day(day)
    while count > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 if ``end`` is not later)."""
    days, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day):
            days += 1
    return days


def target_days(urgent: bool) -> int:
    """The configured target; its default outside an app (the migrations' backfill)."""
    key, default = (("CARER_CONTACT_DAYS_URGENT", DEFAULT_URGENT_DAYS) if urgent
                    else ("CARER_CONTACT_DAYS_ROUTINE", DEFAULT_ROUTINE_DAYS))
    if not has_app_context():
        return default
    return int(current_app.config.get(key, default))


def local_day(moment: datetime) -> date:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UK).date()


@dataclass(frozen=True)
class ContactTarget:
    days: int        # the target, in working days
    due: date        # the last day to make contact
    met: bool        # the carer has been reached
    waited: int      # working days since the request arrived
    overdue: bool    # not met and the due day has passed


def contact_target(referral: CarerReferral, on: date | None = None) -> ContactTarget:
    on = on or today()
    days = target_days(referral.urgent)
    received = local_day(referral.created_at)
    due = add_working_days(received, days)
    met = referral.status in CONTACTED or referral.first_contact_at is not None
    return ContactTarget(days=days, due=due, met=met,
                         waited=working_days_between(received, on),
                         overdue=not met and on > due)

