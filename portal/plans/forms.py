"""The form for one section (its fields depend on the section's kind), notes and links."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectChoice,
    StringField,
    TextAreaField,
)
from wtforms.fields import FieldList
from wtforms.validators import InputRequired, Length, ValidationError

from portal.plans import sections as catalogue
from portal.plans.sections import (
    CRISIS_FIELDS,
    CRISIS_PART_LABELS,
    GOAL_STATUS_LABELS,
    MAX_GOALS,
    MAX_SECTION_CHARS,
    RAG_LABELS,
    GoalStatus,
    Kind,
    Section,
)
from portal.plans.services import MAX_NOTE_CHARS


def _review_date(_form: Form, field: StringField) -> None:
    if field.data and field.data.strip():
        try:
            date.fromisoformat(field.data.strip())
        except ValueError:
            raise ValidationError(_l("Review date must be a real date, like 2027-03-31")) from None


class GoalForm(Form):
    title = StringField(_l("Goal"))
    steps = TextAreaField(_l("Steps to get there"))
    status = RadioField(_l("Status"),
                        choices=[SelectChoice(s.value, GOAL_STATUS_LABELS[s]) for s in GoalStatus],
                        default=GoalStatus.WORKING.value, validate_choice=False)
    review_on = StringField(_l("Review date (optional)"),
                            description=_l("For example, 2027-03-31"), validators=[_review_date])


class SectionForm(FlaskForm):
    base_number = HiddenField(default="0")

    def __init__(self, section: Section, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.section = section

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        length = catalogue.size(self.content())
        if length > MAX_SECTION_CHARS:
            limit, given = format_decimal(MAX_SECTION_CHARS), format_decimal(length)
            self.form_errors.append(str(_l(
                "This section must be %(limit)s characters or fewer. It has %(length)s characters. "
                "Your text is still below: shorten it, or copy it somewhere safe.",
                limit=limit, length=given)))
            ok = False
        return bool(ok)

    @property
    def base(self) -> int:
        try:
            return max(0, int(self.base_number.data or 0))
        except ValueError:
            return 0

    def content(self) -> dict[str, Any]:
        raise NotImplementedError


class TextSectionForm(SectionForm):
    text = TextAreaField(_l("In your own words"))

    def content(self) -> dict[str, Any]:
        return {"text": (self.text.data or "").strip()}


def _crisis_form() -> type[SectionForm]:
    attrs: dict[str, Any] = {}
    for name in CRISIS_FIELDS:
        rag, part = name.split("_")
        attrs[name] = TextAreaField(f"{RAG_LABELS[rag]}: {CRISIS_PART_LABELS[part]}")

    def content(self: SectionForm) -> dict[str, Any]:
        return {name: (getattr(self, name).data or "").strip() for name in CRISIS_FIELDS}

    attrs["content"] = content
    return type("CrisisSectionForm", (SectionForm,), attrs)


CrisisSectionForm = _crisis_form()


class GoalsSectionForm(SectionForm):
    goals = FieldList(FormField(GoalForm), min_entries=1, max_entries=MAX_GOALS)

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        # The summary lists each goal's messages (the fields show them too).
        for entry in self.goals:
            for sub in entry.form:
                self.form_errors.extend(str(message) for message in sub.errors)
        self.goals.errors = []
        return ok

    def content(self) -> dict[str, Any]:
        goals = []
        for entry in self.goals:
            title = (entry.form.title.data or "").strip()
            steps = (entry.form.steps.data or "").strip()
            if not title and not steps:
                continue
            status = entry.form.status.data if entry.form.status.data in GoalStatus._value2member_map_ \
                else GoalStatus.WORKING.value
            goals.append({"title": title, "steps": steps, "status": status,
                          "review_on": (entry.form.review_on.data or "").strip() or None})
        return {"goals": goals}


FORMS: dict[Kind, type[SectionForm]] = {Kind.TEXT: TextSectionForm, Kind.CRISIS: CrisisSectionForm,
                                        Kind.GOALS: GoalsSectionForm}


def section_form(section: Section, content: dict[str, Any] | None = None, base_number: int = 0,
                 formdata: Any = None) -> SectionForm:
    """The section's form: from the request's data when posted, else filled with ``content``."""
    kind_form = FORMS[section.kind]
    data: dict[str, Any] = {"base_number": str(base_number)}
    content = content or catalogue.empty_content(section.kind)
    if section.kind is Kind.GOALS:
        goals = list(content.get("goals") or [])
        data["goals"] = [*goals, {}][:MAX_GOALS]
    else:
        data.update(content)
    if formdata is not None:
        return kind_form(section, formdata=formdata)
    form = kind_form(section, formdata=None, data=data)
    return form


class NoteForm(FlaskForm):
    text = TextAreaField(_l("Your note"), validators=[
        InputRequired(_l("Enter your note")),
        Length(max=MAX_NOTE_CHARS, message=_l("Your note must be 5,000 characters or fewer"))])
    section = HiddenField()
    reply_to = HiddenField()


class LinkForm(FlaskForm):
    kind = RadioField(_l("What would you like to link?"), choices=[
        SelectChoice("guidance", _l("A guidance page")),
        SelectChoice("service", _l("A service in the directory"))],
        validators=[InputRequired(_l("Select a guidance page or a service"))])
    target = StringField(_l("The guidance page's title, or the service's name"),
                         description=_l("For example, Keeping well in winter, or Tuesday lunch club"),
                         validators=[InputRequired(_l("Enter the guidance page or service"))])
    section = HiddenField()
