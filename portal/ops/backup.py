"""Backups that restore: ``flask backup PATH`` and ``flask restore PATH``.

A backup is one tar file holding ``manifest.json`` and the database:

* SQLite through its online backup API (``sqlite3.Connection.backup``): one read transaction,
  so the copy is consistent while the portal keeps writing (WAL lets writers carry on).
* PostgreSQL through ``pg_dump --format=custom``, run on a snapshot exported from a
  repeatable-read transaction in which the manifest's row counts are taken: the counts and the
  dump see exactly the same rows.

Everything the portal keeps is in the database: guidance videos and captions are
``content_media`` rows, and the search indexes are rebuilt from the database on restore. So the
backup holds no other files. It never holds the encryption keys (or SECRET_KEY): those are
backed up separately, and only their SHA-256 fingerprints are recorded, so a restore can say
which key the data needs.

A restore goes only into an empty database, then checks what it restored: integrity, the
schema revision, the row count of every table against the manifest, that encrypted fields
decrypt with the configured keys, that the audit chain verifies, and it rebuilds the search
indexes.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess  # nosec B404: runs pg_dump/pg_restore by absolute path, no shell
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask
from sqlalchemy import Connection, Engine, func, inspect, select, table, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session

from portal.crypto import parse_keys
from portal.db import Database
from portal.ops.checks import undecryptable_columns

FORMAT = 1
MANIFEST = "manifest.json"
DUMPS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
PG_TIMEOUT_SECONDS = 3600


class BackupError(RuntimeError):
    """A backup or restore that cannot go ahead, said in plain words."""


@dataclass
class Manifest:
    backend: str
    revision: str | None
    row_counts: dict[str, int]
    key_fingerprints: list[str]
    created_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    format: int = FORMAT
    # Files the database does not hold. None today: media live in content_media.
    files: list[str] = field(default_factory=list)

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), indent=2, sort_keys=True).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        raw = json.loads(data)
        if raw.get("format") != FORMAT:
            raise BackupError(f"This backup is in format {raw.get('format')!r}; this portal reads "
                              f"format {FORMAT}.")
        return cls(**raw)


@dataclass
class RestoreReport:
    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def fingerprint(key: str) -> str:
    """A key's SHA-256, shortened: tells keys apart without revealing them."""
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def backend_of(app: Flask) -> str:
    backend = make_url(app.config["DATABASE_URL"]).get_backend_name()
    if backend not in DUMPS:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {backend}.")
    return backend


def row_counts(connection: Connection) -> dict[str, int]:
    """Every table's row count, as this connection's transaction sees them."""
    return {
        name: int(connection.scalar(select(func.count()).select_from(table(name))) or 0)
        for name in sorted(inspect(connection).get_table_names())
    }


def alembic_revision(connection: Connection) -> str | None:
    if "alembic_version" not in inspect(connection).get_table_names():
        return None
    value = connection.scalar(text("SELECT version_num FROM alembic_version"))
    return None if value is None else str(value)


# Backing up ---------------------------------------------------------------------------------


def backup(app: Flask, path: Path) -> Manifest:
    backend = backend_of(app)
    path.parent.mkdir(parents=True, exist_ok=True)
    keys = [fingerprint(key) for key in parse_keys(app.config.get("ENCRYPTION_KEYS"))]
    with tempfile.TemporaryDirectory(prefix="portal-backup-", dir=path.parent) as work:
        dump = Path(work) / DUMPS[backend]
        if backend == "sqlite":
            manifest = _backup_sqlite(app, dump, keys)
        else:
            manifest = _backup_postgresql(app, dump, keys)
        partial = path.with_name(path.name + ".partial")
        with tarfile.open(partial, "w") as archive:
            _add_bytes(archive, MANIFEST, manifest.to_json())
            archive.add(dump, arcname=dump.name)
        os.replace(partial, path)  # a backup file is either whole or absent
    return manifest


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.now(UTC).timestamp())
    archive.addfile(info, io.BytesIO(data))


def _sqlite_path(app: Flask) -> Path:
    database = make_url(app.config["DATABASE_URL"]).database
    if not database or database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up.")
    return Path(database)


