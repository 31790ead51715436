"""Common mistakes in JavaScript code, found on tree-sitter's syntax tree without running anything.

tree-sitter (with its maintained JavaScript grammar, shipped as a wheel) parses modern JavaScript
error-tolerantly, which suits half-written candidate code; nothing here executes the code.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

import tree_sitter_javascript
from tree_sitter import Language, Node, Parser

from codesensei.assistant.findings import Finding

_FUNCTIONS = frozenset({"function_declaration", "function_expression", "arrow_function", "method_definition"})
_MUTATORS = frozenset({"push", "pop", "shift", "unshift", "splice", "reverse", "sort", "fill", "copyWithin"})


@cache
def _parser() -> Parser:
    return Parser(Language(tree_sitter_javascript.language()))


def _text(node: Node | None) -> str:
    return node.text.decode("utf-8", "replace") if node is not None and node.text is not None else ""


def _line(node: Node) -> int:
    return node.start_point.row + 1


def walk(node: Node) -> Iterator[Node]:
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.children))


def parse_javascript(source: str) -> Node:
    return _parser().parse(source.encode("utf-8")).root_node


def check_javascript(source: str) -> list[Finding]:
    root = parse_javascript(source)
    if root.has_error:
        broken = next((n for n in walk(root) if n.type == "ERROR" or n.is_missing), root)
        return [Finding("syntax-error", _line(broken), "Syntax error near here: the code does not parse.")]
    findings = [
        *_loose_equality(root),
        *_sort_without_comparator(root),
        *_off_by_one_loops(root),
        *_mutation_while_iterating(root),
        *_assignment_in_condition(root),
        *_unused_variables(root),
        *_missing_returns(root),
    ]
    return sorted(set(findings), key=lambda f: (f.line, f.code))


def _loose_equality(root: Node) -> Iterator[Finding]:
    for node in walk(root):
        if node.type != "binary_expression":
            continue
        operator = _text(node.child_by_field_name("operator"))
        right = node.child_by_field_name("right")
        left = node.child_by_field_name("left")
        if operator in ("==", "!=") and "null" not in (getattr(right, "type", ""), getattr(left, "type", "")):
            strict = operator + "="
            yield Finding(
                "loose-equality",
                _line(node),
                f"`{operator}` converts types before comparing (`'1' == 1` is true); use `{strict}`.",
            )


def _call_parts(node: Node) -> tuple[str, str, Node | None]:
    """(object, method, arguments) of a call like `obj.method(...)`, or empty strings."""
    function = node.child_by_field_name("function")
    if function is None or function.type != "member_expression":
        return "", "", None
    return (
        _text(function.child_by_field_name("object")),
        _text(function.child_by_field_name("property")),
        node.child_by_field_name("arguments"),
    )


def _sort_without_comparator(root: Node) -> Iterator[Finding]:
    for node in walk(root):
        if node.type != "call_expression":
            continue
        _, method, arguments = _call_parts(node)
        if method in ("sort", "toSorted") and arguments is not None and arguments.named_child_count == 0:
            yield Finding(
                "sort-without-comparator",
                _line(node),
                f"`.{method}()` without a comparator sorts as strings ([10, 9, 1] becomes [1, 10, 9]); "
                f"for numbers pass `(a, b) => a - b`.",
            )


def _off_by_one_loops(root: Node) -> Iterator[Finding]:
    for loop in walk(root):
        if loop.type != "for_statement":
            continue
        condition = loop.child_by_field_name("condition")
        # Older grammars wrap the condition in an expression statement; newer ones give the expression itself.
        test = (
            condition.named_children[0]
            if condition is not None and condition.type == "expression_statement"
            else condition
        )
        if test is None or test.type != "binary_expression" or _text(test.child_by_field_name("operator")) != "<=":
            continue
        bound = test.child_by_field_name("right")
        index = _text(test.child_by_field_name("left"))
        if (
            bound is None
            or bound.type != "member_expression"
            or _text(bound.child_by_field_name("property")) != "length"
        ):
            continue
        array = _text(bound.child_by_field_name("object"))
        body = loop.child_by_field_name("body")
        if body is not None and any(
            n.type == "subscript_expression"
            and _text(n.child_by_field_name("object")) == array
            and _text(n.child_by_field_name("index")) == index
            for n in walk(body)
        ):
            yield Finding(
                "off-by-one",
                _line(loop),
                f"The loop runs `{index}` up to `{array}.length` inclusive, but `{array}[{index}]` is undefined "
                f"there; use `{index} < {array}.length`.",
            )


def _mutation_while_iterating(root: Node) -> Iterator[Finding]:
    for loop in walk(root):
        iterated = ""
        body: Node | None = None
        if loop.type == "for_in_statement" and _text(loop.child_by_field_name("operator")) == "of":
            iterated, body = _text(loop.child_by_field_name("right")), loop.child_by_field_name("body")
        elif loop.type == "call_expression":
            obj, method, arguments = _call_parts(loop)
            if method in ("forEach", "map", "filter") and arguments is not None:
                iterated, body = obj, arguments
        if not iterated or body is None:
            continue
        for node in walk(body):
            if node.type == "call_expression":
                obj, method, _ = _call_parts(node)
                if obj == iterated and method in _MUTATORS:
                    yield Finding(
                        "mutate-while-iterating",
                        _line(node),
                        f"`{iterated}.{method}()` changes `{iterated}` while it is being iterated "
                        f"(line {_line(loop)}); elements get skipped or visited twice. Iterate over a copy.",
                    )


def _assignment_in_condition(root: Node) -> Iterator[Finding]:
    for node in walk(root):
        if node.type not in ("if_statement", "while_statement"):
            continue
        condition = node.child_by_field_name("condition")
        inner = condition.named_children[0] if condition is not None and condition.named_children else None
        if inner is not None and inner.type == "assignment_expression":  # `if (x = 5)` parses as parenthesized
            yield Finding(
                "assignment-in-condition",
                _line(node),
                f"`{_text(inner)}` assigns instead of comparing; did you mean `===`?",
            )


def _own_nodes(function: Node) -> Iterator[Node]:
    body = function.child_by_field_name("body")
    if body is None:
        return
    stack = [body]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(c for c in node.children if c.type not in _FUNCTIONS)


def _unused_variables(root: Node) -> Iterator[Finding]:
    for function in walk(root):
        if function.type not in _FUNCTIONS:
            continue
        body = function.child_by_field_name("body")
        if body is None:
            continue
        declared: list[Node] = [
            name
            for node in _own_nodes(function)
            if node.type == "variable_declarator"
            and (name := node.child_by_field_name("name")) is not None
            and name.type == "identifier"
        ]
        used: dict[str, int] = {}
        for node in walk(body):
            if node.type in ("identifier", "shorthand_property_identifier"):
                used[_text(node)] = used.get(_text(node), 0) + 1
        for name in declared:
            if used.get(_text(name), 0) <= 1 and not _text(name).startswith("_"):
                yield Finding(
                    "unused-variable",
                    _line(name),
                    f"`{_text(name)}` is declared but never used — a typo, or a result you meant to return?",
                )


def _returns(node: Node) -> bool:
    """Whether every path through the statement `node` ends in return or throw."""
    if node.type in ("return_statement", "throw_statement"):
        return True
    if node.type in ("statement_block", "else_clause"):
        return any(_returns(child) for child in node.named_children)
    if node.type == "if_statement":
        consequence = node.child_by_field_name("consequence")
        alternative = node.child_by_field_name("alternative")
        return consequence is not None and alternative is not None and _returns(consequence) and _returns(alternative)
    return False


def _missing_returns(root: Node) -> Iterator[Finding]:
    for function in walk(root):
        if function.type not in _FUNCTIONS:
            continue
        body = function.child_by_field_name("body")
        if body is None or body.type != "statement_block":
            continue  # an arrow function's expression body always returns
        returns_value = any(n.type == "return_statement" and n.named_child_count > 0 for n in _own_nodes(function))
        if returns_value and not _returns(body):
            name = _text(function.child_by_field_name("name")) or "this function"
            yield Finding(
                "missing-return",
                _line(function),
                f"`{name}` returns a value on some paths but can reach its end and return undefined on others.",
            )
