"""Grading one answer: `grading.grade` for most types; code is judged in the sandbox with all tests first."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from codesensei.bank.model import AnyQuestion, CodeAnswer, CodeQuestion
from codesensei.grading import GradeResult, InvalidAnswer, grade, grade_code
from codesensei.runner.types import JudgeReport

# The port to the runner: tests may pass a fake; the default judges in the real sandbox.
Judge = Callable[[CodeQuestion, CodeAnswer], JudgeReport]


def sandbox_judge(question: CodeQuestion, answer: CodeAnswer) -> JudgeReport:
    """Judge with every test (sample and hidden), always inside the sandbox."""
    from codesensei.runner.judge import judge

    return judge(question, answer, include_hidden=True)


@dataclass(frozen=True)
class GradedAnswer:
    result: GradeResult
    exec_time_ms: float | None = None
    memory_kb: int | None = None
    verdict: str | None = None


def code_answer(question: CodeQuestion, answer: object) -> CodeAnswer:
    """`{language, source}` or bare source (in the question's first language); the language must be allowed."""
    if isinstance(answer, str):
        parsed = CodeAnswer(language=question.languages[0], source=answer)
    elif isinstance(answer, Mapping) and isinstance(answer.get("source"), str):
        language = answer.get("language") or question.languages[0]
        if not isinstance(language, str):
            raise InvalidAnswer("language: expected a language name")
        parsed = CodeAnswer(language=language, source=answer["source"])
    else:
        raise InvalidAnswer("expected the program text or {language, source}")
    if parsed.language not in question.languages:
        raise InvalidAnswer(f"language {parsed.language!r} is not allowed; use one of {', '.join(question.languages)}")
    return parsed


def grade_answer(question: AnyQuestion, answer: object, judge: Judge | None = None) -> GradedAnswer:
    if isinstance(question, CodeQuestion) and question.executed_tests:
        program = code_answer(question, answer)
        report = (judge or sandbox_judge)(question, program)
        result = grade_code(question, program.source, report.tests)
        return GradedAnswer(result, report.time_ms, report.memory_kb, report.verdict)
    return GradedAnswer(grade(question, answer))
