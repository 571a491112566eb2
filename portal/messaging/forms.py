from __future__ import annotations

import uuid
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    MultipleFileField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, StopValidation

from portal.messaging.services import MAX_BODY, MAX_SUBJECT


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class NotBlank:
    """After the strip filter: spaces, tabs and new lines alone are not a message."""

    def __init__(self, message: Any) -> None:
        self.message = message

    def __call__(self, _form: Any, field: Any) -> None:
        if not (field.data or "").strip():
            raise StopValidation(self.message)


def new_key() -> str:
    return uuid.uuid4().hex


class _Keyed(FlaskForm):
    # The form's identity: sending it twice (double click, resubmit) makes one message.
    key = HiddenField(default=new_key)

    def validate_key(self, field: HiddenField) -> None:
        value = field.data or ""
        if not (8 <= len(value) <= 64 and value.isalnum()):
            field.data = new_key()


def _body(label: Any, empty: Any) -> TextAreaField:
    return TextAreaField(label, filters=[_strip], validators=[
        InputRequired(message=empty), NotBlank(empty),
        Length(max=MAX_BODY, message=_l("Your message must be 10,000 characters or fewer. "
                                        "Shorten it or send it in parts."))])


class ComposeForm(_Keyed):
    subject = StringField(_l("Subject"), filters=[_strip], validators=[
        InputRequired(message=_l("Enter a subject")), NotBlank(_l("Enter a subject")),
        Length(max=MAX_SUBJECT, message=_l("Subject must be 120 characters or fewer"))],
        description=_l("A few words, like “Pain after my operation”"))
    body = _body(_l("Your message"), _l("Enter your message"))
    attachments = MultipleFileField(
        _l("Attach photos or documents (optional)"),
        description=_l("PDF, JPEG or PNG files, up to 10 MB each, up to 5 files"))


class ReplyForm(_Keyed):
    body = _body(_l("Your reply"), _l("Enter your reply"))
    attachments = MultipleFileField(
        _l("Attach photos or documents (optional)"),
        description=_l("PDF, JPEG or PNG files, up to 10 MB each, up to 5 files"))
    guidance = SelectField(_l("Attach a guidance page (optional)"), choices=[], default="")
    service = SelectField(_l("Attach a service from the directory (optional)"), choices=[],
                          default="")


class NoteForm(FlaskForm):
    note = TextAreaField(_l("Note for the team"), filters=[_strip], validators=[
        InputRequired(message=_l("Enter a note")), NotBlank(_l("Enter a note")),
        Length(max=MAX_BODY, message=_l("Note must be 10,000 characters or fewer"))],
        description=_l("Only your team sees notes. The person never does."))


class AssignForm(FlaskForm):
    assignee = SelectField(_l("Assign to"), choices=[], default="")


class EmailSettingsForm(FlaskForm):
    emails = RadioField(_l("Email me when my care team sends a message"),
                        choices=[SelectChoice("on", _l("Yes")), SelectChoice("off", _l("No"))],
                        validators=[InputRequired(message=_l("Select yes or no"))])
