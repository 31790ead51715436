"""Which questions an attempt asks: the fixed list or a seeded draw from the pool, or the adaptive engine's choice."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from codesensei.adaptive.pool import ItemParamsLike
from codesensei.bank.model import AnyQuestion, McqQuestion
from codesensei.bank.service import question_from_body
from codesensei.errors import ValidationFailed
from codesensei.sessions.assessments import pool_filter
from codesensei.sessions.definition import AssessmentDefinition
from codesensei.sessions.errors import AttemptNotAllowed
from codesensei.store.questions import QuestionRepository


@dataclass(frozen=True)
class Pick:
    question_id: str
    version: int
    points: float
    active: bool = True


def _pick(repository: QuestionRepository, question_id: str) -> Pick:
    row = repository.get(question_id)
    if row is None:
        raise ValidationFailed(f"question '{question_id}' of this assessment is no longer in the bank")
    return Pick(question_id, row.version, question_from_body(row.body).points, row.active)


def initial_picks(session: Session, definition: AssessmentDefinition, seed: int) -> list[Pick]:
    """Every question of a fixed or random attempt, in the order the candidate meets them (seeded)."""
    repository = QuestionRepository(session)
    rng = random.Random(seed)
    if definition.mode == "fixed":
        ids = list(definition.questions)
        if definition.shuffle_questions:
            rng.shuffle(ids)
    else:
        pool = repository.ids(pool_filter(definition.pool))
        if len(pool) < definition.size:
            raise ValidationFailed(f"pool: only {len(pool)} question(s) match; {definition.size} are needed")
        ids = rng.sample(pool, definition.size)
    picks = [_pick(repository, question_id) for question_id in ids]
    if definition.mode == "fixed":
        archived = [p.question_id for p in picks if not p.active]
        if archived:
            raise AttemptNotAllowed(
                f"question(s) {', '.join(archived)} of assessment '{definition.id}' are archived: no new attempt "
                "can ask them until an author unarchives them or changes the assessment"
            )
    return picks


def _irt(question: AnyQuestion) -> ItemParamsLike:
    from codesensei.adaptive.calibration import default_irt

    if question.irt is not None:
        return question.irt
    options = len(question.options) if isinstance(question, McqQuestion) else None
    return default_irt(question.type, question.difficulty, options)


@dataclass(frozen=True)
class AdaptiveStep:
    pick: Pick | None
    stop_reason: str | None
    theta: float


def next_adaptive(
    session: Session,
    definition: AssessmentDefinition,
    *,
    given: Sequence[str],
    scores: Sequence[float],
    seed: int,
    lottery_key: int,
) -> AdaptiveStep:
    """Ask the adaptive engine for the next item over the assessment's pool and stopping rules."""
    import numpy as np

    from codesensei.adaptive.estimation import Estimator
    from codesensei.adaptive.pool import ItemPool
    from codesensei.adaptive.selection import (
        AttemptState,
        ExposureControl,
        SelectionRules,
        StoppingRules,
        select_next,
    )

    repository = QuestionRepository(session)
    rows = repository.page(pool_filter(definition.pool), limit=100_000)
    questions = {row.id: question_from_body(row.body) for row in rows}
    for question_id in given:  # a given item stays in the pool even if it was since deactivated
        if question_id not in questions:
            row = repository.get(question_id)
            if row is not None:
                questions[question_id] = question_from_body(row.body)
    ids = sorted(questions)
    pool = ItemPool.from_items(
        ids, [_irt(questions[i]) for i in ids], [questions[i].topics[0] if questions[i].topics else None for i in ids]
    )
    rules_def = definition.adaptive
    targets = {t: p for t, p in rules_def.topic_targets.items() if t in pool.topic_names}
    rules = SelectionRules(
        topic_targets=targets,
        exposure=ExposureControl(rules_def.exposure, top_k=rules_def.top_k),
        stopping=StoppingRules(
            max_items=definition.size, min_items=rules_def.min_items, se_threshold=rules_def.se_threshold
        ),
        estimator=Estimator(rules_def.estimator),
    )
    state = AttemptState(given=tuple(given), scores=tuple(scores), lottery_key=lottery_key)
    decision = select_next(state, pool, rules, np.random.default_rng([seed, len(given)]))
    if decision.next_item is None:
        return AdaptiveStep(None, decision.stop_reason, decision.theta)
    return AdaptiveStep(_pick(repository, decision.next_item), None, decision.theta)
