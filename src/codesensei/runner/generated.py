"""Generated performance tests: fill a question's `generated: true` test from its generator, once.

The generator runs in the sandbox; its stdout is the test's stdin (`stdio`) or its JSON argument array
(`call`). The expected value comes from the question's accepted Python solution, run in the sandbox through
the judge's own harness, so `ListNode`/`TreeNode` arguments and results are converted exactly as they are
for candidates. Both are cached under the data directory by a hash of everything they depend on.

A materialized question is an ordinary question: the generated test holds its input and expected value like
any other and the generator is dropped, so the judge needs no special case and the expected value is
compared outside the box like every other test's.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

from codesensei.bank.model import CallTest, CodeAnswer, CodeQuestion, Solution, StdioTest
from codesensei.errors import SenseiError
from codesensei.runner.api import run_with
from codesensei.runner.languages import get_language
from codesensei.runner.sandbox import Sandbox
from codesensei.runner.single import NotRunnable, run_one_test
from codesensei.runner.types import RunLimits
from codesensei.runner.verdicts import execution_verdict

# Generators and reference solutions are trusted authors' code, but still untrusted to the host: they run in
# the sandbox, with room for inputs far larger than any candidate's test would need.
GENERATION_LIMITS = RunLimits(
    cpu_time_s=20.0,
    memory_mb=1024,
    output_bytes=64 * 1024 * 1024,
    file_size_bytes=64 * 1024 * 1024,
    tmpfs_mb=128,
)
# Bump when the cached document's meaning changes, so old entries are simply never read again.
CACHE_FORMAT = 1
MESSAGE_TAIL = 600

GeneratedTest = StdioTest | CallTest


class GeneratedTestError(SenseiError):
    """A generated test could not be filled: the generator or the reference solution failed."""

    code = "generated_test_failed"
    http_status = 422


def generated_test(question: CodeQuestion) -> GeneratedTest | None:
    """The test the question's generator fills, or None when it has none (or it is already filled)."""
    if question.generator is None:
        return None
    for test in question.tests:
        if isinstance(test, StdioTest | CallTest) and test.generated and test.name == question.generator.test:
            return test
    return None


def reference_solution(question: CodeQuestion) -> Solution:
    for solution in question.solutions:
        if solution.expect == "accepted" and solution.language == "python":
            return solution
    # The model refuses a generated test without one; a question built around validation still gets a clear error.
    raise GeneratedTestError(f"question {question.id!r}: a generated test needs an accepted python solution")


def cache_key(question: CodeQuestion) -> str:
    """A hash of everything the filled test depends on: generator, reference solution and call signature."""
    test = generated_test(question)
    if test is None or question.generator is None:
        raise ValueError(f"question {question.id!r} has no generated test")
    material = [
        CACHE_FORMAT,
        test.kind,
        question.generator.language,
        question.generator.code,
        reference_solution(question).code,
        question.entry_point,
        list(question.arg_types),
        question.return_type,
    ]
    return hashlib.sha256(json.dumps(material).encode()).hexdigest()


def default_cache_dir() -> Path:
    from codesensei.settings import load_settings

    return load_settings().data_dir / "generated"


# One lock per key: concurrent judges of the same question wait for one generation instead of repeating it.
_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def _lock_for(key: str) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(key, threading.Lock())


def materialize(question: CodeQuestion, *, sandbox: Sandbox, cache_dir: Path | None) -> CodeQuestion:
    """A copy of `question` whose generated test has its input and expected value; `question` if it has none.

    `cache_dir` None generates without caching. Raises `GeneratedTestError` naming what failed.
    """
    test = generated_test(question)
    if test is None:
        return question
    key = cache_key(question)
    with _lock_for(key):
        fields = _read_cache(cache_dir / f"{key}.json", test) if cache_dir is not None else None
        if fields is None:
            fields = _generate(question, test, sandbox)
            if cache_dir is not None:
                # The cache only saves time: a read-only or full data directory must not fail the judge.
                with contextlib.suppress(OSError):
                    _write_cache(cache_dir / f"{key}.json", fields)
    filled = test.model_copy(update={**fields, "generated": False})
    tests = [filled if t is test else t for t in question.tests]
    return question.model_copy(update={"tests": tests, "generator": None})


