"""Field-level encryption: what reaches the database, configuration, and key rotation."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import text

from portal import create_app
from portal.config import ConfigError, read_settings
from portal.crypto import (
    EncryptionKeyError,
    KeyRing,
    derive_development_key,
    encrypted_columns,
    keyring,
)
from portal.db import Database
from portal.profile.models import PersonalDetails
from tests.conftest import app_overrides
from tests.helpers.factories import make_user

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


@pytest.fixture
def app_with_keys(_app, _connection, tmp_path):
    """Another instance of the portal (a restart with other ENCRYPTION_KEYS) on the same
    database transaction as the test."""
    made = []

    def make(*keys: str):
        other = create_app(app_overrides(_app.config["DATABASE_URL"], tmp_path / f"i{len(made)}",
                                         ENCRYPTION_KEYS=",".join(keys)))
        with other.app_context():
            Database.state(other).session.configure(bind=_connection,
                                                    join_transaction_mode="create_savepoint")
        made.append(other)
        return other

    yield make
    for other in made:
        Database.state(other).engine.dispose()


def _raw(session, column: str, row_id: int) -> str:
    return session.execute(text(f"SELECT {column} FROM personal_details WHERE id = :id"),
                           {"id": row_id}).scalar_one()


def _details(session, app, **values) -> PersonalDetails:
    person = make_user(session)
    with app.app_context():
        details = PersonalDetails(user_id=person.id, **values)
        session.add(details)
        session.flush()
    return details


def test_encrypted_text_stores_only_ciphertext_and_reads_back_the_value(app, session):
    details = _details(session, app, town="Kingsbridge", phone="01548 000000")
    raw = _raw(session, "town", details.id)
    assert "Kingsbridge" not in raw and raw.startswith("gAAAAA")
    session.expire_all()
    with app.app_context():
        assert session.get(PersonalDetails, details.id).town == "Kingsbridge"


def test_encrypting_the_same_value_twice_gives_different_ciphertext(app, session):
    first = _details(session, app, town="Totnes")
    second = _details(session, app, town="Totnes")
    assert _raw(session, "town", first.id) != _raw(session, "town", second.id)


def test_missing_encryption_keys_in_production_stop_start_up():
    with pytest.raises(ConfigError, match="ENCRYPTION_KEYS is not set"):
        read_settings({"PORTAL_ENV": "production", "SECRET_KEY": "s3cret"})


def test_a_malformed_encryption_key_stops_start_up():
    with pytest.raises(ConfigError, match="Fernet key"):
        read_settings({"PORTAL_ENV": "production", "SECRET_KEY": "s", "ENCRYPTION_KEYS": "nope"})


def test_development_derives_a_fixed_key_from_the_secret_key():
    first = read_settings({"PORTAL_ENV": "development", "SECRET_KEY": "abc"})
    second = read_settings({"PORTAL_ENV": "development", "SECRET_KEY": "abc"})
    assert first.encryption_keys == second.encryption_keys == (derive_development_key("abc"),)


def test_encryption_keys_are_read_newest_first():
    settings = read_settings({"PORTAL_ENV": "production", "SECRET_KEY": "s",
                              "ENCRYPTION_KEYS": f" {NEW_KEY}, {OLD_KEY} ",
                              "PORTAL_BASE_URL": "https://portal.example.nhs.uk"})
    assert settings.encryption_keys == (NEW_KEY, OLD_KEY)


def test_a_key_ring_needs_at_least_one_key():
    with pytest.raises(EncryptionKeyError):
        KeyRing(())


def test_each_app_has_its_own_key_ring(app, app_with_keys):
    other = app_with_keys(NEW_KEY)
    assert keyring(other).keys == (NEW_KEY,)
    assert keyring(app).keys != (NEW_KEY,)


def test_every_personal_detail_is_an_encrypted_column():
    found = {(table.name, column.name) for table, column in encrypted_columns()}
    assert {("personal_details", name) for name in (
        "nhs_number", "date_of_birth", "phone", "address_line_1", "address_line_2", "town",
        "postcode")} <= found


def test_data_under_an_old_key_still_reads_after_a_new_key_is_added(session, app_with_keys):
    old = app_with_keys(OLD_KEY)
    details = _details(session, old, town="Dartmouth")
    both = app_with_keys(NEW_KEY, OLD_KEY)
    session.expire_all()
    with both.app_context():
        assert session.get(PersonalDetails, details.id).town == "Dartmouth"


def test_keys_rotate_re_encrypts_under_the_newest_key(session, app_with_keys):
    old = app_with_keys(OLD_KEY)
    details = _details(session, old, town="Salcombe", nhs_number="9434765919")
    before = _raw(session, "town", details.id)
    assert Fernet(OLD_KEY).decrypt(before.encode()) == b"Salcombe"

    both = app_with_keys(NEW_KEY, OLD_KEY)
    result = both.test_cli_runner().invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output
    assert "personal_details.town: 1 re-encrypted, 0 already current" in result.output

    after = _raw(session, "town", details.id)
    assert after != before
    assert Fernet(NEW_KEY).decrypt(after.encode()) == b"Salcombe"
    with pytest.raises(InvalidToken):
        Fernet(OLD_KEY).decrypt(after.encode())
    new_only = app_with_keys(NEW_KEY)
    session.expire_all()
    with new_only.app_context():
        assert session.get(PersonalDetails, details.id).nhs_number == "9434765919"


def test_keys_rotate_twice_leaves_current_values_alone(session, app_with_keys):
    both = app_with_keys(NEW_KEY, OLD_KEY)
    details = _details(session, app_with_keys(OLD_KEY), town="Ivybridge")
    runner = both.test_cli_runner()
    assert runner.invoke(args=["keys", "rotate"]).exit_code == 0
    rotated = _raw(session, "town", details.id)
    second = runner.invoke(args=["keys", "rotate"])
    assert "personal_details.town: 0 re-encrypted, 1 already current" in second.output
    assert _raw(session, "town", details.id) == rotated


def test_keys_rotate_reports_values_no_key_can_read(session, app_with_keys):
    details = _details(session, app_with_keys(OLD_KEY), town="Modbury")
    result = app_with_keys(NEW_KEY).test_cli_runner().invoke(args=["keys", "rotate"])
    assert result.exit_code == 1
    assert "personal_details.town: 0 re-encrypted, 0 already current, 0 changed meanwhile, " \
           "1 unreadable" in result.output
    assert Fernet(OLD_KEY).decrypt(_raw(session, "town", details.id).encode()) == b"Modbury"


def test_keys_generate_prints_a_usable_key(app):
    result = app.test_cli_runner().invoke(args=["keys", "generate"])
    assert result.exit_code == 0
    Fernet(result.output.strip())
