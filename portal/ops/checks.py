"""Checks of a production configuration, before the portal starts (``flask check-deploy``).

Each check returns findings in plain words: a *problem* stops a production start (exit 1), a
*warning* is worth reading but may be intended (a single server on SQLite, say). The checks
read the app's configuration, not the environment, so they judge exactly what would run.
"""

from __future__ import annotations

import math
import smtplib
import socket
import ssl
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from cryptography.fernet import InvalidToken
from flask import Flask
from sqlalchemy import Engine, Text, select, type_coerce
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from portal import migrate
from portal.crypto import EncryptionKeyError, KeyRing, derive_development_key, encrypted_columns, parse_keys
from portal.db import Database

MIN_SECRET_LENGTH = 32
MIN_SECRET_BITS = 128
NETWORK_TIMEOUT = 5.0
# Words that mark a placeholder copied from an example rather than a real secret.
PLACEHOLDER_WORDS = ("replace", "change", "example", "secret", "password", "insecure", "xxxx")


class Severity(StrEnum):
    OK = "ok"
    WARNING = "warning"
    PROBLEM = "problem"


@dataclass(frozen=True)
class Finding:
    severity: Severity
    topic: str
    message: str


def ok(topic: str, message: str) -> Finding:
    return Finding(Severity.OK, topic, message)


def warning(topic: str, message: str) -> Finding:
    return Finding(Severity.WARNING, topic, message)


def problem(topic: str, message: str) -> Finding:
    return Finding(Severity.PROBLEM, topic, message)


# Secrets ------------------------------------------------------------------------------------


def estimated_bits(value: str) -> float:
    """Shannon entropy of the characters times the length: a rough ceiling on guessability."""
    if not value:
        return 0.0
    counts = Counter(value)
    per_char = -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())
    return per_char * len(value)


def check_secret_key(app: Flask) -> list[Finding]:
    key = str(app.config.get("SECRET_KEY") or "")
    topic = "SECRET_KEY"
    advice = "Set it to a long random value: python3 -c 'import secrets; print(secrets.token_urlsafe(48))'."
    if not key:
        return [problem(topic, f"SECRET_KEY is not set. {advice}")]
    lowered = key.lower()
    if any(word in lowered for word in PLACEHOLDER_WORDS):
        return [problem(topic, f"SECRET_KEY looks like a placeholder or a development key. {advice}")]
    if len(key) < MIN_SECRET_LENGTH:
        return [problem(topic, f"SECRET_KEY is {len(key)} characters long; it needs at least "
                               f"{MIN_SECRET_LENGTH}. {advice}")]
    if estimated_bits(key) < MIN_SECRET_BITS:
        return [problem(topic, f"SECRET_KEY is too predictable (too many repeated characters). {advice}")]
    return [ok(topic, "SECRET_KEY is long and random enough.")]


def check_encryption_keys(app: Flask) -> list[Finding]:
    topic = "ENCRYPTION_KEYS"
    keys = parse_keys(app.config.get("ENCRYPTION_KEYS"))
    if not keys:
        return [problem(topic, "ENCRYPTION_KEYS is not set. Generate one with "
                               "`flask --app wsgi keys generate` and keep a copy somewhere safe.")]
    try:
        KeyRing(keys)
    except EncryptionKeyError:
        return [problem(topic, "An ENCRYPTION_KEYS entry is not a valid key. Each entry, separated "
                               "by commas, must be a key from `flask --app wsgi keys generate`.")]
    findings = []
    if derive_development_key(str(app.config.get("SECRET_KEY") or "")) in keys:
        findings.append(problem(topic, "ENCRYPTION_KEYS holds the development key derived from "
                                       "SECRET_KEY. Generate a real key and rotate to it."))
    if len(set(keys)) != len(keys):
        findings.append(warning(topic, "ENCRYPTION_KEYS lists the same key twice."))
    if not findings:
        findings.append(ok(topic, f"{len(keys)} valid encryption key(s); the first encrypts."))
    return findings


