"""Taking an attempt: every call is authorised by the signed-in owner, never by the internal resume token.

Another user's attempt id answers 404, exactly like a missing one. Before any call, an attempt whose time
ran out is submitted and that is committed on its own, so a refused late answer leaves it submitted.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from codesensei.api.answers import judge_answer, prepare_answer, store_answer
from codesensei.api.deps import (
    ChatModelDep,
    PlatformDep,
    Reviewer,
    SessionDep,
    SettingsDep,
    SignedIn,
    admitted,
)
from codesensei.api.ratelimit import AssistantLimit, SubmitLimit
from codesensei.api.schemas.attempts import (
    AnswerAck,
    AnswerRequest,
    AttemptList,
    AttemptSummaryOut,
    CurrentQuestionOut,
    HintOut,
    OwnAssistantLog,
    OwnExchangeOut,
    ProgressOut,
    ResumeOut,
    RevealedHintsOut,
    ReviewOut,
    SkipRequest,
    TimeOut,
)
from codesensei.api.schemas.common import ERROR_RESPONSES, RATE_LIMITED
from codesensei.api.schemas.reports import AssistantAsk, AssistantLog, AssistantReplyOut, AttemptReportOut
from codesensei.assistant.service import ask, assistant_log
from codesensei.bank.model import CodeQuestion
from codesensei.errors import NotFound
from codesensei.platform import Platform
from codesensei.sessions.aids import revealed_hints
from codesensei.sessions.answering import take_hint
from codesensei.sessions.attempts import authorize, current_question, expire_attempt, skip_question, submit_attempt
from codesensei.sessions.clock import as_utc, now_utc
from codesensei.sessions.errors import AttemptClosed
from codesensei.sessions.judging import sandbox_judge
from codesensei.sessions.report import candidate_results, history
from codesensei.sessions.resume import resume_point
from codesensei.sessions.status import progress, review, time_status
from codesensei.store.attempts import AttemptRepository
from codesensei.store.db import unit_of_work

router = APIRouter(prefix="/api/attempts", tags=["attempts"], responses=ERROR_RESPONSES)


def settle_deadline(session: Session, attempt_id: str) -> None:
    """Submit the attempt if its deadline passed, and commit that at once, on its own.

    The call that follows may be refused (a late answer is), which rolls its transaction back; the
    auto-submit must survive that, as it does in the CLI. Cheap when nothing is due: one primary-key read.
    The WebSocket endpoint calls it before each job too.
    """
    row = AttemptRepository(session).get(attempt_id)
    now = now_utc()
    if row is not None and row.status == "in_progress" and row.deadline_at and now >= as_utc(row.deadline_at):
        expire_attempt(session, attempt_id, now)
        session.commit()


def settled(attempt_id: Annotated[str, Path(max_length=64)], user: SignedIn, session: SessionDep) -> str:
    """The attempt id, after submitting the attempt if its deadline passed (see `settle_deadline`)."""
    settle_deadline(session, attempt_id)
    return attempt_id


Attempt = Annotated[str, Depends(settled)]


@router.get("")
def my_attempts(user: SignedIn, session: SessionDep, assessment_id: str | None = None) -> AttemptList:
    """The caller's own attempts, oldest first."""
    found = history(session, user.email, assessment_id, now_utc())
    return AttemptList(attempts=[AttemptSummaryOut.model_validate(s.to_json()) for s in found])


@router.get("/{attempt_id}")
def resume(attempt_id: Attempt, user: SignedIn, session: SessionDep) -> ResumeOut:
    """Where the attempt stands: the waiting question, time left and progress, at one instant."""
    return ResumeOut.model_validate(resume_point(session, attempt_id, user.owner, now_utc()).to_json())


@router.get("/{attempt_id}/question")
def question(attempt_id: Attempt, user: SignedIn, session: SessionDep) -> CurrentQuestionOut:
    return CurrentQuestionOut.model_validate(current_question(session, attempt_id, user.owner, now_utc()).to_json())


@router.post("/{attempt_id}/answer", dependencies=[SubmitLimit], responses=RATE_LIMITED)
async def answer(
    attempt_id: Annotated[str, Path(max_length=64)],
    body: AnswerRequest,
    user: SignedIn,
    platform: PlatformDep,
    request: Request,
) -> AnswerAck:
    """Grade and record the answer (code runs in the sandbox); the answer is committed before this returns.

    Read, judged and written in three steps (`api.answers`): only the write waits for the write admission,
    and code is judged outside any transaction. An attempt whose time ran out refuses the answer, and its
    submission is committed on its own first, as `settle_deadline` does for the other calls.
    """
    try:
        prepared = await run_in_threadpool(prepare_answer, platform, attempt_id, user.owner, body.position)
    except AttemptClosed:
        await admitted(request, _settle_deadline_alone, platform, attempt_id)
        raise
    judged = None
    if isinstance(prepared.question, CodeQuestion):
        judged = await run_in_threadpool(judge_answer, prepared, body.answer, sandbox_judge)
    ack = await admitted(
        request,
        store_answer,
        platform,
        attempt_id,
        user.owner,
        body.answer,
        position=body.position,
        prepared=prepared,
        judged=judged,
        judge=sandbox_judge,
    )
    return AnswerAck.model_validate(ack.to_json())


