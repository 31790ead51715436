"""`POST /api/questions/verify`: a question's reference solutions judged in the real sandbox over HTTP."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from api.conftest import Api, error_of, make_settings, serving
from codesensei.api.routers.questions import MAX_CODE_CHARS, VERIFY_EXAMPLE

pytestmark = [pytest.mark.sandbox]

SUM = "a, b = map(int, input().split())\nprint(a + b)\n"
# Right on every input whose numbers are not negative: only the hidden test shows it is wrong.
ABS_SUM = "a, b = map(int, input().split())\nprint(abs(a) + abs(b))\n"


def draft(*solutions: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "verify-sum", "type": "code", "title": "Sum", "text": "Print the sum of two integers.",
        "tests": [
            {"name": "sample", "kind": "stdio", "input": "1 2\n", "expected": "3\n", "visibility": "sample"},
            {"name": "negative", "kind": "stdio", "input": "-5 3\n", "expected": "-2\n"},
        ],
        "solutions": list(solutions),
    }


def checks_by_name(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {check["check"]: check for check in report["checks"]}


def test_a_correct_solution_passes_with_per_test_verdicts(module_api: Api) -> None:
    author = module_api.user("author")
    report = module_api.ok("POST", "/api/questions/verify", author,
                           json={"question": draft({"language": "python", "code": SUM})})
    assert report["ok"] is True
    assert (report["question_id"], report["failed"]) == ("verify-sum", 0)
    accepted = checks_by_name(report)["accepted python"]
    assert accepted["outcome"] == "passed"
    # The hidden test is shown to the author, with its verdict, CPU time and memory.
    assert [(t["name"], t["visibility"], t["verdict"]) for t in accepted["tests"]] == [
        ("sample", "sample", "accepted"), ("negative", "hidden", "accepted"),
    ]
    assert all(t["time_ms"] > 0 and t["memory_kb"] > 0 for t in accepted["tests"])


def test_a_wrong_reference_solution_is_reported_with_the_failing_test(module_api: Api) -> None:
    report = module_api.ok("POST", "/api/questions/verify", module_api.admin,
                           json={"question": draft({"language": "python", "code": ABS_SUM})})
    assert report["ok"] is False
    accepted = checks_by_name(report)["accepted python"]
    assert accepted["outcome"] == "failed"
    assert "wrong_answer on negative" in accepted["detail"]
    verdicts = {t["name"]: t["verdict"] for t in accepted["tests"]}
    assert verdicts == {"sample": "accepted", "negative": "wrong_answer"}


def test_a_solution_labelled_wrong_must_fail_a_hidden_test(module_api: Api) -> None:
    report = module_api.ok("POST", "/api/questions/verify", module_api.admin, json={"question": draft(
        {"language": "python", "code": SUM}, {"language": "python", "code": SUM, "expect": "wrong"},
    )})
    outcomes = {name: check["outcome"] for name, check in checks_by_name(report).items()}
    assert outcomes == {"accepted python": "passed", "wrong python": "failed"}
    assert "passes every hidden test" in checks_by_name(report)["wrong python"]["detail"]


def test_a_generated_test_and_a_slow_solution(module_api: Api) -> None:
    question = {
        "id": "verify-generated", "type": "code", "title": "Sum", "text": "Print the sum of the integers on a line.",
        "limits": {"time_s": 0.25},
        "tests": [
            {"name": "sample", "kind": "stdio", "input": "1 2 3\n", "expected": "6\n", "visibility": "sample"},
            {"name": "many", "kind": "stdio", "generated": True},
        ],
        "generator": {"code": "print(' '.join(str(i) for i in range(10000)))\n", "test": "many"},
        "solutions": [
            {"language": "python", "code": "print(sum(map(int, input().split())))\n"},
            {"language": "python", "code": "input()\nwhile True:\n    pass\n", "expect": "slow"},
        ],
    }
    report = module_api.ok("POST", "/api/questions/verify", module_api.admin, json={"question": question})
    checks = checks_by_name(report)
    assert {name: check["outcome"] for name, check in checks.items()} == {
        "generate": "passed", "accepted python": "passed", "slow python": "passed",
    }, report
    # The accepted solution is judged on the generated test too, and its expected value came from that solution.
    assert [(t["name"], t["verdict"]) for t in checks["accepted python"]["tests"]] == [
        ("sample", "accepted"), ("many", "accepted"),
    ]
    # The slow one runs on the performance test alone, with four times the limit.
    [slow_run] = checks["slow python"]["tests"]
    assert (slow_run["name"], slow_run["verdict"]) == ("many", "time_limit_exceeded")
    assert slow_run["time_ms"] >= 900


def test_the_openapi_example_verifies_as_written(module_api: Api) -> None:
    report = module_api.ok("POST", "/api/questions/verify", module_api.admin, json=VERIFY_EXAMPLE)
    assert report["ok"] is True
    assert {c["check"]: c["outcome"] for c in report["checks"]} == {
        "accepted python": "passed", "wrong python": "passed",
    }


def test_a_stored_question_by_id_and_the_key_of_a_non_code_question(module_api: Api) -> None:
    stored = module_api.ok("POST", "/api/questions/verify", module_api.admin, json={"question_id": "py-word-frequency"})
    assert stored["ok"] is True, stored
    assert {c["check"] for c in stored["checks"]} == {"accepted python", "accepted javascript"}
    key = module_api.ok("POST", "/api/questions/verify", module_api.admin, json={"question": {
        "id": "verify-tf", "type": "true_false", "title": "Lists", "text": "Lists are mutable.", "answer": True,
    }})
    assert [(c["check"], c["outcome"], c["tests"]) for c in key["checks"]] == [("key", "passed", [])]


def test_judging_holds_back_no_other_request(module_api: Api) -> None:
    # Each test of this solution waits 2 s of wall time (no CPU: it is still accepted), so the verification
    # takes seconds, during which a write to the bank must go through at once, not queue behind it.
    sleeper = "import time\ntime.sleep(2)\n" + SUM
    body = {"question": draft({"language": "python", "code": sleeper})}
    reports: list[dict[str, Any]] = []
    verifying = threading.Thread(
        target=lambda: reports.append(module_api.ok("POST", "/api/questions/verify", module_api.admin, json=body))
    )
    verifying.start()
    time.sleep(1)  # let the verification start judging
    imported = module_api.ok("POST", "/api/questions/import", module_api.admin, json={"questions": [{
        "id": "verify-concurrent", "type": "true_false", "title": "Meanwhile", "text": "Saved meanwhile.",
        "answer": True,
    }]})
    still_judging = verifying.is_alive()
    verifying.join()
    assert imported["created"] == 1
    assert still_judging, "the import waited for the verification to finish"
    assert [report["ok"] for report in reports] == [True]


def test_refusals(module_api: Api) -> None:
    body = {"question": draft({"language": "python", "code": SUM})}
    candidate = module_api.user("candidate")
    assert error_of(module_api.call("POST", "/api/questions/verify", candidate, json=body))["code"] == "forbidden"
    reviewer = module_api.user("reviewer")
    assert module_api.call("POST", "/api/questions/verify", reviewer, json=body).status_code == 403
    missing = module_api.call("POST", "/api/questions/verify", module_api.admin, json={"question_id": "no-such"})
    assert error_of(missing)["code"] == "not_found"
    both = module_api.call("POST", "/api/questions/verify", module_api.admin,
                           json={**body, "question_id": "py-word-frequency"})
    assert error_of(both)["code"] == "validation_failed"
    # A solution over the code size limit, in a body the server still reads whole.
    oversized_code = draft({"language": "python", "code": "#" * (MAX_CODE_CHARS + 1)})
    too_much_code = module_api.call("POST", "/api/questions/verify", module_api.admin,
                                    json={"question": oversized_code})
    assert too_much_code.status_code == 413
    assert "code size limit" in error_of(too_much_code)["message"]
    # A body over the server's limit is refused before it is read.
    huge = draft({"language": "python", "code": SUM + "#" * module_api.settings.max_body_bytes})
    too_large = module_api.call("POST", "/api/questions/verify", module_api.admin, json={"question": huge})
    assert too_large.status_code == 413
    assert error_of(too_large)["code"] == "payload_too_large"


def test_verification_spends_the_callers_submit_allowance(database_url: str, tmp_path: Path) -> None:
    with serving(make_settings(database_url, tmp_path, rate_submit_per_minute=1)) as api:
        author = api.user("author")
        body = {"question": draft({"language": "python", "code": SUM})}
        api.ok("POST", "/api/questions/verify", author, json=body)
        refused = api.call("POST", "/api/questions/verify", author, json=body)
        assert refused.status_code == 429
        assert error_of(refused)["code"] == "rate_limited"
        assert int(refused.headers["Retry-After"]) >= 1
        # A candidate is refused by role first, and spends nothing of their own allowance.
        candidate = api.user("candidate")
        for _ in range(2):
            assert api.call("POST", "/api/questions/verify", candidate, json=body).status_code == 403
