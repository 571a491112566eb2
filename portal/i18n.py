"""Languages: which are offered, how one is chosen, and which way each is written."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from babel.dates import format_date, format_time
from flask import Flask, g, has_app_context, has_request_context, request
from flask_babel import get_locale, get_translations
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


def request_translations() -> Any:
    """The request's translations, looked up once per request and locale.

    Flask-Babel finds them again for every string (nine context-local lookups, about 20 µs),
    and a page has a few hundred strings. The cache is kept beside Flask-Babel's own state in
    ``g`` and keyed by the locale object, so ``force_locale`` (emails in the reader's
    language) still switches language."""
    if not has_app_context():
        return get_translations()
    state = g._get_current_object()
    cached = state.__dict__.get("_portal_translations")
    locale = getattr(state.__dict__.get("_flask_babel"), "babel_locale", None)
    if cached is not None and locale is not None and cached[0] is locale:
        return cached[1]
    translations = get_translations()  # also settles the locale in Flask-Babel's state
    state._portal_translations = (state._flask_babel.babel_locale, translations)
    return translations


def init_app(app: Flask) -> None:
    # Templates' _() and ngettext() read the request's translations once (see above).
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: request_translations().ugettext(s),
        ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n),
    )
    app.jinja_env.filters["spoken_datetime"] = spoken_datetime
    app.jinja_env.globals["current_language"] = current_language
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES
