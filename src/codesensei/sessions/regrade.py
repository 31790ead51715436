"""Regrading after an author fixes a question: every answer to it is graded again with the current version.

Code answers are judged again through the sandboxed judge (`judging.grade_answer`); other types go through
the pure graders. The assessment's rules apply as they did at answer time (hint penalties; a question
answered after its time limit stays at zero, so it is not judged again). Scores set by a reviewer are left
alone unless `include_reviewed`. An answer that no longer fits the question (a removed language, say) or a
judge that failed internally is reported and left unchanged rather than scored zero. A dry run computes
everything and writes nothing. Services take a session and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from codesensei.bank.model import AnyQuestion
from codesensei.bank.service import question_from_body
from codesensei.errors import NotFound, SenseiError
from codesensei.sessions.attempts import Loaded, load
from codesensei.sessions.clock import now_utc
from codesensei.sessions.judging import GradedAnswer, Judge, grade_answer
from codesensei.sessions.rescoring import NewScore, apply_score, attempt_totals
from codesensei.store.attempts import AttemptRepository
from codesensei.store.questions import QuestionRepository
from codesensei.store.session_tables import AttemptItemRow

REGRADE_ACTOR = "regrade"
# Scores a person (or the AI grader, which `sensei review ai-grade` reruns) gave; kept unless asked otherwise.
HUMAN_SOURCES = ("review", "override", "ai")


@dataclass(frozen=True)
class ItemChange:
    """One item whose score the regrade changes."""

    attempt_id: str
    assessment_id: str
    user: str
    position: int
    old_version: int
    new_version: int
    old_points: float
    new_points: float
    old_points_possible: float
    new_points_possible: float
    old_correct: bool
    new_correct: bool
    old_needs_review: bool
    new_needs_review: bool

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class ItemNote:
    """An item the regrade did not change, and why (reviewed by a person, or it could not be graded)."""

    attempt_id: str
    user: str
    position: int
    message: str

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class AttemptOutcome:
    """An attempt's totals before and after; `passed` is None while the attempt is still in progress."""

    attempt_id: str
    assessment_id: str
    user: str
    status: str
    old_percentage: float
    new_percentage: float
    old_passed: bool | None
    new_passed: bool | None

    @property
    def flipped(self) -> bool:
        return self.old_passed != self.new_passed

    def to_json(self) -> dict[str, Any]:
        return {**self.__dict__, "flipped": self.flipped}


@dataclass
class RegradeReport:
    question_id: str
    version: int
    dry_run: bool
    include_reviewed: bool
    examined: int = 0
    unchanged: int = 0
    changes: list[ItemChange] = field(default_factory=list)
    skipped_reviewed: list[ItemNote] = field(default_factory=list)
    failed: list[ItemNote] = field(default_factory=list)
    attempts: list[AttemptOutcome] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "question_id": self.question_id,
            "version": self.version,
            "dry_run": self.dry_run,
            "include_reviewed": self.include_reviewed,
            "examined": self.examined,
            "changed": len(self.changes),
            "unchanged": self.unchanged,
            "changes": [c.to_json() for c in self.changes],
            "skipped_reviewed": [n.to_json() for n in self.skipped_reviewed],
            "failed": [n.to_json() for n in self.failed],
            "attempts": [a.to_json() for a in self.attempts],
        }


def _new_score(loaded: Loaded, item: AttemptItemRow, graded: GradedAnswer, version: int, points: float) -> NewScore:
    """The item's score under the new grade, with the rules `answering.answer_question` applies at answer time."""
    result = graded.result
    penalty = item.hints_used * loaded.definition.hints.penalty
    earned = max(0.0, result.points_earned - penalty)
    return NewScore(
        points_earned=earned, points_possible=points, correct=result.correct, needs_review=result.needs_review,
        grade={**result.to_json(), "fraction": result.fraction, "verdict": graded.verdict},
        feedback=result.feedback, question_version=version, source="auto",
        exec_time_ms=graded.exec_time_ms, memory_kb=graded.memory_kb,
    )


