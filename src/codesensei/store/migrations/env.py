"""Alembic environment: migrations run on a connection handed over by `store.migrate`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from codesensei.store import account_tables, assistant_tables, session_tables  # noqa: F401 - registers the tables
from codesensei.store.tables import Base


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `sensei db upgrade`, which supplies the connection")
run_migrations(connection)
