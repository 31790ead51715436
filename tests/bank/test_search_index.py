"""The search index answers filters itself (migration 0006): results must equal the plain SQL filters, on both
databases, through imports, re-imports, deactivation and the migration's downgrade and upgrade."""

from __future__ import annotations

import json
import random
import threading
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.orm import Session

from codesensei.bank.files import BankFile, parse_document
from codesensei.bank.service import import_files, search_questions
from codesensei.platform import Platform
from codesensei.store import migrate
from codesensei.store.db import make_engine, unit_of_work
from codesensei.store.questions import QuestionFilter, QuestionRepository, facet_token

WORDS = ["graph", "graphs", "path", "paths", "tree", "sort", "sorting", "merge", "heap", "cache", "thread", "lock"]
TOPICS = ["graphs", "two-pointers", "dynamic programming", "C++ idioms", "naïve-bayes", "sql"]
SKILLS = ["debugging", "design", "reading"]
TAGS = ["classic", "interview", "warm up"]
LANGUAGES = ["python", "javascript", "cpp"]
DIFFICULTIES: list[Any] = ["easy", "medium", "hard", 0.1, 0.35, 0.6, 0.9]
FILTERS = [
    QuestionFilter(),
    QuestionFilter(types=["code"]),
    QuestionFilter(types=["mcq", "true_false"]),
    QuestionFilter(topics=["graphs"]),
    QuestionFilter(topics=["dynamic programming", "C++ idioms"]),
    QuestionFilter(topics=["naïve-bayes"], tags=["warm up"]),
    QuestionFilter(skills=["design"]),
    QuestionFilter(tags=["classic"], types=["code"]),
    QuestionFilter(languages=["cpp"]),
    QuestionFilter(difficulty_levels=["hard"]),
    QuestionFilter(difficulty_levels=["easy", "medium"], topics=["sql"]),
    QuestionFilter(min_difficulty=0.5),
    QuestionFilter(max_difficulty=0.35, types=["short_answer"]),
    QuestionFilter(min_difficulty=0.3, max_difficulty=0.6, languages=["python"]),
    QuestionFilter(topics=["not-a-topic"]),
    QuestionFilter(include_inactive=True),
    QuestionFilter(include_inactive=True, topics=["graphs"]),
]
QUERIES = ["graph", "path", "sort merge", "tree heap", "thread lock cache", "gra", "so", "graphs path"]


def _question(rng: random.Random, index: int) -> dict[str, Any]:
    kind = ["code", "mcq", "true_false", "short_answer"][index % 4]
    words = rng.choices(WORDS, k=8)
    question: dict[str, Any] = {
        "id": f"q-{index:03d}", "type": kind, "title": " ".join(words[:3]).capitalize(), "text": " ".join(words),
        "topics": rng.sample(TOPICS, rng.randint(0, 2)), "skills": rng.sample(SKILLS, rng.randint(0, 1)),
        "tags": rng.sample(TAGS, rng.randint(0, 2)), "difficulty": rng.choice(DIFFICULTIES),
    }
    if kind == "code":
        question.update(languages=rng.sample(LANGUAGES, rng.randint(1, 2)), entry_point="solve",
                        tests=[{"name": "s", "kind": "call", "args": [index], "expected": index}])
    elif kind == "mcq":
        question.update(options=[{"key": "A", "text": "yes"}, {"key": "B", "text": "no"}], answer="A")
    elif kind == "true_false":
        question["answer"] = True
    else:
        question["answer"] = ["yes"]
    return question


def _bank(questions: list[dict[str, Any]], source: str = "bank.json") -> BankFile:
    return BankFile(source, parse_document(json.dumps({"questions": questions}), source=source))


def _expected(session: Session, query: str, flt: QuestionFilter) -> set[str]:
    """The reference answer: questions matching the words (no filter) that the plain SQL filters keep."""
    repository = QuestionRepository(session)
    words = {row.id for row in repository.search(query, QuestionFilter(include_inactive=True), limit=10_000)}
    return words & set(repository.ids(flt))


def _found(session: Session, query: str, flt: QuestionFilter) -> list[str]:
    return [row.id for row in QuestionRepository(session).search(query, flt, limit=10_000)]


def _check_all(session: Session) -> int:
    checked = 0
    for query in QUERIES:
        for flt in FILTERS:
            found = _found(session, query, flt)
            assert len(found) == len(set(found))
            assert set(found) == _expected(session, query, flt), (query, flt)
            checked += len(found)
    return checked


