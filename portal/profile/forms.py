from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from portal.audit.events import ViewPurpose
from portal.audit.presenters import PURPOSE_LABELS
from portal.forms import clean_line
from portal.places.postcodes import normalise_postcode
from portal.profile.services import format_nhs_number, is_valid_nhs_number, nhs_number_digits

EARLIEST_BIRTH_DATE = date(1900, 1, 1)
_PHONE = re.compile(r"^(?:\+44|0)[0-9]{9,10}$")

# Whole sentences for every combination of missing date parts.
_MISSING_DATE_PARTS = {
    ("day",): _l("Date of birth must include a day"),
    ("month",): _l("Date of birth must include a month"),
    ("year",): _l("Date of birth must include a year"),
    ("day", "month"): _l("Date of birth must include a day and month"),
    ("day", "year"): _l("Date of birth must include a day and year"),
    ("month", "year"): _l("Date of birth must include a month and year"),
}


def strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def _text(label: Any, max_length: int, message: Any, **kwargs: Any) -> StringField:
    return StringField(label, filters=[strip],
                       validators=[Length(max=max_length, message=message)], **kwargs)


class PersonalDetailsForm(FlaskForm):
    nhs_number = _text(_l("NHS number (optional)"), 20,
                       _l("NHS number must be 10 digits"),
                       description=_l("This is a 10 digit number, like 943 476 5919. "
                                      "You can find it on letters from the NHS or in the NHS App."))
    dob_day = StringField(_l("Day"), filters=[strip])
    dob_month = StringField(_l("Month"), filters=[strip])
    dob_year = StringField(_l("Year"), filters=[strip])
    phone = _text(_l("Telephone number (optional)"), 30,
                  _l("Telephone number must be 30 characters or fewer"),
                  description=_l("For international numbers include the country code."))
    address_line_1 = _text(_l("Address line 1"), 200,
                           _l("Address line 1 must be 200 characters or fewer"))
    address_line_2 = _text(_l("Address line 2 (optional)"), 200,
                           _l("Address line 2 must be 200 characters or fewer"))
    town = _text(_l("Town or city"), 100, _l("Town or city must be 100 characters or fewer"))
    postcode = _text(_l("Postcode"), 16, _l("Enter a real postcode"))

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        checks = (self._check_nhs_number, self._check_date_of_birth, self._check_phone,
                  self._check_address)
        return all([check() for check in checks]) and valid

    # Each check adds its error to the field to link to and says whether it passed.
    @staticmethod
    def _fail(field: Field, message: Any) -> bool:
        field.errors = [*field.errors, message] if field.errors else [message]
        return False

    def _check_nhs_number(self) -> bool:
        if not self.nhs_number.data or self.nhs_number.errors:
            return not self.nhs_number.errors
        digits = nhs_number_digits(self.nhs_number.data)
        if digits is None:
            return self._fail(self.nhs_number, _l("NHS number must be 10 digits"))
        if not is_valid_nhs_number(digits):
            return self._fail(self.nhs_number, _l("Enter a valid NHS number"))
        return True

    def _check_date_of_birth(self) -> bool:
        parts = {"day": self.dob_day, "month": self.dob_month, "year": self.dob_year}
        missing = tuple(name for name, field in parts.items() if not field.data)
        if len(missing) == 3:
            return True
        if missing:
            return self._fail(parts[missing[0]], _MISSING_DATE_PARTS[missing])
        if not all(field.data.isdigit() and len(field.data) <= 4 for field in parts.values()):
            return self._fail(self.dob_day, _l("Date of birth must be a real date"))
        if len(self.dob_year.data) != 4:
            return self._fail(self.dob_year, _l("Year must include 4 numbers"))
        try:
            born = date(int(self.dob_year.data), int(self.dob_month.data), int(self.dob_day.data))
        except ValueError:
            return self._fail(self.dob_day, _l("Date of birth must be a real date"))
        if born > date.today():
            return self._fail(self.dob_day, _l("Date of birth must be today or in the past"))
        if born < EARLIEST_BIRTH_DATE:
            return self._fail(self.dob_day,
                              _l("Date of birth must be the same as or after 1 January 1900"))
        return True

    def _check_phone(self) -> bool:
        if not self.phone.data or self.phone.errors:
            return not self.phone.errors
        if not _PHONE.match(re.sub(r"[\s()-]", "", self.phone.data)):
            return self._fail(self.phone, _l("Enter a telephone number, like 01632 960 001, "
                                             "07700 900 982 or +44 808 157 0192"))
        return True

    def _check_address(self) -> bool:
        ok = True
        if self.postcode.data and not self.postcode.errors and not normalise_postcode(
                self.postcode.data):
            ok = self._fail(self.postcode, _l("Enter a real postcode"))
        others = (self.address_line_2.data, self.town.data, self.postcode.data)
        if any(others) and not self.address_line_1.data:
            ok = self._fail(self.address_line_1,
                            _l("Enter address line 1, typically the building and street"))
        return ok and not (self.postcode.errors or self.address_line_1.errors)

    @property
    def date_of_birth_errors(self) -> list[Any]:
        return [*self.dob_day.errors, *self.dob_month.errors, *self.dob_year.errors]

    def cleaned(self) -> dict[str, Any]:
        """The validated values, as the service stores them."""
        born = None
        if self.dob_year.data:
            born = date(int(self.dob_year.data), int(self.dob_month.data), int(self.dob_day.data))
        return {
            "nhs_number": nhs_number_digits(self.nhs_number.data),
            "date_of_birth": born,
            "phone": self.phone.data or None,
            "address_line_1": self.address_line_1.data or None,
            "address_line_2": self.address_line_2.data or None,
            "town": self.town.data or None,
            "postcode": normalise_postcode(self.postcode.data),
        }


def initial_data(details: Any) -> dict[str, Any]:
    """What the edit form shows before anything is typed."""
    if details is None:
        return {}
    born = details.date_of_birth
    return {
        "nhs_number": format_nhs_number(details.nhs_number),
        "dob_day": str(born.day) if born else "",
        "dob_month": str(born.month) if born else "",
        "dob_year": str(born.year) if born else "",
        "phone": details.phone or "",
        "address_line_1": details.address_line_1 or "",
        "address_line_2": details.address_line_2 or "",
        "town": details.town or "",
        "postcode": details.postcode or "",
    }


class ViewPurposeForm(FlaskForm):
    """An administrator says why before opening a person's personal details."""

    purpose = RadioField(
        _l("Why do you need to see this person's personal details?"),
        validators=[DataRequired(message=_l("Select why you need to see these details"))],
    )
    note = TextAreaField(
        _l("Tell us more (optional)"),
        description=_l("The person will see this. Do not include their health information."),
        filters=[clean_line],
        validators=[Length(max=200, message=_l("Your reason must be 200 characters or fewer"))],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Labels are lazy strings: rebuild per request so they follow the language.
        self.purpose.choices = [SelectChoice(p.value, PURPOSE_LABELS[p]) for p in ViewPurpose]

    def validate(self, extra_validators: Any = None) -> bool:
        valid: bool = super().validate(extra_validators)
        if self.purpose.data == ViewPurpose.OTHER.value and not self.note.data:
            self.note.errors = [*self.note.errors, _l("Say why you need to see these details")]
            return False
        return valid

    @property
    def chosen(self) -> ViewPurpose:
        return ViewPurpose(self.purpose.data)
