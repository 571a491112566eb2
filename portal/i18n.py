"""Languages: which are offered, how one is chosen, and which way each is written."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, g, has_request_context, request
from flask_babel import get_locale
from flask_login import current_user

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


def init_app(app: Flask) -> None:
    app.jinja_env.globals["current_language"] = current_language
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES
