"""Calibrating item parameters from stored attempts (`sensei calibrate` without `--responses`).

Rows are submitted attempts, columns the questions they answered; a cell is 1/0 for the dichotomous models
and a score category (0..4, by the share of points earned) for GPCM. The fitted parameters become a new
version of each question, so reports of earlier attempts keep the parameters they were taken with.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from codesensei.bank.model import IrtParams
from codesensei.bank.service import get_question, to_record
from codesensei.errors import ValidationFailed
from codesensei.store.questions import QuestionRepository
from codesensei.store.session_tables import AttemptItemRow, AttemptRow

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from codesensei.adaptive.calibration import CalibrationResult

GPCM_CATEGORIES = 5


@dataclass(frozen=True)
class ResponseMatrix:
    item_ids: list[str]
    values: NDArray[np.float64]


def stored_responses(session: Session, model: str) -> ResponseMatrix:
    """The response matrix of every submitted attempt; NaN where a question was not administered."""
    import numpy as np

    from codesensei.adaptive.irt import score_to_category

    rows = session.execute(
        select(AttemptItemRow.attempt_id, AttemptItemRow.question_id, AttemptItemRow.correct,
               AttemptItemRow.points_earned, AttemptItemRow.points_possible)
        .join(AttemptRow, AttemptRow.id == AttemptItemRow.attempt_id)
        .where(AttemptRow.status == "submitted", AttemptItemRow.status.in_(("answered", "timed_out")))
        .where(AttemptItemRow.needs_review.is_(False))
    ).all()
    attempts = sorted({r.attempt_id for r in rows})
    item_ids = sorted({r.question_id for r in rows})
    if not attempts:
        raise ValidationFailed("no submitted attempts with graded answers to calibrate from")
    row_of = {a: i for i, a in enumerate(attempts)}
    column_of = {q: j for j, q in enumerate(item_ids)}
    values = np.full((len(attempts), len(item_ids)), np.nan)
    for r in rows:
        if model == "gpcm":
            share = r.points_earned / r.points_possible if r.points_possible else 0.0
            cell = float(score_to_category(share, GPCM_CATEGORIES))
        else:
            cell = 1.0 if r.correct else 0.0
        values[row_of[r.attempt_id], column_of[r.question_id]] = cell
    return ResponseMatrix(item_ids, values)


def apply_calibration(session: Session, result: CalibrationResult, model: str) -> list[str]:
    """Store each calibrated item's parameters as a new version of its question; returns the changed ids."""
    repository = QuestionRepository(session)
    records = []
    for item in result.items:
        question = get_question(session, item.id)
        p = item.params
        irt = IrtParams(model=model, a=round(p.a, 6), b=round(p.b, 6), c=round(p.c, 6),
                        steps=None if p.steps is None else [round(s, 6) for s in p.steps])
        records.append(to_record(question.model_copy(update={"irt": irt})))
    outcome = repository.upsert_many(records)
    return outcome.updated
