from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from portal.carers.models import ContactMethod, ContactOutcome, ReferralStatus
from portal.clock import today
from portal.forms import EmailAddress, clean_line, clean_text

# A field people never see (hidden from sight and from screen readers); bots fill it in.
HONEYPOT = "website"


class SendForm(FlaskForm):
    website = StringField(_l("Leave this empty"))


class ResumeEmailForm(FlaskForm):
    """Where to send a link back to a form in progress (the address is not kept)."""

    email = StringField(
        _l("Email address"), filters=[clean_line],
        description=_l("We will send you a link to come back to your answers. The email will "
                       "not contain any of your answers."),
        validators=[InputRequired(_l("Enter your email address")),
                    Length(max=254, message=_l("Email address must be 254 characters or fewer")),
                    EmailAddress(_l("Enter an email address in the correct format, like "
                                    "name@example.com"))])


class StatusForm(FlaskForm):
    status = SelectField(_l("New status"),
                         validators=[InputRequired(_l("Select the new status"))])
    note = TextAreaField(
        _l("Note for the team (optional)"),
        description=_l("The carer never sees this note."),
        filters=[clean_text],
        validators=[Length(max=5000, message=_l("Note must be 5,000 characters or fewer"))])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.status.choices = [SelectChoice(s.value, s.label) for s in ReferralStatus]


class AssignForm(FlaskForm):
    # Checked against the list in the view (a clear message, not WTForms' own).
    assignee = SelectField(_l("Assign to"), validate_choice=False)

    def __init__(self, *args: object, workers: Sequence[tuple[int, str]] = (),
                 **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.assignee.choices = [SelectChoice("", _l("Nobody"))] + [
            SelectChoice(str(worker_id), name) for worker_id, name in workers]


class ContactForm(FlaskForm):
    method = RadioField(_l("How did you try to contact them?"),
                        validators=[InputRequired(_l("Select how you tried to contact them"))])
    outcome = RadioField(_l("What happened?"),
                         validators=[InputRequired(_l("Select what happened"))])
    contact_note = TextAreaField(
        _l("Note for the team (optional)"),
        description=_l("The carer never sees this note."),
        filters=[clean_text],
        validators=[Length(max=5000, message=_l("Note must be 5,000 characters or fewer"))])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.method.choices = [SelectChoice(m.value, m.label) for m in ContactMethod]
        self.outcome.choices = [SelectChoice(o.value, o.label) for o in ContactOutcome]


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value.strip()) if value and value.strip() else None
    except ValueError:
        return None


class PeriodForm(FlaskForm):
    """Which requests to download: received from and to (both optional, days inclusive)."""

    class Meta:
        csrf = False  # a GET form that changes nothing

    received_from = StringField(_l("Received from (optional)"),
                                description=_l("For example, 2026-11-01"),
                                render_kw={"type": "date"})
    received_to = StringField(_l("Received up to (optional)"),
                              description=_l("For example, 2026-11-30"),
                              render_kw={"type": "date"})

    @property
    def start(self) -> date | None:
        return _day(self.received_from.data)

    @property
    def end(self) -> date | None:
        return _day(self.received_to.data)

    def validate_received_from(self, field: StringField) -> None:
        if field.data and field.data.strip() and self.start is None:
            raise ValidationError(_l("Enter the first day as a real date, like 2026-11-01"))
        if self.start is not None and self.start > today():
            raise ValidationError(_l("The first day must be today or in the past"))

    def validate_received_to(self, field: StringField) -> None:
        if field.data and field.data.strip() and self.end is None:
            raise ValidationError(_l("Enter the last day as a real date, like 2026-11-30"))
        if self.start is not None and self.end is not None and self.end < self.start:
            raise ValidationError(_l("The last day must be the same as or after the first day"))