def test_filters_inside_the_index_equal_the_sql_filters(platform: Platform) -> None:
    rng = random.Random(6)
    questions = [_question(rng, i) for i in range(160)]
    with unit_of_work(platform.sessions) as session:
        import_files(session, [_bank(questions[:100]), _bank(questions[100:], "more.json")])
    with unit_of_work(platform.sessions) as session:
        repository = QuestionRepository(session)
        for question_id in ("q-001", "q-004", "q-010", "q-033"):
            repository.set_active(question_id, False)
        repository.set_active("q-033", True)
    with unit_of_work(platform.sessions) as session:
        assert _check_all(session) > 500  # the queries really do return questions
        inactive = {"q-001", "q-004", "q-010"}
        assert not inactive & set(_found(session, "graph path sort tree heap thread lock cache", QuestionFilter()))
    # Re-import with changed labels, types and difficulties: the index must follow every change.
    for question in questions[::3]:
        question["topics"] = ["graphs"] if "graphs" not in question["topics"] else ["sql"]
        question["tags"] = ["interview"]
        question["difficulty"] = 0.95
        question["text"] += " merge"
    with unit_of_work(platform.sessions) as session:
        report = import_files(session, [_bank(questions)])
        assert report.updated == len(questions[::3])
    with unit_of_work(platform.sessions) as session:
        _check_all(session)
        # Deactivation survives a re-import of a changed question.
        assert "q-001" not in _found(session, "merge", QuestionFilter())
        assert "q-001" in _found(session, "merge", QuestionFilter(include_inactive=True))


def test_ranking_limit_and_difficulty_range_keep_the_best_first(platform: Platform) -> None:
    questions = []
    for index in range(60):
        # Questions whose title is the word rank above those that only mention it once in a long text.
        title = "Cache eviction" if index % 10 == 0 else f"Question {index}"
        filler = " ".join(["words"] * 20)
        questions.append({"id": f"r-{index:02d}", "type": "true_false", "title": title,
                          "text": f"{filler} cache {filler}", "difficulty": round(index / 60, 3), "answer": True})
    with unit_of_work(platform.sessions) as session:
        import_files(session, [_bank(questions)])
        best = [s.id for s in search_questions(session, "cache", QuestionFilter(), limit=6)]
        assert set(best) == {"r-00", "r-10", "r-20", "r-30", "r-40", "r-50"}
        # A range walks the ranked matches until enough pass; the best passing ones come first.
        ranged = [s.id for s in search_questions(session, "cache", QuestionFilter(min_difficulty=0.5), limit=4)]
        assert set(ranged[:3]) == {"r-30", "r-40", "r-50"}
        assert len(ranged) == 4
        assert all(int(i[2:]) >= 30 for i in ranged)
        many = search_questions(session, "cache", QuestionFilter(max_difficulty=0.99), limit=500)
        assert len(many) == 60


def test_facet_tokens_are_single_index_tokens() -> None:
    tokens = {facet_token(kind, value) for kind in ("topic", "tag", "type") for value in [*TOPICS, *TAGS, "code"]}
    assert len(tokens) == 3 * (len(TOPICS) + len(TAGS) + 1)
    assert all(token.isdigit() for token in tokens)
    # The kind is part of the token: topic "python" and language "python" are different filters.
    assert facet_token("topic", "python") != facet_token("language", "python")


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrate.MIGRATIONS))
    return config


def test_migration_0006_carries_the_index_down_and_up(platform: Platform, database_url: str) -> None:
    rng = random.Random(11)
    questions = [_question(rng, i) for i in range(40)]
    with unit_of_work(platform.sessions) as session:
        import_files(session, [_bank(questions)])
        QuestionRepository(session).set_active("q-002", False)
    with unit_of_work(platform.sessions) as session:
        before = {(q, str(f)): _found(session, q, f) for q in QUERIES for f in FILTERS}
    platform.engine.dispose()
    engine = make_engine(database_url)
    config = _config()
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0005")
        with engine.connect() as connection:
            # The shape of 0001 is back, filled from `questions`.
            if connection.dialect.name == "sqlite":
                found = connection.execute(
                    text("SELECT count(*) FROM question_fts WHERE question_fts MATCH 'graph'")
                ).scalar()
                columns = [row[1] for row in connection.execute(text("PRAGMA table_info(question_fts)"))]
                assert columns == ["title", "text", "labels"]
            else:
                found = connection.execute(
                    text("SELECT count(*) FROM questions WHERE search_document @@ to_tsquery('simple', 'graph')")
                ).scalar()
                assert not connection.execute(text("SELECT to_regclass('question_search')")).scalar()
            assert found
        migrate.upgrade(engine)
        assert migrate.current_revision(engine) == migrate.head_revision()
    finally:
        engine.dispose()
    with unit_of_work(platform.sessions) as session:
        after = {(q, str(f)): _found(session, q, f) for q in QUERIES for f in FILTERS}
        assert after == before
        _check_all(session)


def test_concurrent_imports_both_land_in_the_index(platform: Platform) -> None:
    """Two imports at once: on SQLite the second waits for the first's write lock, and neither reuses a rowid."""
    rng = random.Random(3)
    banks = [[_question(rng, i) for i in range(start, start + 120)] for start in (0, 500)]
    barrier = threading.Barrier(2)
    failures: list[Exception] = []

    def run(questions: list[dict[str, Any]]) -> None:
        try:
            bank = _bank(questions)
            with unit_of_work(platform.sessions) as session:
                barrier.wait(timeout=10)
                import_files(session, [bank])
        except Exception as exc:  # noqa: BLE001 - reported below, in the test's thread
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(bank,)) for bank in banks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    with unit_of_work(platform.sessions) as session:
        assert len(QuestionRepository(session).ids(QuestionFilter())) == 240
        _check_all(session)
