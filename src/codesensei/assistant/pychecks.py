"""Common mistakes in Python code, found with `ast` without running anything.

Each check favours precision over recall: a finding should be worth a candidate's attention, so
patterns that are often intentional (a `range(1, len(a))` loop, a variable named `_`) are not flagged.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Iterator

from codesensei.assistant.findings import Finding

# Builtins a candidate is likely to need later in the same function; shadowing them breaks that call.
_SHADOW_WATCHED = frozenset(
    {
        "list",
        "dict",
        "set",
        "str",
        "int",
        "float",
        "len",
        "sum",
        "min",
        "max",
        "sorted",
        "map",
        "filter",
        "input",
        "print",
        "range",
        "type",
        "id",
        "iter",
        "next",
        "abs",
        "all",
        "any",
        "zip",
        "tuple",
        "bool",
        "hash",
        "object",
        "format",
        "round",
        "pow",
        "chr",
        "ord",
        "open",
        "bytes",
        "reversed",
        "enumerate",
    }
)
_MUTATORS = frozenset({"append", "remove", "pop", "insert", "extend", "clear", "add", "discard", "update", "popitem"})


def check_python(source: str) -> list[Finding]:
    """All findings for `source`, sorted by line; a syntax error is itself the one finding."""
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        line = exc.lineno or 1
        return [Finding("syntax-error", line, f"Syntax error: {exc.msg}.")]
    findings = [
        *_shadowed_builtins(tree),
        *_mutation_while_iterating(tree),
        *_off_by_one_ranges(tree),
        *_missing_returns(tree),
        *_unused_variables(tree),
    ]
    return sorted(set(findings), key=lambda f: (f.line, f.code))


def _assigned_names(target: ast.expr) -> Iterator[ast.Name]:
    if isinstance(target, ast.Name):
        yield target
    elif isinstance(target, ast.Tuple | ast.List):
        for element in target.elts:
            yield from _assigned_names(element)
    elif isinstance(target, ast.Starred):
        yield from _assigned_names(target.value)


def _shadowed_builtins(tree: ast.Module) -> Iterator[Finding]:
    for node in ast.walk(tree):
        names: list[tuple[str, int]] = []
        if isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign | ast.For | ast.comprehension):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = [(n.id, n.lineno) for t in targets for n in _assigned_names(t)]
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            args = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
            names = [(a.arg, a.lineno) for a in args]
        for name, line in names:
            if name in _SHADOW_WATCHED and hasattr(builtins, name):
                yield Finding(
                    "shadowed-builtin",
                    line,
                    f"`{name}` hides Python's built-in `{name}()`; a later call to it in this scope will fail. "
                    "Pick another name.",
                )


def _name_of(node: ast.expr) -> str | None:
    return node.id if isinstance(node, ast.Name) else None


def _mutation_while_iterating(tree: ast.Module) -> Iterator[Finding]:
    for loop in ast.walk(tree):
        if not isinstance(loop, ast.For):
            continue
        iterated = _name_of(loop.iter)
        if iterated is None:
            continue
        for node in ast.walk(ast.Module(body=loop.body, type_ignores=[])):
            mutated = False
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _MUTATORS:
                mutated = _name_of(node.func.value) == iterated
            elif isinstance(node, ast.Delete):
                mutated = any(isinstance(t, ast.Subscript) and _name_of(t.value) == iterated for t in node.targets)
            if mutated:
                yield Finding(
                    "mutate-while-iterating",
                    getattr(node, "lineno", loop.lineno),
                    f"`{iterated}` is changed inside the loop that iterates over it (line {loop.lineno}); "
                    f"elements get skipped or visited twice. Iterate over a copy (`{iterated}[:]`) or build a new "
                    "collection.",
                )


def _len_of(node: ast.expr) -> str | None:
    """`x` when `node` is `len(x)` for a plain name `x`."""
    if (
        isinstance(node, ast.Call)
        and _name_of(node.func) == "len"
        and len(node.args) == 1
        and isinstance(node.args[0], ast.Name)
    ):
        return node.args[0].id
    return None


def _plus_one_len(node: ast.expr) -> str | None:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        for side, other in ((node.left, node.right), (node.right, node.left)):
            name = _len_of(side)
            if name and isinstance(other, ast.Constant) and other.value == 1:
                return name
    return None


def _indexes(body: list[ast.stmt], sequence: str, index: str) -> bool:
    for node in ast.walk(ast.Module(body=body, type_ignores=[])):
        if isinstance(node, ast.Subscript) and _name_of(node.value) == sequence and _name_of(node.slice) == index:
            return True
    return False


def _off_by_one_ranges(tree: ast.Module) -> Iterator[Finding]:
    for loop in ast.walk(tree):
        if not (isinstance(loop, ast.For) and isinstance(loop.target, ast.Name)):
            continue
        call = loop.iter
        if not (isinstance(call, ast.Call) and _name_of(call.func) == "range" and call.args):
            continue
        stop = call.args[0] if len(call.args) == 1 else call.args[1]
        sequence = _plus_one_len(stop)
        if sequence and _indexes(loop.body, sequence, loop.target.id):
            yield Finding(
                "off-by-one",
                loop.lineno,
                f"The loop runs `{loop.target.id}` up to `len({sequence})`, but `{sequence}[{loop.target.id}]` "
                f"is only valid below `len({sequence})`: the last iteration raises IndexError.",
            )


def _always_returns(body: list[ast.stmt]) -> bool:
    """Whether every path through `body` ends in return or raise (loops are assumed to maybe not run)."""
    for statement in body:
        if isinstance(statement, ast.Return | ast.Raise):
            return True
        if isinstance(statement, ast.If) and _always_returns(statement.body) and _always_returns(statement.orelse):
            return True
        if (
            isinstance(statement, ast.Try)
            and _always_returns(statement.body)
            and all(_always_returns(h.body) for h in statement.handlers)
        ):
            return True
        if isinstance(statement, ast.While) and isinstance(statement.test, ast.Constant) and statement.test.value:
            return True  # `while True:` leaves only through return, raise or break
        if isinstance(statement, ast.Match) and all(_always_returns(c.body) for c in statement.cases):
            return True
    return False


def _own_nodes(function: ast.FunctionDef | ast.AsyncFunctionDef) -> Iterator[ast.AST]:
    """The nodes of a function's body, not descending into nested functions, lambdas or classes."""
    stack: list[ast.AST] = list(function.body)
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
                stack.append(child)


