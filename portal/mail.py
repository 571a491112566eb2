"""Email over real SMTP, through the outbox. Emails carry a notice and a link, never clinical
content.

``queue_email`` writes an outbox job in the caller's transaction: the email leaves only if the
change it announces commits, and it is retried until the mail server takes it. The job keeps
the recipient, the subject, the template's name, the reader's language and the template's
context (names of listings, links); the body is rendered when it is sent.
"""

from __future__ import annotations

import re
import smtplib
import uuid
from datetime import date
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, has_request_context, render_template
from flask_babel import force_locale, get_locale
from sqlalchemy.orm import Session

from portal.outbox import handler
from portal.outbox.core import enqueue
from portal.outbox.models import OutboxJob

KIND = "email"
SMTP_TIMEOUT = 10


def queue_email(session: Session, *, to: str, subject: str, template: str, key: str | None = None,
                **context: Any) -> OutboxJob:
    """Queue ``emails/<template>.txt`` for ``to`` in the caller's transaction."""
    locale = str(get_locale() or "en") if _has_locale() else "en"
    key = key or f"{KIND}:{uuid.uuid4().hex}"
    domain = current_app.config["MAIL_SENDER"].rpartition("@")[2] or "portal.invalid"
    # The job's key is the message's identity: a repeat after a crash is the same message.
    message_id = f"<{re.sub(r'[^A-Za-z0-9.-]', '.', key)}@{domain}>"
    return enqueue(session, KIND, {"to": to, "subject": str(subject), "template": template,
                                   "locale": locale,
                                   "context": {k: _plain(v) for k, v in context.items()},
                                   "message_id": message_id}, key=key)


def public_url(endpoint: str, **values: Any) -> str:
    """The full address of ``endpoint`` at the portal's configured public address
    (``PORTAL_BASE_URL``), for links in emails: never built from the request's Host header."""
    base = urlsplit(current_app.config["PORTAL_BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/",
                                       url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)


def _has_locale() -> bool:
    return has_request_context()


def _message(payload: dict[str, Any], message_id: str) -> EmailMessage:
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_SENDER"]
    message["To"] = payload["to"]
    message["Subject"] = payload["subject"]
    message["Message-ID"] = message_id
    context = {key: _revived(value) for key, value in payload["context"].items()}
    # Links are built from the portal's configured public address, never from the Host header
    # of whichever request happens to be running (a client chooses that).
    with current_app.test_request_context(base_url=config["PORTAL_BASE_URL"]), \
            force_locale(payload.get("locale") or "en"):
        body = render_template(f"emails/{payload['template']}.txt", **context)
    message.set_content(body)
    return message


def _plain(value: Any) -> Any:
    """Dates survive the trip through the job's JSON."""
    if isinstance(value, date):
        return {"__date__": value.isoformat()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _revived(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"__date__"}:
        return date.fromisoformat(value["__date__"])
    if isinstance(value, list):
        return [_revived(item) for item in value]
    return value


@handler(KIND)
def deliver(_session: Session, payload: dict[str, Any]) -> None:
    """Send one queued email; raise on failure (the outbox retries it)."""
    config = current_app.config
    message = _message(payload, payload.get("message_id") or make_msgid())
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=SMTP_TIMEOUT) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(message)
