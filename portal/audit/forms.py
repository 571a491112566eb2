from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectChoice, SelectField, StringField
from wtforms.validators import Length, Optional

from portal.audit.events import EventType
from portal.audit.presenters import EVENT_LABELS


def strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class AuditSearchForm(FlaskForm):
    """Posted, so that email addresses never appear in a URL; the results page is a GET
    with account numbers only."""

    actor = StringField(
        _l("Done by (optional)"), filters=[strip],
        description=_l("An email address or an account number."),
        validators=[Optional(), Length(max=320, message=_l("Done by must be 320 characters or fewer"))],
    )
    subject = StringField(
        _l("About whose account (optional)"), filters=[strip],
        description=_l("An email address or an account number."),
        validators=[Optional(), Length(max=320, message=_l(
            "About whose account must be 320 characters or fewer"))],
    )
    event_type = SelectField(_l("Event (optional)"), default="")
    date_from = DateField(_l("From (optional)"), validators=[Optional()],
                          description=_l("For example, 2026-03-27"))
    date_to = DateField(_l("To (optional)"), validators=[Optional()],
                        description=_l("For example, 2026-03-31"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Labels are lazy strings: rebuild per request so they follow the language.
        self.event_type.choices = [SelectChoice("", _l("Any event"))] + [
            SelectChoice(event.value, EVENT_LABELS[event]) for event in EventType
        ]

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        for field in (self.date_from, self.date_to):
            if field.errors:
                field.errors = [_l("Enter a real date, like 2026-03-27")]
        if self.event_type.errors:
            self.event_type.errors = [_l("Select an event from the list")]
        if valid and self.date_from.data and self.date_to.data and (
                self.date_to.data < self.date_from.data):
            self.date_to.errors = [_l("The end date must be the same as or after the start date")]
            return False
        return bool(valid)

    @property
    def chosen_event(self) -> EventType | None:
        return EventType(self.event_type.data) if self.event_type.data else None
