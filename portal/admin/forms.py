from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectChoice, StringField
from wtforms.validators import AnyOf, Length, Optional

from portal.authz.permissions import Role
from portal.forms import MultiCheckboxField


class UserSearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(
        _l("Search by name or email"),
        validators=[Optional(), Length(max=200, message=_l("Search must be 200 characters or fewer"))],
    )


class RolesForm(FlaskForm):
    roles = MultiCheckboxField(
        _l("Roles"),
        description=_l("Select every role this person holds."),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # Labels are lazy strings: rebuild per request so they follow the language.
        self.roles.choices = [SelectChoice(role.value, role.label) for role in Role]


class ActiveForm(FlaskForm):
    active = HiddenField(validators=[AnyOf(["0", "1"])])
