"""Browser-facing protections: security headers, CSP nonces and safe redirects."""

from __future__ import annotations

import secrets
import unicodedata
from urllib.parse import urlsplit

from flask import Flask, g, request, session
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.wrappers import Response

# Public files that may be cached even when the person is signed in (no personal data).
PUBLIC_CACHEABLE = frozenset({"static", "assets.static", "content.media_file"})


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return str(g.csp_nonce)


def safe_next_url(target: str | None) -> str | None:
    """A plain same-site path to go back to, or None: refuses anything with a scheme or host,
    a backslash, whitespace or a control character (a CR or LF would split the Location
    header), and anything over 2,000 characters."""
    if not target or len(target) > 2000:
        return None
    if any(ch.isspace() or unicodedata.category(ch).startswith("C") for ch in target):
        return None
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def _content_security_policy() -> str:
    nonce = csp_nonce()
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            f"style-src 'self' 'nonce-{nonce}'",
            "img-src 'self' data:",
            "font-src 'self'",
            "media-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def _drop_nul_bytes() -> None:
    """No person types a NUL character, and PostgreSQL cannot store one: drop it from pages'
    forms and queries before anything reads them. (The API answers such input with its own
    400 error, so it sees the request as sent.)"""
    if request.path.startswith("/api/"):
        return
    for name in ("args", "form"):
        values = getattr(request, name)
        if any("\x00" in k or "\x00" in v for k, v in values.items(multi=True)):
            cleaned = ImmutableMultiDict([(k.replace("\x00", ""), v.replace("\x00", ""))
                                          for k, v in values.items(multi=True)])
            setattr(request, name, cleaned)


def init_app(app: Flask) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.before_request(_drop_nul_bytes)
    production = app.config["PORTAL_ENV"] == "production"

    @app.after_request
    def _security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", _content_security_policy())
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault(
            "Permissions-Policy",
            "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
        )
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if production:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        # Who is signed in is read from the session cookie, not the database: this runs on
        # error pages too, when the database may be the thing that is down.
        if request.endpoint not in PUBLIC_CACHEABLE and (
            "_user_id" in session or request.method != "GET"
        ):
            headers["Cache-Control"] = "no-store"
        return response
