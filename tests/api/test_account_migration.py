"""Migration 0005 creates exactly the account tables the ORM declares, and downgrades cleanly."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from codesensei.store import account_tables, migrate
from codesensei.store.db import make_engine
from codesensei.store.tables import Base

ACCOUNT_TABLES = {"users", "auth_sessions", "refresh_tokens", "invitations", "password_resets"}


def _ours(diff: object) -> bool:
    text = repr(diff)
    return any(f"'{name}'" in text or f"table={name}" in text or f"<{name}>" in text for name in ACCOUNT_TABLES)


def test_the_migration_matches_the_tables_and_downgrades(database_url: str) -> None:
    assert {t.name for t in Base.metadata.sorted_tables} >= ACCOUNT_TABLES
    assert account_tables.UserRow.__tablename__ == "users"
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            differences = [d for d in compare_metadata(MigrationContext.configure(connection), Base.metadata)
                           if _ours(d)]
        assert differences == []
        config = Config()
        config.set_main_option("script_location", str(migrate.MIGRATIONS))
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0004")
        assert not ACCOUNT_TABLES & set(inspect(engine).get_table_names())
        assert migrate.current_revision(engine) == "0004"
        migrate.upgrade(engine)
        assert set(inspect(engine).get_table_names()) >= ACCOUNT_TABLES
        assert migrate.current_revision(engine) == migrate.head_revision()
    finally:
        engine.dispose()