def _missing_returns(tree: ast.Module) -> Iterator[Finding]:
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        own = list(_own_nodes(function))
        if any(isinstance(n, ast.Yield | ast.YieldFrom) for n in own):
            continue
        returns_value = any(isinstance(n, ast.Return) and n.value is not None for n in own)
        if returns_value and not _always_returns(function.body):
            yield Finding(
                "missing-return",
                function.lineno,
                f"`{function.name}` returns a value on some paths but can reach its end and return None on others.",
            )


def _unused_variables(tree: ast.Module) -> Iterator[Finding]:
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        own = list(_own_nodes(function))
        declared_outer = {name for n in own if isinstance(n, ast.Global | ast.Nonlocal) for name in n.names}
        # Names read anywhere inside, nested functions included (closures read their parent's variables).
        read = {n.id for n in ast.walk(function) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
        stored: dict[str, int] = {}
        for node in own:
            if isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    for name in _assigned_names(target):
                        stored.setdefault(name.id, name.lineno)
        for variable, line in sorted(stored.items(), key=lambda item: item[1]):
            if variable not in read and variable not in declared_outer and not variable.startswith("_"):
                yield Finding(
                    "unused-variable",
                    line,
                    f"`{variable}` is assigned in `{function.name}` but never used — a typo, or a result you meant to "
                    "return?",
                )
