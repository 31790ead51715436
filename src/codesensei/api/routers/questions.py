"""The question bank, for staff: list and search with filters, the full question, the format's schema, import."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from codesensei.api.deps import Author, SessionDep, Staff
from codesensei.api.schemas.bank import ImportReportOut, QuestionDetailOut, QuestionPage, QuestionSummaryOut
from codesensei.api.schemas.common import ERROR_RESPONSES, MAX_OFFSET
from codesensei.bank.files import BankFile, parse_document
from codesensei.bank.model import DifficultyLabel, QuestionType
from codesensei.bank.schema import bank_json_schema
from codesensei.bank.service import describe_question, import_files, list_questions, search_questions
from codesensei.errors import ValidationFailed
from codesensei.store.questions import QuestionFilter

router = APIRouter(prefix="/api/questions", tags=["questions"], responses=ERROR_RESPONSES)

BANK_MEDIA_TYPES = ("application/json", "application/yaml", "application/x-yaml", "text/yaml", "text/plain")


async def bank_text(request: Request) -> str:
    """The request body as text: a bank file is read as it is, without JSON parsing by the framework."""
    try:
        return (await request.body()).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationFailed(f"body: a bank file is UTF-8 text (byte {exc.start} is not)") from None


@router.get("")
def questions(
    _: Staff,
    session: SessionDep,
    q: Annotated[str | None, Query(max_length=200, description="full-text search (best match first)")] = None,
    type: Annotated[list[QuestionType], Query()] = [],  # noqa: B006 - FastAPI copies defaults per request
    topic: Annotated[list[str], Query()] = [],  # noqa: B006
    skill: Annotated[list[str], Query()] = [],  # noqa: B006
    tag: Annotated[list[str], Query()] = [],  # noqa: B006
    language: Annotated[list[str], Query()] = [],  # noqa: B006
    difficulty: Annotated[list[DifficultyLabel], Query()] = [],  # noqa: B006
    include_inactive: bool = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> QuestionPage:
    """List the bank with filters (each may repeat: `?topic=arrays&topic=graphs`), or search it with `q`."""
    flt = QuestionFilter(types=type, topics=topic, skills=skill, tags=tag, languages=language,
                         difficulty_levels=difficulty, include_inactive=include_inactive)
    if q:
        found = search_questions(session, q, flt, limit=limit)
        total = len(found)
    else:
        found, total = list_questions(session, flt, limit=limit, offset=offset)
    items = [QuestionSummaryOut.model_validate(s, from_attributes=True) for s in found]
    return QuestionPage(items=items, total=total, limit=limit, offset=0 if q else offset)


@router.get("/schema")
def schema(_: Staff) -> dict[str, Any]:
    """The JSON Schema of the bank file format (what `import` accepts and `question` holds)."""
    return bank_json_schema()


@router.get("/{question_id}")
def question(question_id: str, _: Staff, session: SessionDep) -> QuestionDetailOut:
    """The full question (key, tests, solutions included) with its versions and statistics."""
    return QuestionDetailOut.model_validate(describe_question(session, question_id).to_json())


IMPORT_EXAMPLE = """\
questions:
  - id: example-true-false
    type: true_false
    title: Python lists are mutable
    text: Python lists can be changed in place.
    answer: true
"""


@router.post(
    "/import",
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "one bank file, YAML or JSON (see `GET /api/questions/schema`)",
            "content": {media: {"schema": {"type": "string"}, "example": IMPORT_EXAMPLE} for media in BANK_MEDIA_TYPES},
        }
    },
)
def import_bank(_: Author, session: SessionDep, text: Annotated[str, Depends(bank_text)]) -> ImportReportOut:
    """Import one bank file: validated like `sensei bank import`, all or nothing, idempotent by question id."""
    source = "request body"
    report = import_files(session, [BankFile(path=source, questions=parse_document(text, source=source))])
    return ImportReportOut.model_validate(report.to_json())