def _backup_sqlite(app: Flask, dump: Path, keys: list[str]) -> Manifest:
    source_path = _sqlite_path(app)
    if not source_path.exists():
        raise BackupError(f"There is no database at {source_path}.")
    source = sqlite3.connect(source_path, timeout=15)
    target = sqlite3.connect(dump)
    try:
        source.backup(target)  # all pages in one step: one consistent read transaction
    finally:
        source.close()
        target.close()
    return _manifest_of_sqlite_file(dump, keys)


def _manifest_of_sqlite_file(dump: Path, keys: list[str]) -> Manifest:
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{dump}")
    try:
        with engine.connect() as connection:
            return Manifest("sqlite", alembic_revision(connection), row_counts(connection), keys)
    finally:
        engine.dispose()


def pg_binary(name: str, engine: Engine | None = None) -> str:
    """``pg_dump``/``pg_restore`` of the server's major version when installed, else on PATH."""
    if engine is not None:
        with engine.connect() as connection:
            number = int(connection.scalar(text("SHOW server_version_num")) or 0)
        candidate = Path(f"/usr/lib/postgresql/{number // 10000}/bin/{name}")
        if candidate.exists():
            return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed: install the PostgreSQL client tools "
                          "(for example apt-get install postgresql-client-15).")
    return found


@contextmanager
def _libpq(app: Flask) -> Iterator[tuple[str, dict[str, str]]]:
    """The database as a libpq URL, its password passed in the environment, not argv."""
    url: URL = make_url(app.config["DATABASE_URL"]).set(drivername="postgresql")
    environ = dict(os.environ)
    if url.password:
        environ["PGPASSWORD"] = str(url.password)
    yield url.set(password=None).render_as_string(hide_password=False), environ


def _run(argv: list[str], environ: dict[str, str], what: str) -> None:
    result = subprocess.run(argv, env=environ, capture_output=True, text=True,  # noqa: S603  # nosec B603
                            timeout=PG_TIMEOUT_SECONDS, check=False)
    if result.returncode != 0:
        raise BackupError(f"{what} failed: {result.stderr.strip() or result.returncode}")


def _backup_postgresql(app: Flask, dump: Path, keys: list[str]) -> Manifest:
    engine = Database.state(app).engine
    dump_bin = pg_binary("pg_dump", engine)
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            snapshot = connection.scalar(text("SELECT pg_export_snapshot()"))
            manifest = Manifest("postgresql", alembic_revision(connection), row_counts(connection), keys)
            with _libpq(app) as (url, environ):
                _run([dump_bin, "--format=custom", "--no-owner", "--no-privileges",
                      f"--snapshot={snapshot}", f"--file={dump}", f"--dbname={url}"],
                     environ, "pg_dump")
    return manifest


# Restoring ----------------------------------------------------------------------------------


def read_backup(path: Path, work: Path) -> tuple[Manifest, Path]:
    """The manifest and the extracted database file; only the two known members are read."""
    try:
        with tarfile.open(path, "r") as archive:
            member = archive.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            manifest = Manifest.from_json(member.read())
            name = DUMPS.get(manifest.backend)
            source = archive.extractfile(name) if name else None
            if source is None:
                raise KeyError(name)
            target = work / str(name)
            with target.open("wb") as out:
                shutil.copyfileobj(source, out)
    except (tarfile.TarError, KeyError, json.JSONDecodeError, TypeError) as exc:
        raise BackupError(f"{path} is not a portal backup (or it is damaged).") from exc
    return manifest, target


def restore(app: Flask, path: Path) -> RestoreReport:
    backend = backend_of(app)
    engine = Database.state(app).engine
    with tempfile.TemporaryDirectory(prefix="portal-restore-") as work:
        manifest, dump = read_backup(path, Path(work))
        if manifest.backend != backend:
            raise BackupError(f"This is a {manifest.backend} backup; DATABASE_URL is {backend}. "
                              "Restore into the same kind of database.")
        _refuse_unless_empty(app, engine)
        engine.dispose()
        if backend == "sqlite":
            _restore_sqlite(app, dump)
        else:
            _restore_postgresql(app, engine, dump)
        engine.dispose()
    return verify_restored(app, engine, manifest)


