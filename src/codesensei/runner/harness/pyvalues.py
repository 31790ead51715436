"""Inside a Python box: the control pipe's frames, and the values of `call` tests (converted for the candidate
and back to canonical JSON).

Shipped next to `pybox.py` and imported by it before any candidate code exists, so the built-ins these
functions rely on are the original ones. Standard library only: this runs under the system python3, not the
server's environment. JSON goes through `_json`, the C half of the `json` package, directly: `json` itself
imports `re` and compiles its patterns, which cost a third of a warm box's start, and the box needs neither.
"""

from __future__ import annotations

import _json
import posix

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

PLAIN_TYPES: tuple[type, ...] = (int, float, complex, str, bytes, bool, type(None), list, tuple, dict, set, frozenset)
_type = type


class ListNode:
    def __init__(self, val: Any = 0, next: ListNode | None = None) -> None:
        self.val = val
        self.next = next


class TreeNode:
    def __init__(self, val: Any = 0, left: TreeNode | None = None, right: TreeNode | None = None) -> None:
        self.val = val
        self.left = left
        self.right = right


def to_list_node(values: list[Any] | None) -> ListNode | None:
    head: ListNode | None = None
    for value in reversed(values or []):
        head = ListNode(value, head)
    return head


def to_tree_node(values: list[Any] | None) -> TreeNode | None:
    if not values or values[0] is None:
        return None
    root = TreeNode(values[0])
    queue = [root]
    index = 1
    for node in queue:
        for side in ("left", "right"):
            if index < len(values) and values[index] is not None:
                child = TreeNode(values[index])
                setattr(node, side, child)
                queue.append(child)
            index += 1
        if index >= len(values):
            break
    return root


def from_list_node(node: Any) -> list[Any]:
    out: list[Any] = []
    while node is not None:
        if len(out) > 1_000_000:
            raise ValueError("the returned linked list is too long or has a cycle")
        out.append(node.val)
        node = node.next
    return out


def from_tree_node(root: Any) -> list[Any]:
    out: list[Any] = []
    queue = [root]
    for node in queue:
        if len(queue) > 2_000_000:
            raise ValueError("the returned tree is too large or has a cycle")
        if node is None:
            out.append(None)
            continue
        out.append(node.val)
        queue += [node.left, node.right]
    while out and out[-1] is None:
        out.pop()
    return out


def plain(value: Any, depth: int = 0) -> Any:
    """Refuse values whose type the candidate made (or any subclass): only built-in data passes."""
    if depth > 200:
        raise ValueError("the returned value is nested too deeply")
    kind = _type(value)
    if kind not in PLAIN_TYPES:
        raise TypeError(f"returned a value of type {kind.__name__!r}, not plain built-in data")
    if kind in (list, tuple, set, frozenset):
        for item in value:
            plain(item, depth + 1)
    elif kind is dict:
        for key, item in value.items():
            plain(key, depth + 1)
            plain(item, depth + 1)
    return value


def _not_json(value: Any) -> Any:
    raise TypeError(f"Object of type {_type(value).__name__} is not JSON serializable")


def _encoder(*, sort_keys: bool, ascii_only: bool, allow_nan: bool) -> Callable[[Any], str]:
    # The arguments of `json.encoder.c_make_encoder`, as `json.dumps(..., separators=(",", ":"))` passes them;
    # a fresh cycle-marker dict per call, as `json.dumps` makes one, so a failed call leaves nothing behind.
    escape = _json.encode_basestring_ascii if ascii_only else _json.encode_basestring

    def encode(value: Any) -> str:
        chunks = _json.make_encoder({}, _not_json, escape, None, ":", ",", sort_keys, False, allow_nan)(value, 0)
        return "".join(chunks)

    return encode


# json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
canonical_json = _encoder(sort_keys=True, ascii_only=False, allow_nan=False)
# json.dumps(value, separators=(",", ":")): frames, and the payload a test sends its parent
dumps = _encoder(sort_keys=False, ascii_only=True, allow_nan=True)


class _ScanContext:
    # What `json.scanner.c_make_scanner` reads from a JSONDecoder with default arguments.
    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = {"NaN": float("nan"), "Infinity": float("inf"), "-Infinity": float("-inf")}.__getitem__


_scan = _json.make_scanner(_ScanContext())  # type: ignore[arg-type]  # any object with the attributes above


def loads(text: str) -> Any:
    """A JSON document as the server writes it (`json.dumps`: no leading whitespace)."""
    try:
        value, end = _scan(text, 0)
    except StopIteration as stop:
        raise ValueError(f"invalid JSON at {stop.value}") from None
    if text[end:].strip():
        raise ValueError(f"extra data at {end}")
    return value


def canonical(value: Any, kind: str) -> str:
    if kind == "ListNode":
        value = from_list_node(value)
    elif kind == "TreeNode":
        value = from_tree_node(value)
    plain(value)
    return canonical_json(value)


def read_frame(fd: int) -> dict[str, Any] | None:
    header = _read_exact(fd, 4)
    if header is None:
        return None
    body = _read_exact(fd, int.from_bytes(header, "big"))
    return None if body is None else dict(loads(body.decode()))


def _read_exact(fd: int, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        chunk = posix.read(fd, size - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def write_frame(fd: int, message: dict[str, Any]) -> None:
    body = dumps(message).encode()
    view = memoryview(len(body).to_bytes(4, "big") + body)
    while view:
        view = view[posix.write(fd, view) :]
