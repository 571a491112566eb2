"""Forms of the care circles pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField

from portal.circles.models import Purpose
from portal.forms import clean_line


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


class NameSearchForm(FlaskForm):
    class Meta:
        csrf = False

    name = StringField(_l("Search by name"), filters=[clean_line])
