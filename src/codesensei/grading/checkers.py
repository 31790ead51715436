"""Output checkers: compare a program's output (or a `call` test's returned JSON) with the expected answer.

Pure functions in the manner of DMOJ's `dmoj/checkers/*.py`; custom checker programs are not handled
here because they must run inside the sandbox.
"""

from __future__ import annotations

import difflib
import json
import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from codesensei.bank.model import Checker
from codesensei.errors import SenseiError

# Messages quote at most this much of a line or token, so a 1 MB line never ends up in a report.
_SHOWN_CHARS = 60

# Only plain decimal notation counts as a number: Python's float() would also take "1_000" or "½"-free
# oddities such as "١٢" (Arabic-Indic digits), which no judge treats as numeric output.
_NUMBER = re.compile(
    r"[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf|infinity|nan)",
    re.IGNORECASE | re.ASCII,
)


class CheckerError(SenseiError):
    """A checker was asked for something it cannot do."""

    code = "checker_error"
    http_status = 500


class CustomCheckerNeedsSandboxError(CheckerError):
    """Custom checkers are untrusted programs; only the runner may execute them, inside the sandbox."""

    code = "custom_checker_needs_sandbox"


class NotCanonicalJsonError(CheckerError):
    """A value has no canonical JSON form (NaN, infinity, non-string keys, unsupported types)."""

    code = "not_canonical_json"
    http_status = 422


@dataclass(frozen=True)
class CheckOutcome:
    ok: bool
    message: str


_ACCEPTED = CheckOutcome(ok=True, message="accepted")


def _show(text: str) -> str:
    if len(text) > _SHOWN_CHARS:
        return repr(text[:_SHOWN_CHARS]) + "…"
    return repr(text)


def _bare(token: str) -> str:
    return token if len(token) <= _SHOWN_CHARS else token[:_SHOWN_CHARS] + "…"


