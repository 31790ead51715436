"""Recording an answer whose program must be judged: judge first, then record, in two transactions.

The sandbox never runs while a transaction holds SQLite's write lock (every other writer, and with the
server's admission queue every request, would wait for the judge) or the attempt's row lock on PostgreSQL.
The answer counts as given when it was sent, however long judging takes. Both the HTTP answer endpoint and
the WebSocket submit job record answers through here: the endpoint runs each step in a worker thread and
takes its turn in the write admission (`api.deps`) for the write alone; the WebSocket job, on a thread of
its own pool, calls `record_answer`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from codesensei.bank.model import AnyQuestion, CodeAnswer, CodeQuestion
from codesensei.bank.service import get_question
from codesensei.platform import Platform
from codesensei.runner.types import JudgeReport
from codesensei.sessions.answering import AnswerAck, answer_question
from codesensei.sessions.attempts import Credential, authorize, require_open
from codesensei.sessions.clock import now_utc
from codesensei.sessions.judging import Judge, code_answer
from codesensei.store.db import unit_of_work


@dataclass(frozen=True)
class PreparedAnswer:
    """What a read transaction found before judging: when the answer came, and what it answers."""

    now: datetime
    feedback_immediate: bool
    question: AnyQuestion | None


def prepare_answer(platform: Platform, attempt_id: str, owner: Credential, position: int | None) -> PreparedAnswer:
    with unit_of_work(platform.read_sessions) as session:
        now = now_utc()
        loaded = authorize(session, attempt_id, owner, now)
        require_open(loaded, now)
        item = loaded.item_at(position or loaded.row.current_position)
        question = get_question(session, item.question_id, item.question_version) if item else None
        return PreparedAnswer(now, loaded.definition.feedback.mode == "immediate", question)


@dataclass(frozen=True)
class JudgedProgram:
    """A program judged before its answer is recorded, and what it was judged as."""

    question: CodeQuestion
    program: CodeAnswer
    report: JudgeReport


def judge_answer(prepared: PreparedAnswer, answer: object, judge: Judge) -> JudgedProgram | None:
    """Judge the program if the question runs code (outside any transaction); None for every other answer."""
    question = prepared.question
    if not (isinstance(question, CodeQuestion) and question.executed_tests):
        return None
    program = code_answer(question, answer)
    return JudgedProgram(question, program, judge(question, program))


def store_answer(
    platform: Platform,
    attempt_id: str,
    owner: Credential,
    answer: object,
    *,
    position: int | None,
    prepared: PreparedAnswer,
    judged: JudgedProgram | None,
    judge: Judge,
) -> AnswerAck:
    """Grade and record the answer in one write transaction, using the report judged beforehand."""

    def recorded_judge(question: CodeQuestion, program: CodeAnswer) -> JudgeReport:
        # The attempt may have moved on meanwhile (another tab answered): then judge what is answered now.
        if judged is not None and (question, program) == (judged.question, judged.program):
            return judged.report
        return judge(question, program)

    with unit_of_work(platform.sessions) as session:
        return answer_question(
            session, attempt_id, owner, answer, position=position, now=prepared.now, judge=recorded_judge
        )


def record_answer(
    platform: Platform,
    attempt_id: str,
    owner: Credential,
    answer: object,
    *,
    position: int | None,
    prepared: PreparedAnswer,
    judge: Judge,
) -> AnswerAck:
    """Judge (if the question runs code), then grade and record: for callers on their own worker threads."""
    judged = judge_answer(prepared, answer, judge)
    return store_answer(
        platform, attempt_id, owner, answer, position=position, prepared=prepared, judged=judged, judge=judge
    )
