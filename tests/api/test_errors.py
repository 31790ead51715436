"""Every failure has the same body; oversized bodies are refused with 413; CORS is off unless configured."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.conftest import Api, error_of, make_settings, serving

LIMIT = 4096


@pytest.fixture
def small(database_url: str, tmp_path: Path) -> Iterator[Api]:
    settings = make_settings(database_url, tmp_path, max_body_bytes=LIMIT, cors_origins="https://app.example.com")
    with serving(settings) as running:
        yield running


def test_errors_share_one_shape(module_api: Api) -> None:
    api = module_api
    author = api.user("author")
    cases = [
        (api.call("GET", "/api/nowhere"), 404, "not_found"),
        (api.call("DELETE", "/api/auth/login"), 405, "method_not_allowed"),
        (api.call("GET", "/api/auth/me"), 401, "unauthorized"),
        (api.call("GET", "/api/users", author), 403, "forbidden"),
        (api.call("GET", "/api/questions/no-such-question", author), 404, "not_found"),
        (api.call("POST", "/api/auth/login", content=b"{not json", headers={"Content-Type": "application/json"}),
         422, "validation_failed"),
        (api.call("POST", "/api/assessments", author, json={"id": "x", "title": "X", "mode": "fixed"}),
         422, "validation_failed"),
        (api.call("POST", "/api/questions/import", author, content="questions: [{id: broken, type: mcq}]"),
         422, "bank_file_invalid"),
        (api.call("GET", "/api/questions", author, params={"limit": 0}), 422, "validation_failed"),
    ]
    for response, status, code in cases:
        assert response.status_code == status, response.text
        assert error_of(response)["code"] == code
        assert response.headers["content-type"] == "application/json"

    invalid = error_of(cases[6][0])
    assert "questions: a fixed assessment lists at least one question id" in invalid["message"]
    assert invalid["details"][0]["loc"] == ["body"]
    limit = error_of(cases[8][0])
    assert limit["details"] == [{"loc": ["query", "limit"], "message": "Input should be greater than or equal to 1"}]
    assert "question 'broken'" in error_of(cases[7][0])["message"]


def test_bodies_over_the_limit_are_refused_with_413(small: Api) -> None:
    api = small
    big = b'{"email": "' + b"a" * LIMIT + b'", "password": "x"}'
    declared = api.call("POST", "/api/auth/login", content=big, headers={"Content-Type": "application/json"})
    assert declared.status_code == 413
    assert error_of(declared) == {
        "code": "payload_too_large", "message": f"the request body is larger than {LIMIT} bytes"
    }

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit is found while reading
        for _ in range(8):
            yield b" " * 1024

    with httpx.Client(base_url=api.base_url, timeout=30) as fresh:
        streamed = fresh.post("/api/auth/login", content=chunks(), headers={"Content-Type": "application/json"})
    assert streamed.status_code == 413
    assert error_of(streamed)["code"] == "payload_too_large"
    # Under the limit the same endpoint answers normally, over a fresh connection.
    fine = api.call("POST", "/api/auth/login", json={"email": "a@example.com", "password": "x" * 12})
    assert fine.status_code == 401


def test_cors_allows_only_the_configured_origins(small: Api, module_api: Api) -> None:
    preflight = {"Origin": "https://app.example.com", "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "authorization, content-type"}
    allowed = small.call("OPTIONS", "/api/auth/login", headers=preflight)
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://app.example.com"
    other = small.call("OPTIONS", "/api/auth/login", headers={**preflight, "Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    too_big = small.call("POST", "/api/auth/login", content=b"x" * (LIMIT + 1),
                         headers={"Origin": "https://app.example.com", "Content-Type": "application/json"})
    assert too_big.status_code == 413
    assert too_big.headers["access-control-allow-origin"] == "https://app.example.com"
    default = module_api.call("GET", "/api/health", headers={"Origin": "https://app.example.com"})
    assert "access-control-allow-origin" not in default.headers
