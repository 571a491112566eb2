"""A WTForms form for one page of a journey, built from its questions (per request, so the
wording is in the reader's language). What was typed is kept and shown again on errors."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import Field, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from portal.forms import EmailAddress, MultiCheckboxField, clean_line, clean_text
from portal.journeys.definition import Page, Question
from portal.places.postcodes import normalise_postcode

_PHONE = re.compile(r"^\+?[0-9 ()-]{7,}$")


class PostcodeCheck:
    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, form: FlaskForm, field: Field) -> None:
        if field.data:
            normalised = normalise_postcode(field.data)
            if normalised is None:
                raise ValidationError(self.message)
            field.data = normalised


class PhoneCheck:
    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, form: FlaskForm, field: Field) -> None:
        if field.data and not _PHONE.match(field.data):
            raise ValidationError(self.message)


def _message(question: Question, kind: str, fallback: str) -> str:
    text = question.errors.get(kind)
    return _(text) if text else fallback


def _field(question: Question) -> Field:
    label = _(question.label)
    hint = _(question.hint) if question.hint else ""
    validators: list[Any] = [
        InputRequired(_message(question, "required", _("Answer this question")))
        if question.required else Optional()]
    if question.type in ("radios", "checkboxes"):
        choices = [SelectChoice(o.value, _(o.label)) for o in question.options]
        if question.type == "radios":
            return RadioField(label, choices=choices, validators=validators, description=hint)
        return MultiCheckboxField(label, choices=choices, validators=validators,
                                  description=hint)
    too_long = _message(question, "too_long", _("Your answer is too long"))
    validators.append(Length(max=question.max_length, message=too_long))
    invalid = _message(question, "invalid", _("Check your answer"))
    if question.type == "email":
        validators.append(EmailAddress(invalid))
    elif question.type == "tel":
        validators.append(PhoneCheck(invalid))
    elif question.type == "postcode":
        validators.append(PostcodeCheck(invalid))
    if question.type == "textarea":
        return TextAreaField(label, validators=validators, description=hint,
                             filters=[clean_text])
    return StringField(label, validators=validators, description=hint, filters=[clean_line])


def page_form(page: Page, *, data: dict[str, Any] | None = None) -> FlaskForm:
    """A form for ``page`` filled from ``data`` (saved answers) unless something was posted."""
    fields = {question.id: _field(question) for question in page.questions}
    form_class = type(f"JourneyPage_{page.id}", (FlaskForm,), fields)
    form: FlaskForm = form_class(data=data or {})
    return form


def answers_of(page: Page, form: FlaskForm) -> dict[str, Any]:
    return {question.id: form[question.id].data for question in page.questions}
