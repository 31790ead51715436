"""Trying a program against a code question's sample tests before submitting it: nothing is recorded.

Only the current question of an open attempt can be tried, and only its `sample` tests run, so a candidate
learns nothing about hidden tests. The program still runs in the sandbox, like every candidate program.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from codesensei.bank.model import CodeAnswer, CodeQuestion
from codesensei.bank.service import get_question
from codesensei.runner.types import JudgeReport
from codesensei.sessions.attempts import Credential, authorize, require_open
from codesensei.sessions.clock import now_utc
from codesensei.sessions.errors import ActionNotAllowed
from codesensei.sessions.judging import Judge, code_answer


@dataclass(frozen=True)
class SampleTarget:
    """The question a trial run is for, read in one transaction and judged outside it."""

    position: int
    question: CodeQuestion


def sample_target(session: Session, attempt_id: str, token: Credential, now: datetime | None = None) -> SampleTarget:
    """The current question of an open attempt, if it is a code question with sample tests to run."""
    now = now or now_utc()
    loaded = authorize(session, attempt_id, token, now)
    require_open(loaded, now)
    item = loaded.current
    if item is None:
        raise ActionNotAllowed("no question is waiting for an answer")
    question = get_question(session, item.question_id, item.question_version)
    if not isinstance(question, CodeQuestion):
        raise ActionNotAllowed(f"question {item.position} is not a code question; there is nothing to run")
    if not any(t.visibility == "sample" for t in question.executed_tests):
        raise ActionNotAllowed(f"question {item.position} has no sample tests to run; submit it to have it graded")
    return SampleTarget(item.position, question)


def sandbox_sample_judge(question: CodeQuestion, answer: CodeAnswer) -> JudgeReport:
    """Judge with the sample tests only, inside the sandbox."""
    from codesensei.runner.judge import judge

    return judge(question, answer, include_hidden=False)


def run_samples(target: SampleTarget, answer: object, judge: Judge | None = None) -> JudgeReport:
    """Run `answer` (`{language, source}` or bare source) against the target's sample tests."""
    program = code_answer(target.question, answer)
    return (judge or sandbox_sample_judge)(target.question, program)