def _settle_deadline_alone(platform: Platform, attempt_id: str) -> None:
    with unit_of_work(platform.sessions) as session:
        settle_deadline(session, attempt_id)


@router.post("/{attempt_id}/skip")
def skip(
    attempt_id: Attempt, user: SignedIn, session: SessionDep, body: SkipRequest | None = None
) -> CurrentQuestionOut:
    """Leave the current question for later (not in adaptive mode)."""
    to = body.to if body else None
    return CurrentQuestionOut.model_validate(
        skip_question(session, attempt_id, user.owner, to=to, now=now_utc()).to_json()
    )


@router.post("/{attempt_id}/hint")
def hint(attempt_id: Attempt, user: SignedIn, session: SessionDep) -> HintOut:
    """The next hint of the current question, if the assessment allows hints (each may cost points)."""
    return HintOut.model_validate(take_hint(session, attempt_id, user.owner, now_utc()).to_json())


@router.get("/{attempt_id}/hints")
def revealed(
    attempt_id: Attempt,
    user: SignedIn,
    session: SessionDep,
    position: Annotated[int | None, Query(ge=1, le=10_000, description="default: the waiting question")] = None,
) -> RevealedHintsOut:
    """The hints already taken on a question, to show them again after a reload (taking one is `POST …/hint`)."""
    return RevealedHintsOut.model_validate(
        revealed_hints(session, attempt_id, user.owner, position, now_utc()).to_json()
    )


@router.get("/{attempt_id}/review")
def review_list(attempt_id: Attempt, user: SignedIn, session: SessionDep) -> ReviewOut:
    """Every question of the attempt with its state, to come back to skipped ones."""
    return ReviewOut.model_validate(review(session, attempt_id, user.owner, now_utc()).to_json())


@router.get("/{attempt_id}/time")
def time_left(attempt_id: Attempt, user: SignedIn, session: SessionDep) -> TimeOut:
    return TimeOut.model_validate(time_status(session, attempt_id, user.owner, now_utc()).to_json())


@router.get("/{attempt_id}/progress")
def progress_of(attempt_id: Attempt, user: SignedIn, session: SessionDep) -> ProgressOut:
    return ProgressOut.model_validate(progress(session, attempt_id, user.owner, now_utc()).to_json())


@router.post("/{attempt_id}/submit")
def submit(attempt_id: Attempt, user: SignedIn, session: SessionDep) -> AttemptReportOut:
    """Submit (unanswered questions score nothing) and return the results the feedback policy allows."""
    now = now_utc()
    submit_attempt(session, attempt_id, user.owner, now)
    return AttemptReportOut.model_validate(candidate_results(session, attempt_id, user.owner, now).to_json())


@router.get("/{attempt_id}/results")
def results(attempt_id: Attempt, user: SignedIn, session: SessionDep) -> AttemptReportOut:
    """The owner's results once submitted, as the assessment's feedback policy allows."""
    return AttemptReportOut.model_validate(candidate_results(session, attempt_id, user.owner, now_utc()).to_json())


@router.post("/{attempt_id}/assistant", dependencies=[AssistantLimit], responses=RATE_LIMITED)
def assistant(
    attempt_id: Attempt,
    body: AssistantAsk,
    user: SignedIn,
    session: SessionDep,
    settings: SettingsDep,
    model: ChatModelDep,
) -> AssistantReplyOut:
    """Ask the assistant about the current question, as the assessment's assistant policy allows."""
    reply = ask(
        session,
        attempt_id,
        user.owner,
        body.kind,
        body.message,
        settings=settings,
        code=body.code,
        language=body.language,
        position=body.position,
        model=model,
        now=now_utc(),
    )
    return AssistantReplyOut.model_validate(reply.to_json())


@router.get("/{attempt_id}/assistant/messages")
def own_assistant_history(attempt_id: Attempt, user: SignedIn, session: SessionDep) -> OwnAssistantLog:
    """The owner's own assistant exchanges of the attempt, oldest first: what was asked and answered."""
    authorize(session, attempt_id, user.owner, now_utc())
    exchanges = [
        OwnExchangeOut(position=e.position, kind=e.kind, request=e.request, reply=e.reply, created_at=e.created_at)
        for e in assistant_log(session, attempt_id)
    ]
    return OwnAssistantLog(attempt_id=attempt_id, exchanges=exchanges)


@router.get("/{attempt_id}/assistant")
def assistant_history(attempt_id: Attempt, _: Reviewer, session: SessionDep) -> AssistantLog:
    """Every assistant exchange of the attempt, with the exact prompts sent to the model (for audit)."""
    if AttemptRepository(session).get(attempt_id) is None:
        raise NotFound(f"attempt '{attempt_id}' does not exist")
    return AssistantLog.model_validate({"exchanges": [e.to_json() for e in assistant_log(session, attempt_id)]})
