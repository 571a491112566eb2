"""Field-level encryption at rest, and key rotation.

Every sensitive field is a column of type ``EncryptedText`` (or ``EncryptedDate`` /
``EncryptedJSON``, which build on it). Values are encrypted with Fernet (AES-128-CBC plus
HMAC-SHA256, from ``cryptography``) before they reach the database and decrypted as they come
back, so the database, its files, its WAL and its backups only ever hold ciphertext.

Keys come from configuration: ``ENCRYPTION_KEYS`` is a comma-separated list of Fernet keys,
newest first. The newest encrypts; every key decrypts (``MultiFernet``). The key ring is built
per app, on first use, and kept on ``app.extensions["portal.crypto"]``; the column types find
it through ``current_app``, so encrypted columns are read and written inside an app context.

Rotating a key, with no downtime::

    flask --app wsgi keys generate                 # prints a new key
    ENCRYPTION_KEYS=<new>,<old>   (restart)         # new writes use <new>, old rows still read
    flask --app wsgi keys rotate                    # re-encrypts every row under <new>
    ENCRYPTION_KEYS=<new>         (restart)         # retire <old>

``keys rotate`` finds every encrypted column of every model by introspection, and rewrites each
row in its own short transaction with a compare-and-swap (``WHERE col = <old ciphertext>``), so
it runs while the portal serves and never overwrites a value someone changed meanwhile.

Plugging in a new sensitive field (plans, messages, attachments, referral answers)::

    from portal.crypto import EncryptedText, EncryptedJSON
    body: Mapped[str] = mapped_column(EncryptedText())
    answers: Mapped[dict] = mapped_column(EncryptedJSON())

then write a new migration with ``flask --app wsgi db revision -m ...`` (the column is TEXT in the
database; migrations/env.py renders it so), and add a
marker for the column in ``tests/security/test_canary.py`` (its own test fails until you do).
Files (attachments) are encrypted with ``encrypt_bytes``/``decrypt_bytes`` before they are
written to disk. Encrypted columns cannot be searched or compared in SQL (each encryption is
different); if a lookup is ever needed (say, by NHS number), add a keyed HMAC column beside it.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import click
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import Column, Table, Text, select, type_coerce, update
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

EXTENSION_KEY = "portal.crypto"
ROTATE_BATCH_SIZE = 200


class EncryptionKeyError(ValueError):
    """The configured keys cannot be used."""


def derive_development_key(secret_key: str) -> str:
    """A fixed Fernet key derived from SECRET_KEY, for development and tests only."""
    digest = hashlib.sha256(b"portal-field-encryption:" + secret_key.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


def parse_keys(value: str | Sequence[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value.split(",") if isinstance(value, str) else list(value)
    return tuple(item.strip() for item in items if item and item.strip())


def generate_key() -> str:
    return Fernet.generate_key().decode()


@dataclass(frozen=True)
class KeyRing:
    """The app's keys: the first encrypts, all decrypt."""

    keys: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.keys:
            raise EncryptionKeyError("No encryption keys are configured (ENCRYPTION_KEYS).")
        try:
            fernets = tuple(Fernet(key) for key in self.keys)
        except (ValueError, TypeError) as exc:
            raise EncryptionKeyError("Each ENCRYPTION_KEYS entry must be a Fernet key "
                            "(flask --app wsgi keys generate).") from exc
        object.__setattr__(self, "_fernets", fernets)
        object.__setattr__(self, "_multi", MultiFernet(list(fernets)))

    def encrypt(self, data: bytes) -> bytes:
        return self._multi.encrypt(data)  # type: ignore[attr-defined,no-any-return]

    def decrypt(self, token: bytes) -> bytes:
        return self._multi.decrypt(token)  # type: ignore[attr-defined,no-any-return]

    def is_current(self, token: bytes) -> bool:
        """True when the newest key already decrypts this token."""
        try:
            self._fernets[0].decrypt(token)  # type: ignore[attr-defined]
        except InvalidToken:
            return False
        return True

    def rotate(self, token: bytes) -> bytes:
        return self._multi.rotate(token)  # type: ignore[attr-defined,no-any-return]


def keyring(app: Flask | None = None) -> KeyRing:
    """The key ring of ``app`` (default: the current app), built from its config on first use."""
    target = app if app is not None else current_app._get_current_object()  # type: ignore[attr-defined]
    ring = target.extensions.get(EXTENSION_KEY)
    if ring is None:
        keys = parse_keys(target.config.get("ENCRYPTION_KEYS"))
        if not keys and target.config.get("PORTAL_ENV") != "production":
            keys = (derive_development_key(target.config["SECRET_KEY"]),)
        ring = target.extensions.setdefault(EXTENSION_KEY, KeyRing(keys))
    return ring  # type: ignore[no-any-return]


