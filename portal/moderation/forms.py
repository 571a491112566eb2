"""Forms: the listing editor, the moderator's decision, and "report a problem".

Text is stored exactly as typed (HTML and scripts included: templates escape it on output),
except that control characters a database cannot hold are dropped and ends are trimmed.
"""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectChoice,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from portal.forms import EmailAddress, MultiCheckboxField, clean_line, clean_text
from portal.moderation.diff import ATTENDANCE_LABELS, DAY_LABELS, STATUS_LABELS
from portal.moderation.form_rules import check_rows, snapshot_from_form
from portal.moderation.snapshot import DAYS, MAX_PHONES, MAX_SCHEDULES, Snapshot

CHOOSE_FROM_LIST = _l("Select options from the list")


def _target(field: Any) -> str:
    """Where an error summary link should take you: the first option of a group of them
    (or the group's hint when there are no options to show)."""
    if field.type in ("RadioField", "MultiCheckboxField"):
        return f"{field.id}-0" if field.choices else f"{field.id}-hint"
    return str(field.id)


def _choices(pairs: Any) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def web_address(_form: Any, field: Any) -> None:
    value = field.data or ""
    if value and not re.fullmatch(r"https?://[^\s/$.?#][^\s]*\.[^\s]+", value, re.IGNORECASE):
        raise ValidationError(_l("Enter a website address in the correct format, "
                                 "like https://www.example.org"))


def _length(limit: int, message: Any) -> Length:
    return Length(max=limit, message=message)


class PhoneForm(Form):
    number = StringField(_l("Phone number"), filters=[clean_line])
    description = StringField(_l("What this number is for (optional)"), filters=[clean_line],
                              description=_l("For example, bookings or the helpline"))


SCHEDULE_KIND_LABELS = {
    "weekly": _l("Every week, or every few weeks"),
    "monthly": _l("On certain weeks of the month, for example the second Saturday"),
    "monthdate": _l("On the same date each month, for example the 15th"),
    "once": _l("On one date only"),
    "closed": _l("Closed for a time, for example over Christmas"),
}
WEEK_LABELS = {"1": _l("First"), "2": _l("Second"), "3": _l("Third"), "4": _l("Fourth"),
               "-1": _l("Last")}


class ScheduleForm(Form):
    kind = RadioField(_l("How often does it run?"), default="weekly", validate_choice=False)
    days = MultiCheckboxField(_l("Days"), choices=[SelectChoice(d) for d in DAYS],
                              invalid_choice_message=CHOOSE_FROM_LIST)
    weeks = MultiCheckboxField(_l("Which weeks of the month"),
                               description=_l("For monthly groups only"),
                               invalid_choice_message=CHOOSE_FROM_LIST)
    interval = StringField(_l("Every how many weeks (optional)"), filters=[clean_line],
                           description=_l("For example 2 for every other week. Leave empty for "
                                          "every week."))
    monthday = StringField(_l("Date of the month"), filters=[clean_line],
                           description=_l("For the same date each month: a number from 1 to 31, "
                                          "or \"last\""))
    starts = StringField(_l("From (optional)"), filters=[clean_line],
                         description=_l("The date of the first session, for example 5/12/2026. "
                                        "Needed for every other week, one date and closures."))
    ends = StringField(_l("Until (optional)"), filters=[clean_line],
                       description=_l("The last date, for example 30/9/2027 for a summer "
                                      "season, or the end of a closure."))
    opens_at = StringField(_l("Opens at"), filters=[clean_line],
                           description=_l("For example 9:30am, 12.30pm or 0930"))
    closes_at = StringField(_l("Closes at"), filters=[clean_line],
                            description=_l("For example 5pm or 17:00"))
    by_appointment = BooleanField(_l("By appointment only"))
    description = StringField(_l("Notes (optional)"), filters=[clean_line],
                              description=_l("For example, bring a packed lunch"))


class VenueForm(Form):
    name = StringField(_l("Venue name (optional)"), filters=[clean_line])
    address_1 = StringField(_l("Address"), filters=[clean_line])
    city = StringField(_l("Town or city"), filters=[clean_line])
    postcode = StringField(_l("Postcode"), filters=[clean_line])
    confidential = BooleanField(_l("Keep this address confidential"),
                                description=_l("For example, a refuge. The address is never "
                                               "published; only the areas covered are shown."))
    accessibility = TextAreaField(
        _l("Accessibility of the venue (optional)"), filters=[clean_text],
        description=_l("One point on each line, for example step-free entrance or hearing loop"))


