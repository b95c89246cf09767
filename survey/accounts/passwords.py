"""Password hashing (argon2id) and the password policy (ASVS 6.2)."""

from __future__ import annotations

from functools import cache
from importlib import resources

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l

MIN_LENGTH = 8
MAX_LENGTH = 128


@cache
def _hasher(profile: str) -> PasswordHasher:
    if profile == "cheapest":  # tests only: about 1 ms a hash
        return PasswordHasher.from_parameters(profiles.CHEAPEST)
    return PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY)


def hasher() -> PasswordHasher:
    return _hasher(current_app.config["PASSWORD_HASH_PROFILE"])


# Verified against when the user name is unknown, so both paths cost one verification.
_DUMMY_PASSWORD = "not a real password, only spends the same time"  # noqa: S105


@cache
def _dummy_hash(profile: str) -> str:
    return _hasher(profile).hash(_DUMMY_PASSWORD)


def dummy_hash() -> str:
    """A hash no password matches, made once per process with the current parameters."""
    return _dummy_hash(current_app.config["PASSWORD_HASH_PROFILE"])


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return hasher().check_needs_rehash(password_hash)


@cache
def common_passwords() -> frozenset[str]:
    text = resources.files("survey.accounts").joinpath("common_passwords.txt").read_text("utf-8")
    lines = (line.strip().lower() for line in text.splitlines())
    return frozenset(line for line in lines if line and not line.startswith("#"))


def password_problem(password: str, username: str = "") -> str | None:
    """Why ``password`` is not acceptable, or None. No composition rules (ASVS 6.2.5)."""
    if len(password) < MIN_LENGTH:
        return str(_l("The password must be at least %(n)d characters long.", n=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        return str(_l("The password must be at most %(n)d characters long.", n=MAX_LENGTH))
    if password.lower() in common_passwords():
        return str(_l("This password is too common. Choose another one."))
    if username and password.lower() == username.lower():
        return str(_l("The password must not be the same as the user name."))
    return None
