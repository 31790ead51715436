"""Signing in over HTTP: login, refresh rotation and reuse detection, logout, expiry, resets, bad tokens."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import jwt
import pytest

from api.conftest import STRONG, Api, error_of, make_settings, serving


def refresh(api: Api, token: str) -> tuple[int, dict]:
    response = api.call("POST", "/api/auth/refresh", json={"refresh_token": token})
    return response.status_code, response.json()


def test_login_me_and_wrong_credentials_look_the_same(api: Api) -> None:
    api.user("candidate", "ann@example.com")
    tokens = api.login("ANN@example.com ")  # addresses are compared trimmed and lower-cased
    assert tokens["token_type"] == "bearer"
    assert 0 < tokens["expires_in"] <= 15 * 60
    me = api.ok("GET", "/api/auth/me", tokens["access_token"])
    assert (me["email"], me["role"], me["has_password"]) == ("ann@example.com", "candidate", True)
    claims = jwt.decode(tokens["access_token"], api.settings.secret_key, algorithms=["HS256"])
    assert {"sub", "role", "jti", "exp", "sid", "iat"} <= set(claims)
    assert (claims["sub"], claims["role"]) == (me["id"], "candidate")

    wrong_password = api.call("POST", "/api/auth/login", json={"email": "ann@example.com", "password": "x" * 12})
    no_account = api.call("POST", "/api/auth/login", json={"email": "bob@example.com", "password": STRONG})
    for response in (wrong_password, no_account):
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
        assert error_of(response) == {"code": "unauthorized", "message": "the email or the password is wrong"}


@pytest.fixture
def no_grace(database_url: str, tmp_path: Path) -> Iterator[Api]:
    """A server without the refresh retry window: every second use of a refresh token is a reuse."""
    with serving(make_settings(database_url, tmp_path, refresh_grace_s=0)) as running:
        yield running


def test_refresh_rotates_and_a_reused_token_ends_the_whole_session(no_grace: Api) -> None:
    api = no_grace
    api.user("candidate", "ann@example.com")
    first = api.login("ann@example.com")
    status, second = refresh(api, first["refresh_token"])
    assert status == 200
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    api.ok("GET", "/api/auth/me", second["access_token"])

    # The first refresh token was used up: presenting it again means someone else holds a copy.
    status, body = refresh(api, first["refresh_token"])
    assert (status, body["error"]["code"]) == (401, "unauthorized")
    assert "already used" in body["error"]["message"]
    # ... so the whole session ended: the rotated refresh token and every access token of it are dead.
    status, _ = refresh(api, second["refresh_token"])
    assert status == 401
    for access in (first["access_token"], second["access_token"]):
        response = api.call("GET", "/api/auth/me", access)
        assert (response.status_code, error_of(response)["code"]) == (401, "unauthorized")

    # Other sign-ins of the same account are untouched, and signing in again works.
    other = api.login("ann@example.com")
    assert refresh(api, other["refresh_token"])[0] == 200


def test_logout_ends_the_session_at_once(api: Api) -> None:
    api.user("author", "ann@example.com")
    kept = api.login("ann@example.com")
    ended = api.login("ann@example.com")
    assert api.call("POST", "/api/auth/logout", json={"refresh_token": ended["refresh_token"]}).status_code == 204
    assert api.call("GET", "/api/auth/me", ended["access_token"]).status_code == 401
    assert refresh(api, ended["refresh_token"])[0] == 401
    assert api.call("POST", "/api/auth/logout", json={"refresh_token": ended["refresh_token"]}).status_code == 204
    api.ok("GET", "/api/auth/me", kept["access_token"])
    unknown = api.call("POST", "/api/auth/logout", json={"refresh_token": "not-a-token"})
    assert (unknown.status_code, error_of(unknown)["code"]) == (401, "unauthorized")


@pytest.fixture
def short_lived(database_url: str, tmp_path: Path) -> Iterator[Api]:
    with serving(make_settings(database_url, tmp_path, access_token_ttl_s=4)) as running:
        yield running


def test_an_expired_access_token_is_refused_and_refresh_gets_a_new_one(short_lived: Api) -> None:
    api = short_lived
    tokens = api.login(api.admin_email, api.admin_password)
    assert tokens["expires_in"] <= 4
    api.ok("GET", "/api/auth/me", tokens["access_token"])
    time.sleep(max(0.0, (datetime.fromisoformat(tokens["expires_at"]) - datetime.now(UTC)).total_seconds()) + 0.5)
    expired = api.call("GET", "/api/auth/me", tokens["access_token"])
    assert expired.status_code == 401
    assert error_of(expired)["code"] == "unauthorized"
    assert error_of(expired)["message"] == "the access token has expired; refresh it or sign in again"
    status, fresh = refresh(api, tokens["refresh_token"])
    assert status == 200
    api.ok("GET", "/api/auth/me", fresh["access_token"])


def _forged(claims: dict, header: dict) -> str:
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part(header)}.{part(claims)}."


def test_malformed_forged_and_unsigned_tokens_are_refused(api: Api) -> None:
    tokens = api.login(api.admin_email, api.admin_password)
    claims = jwt.decode(tokens["access_token"], api.settings.secret_key, algorithms=["HS256"])
    attempts = [
        "garbage",
        jwt.encode(claims, "another-secret-key-of-enough-length-1234", algorithm="HS256"),
        _forged(claims, {"alg": "none", "typ": "JWT"}),
        jwt.encode({k: v for k, v in claims.items() if k != "sid"}, api.settings.secret_key, algorithm="HS256"),
        jwt.encode({**claims, "sid": "0" * 32}, api.settings.secret_key, algorithm="HS256"),
    ]
    for token in attempts:
        response = api.call("GET", "/api/auth/me", token)
        assert (response.status_code, error_of(response)["code"]) == (401, "unauthorized"), token
    basic = api.call("GET", "/api/auth/me", headers={"Authorization": "Basic YTpi"})
    assert basic.status_code == 401
    missing = api.call("GET", "/api/auth/me")
    assert (missing.status_code, error_of(missing)["code"]) == (401, "unauthorized")


def test_password_reset_link_works_once_and_ends_every_session(api: Api) -> None:
    api.user("reviewer", "rita@example.com")
    before = api.login("rita@example.com")
    users = api.ok("GET", "/api/users", api.admin, params={"role": "reviewer"})
    (rita,) = [u for u in users["users"] if u["email"] == "rita@example.com"]
    link = api.ok("POST", f"/api/users/{rita['id']}/password-reset", api.admin, status=201)
    assert link["link"].startswith(api.base_url)
    assert link["link"].endswith(f"#token={link['token']}")

    new_password = "a brand new passphrase"
    reset = api.call("POST", "/api/auth/reset", json={"token": link["token"], "new_password": new_password})
    assert reset.status_code == 204
    again = api.call("POST", "/api/auth/reset", json={"token": link["token"], "new_password": "yet another one!"})
    assert (again.status_code, error_of(again)["code"]) == (401, "unauthorized")
    assert api.call("GET", "/api/auth/me", before["access_token"]).status_code == 401
    old_password = api.call("POST", "/api/auth/login", json={"email": "rita@example.com", "password": STRONG})
    assert old_password.status_code == 401
    api.login("rita@example.com", new_password)

    short = api.call("POST", "/api/auth/reset", json={"token": "whatever", "new_password": "short"})
    assert (short.status_code, error_of(short)["code"]) == (422, "validation_failed")


def test_changing_ones_password_and_deactivation(api: Api) -> None:
    token = api.user("author", "al@example.com")
    other = api.login("al@example.com")["access_token"]
    wrong = api.call("POST", "/api/auth/password", token, json={"current_password": "nope", "new_password": "x" * 12})
    assert wrong.status_code == 401
    assert api.call("POST", "/api/auth/password", token,
                    json={"current_password": STRONG, "new_password": "x" * 12}).status_code == 204
    api.ok("GET", "/api/auth/me", token)  # this session stays
    assert api.call("GET", "/api/auth/me", other).status_code == 401  # the others end
    api.login("al@example.com", "x" * 12)

    me = api.ok("GET", "/api/auth/me", token)
    api.ok("PATCH", f"/api/users/{me['id']}", api.admin, json={"active": False})
    assert api.call("GET", "/api/auth/me", token).status_code == 401
    inactive = api.call("POST", "/api/auth/login", json={"email": "al@example.com", "password": "x" * 12})
    assert inactive.status_code == 401


def test_the_last_administrator_cannot_be_demoted_and_emails_are_unique(api: Api) -> None:
    me = api.ok("GET", "/api/auth/me", api.admin)
    refused = api.call("PATCH", f"/api/users/{me['id']}", api.admin, json={"role": "author"})
    assert (refused.status_code, error_of(refused)["code"]) == (409, "conflict")
    api.user("author", "al@example.com")
    duplicate = api.call("POST", "/api/users", api.admin,
                         json={"email": "AL@example.com", "role": "candidate", "password": STRONG})
    assert (duplicate.status_code, error_of(duplicate)["code"]) == (409, "conflict")
    weak = api.call("POST", "/api/users", api.admin, json={"email": "x@example.com", "password": "short"})
    assert (weak.status_code, error_of(weak)["code"]) == (422, "validation_failed")


def test_a_refresh_retried_within_the_grace_window_gets_the_same_pair(api: Api) -> None:
    api.user("candidate", "ann@example.com")
    first = api.login("ann@example.com")
    status, second = refresh(api, first["refresh_token"])
    assert status == 200
    # The response was lost: the client retries with the same token and gets the very same pair.
    status, again = refresh(api, first["refresh_token"])
    assert status == 200
    assert (again["access_token"], again["refresh_token"]) == (second["access_token"], second["refresh_token"])
    assert again["refresh_expires_at"] == second["refresh_expires_at"]
    api.ok("GET", "/api/auth/me", again["access_token"])
    # The pair works as usual, once: its refresh token rotates on.
    status, third = refresh(api, second["refresh_token"])
    assert status == 200
    assert third["refresh_token"] not in (first["refresh_token"], second["refresh_token"])
    # Now that the retried pair was used, the first token coming back is a reuse: the session ends.
    status, body = refresh(api, first["refresh_token"])
    assert status == 401
    assert "already used" in body["error"]["message"]
    assert api.call("GET", "/api/auth/me", third["access_token"]).status_code == 401


def test_a_refresh_retried_after_the_grace_window_ends_the_session(database_url: str, tmp_path: Path) -> None:
    with serving(make_settings(database_url, tmp_path, refresh_grace_s=1)) as api:
        api.user("candidate", "ann@example.com")
        first = api.login("ann@example.com")
        status, second = refresh(api, first["refresh_token"])
        assert status == 200
        time.sleep(1.5)
        status, body = refresh(api, first["refresh_token"])
        assert status == 401
        assert "already used" in body["error"]["message"]
        assert api.call("GET", "/api/auth/me", second["access_token"]).status_code == 401
