"""Verify bank files from disk (no database): every item against its own key, starter items against the rules.

Checks on the model alone run at once; everything that runs code (generating performance tests, judging
reference solutions, a first start on a scratch database) runs on a thread pool, each judge in its own
sandboxed processes. Generation comes first, because the solutions are judged on the generated tests.
"""

from __future__ import annotations

import fnmatch
import json
import os
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from codesensei.bank.files import BankFile, BankFileError, read_bank
from codesensei.bank.model import AnyQuestion, CallTest, CodeAnswer, CodeQuestion, Solution, StdioTest
from codesensei.bank.starter import DEBUGGING_FILE, SAMPLE_BANK, STARTER_BANK, StarterBank, is_starter_layout
from codesensei.errors import SenseiError
from codesensei.runner.api import cache_dir
from codesensei.runner.dispatch import LocalDispatcher
from codesensei.runner.generated import default_cache_dir, generated_test, materialize
from codesensei.runner.jobs import JudgeJob
from codesensei.runner.judge import ExecutedTest, report_from_events
from codesensei.runner.languages import get_language
from codesensei.runner.single import run_one_test
from codesensei.runner.types import JudgeReport, RunLimits, TestResult
from codesensei.runner.verdicts import Execution, execution_verdict
from codesensei.verification.code import SolutionRunner, check_solution
from codesensei.verification.keys import check_key
from codesensei.verification.results import CheckResult, Outcome, VerifyReport, failed, passed, skipped
from codesensei.verification.rules import problem_rules, quiz_rules

Role = Literal["problem", "debugging", "quiz", "other"]
Task = Callable[[], Outcome]
# A question's checks are ordered by rank: the model checks first, then solution number n at this rank + n.
SOLUTIONS_FIRST_RANK = 10


def default_paths() -> list[Path]:
    """The packaged starter bank and sample bank, those that exist."""
    return [path for path in (STARTER_BANK, SAMPLE_BANK) if path.is_dir()]


@dataclass(frozen=True)
class Item:
    question: AnyQuestion
    source: str
    role: Role


@dataclass
class Loaded:
    items: list[Item] = field(default_factory=list)
    # Starter banks with assessment definitions: their first start is tried on a scratch database.
    starter_roots: list[Path] = field(default_factory=list)


def _role(path: str) -> Role:
    folder = Path(path).parent.name
    if folder == "problems":
        return "debugging" if Path(path).stem == DEBUGGING_FILE else "problem"
    return "quiz" if folder == "quiz" else "other"


def load(paths: Sequence[Path]) -> Loaded:
    """Read every path (a bank file, a bank folder or a starter bank); raises `BankFileError` naming each problem."""
    loaded = Loaded()
    problems: list[str] = []
    for path in paths:
        try:
            if is_starter_layout(path):
                starter = StarterBank(path)
                files: list[BankFile] = starter.read()
                if starter.assessment_files:
                    loaded.starter_roots.append(path)
            else:
                files = read_bank(path)
        except BankFileError as exc:
            problems.extend(exc.problems)
            continue
        loaded.items.extend(Item(q, f.path, _role(f.path)) for f in files for q in f.questions)
    if problems:
        raise BankFileError(problems)
    return loaded


@dataclass(frozen=True)
class Planned:
    """One check to run; `order` keeps the report in file order whatever order the pool finishes in."""

    order: tuple[int, int]
    question: str
    check: str
    source: str
    task: Task


def _run(planned: Planned) -> tuple[tuple[int, int], CheckResult]:
    started = time.perf_counter()
    try:
        outcome = planned.task()
    except SenseiError as exc:
        outcome = failed(exc.message)
    seconds = time.perf_counter() - started
    result = CheckResult(planned.question, planned.check, outcome.status, outcome.detail, seconds, planned.source)
    return planned.order, result


def _model_checks(index: int, item: Item, sources: dict[str, list[str]]) -> list[Planned]:
    """Checks of the question model alone: unique id, authoring rules, the key of a non-code question."""
    question, plan = item.question, []

    def add(rank: int, check: str, task: Task) -> None:
        plan.append(Planned((index, rank), question.id, check, item.source, task))

    if len(sources[question.id]) > 1:
        others = ", ".join(s for s in sources[question.id] if s != item.source) or item.source
        add(0, "unique id", lambda: failed(f"the id is also used in {others}"))
    if item.role != "other":
        add(1, "authoring", lambda: _rules(question, item.role))
    if isinstance(question, CodeQuestion):
        if not any(s.expect == "accepted" for s in question.solutions):
            add(2, "solutions", lambda: failed("no accepted solution: the tests are unproven"))
    else:
        add(2, "key", lambda: check_key(question))
    return plan


