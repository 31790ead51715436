"""Bank files: parsing, the ADR dialect, error messages that name file, question and field, round trips."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codesensei.bank.files import BankFileError, dump_questions, load_questions, parse_document
from codesensei.bank.identity import derive_question_id
from codesensei.bank.model import CodeQuestion, McqQuestion, SourceTest


def test_adr_example_imports_unchanged(adr_example: Path) -> None:
    mcq, code = load_questions(adr_example)
    assert isinstance(mcq, McqQuestion)
    assert mcq.answer == "B"
    assert mcq.skills == ["task-tool-pattern"]
    assert mcq.tags == ["foundation", "agent-invocation"]
    assert mcq.difficulty == pytest.approx(0.3)
    assert mcq.explanation.startswith("The Task Tool Pattern requires")
    assert isinstance(code, CodeQuestion)
    assert code.languages == ["python"]
    assert code.skills == ["agent-invocation"]
    assert [t.kind for t in code.tests] == ["source", "source", "source"]
    assert all(isinstance(t, SourceTest) and t.check == "contains" for t in code.tests)
    assert code.tests[1].expected == 'subagent_type="general-purpose"'


def test_ids_derived_from_type_and_text_are_stable(adr_example: Path) -> None:
    first = [q.id for q in load_questions(adr_example)]
    second = [q.id for q in load_questions(adr_example)]
    assert first == second
    assert first[0] == derive_question_id("mcq", "What is the correct Task Tool Pattern for invoking agents?")
    assert derive_question_id("mcq", "  What is  the correct task tool pattern for invoking agents? ") == first[0]
    assert derive_question_id("essay", "What is the correct Task Tool Pattern for invoking agents?") != first[0]


def _code_question(**overrides: object) -> dict[str, object]:
    question: dict[str, object] = {
        "id": "bfs-shortest",
        "type": "code",
        "title": "Shortest path",
        "text": "Find it.",
        "tests": [
            {"name": "a", "kind": "stdio", "input": "1", "expected": "1"},
            {"name": "b", "kind": "stdio", "input": "2", "expected": "2"},
            {"name": "c", "kind": "stdio", "input": "3", "expected": "3"},
            {"name": "d", "kind": "stdio", "input": "4"},
        ],
    }
    question.update(overrides)
    return question


def test_error_names_file_question_and_field_path() -> None:
    document = json.dumps({"questions": [_code_question()]})
    with pytest.raises(BankFileError) as caught:
        parse_document(document, source="bank/graphs.yaml")
    assert caught.value.problems == ["bank/graphs.yaml: question 'bfs-shortest': tests[3].expected: required"]


def test_every_problem_in_a_file_is_reported() -> None:
    document = {
        "questions": [
            {"id": "q1", "type": "mcq", "title": "t", "text": "x", "options": [{"key": "A", "text": "a"},
                                                                            {"key": "B", "text": "b"}],
             "answer": "C"},
            {"id": "q2", "type": "riddle", "title": "t", "text": "x"},
            {"id": "q3", "type": "true_false", "title": "t", "text": "x", "answer": True, "colour": "red"},
            "not a question",
        ]
    }
    with pytest.raises(BankFileError) as caught:
        parse_document(json.dumps(document), source="b.json")
    problems = caught.value.problems
    assert "b.json: question 'q1': (question): answer 'C' is not one of the option keys" in problems
    assert any(p.startswith("b.json: question 'q2': type: must be one of mcq, mcq_multi") for p in problems)
    assert "b.json: question 'q3': colour: unknown field" in problems
    assert "b.json: question #4: expected a mapping, got str" in problems


def test_malformed_yaml_names_the_line() -> None:
    with pytest.raises(BankFileError) as caught:
        parse_document("questions:\n  - id: a\n    title: [unclosed\n", source="x.yaml")
    assert caught.value.problems[0].startswith("x.yaml: not valid YAML or JSON (line")


def test_duplicate_ids_in_one_file_are_refused() -> None:
    question = {"id": "same", "type": "true_false", "title": "t", "text": "x", "answer": True}
    with pytest.raises(BankFileError, match="id: used 2 times"):
        parse_document(json.dumps([question, question]), source="d.json")


def test_folder_reports_problems_of_every_file(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text("- {id: a, type: true_false, title: t, text: x, answer: true}\n")
    (tmp_path / "bad.yaml").write_text("- {id: b, type: true_false, title: t, text: x}\n")
    (tmp_path / "worse.json").write_text("{")
    with pytest.raises(BankFileError) as caught:
        load_questions(tmp_path)
    assert len(caught.value.problems) == 2
    assert any("bad.yaml: question 'b': answer: required" in p for p in caught.value.problems)


def test_missing_path_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(BankFileError, match="no such file or folder"):
        load_questions(tmp_path / "nope.yaml")


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_export_then_import_round_trips_exactly(adr_example: Path, fmt: str) -> None:
    questions = load_questions(adr_example)
    questions.append(CodeQuestion.model_validate(_code_question(tests=[
        {"name": "s", "kind": "stdio", "input": "1 2\n", "expected": "3\n", "visibility": "sample"},
        {"name": "h", "kind": "stdio", "input": "5 5\n", "expected": "10\n", "weight": 2},
    ], checker={"name": "float", "abs_tol": 0.01}, starter={"python": "print()"}, hints=["a", "b"])))
    assert parse_document(dump_questions(questions, fmt), source="x") == questions


def test_adr_example_grades_as_the_adr_intends(adr_example: Path) -> None:
    from codesensei.grading import grade

    mcq, code = load_questions(adr_example)
    assert grade(mcq, "B").correct
    assert not grade(mcq, "A").correct
    full = 'Task(subagent_type="general-purpose", prompt="Use competitive-market-analyst subagent to research")'
    assert grade(code, full).points_earned == code.points
    partial = grade(code, 'Task(subagent_type="general-purpose", prompt="research the market")')
    assert partial.points_earned == pytest.approx(code.points * 2 / 3)
    assert not partial.correct
