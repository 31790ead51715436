"""Access tokens (short-lived HS256 JWTs) and the opaque one-time secrets behind refresh, invitation and reset links.

An access token carries `sub` (the user id), `role`, `sid` (the sign-in session it belongs to), `jti`,
`iat` and `exp`. It is checked on every request together with its session and account, so a logout or a
deactivation takes effect at once rather than when the token expires. The opaque secrets are 256-bit
random strings stored only as SHA-256 hashes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from codesensei.errors import Unauthorized
from codesensei.settings import Settings

ALGORITHM = "HS256"
ISSUER = "codesensei"
_REQUIRED_CLAIMS = ["exp", "iat", "sub", "role", "sid", "jti", "iss"]


@dataclass(frozen=True)
class AccessClaims:
    user_id: str
    role: str
    session_id: str
    token_id: str
    expires_at: datetime


def issue_access_token(
    settings: Settings, *, user_id: str, role: str, session_id: str, now: datetime, token_id: str | None = None
) -> tuple[str, datetime]:
    """A signed access token; the same arguments and `token_id` give the same token (a refresh retry needs it)."""
    expires = now + timedelta(seconds=settings.access_token_ttl_s)
    claims = {
        "iss": ISSUER,
        "sub": user_id,
        "role": role,
        "sid": session_id,
        "jti": token_id or uuid.uuid4().hex,
        "iat": int(now.timestamp()),
        "exp": int(expires.timestamp()),
    }
    return jwt.encode(claims, settings.secret_key, algorithm=ALGORITHM), expires


def read_access_token(settings: Settings, token: str) -> AccessClaims:
    """The verified claims; a bad signature, a wrong algorithm, a missing claim or expiry is `unauthorized`."""
    try:
        claims = jwt.decode(
            token, settings.secret_key, algorithms=[ALGORITHM], issuer=ISSUER, options={"require": _REQUIRED_CLAIMS}
        )
    except jwt.ExpiredSignatureError:
        raise Unauthorized("the access token has expired; refresh it or sign in again") from None
    except jwt.InvalidTokenError:
        raise Unauthorized("the access token is not valid") from None
    return AccessClaims(
        user_id=str(claims["sub"]),
        role=str(claims["role"]),
        session_id=str(claims["sid"]),
        token_id=str(claims["jti"]),
        expires_at=datetime.fromtimestamp(int(claims["exp"]), UTC),
    )


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def derived_secret(settings: Settings, purpose: str, secret: str) -> str:
    """A secret computed from another one and the server's key (HMAC-SHA256): unguessable without the key,
    and the same each time. A refresh token's successor is derived this way, so a retried refresh can be
    answered with the very pair the lost response carried."""
    digest = hmac.new(settings.secret_key.encode(), f"{purpose}\0{secret}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
