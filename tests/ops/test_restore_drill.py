"""The restore drill: back up a populated portal while it serves writes, restore into an empty
database, and check that what came back is whole and usable."""

from __future__ import annotations

import json
import re
import tarfile
import threading

import pytest
from sqlalchemy import func, select

from portal import demo
from portal.accounts.models import User
from portal.audit.models import AuditEvent
from portal.crypto import generate_key
from portal.db import Database
from portal.ops.backup import row_counts
from tests.helpers.database import BACKENDS, throwaway_database
from tests.ops.helpers import app_from_environ, dispose, migrated_database, production_environ

HTTPS = "https://localhost"  # production cookies are Secure: the test client must use https


class SignInWriter(threading.Thread):
    """Signs the demo resident in over and over through the real pages, counting successes."""

    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        super().__init__(daemon=True)
        self.app = app
        self.stop = threading.Event()
        self.acknowledged = 0
        self.changed = threading.Condition()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                client = self.app.test_client()
                html = client.get("/account/sign-in", base_url=HTTPS).get_data(as_text=True)
                token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
                response = client.post("/account/sign-in", base_url=HTTPS, data={
                    "csrf_token": token, "email": "resident@demo.portal.test",
                    "password": demo.read_people().password}, headers={"Referer": f"{HTTPS}/account/sign-in"})
                assert response.status_code == 302, response.status_code
                with self.changed:
                    self.acknowledged += 1
                    self.changed.notify_all()
        except BaseException as exc:
            with self.changed:
                self.error = exc
                self.changed.notify_all()

    def wait_for(self, count: int) -> None:
        with self.changed:
            assert self.changed.wait_for(lambda: self.acknowledged >= count or self.error, timeout=60)
        assert self.error is None, self.error


def count(app, model) -> int:  # type: ignore[no-untyped-def]
    with Database.state(app).engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(model)))


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_backup_taken_while_serving_restores_whole(backend, tmp_path):
    with migrated_database(backend, tmp_path / "source") as source_url, \
            throwaway_database(backend, tmp_path / "target") as target_url, \
            throwaway_database(backend, tmp_path / "wrong-keys") as wrong_keys_url:
        environ = production_environ(source_url, tmp_path / "index-source",
                                     RATELIMIT_STORAGE_URI="memory://")
        source = app_from_environ(environ, RATELIMIT_ENABLED=False)
        loaded = source.test_cli_runner().invoke(args=["demo"])
        assert loaded.exit_code == 0, loaded.output

        writer = SignInWriter(source)
        writer.start()
        writer.wait_for(2)
        audit_before = count(source, AuditEvent)
        backup_path = tmp_path / "backups" / "portal.tar"
        backed_up = source.test_cli_runner().invoke(args=["backup", str(backup_path)])
        assert backed_up.exit_code == 0, backed_up.output
        writer.wait_for(writer.acknowledged + 2)  # still serving writes after the backup
        writer.stop.set()
        writer.join(30)
        assert writer.error is None, writer.error
        audit_after = count(source, AuditEvent)
        dispose(source)

        with tarfile.open(backup_path) as archive:
            assert sorted(archive.getnames()) == sorted(
                ["manifest.json", "database.sqlite3" if backend == "sqlite" else "database.pgdump"])
            manifest = json.loads(archive.extractfile("manifest.json").read())
            archived = b"".join(archive.extractfile(name).read() for name in archive.getnames())
        assert environ["ENCRYPTION_KEYS"].encode() not in archived
        assert environ["SECRET_KEY"].encode() not in archived
        # The backup is one moment between the first and last write of the writer.
        assert audit_before <= manifest["row_counts"]["audit_event"] < audit_after
        assert manifest["row_counts"]["service"] > 300 and manifest["row_counts"]["user_account"] == 10

        # Restore into an empty database on a "new server" with the same keys.
        restored_environ = {**environ, "DATABASE_URL": target_url,
                            "SEARCH_INDEX_DIR": str(tmp_path / "index-restored")}
        restored = app_from_environ(restored_environ)
        result = restored.test_cli_runner().invoke(args=["restore", str(backup_path)])
        assert result.exit_code == 0, result.output
        assert "Integrity check passed" in result.output
        assert "Encrypted fields decrypt with the configured keys." in result.output
        assert re.search(r"Search indexes rebuilt: 3\d\d services, \d+ guidance pages", result.output)

        with Database.state(restored).engine.connect() as connection:
            counts = row_counts(connection)
        # Every table as backed up (the search change log too: rebuilding never deletes from it).
        assert counts == manifest["row_counts"]
        with restored.app_context():
            session = Database.state(restored).session()
            staff = session.scalars(select(User).where(User.mfa_secret.isnot(None))).all()
            assert staff and {user.mfa_secret for user in staff} == {demo.read_people().totp_secret}
            session.rollback()
        runner = restored.test_cli_runner()
        verified = runner.invoke(args=["audit", "verify"])
        assert verified.exit_code == 0 and "Audit chain intact" in verified.output
        in_step = runner.invoke(args=["search", "verify"])
        assert in_step.exit_code == 0, in_step.output
        page = restored.test_client().get("/services?q=befriending", base_url=HTTPS)
        assert page.status_code == 200
        assert 'class="nhsuk-heading-s portal-result__name"' in page.get_data(as_text=True)

        # A second restore onto the restored database is refused: restores go only into empty ones.
        again = runner.invoke(args=["restore", str(backup_path)])
        assert again.exit_code == 1 and "already has" in again.output and "Restore only into an empty" \
            in again.output
        dispose(restored)

        # Without the keys the data was encrypted under, the restore says so and fails.
        lost_keys = app_from_environ({**restored_environ, "DATABASE_URL": wrong_keys_url,
                                      "ENCRYPTION_KEYS": generate_key(),
                                      "SEARCH_INDEX_DIR": str(tmp_path / "index-wrong")})
        failed = lost_keys.test_cli_runner().invoke(args=["restore", str(backup_path)])
        assert failed.exit_code == 1
        assert "do not decrypt with the configured ENCRYPTION_KEYS" in failed.output
        assert manifest["key_fingerprints"][0] in failed.output
        dispose(lost_keys)


def test_something_that_is_not_a_backup_is_refused(tmp_path, database_url):
    not_a_backup = tmp_path / "notes.tar"
    not_a_backup.write_text("hello")
    app = app_from_environ(production_environ(database_url, tmp_path / "index"))
    result = app.test_cli_runner().invoke(args=["restore", str(not_a_backup)])
    dispose(app)
    assert result.exit_code == 1 and "is not a portal backup" in result.output
