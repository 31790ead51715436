"""WebSocket `/ws/attempts/{attempt_id}`: run and submit code with per-test results streamed, and the assistant.

Protocol (JSON text messages):

- Authentication is the **first message**, `{"type": "auth", "token": ACCESS_TOKEN}`, within 10 seconds
  (`SENSEI_WS_AUTH_TIMEOUT_S`);
  not a query parameter, because URLs end up in access logs and proxies. The server answers
  `{"type": "ready", "attempt_id", "user"}`. A missing, invalid or expired token, or an attempt that is not
  the caller's (or does not exist), closes the socket with 1008 (policy violation). Another `auth` message
  later replaces the token (access tokens live 15 minutes; an attempt may last longer); each job checks the
  token again, so a revoked session stops working at once.
- `{"type": "run", "language", "source", "input"?}`: the sample tests of the current question, or one run on
  the candidate's own `input` (stdin, or JSON arguments for function questions). Nothing is recorded.
- `{"type": "submit", "language", "source", "position"?}`: the answer to the current question, judged with
  every test and recorded as `POST /api/attempts/{id}/answer` records it. The `done` event carries the
  acknowledgement and is sent only after the answer was committed: an answer is durable once `done` is sent.
- `{"type": "assistant", "kind", "message"?, "code"?, "language"?, "position"?}`: the reply streams as
  `assistant_delta` events (`text`), then `assistant_done` with the whole reply.
- `{"type": "resume", "job", "after"}`: the job's events after `seq` `after`, then the live ones: a client
  that reconnects sends the last `seq` it saw and gets each of the rest exactly once.

Each job's events carry `job` and `seq` (from 1): `accepted` first, then `compiled`, one `test` per test as it
finishes and `done` (run, submit), or `assistant_delta`s and `assistant_done`, or `error` (`code`, `message`)
in their place when the job is refused. Hidden tests' results carry only name, visibility, verdict, weight,
times, memory and message, never their input, expected or actual output. During a submit, results are
shown only as far as the assessment's feedback policy allows: verdicts only when feedback is `immediate`,
else the name of each finished test (progress) and an acknowledgement without the report.

Jobs run in worker threads, so the event loop never waits on the sandbox, the database or the model; a
job goes on when its client disconnects (a submit must be recorded all the same), and its events wait in
the `JobStream` for a `resume`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, Field, TypeAdapter, ValidationError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from codesensei.api.accounts.signin import CurrentUser, authenticate
from codesensei.api.answers import prepare_answer, record_answer
from codesensei.api.errors import RateLimited
from codesensei.api.jobstream import Event, JobOwner, JobStream, MemoryJobStream, RedisJobStream
from codesensei.api.ratelimit import RateLimiter
from codesensei.api.routers.attempts import settle_deadline
from codesensei.assistant.context import RequestKind
from codesensei.assistant.llm import ChatModel
from codesensei.assistant.service import ask
from codesensei.bank.model import CodeAnswer, CodeQuestion
from codesensei.bank.service import get_question
from codesensei.errors import NotFound, SenseiError, Unauthorized
from codesensei.platform import Platform
from codesensei.runner.dispatch import Dispatcher, LocalDispatcher
from codesensei.runner.jobs import JudgeJob
from codesensei.runner.judge import report_from_json
from codesensei.runner.types import JudgeReport
from codesensei.sessions.attempts import authorize, require_open
from codesensei.sessions.clock import now_utc
from codesensei.sessions.errors import ActionNotAllowed
from codesensei.sessions.judging import code_answer
from codesensei.sessions.samples import sample_target
from codesensei.settings import Settings
from codesensei.store.attempts import AttemptRepository
from codesensei.store.db import unit_of_work

log = logging.getLogger("codesensei.api.ws")
router = APIRouter()

POLICY_VIOLATION = 1008
MAX_SOURCE = 200_000


class AuthMessage(BaseModel):
    type: Literal["auth"]
    token: str = Field(max_length=4096)


class RunMessage(BaseModel):
    type: Literal["run"]
    language: str = Field(max_length=40)
    source: str = Field(max_length=MAX_SOURCE)
    input: str | None = Field(default=None, max_length=MAX_SOURCE)


class SubmitMessage(BaseModel):
    type: Literal["submit"]
    language: str = Field(max_length=40)
    source: str = Field(max_length=MAX_SOURCE)
    position: int | None = Field(default=None, ge=1)


class AssistantMessage(BaseModel):
    type: Literal["assistant"]
    kind: RequestKind
    message: str = Field(default="", max_length=4000)
    code: str | None = Field(default=None, max_length=65536)
    language: str | None = Field(default=None, max_length=40)
    position: int | None = Field(default=None, ge=1)


class ResumeMessage(BaseModel):
    type: Literal["resume"]
    job: str = Field(max_length=64)
    after: int = Field(ge=0)


JobMessage = RunMessage | SubmitMessage | AssistantMessage
ClientMessage = TypeAdapter[AuthMessage | RunMessage | SubmitMessage | AssistantMessage | ResumeMessage](
    Annotated[AuthMessage | RunMessage | SubmitMessage | AssistantMessage | ResumeMessage, Field(discriminator="type")]
)


class SocketHub:
    """What every socket of one app shares: the job stream, the worker threads, the dispatcher, the limiter."""

    def __init__(self, settings: Settings, limiter: RateLimiter, stream: JobStream | None = None) -> None:
        self.settings = settings
        self.limiter = limiter
        self.stream: JobStream = stream or self._stream(settings)
        self.workers = ThreadPoolExecutor(max_workers=settings.ws_job_threads, thread_name_prefix="sensei-ws-job")
        self._dispatcher: Dispatcher | None = None

    @staticmethod
    def _stream(settings: Settings) -> JobStream:
        # With Redis, a client may reconnect to any API process and resume its jobs there.
        if settings.redis_url:
            return RedisJobStream(settings.redis_url, ttl_s=settings.ws_replay_ttl_s)
        return MemoryJobStream(ttl_s=settings.ws_replay_ttl_s)

    @property
    def dispatcher(self) -> Dispatcher:
        # Made on first use: building the app must not touch the sandbox.
        if self._dispatcher is None:
            self._dispatcher = LocalDispatcher()
        return self._dispatcher

    def close(self) -> None:
        # Running jobs finish (a submit must be recorded); nothing new starts.
        self.workers.shutdown(wait=False, cancel_futures=True)
        close = getattr(self.stream, "close", None)
        if callable(close):
            close()


@dataclass(frozen=True)
class JobContext:
    hub: SocketHub
    platform: Platform
    model: ChatModel | None
    job_id: str
    attempt_id: str
    user_id: str
    token: str

    def publish(self, event: Event) -> Event:
        return self.hub.stream.publish(self.job_id, event)

    def signed_in(self, session: Session) -> CurrentUser:
        """The token's user, checked again for each job; it must still be the socket's user."""
        user = authenticate(session, self.hub.settings, self.token)
        if user.id != self.user_id:
            raise Unauthorized("the token is another account's")
        return user


def _without_seq(event: Event) -> Event:
    # The runner numbers its own events from 0; the job stream numbers them again, with the job's other events.
    return {k: v for k, v in event.items() if k != "seq"}


def _run_target(session: Session, ctx: JobContext, user: CurrentUser, custom: bool) -> CodeQuestion:
    """The current question, to run sample tests or the candidate's own input on."""
    if not custom:
        return sample_target(session, ctx.attempt_id, user.owner, now_utc()).question
    # The candidate's own input needs no sample tests, only an open attempt whose current question is code.
    now = now_utc()
    loaded = authorize(session, ctx.attempt_id, user.owner, now)
    require_open(loaded, now)
    item = loaded.current
    if item is None:
        raise ActionNotAllowed("no question is waiting for an answer")
    question = get_question(session, item.question_id, item.question_version)
    if not isinstance(question, CodeQuestion):
        raise ActionNotAllowed(f"question {item.position} is not a code question; there is nothing to run")
    return question


