"""Form parts every area uses: input cleaning filters and a checkbox-list field."""

from __future__ import annotations

import unicodedata
from typing import Any

from wtforms import SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget


def clean_text(value: Any) -> Any:
    """Drop control characters (NUL breaks PostgreSQL) except new lines and tabs; trim."""
    if not isinstance(value, str):
        return value
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = "".join(ch for ch in value
                    if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs"))
    return value.strip()


def clean_line(value: Any) -> Any:
    """``clean_text`` on one line: runs of white space become one space."""
    value = clean_text(value)
    return " ".join(value.split()) if isinstance(value, str) else value


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice shown as checkboxes (the form macros render each one)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class EmailAddress:
    """An email address in the correct format (no DNS lookups). Outside production the
    reserved ``.test`` domain is accepted too, so the demo accounts (``@demo.portal.test``)
    can use every form, the password reset included."""

    def __init__(self, message: Any) -> None:
        self.message = message

    def __call__(self, form: Any, field: Any) -> None:
        import email_validator
        from flask import current_app
        from wtforms.validators import ValidationError

        testing = current_app.config.get("PORTAL_ENV") != "production"
        try:
            email_validator.validate_email(field.data or "", check_deliverability=False,
                                           test_environment=testing)
        except email_validator.EmailNotValidError as exc:
            raise ValidationError(self.message) from exc
