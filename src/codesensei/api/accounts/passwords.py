"""Passwords: argon2id hashes (argon2-cffi's RFC 9106 low-memory profile), a length policy, constant-time misses."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from codesensei.errors import ValidationFailed

MIN_LENGTH = 10
# Long enough for any passphrase or password manager; bounded so hashing cannot be used to burn CPU.
MAX_LENGTH = 256

_hasher = PasswordHasher()


def check_policy(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise ValidationFailed(f"password: at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise ValidationFailed(f"password: at most {MAX_LENGTH} characters")


def hash_password(password: str) -> str:
    check_policy(password)
    return _hasher.hash(password)


@cache
def _decoy_hash() -> str:
    return _hasher.hash("a password no account has")


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True if `password` matches; an account without a password still costs one hash, so timing tells nothing."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _hasher.verify(stored_hash or _decoy_hash(), password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's: rehash it at the next sign-in."""
    return _hasher.check_needs_rehash(stored_hash)
