"""Programs that run inside the box (system Python or Node.js, standard library only), shipped as files."""

from __future__ import annotations

import marshal
import os
import sys
from functools import cache
from importlib import resources
from importlib.util import MAGIC_NUMBER
from pathlib import Path

HARNESS_FILES = ("pack.py", "pybox.py", "pyvalues.py", "nodebox.js")
BOX_PYTHON = "/usr/bin/python3"
PYTHON_HARNESS = ("pybox.py", "pyvalues.py")


@cache
def harness_file(name: str) -> tuple[bytes, int]:
    """One harness file as `BoxSpec.files` wants it (content, mode); placed under /sensei in the box."""
    if name not in HARNESS_FILES:
        raise KeyError(name)
    return resources.files(__name__).joinpath(name).read_bytes(), 0o444


def _box_python_is_ours() -> bool:
    """True when the box's python3 is this interpreter's version with the same bytecode magic number."""
    tag = f"python{sys.version_info.major}.{sys.version_info.minor}"
    if os.path.basename(os.path.realpath(BOX_PYTHON)) != tag:
        return False
    probe = Path(f"/usr/lib/{tag}/__pycache__/os.{sys.implementation.cache_tag}.pyc")
    try:
        with probe.open("rb") as handle:
            return handle.read(4) == MAGIC_NUMBER
    except OSError:
        return False


@cache
def python_harness() -> dict[str, tuple[bytes, int]]:
    """The Python harness's files for /sensei, main script first: compiled to `.pyc` here when the box's
    python3 runs this interpreter's bytecode (the box cannot cache bytecode, and compiling both files at
    every box start costs milliseconds of CPU), else the sources."""
    if not _box_python_is_ours():
        return {name: harness_file(name) for name in PYTHON_HARNESS}
    files: dict[str, tuple[bytes, int]] = {}
    for name in PYTHON_HARNESS:
        code = compile(harness_file(name)[0], f"/sensei/{name}", "exec", dont_inherit=True)
        # An unchecked-timestamp header (flags, mtime and size zero): the box holds no source to compare.
        files[f"{name}c"] = (MAGIC_NUMBER + bytes(12) + marshal.dumps(code), 0o444)
    return files
