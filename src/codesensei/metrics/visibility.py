"""Which attempts' answers a caller's metrics may count: the one rule every metrics reader goes through.

Scores reach a candidate only as an assessment's feedback policy allows, so a candidate's metrics count only
their own *submitted* attempts, and none at an assessment whose feedback is `never`. Otherwise the means would
tell a score during an attempt, or after one whose results are never shown. Reviewers and administrators see
every answer, in progress or not.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from codesensei.metrics.cohort import AttemptSelection
from codesensei.sessions.assessments import list_assessments
from codesensei.sessions.definition import AssessmentDefinition
from codesensei.sessions.practice import PRACTICE_PREFIX


def shows_results(definition: AssessmentDefinition) -> bool:
    """Whether an assessment ever shows a candidate their results (and so their metrics may count it)."""
    return definition.feedback.mode != "never"


def silent_assessment_ids(session: Session) -> list[str]:
    """The assessments that never show a candidate their results."""
    return [i.definition.id for i in list_assessments(session) if not shows_results(i.definition)]


def visible_selection(
    session: Session,
    *,
    sees_every_answer: bool,
    user_name: str | None,
    assessment_ids: Sequence[str] = (),
    include_practice: bool = True,
) -> AttemptSelection:
    """The attempts a caller's metrics count: `user_name`'s (None: everyone's) at `assessment_ids` (none: all).

    `sees_every_answer` is true for reviewers and administrators only; anyone else is held to their results.
    """
    return AttemptSelection(
        assessment_ids=assessment_ids,
        excluded_assessment_ids=[] if sees_every_answer else silent_assessment_ids(session),
        user_name=user_name,
        submitted_only=not sees_every_answer,
        exclude_prefix=None if include_practice else PRACTICE_PREFIX,
    )
