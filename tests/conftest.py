"""Shared fixtures: every database test runs on SQLite, and again on PostgreSQL when SENSEI_TEST_POSTGRES_URL is set.

Isolation: each test gets its own database — a copy of a migrated SQLite file, or a PostgreSQL database
cloned from a migrated template — so tests that commit (CLI, services) never see each other.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from codesensei.platform import Platform, open_platform
from codesensei.settings import Settings
from codesensei.store import migrate
from codesensei.store.db import make_engine

POSTGRES_URL = os.environ.get("SENSEI_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", *(["postgresql"] if POSTGRES_URL else [])]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "database_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.db)


def _worker(request: pytest.FixtureRequest) -> str:
    return str(getattr(request.config, "workerinput", {}).get("workerid", "main"))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    # On the DBAPI connection, outside any transaction: the engine begins every transaction with BEGIN
    # IMMEDIATE, inside which a checkpoint fails as locked.
    raw = engine.raw_connection()
    try:
        raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_template(request: pytest.FixtureRequest) -> Iterator[str]:
    assert POSTGRES_URL is not None
    name = f"sensei_tpl_{_worker(request)}_{os.getpid()}"
    admin = make_engine(POSTGRES_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False))
    migrate.upgrade(engine)
    engine.dispose()
    yield name
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A freshly migrated, empty database of each configured backend."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        target = tmp_path / "sensei.db"
        shutil.copyfile(template, target)
        yield f"sqlite:///{target}"
        return
    assert POSTGRES_URL is not None
    template_name: str = request.getfixturevalue("postgres_template")
    name = f"sensei_t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(POSTGRES_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template_name}"'))
    yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=database_url, data_dir=tmp_path / "data", load_sample_bank=False)


@pytest.fixture
def platform(settings: Settings) -> Iterator[Platform]:
    opened = open_platform(settings)
    yield opened
    opened.close()


@pytest.fixture
def cli_env(database_url: str, tmp_path: Path) -> dict[str, str]:
    """Environment for running `sensei` against this test's database."""
    return {
        "SENSEI_DATABASE_URL": database_url,
        "SENSEI_DATA_DIR": str(tmp_path / "data"),
        "SENSEI_LOAD_SAMPLE_BANK": "false",
        # Tests that opt in to the sample bank get it alone, not the (large, growing) packaged starter bank.
        "SENSEI_STARTER_BANK_DIR": str(tmp_path / "no-starter-bank"),
    }


ADR_EXAMPLE = Path(__file__).parent / "data" / "adr_import_example.json"


@pytest.fixture
def adr_example() -> Path:
    return ADR_EXAMPLE