def _run(ctx: JobContext, message: RunMessage) -> None:
    with unit_of_work(ctx.platform.sessions) as session:
        user = ctx.signed_in(session)
        settle_deadline(session, ctx.attempt_id)
    with unit_of_work(ctx.platform.sessions) as session:
        question = _run_target(session, ctx, user, message.input is not None)
    # Judged outside any transaction: nothing is recorded, and no lock is held while the program runs.
    program = code_answer(question, {"language": message.language, "source": message.source})
    job = JudgeJob(question, program, "sample", custom_input=message.input, submission_id=ctx.job_id)
    for event in ctx.hub.dispatcher.submit(job):
        ctx.publish(_without_seq(event))


def _progress_only(event: Event) -> Event:
    """A test event of a submit whose feedback is not immediate: which test finished, not how it went."""
    result = event["result"]
    return {**event, "result": {"name": result["name"], "visibility": result["visibility"]}}


def _submit(ctx: JobContext, message: SubmitMessage) -> None:
    with unit_of_work(ctx.platform.sessions) as session:
        user = ctx.signed_in(session)
        settle_deadline(session, ctx.attempt_id)
    report: dict[str, Any] | None = None
    immediate = False

    def streaming_judge(question: CodeQuestion, program: CodeAnswer) -> JudgeReport:
        nonlocal report
        job = JudgeJob(question, program, "all", submission_id=ctx.job_id)
        for event in ctx.hub.dispatcher.submit(job):
            if event["type"] == "done":
                report = event["report"]  # sent with the acknowledgement, once the answer is committed
            elif event["type"] == "test" and not immediate:
                ctx.publish(_progress_only(_without_seq(event)))
            else:
                ctx.publish(_without_seq(event))
        if report is None:
            raise RuntimeError("the judge stream ended without a done event")
        return report_from_json(report)

    answer = {"language": message.language, "source": message.source}
    prepared = prepare_answer(ctx.platform, ctx.attempt_id, user.owner, message.position)
    immediate = prepared.feedback_immediate
    ack = record_answer(
        ctx.platform, ctx.attempt_id, user.owner, answer,
        position=message.position, prepared=prepared, judge=streaming_judge,
    )
    # The unit of work committed: only now is the answer acknowledged.
    ctx.publish({"type": "done", "ack": ack.to_json(), "report": report if immediate else None})


