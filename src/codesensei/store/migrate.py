"""Applying Alembic migrations programmatically (on first start, and by `sensei db upgrade`)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, inspect

MIGRATIONS = Path(__file__).with_name("migrations")


def _config() -> object:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        row = connection.exec_driver_sql("SELECT version_num FROM alembic_version").first()
        return str(row[0]) if row else None


def head_revision() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = _config()
    assert isinstance(config, Config)
    head = ScriptDirectory.from_config(config).get_current_head()
    if head is None:
        raise RuntimeError("no migrations found")
    return head


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command
    from alembic.config import Config

    config = _config()
    assert isinstance(config, Config)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
