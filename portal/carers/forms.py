from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from portal.carers.models import ReferralStatus
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
