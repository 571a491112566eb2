"""Forms: the draft editor, approval and review, withdrawal, feedback, recommending, settings.

Text is kept as typed (Markdown is made safe when it is shown), except that control
characters a database cannot hold are dropped and ends are trimmed.
"""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    RadioField,
    SearchField,
    SelectChoice,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from portal.content.library import RESERVED_SLUGS, SLUG, WRITTEN_HERE
from portal.content.vocab import AUDIENCES, CONDITIONS, TOPICS
from portal.forms import MultiCheckboxField, clean_line, clean_text
from portal.i18n import LANGUAGES

WRITTEN_HERE_LINE = ("Written for this portal by its content team in plain English; not copied "
                     "from any other publication.")
def _choices(pairs: Any) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


REVIEW_MONTHS = (("6", _l("In 6 months")), ("12", _l("In 12 months")), ("24", _l("In 24 months")))
YES_NO = (("yes", _l("Yes")), ("no", _l("No")))


def _length(limit: int, message: Any) -> Length:
    return Length(max=limit, message=message)


def _sources_ok(_form: Any, field: Any) -> None:
    lines = [line.strip() for line in (field.data or "").split("\n") if line.strip()]
    if not lines or WRITTEN_HERE not in lines[0].lower():
        raise ValidationError(_l('The first source must say the text was "Written for this '
                                 'portal"'))


def _reading_age(_form: Any, field: Any) -> None:
    if not re.fullmatch(r"\d{1,2}", field.data or "") or not 5 <= int(field.data) <= 18:
        raise ValidationError(_l("Reading age must be a whole number from 5 to 18"))


class DraftForm(FlaskForm):
    """A draft. ``based_on``: the draft's revision when the author opened it (empty: they
    started from the live version)."""

    based_on = HiddenField()
    title = StringField(_l("Title"), filters=[clean_line], validators=[
        DataRequired(message=_l("Enter a title")),
        _length(200, _l("Title must be 200 characters or fewer"))])
    summary = StringField(
        _l("Summary"), filters=[clean_line],
        description=_l("One sentence, shown in lists and search results"),
        validators=[DataRequired(message=_l("Enter a summary")),
                    _length(400, _l("Summary must be 400 characters or fewer"))])
    topics = MultiCheckboxField(
        _l("Topics"), choices=_choices(TOPICS.items()),
        validators=[DataRequired(message=_l("Select at least one topic"))],
        invalid_choice_message=_l("Select topics from the list"))
    conditions = MultiCheckboxField(
        _l("Conditions (optional)"), choices=_choices(CONDITIONS.items()),
        validators=[Optional()], invalid_choice_message=_l("Select conditions from the list"))
    audience = MultiCheckboxField(
        _l("Who it is for"), choices=_choices(AUDIENCES.items()),
        validators=[DataRequired(message=_l("Select who it is for"))],
        invalid_choice_message=_l("Select who it is for from the list"))
    languages = MultiCheckboxField(
        _l("Languages it is available in"),
        choices=[SelectChoice(code, language.native_name) for code, language in LANGUAGES.items()],
        validators=[DataRequired(message=_l("Select at least one language"))],
        invalid_choice_message=_l("Select languages from the list"))
    reading_age = StringField(
        _l("Reading age"), filters=[clean_line], description=_l("For example, 10"),
        validators=[_reading_age])
    body = TextAreaField(
        _l("Page text"), filters=[clean_text],
        description=_l("Markdown: ## for a heading, - for a list, **bold**. End with a "
                       "\"When to get help\" section."),
        validators=[DataRequired(message=_l("Enter the page text")),
                    _length(50_000, _l("Page text must be 50,000 characters or fewer"))])
    transcript = TextAreaField(
        _l("Video transcript (optional)"), filters=[clean_text],
        validators=[Optional(), _length(20_000, _l("Transcript must be 20,000 characters or fewer"))])
    captions = TextAreaField(
        _l("Video captions (WebVTT, optional)"), filters=[clean_text],
        description=_l("Captions are checked when the page is approved"),
        validators=[Optional(), _length(100_000, _l("Captions must be 100,000 characters or fewer"))])
    easy_read = TextAreaField(
        _l("Easy Read version (optional)"), filters=[clean_text],
        validators=[Optional(), _length(20_000, _l("Easy Read version must be 20,000 characters or fewer"))])
    sources = TextAreaField(
        _l("Sources"), filters=[clean_text],
        description=_l("One on each line. The first says the text was written for this portal."),
        validators=[_sources_ok, _length(5000, _l("Sources must be 5,000 characters or fewer"))])

    def content(self) -> dict[str, Any]:
        return {
            "title": self.title.data, "summary": self.summary.data,
            "topics": list(self.topics.data or []), "conditions": list(self.conditions.data or []),
            "audience": list(self.audience.data or []),
            "languages": list(self.languages.data or []),
            "reading_age": int(self.reading_age.data), "body": self.body.data,
            "transcript": self.transcript.data or None, "easy_read": self.easy_read.data or None,
            "sources": [s.strip() for s in self.sources.data.split("\n") if s.strip()],
        }