def _generate(question: CodeQuestion, test: GeneratedTest, sandbox: Sandbox) -> dict[str, Any]:
    generator_input = _run_generator(question, sandbox)
    if isinstance(test, StdioTest):
        fields: dict[str, Any] = {"input": generator_input}
    else:
        try:
            args = json.loads(generator_input)
        except json.JSONDecodeError as exc:
            raise GeneratedTestError(
                f"question {question.id!r}: the generator's output is not JSON ({exc.msg} at line {exc.lineno}); "
                "a call test's generator prints a JSON array of arguments"
            ) from None
        if not isinstance(args, list):
            raise GeneratedTestError(
                f"question {question.id!r}: the generator printed a JSON {type(args).__name__}, "
                "not the JSON array of arguments a call test needs"
            )
        fields = {"args": args}
    fields["expected"] = _reference_expected(question, test.model_copy(update=fields), sandbox)
    return fields


def _tail(text: str) -> str:
    text = text.strip()
    return text if len(text) <= MESSAGE_TAIL else "…" + text[-MESSAGE_TAIL:]


def _run_generator(question: CodeQuestion, sandbox: Sandbox) -> str:
    assert question.generator is not None
    language = get_language(question.generator.language)
    compile_cache = None
    if language.compiled:
        from codesensei.runner.api import cache_dir

        compile_cache = cache_dir()
    result = run_with(sandbox, question.generator.code, language, "", GENERATION_LIMITS, compile_cache)
    if result.status != "ok" or result.truncated:
        detail = _tail(result.message or result.compile_output or result.stderr)
        raise GeneratedTestError(
            f"question {question.id!r}: the generator ended with {result.status}"
            + (" (output over 64 MB)" if result.truncated else "")
            + (f": {detail}" if detail else "")
        )
    return result.stdout


def _reference_expected(question: CodeQuestion, test: GeneratedTest, sandbox: Sandbox) -> Any:
    """Run the accepted Python solution on the filled input in a harness box, as the judge runs candidates."""
    reference = reference_solution(question)
    answer = CodeAnswer(language=reference.language, source=reference.code)
    failure = f"question {question.id!r}: the accepted python solution failed on the generated input"
    try:
        run = run_one_test(sandbox, question, answer, test, GENERATION_LIMITS)
    except NotRunnable as exc:
        raise GeneratedTestError(f"{failure}: {exc.message}") from None
    verdict, message = execution_verdict(run, GENERATION_LIMITS)
    if verdict is not None:
        stderr = _tail(run.stderr)
        raise GeneratedTestError(f"{failure}: {verdict}: {message}" + (f"; stderr: {stderr}" if stderr else ""))
    if isinstance(test, StdioTest):
        return run.stdout
    result = run.result if isinstance(run.result, dict) else {}
    if "value" not in result:
        raise GeneratedTestError(f"{failure}: {result.get('invalid', 'it returned no value')}")
    return json.loads(str(result["value"]))


def _read_cache(path: Path, test: GeneratedTest) -> dict[str, Any] | None:
    """The cached fields, or None when absent or unreadable (then they are generated again)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(document, dict) or document.get("format") != CACHE_FORMAT:
        return None
    fields = document.get("fields")
    if not isinstance(fields, dict):
        return None
    # Only the fields a generated test is filled with, of the right types, may come from a file.
    if isinstance(test, StdioTest):
        ok = set(fields) == {"input", "expected"} and all(isinstance(v, str) for v in fields.values())
    else:
        ok = set(fields) == {"args", "expected"} and isinstance(fields["args"], list)
    return fields if ok else None


def _write_cache(path: Path, fields: dict[str, Any]) -> None:
    """Write atomically (a temporary file renamed into place), so a reader never sees half a document."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump({"format": CACHE_FORMAT, "fields": fields}, stream, ensure_ascii=False)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