def _refuse_unless_empty(app: Flask, engine: Engine) -> None:
    with engine.connect() as connection:
        tables = inspect(connection).get_table_names()
    if tables:
        where = make_url(app.config["DATABASE_URL"]).render_as_string(hide_password=True)
        raise BackupError(f"The database at {where} already has {len(tables)} tables. Restore only "
                          "into an empty database: create a new one (createdb), or for SQLite "
                          "give a file that does not exist yet, and point DATABASE_URL at it.")


def _restore_sqlite(app: Flask, dump: Path) -> None:
    target_path = _sqlite_path(app)
    target_path.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(dump)
    target = sqlite3.connect(target_path, timeout=15)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()


def _restore_postgresql(app: Flask, engine: Engine, dump: Path) -> None:
    restore_bin = pg_binary("pg_restore", engine)
    with _libpq(app) as (url, environ):
        _run([restore_bin, "--format=custom", "--no-owner", "--no-privileges", "--exit-on-error",
              "--single-transaction", f"--dbname={url}", str(dump)], environ, "pg_restore")


def verify_restored(app: Flask, engine: Engine, manifest: Manifest) -> RestoreReport:
    from portal.audit.services import verify_chain

    report = RestoreReport()
    with engine.connect() as connection:
        _check_integrity(connection, report)
        revision = alembic_revision(connection)
        counts = row_counts(connection)
    if revision == manifest.revision:
        report.lines.append(f"Schema at revision {revision}, as backed up.")
    else:
        report.problems.append(f"The schema is at revision {revision}; the backup was at "
                               f"{manifest.revision}.")
    differing = [f"{name}: {counts.get(name)} rows, backed up {count}"
                 for name, count in manifest.row_counts.items() if counts.get(name) != count]
    if differing:
        report.problems.append("Row counts differ from the backup: " + "; ".join(differing))
    else:
        report.lines.append(f"{sum(counts.values())} rows in {len(counts)} tables, as backed up.")
    _check_keys(app, engine, manifest, report)
    with Session(bind=engine) as session:
        chain = verify_chain(session)
    if chain.intact:
        report.lines.append(f"Audit chain intact: {chain.checked} entries checked.")
    else:
        report.problems.append(f"The audit chain is broken at entry {chain.broken_at} ({chain.problem}).")
    _rebuild_indexes(app, engine, report)
    return report


def _check_integrity(connection: Connection, report: RestoreReport) -> None:
    if connection.dialect.name == "sqlite":
        result = connection.exec_driver_sql("PRAGMA integrity_check").scalar()
        broken_keys = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if result != "ok" or broken_keys:
            report.problems.append(f"SQLite integrity check: {result}; {len(broken_keys)} broken references.")
            return
    else:
        unvalidated = connection.scalar(text(
            "SELECT count(*) FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace "
            "WHERE n.nspname = current_schema() AND NOT c.convalidated"))
        if unvalidated:
            report.problems.append(f"{unvalidated} constraints were restored but not validated.")
            return
    report.lines.append("Integrity check passed (every constraint holds).")


def _check_keys(app: Flask, engine: Engine, manifest: Manifest, report: RestoreReport) -> None:
    configured = {fingerprint(key) for key in parse_keys(app.config.get("ENCRYPTION_KEYS"))}
    failing = undecryptable_columns(app, engine)
    if failing:
        needed = ", ".join(manifest.key_fingerprints) or "unknown"
        report.problems.append(
            f"Encrypted fields in {', '.join(failing)} do not decrypt with the configured "
            f"ENCRYPTION_KEYS. The backup was taken under the keys with fingerprints {needed} (the "
            "first 16 hex digits of each key's SHA-256); put that key back in ENCRYPTION_KEYS.")
    else:
        report.lines.append("Encrypted fields decrypt with the configured keys.")
    if manifest.key_fingerprints and not configured & set(manifest.key_fingerprints):
        report.lines.append("Note: none of the keys in use when the backup was taken is configured now.")


def _rebuild_indexes(app: Flask, engine: Engine, report: RestoreReport) -> None:
    from portal.content.search import ContentIndex
    from portal.search import backend

    with app.app_context():
        services = backend.for_app(app).rebuild(engine)
        with Session(bind=engine) as session:
            guidance = ContentIndex.for_app(app).rebuild(session)
    report.lines.append(f"Search indexes rebuilt: {services} services, {guidance} guidance pages.")

