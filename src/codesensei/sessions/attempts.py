"""Attempt use cases: start, authorise by resume token, current question, skip and come back, submit, expiry.

Services take a session and never commit. The clock is the server's: every call first submits an attempt
whose deadline has passed (`expire_if_due`), with whatever it has. Answering lives in `answering`.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from codesensei.bank.service import get_question
from codesensei.errors import NotFound, ValidationFailed
from codesensei.sessions.assessments import ARCHIVED, definition_of
from codesensei.sessions.clock import as_utc, deadline_for, now_utc, remaining_s
from codesensei.sessions.definition import AssessmentDefinition
from codesensei.sessions.errors import (
    ActionNotAllowed,
    AttemptClosed,
    AttemptNotAllowed,
    InvalidSessionToken,
    SessionExpired,
)
from codesensei.sessions.selection import Pick, initial_picks, next_adaptive
from codesensei.sessions.tokens import new_token, token_hash, token_matches
from codesensei.sessions.view import CandidateView, candidate_view
from codesensei.store.assessments import AssessmentRepository
from codesensei.store.attempts import AttemptRepository, due_attempt_ids
from codesensei.store.session_tables import AttemptItemRow, AttemptRow

OPEN_STATUSES = ("pending", "skipped")


@dataclass
class Loaded:
    """An attempt with its definition and items, as every use case needs them."""

    row: AttemptRow
    definition: AssessmentDefinition
    items: list[AttemptItemRow]

    def item_at(self, position: int | None) -> AttemptItemRow | None:
        return next((i for i in self.items if i.position == position), None)

    @property
    def current(self) -> AttemptItemRow | None:
        return self.item_at(self.row.current_position)


@dataclass(frozen=True)
class StartedAttempt:
    attempt_id: str
    token: str
    number: int
    token_expires_at: datetime
    deadline_at: datetime | None
    question: CandidateView | None

    def to_json(self) -> dict[str, Any]:
        return {
            "attempt_id": self.attempt_id,
            "token": self.token,
            "number": self.number,
            "token_expires_at": self.token_expires_at.isoformat(),
            "deadline_at": self.deadline_at.isoformat() if self.deadline_at else None,
            "question": self.question.to_json() if self.question else None,
        }


@dataclass(frozen=True)
class CurrentQuestion:
    attempt_id: str
    status: str
    position: int | None
    total: int
    remaining_s: float | None
    question: CandidateView | None
    stop_reason: str | None = None
    question_time_limit_s: float | None = None
    question_remaining_s: float | None = None
    server_time: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "attempt_id": self.attempt_id,
            "status": self.status,
            "position": self.position,
            "total": self.total,
            "remaining_s": self.remaining_s,
            "question": self.question.to_json() if self.question else None,
            "stop_reason": self.stop_reason,
            "question_time_limit_s": self.question_time_limit_s,
            "question_remaining_s": self.question_remaining_s,
            "server_time": self.server_time.isoformat() if self.server_time else None,
        }


# ---- loading, authorising, the clock ----------------------------------------------------------------


def load(session: Session, attempt_id: str, *, for_update: bool = False) -> Loaded:
    repository = AttemptRepository(session)
    row = repository.get(attempt_id, for_update=for_update)
    if row is None:
        raise NotFound(f"attempt '{attempt_id}' does not exist")
    assessment = AssessmentRepository(session).get(row.assessment_id)
    if assessment is None:
        raise NotFound(f"assessment '{row.assessment_id}' does not exist")
    return Loaded(row, definition_of(assessment), repository.items(attempt_id))


@dataclass(frozen=True)
class Owner:
    """Access by ownership: the caller (the API) already authenticated `user_name`, so no resume token is needed."""

    user_name: str


# What a use case is authorised by: the attempt's resume token (CLI, scripts) or its authenticated owner (API).
Credential = str | Owner


def authorize(
    session: Session, attempt_id: str, token: Credential, now: datetime, *, for_update: bool = False
) -> Loaded:
    """Load the attempt if `token` is its unexpired resume token, or names the user the attempt belongs to.

    Someone else's attempt is reported as missing, so an attempt id alone never tells whether it exists.
    """
    loaded = load(session, attempt_id, for_update=for_update)
    if isinstance(token, Owner):
        if loaded.row.user_name != token.user_name:
            raise NotFound(f"attempt '{attempt_id}' does not exist")
        return loaded
    if not token_matches(token, loaded.row.token_hash):
        raise InvalidSessionToken(f"the session token is not valid for attempt '{attempt_id}'")
    expires = as_utc(loaded.row.token_expires_at)
    if now >= expires:
        raise SessionExpired(f"the session token of attempt '{attempt_id}' expired at {expires:%Y-%m-%d %H:%M} UTC")
    return loaded


def is_open(row: AttemptRow, now: datetime) -> bool:
    return row.status == "in_progress" and (row.deadline_at is None or now < as_utc(row.deadline_at))


def closed_message(row: AttemptRow) -> str:
    if row.submit_reason == "time_up" or (row.status == "in_progress" and row.deadline_at is not None):
        deadline = as_utc(row.deadline_at) if row.deadline_at else None
        when = f" at {deadline:%Y-%m-%d %H:%M:%S} UTC" if deadline else ""
        return f"attempt '{row.id}' ran out of time{when} and was submitted automatically; nothing more is accepted"
    return f"attempt '{row.id}' was already submitted; nothing more is accepted"


def enter(item: AttemptItemRow, now: datetime) -> None:
    item.shown_at = now


def leave(item: AttemptItemRow, now: datetime) -> None:
    """Credit the time since the item was shown to it."""
    if item.shown_at is not None:
        item.time_spent_s += max(0.0, (now - as_utc(item.shown_at)).total_seconds())
        item.shown_at = None


def finish(loaded: Loaded, when: datetime, reason: str) -> None:
    """Close the attempt with what it has and store its totals."""
    row = loaded.row
    current = loaded.current
    if current is not None:
        leave(current, when)
    earned = sum(i.points_earned for i in loaded.items)
    possible = sum(i.points_possible for i in loaded.items)
    row.status = "submitted"
    row.submitted_at = when
    row.submit_reason = reason
    row.current_position = None
    row.points_earned = earned
    row.points_possible = possible
    row.percentage = round(100.0 * earned / possible, 4) if possible else 0.0
    row.passed = row.percentage >= loaded.definition.passing_score


def expire_if_due(loaded: Loaded, now: datetime) -> bool:
    """Submit an attempt whose deadline has passed; True if it did."""
    row = loaded.row
    if row.status != "in_progress" or row.deadline_at is None or now < as_utc(row.deadline_at):
        return False
    finish(loaded, as_utc(row.deadline_at), "time_up")
    return True


def expire_attempt(session: Session, attempt_id: str, now: datetime | None = None) -> bool:
    """The boundary calls this in its own unit of work before a refused call, so the auto-submit persists."""
    loaded = load(session, attempt_id, for_update=True)
    expired = expire_if_due(loaded, now or now_utc())
    session.flush()
    return expired


def expire_due(session: Session, now: datetime | None = None) -> list[str]:
    """Auto-submit every attempt whose time ran out (closing dates included); returns their ids."""
    when = now or now_utc()
    ids = due_attempt_ids(session, when)
    for attempt_id in ids:
        expire_if_due(load(session, attempt_id, for_update=True), when)
    session.flush()
    return ids


def question_time_left(loaded: Loaded, now: datetime) -> float | None:
    """Seconds left on the current question when the assessment limits each question (None otherwise).

    A question's clock runs only while it is shown: time spent on earlier visits counts, time away does not.
    """
    limit = loaded.definition.question_time_limit_s
    current = loaded.current
    if limit is None or current is None or not is_open(loaded.row, now):
        return None
    shown = (now - as_utc(current.shown_at)).total_seconds() if current.shown_at else 0.0
    return max(0.0, limit - current.time_spent_s - shown)


def require_open(loaded: Loaded, now: datetime) -> None:
    expire_if_due(loaded, now)
    if not is_open(loaded.row, now):
        raise AttemptClosed(closed_message(loaded.row))


# ---- starting -----------------------------------------------------------------------------------------


def _check_may_start(session: Session, definition: AssessmentDefinition, status: str, user: str, now: datetime) -> int:
    if status == ARCHIVED:
        raise AttemptNotAllowed(f"assessment '{definition.id}' is archived: it starts no new attempts")
    if status != "published":
        raise AttemptNotAllowed(f"assessment '{definition.id}' is not published")
    if definition.opens_at and now < definition.opens_at:
        raise AttemptNotAllowed(f"assessment '{definition.id}' opens at {definition.opens_at:%Y-%m-%d %H:%M} UTC")
    if definition.closes_at and now >= definition.closes_at:
        raise AttemptNotAllowed(f"assessment '{definition.id}' closed at {definition.closes_at:%Y-%m-%d %H:%M} UTC")
    previous = AttemptRepository(session).for_user(user, definition.id)
    for row in previous:
        if is_open(row, now):
            raise AttemptNotAllowed(f"attempt '{row.id}' is still in progress; resume it with its session token")
    if definition.max_attempts is not None and len(previous) >= definition.max_attempts:
        raise AttemptNotAllowed(f"'{user}' has used all {definition.max_attempts} attempt(s) at '{definition.id}'")
    ends = [as_utc(r.submitted_at or r.deadline_at or r.started_at) for r in previous]
    if ends and definition.cooldown_minutes:
        allowed = max(ends) + timedelta(minutes=definition.cooldown_minutes)
        if now < allowed:
            raise AttemptNotAllowed(
                f"the cooldown between attempts runs until {allowed:%Y-%m-%d %H:%M:%S} UTC"
            )
    return len(previous) + 1


def _item(attempt_id: str, position: int, pick: Pick) -> AttemptItemRow:
    return AttemptItemRow(
        attempt_id=attempt_id, position=position, question_id=pick.question_id, question_version=pick.version,
        status="pending", points_earned=0.0, points_possible=pick.points, correct=False, needs_review=False,
        hints_used=0, time_spent_s=0.0, feedback="",
    )


def start_attempt(session: Session, assessment_id: str, user_name: str, now: datetime | None = None) -> StartedAttempt:
    """Start an attempt if the assessment is published and open and the user may take another one."""
    now = now or now_utc()
    assessment = AssessmentRepository(session).get(assessment_id)
    if assessment is None:
        raise NotFound(f"assessment '{assessment_id}' does not exist")
    if not user_name.strip():
        raise ValidationFailed("user: a candidate name is required")
    definition = definition_of(assessment)
    number = _check_may_start(session, definition, assessment.status, user_name, now)
    token = new_token()
    deadline = deadline_for(definition, user_name, now)
    row = AttemptRow(
        id=uuid.uuid4().hex, assessment_id=assessment_id, user_name=user_name, number=number,
        status="in_progress", seed=secrets.randbits(62), lottery_key=secrets.randbits(62),
        token_hash=token_hash(token), started_at=now, deadline_at=deadline,
        token_expires_at=(deadline or now) + timedelta(hours=definition.token_ttl_hours),
    )
    # The questions are chosen before the attempt is stored, so a refusal (an archived question, too small a
    # pool) leaves nothing behind even for a caller that goes on using the session.
    if definition.mode == "adaptive":
        step = next_adaptive(session, definition, given=(), scores=(), seed=row.seed, lottery_key=row.lottery_key)
        if step.pick is None:
            raise ValidationFailed("pool: the adaptive engine found no question to start with")
        picks = [step.pick]
        row.theta = step.theta
    else:
        picks = initial_picks(session, definition, row.seed)
    repository = AttemptRepository(session)
    repository.add(row)
    items = [_item(row.id, n, pick) for n, pick in enumerate(picks, start=1)]
    enter(items[0], now)
    row.current_position = 1
    repository.add_items(items)
    loaded = Loaded(row, definition, items)
    return StartedAttempt(row.id, token, number, row.token_expires_at, deadline, view_of(session, loaded, items[0]))


# ---- reading and moving -------------------------------------------------------------------------------


def view_of(session: Session, loaded: Loaded, item: AttemptItemRow) -> CandidateView:
    question = get_question(session, item.question_id, item.question_version)
    return candidate_view(
        question, item.question_version, loaded.row.seed,
        shuffle_options=loaded.definition.shuffle_options, hints_allowed=loaded.definition.hints.allowed,
    )


def _current(session: Session, loaded: Loaded, now: datetime) -> CurrentQuestion:
    row = loaded.row
    item = loaded.current if is_open(row, now) else None
    return CurrentQuestion(
        attempt_id=row.id,
        status=row.status,
        position=item.position if item else None,
        total=loaded.definition.size if loaded.definition.mode != "adaptive" else len(loaded.items),
        remaining_s=remaining_s(row.deadline_at, now) if row.status == "in_progress" else None,
        question=view_of(session, loaded, item) if item else None,
        stop_reason=row.stop_reason,
        question_time_limit_s=loaded.definition.question_time_limit_s,
        question_remaining_s=question_time_left(loaded, now),
        server_time=now,
    )


def current_question(
    session: Session, attempt_id: str, token: Credential, now: datetime | None = None
) -> CurrentQuestion:
    """The question waiting for an answer, as the candidate sees it (None once closed or finished)."""
    now = now or now_utc()
    loaded = authorize(session, attempt_id, token, now)
    expire_if_due(loaded, now)
    return _current(session, loaded, now)


def next_open_position(loaded: Loaded, after: int) -> int | None:
    """The next unanswered position after `after`, wrapping round, so skipped questions come back."""
    positions = [i.position for i in loaded.items if i.status in OPEN_STATUSES]
    later = [p for p in positions if p > after]
    earlier = [p for p in positions if p <= after]
    remaining = later or earlier
    return remaining[0] if remaining else None


def move_to(loaded: Loaded, position: int, now: datetime) -> None:
    target = loaded.item_at(position)
    if target is None:
        raise ValidationFailed(f"position: attempt has positions 1..{len(loaded.items)}")
    if target.status not in OPEN_STATUSES:
        raise ActionNotAllowed(f"question {position} was already answered")
    current = loaded.current
    if current is not None and current.position != position:
        leave(current, now)
    if target.shown_at is None:
        enter(target, now)
    loaded.row.current_position = position


def skip_question(
    session: Session, attempt_id: str, token: Credential, *, to: int | None = None, now: datetime | None = None
) -> CurrentQuestion:
    """Leave the current question unanswered and move on (or to position `to`); it comes back later."""
    now = now or now_utc()
    loaded = authorize(session, attempt_id, token, now, for_update=True)
    require_open(loaded, now)
    if not loaded.definition.can_skip:
        raise ActionNotAllowed(f"{loaded.definition.mode} assessments do not allow skipping")
    current = loaded.current
    if current is None:
        raise ActionNotAllowed("every question is answered; submit the attempt")
    if current.status == "pending":
        current.status = "skipped"
    target = to if to is not None else next_open_position(loaded, current.position)
    if target is not None:
        move_to(loaded, target, now)
    session.flush()
    return _current(session, loaded, now)


def advance(session: Session, loaded: Loaded, answered: AttemptItemRow, now: datetime) -> None:
    """After an answer: the next open question, or in adaptive mode the engine's next item (or its stop)."""
    row = loaded.row
    if loaded.definition.mode != "adaptive":
        target = next_open_position(loaded, answered.position)
        row.current_position = target
        item = loaded.item_at(target)
        if item is not None:
            enter(item, now)
        return
    given = [i.question_id for i in loaded.items]
    scores = [float((i.grade or {}).get("fraction", 0.0)) for i in loaded.items]
    step = next_adaptive(
        session, loaded.definition, given=given, scores=scores, seed=row.seed, lottery_key=row.lottery_key
    )
    row.theta = step.theta
    if step.pick is None:
        row.current_position = None
        row.stop_reason = step.stop_reason
        return
    item = _item(row.id, len(loaded.items) + 1, step.pick)
    enter(item, now)
    AttemptRepository(session).add_items([item])
    loaded.items.append(item)
    row.current_position = item.position


def submit_attempt(session: Session, attempt_id: str, token: Credential, now: datetime | None = None) -> AttemptRow:
    """Submit; unanswered questions score nothing. A second submit, or one after time ran out, is refused."""
    now = now or now_utc()
    loaded = authorize(session, attempt_id, token, now, for_update=True)
    require_open(loaded, now)
    finish(loaded, now, "candidate")
    session.flush()
    return loaded.row
