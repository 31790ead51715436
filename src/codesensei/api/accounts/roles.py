"""The four roles. An administrator may do everything; the others may do what their name says."""

from __future__ import annotations

from typing import Literal

Role = Literal["candidate", "author", "reviewer", "admin"]
ROLES: tuple[Role, ...] = ("candidate", "author", "reviewer", "admin")
# Staff see every assessment and take any published one; candidates see what they are invited to.
STAFF: frozenset[str] = frozenset({"author", "reviewer", "admin"})


def is_staff(role: str) -> bool:
    return role in STAFF
