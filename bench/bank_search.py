"""Bank import throughput and search latency on 100,000 generated questions, on SQLite and PostgreSQL.

Targets (issue 2): import >= 5,000 questions/s; search p99 <= 10 ms on SQLite.
Usage: .venv/bin/python bench/bank_search.py [--questions 100000] [--postgres postgresql://postgres@127.0.0.1/test]

Import is timed end to end (reading and validating the files, then `import_files` in one transaction) and split
into its two halves. Search is timed through `search_questions`, and compared in the same run, on the same
database, with two baselines: the query shape used before migration 0006 (rank every match, then join
`questions` and filter there; on SQLite against a copy of the previous FTS5 index) and a plain LIKE scan with
the same filters and no index at all. The last column compares the rankings: the share of the previous shape's
top 20 that search returns too, and for how many queries the order is the same.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import re
import shlex
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import column, func, or_, select, table, text
from sqlalchemy.orm import Session

from codesensei.bank.files import read_bank
from codesensei.bank.service import import_files, search_questions
from codesensei.store import migrate
from codesensei.store.db import make_engine, session_factory, unit_of_work
from codesensei.store.questions import QuestionFilter, QuestionRepository
from codesensei.store.tables import QuestionRow

TOPIC_TERMS = {
    "arrays": "array prefix suffix sum product matrix rotate subarray kadane",
    "strings": "string palindrome anagram substring parse token unicode",
    "hashing": "hash map set bucket collision frequency",
    "two-pointers": "pointer window sliding partition dutch",
    "stacks": "stack queue deque monotonic bracket",
    "linked-lists": "node linked cycle reverse merge",
    "trees": "tree traversal depth breadth balanced binary inorder",
    "graphs": "graph path shortest edge dijkstra topological cycle",
    "dynamic-programming": "recursion memo table subsequence longest knapsack",
    "sorting": "sort search binary merge quick heap",
    "math": "prime modular gcd bits power",
    "sql": "query index join transaction select",
    "concurrency": "thread lock race deadlock mutex async",
    "testing": "test mock fixture assert coverage",
    "complexity": "complexity linear logarithmic quadratic amortised",
}
TOPICS = list(TOPIC_TERMS)
GENERIC = ["given", "return", "write", "function", "input", "output", "value", "values", "list", "number", "numbers", "element", "elements", "first", "last", "each", "every", "find", "count", "compute", "result", "example", "constraint", "constraints", "integer", "integers", "empty", "order", "length", "size", "maximum", "minimum", "target", "pair", "pairs", "case", "cases"]
# Each topic also has a long tail of rarer words, so word frequencies follow the skewed shape of real text.
VOCABULARY = {t: terms.split() + [f"{t[:4]}{n}" for n in range(150)] for t, terms in TOPIC_TERMS.items()}
QUERIES = [
    ("binary search", QuestionFilter()),
    ("shortest path", QuestionFilter(topics=["graphs"])),
    ("hash map", QuestionFilter(types=["code"])),
    ("deadlock", QuestionFilter()),
    ("merge sort", QuestionFilter(difficulty_levels=["easy"])),
    ("prefix sum", QuestionFilter(languages=["python"])),
    ("tree traversal depth", QuestionFilter()),
    ("sliding window", QuestionFilter(topics=["two-pointers"], types=["code"])),
    ("transaction", QuestionFilter(types=["mcq"])),
    ("longest subsequence", QuestionFilter(min_difficulty=0.6)),
    ("quadratic", QuestionFilter()),
    ("join index", QuestionFilter(topics=["sql"])),
    ("recursion memo", QuestionFilter(difficulty_levels=["hard"])),
    ("stack queue", QuestionFilter(types=["mcq", "true_false"])),
    ("matrix product", QuestionFilter()),
    ("greedy interval", QuestionFilter(tags=["classic"])),
    ("thread race", QuestionFilter(topics=["concurrency"])),
    ("mock fixture", QuestionFilter(types=["short_answer"])),
    ("cycle", QuestionFilter(max_difficulty=0.3)),
    ("amortised heap", QuestionFilter()),
]
RUNS = 5
LIKE_RUNS = 1  # a full scan per query: one run of each is enough to show the scale


def generate(count: int, seed: int) -> list[dict[str, object]]:
    rng = random.Random(seed)
    questions: list[dict[str, object]] = []
    for index in range(count):
        topics = rng.sample(TOPICS, 2)
        vocabulary = VOCABULARY[topics[0]] + VOCABULARY[topics[1]]
        # Zipf-like: earlier words of a topic's vocabulary (its real terms) are drawn far more often.
        weights = [1 / (rank + 1) for rank in range(len(vocabulary))]
        words = rng.choices(vocabulary, weights=weights, k=10) + rng.sample(GENERIC, 20)
        rng.shuffle(words)
        title = " ".join(words[:5]).capitalize()
        body = " ".join(words) + f". Variant {index}."
        common = {
            "id": f"gen-{index:06d}", "title": title, "text": body, "topics": topics,
            "tags": ["classic"] if index % 7 == 0 else [], "difficulty": rng.choice(["easy", "medium", "hard"]),
        }
        kind = index % 4
        if kind == 0:
            questions.append({**common, "type": "code", "languages": rng.sample(["python", "javascript", "cpp"], 2),
                              "entry_point": "solve",
                              "tests": [{"name": "s", "kind": "call", "args": [index], "expected": index}]})
        elif kind == 1:
            questions.append({**common, "type": "mcq", "answer": "B",
                              "options": [{"key": k, "text": rng.choice(GENERIC)} for k in "ABCD"]})
        elif kind == 2:
            questions.append({**common, "type": "true_false", "answer": bool(index % 2)})
        else:
            questions.append({**common, "type": "short_answer", "answer": [rng.choice(GENERIC)]})
    return questions


# ---- baselines -------------------------------------------------------------------------------------------

_WORD = re.compile(r"\w+")


# On SQLite the previous query shape runs on a copy of the previous index (the FTS5 table of migration 0001,
# without facets and with prefix indexes of 2 to 6 characters), built in the benchmark's database after the
# import, so its ranking is exactly the one before migration 0006.
PREVIOUS_FTS = "bench_question_fts_0001"


def build_previous_index(session: Session) -> None:
    session.execute(text(
        f"CREATE VIRTUAL TABLE {PREVIOUS_FTS} USING fts5(title, text, labels, "
        "tokenize = 'porter unicode61 remove_diacritics 2', prefix = '2 3 4 5 6')"
    ))
    session.execute(text(
        f"INSERT INTO {PREVIOUS_FTS} (rowid, title, text, labels) SELECT rowid, title, text, search_labels FROM questions"
    ))


def previous_shape(self: QuestionRepository, query: str, flt: QuestionFilter, *, limit: int = 20) -> list[QuestionRow]:
    """The repository's search before migration 0006: rank every match, then join `questions` and apply the
    filters there (labels through EXISTS), then load the winners."""
    tokens = _WORD.findall(query.lower())[:12]
    if self.dialect == "sqlite":
        last = tokens[-1]
        wildcard = "*" if 2 <= len(last) <= 6 else ""
        words = " ".join(f'"{t}"' for t in tokens[:-1]) + f' "{last}"{wildcard}'
        ranked = (
            select(text("rowid AS fts_rowid"), text("rank AS fts_rank"))
            .select_from(text(PREVIOUS_FTS))
            .where(text(f"{PREVIOUS_FTS} MATCH :match"))
            .cte("ranked")
            .prefix_with("MATERIALIZED", dialect="sqlite")
        )
        statement = (
            select(QuestionRow.id)
            .join(ranked, text("questions.rowid = ranked.fts_rowid"))
            .order_by(text("ranked.fts_rank"))
            .params(match=words)
        )
    else:
        tsquery = " & ".join([*tokens[:-1], f"{tokens[-1]}:*"])
        search = table("question_search", column("question_id"), column("document"))
        condition = text("question_search.document @@ to_tsquery('simple', :tsquery)")
        statement = (
            select(QuestionRow.id)
            .join(search, search.c.question_id == QuestionRow.id)
            .where(condition)
            .order_by(func.ts_rank(search.c.document, func.to_tsquery("simple", tsquery)).desc(), QuestionRow.id)
            .params(tsquery=tsquery)
        )
    ids = list(self.session.scalars(self._filtered(statement, flt).limit(limit)))
    rows = {row.id: row for row in self.session.scalars(select(QuestionRow).where(QuestionRow.id.in_(ids)))}
    return [rows[question_id] for question_id in ids]


def like_scan(self: QuestionRepository, query: str, flt: QuestionFilter, *, limit: int = 20) -> list[QuestionRow]:
    """No index: every word must occur in the title, text or labels (the last as typed), ordered by id."""
    statement = select(QuestionRow)
    for token in _WORD.findall(query.lower())[:12]:
        pattern = f"%{token}%"
        statement = statement.where(or_(
            QuestionRow.title.ilike(pattern), QuestionRow.text.ilike(pattern), QuestionRow.search_labels.ilike(pattern)
        ))
    return list(self.session.scalars(self._filtered(statement, flt).order_by(QuestionRow.id).limit(limit)))


@contextmanager
def searching_with(implementation: Callable[..., list[QuestionRow]] | None) -> Iterator[None]:
    """Run `search_questions` (the whole service path) with another repository search swapped in."""
    if implementation is None:
        yield
        return
    original = QuestionRepository.search
    QuestionRepository.search = implementation  # type: ignore[method-assign]
    try:
        yield
    finally:
        QuestionRepository.search = original  # type: ignore[method-assign]


def latencies(session: Session, runs: int) -> tuple[list[float], list[list[str]]]:
    for query, flt in QUERIES:  # warm the caches once, as a running server would be
        search_questions(session, query, flt)
    timings: list[float] = []
    results: list[list[str]] = []
    for run in range(runs):
        for query, flt in QUERIES:
            began = time.perf_counter()
            found = search_questions(session, query, flt, limit=20)
            timings.append((time.perf_counter() - began) * 1000)
            if run == 0:
                results.append([s.id for s in found])
    return sorted(timings), results


def percentiles(timings: list[float]) -> tuple[float, float]:
    return statistics.median(timings), timings[min(len(timings) - 1, round(0.99 * len(timings)))]


def measure(url: str, folder: Path, count: int) -> dict[str, Any]:
    engine = make_engine(url)
    migrate.upgrade(engine)
    sessions = session_factory(engine)
    start = time.perf_counter()
    files = read_bank(folder)
    parsed = time.perf_counter()
    with unit_of_work(sessions) as session:
        report = import_files(session, files)
    import_s = time.perf_counter() - start
    assert report.created == count, report.created
    out: dict[str, Any] = {"import_s": import_s, "import_per_s": count / import_s, "read_s": parsed - start,
                           "store_s": import_s - (parsed - start)}
    # The import leaves millions of dead objects for Python's cycle collector; its full collections would land
    # inside the first searches timed (up to 16 ms each in measurements) and measure the import, not the search.
    # A server collects them long before: collect them here, outside every timing.
    del files, report
    gc.collect()
    shapes: dict[str, tuple[Callable[..., list[QuestionRow]] | None, int]] = {
        "search": (None, RUNS), "previous": (previous_shape, RUNS), "like": (like_scan, LIKE_RUNS),
    }
    found: dict[str, list[list[str]]] = {}
    for name, (implementation, runs) in shapes.items():
        if name == "previous" and url.startswith("sqlite"):
            # Built after search was timed, so its writes do not disturb that measurement.
            with unit_of_work(sessions) as session:
                build_previous_index(session)
        with unit_of_work(sessions) as session, searching_with(implementation):
            timings, found[name] = latencies(session, runs)
        out[f"{name}_p50"], out[f"{name}_p99"] = percentiles(timings)
    engine.dispose()
    # How far today's ranking is from the previous query shape's: the share of its top 20 we also return.
    overlaps = [len(set(a) & set(b)) / len(b) for a, b in zip(found["search"], found["previous"], strict=True) if b]
    out["overlap"] = statistics.mean(overlaps)
    out["same_order"] = sum(a == b for a, b in zip(found["search"], found["previous"], strict=True))
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
        folder = Path(tmp) / "bank"
        folder.mkdir()
        questions = generate(args.questions, args.seed)
        per_file = 10_000
        for start in range(0, len(questions), per_file):
            chunk = questions[start : start + per_file]
            (folder / f"part-{start // per_file:03d}.json").write_text(json.dumps({"questions": chunk}))
        del questions
        results["sqlite"] = measure(f"sqlite:///{tmp}/bench.db", folder, args.questions)
        if args.postgres:
            name = f"sensei_bench_{uuid.uuid4().hex[:8]}"
            admin = make_engine(args.postgres).execution_options(isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            try:
                url = args.postgres.rsplit("/", 1)[0] + f"/{name}"
                results["postgresql"] = measure(url, folder, args.questions)
            finally:
                with admin.connect() as connection:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()
    load_after = os.getloadavg()
    print(f"command: {shlex.join([sys.executable, *sys.argv])}")
    print(f"load average (1, 5, 15 min): before {' '.join(f'{x:.2f}' for x in load_before)}, "
          f"after {' '.join(f'{x:.2f}' for x in load_after)}; {os.cpu_count()} CPUs")
    print(f"{args.questions} questions in {-(-args.questions // 10_000)} files; {len(QUERIES)} queries x {RUNS} runs "
          f"(LIKE scan x {LIKE_RUNS}), limit 20; times in ms")
    print()
    print("| database | import s (read + store) | import questions/s | search p50 | search p99 "
          "| previous shape p50 | previous shape p99 | LIKE scan p50 | LIKE scan p99 | top-20 overlap with previous |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, r in results.items():
        print(f"| {name} | {r['import_s']:.1f} ({r['read_s']:.1f} + {r['store_s']:.1f}) | {r['import_per_s']:,.0f} "
              f"| {r['search_p50']:.2f} | {r['search_p99']:.2f} | {r['previous_p50']:.2f} | {r['previous_p99']:.2f} "
              f"| {r['like_p50']:.1f} | {r['like_p99']:.1f} | {r['overlap']:.0%} ({r['same_order']}/{len(QUERIES)} "
              "in the same order) |")
    print()
    print("targets: import >= 5,000 questions/s; search p99 <= 10 ms on SQLite")


if __name__ == "__main__":
    main()
