"""Languages: which are offered, how one is chosen, and which way each is written."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from babel.dates import format_date, format_time
from flask import Flask, g, has_request_context, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from portal.clock import UK

LANGUAGE_COOKIE = "portal_lang"


@dataclass(frozen=True)
class Language:
    code: str
    native_name: str  # shown in the switcher, in the language itself
    direction: str = "ltr"


LANGUAGES: dict[str, Language] = {
    "en": Language("en", "English"),
    "pl": Language("pl", "Polski"),
    "ar": Language("ar", "العربية", "rtl"),
}


def select_locale() -> str:
    """Chosen language: explicit choice (cookie), then account setting, then the browser.

    Outside a request (CLI commands, emails sent by jobs) it is English.
    """
    if not has_request_context():
        return "en"
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in LANGUAGES:
        return str(current_user.locale)
    return request.accept_languages.best_match(list(LANGUAGES), default="en") or "en"


def current_language() -> Language:
    if "language" not in g:
        g.language = LANGUAGES.get(str(get_locale()), LANGUAGES["en"])
    return g.language  # type: ignore[no-any-return]


# The locale Babel formats dates in, per language: English as written in the UK.
_BABEL_LOCALES = {"en": "en_GB"}


def spoken_datetime(value: datetime | str | None) -> str:
    """A moment as people read it, in UK time: "2 December 2026 at 5:33am".

    The day and the time come from Babel in the reader's language ("2 grudnia 2026 o 05:33",
    "2 ديسمبر 2026 في الساعة 5:33 ص"); only English writes the 12-hour "5:33am". Stored times
    without a zone are UTC.
    """
    if not value:
        return ""
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
    else:
        moment = value
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    local = aware.astimezone(UK)
    code = str(get_locale() or "en") if has_request_context() else "en"
    locale = _BABEL_LOCALES.get(code, code)
    day = format_date(local.date(), "long", locale=locale)
    if code == "en":
        time_text = format_time(local, "h:mm a", locale=locale).replace(" ", "").lower()
    else:
        time_text = format_time(local, "short", locale=locale)
    return _("%(date)s at %(time)s", date=day, time=time_text)


def init_app(app: Flask) -> None:
    app.jinja_env.filters["spoken_datetime"] = spoken_datetime
    app.jinja_env.globals["current_language"] = current_language
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES
