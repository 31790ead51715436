"""The assistant during an attempt: policy, context, model or offline reply, token budget, audit log.

Every exchange is written to `assistant_messages` with exactly the prompt that went to the model, so
an auditor can see what the candidate asked and what the assistant knew and said. A model that is
unreachable falls back to the offline assistant rather than leaving the candidate without help.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from codesensei.assistant.context import AssistantContext, AssistantRequest, RequestKind, VisibleRun, visible_run
from codesensei.assistant.llm import (
    ChatModel,
    Completion,
    ModelRequestRejected,
    ModelUnavailable,
    OpenAICompatibleModel,
    ProviderConfig,
    TokenBudget,
)
from codesensei.assistant.offline import OfflineAssistant
from codesensei.assistant.prompting import render_messages
from codesensei.assistant.review import review_code
from codesensei.bank.model import AnyQuestion, CodeAnswer, CodeQuestion
from codesensei.bank.service import get_question
from codesensei.sessions.answering import take_hint
from codesensei.sessions.attempts import Credential, Loaded, authorize, is_open, require_open, view_of
from codesensei.sessions.clock import now_utc, remaining_s
from codesensei.sessions.errors import ActionNotAllowed
from codesensei.sessions.judging import code_answer
from codesensei.settings import Settings
from codesensei.store.assistant_tables import AssistantMessageRow
from codesensei.store.session_tables import AttemptItemRow

_MAX_REPLY_TOKENS = 700
SampleRunner = Callable[[CodeQuestion, CodeAnswer], Any]


def model_from_settings(settings: Settings) -> ChatModel | None:
    """The configured model, or None for the offline assistant."""
    if not settings.llm_base_url:
        return None
    return OpenAICompatibleModel(
        ProviderConfig(
            base_url=settings.llm_base_url,
            model=settings.llm_model,
            api_key=settings.llm_api_key,
            timeout_s=settings.llm_timeout_s,
            max_retries=settings.llm_max_retries,
        )
    )


@dataclass(frozen=True)
class AssistantReply:
    attempt_id: str
    position: int
    kind: str
    text: str
    provider: str
    tokens_used: int
    tokens_limit: int
    hint_number: int | None = None
    hint_penalty: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "attempt_id": self.attempt_id,
            "position": self.position,
            "kind": self.kind,
            "text": self.text,
            "provider": self.provider,
            "tokens_used": self.tokens_used,
            "tokens_limit": self.tokens_limit,
            "hint_number": self.hint_number,
            "hint_penalty": self.hint_penalty,
        }


def _sample_judge(question: CodeQuestion, answer: CodeAnswer) -> Any:
    from codesensei.runner.judge import judge

    return judge(question, answer, include_hidden=False)


def _check_policy(loaded: Loaded, kind: RequestKind, now: datetime) -> None:
    mode = loaded.definition.assistant.mode
    if mode == "off":
        raise ActionNotAllowed("the assistant is off for this assessment")
    if mode == "hints" and kind != "hint":
        raise ActionNotAllowed("this assessment's assistant gives hints only")
    if kind == "review":
        if loaded.definition.feedback.mode == "never":
            raise ActionNotAllowed("this assessment gives no feedback, so no code review either")
        return  # a review is feedback on submitted work: allowed after the attempt closed
    require_open(loaded, now)


def _item_for(loaded: Loaded, kind: RequestKind, position: int | None) -> AttemptItemRow:
    if position is None:
        item = loaded.current
        if item is None:
            raise ActionNotAllowed("no question is open; name the question's position")
        return item
    item = loaded.item_at(position)
    if item is None:
        raise ActionNotAllowed(f"attempt has no question at position {position}")
    if kind != "review" and item is not loaded.current:
        raise ActionNotAllowed("help is given on the question you are answering now")
    return item


def _failed_hidden(question: CodeQuestion, item: AttemptItemRow) -> tuple[int, int]:
    """How many hidden tests the submitted answer failed: counts only, never which inputs."""
    hidden = {t.name for t in question.executed_tests if t.visibility == "hidden"}
    criteria = (item.grade or {}).get("criteria", [])
    failed = sum(1 for c in criteria if c["name"] in hidden and c["points_earned"] < c["points_possible"])
    return failed, len(hidden)


def _hints_shown(question: AnyQuestion, item: AttemptItemRow) -> tuple[str, ...]:
    return tuple(question.hints[: item.hints_used])


def _tokens_used(session: Session, attempt_id: str) -> int:
    total = session.scalar(
        select(
            func.coalesce(func.sum(AssistantMessageRow.prompt_tokens + AssistantMessageRow.completion_tokens), 0)
        ).where(AssistantMessageRow.attempt_id == attempt_id)
    )
    return int(total or 0)


def _call_model(
    model: ChatModel,
    ctx: AssistantContext,
    request: AssistantRequest,
    budget: TokenBudget,
    on_delta: Callable[[str], None] | None,
) -> tuple[Completion, list[dict[str, str]]]:
    messages = render_messages(ctx, request)
    budget.reserve(messages, _MAX_REPLY_TOKENS)
    if on_delta is None:
        completion = model.complete(messages, max_tokens=_MAX_REPLY_TOKENS)
    else:
        stream = model.stream(messages, max_tokens=_MAX_REPLY_TOKENS)
        for delta in stream:
            on_delta(delta)
        assert stream.completion is not None  # set once the stream is exhausted
        completion = stream.completion
    budget.charge(completion.usage)
    return completion, [{"role": m.role, "content": m.content} for m in messages]


def ask(
    session: Session,
    attempt_id: str,
    token: Credential,
    kind: RequestKind,
    message: str = "",
    *,
    settings: Settings,
    code: str | None = None,
    language: str | None = None,
    position: int | None = None,
    model: ChatModel | None = None,
    run_samples: SampleRunner | None = None,
    on_delta: Callable[[str], None] | None = None,
    now: datetime | None = None,
) -> AssistantReply:
    """Answer one assistant request on the attempt's current question (or a submitted one, for `review`)."""
    now = now or now_utc()
    loaded = authorize(session, attempt_id, token, now)
    _check_policy(loaded, kind, now)
    item = _item_for(loaded, kind, position)
    question = get_question(session, item.question_id, item.question_version)

    next_hint: str | None = None
    hint_number: int | None = None
    hint_penalty = 0.0
    if kind == "hint":
        hint = take_hint(session, attempt_id, token, now)
        next_hint, hint_number, hint_penalty = hint.text, hint.number, hint.penalty
        item = next(i for i in loaded.items if i.position == hint.position)

    run: VisibleRun | None = None
    view = view_of(session, loaded, item)
    program: CodeAnswer | None = None
    if isinstance(question, CodeQuestion):
        if code is not None:
            program = code_answer(question, {"language": language, "source": code} if language else code)
        elif isinstance(item.answer, dict | str):
            program = code_answer(question, item.answer)
        if program is not None and kind in ("explain", "debug", "chat"):
            run = visible_run((run_samples or _sample_judge)(question, program), view)
    ctx = AssistantContext(
        question=view,
        code=program.source if program else "",
        language=program.language if program else None,
        last_run=run,
        hints_shown=_hints_shown(question, item)[: (hint_number - 1) if hint_number else None],
        remaining_s=remaining_s(loaded.row.deadline_at, now) if is_open(loaded.row, now) else None,
        submitted=item.status == "answered",
    )
    request = AssistantRequest(kind, message, next_hint)
    limit = loaded.definition.assistant.token_budget
    budget = TokenBudget(
        limit if limit is not None else settings.assistant_token_budget, _tokens_used(session, attempt_id)
    )

    prompt: list[dict[str, str]] | None = None
    usage = (0, 0)
    if model is not None:
        try:
            completion, prompt = _call_model(model, ctx, request, budget, on_delta)
            text, provider = completion.text, model.name
            usage = (completion.usage.prompt_tokens, completion.usage.completion_tokens)
        except (ModelUnavailable, ModelRequestRejected) as exc:
            text = (
                OfflineAssistant().reply(ctx, request)
                + f"\n\n_(offline help: the model is unavailable: {exc.message})_"
            )
            provider = "offline (model unavailable)"
    else:
        if kind == "review" and isinstance(question, CodeQuestion):
            failed, total = _failed_hidden(question, item)
            text = review_code(ctx.code, ctx.language, failed_hidden=failed, total_hidden=total).to_markdown()
        else:
            text = OfflineAssistant().reply(ctx, request)
        provider = "offline"
        if on_delta is not None:
            on_delta(text)

    session.add(
        AssistantMessageRow(
            attempt_id=attempt_id,
            position=item.position,
            kind=kind,
            request=message,
            prompt=prompt,
            reply=text,
            provider=provider,
            prompt_tokens=usage[0],
            completion_tokens=usage[1],
            created_at=now,
        )
    )
    session.flush()
    return AssistantReply(
        attempt_id=attempt_id,
        position=item.position,
        kind=kind,
        text=text,
        provider=provider,
        tokens_used=budget.used,
        tokens_limit=budget.limit,
        hint_number=hint_number,
        hint_penalty=hint_penalty,
    )


@dataclass(frozen=True)
class LoggedExchange:
    position: int | None
    kind: str
    request: str
    reply: str
    provider: str
    prompt: list[dict[str, Any]] | None
    tokens: int
    created_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "kind": self.kind,
            "request": self.request,
            "reply": self.reply,
            "provider": self.provider,
            "prompt": self.prompt,
            "tokens": self.tokens,
            "created_at": self.created_at.isoformat(),
        }


def assistant_log(session: Session, attempt_id: str) -> list[LoggedExchange]:
    """Every exchange of an attempt, oldest first: the audit view for staff."""
    rows = session.scalars(
        select(AssistantMessageRow).where(AssistantMessageRow.attempt_id == attempt_id).order_by(AssistantMessageRow.id)
    )
    return [
        LoggedExchange(
            r.position,
            r.kind,
            r.request,
            r.reply,
            r.provider,
            r.prompt,
            r.prompt_tokens + r.completion_tokens,
            r.created_at,
        )
        for r in rows
    ]