def _assistant(ctx: JobContext, message: AssistantMessage) -> None:
    with unit_of_work(ctx.platform.sessions) as session:
        user = ctx.signed_in(session)
        settle_deadline(session, ctx.attempt_id)
    def delta(text: str) -> None:
        ctx.publish({"type": "assistant_delta", "text": text})

    with unit_of_work(ctx.platform.sessions) as session:
        reply = ask(
            session, ctx.attempt_id, user.owner, message.kind, message.message, settings=ctx.hub.settings,
            code=message.code, language=message.language, position=message.position, model=ctx.model,
            on_delta=delta, now=now_utc(),
        )
    ctx.publish({"type": "assistant_done", "reply": reply.to_json()})


def _job(ctx: JobContext, work: Callable[[], None]) -> None:
    """Run one job in a worker thread; whatever happens, its stream ends with one terminal event."""
    try:
        work()
    except SenseiError as exc:
        ctx.publish({"type": "error", "code": exc.code, "message": exc.message})
    except Exception:
        log.exception("WebSocket job %s failed", ctx.job_id)
        ctx.publish({"type": "error", "code": "internal_error", "message": "the job failed; it has been logged"})


def _owned_attempt(platform: Platform, settings: Settings, token: str, attempt_id: str) -> CurrentUser:
    with unit_of_work(platform.read_sessions) as session:
        user = authenticate(session, settings, token)
        row = AttemptRepository(session).get(attempt_id)
        if row is None or row.user_name != user.email:
            raise NotFound(f"attempt '{attempt_id}' does not exist")
        return user