def undecryptable_columns(app: Flask, engine: Engine) -> list[str]:
    """``table.column`` of each encrypted column whose oldest or newest value the app's keys
    cannot decrypt (data written under a key that is no longer configured)."""
    from portal.crypto import keyring

    ring = keyring(app)
    failing = []
    with engine.connect() as connection:
        for table, column in encrypted_columns():
            pk = next(iter(table.primary_key.columns))
            raw = type_coerce(column, Text)
            for order in (pk.asc(), pk.desc()):
                token = connection.scalar(select(raw).where(column.isnot(None)).order_by(order).limit(1))
                if token is None:
                    continue
                try:
                    ring.decrypt(token.encode("ascii"))
                except InvalidToken:
                    failing.append(f"{table.name}.{column.name}")
                    break
    return failing


# Database -----------------------------------------------------------------------------------


def head_revisions() -> set[str]:
    script = ScriptDirectory(str(migrate.MIGRATIONS_DIR))
    return set(script.get_heads())


def current_revisions(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def check_database(app: Flask) -> list[Finding]:
    url = make_url(app.config["DATABASE_URL"])
    engine = Database.state(app).engine
    where = url.render_as_string(hide_password=True)
    try:
        current = current_revisions(engine)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        return [problem("database", f"The database at {where} cannot be reached: {reason}")]
    findings = [ok("database", f"The database at {where} answers.")]
    heads = head_revisions()
    if not current:
        findings.append(problem("database", "The database has no schema yet. Run "
                                            "`flask --app wsgi db upgrade`."))
    elif current != heads:
        findings.append(problem("database", f"The database is at revision {', '.join(sorted(current))}, "
                                            f"not the newest ({', '.join(sorted(heads))}). Run "
                                            "`flask --app wsgi db upgrade`."))
    else:
        findings.append(ok("database", "The schema is at the newest migration."))
        failing = undecryptable_columns(app, engine)
        if failing:
            findings.append(problem("ENCRYPTION_KEYS", "The configured keys cannot decrypt data "
                                    f"already stored in {', '.join(failing)}. Put back the key that "
                                    "encrypted it (older keys go after the newest)."))
        else:
            findings.append(ok("ENCRYPTION_KEYS", "Stored encrypted data decrypts with these keys."))
    if url.get_backend_name() == "sqlite":
        findings.append(warning("database", "The database is SQLite: fine for one server; several "
                                            "servers need PostgreSQL."))
    return findings


# Services -----------------------------------------------------------------------------------


def check_mail(app: Flask) -> list[Finding]:
    host, port = str(app.config["MAIL_SERVER"]), int(app.config["MAIL_PORT"])
    topic = "mail"
    try:
        with smtplib.SMTP(host, port, timeout=NETWORK_TIMEOUT) as smtp:
            smtp.ehlo()
            if app.config.get("MAIL_USE_TLS"):
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if app.config.get("MAIL_USERNAME"):
                smtp.login(str(app.config["MAIL_USERNAME"]), str(app.config.get("MAIL_PASSWORD") or ""))
    except smtplib.SMTPAuthenticationError:
        return [problem(topic, f"The mail server {host}:{port} refused MAIL_USERNAME and MAIL_PASSWORD.")]
    except smtplib.SMTPNotSupportedError:
        return [problem(topic, f"The mail server {host}:{port} does not offer STARTTLS, but "
                               "MAIL_USE_TLS is on.")]
    except (OSError, smtplib.SMTPException) as exc:
        reason = str(exc) or type(exc).__name__
        return [problem(topic, f"The mail server {host}:{port} cannot be reached: {reason}.")]
    if not app.config.get("MAIL_USE_TLS") and host not in ("127.0.0.1", "localhost", "::1"):
        return [warning(topic, f"Mail to {host}:{port} is sent without TLS (MAIL_USE_TLS is off).")]
    return [ok(topic, f"The mail server {host}:{port} accepts connections.")]


def check_rate_limit_storage(app: Flask) -> list[Finding]:
    uri = str(app.config.get("RATELIMIT_STORAGE_URI") or "memory://")
    topic = "RATELIMIT_STORAGE_URI"
    if uri.startswith("memory://"):
        return [problem(topic, "Rate limits are kept in each process's memory, so every worker and "
                               "server counts separately and the limits multiply. Set "
                               "RATELIMIT_STORAGE_URI to Redis (redis://HOST:6379/0).")]
    from limits.storage import storage_from_string

    try:
        reachable = storage_from_string(uri).check()
    except Exception as exc:  # the storage's own client errors vary by backend
        return [problem(topic, f"The rate-limit storage cannot be used: {exc}")]
    if not reachable:
        return [problem(topic, f"The rate-limit storage at {make_url_safe(uri)} does not answer.")]
    return [ok(topic, f"Rate limits are shared through {make_url_safe(uri)}.")]


def make_url_safe(uri: str) -> str:
    """The URI without any password in it."""
    if "@" in uri and "://" in uri:
        scheme, rest = uri.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return uri


def check_https(app: Flask) -> list[Finding]:
    findings = []
    topic = "HTTPS"
    for name in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
        if not app.config.get(name):
            findings.append(problem(topic, f"{name} is off: sign-in cookies would also travel over "
                                           "plain HTTP. Run with PORTAL_ENV=production."))
    if app.config.get("SESSION_COOKIE_SAMESITE") not in ("Lax", "Strict"):
        findings.append(problem(topic, "SESSION_COOKIE_SAMESITE must be Lax or Strict."))
    if app.config.get("PREFERRED_URL_SCHEME") != "https":
        findings.append(problem(topic, "Links in emails would start with http://: "
                                       "PREFERRED_URL_SCHEME must be https (PORTAL_ENV=production)."))
    base_url = str(app.config.get("PORTAL_BASE_URL") or "")
    if not base_url.startswith("https://"):
        findings.append(problem(topic, f"PORTAL_BASE_URL is {base_url!r}: links in emails must "
                                       "start with https:// and name the public address."))
    if not app.config.get("TRUSTED_HOSTS"):
        findings.append(problem(topic, "TRUSTED_HOSTS is empty: the portal would answer to any "
                                       "Host header."))
    if not app.config.get("PROXY_HOPS"):
        findings.append(warning(topic, "PROXY_HOPS is 0: behind nginx every request would seem to come "
                                       "from the proxy (one rate limit for everyone, wrong addresses "
                                       "in the audit log). Set PROXY_HOPS=1 behind one proxy."))
    if app.config.get("PORTAL_ENV") != "production":
        findings.append(problem("PORTAL_ENV", f"PORTAL_ENV is {app.config.get('PORTAL_ENV')!r}, "
                                              "not 'production'."))
    if not findings:
        findings.append(ok(topic, "Cookies are HTTPS-only and links use https."))
    return findings


def check_search_index(app: Flask) -> list[Finding]:
    directory = Path(app.config["SEARCH_INDEX_DIR"])
    existing = next((p for p in (directory, *directory.parents) if p.exists()), None)
    if existing is None or not existing.is_dir() or not _writable(existing):
        return [problem("SEARCH_INDEX_DIR", f"The search index folder {directory} cannot be written "
                                            "by this user.")]
    if not directory.is_dir() or not any(directory.iterdir()):
        return [warning("SEARCH_INDEX_DIR", f"There is no search index in {directory} yet; it is "
                                            "built on first use (or run `flask --app wsgi search reindex`).")]
    return [ok("SEARCH_INDEX_DIR", f"The search index folder {directory} is writable.")]


def _writable(directory: Path) -> bool:
    try:
        probe = directory / f".check-deploy-{socket.gethostname()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError:
        return False
    return True


CHECKS: dict[str, Callable[[Flask], list[Finding]]] = {
    "secret-key": check_secret_key,
    "encryption-keys": check_encryption_keys,
    "https": check_https,
    "database": check_database,
    "mail": check_mail,
    "rate-limits": check_rate_limit_storage,
    "search-index": check_search_index,
}


def run_checks(app: Flask, checks: Iterable[Callable[[Flask], list[Finding]]] = CHECKS.values()
               ) -> list[Finding]:
    findings: list[Finding] = []
    with app.app_context():
        for check in checks:
            findings.extend(check(app))
    return findings


def summary(findings: list[Finding]) -> dict[Severity, int]:
    counts: dict[Severity, int] = dict.fromkeys(Severity, 0)
    for finding in findings:
        counts[finding.severity] += 1
    return counts

