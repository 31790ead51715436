"""Validate a bank file over HTTP without importing it: the same problems `sensei bank validate` prints."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from api.conftest import Api, error_of

GOOD = """\
questions:
  - {id: validate-tf, type: true_false, title: Validated, text: Validation writes nothing., answer: true}
  - {id: validate-mcq, type: mcq, title: Pick, text: Pick one., options: [{key: A, text: a}, {key: B, text: b}],
     answer: A}
"""
BAD = """\
questions:
  - {id: broken-tf, type: true_false, text: No title and no answer.}
  - {id: broken-mcq, type: mcq, title: Pick, text: Pick one., options: [{key: A, text: a}], answer: Z, colour: red}
  - {id: broken-kind, type: poem, title: Verse, text: Roses.}
  - {id: broken-tf, type: true_false, title: Twice, text: Same id., answer: false}
"""


def cli_validate(path: Path) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-m", "codesensei.cli.main", "bank", "validate", str(path), "--json"],
                          capture_output=True, text=True, timeout=120, check=False)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def validate(api: Api, token: str, content: bytes | str, **params: str) -> dict[str, Any]:
    found: dict[str, Any] = api.ok("POST", "/api/questions/validate", token, content=content, params=params,
                                   headers={"Content-Type": "text/yaml"})
    return found


def test_a_valid_file_is_reported_and_nothing_is_written(module_api: Api) -> None:
    api = module_api
    author = api.user("author")
    report = validate(api, author, GOOD)
    assert report == {"valid": True, "problems": [], "files": 1, "questions": 2,
                      "by_type": {"mcq": 1, "true_false": 1}, "ids": ["validate-tf", "validate-mcq"]}
    for question_id in report["ids"]:
        assert api.call("GET", f"/api/questions/{question_id}", author).status_code == 404
    # Importing it afterwards works as usual.
    assert api.ok("POST", "/api/questions/import", author, content=GOOD,
                  headers={"Content-Type": "text/yaml"})["created"] == 2


@pytest.mark.parametrize(("name", "content"), [
    ("bad.yaml", BAD),
    ("broken.yaml", "questions:\n  - {id: x, type: true_false\n"),
    ("broken.json", '{"questions": [{"id": "x",}]}'),
    ("scalar.yaml", "just a sentence"),
])
def test_problems_are_the_ones_the_cli_prints(module_api: Api, tmp_path: Path, name: str, content: str) -> None:
    api = module_api
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    expected = cli_validate(path)
    assert expected["valid"] is False
    report = validate(api, api.user("author"), content, filename=str(path))
    assert report["valid"] is False
    assert report["problems"] == expected["problems"]
    assert (report["questions"], report["ids"]) == (0, [])
    if name == "bad.yaml":
        joined = "\n".join(report["problems"])
        for needle in ("broken-tf", "title: required", "broken-mcq", "colour: unknown field", "poem"):
            assert needle in joined, needle
    assert api.call("GET", "/api/questions/broken-tf", api.admin).status_code == 404


def test_bytes_that_are_not_text_and_roles(module_api: Api) -> None:
    api = module_api
    author = api.user("author")
    report = validate(api, author, b"questions: [\xff\xfe]", filename="latin.yaml")
    assert report == {"valid": False, "problems": ["latin.yaml: not UTF-8 text (byte 12)"], "files": 0,
                      "questions": 0, "by_type": {}, "ids": []}
    for role in ("candidate", "reviewer"):
        refused = api.call("POST", "/api/questions/validate", api.user(role), content=GOOD)
        assert refused.status_code == 403, role
        assert error_of(refused)["code"] == "forbidden"
    assert api.call("POST", "/api/questions/validate", content=GOOD).status_code == 401
