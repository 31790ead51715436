"""What keeping practice to practice-open questions costs: topic counts and pool sizes on a large bank.

Practice reads `practice` from each question's stored body (no column, no migration), so the practice setup
page's topic counts and each practice start's pool count test it on every candidate row. This times them with
and without that test, on SQLite and PostgreSQL, over generated questions of which half are open to practice.
Usage: .venv/bin/python bench/practice_pool.py [--questions 100000] [--postgres URL | --postgres '']
"""

from __future__ import annotations

import argparse
import os
import random
import shlex
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from codesensei.bank.files import BankFile
from codesensei.bank.model import AnyQuestion, McqQuestion, Option, TrueFalseQuestion
from codesensei.bank.service import import_files
from codesensei.store import migrate
from codesensei.store.db import make_engine, session_factory, unit_of_work
from codesensei.store.questions import QuestionFilter, QuestionRepository

TOPICS = ["arrays", "strings", "hashing", "graphs", "trees", "sql", "python", "testing", "math", "sorting"]
RUNS = 20


def _bank(count: int, seed: int) -> list[AnyQuestion]:
    """Multiple-choice and true/false questions over two topics each; every other one open to practice."""
    rng = random.Random(seed)
    questions: list[AnyQuestion] = []
    for index in range(count):
        common: dict[str, Any] = {
            "id": f"gen-{index:06d}", "title": f"Question {index}", "text": f"Generated question {index}.",
            "topics": rng.sample(TOPICS, 2), "difficulty": rng.choice(["easy", "medium", "hard"]),
            "practice": index % 2 == 0,
        }
        if index % 2:
            questions.append(TrueFalseQuestion(**common, answer=True))
        else:
            options = [Option(key=key, text=f"option {key}") for key in "ABCD"]
            questions.append(McqQuestion(**common, options=options, answer="B"))
    return questions


def _timed(work: Callable[[], object]) -> tuple[float, float]:
    timings = []
    for _ in range(RUNS):
        start = time.perf_counter()
        work()
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return statistics.median(timings), timings[-1]


def _queries(session: Session, practice_only: bool) -> dict[str, Callable[[], object]]:
    repository = QuestionRepository(session)
    everything = QuestionFilter(practice_only=practice_only)
    one_topic = QuestionFilter(topics=["graphs"], types=["mcq"], practice_only=practice_only)

    def topic_counts() -> object:
        return repository.topic_counts(everything)

    def pool_count() -> object:
        return repository.count(one_topic)

    label = "practice-open" if practice_only else "whole bank"
    return {f"topic counts, {label}": topic_counts, f"pool count (topic + type), {label}": pool_count}


def measure(url: str, count: int, seed: int) -> dict[str, tuple[float, float]]:
    engine = make_engine(url)
    migrate.upgrade(engine)
    sessions = session_factory(engine)
    with unit_of_work(sessions) as session:
        import_files(session, [BankFile("bench", _bank(count, seed))])
    out: dict[str, tuple[float, float]] = {}
    with unit_of_work(sessions) as session:
        for practice_only in (False, True):
            for name, query in _queries(session, practice_only).items():
                out[name] = _timed(query)
    engine.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=int, default=100_000)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    load_before = os.getloadavg()
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["sqlite"] = measure(f"sqlite:///{tmp}/bench.db", args.questions, args.seed)
    if args.postgres:
        name = f"sensei_bench_{uuid.uuid4().hex[:8]}"
        admin = make_engine(args.postgres).execution_options(isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            results["postgresql"] = measure(args.postgres.rsplit("/", 1)[0] + f"/{name}", args.questions, args.seed)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    load_after = os.getloadavg()
    print(f"command: {shlex.join([sys.executable, *sys.argv])}")
    print(f"load average (1, 5, 15 min): before {' '.join(f'{x:.2f}' for x in load_before)}, "
          f"after {' '.join(f'{x:.2f}' for x in load_after)}; {os.cpu_count()} CPUs")
    print(f"{args.questions} questions, half open to practice; {RUNS} runs each; times in ms")
    print()
    print("| database | query | p50 | max |")
    print("|---|---|---|---|")
    for database, rows in results.items():
        for query, (p50, worst) in rows.items():
            print(f"| {database} | {query} | {p50:.1f} | {worst:.1f} |")


if __name__ == "__main__":
    main()
