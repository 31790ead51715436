"""`sensei bank verify` and generated performance tests, in the real sandbox: banks written to tmp_path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from codesensei.bank.files import load_questions
from codesensei.bank.model import CallTest, CodeAnswer, CodeQuestion
from codesensei.cli.main import app
from codesensei.runner.boxes import BoxTestOutcome
from codesensei.runner.compiler import Program
from codesensei.runner.generated import GeneratedTestError, cache_key, materialize
from codesensei.runner.jobs import JudgeJob
from codesensei.runner.judge import ColdBoxes, judge, judge_events, report_from_events
from codesensei.runner.judge import TestBox as Box  # aliased: pytest would try to collect `Test*`
from codesensei.runner.languages import Language
from codesensei.runner.sandbox import BwrapSandbox
from codesensei.runner.types import RunLimits
from codesensei.verification.rules import problem_rules
from codesensei.verification.verify import verify_paths

pytestmark = pytest.mark.sandbox

runner = CliRunner()

# Values up to 10**4 keep the sum of squares exact in JavaScript numbers. The slow solution squares by
# repeated addition: correct, and about 10**9 steps on the generated test, so it runs out of 4 × 0.5 s.
SUM_SQUARES = """
- id: t.sum-squares
  type: code
  title: Sum of squares
  text: Return the sum of the squares of `xs`.
  languages: [python, javascript]
  entry_point: sum_sq
  limits: {time_s: 0.5}
  tests:
    - {name: sample, kind: call, args: [[1, 2]], expected: 5, visibility: sample}
    - {name: pair, kind: call, args: [[3, 4]], expected: 25}
    - {name: empty, kind: call, args: [[]], expected: 0}
    - {name: large, kind: call, generated: true}
  generator:
    test: large
    code: |
      import json, random
      random.seed(20261123)
      print(json.dumps([[random.randint(1, 10**4) for _ in range(200_000)]]))
  solutions:
    - {language: python, code: "def sum_sq(xs):\\n    return sum(x * x for x in xs)\\n"}
    - {language: javascript, code: "function sum_sq(xs) { let t = 0; for (const x of xs) t += x * x; return t; }"}
    - {language: python, expect: wrong, code: "def sum_sq(xs):\\n    return sum(x * x for x in xs[1:])\\n"}
    - language: python
      expect: slow
      code: |
        def sum_sq(xs):
            return sum(sum(x for _ in range(x)) for x in xs)
"""

MAXIMUM = """
- id: t.maximum
  type: code
  title: Maximum
  text: Read n, then n integers; print the largest.
  languages: [python, javascript]
  limits: {time_s: 1}
  checker: tokens
  tests:
    - {name: sample, kind: stdio, input: "3\\n1 5 2\\n", expected: "5\\n", visibility: sample}
    - {name: negative, kind: stdio, input: "2\\n-4 -9\\n", expected: "-4\\n"}
    - {name: large, kind: stdio, generated: true}
  generator:
    test: large
    code: |
      import random
      random.seed(7)
      n = 100_000
      print(n)
      print(" ".join(str(random.randint(-10**9, 10**9)) for _ in range(n)))
  solutions:
    - language: python
      code: |
        import sys
        data = sys.stdin.read().split()
        print(max(map(int, data[1:])))
    - language: javascript
      code: |
        const d = require("fs").readFileSync(0, "utf8").trim().split(/\\s+/).map(Number);
        console.log(String(Math.max(...d.slice(1))));
"""

# Each question here breaks one check; `sensei bank verify` must say which and why.
BROKEN = """
- id: b.passing-wrong
  type: code
  title: A wrong solution that is right
  text: Return a + b.
  entry_point: add
  tests:
    - {name: s, kind: call, args: [1, 2], expected: 3, visibility: sample}
    - {name: h, kind: call, args: [5, 5], expected: 10}
  solutions:
    - {language: python, code: "def add(a, b):\\n    return a + b\\n"}
    - {language: python, expect: wrong, code: "def add(a, b):\\n    return b + a\\n"}