def _lines(text: str) -> list[str]:
    """Lines with trailing whitespace removed and trailing blank lines dropped.

    Splitting on "\\n" only (not `str.splitlines`) keeps form feeds and other Unicode separators inside
    a line, so they still count as differences; "\\r" is trailing whitespace and so CRLF output passes.
    """
    lines = [line.rstrip() for line in text.split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _compare_lines(output: list[str], expected: list[str], fold: Callable[[str], str]) -> CheckOutcome:
    for number, (got, want) in enumerate(zip(output, expected, strict=False), start=1):
        if fold(got) != fold(want):
            return CheckOutcome(False, f"line {number}: expected {_show(want)}, got {_show(got)}")
    if len(output) < len(expected):
        number = len(output) + 1
        return CheckOutcome(
            False,
            f"line {number}: expected {_show(expected[number - 1])}, got end of output "
            f"({len(output)} of {len(expected)} lines)",
        )
    if len(output) > len(expected):
        number = len(expected) + 1
        return CheckOutcome(
            False,
            f"line {number}: expected end of output, got {_show(output[number - 1])} "
            f"({len(output)} lines, expected {len(expected)})",
        )
    return _ACCEPTED


def _identity(text: str) -> str:
    return text


def _check_exact(output: str, expected: str) -> CheckOutcome:
    return _compare_lines(_lines(output), _lines(expected), _identity)


def _check_case_insensitive(output: str, expected: str) -> CheckOutcome:
    return _compare_lines(_lines(output), _lines(expected), str.casefold)


def _token_count_outcome(got: list[str], want: list[str]) -> CheckOutcome:
    number = min(len(got), len(want)) + 1
    if len(got) < len(want):
        return CheckOutcome(
            False,
            f"token {number}: expected {_show(want[number - 1])}, got end of output ({len(got)} of {len(want)} tokens)",
        )
    return CheckOutcome(
        False,
        f"token {number}: expected end of output, got {_show(got[number - 1])} "
        f"({len(got)} tokens, expected {len(want)})",
    )


def _check_tokens(output: str, expected: str) -> CheckOutcome:
    got, want = output.split(), expected.split()
    for number, (g, w) in enumerate(zip(got, want, strict=False), start=1):
        if g != w:
            return CheckOutcome(False, f"token {number}: expected {_show(w)}, got {_show(g)}")
    if len(got) != len(want):
        return _token_count_outcome(got, want)
    return _ACCEPTED


def _as_number(token: str) -> float | None:
    return float(token) if _NUMBER.fullmatch(token) else None


def _numbers_close(got: float, want: float, abs_tol: float, rel_tol: float) -> bool:
    """Within `abs_tol` absolutely or `rel_tol` relative to the expected value; NaN matches only NaN."""
    if math.isnan(want) or math.isnan(got):
        return math.isnan(want) and math.isnan(got)
    if math.isinf(want) or math.isinf(got):
        return got == want
    return abs(got - want) <= max(abs_tol, rel_tol * abs(want))


def _allowed(want: float, abs_tol: float, rel_tol: float) -> float:
    if math.isfinite(want):
        return max(abs_tol, rel_tol * abs(want))
    return 0.0


def _check_float(output: str, expected: str, abs_tol: float, rel_tol: float) -> CheckOutcome:
    got, want = output.split(), expected.split()
    for number, (g, w) in enumerate(zip(got, want, strict=False), start=1):
        want_number = _as_number(w)
        if want_number is None:
            if g != w:
                return CheckOutcome(False, f"token {number}: expected {_show(w)}, got {_show(g)}")
            continue
        got_number = _as_number(g)
        if got_number is None:
            return CheckOutcome(False, f"token {number}: expected the number {_bare(w)}, got {_show(g)}")
        if not _numbers_close(got_number, want_number, abs_tol, rel_tol):
            return CheckOutcome(
                False,
                f"token {number}: {_bare(g)} differs from {_bare(w)} by more than "
                f"{_allowed(want_number, abs_tol, rel_tol):g}",
            )
    if len(got) != len(want):
        return _token_count_outcome(got, want)
    return _ACCEPTED


def _check_unordered_lines(output: str, expected: str) -> CheckOutcome:
    got, want = Counter(_lines(output)), Counter(_lines(expected))
    if got == want:
        return _ACCEPTED
    # Report the first offending line in the expected (then output) order, so messages are stable.
    for line in _lines(expected):
        if got[line] < want[line]:
            return CheckOutcome(
                False, f"line {_show(line)} expected {want[line]} time(s), found {got[line]} in the output"
            )
    for line in _lines(output):
        if got[line] > want[line]:
            return CheckOutcome(
                False, f"line {_show(line)} found {got[line]} time(s) in the output, expected {want[line]}"
            )
    raise AssertionError("unreachable: unequal multisets always have an offending line")


def check_output(output: str, expected: str, checker: Checker) -> CheckOutcome:
    """Compare a program's stdout with the expected output under `checker`.

    `exact` and `case_insensitive` compare line by line, ignoring trailing whitespace on each line and
    trailing blank lines (as most judges do); `tokens` compares whitespace-separated tokens; `float`
    compares tokens, numbers within `abs_tol` or `rel_tol` (relative to the expected value; NaN matches
    NaN, an infinity only the same infinity) and other tokens exactly; `unordered_lines` compares the
    multisets of lines normalised like `exact`. `custom` raises `CustomCheckerNeedsSandboxError`.
    """
    match checker.name:
        case "exact":
            return _check_exact(output, expected)
        case "tokens":
            return _check_tokens(output, expected)
        case "float":
            return _check_float(output, expected, checker.abs_tol, checker.rel_tol)
        case "unordered_lines":
            return _check_unordered_lines(output, expected)
        case "case_insensitive":
            return _check_case_insensitive(output, expected)
        case "custom":
            raise CustomCheckerNeedsSandboxError(
                "a custom checker is a program and must be run by the runner inside the sandbox"
            )
    raise CheckerError(f"unknown checker {checker.name!r}")


def unified_diff(expected: str, actual: str, limit: int = 4000) -> str:
    """A unified diff from the expected output to the actual one, for sample tests; "" when the lines agree.

    A diff longer than `limit` characters is cut there and ends with a marker saying how much was cut.
    """
    diff = "\n".join(
        difflib.unified_diff(
            expected.split("\n"), actual.split("\n"), fromfile="expected", tofile="output", lineterm=""
        )
    )
    if len(diff) <= limit:
        return diff
    return f"{diff[:limit]}\n… diff truncated ({len(diff) - limit} more characters)"


# ---- values of `call` tests -----------------------------------------------------------------------


def _normalise(value: object, path: str, allow_nan: bool = False) -> object:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if not allow_nan and not math.isfinite(value):
            raise NotCanonicalJsonError(f"{path}: {value!r} has no JSON form")
        # -0.0 and 0.0 are the same answer; repr() already gives the shortest round-tripping digits.
        return 0.0 if value == 0.0 else value
    if isinstance(value, list | tuple):
        return [_normalise(item, f"{path}[{index}]", allow_nan) for index, item in enumerate(value)]
    if isinstance(value, dict):
        normalised: dict[str, object] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise NotCanonicalJsonError(f"{path}: object key {key!r} is not a string")
            normalised[key] = _normalise(item, _child_path(path, key), allow_nan)
        return normalised
    raise NotCanonicalJsonError(f"{path}: a {type(value).__name__} has no JSON form")


def canonical_json(value: object) -> str:
    """The canonical JSON text of a value: sorted keys, no whitespace, -0.0 as 0.0, tuples as lists.

    Raises `NotCanonicalJsonError` for NaN, infinities, non-string object keys and non-JSON types.
    """
    return json.dumps(
        _normalise(value, "$"), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def _child_path(path: str, key: str) -> str:
    return f"{path}.{key}" if key.isidentifier() else f"{path}[{json.dumps(key)}]"


def _brief(value: object) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=repr)
    return text if len(text) <= _SHOWN_CHARS else text[:_SHOWN_CHARS] + "…"


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


@dataclass(frozen=True)
class _Rules:
    numeric_tolerance: bool
    fold_case: bool
    abs_tol: float
    rel_tol: float


def _multiset_key(value: object) -> str:
    # NaN may appear in returned values (JSON from a Python harness); keep it distinct but matchable.
    normalised = _normalise(value, "$", allow_nan=True)
    return json.dumps(normalised, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _differs(actual: object, expected: object, path: str, rules: _Rules) -> str | None:
    """The first difference as a message, or None when the values are equal under `rules`."""
    if _kind(actual) != _kind(expected):
        return f"{path}: expected {_brief(expected)}, got {_brief(actual)}"
    if isinstance(expected, bool) or expected is None:
        return None if actual == expected else f"{path}: expected {_brief(expected)}, got {_brief(actual)}"
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return _number_differs(actual, expected, path, rules)
    if isinstance(expected, str) and isinstance(actual, str):
        same = actual.casefold() == expected.casefold() if rules.fold_case else actual == expected
        return None if same else f"{path}: expected {_brief(expected)}, got {_brief(actual)}"
    if isinstance(expected, list | tuple) and isinstance(actual, list | tuple):
        if len(actual) != len(expected):
            return f"{path}: expected an array of {len(expected)} items, got {len(actual)}"
        for index, (got, want) in enumerate(zip(actual, expected, strict=True)):
            message = _differs(got, want, f"{path}[{index}]", rules)
            if message is not None:
                return message
        return None
    if isinstance(expected, dict) and isinstance(actual, dict):
        missing = sorted(set(expected) - set(actual), key=str)
        if missing:
            return f"{path}: missing key {_brief(missing[0])}"
        extra = sorted(set(actual) - set(expected), key=str)
        if extra:
            return f"{path}: unexpected key {_brief(str(extra[0]))}"
        for key in sorted(expected, key=str):
            message = _differs(actual[key], expected[key], _child_path(path, key), rules)
            if message is not None:
                return message
        return None
    return f"{path}: expected {_brief(expected)}, got {_brief(actual)}"


def _close_exactly(actual: float, expected: float, rules: _Rules) -> bool:
    """Tolerance for numbers beyond the float range (big ints), computed with exact fractions."""
    if isinstance(actual, float) and not math.isfinite(actual):
        return False
    if isinstance(expected, float) and not math.isfinite(expected):
        return False
    want = Fraction(expected)
    allowed = max(Fraction(rules.abs_tol), Fraction(rules.rel_tol) * abs(want))
    return abs(Fraction(actual) - want) <= allowed


def _number_differs(actual: float, expected: float, path: str, rules: _Rules) -> str | None:
    if rules.numeric_tolerance:
        if actual == expected:
            return None
        try:
            want = float(expected)
            close = _numbers_close(float(actual), want, rules.abs_tol, rules.rel_tol)
        except OverflowError:
            want = math.inf
            close = _close_exactly(actual, expected, rules)
        if close:
            return None
        return (
            f"{path}: {_brief(actual)} differs from {_brief(expected)} by more than "
            f"{_allowed(want, rules.abs_tol, rules.rel_tol):g}"
        )
    # Without tolerance the JSON type matters too: 1 and 1.0 are different answers.
    if type(actual) is not type(expected):
        return f"{path}: expected {_brief(expected)}, got {_brief(actual)}"
    if actual == expected or (isinstance(actual, float) and math.isnan(actual) and math.isnan(expected)):
        return None
    return f"{path}: expected {_brief(expected)}, got {_brief(actual)}"


def _unordered_differs(actual: list[object], expected: list[object], rules: _Rules) -> str | None:
    got = Counter(_multiset_key(item) for item in actual)
    want = Counter(_multiset_key(item) for item in expected)
    if got == want:
        return None
    for item in expected:
        key = _multiset_key(item)
        if got[key] < want[key]:
            return f"$: expected {_brief(item)} {want[key]} time(s), found {got[key]}"
    for item in actual:
        key = _multiset_key(item)
        if got[key] > want[key]:
            return f"$: found {_brief(item)} {got[key]} time(s), expected {want[key]}"
    return _differs(actual, expected, "$", rules)


def _reject_duplicate_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result: dict[str, object] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate object key {key!r}")
        result[key] = value
    return result


def values_equal(actual_json: str, expected: object, checker: Checker) -> CheckOutcome:
    """Compare a `call` test's returned value, serialised to JSON in the sandbox, with the expected value.

    JSON types matter: `true` is not `1`, and `1` equals `1.0` only under `float`, which compares every
    number within the checker's tolerances, recursively. `unordered_lines` compares a top-level array as
    a multiset; `case_insensitive` compares strings case-folded; the others compare exactly. `custom`
    raises `CustomCheckerNeedsSandboxError`. Malformed or over-deep JSON is a wrong answer, not an error.
    """
    if checker.name == "custom":
        raise CustomCheckerNeedsSandboxError(
            "a custom checker is a program and must be run by the runner inside the sandbox"
        )
    try:
        actual = json.loads(actual_json, object_pairs_hook=_reject_duplicate_keys)
    except (ValueError, RecursionError) as error:
        return CheckOutcome(False, f"the returned value is not valid JSON: {str(error)[:200]}")
    rules = _Rules(
        numeric_tolerance=checker.name == "float",
        fold_case=checker.name == "case_insensitive",
        abs_tol=checker.abs_tol,
        rel_tol=checker.rel_tol,
    )
    try:
        message = _differs(actual, expected, "$", rules)
        if (
            message is not None
            and checker.name == "unordered_lines"
            and isinstance(expected, list | tuple)
            and isinstance(actual, list)
        ):
            message = _unordered_differs(actual, list(expected), rules)
    except RecursionError:
        return CheckOutcome(False, "the returned value is nested too deeply to compare")
    return _ACCEPTED if message is None else CheckOutcome(False, message)
