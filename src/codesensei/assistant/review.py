"""Code-quality review of submitted code: naming, structure, complexity and edge-case handling.

Measured on the syntax tree (Python `ast`, JavaScript tree-sitter), never by running the code. Each
aspect gets a 1–5 rating with the observations behind it; static-analysis findings are listed too.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

from codesensei.assistant.findings import Finding
from codesensei.assistant.jschecks import parse_javascript, walk
from codesensei.assistant.static import static_findings

_LONG_FUNCTION_LINES = 40
_COMPLEX_FUNCTION = 10  # McCabe's usual threshold
_DEEP_NESTING = 4
# Short names that read fine by convention: loop indices, coordinates, counts, and the usual pairs.
_CONVENTIONAL_SHORT = frozenset(
    {"i", "j", "k", "n", "m", "x", "y", "a", "b", "c", "d", "r", "s", "t", "u", "v", "w", "_"}
)
_PY_BRANCHES = (ast.If, ast.For, ast.While, ast.IfExp, ast.ExceptHandler, ast.With, ast.Assert, ast.comprehension)
_JS_BRANCHES = frozenset(
    {
        "if_statement",
        "for_statement",
        "for_in_statement",
        "while_statement",
        "do_statement",
        "ternary_expression",
        "catch_clause",
        "switch_case",
    }
)
_JS_FUNCTIONS = frozenset({"function_declaration", "function_expression", "arrow_function", "method_definition"})


@dataclass(frozen=True)
class FunctionMetrics:
    name: str
    line: int
    lines: int
    complexity: int
    nesting: int
    short_names: tuple[str, ...] = ()


@dataclass
class CodeReview:
    language: str | None
    functions: list[FunctionMetrics] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    ratings: dict[str, int] = field(default_factory=dict)
    notes: dict[str, list[str]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "ratings": self.ratings,
            "notes": self.notes,
            "functions": [f.__dict__ for f in self.functions],
            "findings": [f.to_json() for f in self.findings],
        }

    def to_markdown(self) -> str:
        lines = ["**Code review**"]
        for aspect, rating in self.ratings.items():
            lines.append(f"- {aspect}: {rating}/5")
            lines.extend(f"  - {note}" for note in self.notes.get(aspect, []))
        if self.findings:
            lines.append("**Possible mistakes:**")
            lines.extend(f"- line {f.line}: {f.message}" for f in self.findings)
        return "\n".join(lines)


def _python_metrics(source: str) -> list[FunctionMetrics]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    metrics = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        complexity = 1
        for child in ast.walk(node):
            if isinstance(child, _PY_BRANCHES):
                complexity += 1
            elif isinstance(child, ast.BoolOp):
                complexity += len(child.values) - 1
        names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)} | {
            a.arg for a in node.args.args
        }
        metrics.append(
            FunctionMetrics(
                name=node.name,
                line=node.lineno,
                lines=(node.end_lineno or node.lineno) - node.lineno + 1,
                complexity=complexity,
                nesting=_py_depth(node.body),
                short_names=tuple(sorted(n for n in names if len(n) == 1 and n not in _CONVENTIONAL_SHORT)),
            )
        )
    return metrics


def _py_depth(body: list[ast.stmt], depth: int = 0) -> int:
    deepest = depth
    for statement in body:
        for child_body in ("body", "orelse", "finalbody", "handlers"):
            inner = getattr(statement, child_body, None)
            if (
                isinstance(inner, list)
                and inner
                and isinstance(statement, ast.If | ast.For | ast.While | ast.With | ast.Try)
            ):
                blocks = [h.body for h in inner] if child_body == "handlers" else [inner]
                for block in blocks:
                    deepest = max(deepest, _py_depth(block, depth + 1))
    return deepest


def _javascript_metrics(source: str) -> list[FunctionMetrics]:
    root = parse_javascript(source)
    metrics = []
    for node in walk(root):
        if node.type not in _JS_FUNCTIONS:
            continue
        complexity = 1
        nesting = 0
        short: set[str] = set()
        stack = [(node, 0)]
        while stack:
            current, depth = stack.pop()
            if current is not node and current.type in _JS_FUNCTIONS:
                continue
            if current.type in _JS_BRANCHES:
                complexity += 1
                depth += 1
                nesting = max(nesting, depth)
            if current.type == "binary_expression":
                operator = current.child_by_field_name("operator")
                if operator is not None and operator.type in ("&&", "||", "??"):
                    complexity += 1
            if current.type == "variable_declarator":
                name = current.child_by_field_name("name")
                text = name.text.decode() if name is not None and name.text is not None else ""
                if len(text) == 1 and text not in _CONVENTIONAL_SHORT:
                    short.add(text)
            stack.extend((child, depth) for child in current.children)
        name_node = node.child_by_field_name("name")
        metrics.append(
            FunctionMetrics(
                name=name_node.text.decode() if name_node is not None and name_node.text is not None else "(anonymous)",
                line=node.start_point.row + 1,
                lines=node.end_point.row - node.start_point.row + 1,
                complexity=complexity,
                nesting=nesting,
                short_names=tuple(sorted(short)),
            )
        )
    return metrics


def _rate(problems: int) -> int:
    return max(1, 5 - problems)


def review_code(source: str, language: str | None, *, failed_hidden: int = 0, total_hidden: int = 0) -> CodeReview:
    """Rate naming, structure, complexity and edge-case handling; `failed_hidden` comes from the submission."""
    if language == "python":
        functions = _python_metrics(source)
    elif language == "javascript":
        functions = _javascript_metrics(source)
    else:
        functions = []
    review = CodeReview(language=language, functions=functions, findings=static_findings(source, language))
    notes: dict[str, list[str]] = {"naming": [], "structure": [], "complexity": [], "edge cases": []}
    for f in functions:
        if f.short_names:
            names = ", ".join(f"`{n}`" for n in f.short_names)
            notes["naming"].append(f"`{f.name}` uses one-letter names {names}; say what they hold.")
        if f.lines > _LONG_FUNCTION_LINES:
            notes["structure"].append(f"`{f.name}` is {f.lines} lines long; split out helper functions.")
        if f.nesting >= _DEEP_NESTING:
            notes["structure"].append(f"`{f.name}` nests {f.nesting} levels deep; return early to flatten it.")
        if f.complexity > _COMPLEX_FUNCTION:
            notes["complexity"].append(
                f"`{f.name}` has cyclomatic complexity {f.complexity} (over {_COMPLEX_FUNCTION}); simplify branches."
            )
    shadowing = [f for f in review.findings if f.code == "shadowed-builtin"]
    notes["naming"].extend(f"line {f.line}: a name hides a built-in." for f in shadowing)
    mistakes = [f for f in review.findings if f.code in ("off-by-one", "missing-return", "mutate-while-iterating")]
    notes["edge cases"].extend(f"line {f.line}: {f.message}" for f in mistakes)
    if failed_hidden:
        notes["edge cases"].append(
            f"{failed_hidden} of {total_hidden} hidden test(s) failed: some edge cases are not handled."
        )
    review.notes = notes
    review.ratings = {aspect: _rate(len(items)) for aspect, items in notes.items()}
    return review
