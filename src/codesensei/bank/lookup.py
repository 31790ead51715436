"""Finding one question by id in the configured bank, for commands that take `--question ID`."""

from __future__ import annotations

from codesensei.bank.model import AnyQuestion


def find_question(question_id: str) -> AnyQuestion:
    from codesensei.bank.service import get_question
    from codesensei.platform import platform_session

    with platform_session() as session:
        return get_question(session, question_id)
