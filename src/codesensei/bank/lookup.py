"""Finding one question by id in the configured bank, for commands that take `--question ID`."""

from __future__ import annotations

from codesensei.bank.model import AnyQuestion


def find_question(question_id: str) -> AnyQuestion:
    from codesensei.bank.service import get_question
    from codesensei.platform import open_platform
    from codesensei.store.db import unit_of_work

    platform = open_platform()
    try:
        with unit_of_work(platform.sessions) as session:
            return get_question(session, question_id)
    finally:
        platform.close()
