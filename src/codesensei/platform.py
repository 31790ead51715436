"""The composition root for commands and the server: settings → engine → migrations → first-start data."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from codesensei.settings import Settings, load_settings

SAMPLE_BANK = Path(__file__).parent / "bank" / "samples"
SAMPLE_BANK_MARKER = "sample_bank_imported"


@dataclass
class Platform:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]

    def close(self) -> None:
        self.engine.dispose()


def open_platform(settings: Settings | None = None) -> Platform:
    """Open the database, apply pending migrations and, on the very first start, import the sample bank."""
    from codesensei.bank.files import read_bank
    from codesensei.bank.service import import_files
    from codesensei.store import migrate
    from codesensei.store.db import make_engine, session_factory, unit_of_work
    from codesensei.store.meta import MetaRepository

    settings = settings or load_settings()
    engine = make_engine(settings.resolved_database_url)
    if migrate.current_revision(engine) != migrate.head_revision():
        migrate.upgrade(engine)
    sessions = session_factory(engine)
    if settings.load_sample_bank and SAMPLE_BANK.is_dir():
        with unit_of_work(sessions) as session:
            meta = MetaRepository(session)
            if meta.get(SAMPLE_BANK_MARKER) is None:
                import_files(session, read_bank(SAMPLE_BANK))
                meta.put(SAMPLE_BANK_MARKER, "1")
    return Platform(settings=settings, engine=engine, sessions=sessions)


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
