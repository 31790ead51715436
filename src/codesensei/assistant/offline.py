"""The offline assistant: useful help without a model, from the tests, the traceback and static analysis.

It explains which tests fail and why (for sample tests: input, expected, actual and the first
difference), points at the line of the candidate's own code that raised, lists common mistakes found
by static analysis, and serves the hint ladder one step at a time. It only ever reads an
`AssistantContext`, so it cannot reveal what a candidate may not see.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from codesensei.assistant.context import AssistantContext, AssistantRequest, VisibleRun, VisibleTest
from codesensei.assistant.findings import Finding
from codesensei.assistant.review import review_code
from codesensei.assistant.static import static_findings

_MAX_SHOWN = 400
_TRACE_LINE = {
    "python": re.compile(r'File "solution\.py", line (\d+)'),
    "javascript": re.compile(r"solution\.js:(\d+)"),
}
# Requests for what the candidate may not have; answered with what the assistant can do instead.
_SECRET_REQUEST = re.compile(
    r"hidden\s+tests?|(reference|model|official)\s+(solution|answer)|answer\s+key|expected\s+outputs?\s+of\s+hidden|"
    r"ignore\s+(all\s+)?(previous|prior|above)\s+instructions|system\s+prompt|solve\s+it\s+for\s+me|"
    r"(give|show|write|tell)\s+me\s+the\s+(full\s+|complete\s+)?(solution|answer|code)",
    re.IGNORECASE,
)
_VERDICT_ADVICE = {
    "wrong_answer": "the output differs from the expected one",
    "runtime_error": "the program raised an error",
    "time_limit_exceeded": "it ran past the time limit — look for a faster algorithm (nested loops over the input?)",
    "memory_limit_exceeded": "it used more memory than allowed — avoid building large intermediate copies",
    "output_limit_exceeded": "it printed far too much — check for a print inside a loop",
    "compile_error": "the code does not compile",
    "internal_error": "the judge itself failed on this test; run again",
}
_HIDDEN_CHECKLIST = "empty input, a single element, duplicates, negative numbers, the largest sizes in the constraints"


@dataclass(frozen=True)
class Difference:
    line: int
    expected: str
    actual: str


def first_difference(expected: str, actual: str) -> Difference | None:
    """The first line (1-based) where the outputs differ, ignoring trailing whitespace as the checkers do."""
    expected_lines = expected.rstrip().splitlines()
    actual_lines = actual.rstrip().splitlines()
    for number in range(max(len(expected_lines), len(actual_lines))):
        want = expected_lines[number].rstrip() if number < len(expected_lines) else "<no line>"
        got = actual_lines[number].rstrip() if number < len(actual_lines) else "<no line>"
        if want != got:
            return Difference(number + 1, want, got)
    return None


@dataclass(frozen=True)
class ErrorLocation:
    line: int
    source_line: str
    error: str


def error_location(stderr: str, code: str, language: str | None) -> ErrorLocation | None:
    """The line of the candidate's own code where the error was raised, with the error's last line."""
    pattern = _TRACE_LINE.get(language or "")
    if pattern is None or not stderr:
        return None
    hits = pattern.findall(stderr)
    if not hits:
        return None
    # Python lists the innermost frame last; Node lists it first.
    line = int(hits[-1] if language == "python" else hits[0])
    lines = code.splitlines()
    source_line = lines[line - 1].strip() if 0 < line <= len(lines) else ""
    error_lines = [
        text.strip() for text in stderr.strip().splitlines() if re.match(r"^\s*[A-Za-z_.]*(Error|Exception)\b", text)
    ]
    return ErrorLocation(line, source_line, error_lines[-1] if error_lines else stderr.strip().splitlines()[-1])


def _clip(text: str) -> str:
    return text if len(text) <= _MAX_SHOWN else text[:_MAX_SHOWN] + " …"


def _explain_sample(test: VisibleTest, ctx: AssistantContext) -> list[str]:
    lines = [f"**Sample test `{test.name}` fails**: {_VERDICT_ADVICE.get(test.verdict, test.verdict)}."]
    if test.input is not None:
        lines.append(f"- input: `{_clip(test.input)}`")
    if test.verdict == "wrong_answer" and test.expected is not None and test.actual is not None:
        lines.append(f"- expected: `{_clip(test.expected.strip())}`")
        lines.append(f"- your output: `{_clip(test.actual.strip()) or '(nothing)'}`")
        difference = first_difference(test.expected, test.actual)
        if difference is not None:
            lines.append(
                f"- first difference on output line {difference.line}: expected `{_clip(difference.expected)}`, "
                f"got `{_clip(difference.actual)}`"
            )
    elif test.verdict == "runtime_error":
        location = error_location(test.stderr or "", ctx.code, ctx.language)
        if location is not None:
            lines.append(f"- `{location.error}` raised at line {location.line} of your code: `{location.source_line}`")
        elif test.stderr:
            lines.append(f"- error output: `{_clip(test.stderr.strip().splitlines()[-1])}`")
    if test.message and test.verdict != "wrong_answer":
        lines.append(f"- judge: {test.message}")
    return lines


def _hidden_name(test: VisibleTest) -> str:
    located = test.message.startswith("wrong answer at ")
    return f"`{test.name}` ({test.message.removeprefix('wrong answer ')})" if located else f"`{test.name}`"


def _explain_hidden(failing: list[VisibleTest]) -> list[str]:
    by_verdict: dict[str, list[str]] = {}
    for test in failing:
        by_verdict.setdefault(test.verdict, []).append(_hidden_name(test))
    lines = []
    for verdict, names in by_verdict.items():
        lines.append(f"**Hidden test(s) {', '.join(names)} fail**: {_VERDICT_ADVICE.get(verdict, verdict)}.")
    lines.append(f"Hidden tests' inputs are not shown. Cases worth trying with your own input: {_HIDDEN_CHECKLIST}.")
    return lines


def explain_run(run: VisibleRun, ctx: AssistantContext) -> list[str]:
    if run.verdict == "compile_error":
        return ["**The code does not compile.**", f"```\n{_clip(run.compile_output.strip())}\n```"]
    failing = [t for t in run.tests if not t.passed]
    if not failing:
        return [f"All {run.total} test(s) of the last run pass."]
    lines = [f"{run.passed} of {run.total} test(s) pass."]
    for test in failing:
        if test.visibility == "sample":
            lines.extend(_explain_sample(test, ctx))
    hidden = [t for t in failing if t.visibility == "hidden"]
    if hidden:
        lines.extend(_explain_hidden(hidden))
    return lines


def _findings_lines(findings: list[Finding]) -> list[str]:
    if not findings:
        return []
    return ["**Things to check in your code:**", *(f"- line {f.line}: {f.message}" for f in findings)]


class OfflineAssistant:
    """Answers every request kind from the context alone; the default when no model is configured."""

    name = "offline"

    def reply(self, ctx: AssistantContext, request: AssistantRequest) -> str:
        if request.kind == "hint":
            return self._hint(ctx, request)
        if request.kind == "review":
            return review_code(ctx.code, ctx.language).to_markdown()
        lines: list[str] = []
        if request.kind == "chat" and _SECRET_REQUEST.search(request.message):
            lines.append(
                "I can't share hidden tests, reference solutions or answer keys. I can explain your failing "
                "tests, point at errors in your code, and give the next hint."
            )
        if ctx.last_run is not None:
            lines.extend(explain_run(ctx.last_run, ctx))
        elif ctx.question.type == "code":
            lines.append("Run your code against the sample tests first; then I can explain what fails.")
        lines.extend(_findings_lines(static_findings(ctx.code, ctx.language)))
        if not lines:
            lines.append("I found nothing wrong to point at. Ask for a hint if you are stuck.")
        return "\n".join(lines)

    def _hint(self, ctx: AssistantContext, request: AssistantRequest) -> str:
        if request.next_hint is None:
            if ctx.hints_shown:
                return "No more hints for this question. Here are the hints so far:\n" + "\n".join(
                    f"{number}. {hint}" for number, hint in enumerate(ctx.hints_shown, 1)
                )
            return "This question has no hints available."
        return f"**Hint {len(ctx.hints_shown) + 1}:** {request.next_hint}"
