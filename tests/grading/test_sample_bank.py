"""The bundled sample bank: every file validates, every type is covered, and every key earns full marks."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from importlib.resources import files
from typing import Any

import pytest
import yaml
from grading_strategies import key_answer
from pydantic import TypeAdapter

from codesensei.bank.model import QUESTION_TYPES, AnyQuestion, CallTest, CodeQuestion, Question, StdioTest
from codesensei.grading import grade, grade_code

SAMPLES = files("codesensei.bank") / "samples"
# Regex keys cannot be turned back into an answer, so each names an example that it accepts.
REGEX_EXAMPLES = {r"select\s+distinct": "SELECT DISTINCT", r"log\s*\(?\s*n\s*\)?": "log n"}


def raw_questions() -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for path in sorted(SAMPLES.iterdir(), key=lambda p: p.name):
        if path.name.endswith((".yaml", ".yml")):
            document = yaml.safe_load(path.read_text(encoding="utf-8"))
            assert set(document) <= {"defaults", "questions"}, path.name
            defaults = document.get("defaults", {})
            found.extend({**defaults, **question} for question in document["questions"])
    return found


RAW = raw_questions()
QUESTIONS: list[AnyQuestion] = [TypeAdapter(Question).validate_python(q) for q in RAW]
CODE = [q for q in QUESTIONS if isinstance(q, CodeQuestion)]


def test_every_type_has_at_least_three_questions() -> None:
    counts = Counter(q.type for q in QUESTIONS)
    assert {t: counts[t] for t in QUESTION_TYPES if counts[t] < 3} == {}


def test_ids_and_test_names_are_unique_across_the_bank() -> None:
    ids = [q.id for q in QUESTIONS]
    assert len(ids) == len(set(ids))
    names = [t.name for q in CODE for t in q.tests]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("raw", RAW, ids=[q["id"] for q in RAW])
def test_every_question_is_described_for_candidates(raw: dict[str, Any]) -> None:
    assert raw["topics"]
    assert "difficulty" in raw
    assert raw["explanation"].strip()
    assert raw["hints"]
    assert all(h.strip() for h in raw["hints"])


@pytest.mark.parametrize("question", [q for q in QUESTIONS if q.type != "code"], ids=lambda q: q.id)
def test_the_key_answer_earns_full_marks(question: AnyQuestion) -> None:
    result = grade(question, key_answer(question, REGEX_EXAMPLES))
    assert not result.needs_review
    assert result.points_earned == question.points, result.feedback


def test_the_code_questions_cover_every_test_style() -> None:
    stdio = [q for q in CODE if all(isinstance(t, StdioTest) for t in q.tests)]
    call = [q for q in CODE if any(isinstance(t, CallTest) for t in q.tests)]
    source_only = [q for q in CODE if not q.executed_tests]
    assert any(any(s.language == "python" for s in q.solutions) for q in stdio)
    assert any(
        q.entry_point
        and {"python", "javascript"} <= set(q.starter)
        and {"python", "javascript"} <= {s.language for s in q.solutions}
        for q in call
    )
    assert source_only


def python_solutions(question: CodeQuestion) -> list[str]:
    return [s.code for s in question.solutions if s.language == "python" and s.expect == "accepted"]


@pytest.mark.parametrize("question", [q for q in CODE if q.executed_tests], ids=lambda q: q.id)
def test_python_reference_solutions_pass_their_tests(question: CodeQuestion) -> None:
    # The bank's own trusted code, run directly: this checks the bank, not the sandbox.
    for code in python_solutions(question):
        for test in question.executed_tests:
            if isinstance(test, StdioTest):
                run = subprocess.run(
                    [sys.executable, "-c", code],
                    check=False,
                    input=test.input,
                    capture_output=True,
                    text=True,
                    timeout=10,
                )
                assert run.stdout.split() == test.expected.split(), test.name
            elif isinstance(test, CallTest):
                namespace: dict[str, Any] = {}
                exec(code, namespace)
                returned = namespace[question.entry_point or ""](*json.loads(json.dumps(test.args)))
                assert json.dumps(returned) == json.dumps(test.expected), test.name


@pytest.mark.parametrize("question", [q for q in CODE if not q.executed_tests], ids=lambda q: q.id)
def test_source_only_reference_solutions_earn_full_marks(question: CodeQuestion) -> None:
    assert python_solutions(question)
    for code in python_solutions(question):
        assert grade_code(question, code, []).points_earned == question.points
    assert grade_code(question, 'rows = conn.execute(f"SELECT * FROM users WHERE email = {email}")', []).fraction < 1
