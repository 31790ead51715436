"""Bank import throughput and search latency on 100,000 generated questions, on SQLite and PostgreSQL.

Targets (issue 2): import >= 5,000 questions/s; search p99 <= 10 ms on SQLite.
Usage: .venv/bin/python bench/bank_search.py [--questions 100000] [--postgres postgresql://postgres@127.0.0.1/test]
"""

from __future__ import annotations

import argparse
import json
import random
import shlex
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import text

from codesensei.bank.files import read_bank
from codesensei.bank.service import import_files, search_questions
from codesensei.store import migrate
from codesensei.store.db import make_engine, session_factory, unit_of_work
from codesensei.store.questions import QuestionFilter

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


def measure(url: str, folder: Path, count: int) -> dict[str, float]:
    engine = make_engine(url)
    migrate.upgrade(engine)
    sessions = session_factory(engine)
    start = time.perf_counter()
    files = read_bank(folder)
    with unit_of_work(sessions) as session:
        report = import_files(session, files)
    import_s = time.perf_counter() - start
    assert report.created == count, report.created
    latencies: list[float] = []
    with unit_of_work(sessions) as session:
        for query, flt in QUERIES:  # warm the caches once, as a running server would be
            search_questions(session, query, flt)
        for _ in range(5):
            for query, flt in QUERIES:
                began = time.perf_counter()
                search_questions(session, query, flt, limit=20)
                latencies.append((time.perf_counter() - began) * 1000)
    engine.dispose()
    latencies.sort()
    return {
        "import_s": import_s,
        "import_per_s": count / import_s,
        "p50_ms": statistics.median(latencies),
        "p99_ms": latencies[min(len(latencies) - 1, round(0.99 * len(latencies)))],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=int, default=100_000)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "bank"
        folder.mkdir()
        questions = generate(args.questions, args.seed)
        per_file = 10_000
        for start in range(0, len(questions), per_file):
            chunk = questions[start : start + per_file]
            (folder / f"part-{start // per_file:03d}.json").write_text(json.dumps({"questions": chunk}))
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
    print(f"command: {shlex.join([sys.executable, *sys.argv])}")
    print(f"{args.questions} questions, {len(QUERIES)} queries x 5 runs, limit 20")
    print("| database | import s | import questions/s | search p50 ms | search p99 ms |")
    print("|---|---|---|---|---|")
    for name, r in results.items():
        print(f"| {name} | {r['import_s']:.1f} | {r['import_per_s']:,.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} |")
    print("targets: import >= 5,000 questions/s; search p99 <= 10 ms on SQLite")


if __name__ == "__main__":
    main()
