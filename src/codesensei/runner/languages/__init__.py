"""Language definitions, one TOML file per language in this folder, and toolchain version detection."""

from __future__ import annotations

import subprocess
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal

from codesensei.errors import NotFound

HarnessKind = Literal["python", "node", "exec"]


@dataclass(frozen=True)
class LanguageLimits:
    time_s: float
    memory_mb: int


@dataclass(frozen=True)
class Language:
    name: str
    title: str
    source_file: str
    compile: tuple[str, ...]
    artifacts: tuple[str, ...]
    run: tuple[str, ...]
    version: tuple[str, ...]
    harness: HarnessKind
    binds: tuple[str, ...]
    memory_baseline_mb: int
    limits: LanguageLimits
    compile_limits: LanguageLimits

    @property
    def compiled(self) -> bool:
        return bool(self.compile)

    @property
    def toolchain(self) -> str:
        """The executable this language cannot work without (the compiler, else the interpreter)."""
        return (self.compile or self.run)[0]

    def run_argv(self, prog: str, memory_mb: int) -> list[str]:
        return [part.format(prog=prog, memory_mb=memory_mb) for part in self.run]

    def compile_argv(self, prog: str) -> list[str]:
        return [part.format(prog=prog) for part in self.compile]


def _parse(data: dict[str, object]) -> Language:
    def limits(key: str) -> LanguageLimits:
        raw = data[key]
        assert isinstance(raw, dict)
        return LanguageLimits(time_s=float(raw["time_s"]), memory_mb=int(raw["memory_mb"]))

    def strings(key: str) -> tuple[str, ...]:
        raw = data.get(key, [])
        assert isinstance(raw, list)
        return tuple(str(x) for x in raw)

    harness = str(data["harness"])
    if harness not in ("python", "node", "exec"):
        raise ValueError(f"unknown harness {harness!r}")
    return Language(
        name=str(data["name"]),
        title=str(data["title"]),
        source_file=str(data["source_file"]),
        compile=strings("compile"),
        artifacts=strings("artifacts"),
        run=strings("run"),
        version=strings("version"),
        harness=harness,  # type: ignore[arg-type]
        binds=strings("binds"),
        memory_baseline_mb=int(str(data["memory_baseline_mb"])),
        limits=limits("limits"),
        compile_limits=limits("compile_limits"),
    )


@lru_cache(maxsize=1)
def all_languages() -> dict[str, Language]:
    found: dict[str, Language] = {}
    for entry in resources.files(__name__).iterdir():
        if entry.name.endswith(".toml"):
            language = _parse(tomllib.loads(entry.read_text(encoding="utf-8")))
            found[language.name] = language
    return dict(sorted(found.items()))


ALIASES = {"py": "python", "python3": "python", "js": "javascript", "node": "javascript", "c++": "cpp"}


def get_language(name: str) -> Language:
    languages = all_languages()
    key = ALIASES.get(name.lower(), name.lower())
    if key not in languages:
        raise NotFound(f"unknown language {name!r}; known: {', '.join(languages)}")
    return languages[key]


@dataclass(frozen=True)
class Toolchain:
    language: Language
    available: bool
    version: str


@lru_cache(maxsize=16)
def detect(name: str) -> Toolchain:
    """Run the language's version command on the host (a trusted binary, no candidate input)."""
    language = get_language(name)
    if not Path(language.toolchain).exists():
        return Toolchain(language, False, "")
    try:
        done = subprocess.run(list(language.version), capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return Toolchain(language, False, str(exc))
    text = (done.stdout.strip() or done.stderr.strip()).splitlines()
    return Toolchain(language, done.returncode == 0, text[0] if text else "")
