"""Known-answer tests and properties of the output checkers and the `call`-value comparison."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from codesensei.bank.model import Checker, CustomChecker
from codesensei.grading.checkers import (
    CheckOutcome,
    CustomCheckerNeedsSandboxError,
    NotCanonicalJsonError,
    canonical_json,
    check_output,
    unified_diff,
    values_equal,
)

EXACT = Checker(name="exact")
TOKENS = Checker(name="tokens")
FLOAT = Checker(name="float")
UNORDERED = Checker(name="unordered_lines")
CASELESS = Checker(name="case_insensitive")
CUSTOM = Checker(name="custom", program=CustomChecker(language="python", code="raise SystemExit(0)"))


def outcome(output: str, expected: str, checker: Checker) -> CheckOutcome:
    return check_output(output, expected, checker)


# ---- exact ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        ("1\n2\n", "1\n2\n"),
        ("1\n2", "1\n2\n"),  # missing final newline
        ("1  \n2\t\n", "1\n2\n"),  # trailing whitespace on a line
        ("1\r\n2\r\n", "1\n2\n"),  # CRLF
        ("1\n2\n\n\n  \n", "1\n2"),  # trailing blank lines
        ("", ""),
        ("\n\n", ""),
    ],
)
def test_exact_ignores_trailing_whitespace_and_blank_lines(output: str, expected: str) -> None:
    assert outcome(output, expected, EXACT) == CheckOutcome(True, "accepted")


@pytest.mark.parametrize(
    ("output", "expected", "message"),
    [
        ("1\n2\n6\n", "1\n2\n5\n", "line 3: expected '5', got '6'"),
        (" 1\n", "1\n", "line 1: expected '1', got ' 1'"),  # leading whitespace matters
        ("1 2\n", "1  2\n", "line 1: expected '1  2', got '1 2'"),  # inner whitespace matters
        ("1\n", "1\n2\n", "line 2: expected '2', got end of output (1 of 2 lines)"),
        ("1\n2\n3\n", "1\n", "line 2: expected end of output, got '2' (3 lines, expected 1)"),
        ("1\n\n2\n", "1\n2\n", "line 2: expected '2', got ''"),  # blank lines inside count
        ("Yes\n", "yes\n", "line 1: expected 'yes', got 'Yes'"),
    ],
)
def test_exact_reports_the_first_differing_line(output: str, expected: str, message: str) -> None:
    assert outcome(output, expected, EXACT) == CheckOutcome(False, message)


def test_messages_quote_long_lines_briefly() -> None:
    result = outcome("x" * 100_000, "y", EXACT)
    assert not result.ok
    assert len(result.message) < 200
    assert result.message.endswith("…")


def test_messages_quote_long_tokens_briefly() -> None:
    for checker in (TOKENS, FLOAT):
        result = outcome("9" * 100_000, "1", checker)
        assert not result.ok
        assert len(result.message) < 200


def test_form_feed_is_not_a_line_break() -> None:
    assert not outcome("a\x0cb", "a\nb", EXACT).ok


# ---- tokens ---------------------------------------------------------------------------------------


def test_tokens_ignore_all_whitespace_layout() -> None:
    assert outcome("1   2\n\n3\t4", "1 2 3 4\n", TOKENS).ok


@pytest.mark.parametrize(
    ("output", "expected", "message"),
    [
        ("1 2 3 5", "1 2 3 4", "token 4: expected '4', got '5'"),
        ("1 2", "1 2 3", "token 3: expected '3', got end of output (2 of 3 tokens)"),
        ("1 2 3 4", "1 2", "token 3: expected end of output, got '3' (4 tokens, expected 2)"),
        ("1.0", "1", "token 1: expected '1', got '1.0'"),
        ("YES", "yes", "token 1: expected 'yes', got 'YES'"),
    ],
)
def test_tokens_report_the_first_differing_token(output: str, expected: str, message: str) -> None:
    assert outcome(output, expected, TOKENS) == CheckOutcome(False, message)


# ---- float ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        ("3.1415926", "3.14159265"),  # within 1e-6 absolute
        ("1000000.5", "1000000"),  # within 1e-6 relative (1e6 * 1e-6 = 1)
        ("1e3", "1000"),
        ("0.1 abc 2", "0.10000001 abc 2.0"),
        ("nan", "NaN"),
        ("inf -inf", "Infinity -inf"),
        ("-0", "0"),
        (".5", "0.5"),
        ("+2", "2"),
    ],
)
def test_float_accepts_numbers_within_tolerance(output: str, expected: str) -> None:
    assert outcome(output, expected, FLOAT).ok


@pytest.mark.parametrize(
    ("output", "expected", "message"),
    [
        ("1 2 3 3.1", "1 2 3 3.14159", "token 4: 3.1 differs from 3.14159 by more than 3.14159e-06"),
        ("0.001", "0", "token 1: 0.001 differs from 0 by more than 1e-06"),
        ("nan", "1", "token 1: nan differs from 1 by more than 1e-06"),
        ("1", "nan", "token 1: 1 differs from nan by more than 0"),
        ("inf", "1e308", "token 1: inf differs from 1e308 by more than 1e+302"),
        ("-inf", "inf", "token 1: -inf differs from inf by more than 0"),
        ("abc", "1.5", "token 1: expected the number 1.5, got 'abc'"),
        ("1_000", "1000", "token 1: expected the number 1000, got '1_000'"),
        ("ABC 1", "abc 1", "token 1: expected 'abc', got 'ABC'"),
        ("1.0", "1.0 2.0", "token 2: expected '2.0', got end of output (1 of 2 tokens)"),
    ],
)
def test_float_rejects_numbers_out_of_tolerance(output: str, expected: str, message: str) -> None:
    assert outcome(output, expected, FLOAT) == CheckOutcome(False, message)


def test_float_uses_the_question_tolerances() -> None:
    loose = Checker(name="float", abs_tol=0.01, rel_tol=0.0)
    assert outcome("3.14", "3.14159", loose).ok
    assert not outcome("3.13", "3.14159", loose).ok
    relative = Checker(name="float", abs_tol=0.0, rel_tol=0.1)
    assert outcome("105", "100", relative).ok
    assert not outcome("111", "100", relative).ok


# ---- unordered lines, case-insensitive, custom ------------------------------------------------------


def test_unordered_lines_compare_multisets() -> None:
    assert outcome("b\na  \nc\n", "a\nb\nc", UNORDERED).ok
    assert outcome("b\na\na\n\n", "a\nb\na", UNORDERED).ok
    assert outcome("a\nb\na", "a\nb\na", UNORDERED) == CheckOutcome(True, "accepted")


@pytest.mark.parametrize(
    ("output", "expected", "message"),
    [
        ("b\na\na", "a\nb", "line 'a' found 2 time(s) in the output, expected 1"),
        ("a\nb", "a\nb\nb", "line 'b' expected 2 time(s), found 1 in the output"),
        ("a\nc", "a\nb", "line 'b' expected 1 time(s), found 0 in the output"),
        ("A\nb", "a\nb", "line 'a' expected 1 time(s), found 0 in the output"),
    ],
)
def test_unordered_lines_report_a_missing_or_extra_line(output: str, expected: str, message: str) -> None:
    assert outcome(output, expected, UNORDERED) == CheckOutcome(False, message)


def test_case_insensitive_folds_case_line_by_line() -> None:
    assert outcome("HeLLo World  \r\nSTRASSE\n", "hello world\nstraße", CASELESS).ok
    assert outcome("YES\nno", "yes\nyes", CASELESS) == CheckOutcome(False, "line 2: expected 'yes', got 'no'")
    assert not outcome("yes no", "yes\nno", CASELESS).ok


def test_custom_checker_must_run_in_the_sandbox() -> None:
    with pytest.raises(CustomCheckerNeedsSandboxError, match="sandbox") as raised:
        check_output("1", "1", CUSTOM)
    assert raised.value.code == "custom_checker_needs_sandbox"
    with pytest.raises(CustomCheckerNeedsSandboxError):
        values_equal("1", 1, CUSTOM)


# ---- unified diff ---------------------------------------------------------------------------------


def test_unified_diff_shows_the_changed_lines() -> None:
    diff = unified_diff("1\n2\n3\n", "1\n5\n3\n")
    assert diff.splitlines() == ["--- expected", "+++ output", "@@ -1,4 +1,4 @@", " 1", "-2", "+5", " 3", " "]


def test_unified_diff_is_truncated_with_a_marker() -> None:
    expected = "\n".join(str(i) for i in range(5000))
    diff = unified_diff(expected, "", limit=100)
    head, marker = diff.rsplit("\n", 1)
    assert len(head) == 100
    assert marker.startswith("… diff truncated (")
    assert marker.endswith(" more characters)")
    assert int(marker.split("(")[1].split()[0]) == len(unified_diff(expected, "", limit=10**9)) - 100


def test_unified_diff_within_the_limit_is_whole() -> None:
    diff = unified_diff("a", "b", limit=len(unified_diff("a", "b", limit=10**6)))
    assert "truncated" not in diff


# ---- canonical JSON and call values -----------------------------------------------------------------


def test_canonical_json_sorts_keys_and_drops_whitespace() -> None:
    assert canonical_json({"b": [1, 2.5, (3,)], "a": {"y": None, "x": True}}) == (
        '{"a":{"x":true,"y":null},"b":[1,2.5,[3]]}'
    )
    assert canonical_json(-0.0) == "0.0"
    assert canonical_json(0.1 + 0.2) == "0.30000000000000004"
    assert canonical_json("é") == '"é"'


@pytest.mark.parametrize("value", [math.nan, [1, math.inf], {"a": -math.inf}, {1: 2}, {1, 2}, object()])
def test_canonical_json_rejects_values_without_a_json_form(value: object) -> None:
    with pytest.raises(NotCanonicalJsonError):
        canonical_json(value)


@pytest.mark.parametrize(
    ("actual_json", "expected", "checker", "ok"),
    [
        ("3", 3, EXACT, True),
        ("true", 1, EXACT, False),
        ("1", True, FLOAT, False),  # booleans never equal numbers, not even under float
        ("true", True, FLOAT, True),
        ("1.0", 1, EXACT, False),
        ("1.0", 1, TOKENS, False),
        ("1.0", 1, FLOAT, True),
        ("[1, 2.0000001]", [1, 2], FLOAT, True),
        ('{"a": [0.30000000000000004]}', {"a": [0.3]}, FLOAT, True),
        ('{"a": [0.31]}', {"a": [0.3]}, FLOAT, False),
        ("null", None, EXACT, True),
        ("null", 0, FLOAT, False),
        ('"abc"', "abc", EXACT, True),
        ('"ABC"', "abc", EXACT, False),
        ('"ABC"', "abc", CASELESS, True),
        ("[3, 1, 2]", [1, 2, 3], UNORDERED, True),
        ("[3, 1, 2]", [1, 2, 3], EXACT, False),
        ("[1, 1, 2]", [1, 2, 2], UNORDERED, False),
        ("[[2, 1], [3]]", [[3], [1, 2]], UNORDERED, False),  # only the top level is unordered
        ("[[1, 2], [3]]", [[3], [1, 2]], UNORDERED, True),
        ("[1, 2]", (1, 2), EXACT, True),
        ('{"a": 1, "b": 2}', {"b": 2, "a": 1}, EXACT, True),
        ('{"a": 1}', {"a": 1, "b": 2}, EXACT, False),
        ('{"a": 1, "a": 1}', {"a": 1}, EXACT, False),  # duplicate keys are not a canonical answer
        ("NaN", math.nan, FLOAT, True),
        ("NaN", math.nan, EXACT, True),
        ("Infinity", math.inf, FLOAT, True),
        ("-Infinity", math.inf, FLOAT, False),
        ("1e400", math.inf, FLOAT, True),
        ("1" + "0" * 400, 10**400, EXACT, True),
        ("1" + "0" * 400, 10**400 + 1, FLOAT, True),  # relatively 1e-400 apart
        ("2" + "0" * 400, 10**400, FLOAT, False),
        ("1" + "0" * 400, 1e308, FLOAT, False),
        ("[1, 2", [1, 2], EXACT, False),
        ("", None, EXACT, False),
        ("[" * 100_000 + "]" * 100_000, [], EXACT, False),
        ("9" * 10_000, 0, EXACT, False),  # beyond Python's int-from-text limit: wrong, not a crash
    ],
)
def test_values_equal_known_answers(actual_json: str, expected: object, checker: Checker, ok: bool) -> None:
    assert values_equal(actual_json, expected, checker).ok is ok


@pytest.mark.parametrize(
    ("actual_json", "expected", "checker", "message"),
    [
        ("[1, 2, 4]", [1, 2, 3], EXACT, "$[2]: expected 3, got 4"),
        ('{"a": {"b c": 1}}', {"a": {"b c": 2}}, EXACT, '$.a["b c"]: expected 2, got 1'),
        ("[1]", [1, 2], EXACT, "$: expected an array of 2 items, got 1"),
        ('{"x": 1}', {"y": 1}, EXACT, '$: missing key "y"'),
        ('{"x": 1, "y": 1}', {"y": 1}, EXACT, '$: unexpected key "x"'),
        ("[3.1]", [3.14159], FLOAT, "$[0]: 3.1 differs from 3.14159 by more than 3.14159e-06"),
        ("[1, 1]", [1, 2], UNORDERED, "$: expected 2 1 time(s), found 0"),
        ("true", 1, EXACT, "$: expected 1, got true"),
    ],
)
def test_values_equal_says_where_values_differ(
    actual_json: str, expected: object, checker: Checker, message: str
) -> None:
    assert values_equal(actual_json, expected, checker) == CheckOutcome(False, message)


# ---- properties -----------------------------------------------------------------------------------

ALL_OUTPUT_CHECKERS = [EXACT, TOKENS, FLOAT, UNORDERED, CASELESS]
# Outputs built from a small alphabet so random pairs are often equal under the lenient checkers.
output_text = st.text(alphabet="aAbB01.-e \t\r\n", max_size=40)
finite_floats = st.floats(allow_nan=False, allow_infinity=False)
json_scalars = st.none() | st.booleans() | st.integers() | finite_floats | st.text(max_size=5)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=4), children, max_size=4),
    max_leaves=20,
)


@given(expected=st.text(max_size=200))
def test_every_checker_accepts_the_expected_output_itself(expected: str) -> None:
    for checker in ALL_OUTPUT_CHECKERS:
        assert check_output(expected, expected, checker).ok, checker.name


@given(expected=st.text(max_size=100), padding=st.lists(st.sampled_from([" ", "\t", "\r"]), max_size=5))
def test_trailing_whitespace_never_matters(expected: str, padding: list[str]) -> None:
    padded = "\n".join(line + "".join(padding) for line in expected.split("\n")) + "\n\n"
    for checker in ALL_OUTPUT_CHECKERS:
        assert check_output(padded, expected, checker).ok, checker.name


@given(output=output_text, expected=output_text)
def test_leniency_is_monotonic(output: str, expected: str) -> None:
    exact = check_output(output, expected, EXACT).ok
    tokens = check_output(output, expected, TOKENS).ok
    if exact:
        assert tokens
        assert check_output(output, expected, CASELESS).ok
        assert check_output(output, expected, UNORDERED).ok
    if tokens:
        assert check_output(output, expected, FLOAT).ok


@given(output=output_text, expected=output_text)
def test_a_rejection_always_says_where(output: str, expected: str) -> None:
    for checker in ALL_OUTPUT_CHECKERS:
        result = check_output(output, expected, checker)
        assert result.ok == (result.message == "accepted")
        if not result.ok:
            assert result.message.startswith(("line ", "token "))


@given(text=st.text(max_size=300))
def test_diff_of_equal_strings_is_empty(text: str) -> None:
    assert unified_diff(text, text) == ""


@given(expected=st.text(max_size=100), actual=st.text(max_size=100), limit=st.integers(0, 200))
def test_diff_respects_its_limit(expected: str, actual: str, limit: int) -> None:
    diff = unified_diff(expected, actual, limit=limit)
    whole = unified_diff(expected, actual, limit=10**9)
    assert diff == whole or (diff.startswith(whole[:limit]) and "diff truncated" in diff[limit:])


@given(value=json_values)
def test_a_value_equals_its_own_canonical_json(value: object) -> None:
    for checker in (EXACT, TOKENS, FLOAT, UNORDERED, CASELESS):
        assert values_equal(canonical_json(value), value, checker).ok, checker.name


@given(value=json_values)
def test_canonical_json_is_a_fixed_point(value: object) -> None:
    text = canonical_json(value)
    assert canonical_json(json.loads(text)) == text