def _differs(item: AttemptItemRow, new: NewScore) -> bool:
    return (
        abs(item.points_earned - new.points_earned) > 1e-9
        or abs(item.points_possible - new.points_possible) > 1e-9
        or item.correct != new.correct
        or item.needs_review != new.needs_review
    )


def regrade_question(
    session: Session,
    question_id: str,
    *,
    dry_run: bool = False,
    include_reviewed: bool = False,
    judge: Judge | None = None,
    now: datetime | None = None,
) -> RegradeReport:
    """Grade every answer to `question_id` (any version) again with its current version; see the module notes."""
    now = now or now_utc()
    current = QuestionRepository(session).get(question_id)
    if current is None:
        raise NotFound(f"question '{question_id}' is not in the bank")
    question: AnyQuestion = question_from_body(current.body)
    version = current.version
    report = RegradeReport(question_id, version, dry_run, include_reviewed)
    repository = AttemptRepository(session)
    for attempt_id in repository.ids_using_question(question_id):
        # Locked while we grade and write, so a candidate's answer cannot interleave with the rescore.
        loaded = load(session, attempt_id, for_update=not dry_run)
        row = loaded.row
        planned: list[tuple[AttemptItemRow, NewScore]] = []
        for item in loaded.items:
            if item.question_id != question_id or item.status != "answered":
                continue  # unanswered items have nothing to grade; timed-out ones score zero by rule
            report.examined += 1
            if item.score_source in HUMAN_SOURCES and not include_reviewed:
                report.skipped_reviewed.append(ItemNote(
                    row.id, row.user_name, item.position, f"scored by a reviewer ({item.score_source})"
                ))
                continue
            try:
                graded = grade_answer(question, item.answer, judge)
            except SenseiError as exc:
                report.failed.append(ItemNote(row.id, row.user_name, item.position, f"{exc.message} [{exc.code}]"))
                continue
            if graded.verdict == "internal_error":
                report.failed.append(ItemNote(
                    row.id, row.user_name, item.position, "the judge failed internally; the score was kept"
                ))
                continue
            new = _new_score(loaded, item, graded, version, question.points)
            if not _differs(item, new):
                report.unchanged += 1
                continue
            planned.append((item, new))
        if not planned:
            continue
        for item, new in planned:
            report.changes.append(ItemChange(
                attempt_id=row.id, assessment_id=row.assessment_id, user=row.user_name, position=item.position,
                old_version=item.question_version, new_version=new.question_version, old_points=item.points_earned,
                new_points=new.points_earned, old_points_possible=item.points_possible,
                new_points_possible=new.points_possible, old_correct=item.correct, new_correct=new.correct,
                old_needs_review=item.needs_review, new_needs_review=new.needs_review,
            ))
        report.attempts.append(_outcome(loaded, planned))
        if not dry_run:
            for item, new in planned:
                apply_score(session, loaded, item, new, kind="regrade", actor=REGRADE_ACTOR,
                            reason=f"question '{question_id}' regraded with version {version}", now=now,
                            details={"verdict": new.grade.get("verdict")})
    return report


def _outcome(loaded: Loaded, planned: list[tuple[AttemptItemRow, NewScore]]) -> AttemptOutcome:
    """The attempt's totals without and with the planned changes, computed alike so a flip is the regrade's doing."""
    replaced = {item.position: new for item, new in planned}
    passing = loaded.definition.passing_score
    _, _, old_pct, old_passed = attempt_totals(((i.points_earned, i.points_possible) for i in loaded.items), passing)
    _, _, new_pct, new_passed = attempt_totals(
        ((replaced[i.position].points_earned, replaced[i.position].points_possible) if i.position in replaced
         else (i.points_earned, i.points_possible) for i in loaded.items),
        passing,
    )
    submitted = loaded.row.status == "submitted"
    return AttemptOutcome(
        attempt_id=loaded.row.id, assessment_id=loaded.row.assessment_id, user=loaded.row.user_name,
        status=loaded.row.status, old_percentage=old_pct, new_percentage=new_pct,
        old_passed=old_passed if submitted else None, new_passed=new_passed if submitted else None,
    )
