"""What schemathesis found, kept as plain regression tests: each response matches the documented contract."""

from __future__ import annotations

from datetime import datetime

from api.conftest import Api, error_of


def test_huge_offsets_are_refused_not_a_server_error(module_api: Api) -> None:
    for path in ("/api/users", "/api/questions"):
        response = module_api.call("GET", path, module_api.admin, params={"offset": 10**19})
        assert (response.status_code, error_of(response)["code"]) == (422, "validation_failed"), path


def test_instants_carry_their_offset(module_api: Api) -> None:
    author = module_api.user("author")
    module_api.ok("POST", "/api/assessments", author, status=201, json={
        "id": "dated", "title": "Dated", "questions": ["py-is-vs-equals"], "access": "public",
    })
    module_api.ok("POST", "/api/assessments/dated/publish", author)
    brief = next(a for a in module_api.ok("GET", "/api/assessments", author)["assessments"] if a["id"] == "dated")
    assert datetime.fromisoformat(brief["published_at"]).tzinfo is not None
    started = module_api.ok("POST", "/api/assessments/dated/attempts", author, status=201)
    time_left = module_api.ok("GET", f"/api/attempts/{started['attempt_id']}/time", author)
    assert datetime.fromisoformat(time_left["started_at"]).utcoffset() is not None


def test_the_document_describes_bad_bodies_json_exports_and_rate_limits(module_api: Api) -> None:
    document = module_api.ok("GET", "/openapi.json")
    login = document["paths"]["/api/auth/login"]["post"]["responses"]
    assert {"400", "429"} <= set(login)
    export = document["paths"]["/api/results/export"]["get"]["responses"]["200"]["content"]
    assert export["application/json"]["schema"]["type"] == "array"
    assert export["text/csv"]["schema"]["type"] == "string"
    # Bytes that are not UTF-8 cannot even be parsed (unlike malformed JSON, which is a 422).
    broken = module_api.call(
        "POST", "/api/auth/login", content=b"@\xff\xfe", headers={"Content-Type": "application/json"}
    )
    assert (broken.status_code, error_of(broken)["code"]) == (400, "bad_request")
    # The request body examples work as written.
    create = document["paths"]["/api/assessments"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert create["examples"][0]["questions"] == ["py-is-vs-equals", "py-mutable-default"]
    author = module_api.user("author")
    module_api.ok("POST", "/api/assessments", author, status=201, json=create["examples"][0])
