"""Assessment use cases: read a definition file, create or replace a draft, list, show, publish, archive."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from codesensei.errors import Conflict, NotFound, ValidationFailed
from codesensei.sessions.definition import AssessmentDefinition, Pool
from codesensei.store.assessments import AssessmentRepository
from codesensei.store.questions import QuestionFilter, QuestionRepository
from codesensei.store.session_tables import AssessmentRow
from codesensei.store.tables import utcnow

# The status of an assessment taken out of use; `draft` and `published` are the others.
ARCHIVED = "archived"


@dataclass(frozen=True)
class AssessmentInfo:
    definition: AssessmentDefinition
    status: str
    published_at: datetime | None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.definition.id,
            "title": self.definition.title,
            "mode": self.definition.mode,
            "status": self.status,
            "published_at": self.published_at.isoformat() if self.published_at else None,
            "definition": self.definition.model_dump(mode="json"),
        }


def validation_message(exc: ValidationError, source: str = "") -> str:
    """One line per error, each naming its field path (`feedback.mode: …`)."""
    lines = []
    for error in exc.errors():
        path = ".".join(str(p) for p in error["loc"]) or "(top level)"
        message = str(error["msg"]).removeprefix("Value error, ")
        if message.split(":", 1)[0] in {str(p) for p in error["loc"]} or not error["loc"]:
            lines.append(message)
        else:
            lines.append(f"{path}: {message}")
    prefix = f"{source}: " if source else ""
    return prefix + "; ".join(lines)


def parse_definition(data: object, source: str = "") -> AssessmentDefinition:
    try:
        return AssessmentDefinition.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(validation_message(exc, source)) from None


def read_definition(path: Path) -> AssessmentDefinition:
    """Read a YAML or JSON definition file; errors name the file and the field."""
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValidationFailed(f"cannot read {path}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise ValidationFailed(f"{path} is not valid YAML: {exc}") from None
    return parse_definition(data, str(path))


def pool_filter(pool: Pool) -> QuestionFilter:
    return QuestionFilter(
        types=pool.types, topics=pool.topics, skills=pool.skills, tags=pool.tags, languages=pool.languages,
        difficulty_levels=pool.difficulty_levels, practice_only=pool.practice_only,
    )


def definition_of(row: AssessmentRow) -> AssessmentDefinition:
    return AssessmentDefinition.model_validate(row.definition)


def _check_questions(session: Session, definition: AssessmentDefinition) -> None:
    questions = QuestionRepository(session)
    if definition.mode == "fixed":
        for index, question_id in enumerate(definition.questions):
            row = questions.get(question_id)
            if row is None or not row.active:
                raise ValidationFailed(f"questions.{index}: question '{question_id}' is not an active bank question")
        return
    available = questions.count(pool_filter(definition.pool))
    needed = definition.size if definition.mode == "random" else max(1, definition.adaptive.min_items)
    if available < needed:
        raise ValidationFailed(
            f"pool: matches {available} active question(s), but {definition.mode} mode needs at least {needed}"
        )


def create_assessment(session: Session, definition: AssessmentDefinition) -> AssessmentInfo:
    """Store a new draft, or replace a draft with the same id; a published assessment cannot change."""
    repository = AssessmentRepository(session)
    existing = repository.get(definition.id)
    if existing is not None and existing.status == "published":
        raise Conflict(f"assessment '{definition.id}' is published and cannot be changed; use a new id")
    if existing is not None and existing.status == ARCHIVED:
        raise Conflict(f"assessment '{definition.id}' is archived; unarchive it before changing it")
    _check_questions(session, definition)
    row = repository.save(definition.id, definition.title, definition.mode, definition.model_dump(mode="json"))
    return AssessmentInfo(definition, row.status, row.published_at)


def get_assessment(session: Session, assessment_id: str) -> AssessmentInfo:
    row = AssessmentRepository(session).get(assessment_id)
    if row is None:
        raise NotFound(f"assessment '{assessment_id}' does not exist")
    return AssessmentInfo(definition_of(row), row.status, row.published_at)


def list_assessments(session: Session, *, published_only: bool = False) -> list[AssessmentInfo]:
    rows = AssessmentRepository(session).list(status="published" if published_only else None)
    return [AssessmentInfo(definition_of(r), r.status, r.published_at) for r in rows]


def publish_assessment(session: Session, assessment_id: str, now: datetime | None = None) -> AssessmentInfo:
    """Publish a draft after checking its questions still exist; publishing twice is a no-op."""
    repository = AssessmentRepository(session)
    row = repository.get(assessment_id)
    if row is None:
        raise NotFound(f"assessment '{assessment_id}' does not exist")
    definition = definition_of(row)
    if row.status == ARCHIVED:
        raise Conflict(f"assessment '{assessment_id}' is archived; unarchive it first")
    if row.status != "published":
        _check_questions(session, definition)
        repository.publish(row, now or utcnow())
    return AssessmentInfo(definition, row.status, row.published_at)


def set_assessment_archived(
    session: Session, assessment_id: str, archived: bool, now: datetime | None = None
) -> AssessmentInfo:
    """Archive an assessment (it leaves listings and starts no new attempt) or bring it back as it was.

    Attempts already made keep working: an unfinished one can still be finished and every report still reads.
    Unarchiving returns it to `published` if it had been published, else to `draft`. Twice is a no-op.
    """
    row = AssessmentRepository(session).get(assessment_id)
    if row is None:
        raise NotFound(f"assessment '{assessment_id}' does not exist")
    if archived and row.status != ARCHIVED:
        row.status = ARCHIVED
    elif not archived and row.status == ARCHIVED:
        row.status = "published" if row.published_at is not None else "draft"
    else:
        return AssessmentInfo(definition_of(row), row.status, row.published_at)
    row.updated_at = now or utcnow()
    session.flush()
    return AssessmentInfo(definition_of(row), row.status, row.published_at)
