"""Bank import, versions, listing, filters and full-text search against the real databases."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from codesensei.bank.files import BankFile, load_questions, parse_document, read_bank
from codesensei.bank.model import AnyQuestion
from codesensei.bank.service import (
    describe_question,
    export_questions,
    get_question,
    import_files,
    list_questions,
    search_questions,
)
from codesensei.errors import NotFound
from codesensei.platform import Platform
from codesensei.store.db import unit_of_work
from codesensei.store.questions import QuestionFilter, QuestionRepository

BANK = """
questions:
  - {id: two-sum, type: code, title: Two sum, text: Find two numbers adding up to a target.,
     topics: [arrays, hashing], tags: [classic], difficulty: easy, languages: [python, javascript],
     entry_point: two_sum, tests: [{name: s, kind: call, args: [[2, 7], 9], expected: [0, 1]}]}
  - {id: bfs, type: code, title: Breadth-first search, text: Shortest path in an unweighted graph.,
     topics: [graphs], difficulty: hard, languages: [cpp],
     tests: [{name: s, kind: stdio, input: "1", expected: "1"}]}
  - {id: big-o, type: mcq, title: Binary search complexity, text: "What is the running time of binary search?",
     topics: [complexity], tags: [classic], difficulty: 0.5,
     options: [{key: A, text: O(n)}, {key: B, text: O(log n)}], answer: B}
  - {id: gil, type: true_false, title: The GIL, text: CPython threads run Python bytecode in parallel.,
     topics: [concurrency, python], difficulty: medium, answer: false}
"""


def _import(session: Session, text: str, source: str = "bank.yaml") -> None:
    import_files(session, [BankFile(source, parse_document(text, source=source))])


def test_import_is_idempotent_and_versions_changes(platform: Platform) -> None:
    with unit_of_work(platform.sessions) as session:
        _import(session, BANK)
    with unit_of_work(platform.sessions) as session:
        report = import_files(session, [BankFile("b", parse_document(BANK, source="b"))])
        assert (report.created, report.updated, report.unchanged) == (0, 0, 4)
    changed = BANK.replace("What is the running time of binary search?", "How fast is binary search?")
    with unit_of_work(platform.sessions) as session:
        report = import_files(session, [BankFile("b", parse_document(changed, source="b"))])
        assert report.updated == 1
        assert report.files[0].updated == ["big-o"]
    with unit_of_work(platform.sessions) as session:
        detail = describe_question(session, "big-o")
        assert detail.version == 2
        assert detail.versions == [1, 2]
        assert detail.question.text == "How fast is binary search?"
        # The old version stays readable for the reports of attempts that used it.
        assert get_question(session, "big-o", 1).text == "What is the running time of binary search?"
        with pytest.raises(NotFound):
            get_question(session, "big-o", 3)
        with pytest.raises(NotFound):
            get_question(session, "nope")


def test_a_file_that_fails_midway_leaves_no_trace(platform: Platform, monkeypatch: pytest.MonkeyPatch) -> None:
    good = BankFile("good", parse_document(BANK, source="good"))
    bad = BankFile("bad", parse_document(BANK.replace("id: two-sum", "id: two-sum-b"), source="bad"))
    original = QuestionRepository._index
    calls: list[int] = []

    def index_then_fail(self: QuestionRepository, *args: Any, **kwargs: Any) -> None:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        original(self, *args, **kwargs)

    monkeypatch.setattr(QuestionRepository, "_index", index_then_fail)
    with unit_of_work(platform.sessions) as session:
        with pytest.raises(RuntimeError, match="disk full"):
            import_files(session, [good, bad])
        # The failed file's savepoint rolled back; the good file is still pending in this transaction.
        ids = [s.id for s in list_questions(session, QuestionFilter())[0]]
        assert ids == ["bfs", "big-o", "gil", "two-sum"]
    with unit_of_work(platform.sessions) as session:
        assert list_questions(session, QuestionFilter())[1] == 4
        assert search_questions(session, "numbers", QuestionFilter())[0].id == "two-sum"


def test_filters(platform: Platform) -> None:
    with unit_of_work(platform.sessions) as session:
        _import(session, BANK)
        def ids(flt: QuestionFilter) -> list[str]:
            return [s.id for s in list_questions(session, flt)[0]]
        assert ids(QuestionFilter()) == ["bfs", "big-o", "gil", "two-sum"]
        assert ids(QuestionFilter(types=["code"])) == ["bfs", "two-sum"]
        assert ids(QuestionFilter(topics=["hashing"])) == ["two-sum"]
        assert ids(QuestionFilter(tags=["classic"], types=["mcq"])) == ["big-o"]
        assert ids(QuestionFilter(languages=["cpp"])) == ["bfs"]
        assert ids(QuestionFilter(difficulty_levels=["medium"])) == ["big-o", "gil"]
        assert ids(QuestionFilter(min_difficulty=0.6)) == ["bfs"]
        assert ids(QuestionFilter(max_difficulty=0.3)) == ["two-sum"]
        assert list_questions(session, QuestionFilter(), limit=2, offset=1)[0][0].id == "big-o"
        assert list_questions(session, QuestionFilter(types=["code"]))[1] == 2


def test_full_text_search_ranks_and_filters(platform: Platform) -> None:
    with unit_of_work(platform.sessions) as session:
        _import(session, BANK)
        assert [s.id for s in search_questions(session, "binary search", QuestionFilter())] == ["big-o"]
        assert [s.id for s in search_questions(session, "graph", QuestionFilter())] == ["bfs"]  # prefix
        assert {s.id for s in search_questions(session, "classic", QuestionFilter())} == {"two-sum", "big-o"}
        assert [s.id for s in search_questions(session, "classic", QuestionFilter(types=["mcq"]))] == ["big-o"]
        assert search_questions(session, "concurrency", QuestionFilter())[0].id == "gil"  # topics are indexed
        assert search_questions(session, "zebra", QuestionFilter()) == []
        # Punctuation and quotes never reach the query language as syntax.
        assert search_questions(session, '"binary" (search) -* ^:', QuestionFilter())[0].id == "big-o"
    changed = BANK.replace("Shortest path in an unweighted graph.", "Walk a maze level by level.")
    with unit_of_work(platform.sessions) as session:
        _import(session, changed)
        assert search_questions(session, "unweighted", QuestionFilter()) == []
        assert [s.id for s in search_questions(session, "maze", QuestionFilter())] == ["bfs"]


def test_export_round_trips_through_the_database(platform: Platform, adr_example: Path, tmp_path: Path) -> None:
    from codesensei.bank.files import dump_questions

    with unit_of_work(platform.sessions) as session:
        import_files(session, read_bank(adr_example))
        _import(session, BANK)
        exported: list[AnyQuestion] = export_questions(session, QuestionFilter())
    path = tmp_path / "export.yaml"
    path.write_text(dump_questions(exported))
    assert load_questions(path) == exported
    with unit_of_work(platform.sessions) as session:
        report = import_files(session, read_bank(path))
        assert report.unchanged == len(exported) == 6