class NewItemForm(DraftForm):
    slug = StringField(
        _l("Web address name"), filters=[clean_line],
        description=_l("Lower-case words joined by hyphens, for example keeping-warm"),
        validators=[DataRequired(message=_l("Enter a web address name")),
                    _length(80, _l("Web address name must be 80 characters or fewer"))])

    def __iter__(self) -> Any:
        """The web address name first, as the page shows it (the error summary's order)."""
        yield self.slug
        yield from (field for field in super().__iter__() if field is not self.slug)

    def validate_slug(self, field: Any) -> None:
        if not SLUG.match(field.data or "") or field.data in RESERVED_SLUGS:
            raise ValidationError(_l("Web address name must be lower-case letters and numbers "
                                     "joined by hyphens, like keeping-warm"))


class SubmitForm(FlaskForm):
    based_on = HiddenField()


def _review_in() -> RadioField:
    return RadioField(_l("When should this page be reviewed next?"), choices=_choices(REVIEW_MONTHS),
                      default="12",
                      validators=[InputRequired(message=_l("Select when to review the page"))],
                      invalid_choice_message=_l("Select when to review the page"))


class ApproveForm(FlaskForm):
    seen_hash = HiddenField()
    review_in = _review_in()


class SendBackForm(FlaskForm):
    """An approver sends a submitted version back to its authors: comments are required."""

    comment = TextAreaField(
        _l("Comments for the author"), filters=[clean_text],
        description=_l("Say what needs to change before you can approve it. The author sees "
                       "this on the page's history. Do not include anyone's personal details."),
        validators=[DataRequired(message=_l("Enter your comments for the author")),
                    Length(max=2000, message=_l("Comments must be 2,000 characters or fewer"))])


class ReviewForm(FlaskForm):
    review_in = _review_in()


class ConfirmForm(FlaskForm):
    """Only a CSRF token: for confirmation buttons."""


class FeedbackForm(FlaskForm):
    helpful = RadioField(_l("Was this page helpful?"), choices=_choices(YES_NO),
                         validators=[InputRequired(message=_l("Select yes if this page was helpful"))],
                         invalid_choice_message=_l("Select yes if this page was helpful"))
    comment = TextAreaField(
        _l("How could we improve it? (optional)"), filters=[clean_text],
        description=_l("Do not include personal information, like your name or NHS number. "
                       "We cannot reply to you."),
        validators=[Optional(), _length(1000, _l("Your comment must be 1,000 characters or fewer"))])


class RecommendForm(FlaskForm):
    """Pick the person from the team's list (people the team serves with consent); never
    typed by email, so no answer tells whether an account exists."""

    person = RadioField(_l("Who to recommend it to"), choices=[], validate_choice=False,
                        validators=[InputRequired(
                            message=_l("Choose the person to recommend this page to"))])

    def chosen_id(self) -> int | None:
        value = str(self.person.data or "")
        return int(value) if value.isdigit() and len(value) <= 12 else None


class CaptionsForm(FlaskForm):
    captions = RadioField(
        _l("Show captions when a video starts?"), choices=_choices((("on", _l("Yes")), ("off", _l("No")))),
        validators=[InputRequired(message=_l("Select yes if you want captions on"))],
        invalid_choice_message=_l("Select yes if you want captions on"))


class SearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = SearchField(_l("Search health guidance"), filters=[clean_line],
                    validators=[Optional(), _length(200, _l("Search must be 200 characters or fewer"))])