class AttemptSocket:
    """One client connection: reads messages, starts jobs, and relays the events of the jobs it follows."""

    def __init__(self, websocket: WebSocket, attempt_id: str) -> None:
        app = websocket.app
        self.websocket, self.attempt_id = websocket, attempt_id
        self.hub: SocketHub = app.state.sockets
        self.platform: Platform = app.state.platform
        self.model: ChatModel | None = app.state.chat_model
        self.settings: Settings = app.state.settings
        self.send_lock = asyncio.Lock()
        self.followers: dict[str, asyncio.Task[None]] = {}
        self.user: CurrentUser | None = None
        self.token = ""

    async def receive(self) -> str:
        """The next message's text; a binary frame is read as UTF-8 (Starlette's `receive_text` would crash)."""
        message = await self.websocket.receive()
        if message["type"] == "websocket.disconnect":
            raise WebSocketDisconnect(message.get("code", 1000))
        text = message.get("text")
        if text is None:
            text = (message.get("bytes") or b"").decode("utf-8", errors="replace")
        return str(text)

    async def send(self, event: Event) -> None:
        async with self.send_lock:
            await self.websocket.send_json(event)

    async def sign_in(self, token: str) -> bool:
        try:
            user = await run_in_threadpool(_owned_attempt, self.platform, self.settings, token, self.attempt_id)
        except SenseiError as exc:
            await self.websocket.close(POLICY_VIOLATION, reason=exc.message[:120])
            return False
        if self.user is not None and user.id != self.user.id:
            await self.websocket.close(POLICY_VIOLATION, reason="the token is another account's")
            return False
        self.user, self.token = user, token
        return True

    async def run(self) -> None:
        await self.websocket.accept()
        try:
            first = await asyncio.wait_for(self.receive(), self.settings.ws_auth_timeout_s)
            message = AuthMessage.model_validate_json(first)
        except (TimeoutError, ValidationError):
            await self.websocket.close(POLICY_VIOLATION, reason="the first message must be {type: auth, token}")
            return
        if not await self.sign_in(message.token):
            return
        assert self.user is not None
        await self.send({"type": "ready", "attempt_id": self.attempt_id, "user": self.user.email})
        try:
            while True:
                text = await self.receive()
                if not await self.handle(text):
                    return
        finally:
            for task in self.followers.values():
                task.cancel()

    async def handle(self, text: str) -> bool:
        """Handle one client message; False once the socket was closed."""
        try:
            message = ClientMessage.validate_json(text)
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5])
            await self.send({"type": "error", "code": "validation_failed", "message": problems})
            return True
        if isinstance(message, AuthMessage):
            return await self.sign_in(message.token)
        if isinstance(message, ResumeMessage):
            await self.resume(message)
            return True
        await self.start(message)
        return True

    async def start(self, message: JobMessage) -> None:
        assert self.user is not None
        action = "assistant" if isinstance(message, AssistantMessage) else message.type
        try:
            self.hub.limiter.check(action, self.user.id)
        except RateLimited as exc:
            await self.send(
                {"type": "error", "code": exc.code, "message": exc.message, "retry_after_s": exc.retry_after_s}
            )
            return
        job_id = uuid.uuid4().hex
        self.hub.stream.start(job_id, JobOwner(self.user.id, self.attempt_id))
        ctx = JobContext(self.hub, self.platform, self.model, job_id, self.attempt_id, self.user.id, self.token)
        ctx.publish({"type": "accepted", "kind": message.type})
        work: Callable[[], None]
        if isinstance(message, RunMessage):
            work = lambda: _run(ctx, message)  # noqa: E731
        elif isinstance(message, SubmitMessage):
            work = lambda: _submit(ctx, message)  # noqa: E731
        else:
            work = lambda: _assistant(ctx, message)  # noqa: E731
        self.hub.workers.submit(_job, ctx, work)
        self.follow(job_id, 0)

    async def resume(self, message: ResumeMessage) -> None:
        assert self.user is not None
        owner = self.hub.stream.owner(message.job)
        # Another user's job, or one of another attempt, is answered like an unknown one.
        if owner != JobOwner(self.user.id, self.attempt_id):
            await self.send({"type": "error", "job": message.job, "code": "not_found",
                             "message": f"job '{message.job}' is unknown or expired"})
            return
        if message.job in self.followers and not self.followers[message.job].done():
            return  # already streaming to this socket: a second follower would send duplicates
        self.follow(message.job, message.after)

    def follow(self, job_id: str, after: int) -> None:
        self.followers[job_id] = asyncio.create_task(self.relay(job_id, after))

    async def relay(self, job_id: str, after: int) -> None:
        try:
            async for event in self.hub.stream.follow(job_id, after):
                await self.send(event)
        except SenseiError as exc:
            # Unknown, expired, or outgrown its buffer: the client reads the attempt's state over HTTP instead.
            await self.send({"type": "error", "job": job_id, "code": exc.code, "message": exc.message})
        except (WebSocketDisconnect, RuntimeError):
            pass  # the client went away; the job goes on, and its events wait for a resume


@router.websocket("/ws/attempts/{attempt_id}")
async def attempt_socket(websocket: WebSocket, attempt_id: str) -> None:
    with contextlib.suppress(WebSocketDisconnect):
        await AttemptSocket(websocket, attempt_id[:64]).run()
