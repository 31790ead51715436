"""The OpenAPI document: served at /openapi.json and /docs, with real response models and roles."""

from __future__ import annotations

from typing import Any

from api.conftest import Api


def resolve(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    resolved: dict[str, Any] = document["components"]["schemas"][ref.rsplit("/", 1)[1]]
    return resolved


def test_the_document_describes_every_operation(module_api: Api) -> None:
    document = module_api.ok("GET", "/openapi.json")
    assert document["info"]["title"] == "Code Sensei"
    docs = module_api.call("GET", "/docs")
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            where = f"{method.upper()} {path}"
            assert ("x-roles" in operation) != ("x-public" in operation), where
            if "x-roles" in operation:
                assert operation["security"] == [{"HTTPBearer": []}], where
                assert resolve(operation["responses"]["401"]["content"]["application/json"]["schema"], document)[
                    "title"
                ] == "ErrorResponse", where
            success = next(code for code in operation["responses"] if code.startswith("2"))
            if success == "204":
                continue
            content = operation["responses"][success]["content"]
            schema = resolve(next(iter(content.values()))["schema"], document)
            # Every answer is typed: an object with named properties, declared text (CSV, exports) or a list of
            # records (a JSON export).
            assert schema.get("properties") or schema.get("type") in ("string", "object", "array"), where


def test_the_candidates_question_view_cannot_carry_keys(module_api: Api) -> None:
    schemas = module_api.ok("GET", "/openapi.json")["components"]["schemas"]
    view = set(schemas["QuestionView"]["properties"])
    assert {"question_id", "options", "starter", "sample_tests"} <= view
    assert not view & {"answer", "tests", "solutions", "explanation", "model_answer", "pairs", "rubric"}
    assert set(schemas["AttemptStarted"]["properties"]) == {"attempt_id", "assessment_id", "number", "deadline_at",
                                                             "question"}