class ServiceForm(FlaskForm):
    """Every editable field of a listing. ``base_version``: the listing's version when the
    form was opened; ``replaces``: the newest other waiting revision the editor has seen."""

    base_version = HiddenField()
    replaces = HiddenField()
    name = StringField(
        _l("Name of the service"), filters=[clean_line],
        validators=[DataRequired(message=_l("Enter the name of the service")),
                    _length(300, _l("Name must be 300 characters or fewer"))])
    description = TextAreaField(
        _l("What the service does"), filters=[clean_text],
        description=_l("Say what happens, in plain words, as if talking to the person it helps."),
        validators=[DataRequired(message=_l("Enter what the service does")),
                    _length(5000, _l("Description must be 5,000 characters or fewer"))])
    url = StringField(
        _l("Website (optional)"), filters=[clean_line],
        validators=[Optional(), _length(500, _l("Website must be 500 characters or fewer")),
                    web_address])
    email = EmailField(
        _l("Email address (optional)"), filters=[clean_line],
        validators=[Optional(), _length(320, _l("Email address must be 320 characters or fewer")),
                    EmailAddress(_l("Enter an email address in the correct format, "
                                     "like name@example.com"))])
    status = RadioField(
        _l("Is the service running?"),
        validators=[InputRequired(message=_l("Select whether the service is running"))],
        invalid_choice_message=_l("Select whether the service is running"))
    attendance = MultiCheckboxField(
        _l("How do people use it?"), description=_l("Select all that apply."),
        invalid_choice_message=CHOOSE_FROM_LIST)
    minimum_age = StringField(_l("Minimum age (optional)"), filters=[clean_line])
    maximum_age = StringField(_l("Maximum age (optional)"), filters=[clean_line])
    eligibility_description = TextAreaField(
        _l("Who it is for (optional)"), filters=[clean_text],
        description=_l("For example, carers of people living with dementia"),
        validators=[_length(2000, _l("Who it is for must be 2,000 characters or fewer"))])
    is_free = RadioField(
        _l("Is it free of charge?"),
        choices=[SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))],
        validators=[InputRequired(message=_l("Select whether it is free of charge"))],
        invalid_choice_message=_l("Select whether it is free of charge"))
    fees_description = TextAreaField(
        _l("What it costs"), filters=[clean_text],
        description=_l("For example, £3 a session, free for carers"),
        validators=[_length(1000, _l("What it costs must be 1,000 characters or fewer"))])
    terms = MultiCheckboxField(_l("Categories"), invalid_choice_message=CHOOSE_FROM_LIST)
    localities = MultiCheckboxField(
        _l("Areas the service covers"),
        description=_l("Select every area where people can use the service."),
        invalid_choice_message=CHOOSE_FROM_LIST)
    languages = MultiCheckboxField(_l("Languages"), invalid_choice_message=CHOOSE_FROM_LIST)
    # The blocks in use (at least one of each); "Add another" adds one (see ``add_block``).
    phones = FieldList(FormField(PhoneForm), min_entries=1, max_entries=MAX_PHONES)
    schedules = FieldList(FormField(ScheduleForm), min_entries=1, max_entries=MAX_SCHEDULES)
    venue = FormField(VenueForm)
    note = TextAreaField(
        _l("What have you changed? (optional)"), filters=[clean_text],
        description=_l("A note for the moderator who reviews your change."),
        validators=[_length(1000, _l("Note must be 1,000 characters or fewer"))])

    def set_choices(self, *, term_groups: list[tuple[Any, list[Any]]], localities: list[Any],
                    languages: list[tuple[str, Any]]) -> None:
        # Labels are lazy strings: set per request so they follow the language.
        self.status.choices = _choices(STATUS_LABELS.items())
        self.attendance.choices = _choices(ATTENDANCE_LABELS.items())
        self.terms.choices = [
            SelectChoice(term.id, term.name, optgroup=parent.name)
            for parent, children in term_groups for term in (parent, *children)]
        self.localities.choices = [SelectChoice(locality.slug, locality.name)
                                   for locality in localities]
        self.languages.choices = _choices(languages)
        for entry in self.schedules:
            entry.form.kind.choices = _choices(SCHEDULE_KIND_LABELS.items())
            entry.form.days.choices = _choices(DAY_LABELS.items())
            entry.form.weeks.choices = _choices(WEEK_LABELS.items())

    def error_list(self) -> list[tuple[str, Any]]:
        """(id of the field to jump to, first message) in the order the page shows them."""
        venue = self.venue.form
        fields = [self.name, self.description, self.url, self.email, self.status,
                  self.minimum_age, self.maximum_age, self.eligibility_description,
                  self.attendance, self.is_free, self.fees_description, self.terms,
                  self.localities, venue.name, venue.address_1, venue.city, venue.postcode,
                  venue.accessibility, self.languages]
        for entry in self.phones:
            fields += [entry.form.number, entry.form.description]
        for entry in self.schedules:
            row = entry.form
            fields += [row.kind, row.days, row.weeks, row.interval, row.monthday, row.starts,
                       row.ends, row.opens_at, row.closes_at, row.description]
        fields.append(self.note)
        return [(_target(field), field.errors[0]) for field in fields if field.errors]

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        return check_rows(self) and valid

    def add_block(self, which: str | None) -> None:
        """"Add another" pressed: one more empty phone or opening times block (up to the
        most a listing has). The button's ``formaction`` opens the page at the new block."""
        blocks = {"phones": self.phones, "schedules": self.schedules}.get(which or "")
        if blocks is not None and len(blocks) < (blocks.max_entries or 0):
            blocks.append_entry()

    def to_snapshot(self) -> Snapshot:
        return snapshot_from_form(self)