def _rules(question: AnyQuestion, role: Role) -> Outcome:
    if role == "quiz":
        broken = quiz_rules(question)
        if isinstance(question, CodeQuestion):
            broken.insert(0, "quiz/ holds non-code questions; programming problems go under problems/")
    elif isinstance(question, CodeQuestion):
        broken = problem_rules(question, debugging=role == "debugging")
    else:
        broken = ["problems/ holds programming problems; other questions go under quiz/"]
    return failed("; ".join(broken)) if broken else passed("follows the starter bank's rules")


class _Runner:
    """Runs code in the sandbox for the checks: one dispatcher, shared by the pool's threads."""

    def __init__(self) -> None:
        self.dispatcher = LocalDispatcher()
        self.materialized: dict[int, CodeQuestion] = {}

    def judge(self, question: CodeQuestion, answer: CodeAnswer) -> JudgeReport:
        return report_from_events(self.dispatcher.submit(JudgeJob(question, answer, "all")))

    def run_test(
        self, question: CodeQuestion, answer: CodeAnswer, test: ExecutedTest, limits: RunLimits, wall_s: float
    ) -> Execution:
        compiled = get_language(answer.language).compiled
        cache = cache_dir() if compiled else None
        return run_one_test(self.dispatcher.sandbox, question, answer, test, limits, wall_s=wall_s, compile_cache=cache)

    def generate(self, index: int, question: CodeQuestion) -> Outcome:
        test = generated_test(question)
        assert test is not None
        filled = materialize(question, sandbox=self.dispatcher.sandbox, cache_dir=default_cache_dir())
        self.materialized[index] = filled
        done = next(t for t in filled.tests if t.name == test.name)
        if isinstance(done, StdioTest):
            given, expected = done.input, done.expected or ""
        else:
            assert isinstance(done, CallTest)
            given, expected = json.dumps(done.args), json.dumps(done.expected)
        return passed(f"{test.name}: {_size(given)} of input, {_size(expected)} expected")


class _Recorder:
    """One solution's port to the shared runner that keeps the per-test results of what it ran, for the report."""

    def __init__(self, runner: _Runner) -> None:
        self.runner = runner
        self.tests: list[TestResult] = []

    def judge(self, question: CodeQuestion, answer: CodeAnswer) -> JudgeReport:
        report = self.runner.judge(question, answer)
        self.tests = list(report.tests)
        return report

    def run_test(
        self, question: CodeQuestion, answer: CodeAnswer, test: ExecutedTest, limits: RunLimits, wall_s: float
    ) -> Execution:
        run = self.runner.run_test(question, answer, test, limits, wall_s)
        verdict, message = execution_verdict(run, limits)
        self.tests = [
            TestResult(
                test.name, test.visibility, verdict or "accepted", test.weight,
                time_ms=run.cpu_ms, wall_ms=run.wall_ms, memory_kb=run.memory_kb, message=message,
            )
        ]
        return run


def _size(text: str) -> str:
    size = len(text.encode())
    return f"{size / (1 << 20):.1f} MB" if size >= 1 << 20 else f"{size / 1024:.1f} KB"


def _solution_checks(
    index: int, item: Item, runner: _Runner, recorders: dict[int, _Recorder] | None = None
) -> list[Planned]:
    """One check per solution; with `recorders`, each solution's per-test results are kept there by its number."""
    question = item.question
    assert isinstance(question, CodeQuestion)
    performance = question.generator.test if question.generator is not None else None
    generation_failed = performance is not None and index not in runner.materialized
    filled = runner.materialized.get(index, question)
    plan: list[Planned] = []
    seen: Counter[str] = Counter()
    for number, solution in enumerate(question.solutions):
        name = f"{solution.expect} {solution.language}"
        seen[name] += 1
        label = name if seen[name] == 1 else f"{name} #{seen[name]}"
        solution_runner: SolutionRunner = runner
        if recorders is not None:
            solution_runner = recorders.setdefault(number, _Recorder(runner))
        task = (
            _skip_task("the performance test could not be generated")
            if generation_failed
            else _solution_task(filled, solution, performance, solution_runner)
        )
        plan.append(Planned((index, SOLUTIONS_FIRST_RANK + number), question.id, label, item.source, task))
    return plan


def _solution_task(
    question: CodeQuestion, solution: Solution, performance: str | None, runner: SolutionRunner
) -> Task:
    return lambda: check_solution(question, solution, performance_test=performance, runner=runner)