- id: b.too-slow-accepted
  type: code
  title: An accepted solution over a quarter of the limit
  text: Return a + b.
  entry_point: add
  limits: {time_s: 0.6}
  tests:
    - {name: h, kind: call, args: [5, 5], expected: 10}
  solutions:
    - language: python
      code: |
        import time
        def add(a, b):
            start = time.process_time()
            while time.process_time() - start < 0.3:
                pass
            return a + b
- id: b.fast-slow
  type: code
  title: A slow solution that is fast
  text: Return the sum of `xs`.
  entry_point: total
  limits: {time_s: 0.5}
  tests:
    - {name: h, kind: call, args: [[1, 2]], expected: 3}
    - {name: big, kind: call, generated: true}
  generator:
    test: big
    code: "print([[1, 2, 3]])"
  solutions:
    - {language: python, code: "def total(xs):\\n    return sum(xs)\\n"}
    - {language: python, expect: slow, code: "def total(xs):\\n    return sum(xs)\\n"}
- id: b.bad-generator
  type: code
  title: A generator that prints no JSON
  text: Return the sum of `xs`.
  entry_point: total
  tests:
    - {name: h, kind: call, args: [[1, 2]], expected: 3}
    - {name: big, kind: call, generated: true}
  generator:
    test: big
    code: "print('not json')"
  solutions:
    - {language: python, code: "def total(xs):\\n    return sum(xs)\\n"}
- id: b.compile-error-wrong
  type: code
  title: A wrong solution that does not compile
  text: Print the input.
  languages: [python, c]
  tests:
    - {name: h, kind: stdio, input: "1", expected: "1"}
  solutions:
    - {language: python, code: "print(input())"}
    - {language: c, expect: wrong, code: "int main( {"}
- id: b.essay
  type: essay
  title: Hash tables
  text: Why are hash table lookups fast?
  model_answer: A hash function picks a bucket, so a lookup inspects few entries.
  grading:
    method: keywords
    rubric:
      - {name: speed, key_phrases: [hash function, O(1)]}
- id: b.manual-essay
  type: essay
  title: Anything
  text: Say something.
