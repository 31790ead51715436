"""The banks shipped in the package, and the starter bank's layout (see docs/starter-bank.md): bank files
under `problems/` and `quiz/`, assessment definitions under `assessments/`.

Any folder may be missing: an empty folder is not tracked by git, and a starter bank is filled over time.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from codesensei.bank.files import BANK_SUFFIXES, BankFile, read_bank

STARTER_BANK = Path(__file__).parent / "starter"
SAMPLE_BANK = Path(__file__).parent / "samples"
BANK_FOLDERS = ("problems", "quiz")
ASSESSMENTS_FOLDER = "assessments"
# The first entry of a problem's `topics`, also its id prefix (`arrays.max-subarray-sum`).
TOPICS = (
    "arrays",
    "strings",
    "hashing",
    "two-pointers",
    "stacks-queues",
    "linked-lists",
    "trees",
    "graphs",
    "dynamic-programming",
    "sorting-searching",
    "math-bits",
)
# Debugging and code-review items live in this file under `problems/`, under lighter rules.
DEBUGGING_FILE = "debugging"


@dataclass(frozen=True)
class StarterBank:
    root: Path

    @property
    def bank_dirs(self) -> list[Path]:
        return [self.root / name for name in BANK_FOLDERS if (self.root / name).is_dir()]

    @property
    def assessment_files(self) -> list[Path]:
        folder = self.root / ASSESSMENTS_FOLDER
        if not folder.is_dir():
            return []
        return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in BANK_SUFFIXES)

    def read(self) -> list[BankFile]:
        """Every bank file of `problems/` and `quiz/`; raises `BankFileError` naming each problem."""
        return [bank_file for folder in self.bank_dirs for bank_file in read_bank(folder)]


def is_starter_layout(path: Path) -> bool:
    """A folder laid out as a starter bank (reading it as one bank would take its assessments for questions)."""
    return path.is_dir() and any((path / name).is_dir() for name in (*BANK_FOLDERS, ASSESSMENTS_FOLDER))
