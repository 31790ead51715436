"""The composition root for commands and the server: settings → engine → migrations → first-start data."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from codesensei.settings import Settings, load_settings

if TYPE_CHECKING:
    from codesensei.bank.starter import StarterBank

SAMPLE_BANK = Path(__file__).parent / "bank" / "samples"  # also `bank.starter.SAMPLE_BANK`, free of SQLAlchemy
SAMPLE_BANK_MARKER = "sample_bank_imported"
# A marker of its own: databases that already had the sample bank still get the starter bank, once.
STARTER_BANK_MARKER = "starter_bank_imported"


@dataclass
class Platform:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]

    @cached_property
    def read_sessions(self) -> sessionmaker[Session]:
        """Sessions for work that only reads: on SQLite they never wait for (or hold) the write lock."""
        from codesensei.store.db import session_factory

        return session_factory(self.engine, read_only=True)

    def close(self) -> None:
        self.engine.dispose()


def open_platform(settings: Settings | None = None) -> Platform:
    """Open the database, apply pending migrations and, on the first start, import the sample and starter banks."""
    from codesensei.bank.files import read_bank
    from codesensei.bank.service import import_files
    from codesensei.bank.starter import (
        PRACTICE_MARKER,
        STARTER_BANK,
        StarterBank,
        open_builtin_questions_to_practice,
    )
    from codesensei.store import migrate
    from codesensei.store.db import make_engine, session_factory, unit_of_work
    from codesensei.store.meta import MetaRepository

    settings = settings or load_settings()
    engine = make_engine(settings.resolved_database_url, pool_size=settings.database_pool_size or None)
    if migrate.current_revision(engine) != migrate.head_revision():
        migrate.upgrade(engine)
    sessions = session_factory(engine)
    with unit_of_work(sessions) as session:
        meta = MetaRepository(session)
        if meta.get(PRACTICE_MARKER) is None:
            if meta.get(SAMPLE_BANK_MARKER) or meta.get(STARTER_BANK_MARKER):  # imported before `practice` existed
                builtin = (read_bank(SAMPLE_BANK) if SAMPLE_BANK.is_dir() else []) + StarterBank(
                    settings.starter_bank_dir or STARTER_BANK
                ).read()
                open_builtin_questions_to_practice(session, builtin)
            meta.put(PRACTICE_MARKER, "1")
    if settings.load_sample_bank:
        with unit_of_work(sessions) as session:
            meta = MetaRepository(session)
            if SAMPLE_BANK.is_dir() and meta.get(SAMPLE_BANK_MARKER) is None:
                import_files(session, read_bank(SAMPLE_BANK))
                meta.put(SAMPLE_BANK_MARKER, "1")
            starter = StarterBank(settings.starter_bank_dir or STARTER_BANK)
            if meta.get(STARTER_BANK_MARKER) is None and import_starter_bank(session, starter):
                meta.put(STARTER_BANK_MARKER, "1")
    return Platform(settings=settings, engine=engine, sessions=sessions)


def import_starter_bank(session: Session, starter: StarterBank) -> bool:
    """Import the starter bank's questions, then create and publish its assessments that do not exist yet.

    Returns False when there was nothing to import, so a later version that ships the bank still imports it.
    """
    from codesensei.bank.service import import_files
    from codesensei.sessions.assessments import create_assessment, publish_assessment, read_definition
    from codesensei.store.assessments import AssessmentRepository

    files = starter.read()
    definitions = [read_definition(path) for path in starter.assessment_files]
    if not files and not definitions:
        return False
    if files:
        import_files(session, files)
    assessments = AssessmentRepository(session)
    for definition in definitions:
        if assessments.get(definition.id) is None:
            create_assessment(session, definition)
            publish_assessment(session, definition.id)
    return True


@contextmanager
def platform_session(settings: Settings | None = None) -> Iterator[Session]:
    """One unit of work on the configured database, for a command: opened, committed or rolled back, closed."""
    from codesensei.store.db import unit_of_work

    platform = open_platform(settings)
    try:
        with unit_of_work(platform.sessions) as session:
            yield session
    finally:
        platform.close()
