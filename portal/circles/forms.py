"""Forms of the care circles pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from portal.accounts.forms import email_field
from portal.circles.models import Purpose, Scope
from portal.clock import today
from portal.forms import MultiCheckboxField, clean_line, clean_text


class LocalityForm(FlaskForm):
    """Choose a home area by hand (when the postcode is unknown or not given)."""

    locality = SelectField(_l("Your area"), choices=[], validate_choice=True)


class ConsentForm(FlaskForm):
    purpose = HiddenField()

    def chosen(self) -> Purpose | None:
        value = self.purpose.data or ""
        return Purpose(value) if value in Purpose._value2member_map_ else None


class ActionForm(FlaskForm):
    """A button that changes something (its CSRF token is all it carries)."""


class ActForm(FlaskForm):
    """Choose whom to act for (empty: yourself)."""

    person = HiddenField()


class AnswerForm(FlaskForm):
    """Approve or decline a carer's request (the button pressed says which)."""

    answer = HiddenField()


class NameSearchForm(FlaskForm):
    class Meta:
        csrf = False

    name = StringField(_l("Search by name"), filters=[clean_line])


SCOPE_LABELS = {
    Scope.PLAN_VIEW: _l("See my plan"),
    Scope.PLAN_EDIT: _l("Change my plan"),
    Scope.MESSAGES: _l("Message my care team for me"),
    Scope.REFERRALS: _l("Make referrals for me"),
    Scope.DETAILS_VIEW: _l("See my personal details"),
}


def _scopes_field() -> MultiCheckboxField:
    return MultiCheckboxField(
        _l("What they may do for you"), choices=[SelectChoice(s.value, SCOPE_LABELS[s]) for s in Scope],
        validators=[DataRequired(message=_l("Choose at least one thing they may do"))])


def _ends_on_field() -> DateField:
    return DateField(
        _l("Last day of access (optional)"), validators=[Optional()],
        description=_l("Leave empty for no end date. For example, 2027-03-31"),
        render_kw={"type": "date"})


class GrantForm(FlaskForm):
    scopes = _scopes_field()
    ends_on = _ends_on_field()

    def validate_ends_on(self, field: DateField) -> None:
        if field.data is not None and field.data < today():
            raise ValidationError(_l("The last day of access must be today or in the future"))


class InviteForm(GrantForm):
    email = email_field()
    relationship = StringField(
        _l("How they are related to you"), filters=[clean_line],
        description=_l("For example, daughter, husband, friend"),
        validators=[DataRequired(message=_l("Enter how they are related to you")),
                    Length(max=80, message=_l("This must be 80 characters or fewer"))])


class ArrangeForm(GrantForm):
    email = email_field(_l("The email address of the carer's portal account"))
    relationship = StringField(
        _l("How they are related to the person"), filters=[clean_line],
        validators=[DataRequired(message=_l("Enter how they are related to the person")),
                    Length(max=80, message=_l("This must be 80 characters or fewer"))])
    reason = TextAreaField(
        _l("Why access was arranged"), filters=[clean_text],
        description=_l("For example, a best-interests decision under the Mental Capacity Act"),
        validators=[DataRequired(message=_l("Enter why access was arranged")),
                    Length(max=2000, message=_l("This must be 2000 characters or fewer"))])


class AskForm(FlaskForm):
    """A carer asks someone for access (what they would like to do for them)."""

    email = email_field(_l("The email address of the person you care for"))
    relationship = StringField(
        _l("How you are related to them"), filters=[clean_line],
        description=_l("For example, daughter, husband, friend"),
        validators=[DataRequired(message=_l("Enter how you are related to them")),
                    Length(max=80, message=_l("This must be 80 characters or fewer"))])
    scopes = MultiCheckboxField(
        _l("What you would like to do for them"),
        choices=[SelectChoice(s.value, SCOPE_LABELS[s]) for s in Scope],
        validators=[DataRequired(message=_l("Choose at least one thing they may do"))])
