"""The starter bank on the first start: its problems and quiz imported once, its assessments published."""

from __future__ import annotations

from pathlib import Path

from codesensei.platform import STARTER_BANK_MARKER, open_platform
from codesensei.sessions.assessments import list_assessments
from codesensei.settings import Settings
from codesensei.store.db import unit_of_work
from codesensei.store.meta import MetaRepository
from codesensei.store.questions import QuestionFilter, QuestionRepository

PROBLEMS = """
- {id: arrays.double, type: code, title: Double, text: Print twice the input., topics: [arrays],
   tests: [{name: s, kind: stdio, input: "2", expected: "4"}]}
"""
QUIZ = """
- {id: quiz.arrays.index, type: true_false, title: Indexing, text: Lists index from 0., topics: [arrays],
   answer: true}
"""
FIXED = "id: starter-fixed\ntitle: Fixed\nquestions: [arrays.double, quiz.arrays.index]\n"
RANDOM = "id: starter-random\ntitle: Random\nmode: random\nquestion_count: 2\npool: {topics: [arrays]}\n"


def _starter(root: Path) -> Path:
    for folder, name, text in (
        ("problems", "arrays.yaml", PROBLEMS),
        ("quiz", "arrays.yaml", QUIZ),
        ("assessments", "fixed.yaml", FIXED),
        ("assessments", "random.yaml", RANDOM),
    ):
        (root / folder).mkdir(parents=True, exist_ok=True)
        (root / folder / name).write_text(text, encoding="utf-8")
    return root


def _state(settings: Settings) -> tuple[set[str], dict[str, str], str | None]:
    platform = open_platform(settings)
    try:
        with unit_of_work(platform.sessions) as session:
            ids = set(QuestionRepository(session).ids(QuestionFilter()))
            published = {a.definition.id: a.status for a in list_assessments(session)}
            return ids, published, MetaRepository(session).get(STARTER_BANK_MARKER)
    finally:
        platform.close()


def test_first_start_imports_the_starter_bank_and_publishes_its_assessments(database_url: str, tmp_path: Path) -> None:
    absent = Settings(database_url=database_url, data_dir=tmp_path / "data", starter_bank_dir=tmp_path / "not-there")
    ids, assessments, marker = _state(absent)
    # No starter bank yet: the sample bank arrives, and the marker stays unset for a later version's bank.
    assert "algo-longest-run" in ids
    assert (assessments, marker) == ({}, None)
    empty = tmp_path / "empty"
    for folder in ("problems", "quiz", "assessments"):
        (empty / folder).mkdir(parents=True)
    assert _state(absent.model_copy(update={"starter_bank_dir": empty}))[2] is None

    starter = absent.model_copy(update={"starter_bank_dir": _starter(tmp_path / "starter")})
    ids, assessments, marker = _state(starter)
    assert {"arrays.double", "quiz.arrays.index", "algo-longest-run"} <= ids
    assert assessments == {"starter-fixed": "published", "starter-random": "published"}
    assert marker == "1"
    # Once only: later starts import nothing again (an assessment added to the files since is not created).
    (tmp_path / "starter" / "assessments" / "late.yaml").write_text(
        "id: late\ntitle: Late\nquestions: [arrays.double]\n"
    )
    assert _state(starter)[1] == assessments


def test_tests_that_skip_the_sample_bank_skip_the_starter_bank(database_url: str, tmp_path: Path) -> None:
    settings = Settings(
        database_url=database_url,
        data_dir=tmp_path / "data",
        load_sample_bank=False,
        starter_bank_dir=_starter(tmp_path / "starter"),
    )
    assert _state(settings) == (set(), {}, None)
