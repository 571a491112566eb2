from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField
from wtforms.validators import DataRequired, InputRequired, Length


class DeleteAccountForm(FlaskForm):
    confirm = BooleanField(
        _l("I understand that deleting my account cannot be undone"),
        validators=[DataRequired(message=_l(
            "Confirm that you understand deleting your account cannot be undone"))],
    )
    password = PasswordField(
        _l("Your password"),
        description=_l("To make sure it is you, enter the password you sign in with."),
        validators=[
            InputRequired(message=_l("Enter your password")),
            Length(max=1024, message=_l("Password must be 1,024 characters or fewer")),
        ],
    )
