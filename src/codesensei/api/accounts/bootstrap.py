"""The first administrator: created on the first start with a random one-time password, printed once.

There is never a default password. The marker in the meta table makes "first" mean first: a later start
does not mint a new administrator even if the first one was deactivated.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from codesensei.api.accounts.users import new_user, normalise_email
from codesensei.errors import ConfigurationError
from codesensei.settings import Settings
from codesensei.store.accounts import AccountRepository
from codesensei.store.meta import MetaRepository

ADMIN_MARKER = "admin_account_created"


@dataclass(frozen=True)
class FirstAdmin:
    email: str
    password: str


def ensure_admin(session: Session, settings: Settings, now: datetime) -> FirstAdmin | None:
    """Create the first administrator unless one was created before; returns its password exactly once."""
    meta = MetaRepository(session)
    if meta.get(ADMIN_MARKER) is not None:
        return None
    accounts = AccountRepository(session)
    meta.put(ADMIN_MARKER, now.isoformat())
    if accounts.count_users(role="admin"):
        return None
    email = normalise_email(settings.admin_email)
    password = secrets.token_urlsafe(18)
    if accounts.user_by_email(email) is not None:
        # Promoting an existing account silently would hand someone administrator rights.
        raise ConfigurationError(
            f"SENSEI_ADMIN_EMAIL={email} already belongs to an account that is not an administrator; "
            "set it to another address"
        )
    accounts.add_user(new_user(email, "Administrator", "admin", password, now))
    return FirstAdmin(email, password)
