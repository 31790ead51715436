"""Roles on every operation: each role gets 403 wherever the OpenAPI document says it is not admitted.

The operations and their roles come from the app itself (`x-roles`, read from the role gates), so a new
route is covered the moment it exists; the first test pins the staff-only list so the gates cannot
silently loosen.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from api.conftest import Api, error_of
from codesensei.api.app import create_app
from codesensei.settings import Settings

OPERATIONS: list[tuple[str, str, dict[str, Any]]] = [
    (method.upper(), path, operation)
    for path, methods in create_app(Settings()).openapi()["paths"].items()
    for method, operation in methods.items()
]
PRIVATE = [(m, p, o["x-roles"]) for m, p, o in OPERATIONS if "x-public" not in o]
STAFF_ONLY = {
    ("POST", "/api/users"), ("GET", "/api/users"), ("PATCH", "/api/users/{user_id}"),
    ("POST", "/api/users/{user_id}/password-reset"),
    ("POST", "/api/assessments/{assessment_id}/invitations"), ("GET", "/api/assessments/{assessment_id}/invitations"),
    ("GET", "/api/questions"), ("GET", "/api/questions/schema"), ("GET", "/api/questions/{question_id}"),
    ("POST", "/api/questions/import"),
    ("POST", "/api/assessments"), ("GET", "/api/assessments/{assessment_id}/definition"),
    ("POST", "/api/assessments/{assessment_id}/publish"),
    ("GET", "/api/attempts/{attempt_id}/assistant"),
    ("GET", "/api/reports/{attempt_id}"), ("GET", "/api/review/queue"),
    ("GET", "/api/review/attempts/{attempt_id}/history"), ("GET", "/api/review/attempts/{attempt_id}/items/{position}"),
    ("POST", "/api/review/attempts/{attempt_id}/items/{position}/grade"),
    ("POST", "/api/review/attempts/{attempt_id}/items/{position}/override"),
    ("GET", "/api/results/export"),
    ("POST", "/api/questions/validate"), ("POST", "/api/questions/{question_id}/archive"),
    ("POST", "/api/questions/{question_id}/unarchive"), ("POST", "/api/assessments/{assessment_id}/archive"),
    ("POST", "/api/assessments/{assessment_id}/unarchive"), ("GET", "/api/review/attempts"),
    ("POST", "/api/questions/verify"),
}
PUBLIC = {
    ("GET", "/api/health"), ("POST", "/api/auth/login"), ("POST", "/api/auth/refresh"), ("POST", "/api/auth/logout"),
    ("POST", "/api/auth/reset"), ("POST", "/api/invitations/claim"),
}


def concrete(path: str) -> str:
    return re.sub(r"\{position\}", "1", re.sub(r"\{\w+\}", "no-such-thing", path))


def request(api: Api, method: str, path: str, token: str | None) -> Any:
    body = {"json": {}} if method in ("POST", "PATCH") else {}
    return api.call(method, concrete(path), token, **body)


def test_the_document_classifies_every_operation() -> None:
    seen = {(m, p) for m, p, _ in OPERATIONS}
    assert seen >= STAFF_ONLY
    assert seen >= PUBLIC
    for method, path, roles in PRIVATE:
        assert "admin" in roles
        assert ("candidate" not in roles) == ((method, path) in STAFF_ONLY), (method, path, roles)
    assert {(m, p) for m, p, o in OPERATIONS if "x-public" in o} == PUBLIC


@pytest.fixture(scope="module")
def tokens(module_api: Api) -> dict[str, str]:
    return {role: module_api.user(role) for role in ("candidate", "author", "reviewer")} | {"admin": module_api.admin}


@pytest.mark.parametrize(("method", "path", "roles"), PRIVATE, ids=[f"{m} {p}" for m, p, _ in PRIVATE])
def test_each_role_is_refused_where_it_is_not_admitted(
    module_api: Api, tokens: dict[str, str], method: str, path: str, roles: list[str]
) -> None:
    anonymous = request(module_api, method, path, None)
    assert (anonymous.status_code, error_of(anonymous)["code"]) == (401, "unauthorized")
    for role, token in tokens.items():
        response = request(module_api, method, path, token)
        if role in roles:
            # Admitted: whatever the dummy request earns (404, 422, …), it is not a refusal for the role.
            assert response.status_code not in (401, 403), (role, response.text)
        else:
            assert response.status_code == 403, (role, response.text)
            assert error_of(response)["code"] == "forbidden"


def test_candidates_read_only_their_own_metrics(module_api: Api, tokens: dict[str, str]) -> None:
    me = module_api.ok("GET", "/api/auth/me", tokens["candidate"])
    own = module_api.ok("GET", "/api/metrics", tokens["candidate"])
    assert own == {"user": me["email"], "scopes": []}
    module_api.ok("GET", "/api/metrics", tokens["candidate"], params={"user": me["email"]})
    for role in ("candidate", "author"):
        other = module_api.call("GET", "/api/metrics", tokens[role], params={"user": "someone@example.com"})
        assert (other.status_code, error_of(other)["code"]) == (403, "forbidden")
    for role in ("reviewer", "admin"):
        module_api.ok("GET", "/api/metrics", tokens[role], params={"user": me["email"]})
