"""Programs that run inside the box (system Python or Node.js, standard library only), shipped as files."""

from __future__ import annotations

from functools import cache
from importlib import resources

HARNESS_FILES = ("pack.py", "pybox.py", "nodebox.js")


@cache
def harness_file(name: str) -> tuple[bytes, int]:
    """One harness file as `BoxSpec.files` wants it (content, mode); placed under /sensei in the box."""
    if name not in HARNESS_FILES:
        raise KeyError(name)
    return resources.files(__name__).joinpath(name).read_bytes(), 0o444