"""


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "data"
    monkeypatch.setenv("SENSEI_DATA_DIR", str(path))
    return path


def _bank(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _question(text: str, tmp_path: Path) -> CodeQuestion:
    (question,) = load_questions(_bank(tmp_path, "one.yaml", text))
    assert isinstance(question, CodeQuestion)
    return question


def _call_test(question: CodeQuestion, name: str) -> CallTest:
    test = next(t for t in question.tests if t.name == name)
    assert isinstance(test, CallTest)
    return test


def _verify_json(*args: str) -> tuple[int, dict[str, Any]]:
    result = runner.invoke(app, ["bank", "verify", *args, "--json"])
    return result.exit_code, json.loads(result.stdout)


def _by_check(report: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["question"], r["check"]): r for r in report["results"]}


def test_verify_proves_good_problems_with_generated_tests(tmp_path: Path) -> None:
    bank = tmp_path / "bank"
    bank.mkdir()
    _bank(bank, "sum.yaml", SUM_SQUARES)
    _bank(bank, "max.yaml", MAXIMUM)
    code, report = _verify_json(str(bank), "--jobs", "2")
    results = _by_check(report)
    assert code == 0, [r for r in report["results"] if r["status"] != "pass"]
    assert report["ok"] is True
    assert set(results) == {
        ("t.sum-squares", "generate"),
        ("t.sum-squares", "accepted python"),
        ("t.sum-squares", "accepted javascript"),
        ("t.sum-squares", "wrong python"),
        ("t.sum-squares", "slow python"),
        ("t.maximum", "generate"),
        ("t.maximum", "accepted python"),
        ("t.maximum", "accepted javascript"),
    }
    assert "fails 2 hidden tests: pair, large" in results[("t.sum-squares", "wrong python")]["detail"]
    assert "time_limit_exceeded on large" in results[("t.sum-squares", "slow python")]["detail"]
    # The JavaScript solution agreeing with the Python-computed expected value is what confirms it.
    assert "4/4 tests" in results[("t.sum-squares", "accepted javascript")]["detail"]


def test_verify_reports_each_broken_check(tmp_path: Path) -> None:
    code, report = _verify_json(str(_bank(tmp_path, "broken.yaml", BROKEN)), "--jobs", "2")
    assert code == 1
    assert report["ok"] is False
    results = _by_check(report)
    failures = {key for key, r in results.items() if r["status"] == "fail"}
    assert failures == {
        ("b.passing-wrong", "wrong python"),
        ("b.too-slow-accepted", "accepted python"),
        ("b.fast-slow", "slow python"),
        ("b.bad-generator", "generate"),
        ("b.compile-error-wrong", "wrong c"),
        ("b.essay", "key"),
        ("b.manual-essay", "key"),
    }
    assert "passes every hidden test" in results[("b.passing-wrong", "wrong python")]["detail"]
    assert "a quarter of the 0.6 s limit" in results[("b.too-slow-accepted", "accepted python")]["detail"]
    assert "not slow enough" in results[("b.fast-slow", "slow python")]["detail"]
    assert "not JSON" in results[("b.bad-generator", "generate")]["detail"]
    assert results[("b.bad-generator", "accepted python")]["status"] == "skip"
    assert results[("b.compile-error-wrong", "wrong c")]["detail"].startswith("compile_error")
    assert "consider: O(1)" in results[("b.essay", "key")]["detail"]
    assert results[("b.manual-essay", "key")]["detail"] == "manual: needs a model_answer"


def test_only_selects_questions_by_pattern_and_the_table_renders(tmp_path: Path) -> None:
    bank = _bank(tmp_path, "broken.yaml", BROKEN)
    result = runner.invoke(app, ["bank", "verify", str(bank), "--only", "b.*essay"])
    assert result.exit_code == 1
    assert "b.manual-essay" in result.stdout
    assert "b.passing-wrong" not in result.stdout
    assert "2 question(s), 2 checks: 0 passed, 2 failed, 0 skipped" in " ".join(result.stdout.split())


def test_unreadable_banks_exit_1_with_their_problems(tmp_path: Path) -> None:
    bad = _bank(tmp_path, "bad.yaml", "- {id: q, type: mcq, title: t, text: x, options: [], answer: A}\n")
    code, report = _verify_json(str(bad))
    assert code == 1
    assert report["ok"] is False
    assert any("options" in problem for problem in report["problems"])


def test_generation_is_cached_by_content(tmp_path: Path, data_dir: Path) -> None:
    question = _question(SUM_SQUARES, tmp_path)
    sandbox = BwrapSandbox()
    cache = data_dir / "generated"
    filled = materialize(question, sandbox=sandbox, cache_dir=cache)
    large = _call_test(filled, "large")
    assert len(large.args[0]) == 200_000
    assert large.expected == sum(x * x for x in large.args[0])
    assert (filled.generator, large.generated) == (None, False)
    entry = cache / f"{cache_key(question)}.json"
    assert [p.name for p in cache.iterdir()] == [entry.name]
    # A second materialization reads the cache instead of running anything: a planted value comes back.
    document = json.loads(entry.read_text())
    document["fields"] = {"args": [[1]], "expected": 42}
    entry.write_text(json.dumps(document))
    again = materialize(question, sandbox=sandbox, cache_dir=cache)
    planted = _call_test(again, "large")
    assert (planted.args, planted.expected) == ([[1]], 42)
    # Anything the values depend on changes the key.
    assert question.generator is not None
    changed = question.model_copy(
        update={"generator": question.generator.model_copy(update={"code": question.generator.code + "\n"})}
    )
    assert cache_key(changed) != cache_key(question)
    assert cache_key(question.model_copy(update={"return_type": "TreeNode"})) != cache_key(question)


def test_generator_failures_are_typed_errors(tmp_path: Path) -> None:
    question = _question(SUM_SQUARES.replace("random.seed(20261123)", "raise SystemExit(3)"), tmp_path)
    with pytest.raises(GeneratedTestError, match="generator ended with runtime_error"):
        materialize(question, sandbox=BwrapSandbox(), cache_dir=None)
    failing_reference = SUM_SQUARES.replace("return sum(x * x for x in xs)", "return xs[10**6]")
    question = _question(failing_reference, tmp_path)
    with pytest.raises(GeneratedTestError, match=r"(?s)accepted python solution failed.*IndexError"):
        materialize(question, sandbox=BwrapSandbox(), cache_dir=None)


class RecordingBoxes:
    """Real boxes from the sandbox, recording every request sent to them."""

    def __init__(self, sandbox: BwrapSandbox) -> None:
        self.cold = ColdBoxes(sandbox)
        self.requests: list[dict[str, Any]] = []

    def acquire(self, language: Language, program: Program, limits: RunLimits) -> Box:
        return _Recorded(self.cold.acquire(language, program, limits), self.requests)


class _Recorded:
    def __init__(self, box: Box, requests: list[dict[str, Any]]) -> None:
        self.box, self.requests = box, requests

    @property
    def alive(self) -> bool:
        return self.box.alive

    def run_test(self, request: dict[str, Any], timeout_s: float) -> BoxTestOutcome:
        self.requests.append(request)
        return self.box.run_test(request, timeout_s)

    def close(self) -> None:
        self.box.close()


def test_generated_expected_values_never_enter_the_box(tmp_path: Path, data_dir: Path) -> None:
    question = _question(SUM_SQUARES, tmp_path)
    sandbox = BwrapSandbox()
    boxes = RecordingBoxes(sandbox)
    answer = CodeAnswer(language="python", source="def sum_sq(xs):\n    return sum(x * x for x in xs)\n")
    report = report_from_events(judge_events(JudgeJob(question, answer), sandbox=sandbox, boxes=boxes, cache=None))
    assert (report.verdict, report.passed, report.total) == ("accepted", 4, 4)
    filled = materialize(question, sandbox=sandbox, cache_dir=data_dir / "generated")
    large = _call_test(filled, "large")
    sent = [json.dumps(request) for request in boxes.requests]
    assert len(sent) == 4
    assert any(json.dumps(large.args) in text for text in sent)
    for text in sent:
        assert "expected" not in text
        assert str(large.expected) not in text


def test_a_failing_generator_makes_the_judge_report_internal_error(tmp_path: Path) -> None:
    question = _question(SUM_SQUARES.replace("print(json.dumps(", "print('no', ("), tmp_path)
    answer = CodeAnswer(language="python", source="def sum_sq(xs):\n    return 0\n")
    report = judge(question, answer)
    assert report.verdict == "internal_error"
    assert "performance test could not be prepared" in report.message
    # Sample runs never need the generated test, so they never generate it.
    assert judge(question, answer, include_hidden=False).verdict == "wrong_answer"


def test_sensei_judge_fills_the_generated_test(tmp_path: Path) -> None:
    bank = _bank(tmp_path, "bank.yaml", SUM_SQUARES)
    program = _bank(tmp_path, "a.js", "function sum_sq(xs) { return xs.reduce((t, x) => t + x * x, 0); }")
    result = runner.invoke(app, ["judge", str(program), "--lang", "javascript", "--question", str(bank), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["verdict"], data["passed"], data["total"]) == ("accepted", 4, 4)
    assert [t["name"] for t in data["tests"]][-1] == "large"
    off_by_one = _bank(tmp_path, "b.js", "function sum_sq(xs) { return xs.reduce((t, x) => t + x * x, 1); }")
    result = runner.invoke(app, ["judge", str(off_by_one), "--lang", "javascript", "--question", str(bank), "--json"])
    assert json.loads(result.stdout)["verdict"] == "wrong_answer"


def _problem(**changes: Any) -> CodeQuestion:
    tests: list[dict[str, Any]] = [{"name": "s", "kind": "call", "args": [1], "expected": 1, "visibility": "sample"}]
    tests += [{"name": f"h{i}", "kind": "call", "args": [i], "expected": i} for i in range(10)]
    tests.append({"name": "big", "kind": "call", "generated": True})
    data: dict[str, Any] = {
        "id": "arrays.identity",
        "type": "code",
        "title": "Identity",
        "text": "Return x.\n\n**Constraints**\n- small\n\n**Example**\n`f(1) == 1`",
        "topics": ["arrays"],
        "difficulty": "easy",
        "points": 5,
        "languages": ["python", "javascript"],
        "starter": {"python": "def f(x): ...", "javascript": "function f(x) {}"},
        "entry_point": "f",
        "tests": tests,
        "generator": {"test": "big", "code": "print('[1]')"},
        "hints": ["a", "b", "c"],
        "explanation": "Return it; O(1).",
        "solutions": [
            {"language": "python", "code": "def f(x): return x"},
            {"language": "javascript", "code": "function f(x) { return x; }"},
            {"language": "python", "expect": "wrong", "code": "def f(x): return 0"},
            {"language": "python", "expect": "slow", "code": "def f(x):\n    while True: pass"},
        ],
    }
    return CodeQuestion.model_validate({**data, **changes})


def test_authoring_rules() -> None:
    assert problem_rules(_problem(), debugging=False) == []
    broken = _problem(
        id="strings.identity",
        points=10,
        hints=["only one"],
        tests=_problem().model_dump()["tests"][:8],
        solutions=[{"language": "python", "code": "def f(x): return x"}],
        generator=None,
    )
    rules = problem_rules(broken, debugging=False)
    assert rules == [
        "the id must start with its first topic: 'arrays.<slug>'",
        "easy problems are worth 5 points",
        "7 hidden tests; at least 10 are required (besides a performance test)",
        "1 hints; exactly 3 are required (nudge, approach, near-solution)",
        "an accepted javascript solution is required",
        "at least one wrong solution is required",
        "at least one slow solution is required",
        "a generated performance test is required",
    ]
    # Debugging items: six hidden tests suffice, and neither a slow solution nor a performance test is needed.
    debugging = broken.model_copy(update={"solutions": _problem().solutions[:3], "hints": ["a", "b", "c"]})
    assert problem_rules(debugging, debugging=True) == ["easy problems are worth 5 points"]


def test_a_non_code_key_is_graded(tmp_path: Path) -> None:
    bank = _bank(
        tmp_path,
        "quiz.yaml",
        "- {id: q.mcq, type: mcq, title: t, text: x, options: [{key: A, text: a}, {key: B, text: b}], answer: B}\n"
        "- {id: q.regex, type: short_answer, title: t, text: x, answer: 'select\\s+distinct', "
        "grading: {method: regex}}\n",
    )
    report = verify_paths([bank], jobs=1)
    assert [(c.question, c.check, c.status) for c in report.checks] == [
        ("q.mcq", "key", "pass"),
        ("q.regex", "key", "skip"),
    ]


STARTER_PROBLEM = """
- id: arrays.double
  type: code
  title: Double
  text: Print twice the input.
  topics: [arrays]
  tests:
    - {name: s, kind: stdio, input: "2", expected: "4", visibility: sample}
  solutions:
    - {language: python, code: "print(2 * int(input()))"}
