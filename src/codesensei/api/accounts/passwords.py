"""Passwords: argon2id hashes, a length policy, constant-time misses, and the pool the API hashes them in.

The parameters are OWASP's second argon2id configuration (m = 19 MiB, t = 2, p = 1; one of the equivalent
minimums in its Password Storage Cheat Sheet, within RFC 9106's recommendations): about 20-40 ms of one
core per hash. docs/decisions/0005-api-auth.md says why not argon2-cffi's default RFC 9106 low-memory
profile (64 MiB, t = 3, p = 4: about 200 ms of CPU, both cores of a small server). Hashes made with other
parameters still verify and are rehashed with these at the next sign-in.

Hashing is CPU-bound by design. The API runs it in `PasswordPool`, a small pool of its own threads
(argon2-cffi releases the GIL while hashing): a burst of sign-ins queues there instead of occupying the
threads that serve every other request, or the event loop.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from functools import cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from codesensei.errors import ValidationFailed

MIN_LENGTH = 10
# Long enough for any passphrase or password manager; bounded so hashing cannot be used to burn CPU.
MAX_LENGTH = 256

# OWASP Password Storage Cheat Sheet, argon2id, second configuration.
TIME_COST = 2
MEMORY_COST_KIB = 19 * 1024
PARALLELISM = 1

_hasher = PasswordHasher(
    time_cost=TIME_COST, memory_cost=MEMORY_COST_KIB, parallelism=PARALLELISM, hash_len=32, salt_len=16,
    type=Type.ID,
)


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
    """True when the hash was made with other parameters than today's: rehash it at the next sign-in."""
    try:
        return _hasher.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


class PasswordPool:
    """Hashing and verifying in `threads` threads of their own; callers on the event loop await the result."""

    def __init__(self, threads: int) -> None:
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="sensei-argon2")

    async def verify(self, stored_hash: str | None, password: str) -> bool:
        return await asyncio.get_running_loop().run_in_executor(self._executor, verify_password, stored_hash, password)

    async def hash(self, password: str) -> str:
        return await asyncio.get_running_loop().run_in_executor(self._executor, hash_password, password)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
