"""The question bank, for staff: list and search with filters, the full question, the format's schema, import."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Annotated, Any

from annotated_types import MaxLen
from fastapi import APIRouter, Body, Depends, Query, Request
from starlette.concurrency import run_in_threadpool

from codesensei.api.deps import Author, PlatformDep, SessionDep, Staff, read_only_call
from codesensei.api.ratelimit import SubmitLimit
from codesensei.api.schemas.bank import (
    BankValidationOut,
    ImportReportOut,
    QuestionDetailOut,
    QuestionPage,
    QuestionSummaryOut,
)
from codesensei.api.schemas.common import ERROR_RESPONSES, MAX_OFFSET, RATE_LIMITED
from codesensei.api.schemas.verify import VerifyReportOut, VerifyRequest
from codesensei.bank.files import BankFile, BankFileError, parse_document
from codesensei.bank.model import AnyQuestion, CodeAnswer, CodeQuestion, DifficultyLabel, QuestionType
from codesensei.bank.schema import bank_json_schema
from codesensei.bank.service import (
    describe_question,
    get_question,
    import_files,
    list_questions,
    search_questions,
    set_question_archived,
)
from codesensei.errors import PayloadTooLarge, ValidationFailed
from codesensei.store.questions import QuestionFilter
from codesensei.verification.verify import default_jobs, verify_question

router = APIRouter(prefix="/api/questions", tags=["questions"], responses=ERROR_RESPONSES)

BANK_MEDIA_TYPES = ("application/json", "application/yaml", "application/x-yaml", "text/yaml", "text/plain")


async def bank_text(request: Request) -> str:
    """The request body as text: a bank file is read as it is, without JSON parsing by the framework."""
    try:
        return (await request.body()).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationFailed(f"body: a bank file is UTF-8 text (byte {exc.start} is not)") from None


async def body_bytes(request: Request) -> bytes:
    return await request.body()


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


@router.post(
    "/validate",
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "one bank file, YAML or JSON; nothing is written",
            "content": {media: {"schema": {"type": "string"}, "example": IMPORT_EXAMPLE} for media in BANK_MEDIA_TYPES},
        }
    },
)
def validate_bank(
    _: Author,
    raw: Annotated[bytes, Depends(body_bytes)],
    filename: Annotated[
        str, Query(min_length=1, max_length=200, description="the file's name, to name it in problems")
    ] = "request body",
) -> BankValidationOut:
    """Check one bank file as `sensei bank validate` does, without importing it: the same problems, one per line.

    Always 200: `valid` says whether the file would import, `problems` what to fix. Nothing is written.
    """
    # A sync handler: parsing a large file runs in the thread pool, not on the event loop.
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return BankValidationOut(valid=False, problems=[f"{filename}: not UTF-8 text (byte {exc.start})"])
    try:
        parsed = parse_document(text, source=filename)
    except BankFileError as exc:
        return BankValidationOut(valid=False, problems=exc.problems)
    counts = Counter(q.type for q in parsed)
    return BankValidationOut(
        valid=True, files=1, questions=len(parsed), by_type=dict(sorted(counts.items())),
        ids=[q.id for q in parsed],
    )


@router.post("/{question_id}/archive")
def archive(question_id: str, _: Author, session: SessionDep) -> QuestionDetailOut:
    """Archive a question: it leaves listings, searches and pools, and no new attempt asks it (reports still
    show it where it was asked). A fixed assessment that lists it starts no new attempt until it is back."""
    return QuestionDetailOut.model_validate(set_question_archived(session, question_id, True).to_json())


@router.post("/{question_id}/unarchive")
def unarchive(question_id: str, _: Author, session: SessionDep) -> QuestionDetailOut:
    """Bring an archived question back into listings, searches and pools."""
    return QuestionDetailOut.model_validate(set_question_archived(session, question_id, False).to_json())


# The largest program a candidate may submit: a reference solution or generator is judged the same way.
MAX_CODE_CHARS = next(m.max_length for m in CodeAnswer.model_fields["source"].metadata if isinstance(m, MaxLen))
# One author's request judges its solutions side by side, but never takes more than two cores of the server.
VERIFY_JOBS = 2
# Verifications wait for these few threads of their own: a burst of them (each may judge for a minute) never
# holds the shared thread pool that every other request's sync work runs in.
VERIFICATIONS_AT_ONCE = 2
_verifications = ThreadPoolExecutor(max_workers=VERIFICATIONS_AT_ONCE, thread_name_prefix="question-verify")

# Runs as written on a fresh install: one accepted and one wrong solution, judged on a sample and a hidden test.
VERIFY_EXAMPLE: dict[str, Any] = {
    "question": {
        "id": "example-sum",
        "type": "code",
        "title": "Sum of two numbers",
        "text": "Read two integers from one line and print their sum.",
        "languages": ["python"],
        "limits": {"time_s": 2},
        "tests": [
            {"name": "sample", "kind": "stdio", "input": "1 2\n", "expected": "3\n", "visibility": "sample"},
            {"name": "negative", "kind": "stdio", "input": "-5 3\n", "expected": "-2\n"},
        ],
        "solutions": [
            {"language": "python", "code": "a, b = map(int, input().split())\nprint(a + b)\n"},
            {"language": "python", "code": "a, b = map(int, input().split())\nprint(abs(a) + abs(b))\n",
             "expect": "wrong"},
        ],
    }
}


def _refuse_oversized_code(question: AnyQuestion) -> None:
    if not isinstance(question, CodeQuestion):
        return
    programs = [(f"solutions.{n}.code", s.code) for n, s in enumerate(question.solutions)]
    if question.generator is not None:
        programs.append(("generator.code", question.generator.code))
    for where, code in programs:
        if len(code) > MAX_CODE_CHARS:
            raise PayloadTooLarge(f"{where}: {len(code)} characters; the code size limit is {MAX_CODE_CHARS}")


@router.post("/verify", responses=RATE_LIMITED)
async def verify(
    body: Annotated[VerifyRequest, Body(examples=[VERIFY_EXAMPLE])],
    _: Author,
    platform: PlatformDep,
    # After the role check, so that a candidate is refused without spending a token.
    __: Annotated[None, SubmitLimit],
) -> VerifyReportOut:
    """Run the checks of `sensei bank verify` on one question: a draft (`question`) or a stored one
    (`question_id`). Non-code questions: the answer key must grade full. Code questions: every reference
    solution is judged in the sandbox on all tests (hidden and generated included) and must behave as its
    `expect` says (accepted within a quarter of the time limit; wrong failing a hidden test).

    Always 200 once the question is valid: `ok` and each check's `outcome` say what to fix. For authors only:
    the per-test results name and time hidden tests. Limited like submitting code (`rate_limited`)."""
    # No request unit of work: it would hold its connection (and its place in the write admission) for as long
    # as the judging takes. The stored question is read in a short transaction of its own.
    question = body.question
    if question is None:
        question = await run_in_threadpool(read_only_call, platform, get_question, str(body.question_id))
    _refuse_oversized_code(question)
    started = time.perf_counter()
    judge = partial(verify_question, question, jobs=min(VERIFY_JOBS, default_jobs()))
    checks = await asyncio.get_running_loop().run_in_executor(_verifications, judge)
    return VerifyReportOut.of(question.id, checks, time.perf_counter() - started)