"""
STARTER_QUIZ = """
- {id: quiz.arrays.index, type: true_false, title: Indexing, text: Lists index from 0., topics: [arrays],
   explanation: They do., answer: true}
"""


def starter_layout(root: Path) -> Path:
    for folder in ("problems", "quiz", "assessments"):
        (root / folder).mkdir(parents=True)
    _bank(root / "problems", "arrays.yaml", STARTER_PROBLEM)
    _bank(root / "quiz", "arrays.yaml", STARTER_QUIZ)
    _bank(root / "assessments", "a.yaml", "id: a\ntitle: A\nquestions: [arrays.double, quiz.arrays.index]\n")
    return root


def test_a_starter_layout_gets_rules_and_a_first_start(tmp_path: Path) -> None:
    report = verify_paths([starter_layout(tmp_path / "starter")], jobs=2)
    checks = {(c.question, c.check): c for c in report.checks}
    assert {key: c.status for key, c in checks.items()} == {
        ("arrays.double", "authoring"): "fail",
        ("arrays.double", "accepted python"): "pass",
        ("quiz.arrays.index", "authoring"): "pass",
        ("quiz.arrays.index", "key"): "pass",
        ("(starter bank)", "first start"): "pass",
    }
    assert "0 hidden tests; at least 10 are required" in checks[("arrays.double", "authoring")].detail
    assert checks[("(starter bank)", "first start")].detail == "1 assessment(s) created and published"
    # The assessments folder is not read as questions, and `--only` narrows the run to matching ids.
    assert verify_paths([tmp_path / "starter"], jobs=1, only=["nothing-*"]).checks == []
