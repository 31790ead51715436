"""The banks shipped in the package, and the starter bank's layout (see docs/starter-bank.md): bank files
under `problems/` and `quiz/`, assessment definitions under `assessments/`.

Any folder may be missing: an empty folder is not tracked by git, and a starter bank is filled over time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from codesensei.bank.files import BANK_SUFFIXES, BankFile, read_bank

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from codesensei.bank.model import AnyQuestion
    from codesensei.store.questions import QuestionRepository

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
# Set once the built-in questions an installation imported before `practice` existed have been opened to it.
PRACTICE_MARKER = "builtin_banks_open_to_practice"


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


def open_builtin_questions_to_practice(session: Session, files: Sequence[BankFile]) -> list[str]:
    """Re-import each practice-open question of the built-in `files` whose stored version is exactly the one
    shipped before questions had a `practice` field (that content with `practice: false`); return their ids.

    The built-in banks are imported once, on the first start, so an older installation holds them closed to
    practice. A question someone has edited since is left as they made it: whether it is open is theirs to say.
    """
    from codesensei.bank.service import import_files
    from codesensei.store.questions import QuestionRepository

    repository = QuestionRepository(session)
    opened: list[BankFile] = []
    for bank_file in files:
        shipped_closed = [q for q in bank_file.questions if q.practice and _holds_closed(repository, q)]
        if shipped_closed:
            opened.append(BankFile(bank_file.path, shipped_closed))
    import_files(session, opened)
    return [q.id for bank_file in opened for q in bank_file.questions]


def _holds_closed(repository: QuestionRepository, question: AnyQuestion) -> bool:
    """Whether the stored question is `question` exactly as shipped before the `practice` field existed."""
    from codesensei.bank.service import to_record

    row = repository.get(question.id)
    closed = to_record(question.model_copy(update={"practice": False}))
    return row is not None and row.content_hash == closed.content_hash
