"""The ADR-LMS-007 import dialect (`correct_answer`, `skill`, `language`, `test_cases` …) mapped onto the model.

The ADR's own "Question Import Format" example imports unchanged through this adapter.
"""

from __future__ import annotations

import json
from typing import Any

ADR_ONLY_KEYS = frozenset(
    {"correct_answer", "test_cases", "skill", "language", "grading_type", "grading_rubric", "max_points",
     "question_type", "question_text", "code_language", "answer_explanation"}
)
_GRADING_TYPES = {"exact": "exact", "contains": "contains", "rubric": "keywords", "ai_assisted": "ai", "regex": "regex"}


def looks_like_adr(data: dict[str, Any]) -> bool:
    return bool(ADR_ONLY_KEYS & data.keys())


def _title_from(text: str) -> str:
    first_line = text.strip().splitlines()[0] if text.strip() else "Untitled"
    return first_line if len(first_line) <= 80 else first_line[:77].rstrip() + "..."


def _maybe_json(value: Any) -> Any:
    if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def _test_from_adr(index: int, case: dict[str, Any]) -> dict[str, Any]:
    name = case.get("name") or f"test {index + 1}"
    visibility = "sample" if case.get("visible") or case.get("is_sample") else "hidden"
    weight = case.get("weight", 1)
    if case.get("check") in ("contains", "not_contains", "regex"):
        return {"name": name, "kind": "source", "check": case["check"], "expected": str(case.get("expected", "")),
                "visibility": visibility, "weight": weight}
    if "args" in case:
        return {"name": name, "kind": "call", "args": case["args"],
                "expected": case.get("expected", case.get("expected_output")), "visibility": visibility,
                "weight": weight}
    return {"name": name, "kind": "stdio", "input": str(case.get("input", "")),
            "expected": str(case.get("expected_output", case.get("expected", ""))), "visibility": visibility,
            "weight": weight}


def from_adr(raw: dict[str, Any]) -> dict[str, Any]:
    """Map one ADR-dialect question to the canonical field names; unknown keys pass through to validation."""
    data = dict(raw)
    if "question_type" in data:
        data["type"] = data.pop("question_type")
    if "question_text" in data:
        data["text"] = data.pop("question_text")
    if "answer_explanation" in data:
        data["explanation"] = data.pop("answer_explanation")
    if "max_points" in data:
        data["points"] = data.pop("max_points")
    if "code_language" in data:
        data["language"] = data.pop("code_language")
    text = str(data.get("text", ""))
    data.setdefault("title", _title_from(text))
    if "skill" in data:
        skill = data.pop("skill")
        data["skills"] = [*data.get("skills", []), *([skill] if isinstance(skill, str) else skill)]
    if "language" in data:
        language = data.pop("language")
        data["languages"] = [language] if isinstance(language, str) else language
    grading_type = data.pop("grading_type", None)
    rubric = _maybe_json(data.pop("grading_rubric", None))
    if grading_type or rubric:
        grading: dict[str, Any] = dict(data.get("grading", {}))
        if grading_type:
            grading["method"] = _GRADING_TYPES.get(grading_type, grading_type)
        if isinstance(rubric, dict) and isinstance(rubric.get("criteria"), list):
            grading["rubric"] = rubric["criteria"]
        elif isinstance(rubric, list):
            grading["rubric"] = rubric
        data["grading"] = grading
    if "test_cases" in data:
        cases = _maybe_json(data.pop("test_cases"))
        data["tests"] = [_test_from_adr(i, c) if isinstance(c, dict) else c for i, c in enumerate(cases or [])]
    if "correct_answer" in data:
        answer = _maybe_json(data.pop("correct_answer"))
        question_type = data.get("type")
        if question_type == "true_false" and isinstance(answer, str):
            answer = answer.strip().lower() in ("true", "t", "yes", "1")
        if question_type == "code" and isinstance(answer, list) and "tests" not in data:
            data["tests"] = [_test_from_adr(i, c) for i, c in enumerate(answer)]
        elif question_type == "short_answer" and data.get("grading", {}).get("method") == "contains":
            data["answer"] = answer
        else:
            data["answer"] = answer
    return data
