"""Offline-assistant benchmark: does its explanation of a known-wrong solution name what fails?

For every `expect: wrong` solution in the starter bank (both languages), the solution is judged in the
sandbox with all tests, the candidate-visible part of the report is handed to the offline assistant,
and its reply is checked for (a) the name of a failing test and (b) where a sample test failed on
output, the first differing output line. Hidden tests' inputs are never shown to candidates, so (b)
is measured over the solutions that fail a sample test; a baseline row gives what the bare verdict
line ("wrong answer") would score.

    .venv/bin/python bench/assistant.py [--jobs 2] [--limit N]
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from codesensei.assistant.context import AssistantContext, AssistantRequest, visible_run
from codesensei.assistant.offline import OfflineAssistant, first_difference
from codesensei.bank.files import load_questions
from codesensei.bank.model import CodeAnswer, CodeQuestion
from codesensei.runner.judge import judge
from codesensei.sessions.view import candidate_view

STARTER = Path(__file__).parents[1] / "src" / "codesensei" / "bank" / "starter" / "problems"


@dataclass(frozen=True)
class Case:
    question: CodeQuestion
    language: str
    source: str


@dataclass(frozen=True)
class Outcome:
    case: Case
    failing_named: bool
    sample_failed: bool
    wrong_answer: bool
    difference_named: bool
    baseline_named: bool
    seconds: float


def cases(limit: int | None) -> list[Case]:
    found = []
    for path in sorted(STARTER.glob("*.yaml")):
        for question in load_questions(path):
            if isinstance(question, CodeQuestion):
                found += [Case(question, s.language, s.code) for s in question.solutions if s.expect == "wrong"]
    return found[:limit] if limit else found


def run(case: Case) -> Outcome:
    started = time.perf_counter()
    view = candidate_view(case.question, 1, seed=1, shuffle_options=False, hints_allowed=False)
    report = judge(case.question, CodeAnswer(language=case.language, source=case.source))
    visible = visible_run(report, view)
    ctx = AssistantContext(question=view, code=case.source, language=case.language, last_run=visible)
    reply = OfflineAssistant().reply(ctx, AssistantRequest("explain"))
    failing = [t for t in visible.tests if not t.passed]
    samples = [t for t in failing if t.visibility == "sample" and t.verdict == "wrong_answer"]
    difference_named = False
    for test in samples:
        difference = first_difference(test.expected or "", test.actual or "")
        if difference is not None and f"first difference on output line {difference.line}" in reply:
            difference_named = True
    for test in failing:
        # A hidden test's position ("at line 3", "at $[2]") is all a candidate may learn of it.
        if test.visibility == "hidden" and test.message.startswith("wrong answer at "):
            difference_named = (
                difference_named or f"`{test.name}` ({test.message.removeprefix('wrong answer ')})" in reply
            )
    baseline = f"verdict: {report.verdict}"
    return Outcome(
        case=case,
        failing_named=any(f"`{t.name}`" in reply for t in failing),
        sample_failed=bool(samples),
        wrong_answer=any(t.verdict == "wrong_answer" for t in failing),
        difference_named=difference_named,
        baseline_named=any(t.name in baseline for t in failing),
        seconds=time.perf_counter() - started,
    )


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f}% ({part}/{whole})" if whole else "   n/a"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args()
    todo = cases(args.limit)
    if not todo:
        sys.exit(f"no known-wrong solutions under {STARTER}")
    started = time.perf_counter()
    with ThreadPoolExecutor(args.jobs) as pool:
        outcomes = list(pool.map(run, todo))
    total = len(outcomes)
    with_sample = [o for o in outcomes if o.sample_failed]
    print(
        f"command: .venv/bin/python bench/assistant.py --jobs {args.jobs}"
        + (f" --limit {args.limit}" if args.limit else "")
    )
    print(f"{'measure':<58} {'offline assistant':>20} {'baseline (verdict only)':>24}")
    print(
        f"{'names a failing test':<58} {percent(sum(o.failing_named for o in outcomes), total):>20} "
        f"{percent(sum(o.baseline_named for o in outcomes), total):>24}"
    )
    answered_wrong = [o for o in outcomes if o.wrong_answer]
    print(
        f"{'names where the output first differs (all wrong answers)':<58} "
        f"{percent(sum(o.difference_named for o in answered_wrong), len(answered_wrong)):>20} "
        f"{percent(0, len(answered_wrong)):>24}"
    )
    print(
        f"{'  of them failing a sample test: shows that line':<58} "
        f"{percent(sum(o.difference_named for o in with_sample), len(with_sample)):>20}"
    )
    print(f"{'known-wrong solutions failing a sample test':<58} {percent(len(with_sample), total):>20}")
    print(
        f"{'known-wrong solutions with a wrong answer (not only TLE/RE)':<58} {percent(len(answered_wrong), total):>20}"
    )
    print(f"solutions: {total}, wall time {time.perf_counter() - started:.1f} s")
    missed = [o for o in outcomes if not o.failing_named or (o.wrong_answer and not o.difference_named)]
    for o in missed:
        print(f"  missed: {o.case.question.id} [{o.case.language}]")


if __name__ == "__main__":
    main()
