"""Invitations: one-time claim links, what a claim may sign in to, and who then sees the assessment."""

from __future__ import annotations

import csv
import io
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from api.conftest import STRONG, Api, error_of

QUIZ = {"id": "quiz", "title": "Quiz", "questions": ["py-mutable-default", "py-is-vs-equals"]}


def publish(api: Api, author: str, **fields: Any) -> str:
    definition = {**QUIZ, **fields}
    api.ok("POST", "/api/assessments", author, status=201, json=definition)
    api.ok("POST", f"/api/assessments/{definition['id']}/publish", author)
    return str(definition["id"])


def invite(api: Api, author: str, *emails: str, assessment: str = "quiz", **extra: Any) -> list[dict[str, Any]]:
    body = {"emails": list(emails), **extra}
    result: list[dict[str, Any]] = api.ok(
        "POST", f"/api/assessments/{assessment}/invitations", author, status=201, json=body
    )["invitations"]
    return result


def claim(api: Api, token: str, password: str | None = STRONG) -> Any:
    return api.call("POST", "/api/invitations/claim", json={"token": token, "password": password, "name": "Cy"})


def test_an_invitation_is_claimed_once_then_the_candidate_signs_in(api: Api) -> None:
    author = api.user("author")
    publish(api, author)
    (link,) = invite(api, author, "cy@example.com", "CY@example.com ")  # the same address twice: one invitation
    assert link["status"] == "pending"
    assert link["link"].endswith(f"/claim#token={link['token']}")

    first = claim(api, link["token"])
    assert first.status_code == 200, first.text
    assert (first.json()["user"]["email"], first.json()["user"]["role"]) == ("cy@example.com", "candidate")
    second = claim(api, link["token"])
    assert (second.status_code, error_of(second)["code"]) == (409, "invitation_claimed")

    token = api.login("cy@example.com")["access_token"]
    assert [a["id"] for a in api.ok("GET", "/api/assessments", token)["assessments"]] == ["quiz"]
    started = api.ok("POST", "/api/assessments/quiz/attempts", token, status=201)
    # Signing in again later resumes the same attempt.
    again = api.login("cy@example.com")["access_token"]
    assert api.ok("GET", f"/api/attempts/{started['attempt_id']}", again)["status"] == "in_progress"

    listed = api.ok("GET", "/api/assessments/quiz/invitations", author)["invitations"]
    assert [(i["email"], i["status"], i["token"], i["link"]) for i in listed] == [
        ("cy@example.com", "claimed", None, None)
    ]
    exported = api.call("GET", "/api/assessments/quiz/invitations", author, params={"format": "csv"})
    assert exported.headers["content-type"].startswith("text/csv")
    assert [(r["email"], r["status"]) for r in csv.DictReader(io.StringIO(exported.text))] == [
        ("cy@example.com", "claimed")
    ]
    # A claimed invitation is not reissued.
    (reinvited,) = invite(api, author, "cy@example.com")
    assert (reinvited["status"], reinvited["token"]) == ("claimed", None)


def test_uninvited_candidates_see_nothing_and_public_assessments_are_open(api: Api) -> None:
    author = api.user("author")
    publish(api, author)
    publish(api, author, id="open-quiz", title="Open quiz", access="public")
    draft = {**QUIZ, "id": "draft-quiz", "access": "public"}
    api.ok("POST", "/api/assessments", author, status=201, json=draft)
    stranger = api.user("candidate")
    assert [a["id"] for a in api.ok("GET", "/api/assessments", stranger)["assessments"]] == ["open-quiz"]
    for assessment in ("quiz", "draft-quiz", "missing"):
        for method, path in (
            ("GET", f"/api/assessments/{assessment}"), ("POST", f"/api/assessments/{assessment}/attempts")
        ):
            response = api.call(method, path, stranger)
            assert (response.status_code, error_of(response)["code"]) == (404, "not_found"), (method, path)
    api.ok("POST", "/api/assessments/open-quiz/attempts", stranger, status=201)
    staff = {a["id"] for a in api.ok("GET", "/api/assessments", author)["assessments"]}
    assert staff == {"quiz", "open-quiz", "draft-quiz"}


def test_reinviting_replaces_the_link_and_expired_links_are_refused(api: Api) -> None:
    author = api.user("author")
    publish(api, author)
    (old,) = invite(api, author, "dee@example.com")
    (new,) = invite(api, author, "dee@example.com")
    replaced = claim(api, old["token"])
    assert (replaced.status_code, error_of(replaced)["code"]) == (404, "invalid_invitation")

    soon = (datetime.now(UTC) + timedelta(seconds=1.5)).isoformat()
    (short,) = invite(api, author, "eve@example.com", expires_at=soon)
    time.sleep(2)
    expired = claim(api, short["token"])
    assert (expired.status_code, error_of(expired)["code"]) == (410, "invitation_expired")
    assert claim(api, new["token"]).status_code == 200
    past = api.call("POST", "/api/assessments/quiz/invitations", author,
                    json={"emails": ["x@example.com"], "expires_at": "2000-01-01T00:00:00Z"})
    assert (past.status_code, error_of(past)["code"]) == (422, "validation_failed")
    missing = api.call("POST", "/api/assessments/nope/invitations", author, json={"emails": ["x@example.com"]})
    assert (missing.status_code, error_of(missing)["code"]) == (404, "not_found")


def test_a_claim_signs_in_to_an_existing_account_only_with_its_password(api: Api) -> None:
    author = api.user("author")
    publish(api, author)
    api.user("reviewer", "rev@example.com")
    api.user("candidate", "has-password@example.com")
    staff_link, candidate_link, passwordless_link = invite(
        api, author, "rev@example.com", "has-password@example.com", "new@example.com"
    )
    # The author holds every link, so a link alone must not open an account that has a password.
    for link in (staff_link, candidate_link):
        for password in (None, "not the password"):
            refused = claim(api, link["token"], password)
            assert (refused.status_code, error_of(refused)["code"]) == (401, "unauthorized")
    assert claim(api, candidate_link["token"], STRONG).status_code == 200
    assert claim(api, staff_link["token"], STRONG).json()["user"]["role"] == "reviewer"

    # Claimed without a password: the account exists, but there is no password to sign in with.
    account = claim(api, passwordless_link["token"], None)
    assert account.status_code == 200
    assert account.json()["user"]["has_password"] is False
    assert api.call("POST", "/api/auth/login", json={"email": "new@example.com", "password": ""}).status_code in (
        401, 422,
    )
    access = account.json()["access_token"]
    assert api.call("POST", "/api/auth/password", access, json={"new_password": "now I have one"}).status_code == 204
    api.login("new@example.com", "now I have one")