def form_data(data: Snapshot, *, base_version: int | None, replaces: int | None = None,
              note: str | None = None) -> dict[str, Any]:
    """A snapshot as the ``data`` a ``ServiceForm`` starts from."""
    venue = data.get("venue") or {}
    return {
        **{key: data.get(key) for key in ("name", "description", "url", "email", "status",
                                          "attendance", "eligibility_description",
                                          "fees_description", "terms", "localities",
                                          "languages")},
        "base_version": base_version if base_version is not None else "",
        "replaces": replaces or "",
        "minimum_age": "" if data.get("minimum_age") is None else str(data["minimum_age"]),
        "maximum_age": "" if data.get("maximum_age") is None else str(data["maximum_age"]),
        "is_free": "yes" if data.get("is_free", True) else "no",
        "phones": list(data.get("phones") or []),
        "schedules": [_schedule_data(item) for item in data.get("schedules") or []],
        "venue": {**venue, "postcode": venue.get("postcode") or ""},
        "note": note or "",
    }


def _schedule_data(item: dict[str, Any]) -> dict[str, Any]:
    """A snapshot's schedule as the form's fields (dates as people write them)."""
    def day(text: str | None) -> str:
        return f"{int(text[8:10])}/{int(text[5:7])}/{text[:4]}" if text else ""

    monthday = item.get("monthday")
    interval = int(item.get("interval") or 1)
    return {**item, "kind": item.get("kind") or "weekly",
            "weeks": [str(week) for week in item.get("weeks") or []],
            "monthday": "last" if monthday == -1 else str(monthday or ""),
            "interval": str(interval) if interval > 1 else "",
            "starts": day(item.get("starts")), "ends": day(item.get("ends"))}


class DecisionForm(FlaskForm):
    """A moderator publishes or rejects. ``expected_version``: the listing's version on screen."""

    expected_version = HiddenField()
    decision = StringField()  # the button pressed: "publish" or "reject"
    reason = TextAreaField(
        _l("Reason (required if you reject the change)"), filters=[clean_text],
        description=_l("The editor will see this. Say what needs to change."),
        validators=[_length(2000, _l("Reason must be 2,000 characters or fewer"))])
    close_reports = BooleanField(
        _l("This change fixes the open problem reports on this listing: mark them as resolved"),
        description=_l("People who reported a problem and left an email address will be told "
                       "the listing has been updated."))

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if self.decision.data not in ("publish", "reject"):
            self.form_errors.append(_l("Choose whether to publish or reject the change"))
            return False
        if self.decision.data == "reject" and not self.reason.data and not self.reason.errors:
            self.reason.errors = [_l("Enter the reason for rejecting the change")]
            return False
        return bool(valid)


class ConfirmForm(FlaskForm):
    """A button with nothing to fill in: CSRF only."""


class ProblemReportForm(FlaskForm):
    message = TextAreaField(
        _l("What is wrong with this listing?"), filters=[clean_text],
        description=_l("For example, the phone number does not work or the group has stopped "
                       "meeting. Do not include personal or medical details."),
        validators=[DataRequired(message=_l("Enter what is wrong with this listing")),
                    Length(min=10, max=2000,
                           message=_l("What is wrong must be between 10 and 2,000 characters"))])
    email = EmailField(
        _l("Your email address (optional)"), filters=[clean_line],
        description=_l("Only if you would like a reply. We will not use it for anything else."),
        validators=[Optional(), _length(320, _l("Email address must be 320 characters or fewer")),
                    EmailAddress(_l("Enter an email address in the correct format, "
                                     "like name@example.com"))])
    # A honeypot: hidden from sight and from screen readers, so only bots fill it in.
    website = StringField(_l("Leave this empty"))
