"""Shared helpers of the session tests: a fixed clock, sample-bank answers, and assessment creation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from codesensei.sessions.assessments import create_assessment, parse_definition, publish_assessment

T0 = datetime(2030, 3, 1, 9, 0, tzinfo=UTC)

# Full-marks answers to the sample bank's auto-graded questions, as a candidate would send them (JSON).
CORRECT = {
    "py-mutable-default": "B",
    "py-immutable-builtins": ["A", "C", "D"],
    "py-is-vs-equals": False,
    "py-list-comprehension-output": "[1, 9]",
    "algo-binary-search-complexity": "B",
    "algo-stable-sorts": ["A", "C", "E"],
    "algo-dijkstra-negative": False,
    "sql-left-join-rows": "C",
    "sql-null-equality": False,
    "sql-parameterised-query": {
        "language": "python", "source": 'rows = conn.execute("SELECT * FROM users WHERE email = ?", (email,))\n'
    },
}
WRONG = {
    "py-mutable-default": "A",
    "py-immutable-builtins": ["B"],
    "py-is-vs-equals": True,
    "py-list-comprehension-output": "[0, 1]",
    "algo-binary-search-complexity": "A",
    "algo-stable-sorts": ["B"],
    "algo-dijkstra-negative": True,
    "sql-left-join-rows": "A",
    "sql-null-equality": True,
    "test-good-unit-test": ["B"],
}


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def make_assessment(session: Session, *, publish: bool = True, **fields: Any) -> str:
    data: dict[str, Any] = {"id": "quiz", "title": "Quiz", "mode": "fixed", "questions": ["py-mutable-default"]}
    data.update(fields)
    definition = parse_definition(data)
    create_assessment(session, definition)
    if publish:
        publish_assessment(session, definition.id, T0 - timedelta(days=1))
    return definition.id
