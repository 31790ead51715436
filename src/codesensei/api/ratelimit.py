"""Rate limits: a token bucket per (action, caller), kept in this process.

Each action has a rate per minute (`SENSEI_RATE_*_PER_MINUTE`, 0 = unlimited) and a bucket as large as
one minute's allowance: a caller may spend the whole minute at once, then gets one request per
1/rate minutes. Running and submitting code and the assistant are limited per user (they cost sandbox
time and model tokens); signing in, refreshing and claiming or resetting with a link are limited per
client address (they are what password guessing and token guessing would hammer). A refused call is 429
`rate_limited` with `Retry-After`, or an `error` event with `retry_after_s` on a WebSocket.

The buckets live in one process: with several API processes each enforces its own share. A shared store
(Redis) can take the same interface when that matters.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Annotated, Literal

from fastapi import Depends, Request

from codesensei.api.accounts.signin import CurrentUser
from codesensei.api.deps import current_user
from codesensei.api.errors import RateLimited
from codesensei.settings import Settings

Action = Literal["run", "submit", "assistant", "login"]
# Full buckets are dropped past this many, so idle callers cost no memory.
_PRUNE_AT = 10_000


class RateLimiter:
    def __init__(self, per_minute: dict[Action, float], clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._buckets: dict[tuple[Action, str], tuple[float, float]] = {}  # (tokens, at)
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> RateLimiter:
        return cls({
            "run": settings.rate_run_per_minute,
            "submit": settings.rate_submit_per_minute,
            "assistant": settings.rate_assistant_per_minute,
            "login": settings.rate_login_per_minute,
        })

    def check(self, action: Action, key: str) -> None:
        """Spend one token of `key`'s bucket for `action`, or raise `RateLimited`."""
        rate = self.per_minute.get(action, 0.0)
        if rate <= 0:
            return
        per_s, capacity = rate / 60.0, max(1.0, rate)
        now = self.clock()
        with self._lock:
            tokens, at = self._buckets.get((action, key), (capacity, now))
            tokens = min(capacity, tokens + (now - at) * per_s)
            if tokens < 1.0:
                self._buckets[(action, key)] = (tokens, now)
                wait = (1.0 - tokens) / per_s
                raise RateLimited(f"too many {action} requests; try again in {math.ceil(wait)} s", wait)
            self._buckets[(action, key)] = (tokens - 1.0, now)
            if len(self._buckets) > _PRUNE_AT:
                self._prune(now)

    def _prune(self, now: float) -> None:
        for (action, key), (tokens, at) in list(self._buckets.items()):
            rate = self.per_minute.get(action, 0.0)
            if rate <= 0 or tokens + (now - at) * rate / 60.0 >= max(1.0, rate):
                del self._buckets[(action, key)]


def _limiter(request: Request) -> RateLimiter:
    limiter = request.app.state.rate_limiter
    assert isinstance(limiter, RateLimiter)
    return limiter


class PerUser:
    """A dependency: one token of the signed-in user's bucket for `action`."""

    def __init__(self, action: Action) -> None:
        self.action: Action = action

    async def __call__(self, request: Request, user: Annotated[CurrentUser, Depends(current_user)]) -> None:
        _limiter(request).check(self.action, user.id)


async def per_address(request: Request) -> None:
    """A dependency: one token of the client address's `login` bucket (async: it is cheap, no thread needed)."""
    address = request.client.host if request.client else "unknown"
    _limiter(request).check("login", address)


SubmitLimit = Depends(PerUser("submit"))
AssistantLimit = Depends(PerUser("assistant"))
LoginLimit = Depends(per_address)
