"""`sensei db`: migrations, backup and restore of the embedded SQLite database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from codesensei.cli.output import console, fail, print_json

app = typer.Typer(help="Database: upgrade, backup, restore.", no_args_is_help=True)


@app.command()
def upgrade(json_output: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Apply pending migrations (they also run automatically on first use)."""
    from codesensei.platform import open_platform
    from codesensei.store import migrate

    platform = open_platform()
    revision = migrate.current_revision(platform.engine)
    platform.close()
    if json_output:
        print_json({"revision": revision})
    else:
        console.print(f"database at revision [bold]{revision}[/]")


def _sqlite_path() -> Path:
    from sqlalchemy.engine import make_url

    from codesensei.settings import load_settings

    url = make_url(load_settings().resolved_database_url)
    if not url.drivername.startswith("sqlite") or not url.database:
        fail("backup and restore work on the embedded SQLite database; for PostgreSQL use pg_dump / pg_restore")
    return Path(url.database)


@app.command()
def backup(path: Path, json_output: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Copy the live SQLite database to PATH (consistent even while the server writes)."""
    from codesensei.store.backup import backup_sqlite

    source = _sqlite_path()
    if not source.exists():
        fail(f"no database at {source} yet")
    size = backup_sqlite(source, path)
    if json_output:
        print_json({"backup": str(path), "bytes": size})
    else:
        console.print(f"backed up {source} to {path} ({size} bytes)")


@app.command()
def restore(path: Path, json_output: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Replace the SQLite database with the backup at PATH (checked to be a Code Sensei database first)."""
    from codesensei.store.backup import restore_sqlite

    target = _sqlite_path()
    revision = restore_sqlite(path, target)
    if json_output:
        print_json({"restored": str(path), "revision": revision})
    else:
        console.print(f"restored {path} into {target} (revision {revision})")
