"""The search form: a GET form (results are linkable), so it has no CSRF token.

Nothing typed here is ever an error page: unknown filter values are dropped, an age that is
not a number gets a message and the search runs without it, and a postcode that cannot be
used gets a message (set by the view, which needs the postcode table to tell).
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import Form, RadioField, SearchField, SelectChoice, StringField
from wtforms.validators import ValidationError

from portal.forms import MultiCheckboxField as CheckboxesField
from portal.search.services import MAX_AGE
from portal.search.text import MAX_QUERY_CHARS

DAYS = [("MO", _l("Monday")), ("TU", _l("Tuesday")), ("WE", _l("Wednesday")), ("TH", _l("Thursday")),
        ("FR", _l("Friday")), ("SA", _l("Saturday")), ("SU", _l("Sunday"))]
ATTENDANCE = [("in-person", _l("In person")), ("online", _l("Online")),
              ("telephone", _l("By telephone")), ("home-visit", _l("Home visits"))]
WHEN = [("open_now", _l("Open now")), ("evenings", _l("Evenings (after 5pm)")),
        ("weekends", _l("Weekends"))]
COST = [("free", _l("Free of charge"))]
SORTS = [("relevance", _l("Best match")), ("distance", _l("Distance"))]


def choices(pairs: list[tuple[str, Any]]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]
POSTCODE_MESSAGES = {
    "malformed": _l("Enter a real postcode, like TQ1 1AA"),
    "unknown": _l("We could not find that postcode. Check it and try again"),
}


def _text(limit: int) -> Any:
    def clean(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        return " ".join("".join(ch if ch.isprintable() else " " for ch in value[:limit * 2]).split())[:limit]
    return clean


class MultiCheckboxField(CheckboxesField):
    """Checkboxes whose unknown values (an old link, a hand-edited URL) are quietly dropped."""

    def pre_validate(self, form: Any) -> None:
        allowed = {str(choice.value) for choice in self.choices or []}
        self.data: Any = [value for value in self.data or [] if value in allowed]


class LenientRadioField(RadioField):
    """A radio group that falls back to its default rather than refusing an unknown value."""

    def pre_validate(self, form: Any) -> None:
        field: Any = self  # WTForms is untyped: its ``data`` has no declared type
        if field.data not in {choice.value for choice in self.choices or []}:
            field.data = self.default


class SearchForm(Form):
    q = SearchField(_l("What are you looking for?"), filters=[_text(MAX_QUERY_CHARS)],
                    description=_l("For example, lunch club, carers or money worries"))
    postcode = StringField(_l("Postcode (optional)"), filters=[_text(16)],
                           description=_l("To see services near you, for example TQ1 1AA"))
    locality = MultiCheckboxField(_l("Area"))
    category = MultiCheckboxField(_l("Type of help"))
    day = MultiCheckboxField(_l("Day of the week"), choices=choices(DAYS))
    when = MultiCheckboxField(_l("Time"), choices=choices(WHEN))
    cost = MultiCheckboxField(_l("Cost"), choices=choices(COST))
    attendance = MultiCheckboxField(_l("How you use it"), choices=choices(ATTENDANCE))
    age = StringField(_l("Age (optional)"), filters=[_text(8)],
                      description=_l("The age of the person who needs help, in years"))
    sort = LenientRadioField(_l("Sort by"), choices=choices(SORTS), default="relevance")

    def validate_age(self, field: Any) -> None:
        if field.data and not (field.data.isdigit() and 0 <= int(field.data) <= MAX_AGE):
            raise ValidationError(_l("Enter an age in years, like 45"))

    @property
    def age_years(self) -> int | None:
        value = self.age.data or ""
        return int(value) if value.isdigit() and not self.age.errors and int(value) <= MAX_AGE else None
