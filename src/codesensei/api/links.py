"""Links handed out for claiming invitations and resetting passwords.

The token travels in the fragment (`#token=…`), which browsers never send to a server, so it stays out
of access logs and Referer headers; the web app reads it and POSTs it to the API.
"""

from __future__ import annotations

from fastapi import Request

from codesensei.settings import Settings


def link(request: Request, settings: Settings, path: str, token: str) -> str:
    base = settings.public_url or str(request.base_url)
    return f"{base.rstrip('/')}{path}#token={token}"
