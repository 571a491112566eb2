"""Email over real SMTP. Emails carry a notice and a link, never clinical content."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from flask import current_app, render_template


def send_notice(*, to: str, subject: str, template: str, **context: object) -> None:
    """Render ``emails/<template>.txt`` and send it. Failures are logged, not raised:
    a notice that could not be sent must not undo the change it announces."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(render_template(f"emails/{template}.txt", **context))
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException):
        current_app.logger.warning("email could not be sent (template %s)", template)