def encrypt_bytes(data: bytes) -> bytes:
    return keyring().encrypt(data)


def decrypt_bytes(token: bytes) -> bytes:
    return keyring().decrypt(token)


# Column types -----------------------------------------------------------------------------


class EncryptedText(TypeDecorator[str]):
    """A string encrypted at rest; stored as the Fernet token (TEXT)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return keyring().encrypt(self.serialise(value).encode("utf-8")).decode("ascii")

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        return self.deserialise(keyring().decrypt(value.encode("ascii")).decode("utf-8"))

    def serialise(self, value: Any) -> str:
        return str(value)

    def deserialise(self, text: str) -> Any:
        return text


class EncryptedDate(EncryptedText):
    """A date encrypted at rest (ISO 8601 inside the token)."""

    cache_ok = True

    def serialise(self, value: Any) -> str:
        if not isinstance(value, date):
            raise TypeError("EncryptedDate takes a datetime.date")
        return value.isoformat()

    def deserialise(self, text: str) -> date:
        return date.fromisoformat(text)


class EncryptedJSON(EncryptedText):
    """A JSON document encrypted at rest. Reassign the value to save a change (not mutable)."""

    cache_ok = True

    def serialise(self, value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    def deserialise(self, text: str) -> Any:
        return json.loads(text)


def encrypted_columns() -> list[tuple[Table, Column[Any]]]:
    """Every encrypted column of every model, found by introspection."""
    import portal.models  # noqa: F401  (every table on the metadata)
    from portal.db import Base

    found = []
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, EncryptedText):
                found.append((table, column))
    return found


# Rotation ---------------------------------------------------------------------------------


@dataclass
class RotationCount:
    table: str
    column: str
    rotated: int = 0
    current: int = 0
    changed_meanwhile: int = 0
    unreadable: int = 0


def _primary_key(table: Table) -> Column[Any]:
    columns = list(table.primary_key.columns)
    if len(columns) != 1:
        raise EncryptionKeyError(f"{table.name}: encrypted columns need a single-column primary key")
    return columns[0]


def _batches(session: Any, table: Table, column: Column[Any]) -> Iterator[list[Any]]:
    pk = _primary_key(table)
    raw = type_coerce(column, Text)
    last = None
    while True:
        query = select(pk, raw).where(column.isnot(None)).order_by(pk).limit(ROTATE_BATCH_SIZE)
        if last is not None:
            query = query.where(pk > last)
        rows = session.execute(query).all()
        session.commit()  # read nothing under a lock between batches
        if not rows:
            return
        last = rows[-1][0]
        yield rows


def rotate_column(session: Any, table: Table, column: Column[Any], ring: KeyRing
                  ) -> RotationCount:
    """Re-encrypt one column under the newest key, one row per transaction."""
    count = RotationCount(table.name, column.name)
    pk = _primary_key(table)
    raw = type_coerce(column, Text)
    for rows in _batches(session, table, column):
        for key, token in rows:
            data = token.encode("ascii")
            try:
                if ring.is_current(data):
                    count.current += 1
                    continue
                new = ring.rotate(data).decode("ascii")
            except InvalidToken:
                count.unreadable += 1
                continue
            result = session.execute(
                update(table).where(pk == key, raw == token).values({column: type_coerce(new, Text)})
            )
            session.commit()
            if result.rowcount == 1:
                count.rotated += 1
            else:
                count.changed_meanwhile += 1
    return count


def rotate_all(session: Any, ring: KeyRing) -> list[RotationCount]:
    return [rotate_column(session, table, column, ring) for table, column in encrypted_columns()]


keys_cli = AppGroup("keys", help="Field-level encryption keys.")


@keys_cli.command("generate")
def keys_generate() -> None:
    """Print a new Fernet key, to put first in ENCRYPTION_KEYS."""
    click.echo(generate_key())


@keys_cli.command("rotate")
def keys_rotate() -> None:
    """Re-encrypt every encrypted column under the newest key (safe while the portal runs)."""
    from portal.extensions import db

    ring = keyring()
    counts = rotate_all(db.session, ring)
    for c in counts:
        click.echo(f"{c.table}.{c.column}: {c.rotated} re-encrypted, {c.current} already current, "
                   f"{c.changed_meanwhile} changed meanwhile, {c.unreadable} unreadable")
    total = sum(c.rotated for c in counts)
    click.echo(f"Re-encrypted {total} values in {len(counts)} columns.")
    if any(c.unreadable for c in counts):
        raise click.ClickException(
            "Some values could not be decrypted with any configured key. Keep the old keys "
            "in ENCRYPTION_KEYS until this is resolved.")
