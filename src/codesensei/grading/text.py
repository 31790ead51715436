"""Text comparison shared by short answers and blanks: exact, key-term `contains`, regex and numeric.

Regular expressions cannot be interrupted in Python's `re`, so we bound their cost by size instead:
patterns over 500 characters are refused as an authoring error and answers over 10,000 characters
are not matched against a pattern at all.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from codesensei.bank.model import TextMatch
from codesensei.grading.result import InvalidQuestion

MAX_PATTERN_CHARS = 500
MAX_REGEX_ANSWER_CHARS = 10_000

_WHITESPACE = re.compile(r"\s+")
# "1,000" and "12,345.5" are numbers; "1,5" is ambiguous across locales and is not.
_GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?([eE][+-]?\d+)?")


@dataclass(frozen=True)
class TextScore:
    """How much of a text key an answer met (0..1) and why."""

    fraction: float
    feedback: str


def normalise(text: str, case_sensitive: bool) -> str:
    """Trim, collapse runs of whitespace to one space and, unless case matters, casefold."""
    collapsed = _WHITESPACE.sub(" ", text).strip()
    return collapsed if case_sensitive else collapsed.casefold()


def parse_number(text: str) -> float | None:
    """A finite number written as `42`, ` 42 `, `1e3`, `-0.5` or `1,000`; anything else is None."""
    cleaned = text.strip()
    if _GROUPED.fullmatch(cleaned):
        cleaned = cleaned.replace(",", "")
    # float() also accepts "nan", "inf" and "1_000"; only plain finite numerals count as answers.
    if "_" in cleaned:
        return None
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


@lru_cache(maxsize=512)
def compiled_pattern(pattern: str, case_sensitive: bool) -> re.Pattern[str]:
    if len(pattern) > MAX_PATTERN_CHARS:
        raise InvalidQuestion(
            f"regular expression of {len(pattern)} characters is over the {MAX_PATTERN_CHARS}-character limit"
        )
    try:
        return re.compile(pattern, 0 if case_sensitive else re.IGNORECASE)
    except re.error as error:
        raise InvalidQuestion(f"invalid regular expression {pattern!r}: {error}") from error


def match_exact(accepted: Sequence[str], answer: str, case_sensitive: bool) -> TextScore:
    given = normalise(answer, case_sensitive)
    if any(normalise(key, case_sensitive) == given for key in accepted):
        return TextScore(1.0, "matches an accepted answer")
    return TextScore(0.0, "does not match an accepted answer")


def match_contains(terms: Sequence[str], answer: str, case_sensitive: bool) -> TextScore:
    """The ADR's key-term check: the share of terms that occur in the answer."""
    if not terms:
        return TextScore(0.0, "no key terms to look for")
    given = normalise(answer, case_sensitive)
    found = sum(1 for term in terms if normalise(term, case_sensitive) in given)
    return TextScore(found / len(terms), f"{found} of {len(terms)} key terms found")


def match_regex(patterns: Sequence[str], answer: str, case_sensitive: bool) -> TextScore:
    compiled = [compiled_pattern(p, case_sensitive) for p in patterns]
    if len(answer) > MAX_REGEX_ANSWER_CHARS:
        return TextScore(0.0, f"answer is over {MAX_REGEX_ANSWER_CHARS} characters and was not matched")
    given = answer.strip()
    if any(p.fullmatch(given) for p in compiled):
        return TextScore(1.0, "matches the expected pattern")
    return TextScore(0.0, "does not match the expected pattern")


def match_numeric(accepted: Sequence[str], answer: str, abs_tol: float, rel_tol: float) -> TextScore:
    value = parse_number(answer)
    if value is None:
        return TextScore(0.0, "expected a number")
    keys = [k for k in (parse_number(a) for a in accepted) if k is not None]
    if not keys:
        raise InvalidQuestion("numeric grading needs at least one accepted answer that is a number")
    if any(math.isclose(value, key, rel_tol=rel_tol, abs_tol=abs_tol) for key in keys):
        return TextScore(1.0, "number is within the accepted tolerance")
    return TextScore(0.0, "number is outside the accepted tolerance")


def match_text(
    method: TextMatch,
    accepted: Sequence[str],
    answer: str,
    *,
    case_sensitive: bool = False,
    abs_tol: float = 0.0,
    rel_tol: float = 0.0,
) -> TextScore:
    """Score `answer` against a key; with several accepted answers the best match wins."""
    if method == "contains":
        return match_contains(accepted, answer, case_sensitive)
    if method == "regex":
        return match_regex(accepted, answer, case_sensitive)
    if method == "numeric":
        return match_numeric(accepted, answer, abs_tol, rel_tol)
    return match_exact(accepted, answer, case_sensitive)
