from argon2 import PasswordHasher

from portal.accounts.passwords import hash_password, verify_password


def test_hash_is_argon2id_with_at_least_default_cost():
    hashed = hash_password("a long enough password")
    assert hashed.startswith("$argon2id$")
    defaults = PasswordHasher()
    assert f"m={defaults.memory_cost},t={defaults.time_cost}" in hashed


def test_right_password_verifies_and_wrong_one_does_not():
    hashed = hash_password("a long enough password")
    assert verify_password(hashed, "a long enough password") is True
    assert verify_password(hashed, "a long enough passworD") is False


def test_missing_hash_never_verifies():
    assert verify_password(None, "not-a-real-password-used-to-equalise-timing") is False


def test_corrupt_hash_does_not_raise():
    assert verify_password("not a hash", "anything") is False
