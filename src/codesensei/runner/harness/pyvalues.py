"""Inside a Python box: the control pipe's frames, and the values of `call` tests (converted for the candidate
and back to canonical JSON).

Shipped next to `pybox.py` and imported by it before any candidate code exists, so the built-ins these
functions rely on are the original ones. Standard library only: this runs under the system python3.
"""

from __future__ import annotations

import json
import os
import struct
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


def canonical(value: Any, kind: str) -> str:
    if kind == "ListNode":
        value = from_list_node(value)
    elif kind == "TreeNode":
        value = from_tree_node(value)
    plain(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def read_frame(fd: int) -> dict[str, Any] | None:
    header = _read_exact(fd, 4)
    if header is None:
        return None
    (size,) = struct.unpack(">I", header)
    body = _read_exact(fd, size)
    return None if body is None else dict(json.loads(body))


def _read_exact(fd: int, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        chunk = os.read(fd, size - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def write_frame(fd: int, message: dict[str, Any]) -> None:
    body = json.dumps(message).encode()
    view = memoryview(struct.pack(">I", len(body)) + body)
    while view:
        view = view[os.write(fd, view) :]
