"""Static checks for Python (ast) and JavaScript (tree-sitter): each mistake found, clean code left alone."""

from __future__ import annotations

import pytest

from codesensei.assistant.jschecks import check_javascript
from codesensei.assistant.pychecks import check_python


def codes(findings: list) -> list[tuple[str, int]]:
    return [(f.code, f.line) for f in findings]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("def f(a):\n    x = 1\n    return a\n", [("unused-variable", 2)]),
        (
            "def f(nums):\n    for n in nums:\n        if n < 0:\n            nums.remove(n)\n    return nums\n",
            [("mutate-while-iterating", 4)],
        ),
        (
            "def f(a):\n    t = 0\n    for i in range(len(a) + 1):\n        t += a[i]\n    return t\n",
            [("off-by-one", 3)],
        ),
        (
            "def f(a):\n    t = 0\n    for i in range(0, 1 + len(a)):\n        t += a[i]\n    return t\n",
            [("off-by-one", 3)],
        ),
        ("def f(a):\n    if a:\n        return 1\n", [("missing-return", 1)]),
        ("def f(list):\n    return list\n", [("shadowed-builtin", 1)]),
        ("def f(a):\n    max = a[0]\n    return max\n", [("shadowed-builtin", 2)]),
        ("def f(:\n", [("syntax-error", 1)]),
    ],
)
def test_python_mistakes(source: str, expected: list[tuple[str, int]]) -> None:
    assert codes(check_python(source)) == expected


CLEAN_PYTHON = """
def longest_run(nums):
    best = current = 0
    previous = object()
    for value in nums[:]:
        current = current + 1 if value == previous else 1
        previous = value
        best = max(best, current)
    for i in range(1, len(nums)):
        if nums[i] < 0:
            break
    return best

def classify(n):
    if n < 0:
        return "negative"
    elif n == 0:
        return "zero"
    else:
        return "positive"

def loop_forever(queue):
    while True:
        if queue:
            return queue.pop()

def walk(items):
    for item in items:
        yield item

def outer():
    seen = set()
    def inner(x):
        seen.add(x)
    return inner
"""


def test_clean_python_has_no_findings() -> None:
    assert check_python(CLEAN_PYTHON) == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("function f(a) {\n  let x = 1;\n  return a;\n}\n", [("unused-variable", 2)]),
        (
            "function f(a) {\n  let t = 0;\n  for (let i = 0; i <= a.length; i++) { t += a[i]; }\n  return t;\n}\n",
            [("off-by-one", 3)],
        ),
        ("function f(a) {\n  return a == 1;\n}\n", [("loose-equality", 2)]),
        ("function f(a) {\n  return a.sort();\n}\n", [("sort-without-comparator", 2)]),
        (
            "function f(a) {\n  for (const x of a) {\n    if (x < 0) a.splice(0, 1);\n  }\n  return a;\n}\n",
            [("mutate-while-iterating", 3)],
        ),
        ("function f(a) {\n  a.forEach((x) => a.push(x));\n  return a;\n}\n", [("mutate-while-iterating", 2)]),
        ("function f(a) {\n  if (a = 5) { return 1; }\n  return 0;\n}\n", [("assignment-in-condition", 2)]),
        ("function f(a) {\n  if (a) { return 1; }\n}\n", [("missing-return", 1)]),
        ("function f(a {\n", [("syntax-error", 1)]),
    ],
)
def test_javascript_mistakes(source: str, expected: list[tuple[str, int]]) -> None:
    assert codes(check_javascript(source)) == expected


CLEAN_JAVASCRIPT = """
function longestRun(nums) {
  let best = 0, current = 0;
  for (let i = 0; i < nums.length; i++) {
    current = i > 0 && nums[i] === nums[i - 1] ? current + 1 : 1;
    best = Math.max(best, current);
  }
  if (nums == null) { return 0; }
  const sorted = [...nums].sort((a, b) => a - b);
  return best + sorted.length * 0;
}
function sign(n) {
  if (n < 0) { return -1; } else if (n === 0) { return 0; } else { return 1; }
}
const double = (n) => n * 2;
"""


def test_clean_javascript_has_no_findings() -> None:
    assert check_javascript(CLEAN_JAVASCRIPT) == []
