from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length

MIN_PASSWORD_LENGTH = 10


def strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class SignInForm(FlaskForm):
    email = EmailField(
        _l("Email address"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Enter your email address")),
            Length(max=320, message=_l("Email address must be 320 characters or fewer")),
        ],
    )
    password = PasswordField(
        _l("Password"),
        validators=[
            InputRequired(message=_l("Enter your password")),
            Length(max=1024, message=_l("Password must be 1,024 characters or fewer")),
        ],
    )


class RegistrationForm(FlaskForm):
    display_name = StringField(
        _l("Your name"),
        description=_l("The name your care team and carers will see."),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Enter your name")),
            Length(max=200, message=_l("Name must be 200 characters or fewer")),
        ],
    )
    email = EmailField(
        _l("Email address"),
        description=_l("We will only use this to sign you in and to send you notices."),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Enter your email address")),
            Length(max=320, message=_l("Email address must be 320 characters or fewer")),
            Email(
                message=_l("Enter an email address in the correct format, like name@example.com"),
                check_deliverability=False,
            ),
        ],
    )
    password = PasswordField(
        _l("Create a password"),
        description=_l("Use at least 10 characters. A few words strung together work well."),
        validators=[
            InputRequired(message=_l("Create a password")),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=1024,
                message=_l("Password must be between 10 and 1,024 characters"),
            ),
        ],
    )
    confirm_password = PasswordField(
        _l("Confirm your password"),
        validators=[
            InputRequired(message=_l("Confirm your password")),
            EqualTo("password", message=_l("Passwords must match")),
        ],
    )
