from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, ValidationError

from portal.accounts.passwords import is_common
from portal.forms import EmailAddress

MIN_PASSWORD_LENGTH = 10


def not_common(_form: FlaskForm, field: PasswordField) -> None:
    if field.data and is_common(field.data):
        raise ValidationError(_l("Choose a password that is harder to guess: "
                                 "this one is on a list of common passwords"))


def new_password_field(label: str | LazyString) -> PasswordField:
    return PasswordField(
        label,
        description=_l("Use at least 10 characters. A few words strung together work well."),
        validators=[
            InputRequired(message=_l("Create a password")),
            Length(min=MIN_PASSWORD_LENGTH, max=1024,
                   message=_l("Password must be between 10 and 1,024 characters")),
            not_common,
        ],
    )


def confirm_password_field() -> PasswordField:
    return PasswordField(
        _l("Confirm your password"),
        validators=[
            InputRequired(message=_l("Confirm your password")),
            EqualTo("password", message=_l("Passwords must match")),
        ],
    )


def email_field(description: object = None) -> EmailField:
    return EmailField(
        _l("Email address"),
        description=description,
        filters=[strip],
        validators=[
            DataRequired(message=_l("Enter your email address")),
            Length(max=320, message=_l("Email address must be 320 characters or fewer")),
            EmailAddress(_l("Enter an email address in the correct format, like name@example.com")),
        ],
    )


def current_password_field() -> PasswordField:
    return PasswordField(
        _l("Your current password"),
        validators=[
            InputRequired(message=_l("Enter your current password")),
            Length(max=1024, message=_l("Password must be 1,024 characters or fewer")),
        ],
    )


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
    email = email_field(_l("We will only use this to sign you in and to send you notices."))
    password = new_password_field(_l("Create a password"))
    confirm_password = confirm_password_field()


class TwoFactorForm(FlaskForm):
    code = StringField(
        _l("Security code"),
        description=_l("The 6-digit code from your authenticator app."),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Enter the 6-digit security code")),
            Length(max=20, message=_l("Enter the 6-digit security code")),
        ],
    )


class RecoveryCodeForm(FlaskForm):
    recovery_code = StringField(
        _l("Recovery code"),
        description=_l("One of the recovery codes you saved when you set up your app."),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Enter a recovery code")),
            Length(max=40, message=_l("Enter a recovery code")),
        ],
    )


class PasswordResetRequestForm(FlaskForm):
    email = email_field()


class PasswordResetForm(FlaskForm):
    password = new_password_field(_l("New password"))
    confirm_password = confirm_password_field()


class ChangePasswordForm(FlaskForm):
    current_password = current_password_field()
    password = new_password_field(_l("New password"))
    confirm_password = confirm_password_field()


class ChangeEmailForm(FlaskForm):
    email = email_field(_l("We will send a link to this address to check it is yours."))
    current_password = current_password_field()
