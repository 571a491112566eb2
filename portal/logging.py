"""Structured log lines (one JSON object a line) carrying a request id."""

from __future__ import annotations

import json
import logging
import secrets
import sys
from datetime import UTC, datetime
from typing import Any

from flask import Flask, g, has_request_context, request
from werkzeug.wrappers import Response

REQUEST_ID_HEADER = "X-Request-Id"


def request_id() -> str | None:
    if has_request_context():
        found = g.get("request_id")
        return str(found) if found is not None else None
    return None


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = getattr(record, "request_id", None) or request_id()
        if rid:
            entry["request_id"] = rid
        if has_request_context():
            # The route pattern, never the URL: URLs can carry things we must not log.
            entry["endpoint"] = request.endpoint
            entry["method"] = request.method
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def init_app(app: Flask) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    app.logger.handlers[:] = [handler]
    app.logger.setLevel(logging.INFO)
    app.logger.propagate = False

    @app.before_request
    def _assign_request_id() -> None:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        valid = 8 <= len(incoming) <= 64 and incoming.replace("-", "").isalnum()
        g.request_id = incoming if valid else secrets.token_hex(8)

    @app.after_request
    def _echo_request_id(response: Response) -> Response:
        rid = request_id()
        if rid:
            response.headers[REQUEST_ID_HEADER] = rid
        return response
