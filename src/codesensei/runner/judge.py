"""Judge a submission: compile once, run every selected test in one box, check outputs outside, stream events.

Expected outputs of `stdio` and `call` tests never enter the box: the box returns stdout or the canonical
JSON of the returned value, and the checkers compare here. A box that dies mid-submission is replaced by a
fresh one for the remaining tests. A generated performance test is filled first (`runner.generated`: once
per question, then from the cache), so it is judged like any other test.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from codesensei.bank.model import CallTest, Checker, CodeAnswer, CodeQuestion, ScriptTest, StdioTest
from codesensei.errors import SenseiError
from codesensei.runner.boxes import BoxTestOutcome, HarnessBox
from codesensei.runner.compiler import Program, prepare
from codesensei.runner.custom_checker import run_custom_checker
from codesensei.runner.jobs import JudgeEvent, JudgeJob, compiled_event, done_event, test_event
from codesensei.runner.languages import Language, get_language
from codesensei.runner.sandbox import Sandbox, SandboxUnavailable
from codesensei.runner.types import JudgeReport, RunLimits, TestResult, Verdict
from codesensei.runner.verdicts import Execution, aggregate, execution_verdict

ExecutedTest = StdioTest | CallTest | ScriptTest
SHOWN_OUTPUT = 16 * 1024
TRUNCATED = "\n…[truncated]"


class TestBox(Protocol):
    @property
    def alive(self) -> bool: ...

    def run_test(self, request: dict[str, Any], timeout_s: float) -> BoxTestOutcome: ...

    def close(self) -> None: ...


@runtime_checkable
class SplitTestBox(TestBox, Protocol):
    """A box that can start a test and be asked for its outcome later (`run_test` is both in one)."""

    def send_test(self, request: dict[str, Any], timeout_s: float) -> None: ...

    def receive_test(self) -> BoxTestOutcome: ...


class BoxSource(Protocol):
    def acquire(self, language: Language, program: Program, limits: RunLimits) -> TestBox:
        """A box holding `program`, exclusively for this submission; raise SandboxUnavailable if none."""
        ...


class ColdBoxes:
    """Start a fresh box per submission (the CLI's case: one process, one submission)."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    def acquire(self, language: Language, program: Program, limits: RunLimits) -> TestBox:
        box = HarnessBox(
            self.sandbox,
            language,
            memory_mb=limits.memory_mb,
            processes=limits.processes,
            tmpfs_mb=limits.tmpfs_mb,
            file_size_bytes=limits.file_size_bytes,
            program=program if language.harness == "exec" else None,
        )
        box.start()
        box.load(program, language.run_argv("/prog", limits.memory_mb))
        return box


def question_limits(question: CodeQuestion) -> RunLimits:
    return RunLimits(
        cpu_time_s=question.limits.time_s,
        memory_mb=question.limits.memory_mb,
        output_bytes=question.limits.output_kb * 1024,
    )


def selected_tests(question: CodeQuestion, language: Language, job: JudgeJob) -> list[ExecutedTest]:
    if job.custom_input is not None:
        if any(isinstance(t, StdioTest) for t in question.executed_tests) or not question.entry_point:
            return [StdioTest(name="custom input", input=job.custom_input, expected="", visibility="sample")]
        args = json.loads(job.custom_input)
        return [
            CallTest(
                name="custom input", args=args if isinstance(args, list) else [args], expected=None, visibility="sample"
            )
        ]
    tests: list[ExecutedTest] = []
    for test in question.executed_tests:
        if job.tests == "sample" and test.visibility != "sample":
            continue
        if isinstance(test, ScriptTest) and get_language(test.language).name != language.name:
            continue
        tests.append(test)
    return tests


def box_request(test: ExecutedTest, question: CodeQuestion, limits: RunLimits) -> dict[str, Any]:
    """What the box is sent for one test: its input and limits, never its expected value."""
    base: dict[str, Any] = {
        "cpu_s": limits.cpu_time_s,
        "wall_s": limits.wall_time_s,
        "output_bytes": limits.output_bytes,
        "file_size": limits.file_size_bytes,
        "open_files": limits.open_files,
        "memory_mb": limits.memory_mb,
    }
    if isinstance(test, StdioTest):
        return {**base, "kind": "stdio", "stdin": test.input}
    if isinstance(test, CallTest):
        return {
            **base,
            "kind": "call",
            "args": test.args,
            "entry": question.entry_point,
            "arg_types": list(question.arg_types),
            "return_type": question.return_type,
        }
    return {**base, "kind": "script", "code": test.code, "entry": question.entry_point}


def execution_of(outcome: BoxTestOutcome) -> Execution:
    report = outcome.report
    if report is None:
        # A harness that died after the server interrupted it for time (the signal can land as a vm call
        # ends, when Node.js's default handler is briefly back) ran out of time, whatever else it did.
        status = "timeout" if outcome.interrupted else "died"
        return Execution(
            status, None, None, 0.0, 0.0, 0, "", outcome.box_stderr, None, outcome.oom_killed, outcome.cgroup_cpu_ms
        )
    return Execution(
        status=str(report["status"]),
        exit_code=report.get("exit_code"),
        signal=report.get("signal"),
        cpu_ms=float(report.get("cpu_ms", 0.0)),
        wall_ms=float(report.get("wall_ms", 0.0)),
        memory_kb=int(report.get("memory_kb", 0)),
        stdout=str(report.get("stdout", "")),
        stderr=str(report.get("stderr", "")),
        result=_result_of(report),
        oom_killed=outcome.oom_killed,
        outside_cpu_ms=outcome.cgroup_cpu_ms,
    )


def _result_of(report: dict[str, Any]) -> Any:
    """A call or script test's result: parsed here from the Python box's text (its parent never parses
    what a test wrote), or as the Node.js box sends it."""
    raw = report.get("result_json")
    if raw is None:
        return report.get("result")
    try:
        return json.loads(str(raw))
    except (ValueError, RecursionError):
        return None


_DIFFERENCE_AT = re.compile(r"^(line \d+|token \d+|\$[^:]*):")


def hidden_wrong_answer(message: str) -> str:
    """Where a hidden test's output first differs (`line 3`, `$[2]`), never what was expected there.

    Judges commonly say "wrong answer on line 3": the position helps a candidate find the bug and
    tells nothing of the test's input or expected output.
    """
    found = _DIFFERENCE_AT.match(message)
    return f"wrong answer at {found.group(1)}" if found else "wrong answer"


def _shown(text: str) -> str:
    return text if len(text) <= SHOWN_OUTPUT else text[:SHOWN_OUTPUT] + TRUNCATED


def check_test(
    test: ExecutedTest, run: Execution, *, checker: Checker, limits: RunLimits, sandbox: Sandbox, custom: bool
) -> TestResult:
    """One test's result: a failed run's verdict, else the checker's (always outside the box)."""
    from codesensei.grading import checkers

    verdict, message = execution_verdict(run, limits)
    expected: str | None = None
    output = run.stdout
    if isinstance(test, StdioTest):
        expected = test.expected
    elif isinstance(test, CallTest):
        expected = json.dumps(test.expected)
    if verdict is None and not custom:
        if not isinstance(test, StdioTest):
            result = run.result if isinstance(run.result, dict) else {}
            if "ok" in result:
                verdict, message = (
                    ("accepted", "") if result["ok"] else ("wrong_answer", str(result.get("message", "")))
                )
            elif "invalid" in result:
                verdict, message = "wrong_answer", str(result["invalid"])
            elif "value" not in result:
                verdict, message = "runtime_error", "the program ended before the test could check it"
        if verdict is None:
            if isinstance(test, CallTest):
                output = str(run.result["value"])
                outcome = (
                    run_custom_checker(checker, json.dumps(test.args), expected or "", output, sandbox)
                    if checker.name == "custom"
                    else checkers.values_equal(output, test.expected, checker)
                )
            else:
                assert expected is not None
                outcome = (
                    run_custom_checker(checker, getattr(test, "input", ""), expected, output, sandbox)
                    if checker.name == "custom"
                    else checkers.check_output(output, expected, checker)
                )
            verdict, message = ("accepted", "") if outcome.ok else ("wrong_answer", outcome.message)
    if custom:
        verdict = verdict or "accepted"
        if isinstance(test, CallTest) and isinstance(run.result, dict) and "value" in run.result:
            output = str(run.result["value"])
        expected = None
    final: Verdict = verdict or "accepted"
    sample = test.visibility == "sample"
    return TestResult(
        name=test.name,
        visibility=test.visibility,
        verdict=final,
        weight=test.weight,
        time_ms=round(run.cpu_ms, 3),
        wall_ms=round(run.wall_ms, 3),
        memory_kb=run.memory_kb,
        message=message if sample or final != "wrong_answer" else hidden_wrong_answer(message),
        stdout=_shown(output) if sample else None,
        stderr=_shown(run.stderr) if sample else None,
        expected=expected if sample else None,
        diff=(
            checkers.unified_diff(expected, output)
            if sample and expected is not None and final == "wrong_answer"
            else None
        ),
    )


def _with_generated_test(question: CodeQuestion, sandbox: Sandbox) -> CodeQuestion:
    """The question with its generated test filled (generated once, then read from the cache)."""
    # Imported here: `generated` builds on this module's boxes and requests.
    from codesensei.runner.generated import default_cache_dir, materialize

    return materialize(question, sandbox=sandbox, cache_dir=default_cache_dir())


def judge_events(job: JudgeJob, *, sandbox: Sandbox, boxes: BoxSource, cache: Path | None) -> Iterator[JudgeEvent]:
    """Compile, run each selected test, and stream `compiled`, `test`… and `done` events."""
    question, answer = job.question, job.answer
    language = get_language(answer.language)
    limits = question_limits(question)
    tests = selected_tests(question, language, job)
    seq = 0
    try:
        program = prepare(answer.source, language, sandbox, cache)
    except (SandboxUnavailable, OSError) as exc:
        program = Program(language, status="internal_error", message=f"sandbox unavailable: {exc}")
    yield compiled_event(
        seq, ok=program.ok, compile_output=program.compile_output, cached=program.cached, message=program.message
    )
    if not program.ok:
        seq += 1
        if program.status == "internal_error":
            report = JudgeReport("internal_error", 0, len(tests), 0.0, message=program.message)
        else:
            report = aggregate([], compile_output=program.compile_output, compile_failed=True, message=program.message)
            report.total = len(tests)
        yield done_event(seq, report)
        return
    generator = question.generator
    if job.custom_input is None and generator is not None and any(t.name == generator.test for t in tests):
        try:
            question = _with_generated_test(question, sandbox)
        except SenseiError as exc:
            seq += 1
            message = f"the question's performance test could not be prepared: {exc.message}"
            yield done_event(seq, JudgeReport("internal_error", 0, len(tests), 0.0, message=message))
            return
        tests = selected_tests(question, language, job)
    results: list[TestResult] = []
    box: TestBox | None = None
    split_box: SplitTestBox | None = None
    # A test whose outcome has arrived but is checked only once the next test is running in the box: the
    # checker (and whoever consumes the event) then works while the box does, not in turn with it.
    unchecked: tuple[ExecutedTest, BoxTestOutcome] | None = None

    def check_unchecked() -> Iterator[JudgeEvent]:
        nonlocal unchecked, seq
        if unchecked is not None:
            test, outcome = unchecked
            unchecked = None
            results.append(
                check_test(
                    test,
                    execution_of(outcome),
                    checker=getattr(test, "checker", None) or question.checker,
                    limits=limits,
                    sandbox=sandbox,
                    custom=job.custom_input is not None,
                )
            )
            seq += 1
            yield test_event(seq, results[-1])

    try:
        for index, test in enumerate(tests):
            if language.harness == "exec" and not isinstance(test, StdioTest):
                yield from check_unchecked()
                message = f"{test.kind} tests need Python or JavaScript"
                results.append(TestResult(test.name, test.visibility, "internal_error", test.weight, message=message))
                seq += 1
                yield test_event(seq, results[-1])
                continue
            if box is None or not box.alive:
                if box is not None:
                    box.close()
                box = boxes.acquire(language, program, limits)
                # Decided once per box: a runtime-checkable Protocol's isinstance() walks its members.
                split_box = box if isinstance(box, SplitTestBox) else None
            request = box_request(test, question, limits)
            # The box prepares the next test's process or context ahead of time unless this is the last.
            request["last"] = index == len(tests) - 1
            if split_box is not None:
                split_box.send_test(request, limits.wall_time_s + 5.0)
                yield from check_unchecked()
                outcome = split_box.receive_test()
            else:
                yield from check_unchecked()
                outcome = box.run_test(request, limits.wall_time_s + 5.0)
            if outcome.report is None:
                box.close()
                box = None
            unchecked = (test, outcome)
        yield from check_unchecked()
    except SandboxUnavailable as exc:
        yield from check_unchecked()
        seq += 1
        yield done_event(seq, JudgeReport("internal_error", 0, len(tests), 0.0, results, message=str(exc)))
        return
    finally:
        if box is not None:
            box.close()
    seq += 1
    yield done_event(seq, aggregate(results, compile_output=program.compile_output))


def report_from_events(events: Iterator[JudgeEvent]) -> JudgeReport:
    """Rebuild the final report from a stream (the `done` event carries it whole)."""
    for event in events:
        if event["type"] == "done":
            return report_from_json(event["report"])
    raise RuntimeError("the judge stream ended without a done event")


def report_from_json(data: dict[str, Any]) -> JudgeReport:
    tests = [TestResult(**t) for t in data["tests"]]
    return JudgeReport(
        verdict=data["verdict"],
        passed=data["passed"],
        total=data["total"],
        score=data["score"],
        tests=tests,
        time_ms=data["time_ms"],
        memory_kb=data["memory_kb"],
        compile_output=data["compile_output"],
        message=data["message"],
    )


def judge(
    question: CodeQuestion,
    answer: CodeAnswer,
    *,
    include_hidden: bool = True,
    custom_input: str | None = None,
    unsafe_no_sandbox: bool = False,
) -> JudgeReport:
    """Judge one answer synchronously (a fresh box; the API streams through `LocalDispatcher` instead)."""
    from codesensei.runner.dispatch import LocalDispatcher

    job = JudgeJob(question, answer, "all" if include_hidden else "sample", custom_input)
    return report_from_events(LocalDispatcher(unsafe_no_sandbox=unsafe_no_sandbox).submit(job))
