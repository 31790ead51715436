"""`sensei practice`: questions on one topic with immediate feedback, in the same terminal loop as `sensei take`."""

from __future__ import annotations

from typing import Annotated

import typer


def practice(
    topic: Annotated[str, typer.Option("--topic", help="The topic to practise (questions marked `practice: true`).")],
    adaptive: Annotated[bool, typer.Option("--adaptive", help="Let the adaptive engine pick each question.")] = False,
    question_type: Annotated[str | None, typer.Option("--type", help="Only questions of this type.")] = None,
    count: Annotated[int, typer.Option("--count", help="How many questions (at most).", min=1, max=100)] = 5,
    user: Annotated[str | None, typer.Option("--user", help="The candidate's name (default: your login).")] = None,
) -> None:
    """Practise a topic: every answer shows its result, the correct answer and the explanation; hints are free.

    Only questions their author opened to practice (`practice: true`) are asked."""
    import getpass

    from codesensei.cli.output import console
    from codesensei.cli.take import announce, take_attempt
    from codesensei.platform import open_platform
    from codesensei.sessions.practice import PracticeRequest, start_practice
    from codesensei.store.db import unit_of_work

    request = PracticeRequest(topic=topic, adaptive=adaptive, question_type=question_type, count=count)
    platform = open_platform()
    try:
        with unit_of_work(platform.sessions) as session:
            practice_attempt = start_practice(session, request, user or getpass.getuser())
        started, definition = practice_attempt.started, practice_attempt.definition
        announce(console, definition.id, started.attempt_id, started.token, definition.instructions)
        take_attempt(platform, definition.id, started.attempt_id, started.token)
    finally:
        platform.close()


def register(app: typer.Typer) -> None:
    """Add the top-level `practice` command."""
    app.command("practice")(practice)
