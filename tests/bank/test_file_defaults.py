"""A bank file's `defaults`: merged under each question's own keys, checked on their own, and `practice` marks."""

from __future__ import annotations

from pathlib import Path

import pytest

from codesensei.bank.files import BankFileError, dump_questions, load_questions, parse_document
from codesensei.bank.model import McqQuestion
from codesensei.bank.schema import bank_json_schema
from codesensei.bank.starter import SAMPLE_BANK, STARTER_BANK, StarterBank

DEFAULTED = """
defaults: {practice: true, topics: [python], points: 2, grading: {method: contains}}
questions:
  - {id: d-plain, type: true_false, title: Plain, text: Takes every default., answer: true}
  - {id: d-own, type: short_answer, title: Own, text: Sets its own keys., answer: [x], practice: false,
     topics: [sql], grading: {case_sensitive: true}}
  - id: d-adr
    question_text: "Which keyword defines a function in Python?"
    type: mcq
    options: [{key: A, text: def}, {key: B, text: fun}]
    correct_answer: A
"""


def test_defaults_apply_to_every_question_that_does_not_set_the_key() -> None:
    plain, own, adr = parse_document(DEFAULTED, source="d.yaml")
    assert (plain.practice, plain.topics, plain.points, plain.grading.method) == (True, ["python"], 2.0, "contains")
    # A key the question sets replaces the default whole: its own `grading` keeps no part of the default's.
    assert (own.practice, own.topics, own.points) == (False, ["sql"], 2.0)
    assert (own.grading.method, own.grading.case_sensitive) == ("exact", True)
    # Questions in the ADR dialect take the defaults too, by their canonical names.
    assert isinstance(adr, McqQuestion)
    assert (adr.practice, adr.answer, adr.topics) == (True, "A", ["python"])


def test_a_question_is_closed_to_practice_unless_its_author_opens_it() -> None:
    (closed,) = parse_document("- {id: c, type: true_false, title: C, text: Closed., answer: true}", source="c.yaml")
    assert closed.practice is False
    (opened,) = parse_document(
        "questions:\n  - {id: o, type: true_false, title: O, text: Open., answer: true, practice: true}",
        source="o.yaml",
    )
    assert opened.practice is True


@pytest.mark.parametrize(
    ("defaults", "message"),
    [
        ("[practice]", "bad.yaml: defaults: expected a mapping of question fields, got list"),
        ("{practice: maybe}", "bad.yaml: defaults.practice: Input should be a valid boolean"),
        ("{pratice: true}", "bad.yaml: defaults.pratice: unknown field"),
        ("{id: same-for-all}", "bad.yaml: defaults.id: unknown field"),
        ("{points: -1}", "bad.yaml: defaults.points: Input should be greater than 0"),
        ("{answer: true}", "bad.yaml: defaults.answer: unknown field"),
    ],
)
def test_bad_defaults_are_refused_once_naming_file_and_field(defaults: str, message: str) -> None:
    text = f"defaults: {defaults}\nquestions:\n  - {{id: q1, type: true_false, title: Q, text: T., answer: true}}\n"
    with pytest.raises(BankFileError) as caught:
        parse_document(text, source="bad.yaml")
    assert len(caught.value.problems) == 1
    assert caught.value.problems[0].startswith(message)


def test_a_question_invalid_only_with_the_defaults_names_the_question() -> None:
    text = "defaults: {difficulty: easy}\nquestions:\n  - {id: q1, type: true_false, title: Q, text: T.}\n"
    with pytest.raises(BankFileError, match=r"bad.yaml: question 'q1': answer: required"):
        parse_document(text, source="bad.yaml")


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_export_writes_the_merged_questions_and_imports_them_back(tmp_path: Path, fmt: str) -> None:
    questions = parse_document(DEFAULTED, source="d.yaml")
    exported = tmp_path / f"bank.{fmt}"
    exported.write_text(dump_questions(questions, fmt), encoding="utf-8")
    assert load_questions(exported) == questions
    assert "defaults" not in exported.read_text(encoding="utf-8")


def test_the_published_schema_documents_defaults_and_practice() -> None:
    schema = bank_json_schema()
    defaults = schema["$defs"]["QuestionDefaults"]
    assert "practice" in defaults["properties"]
    assert "id" not in defaults["properties"]
    assert defaults["additionalProperties"] is False
    assert "practice" in schema["$defs"]["McqQuestion"]["properties"]
    assert "defaults" in schema["properties"]


def test_every_built_in_question_is_open_to_practice() -> None:
    built_in = [*load_questions(SAMPLE_BANK), *(q for f in StarterBank(STARTER_BANK).read() for q in f.questions)]
    assert len(built_in) > 150
    assert [q.id for q in built_in if not q.practice] == []
