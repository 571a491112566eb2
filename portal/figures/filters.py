"""The figures' filters (locality and period, from the page's GET form) and the periods they
cover: calendar months (UTC) and ISO weeks starting on Monday."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import Session
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import Optional

from portal.clock import today
from portal.places.models import Locality

MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
MAX_MONTHS = 24
DEFAULT_MONTHS = 12


@dataclass(frozen=True)
class Filters:
    locality: Locality | None  # None: every locality
    first_month: date           # the 1st of the first month
    last_month: date            # the 1st of the last month (included)

    @property
    def start(self) -> datetime:
        return datetime(self.first_month.year, self.first_month.month, 1, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        """The first moment after the period."""
        following = add_months(self.last_month, 1)
        return datetime(following.year, following.month, 1, tzinfo=UTC)

    @property
    def months(self) -> list[date]:
        found, month = [], self.first_month
        while month <= self.last_month:
            found.append(month)
            month = add_months(month, 1)
        return found

    @property
    def weeks(self) -> list[date]:
        """Mondays of the weeks that overlap the period."""
        monday = self.first_month - timedelta(days=self.first_month.weekday())
        found = []
        while monday < self.end.date():
            found.append(monday)
            monday += timedelta(days=7)
        return found

    def as_details(self) -> dict[str, Any]:
        """For the audit event: the filters, never anything about a person."""
        return {"locality": self.locality.slug if self.locality else None,
                "start": self.first_month.isoformat()[:7], "end": self.last_month.isoformat()[:7]}


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_text(day: date) -> str:
    return day.isoformat()[:7]


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _month(text: str | None) -> date | None:
    match = MONTH.match((text or "").strip())
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        return None
    return date(year, month, 1)


class FiguresFilterForm(FlaskForm):
    """A GET form: the figures' address holds the filters, so a page can be shared."""

    class Meta:
        csrf = False

    locality = SelectField(_l("Locality"), default="", validate_choice=False)
    start = StringField(_l("From (month)"), validators=[Optional()],
                        description=_l("For example, 2026-01"))
    end = StringField(_l("To (month)"), validators=[Optional()],
                      description=_l("For example, 2026-12"))

    def __init__(self, *args: Any, localities: Sequence[Locality] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._localities = {locality.slug: locality for locality in localities}
        self.locality.choices = [SelectChoice("", _l("All localities"))] + [
            SelectChoice(locality.slug, locality.name) for locality in localities]

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if self.locality.data and self.locality.data not in self._localities:
            self.locality.errors = [_l("Select a locality from the list")]
            valid = False
        for field in (self.start, self.end):
            if field.data and _month(field.data) is None:
                field.errors = [_l("Enter a real month, like 2026-03")]
                valid = False
        first, last = _month(self.start.data), _month(self.end.data)
        if first and last and last < first:
            self.end.errors = [_l("The end month must be the same as or after the start month")]
            valid = False
        elif first and last and len(_span(first, last)) > MAX_MONTHS:
            self.end.errors = [_l("Choose a period of 24 months or fewer")]
            valid = False
        return bool(valid)

    def filters(self) -> Filters:
        """The filters asked for, or the defaults (the last 12 months, every locality) for
        whatever was not given or not valid."""
        this_month = today().replace(day=1)
        first = _month(self.start.data) if not self.start.errors else None
        last = _month(self.end.data) if not self.end.errors else None
        if first and last and (last < first or len(_span(first, last)) > MAX_MONTHS):
            first = last = None
        last = last or (add_months(first, DEFAULT_MONTHS - 1) if first else this_month)
        first = first or add_months(last, 1 - DEFAULT_MONTHS)
        locality = None if self.locality.errors else self._localities.get(self.locality.data or "")
        return Filters(locality, first, last)


def _span(first: date, last: date) -> list[date]:
    return Filters(None, first, last).months


def all_localities(session: Session) -> list[Locality]:
    return list(session.scalars(select(Locality).order_by(Locality.name, Locality.id)))
