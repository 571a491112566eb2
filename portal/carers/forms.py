from __future__ import annotations

from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from portal.carers.models import ContactMethod, ContactOutcome, ReferralStatus
from portal.forms import clean_text

# A field people never see (hidden from sight and from screen readers); bots fill it in.
HONEYPOT = "website"


class SendForm(FlaskForm):
    website = StringField(_l("Leave this empty"))


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
