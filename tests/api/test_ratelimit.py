"""Rate limits: the token bucket itself, and 429s with `Retry-After` over HTTP and errors on the WebSocket."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from websockets.sync.client import connect

from api.conftest import STRONG, Api, error_of, make_settings, serving
from codesensei.api.errors import RateLimited
from codesensei.api.ratelimit import RateLimiter


def test_a_bucket_holds_a_minute_of_requests_and_refills_evenly() -> None:
    now = [0.0]
    limiter = RateLimiter({"submit": 6, "run": 0}, clock=lambda: now[0])
    for _ in range(6):
        limiter.check("submit", "ann")
    with pytest.raises(RateLimited) as refused:
        limiter.check("submit", "ann")
    assert refused.value.retry_after_s == pytest.approx(10.0)
    error = refused.value
    assert (error.retry_after_header, error.http_status, error.code) == ("10", 429, "rate_limited")
    limiter.check("submit", "bob")  # every caller has a bucket of their own
    for _ in range(100):
        limiter.check("run", "ann")  # 0: unlimited
    limiter.check("login", "ann")  # an action without a rate is not limited
    now[0] = 9.0
    with pytest.raises(RateLimited) as still:
        limiter.check("submit", "ann")
    assert still.value.retry_after_header == "1"  # 0.99 s, rounded up
    now[0] = 10.0
    limiter.check("submit", "ann")
    now[0] = 1000.0
    for _ in range(6):
        limiter.check("submit", "ann")  # refilled, but never past one minute's allowance
    with pytest.raises(RateLimited):
        limiter.check("submit", "ann")


def test_full_buckets_are_pruned() -> None:
    now = [0.0]
    limiter = RateLimiter({"login": 60}, clock=lambda: now[0])
    for n in range(10_001):
        limiter.check("login", f"10.0.{n // 256}.{n % 256}")
    now[0] = 120.0
    limiter.check("login", "10.9.9.9")
    assert len(limiter._buckets) == 1


@pytest.fixture
def limited(database_url: str, tmp_path: Path) -> Iterator[Api]:
    settings = make_settings(
        database_url, tmp_path, rate_login_per_minute=5, rate_submit_per_minute=2, rate_assistant_per_minute=1,
        rate_run_per_minute=1,
    )
    with serving(settings) as running:
        yield running


def test_limits_answer_429_with_retry_after_per_user_and_per_address(limited: Api) -> None:
    api = limited
    author = api.user("author")  # the administrator's and the author's sign-ins: 2 of 5
    api.ok("POST", "/api/assessments", author, status=201, json={
        "id": "open", "title": "Open", "questions": ["py-mutable-default", "py-is-vs-equals"], "access": "public",
        "assistant": {"mode": "full"},
    })
    api.ok("POST", "/api/assessments/open/publish", author)
    ann, bob = api.user("candidate"), api.user("candidate")  # 4 of 5
    attempts = {t: api.ok("POST", "/api/assessments/open/attempts", t, status=201)["attempt_id"] for t in (ann, bob)}

    wrong = api.call("POST", "/api/auth/login", json={"email": "nobody@example.com", "password": STRONG})
    assert wrong.status_code == 401  # the fifth sign-in of this address
    for path, body in [
        ("/api/auth/login", {"email": "nobody@example.com", "password": STRONG}),
        ("/api/auth/refresh", {"refresh_token": "x" * 43}),
        ("/api/invitations/claim", {"token": "x" * 43}),
    ]:
        refused = api.call("POST", path, json=body)
        assert refused.status_code == 429, (path, refused.text)
        assert error_of(refused)["code"] == "rate_limited"
        assert 1 <= int(refused.headers["Retry-After"]) <= 12

    base = f"/api/attempts/{attempts[ann]}"
    api.ok("POST", f"{base}/answer", ann, json={"answer": "B"})
    api.ok("POST", f"{base}/answer", ann, json={"answer": False})
    third = api.call("POST", f"{base}/answer", ann, json={"answer": "B"})
    assert (third.status_code, error_of(third)["code"]) == (429, "rate_limited")
    assert int(third.headers["Retry-After"]) == 30
    # Bob has a bucket of his own.
    api.ok("POST", f"/api/attempts/{attempts[bob]}/answer", bob, json={"answer": "B"})
    api.ok("POST", f"/api/attempts/{attempts[bob]}/assistant", bob, json={"kind": "chat", "message": "hello"})
    again = api.call("POST", f"/api/attempts/{attempts[bob]}/assistant", bob, json={"kind": "chat", "message": "hi"})
    assert (again.status_code, int(again.headers["Retry-After"])) == (429, 60)

    # The WebSocket shares the buckets: a second run within the minute is refused with an error event.
    url = api.base_url.replace("http://", "ws://") + f"/ws/attempts/{attempts[bob]}"
    with connect(url) as socket:
        socket.send(json.dumps({"type": "auth", "token": bob}))
        assert json.loads(socket.recv(timeout=30))["type"] == "ready"
        run = {"type": "run", "language": "python", "source": "print(1)"}
        socket.send(json.dumps(run))
        events = [json.loads(socket.recv(timeout=30)) for _ in range(2)]
        # The current question is not code: the job is accepted, then refused, and it counted.
        assert [(e["type"], e.get("code")) for e in events] == [("accepted", None), ("error", "action_not_allowed")]
        socket.send(json.dumps(run))
        limited_event = json.loads(socket.recv(timeout=30))
        assert (limited_event["type"], limited_event["code"]) == ("error", "rate_limited")
        assert limited_event["retry_after_s"] == pytest.approx(60, abs=1)
        assert "job" not in limited_event
