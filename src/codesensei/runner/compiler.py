"""Compile a submission once, in its own box with its own limits, and cache the artifacts by source hash.

Artifacts come out of the box only through a pipe (see `harness/pack.py`) and are written by the server
into its own cache, so nothing the compiled code controls is ever followed on the host.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import struct
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from codesensei.runner.execute import classify, execute, text
from codesensei.runner.harness import harness_file
from codesensei.runner.languages import Language
from codesensei.runner.sandbox import BoxSpec, Sandbox
from codesensei.runner.types import RunStatus, wall_limit_for

ARTIFACT_LIMIT = 128 * 1024 * 1024
COMPILE_OUTPUT_LIMIT = 64 * 1024
SAFE_NAME = re.compile(r"^[A-Za-z0-9_.$-]{1,200}$")
# Run the compiler with its stdout sent to stderr, then pack the artifacts onto stdout.
COMPILE_STEP = 'pats=$0; "$@" 1>&2 || exit $?; exec /usr/bin/python3 -I -S {sensei}/pack.py "$pats"'


@dataclass(frozen=True)
class Program:
    """A submission ready to run: the files that go into the box under /prog, or why there are none."""

    language: Language
    files: dict[str, tuple[bytes, int]] = field(default_factory=dict)
    status: RunStatus = "ok"
    compile_output: str = ""
    message: str = ""
    cached: bool = False

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def source_key(language: Language, source: str) -> str:
    toolchain = Path(language.toolchain)
    stamp = str(toolchain.stat().st_mtime_ns) if toolchain.exists() else "missing"
    material = json.dumps([language.name, language.compile, stamp, source])
    return hashlib.sha256(material.encode()).hexdigest()


def prepare(source: str, language: Language, sandbox: Sandbox, cache_dir: Path | None) -> Program:
    """The runnable program for `source`: the source itself, or compiled artifacts (cached)."""
    source_entry = {f"prog/{language.source_file}": (source.encode(), 0o444)}
    if not language.compiled:
        return Program(language, source_entry)
    key = source_key(language, source)
    if cache_dir is not None:
        cached = _load(cache_dir / key[:2] / key, language)
        if cached is not None:
            return cached
    program = _compile(source_entry, language, sandbox)
    if cache_dir is not None and program.status in ("ok", "compile_error"):
        _store(cache_dir / key[:2] / key, program)
    return program


def _compile(source_entry: dict[str, tuple[bytes, int]], language: Language, sandbox: Sandbox) -> Program:
    limits = language.compile_limits
    spec = BoxSpec(
        argv=("/bin/sh", "-c", COMPILE_STEP, ",".join(language.artifacts), *language.compile_argv("{prog}")),
        binds=language.binds,
        files={**source_entry, "sensei/pack.py": harness_file("pack.py")},
        memory_mb=limits.memory_mb,
        processes=64,
        tmpfs_mb=256,
        rlimits={"f": 2 * 256 * 1024 * 1024 // 1024, "n": 256, "c": 0},
    )
    raw = execute(
        sandbox,
        spec,
        b"",
        cpu_limit_s=limits.time_s,
        wall_limit_s=wall_limit_for(limits.time_s),
        output_bytes=ARTIFACT_LIMIT,
    )
    output, _ = text(raw.stderr, COMPILE_OUTPUT_LIMIT)
    status = classify(raw, cpu_limit_s=limits.time_s, memory_mb=limits.memory_mb)
    if status == "internal_error":
        return Program(language, status="internal_error", message="the compile box could not be set up: " + output)
    if status == "time_limit_exceeded":
        return Program(
            language, status="time_limit_exceeded", compile_output=output + "\ncompilation exceeded the time limit"
        )
    if status != "ok":
        reason = {
            "memory_limit_exceeded": "compilation exceeded the memory limit",
            "output_limit_exceeded": "compilation produced too much output",
        }.get(status, "")
        return Program(language, status="compile_error", compile_output=(output + "\n" + reason).strip())
    try:
        files = unpack(raw.stdout)
    except ValueError as exc:
        return Program(language, status="compile_error", compile_output=f"{output}\n{exc}".strip())
    if not files:
        return Program(language, status="compile_error", compile_output=output or "the compiler produced no program")
    return Program(language, {f"prog/{name}": entry for name, entry in files.items()}, compile_output=output)


def unpack(data: bytes) -> dict[str, tuple[bytes, int]]:
    """Parse pack.py's records; names must be plain file names, modes are reduced to r-x or r--."""
    files: dict[str, tuple[bytes, int]] = {}
    offset = 0
    while offset < len(data):
        if offset + 4 > len(data):
            raise ValueError("truncated artifact stream")
        (name_len,) = struct.unpack_from(">I", data, offset)
        offset += 4
        name = data[offset : offset + name_len].decode("utf-8", errors="strict")
        offset += name_len
        if not SAFE_NAME.match(name) or name in (".", ".."):
            raise ValueError(f"refusing artifact name {name!r}")
        mode, size = struct.unpack_from(">IQ", data, offset)
        offset += 12
        content = data[offset : offset + size]
        if len(content) != size:
            raise ValueError("truncated artifact stream")
        offset += size
        files[name] = (content, 0o555 if mode & 0o100 else 0o444)
    return files


def _load(path: Path, language: Language) -> Program | None:
    try:
        meta = json.loads((path / "meta.json").read_text())
        files = {
            f"prog/{name}": ((path / "files" / name).read_bytes(), int(mode)) for name, mode in meta["files"].items()
        }
    except (OSError, ValueError, KeyError):
        return None
    return Program(language, files, status=meta["status"], compile_output=meta["compile_output"], cached=True)


def _store(path: Path, program: Program) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".tmp-", dir=path.parent))
    (staging / "files").mkdir()
    modes: dict[str, int] = {}
    for dest, (content, mode) in program.files.items():
        name = dest.removeprefix("prog/")
        (staging / "files" / name).write_bytes(content)
        modes[name] = mode
    meta = {"status": program.status, "compile_output": program.compile_output, "files": modes}
    (staging / "meta.json").write_text(json.dumps(meta))
    try:
        os.rename(staging, path)
    except OSError:
        # Another process stored the same key first; its copy is identical.
        import shutil

        shutil.rmtree(staging, ignore_errors=True)
