"""Friendly error pages, logged as structured lines with the request id."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import (
    HTTPException,
    InternalServerError,
    SecurityError,
    ServiceUnavailable,
)
from werkzeug.sansio.response import Response

from portal.logging import request_id

# Status codes that have a page of their own; everything else uses the generic page.
OWN_PAGES = {400, 403, 404, 405, 413, 429, 500}

# The database is down, restarting or overloaded: the request can be tried again shortly.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeoutError)
RETRY_AFTER_SECONDS = 5

# Shown only when the error page itself cannot be rendered.
LAST_RESORT_PAGE = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
    "<title>Sorry, there is a problem with the service</title></head><body><main>"
    "<h1>Sorry, there is a problem with the service</h1><p>Try again later. "
    "In an emergency, call 999.</p></main></body></html>"
)


UNKNOWN_HOST_PAGE = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
    "<title>Bad request</title></head><body><main><h1>Bad request</h1>"
    "<p>This address is not one this service answers to.</p></main></body></html>"
)


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError) -> tuple[str, int]:
        app.logger.info("csrf refused: %s", error.description)
        return render_template("errors/csrf.html", request_id=request_id()), 400

    @app.errorhandler(SecurityError)
    def _untrusted_host(error: SecurityError) -> tuple[str, int, dict[str, str]]:
        # A Host header outside TRUSTED_HOSTS: nothing may build a URL from it, our page
        # templates included, so the answer is a fixed page.
        app.logger.warning("refused: %s", error.description)
        return UNKNOWN_HOST_PAGE, 400, {"Content-Type": "text/html; charset=utf-8"}

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> tuple[str, int] | HTTPException | Response:
        code = error.code or 500
        if error.response is not None:
            # A view built its own answer (a rate limit's page that keeps what was typed).
            return error.response
        if request.blueprint == "api" or request.path.startswith("/api/"):
            return error
        template = f"errors/{code}.html" if code in OWN_PAGES else "errors/generic.html"
        return render_template(template, error=error, request_id=request_id()), code

    def _database_unavailable(error: Exception) -> tuple[str, int, dict[str, str]] | HTTPException:
        # One line, no stack trace: the cause is outside the portal and it recovers by itself.
        app.logger.error("database unavailable: %s", str(error).splitlines()[0][:300])
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
        if request.blueprint == "api" or request.path.startswith("/api/"):
            return ServiceUnavailable(retry_after=RETRY_AFTER_SECONDS)
        try:
            page = render_template(
                "errors/500.html", error=ServiceUnavailable(), request_id=request_id()
            )
        except Exception:  # the page itself may need the database (the signed-in user)
            page = LAST_RESORT_PAGE
        return page, 503, headers

    for error_class in DATABASE_UNAVAILABLE:
        app.register_error_handler(error_class, _database_unavailable)

    @app.errorhandler(Exception)
    def _unhandled(error: Exception) -> tuple[str, int]:
        app.logger.exception("unhandled error")
        try:
            page = render_template(
                "errors/500.html", error=InternalServerError(), request_id=request_id()
            )
        except Exception:
            app.logger.exception("the error page itself failed")
            page = LAST_RESORT_PAGE
        return page, 500