def _skip_task(detail: str) -> Task:
    return lambda: skipped(detail)


def _first_start(root: Path) -> Outcome:
    """Open a scratch database with this starter bank, as a new installation's first start does."""
    from codesensei.platform import open_platform
    from codesensei.sessions.assessments import list_assessments
    from codesensei.settings import Settings
    from codesensei.store.db import unit_of_work

    starter = StarterBank(root)
    with tempfile.TemporaryDirectory(prefix="sensei-verify-") as scratch:
        settings = Settings(mode="development", data_dir=Path(scratch), database_url=None, starter_bank_dir=root)
        platform = open_platform(settings)
        try:
            with unit_of_work(platform.sessions) as session:
                published = {a.definition.id for a in list_assessments(session, published_only=True)}
        finally:
            platform.close()
    expected = {_definition_id(path) for path in starter.assessment_files}
    missing = sorted(expected - published)
    if missing:
        return failed(f"not published on the first start: {', '.join(missing)}")
    return passed(f"{len(expected)} assessment(s) created and published")


def _definition_id(path: Path) -> str:
    from codesensei.sessions.assessments import read_definition

    return read_definition(path).id


def verify_paths(paths: Sequence[Path], *, jobs: int, only: Sequence[str] = ()) -> VerifyReport:
    """Run every check on the questions under `paths` (those whose id matches a pattern of `only`, if given)."""
    started = time.perf_counter()
    loaded = load(paths)
    sources: dict[str, list[str]] = {}
    for item in loaded.items:
        sources.setdefault(item.question.id, []).append(item.source)
    chosen = [
        (index, item)
        for index, item in enumerate(loaded.items)
        if not only or any(fnmatch.fnmatchcase(item.question.id, pattern) for pattern in only)
    ]
    results: list[tuple[tuple[int, int], CheckResult]] = []
    for index, item in chosen:
        results.extend(_run(planned) for planned in _model_checks(index, item, sources))
    code = [(index, item) for index, item in chosen if isinstance(item.question, CodeQuestion)]
    first_starts = [] if only else loaded.starter_roots
    if code or first_starts:
        runner = _Runner()
        generation = [
            Planned((index, 3), item.question.id, "generate", item.source, _generate_task(runner, index, item.question))
            for index, item in code
            if isinstance(item.question, CodeQuestion) and item.question.generator is not None
        ]
        generation += [
            Planned((len(loaded.items) + n, 0), "(starter bank)", "first start", str(root), _first_start_task(root))
            for n, root in enumerate(first_starts)
        ]
        with ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="verify") as pool:
            results.extend(pool.map(_run, generation))
            solutions = [planned for index, item in code for planned in _solution_checks(index, item, runner)]
            results.extend(pool.map(_run, solutions))
    results.sort(key=lambda pair: pair[0])
    return VerifyReport(
        checks=[result for _, result in results],
        questions=len(chosen),
        seconds=time.perf_counter() - started,
    )


@dataclass(frozen=True)
class QuestionCheck:
    """One check of a single question, with the per-test results of the judging that decided it (if any)."""

    result: CheckResult
    tests: list[TestResult]


def verify_question(question: AnyQuestion, *, jobs: int = 1, source: str = "draft") -> list[QuestionCheck]:
    """The checks `verify_paths` runs on one question outside any bank (so no starter-bank authoring rules):
    the key of a non-code question, and for a code question its generated test and every solution judged."""
    item = Item(question, source, "other")
    results = [_run(planned) for planned in _model_checks(0, item, {question.id: [source]})]
    recorders: dict[int, _Recorder] = {}
    if isinstance(question, CodeQuestion):
        runner = _Runner()
        if question.generator is not None:
            results.append(_run(Planned((0, 3), question.id, "generate", source, _generate_task(runner, 0, question))))
        with ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="verify") as pool:
            results.extend(pool.map(_run, _solution_checks(0, item, runner, recorders)))
    results.sort(key=lambda pair: pair[0])
    checks = []
    for (_, rank), result in results:
        recorder = recorders.get(rank - SOLUTIONS_FIRST_RANK)
        checks.append(QuestionCheck(result, recorder.tests if recorder is not None else []))
    return checks


def _generate_task(runner: _Runner, index: int, question: AnyQuestion) -> Task:
    assert isinstance(question, CodeQuestion)
    return lambda: runner.generate(index, question)


def _first_start_task(root: Path) -> Task:
    return lambda: _first_start(root)


def default_jobs() -> int:
    return os.cpu_count() or 1
