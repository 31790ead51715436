"""Bank use cases: import (all-or-nothing per file, idempotent by id), export, show, list and search.

Services take a session and never commit; the command or request boundary does.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy.orm import Session

from codesensei.bank.files import BankFile, question_to_data
from codesensei.bank.model import AnyQuestion, CodeQuestion, Question
from codesensei.bulk import collector_paused
from codesensei.errors import NotFound
from codesensei.store.questions import QuestionFilter, QuestionRecord, QuestionRepository
from codesensei.store.tables import QuestionRow

_question_adapter: TypeAdapter[AnyQuestion] = TypeAdapter(Question)


@dataclass
class FileImport:
    path: str
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    files: list[FileImport] = field(default_factory=list)

    @property
    def created(self) -> int:
        return sum(len(f.created) for f in self.files)

    @property
    def updated(self) -> int:
        return sum(len(f.updated) for f in self.files)

    @property
    def unchanged(self) -> int:
        return sum(len(f.unchanged) for f in self.files)

    def to_json(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "files": [f.__dict__ for f in self.files],
        }


@dataclass(frozen=True)
class QuestionSummary:
    id: str
    type: str
    title: str
    difficulty: str
    version: int
    topics: list[str]
    languages: list[str]
    active: bool = True

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def to_record(question: AnyQuestion) -> QuestionRecord:
    body = question_to_data(question)
    content_hash = hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    languages = question.languages if isinstance(question, CodeQuestion) else []
    return QuestionRecord(
        id=question.id,
        type=question.type,
        title=question.title,
        text=question.text,
        difficulty_level=question.difficulty_level,
        difficulty_value=question.difficulty_value,
        body=body,
        content_hash=content_hash,
        labels={"topic": question.topics, "skill": question.skills, "tag": question.tags, "language": languages},
    )


def question_from_body(body: dict[str, Any]) -> AnyQuestion:
    return _question_adapter.validate_python(body)


def import_files(session: Session, files: Sequence[BankFile]) -> ImportReport:
    """Import already-validated files; each file commits or fails as a whole (a savepoint per file)."""
    repository = QuestionRepository(session)
    report = ImportReport()
    with collector_paused():
        for bank_file in files:
            with session.begin_nested():
                outcome = repository.upsert_many([to_record(q) for q in bank_file.questions])
            report.files.append(FileImport(bank_file.path, outcome.created, outcome.updated, outcome.unchanged))
    return report


def get_question(session: Session, question_id: str, version: int | None = None) -> AnyQuestion:
    repository = QuestionRepository(session)
    if version is None:
        row = repository.get(question_id)
        if row is None:
            raise NotFound(f"question '{question_id}' is not in the bank")
        return question_from_body(row.body)
    version_row = repository.get_version(question_id, version)
    if version_row is None:
        raise NotFound(f"question '{question_id}' has no version {version}")
    return question_from_body(version_row.body)


@dataclass(frozen=True)
class QuestionDetail:
    question: AnyQuestion
    version: int
    versions: list[int]
    active: bool
    times_shown: int
    times_correct: int
    mean_time_s: float | None

    def to_json(self) -> dict[str, Any]:
        return {
            "question": question_to_data(self.question),
            "version": self.version,
            "versions": self.versions,
            "active": self.active,
            "statistics": {
                "times_shown": self.times_shown,
                "times_correct": self.times_correct,
                "mean_time_s": self.mean_time_s,
            },
        }


def describe_question(session: Session, question_id: str) -> QuestionDetail:
    repository = QuestionRepository(session)
    row = repository.get(question_id)
    if row is None:
        raise NotFound(f"question '{question_id}' is not in the bank")
    return QuestionDetail(
        question=question_from_body(row.body),
        version=row.version,
        versions=repository.versions(question_id),
        active=row.active,
        times_shown=row.times_shown,
        times_correct=row.times_correct,
        mean_time_s=(row.total_time_s / row.times_shown) if row.times_shown else None,
    )


def set_question_archived(session: Session, question_id: str, archived: bool) -> QuestionDetail:
    """Archive a question (it leaves listings, searches and pools, and no new attempt asks it) or bring it back.

    Attempts that already asked it keep it: their reports read the version they used. Doing it twice is a no-op.
    """
    repository = QuestionRepository(session)
    row = repository.get(question_id)
    if row is None:
        raise NotFound(f"question '{question_id}' is not in the bank")
    if row.active == archived:
        repository.set_active(question_id, not archived)
        session.refresh(row)
    return describe_question(session, question_id)


def _summaries(repository: QuestionRepository, rows: Sequence[QuestionRow]) -> list[QuestionSummary]:
    labels = repository.labels([r.id for r in rows])
    return [
        QuestionSummary(
            id=r.id,
            type=r.type,
            title=r.title,
            difficulty=r.difficulty_level,
            version=r.version,
            topics=sorted(labels.get(r.id, {}).get("topic", [])),
            languages=sorted(labels.get(r.id, {}).get("language", [])),
            active=r.active,
        )
        for r in rows
    ]


def list_questions(
    session: Session, flt: QuestionFilter, *, limit: int = 50, offset: int = 0
) -> tuple[list[QuestionSummary], int]:
    repository = QuestionRepository(session)
    return _summaries(repository, repository.page(flt, limit=limit, offset=offset)), repository.count(flt)


def search_questions(session: Session, query: str, flt: QuestionFilter, *, limit: int = 20) -> list[QuestionSummary]:
    repository = QuestionRepository(session)
    return _summaries(repository, repository.search(query, flt, limit=limit))


def export_questions(session: Session, flt: QuestionFilter, ids: Sequence[str] = ()) -> list[AnyQuestion]:
    repository = QuestionRepository(session)
    wanted = list(ids) if ids else repository.ids(flt)
    questions: list[AnyQuestion] = []
    for question_id in wanted:
        row = repository.get(question_id)
        if row is None:
            raise NotFound(f"question '{question_id}' is not in the bank")
        questions.append(question_from_body(row.body))
    return questions
