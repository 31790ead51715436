"""Known-answer tests for the code grader: source checks, executed outcomes and their combination."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from grading_strategies import make

import codesensei.grading
from codesensei.bank.model import CodeQuestion, SourceTest
from codesensei.grading import ExecutedTest, InvalidAnswer, InvalidQuestion, check_source, grade, grade_code
from codesensei.runner import types as runner

# The ADR's own code question (its import example), written in the bank format.
ADR_TESTS = [
    {"name": "Contains Task", "kind": "source", "check": "contains", "expected": "Task("},
    {
        "name": "Correct subagent_type",
        "kind": "source",
        "check": "contains",
        "expected": 'subagent_type="general-purpose"',
    },
    {
        "name": "Contains agent name",
        "kind": "source",
        "check": "contains",
        "expected": "competitive-market-analyst",
    },
]


def adr_question(**fields: object) -> CodeQuestion:
    question = make(type="code", points=3, tests=ADR_TESTS, **fields)
    assert isinstance(question, CodeQuestion)
    return question


def test_adr_code_question_all_checks_pass() -> None:
    source = 'Task(subagent_type="general-purpose", prompt="Use competitive-market-analyst subagent to research")'
    result = grade_code(adr_question(), source, [])
    assert (result.points_earned, result.correct, result.feedback) == (3.0, True, "Passed 3 of 3 tests.")


def test_adr_code_question_two_of_three_checks() -> None:
    source = 'Task(subagent_type="general-purpose", prompt="research the AI IDE market")'
    result = grade_code(adr_question(), source, [])
    assert result.points_earned == pytest.approx(2.0)
    assert [c.feedback for c in result.criteria] == ["passed", "passed", "failed"]
    assert grade(adr_question(), source).points_earned == pytest.approx(2.0)
    assert grade(adr_question(), {"language": "python", "source": source}).points_earned == pytest.approx(2.0)


def test_adr_code_question_without_partial_credit() -> None:
    assert grade_code(adr_question(partial_credit=False), "Task(", []).points_earned == 0.0


def source_test(check: str, expected: str, case_sensitive: bool = True) -> SourceTest:
    return SourceTest(name="t", check=check, expected=expected, case_sensitive=case_sensitive)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("test", "source", "passed"),
    [
        (source_test("contains", "sorted("), "return sorted(xs)", True),
        (source_test("contains", "SORTED("), "return sorted(xs)", False),
        (source_test("contains", "SORTED(", case_sensitive=False), "return sorted(xs)", True),
        (source_test("not_contains", "import os"), "import sys", True),
        (source_test("not_contains", "import os"), "import os", False),
        (source_test("not_contains", "IMPORT OS", case_sensitive=False), "import os", False),
        (source_test("regex", r"def \w+\(self"), "class A:\n    def run(self):", True),
        (source_test("regex", r"^for "), "x = 1\nfor i in r: pass", False),
        (source_test("regex", r"(?m)^for "), "x = 1\nfor i in r: pass", True),
        (source_test("regex", r"WHILE", case_sensitive=False), "while True: break", True),
    ],
)
def test_check_source(test: SourceTest, source: str, passed: bool) -> None:
    assert check_source(test, source) is passed


def test_check_source_refuses_an_overlong_pattern() -> None:
    with pytest.raises(InvalidQuestion):
        check_source(source_test("regex", "a" * 501), "a")


def call_question(**fields: object) -> CodeQuestion:
    question = make(
        type="code",
        entry_point="add",
        points=10,
        tests=[
            {"name": "small", "kind": "call", "args": [1, 2], "expected": 3},
            {"name": "big", "kind": "call", "args": [10**9, 1], "expected": 10**9 + 1, "weight": 3},
            {"name": "no eval", "kind": "source", "check": "not_contains", "expected": "eval("},
        ],
        **fields,
    )
    assert isinstance(question, CodeQuestion)
    return question


def test_weighted_share_of_executed_and_source_tests() -> None:
    executed = [ExecutedTest("small", 1, True), ExecutedTest("big", 3, False)]
    result = grade_code(call_question(), "def add(a, b): return a + b", executed)
    assert result.points_earned == pytest.approx(10 * 2 / 5)
    assert result.feedback == "Passed 2 of 3 tests."
    assert [c.points_possible for c in result.criteria] == [2.0, 6.0, 2.0]


def test_runner_results_are_test_outcomes() -> None:
    executed = [
        runner.TestResult(name="small", visibility="sample", verdict="accepted"),
        runner.TestResult(name="big", visibility="hidden", verdict="accepted", weight=3),
    ]
    assert grade_code(call_question(), "def add(a, b): return a + b", executed).correct


def test_tests_without_an_outcome_count_as_not_run() -> None:
    result = grade_code(call_question(), "def add(a, b): return a + b", [ExecutedTest("small", 1, True)])
    assert result.points_earned == pytest.approx(4.0)
    assert result.criteria[-2].feedback == "not run"


def test_all_or_nothing_without_partial_credit() -> None:
    executed = [ExecutedTest("small", 1, True), ExecutedTest("big", 3, True)]
    question = call_question(partial_credit=False)
    assert grade_code(question, "eval('1')", executed).points_earned == 0.0
    assert grade_code(question, "a + b", executed).points_earned == 10.0


def test_grade_sends_executed_code_questions_to_the_runner() -> None:
    with pytest.raises(InvalidAnswer, match="grade_code"):
        grade(call_question(), "def add(a, b): return a + b")
    with pytest.raises(InvalidAnswer):
        grade(adr_question(), 42)


def test_grading_never_imports_io_domains() -> None:
    forbidden = ("codesensei.runner", "codesensei.store", "codesensei.api", "codesensei.sessions")
    for path in Path(codesensei.grading.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            names += [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            assert not [n for n in names if n.startswith(forbidden)], f"{path.name} imports {names}"
