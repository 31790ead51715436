"""Online backup and checked restore of the embedded SQLite database (SQLite's backup API)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from codesensei.errors import ValidationFailed


def backup_sqlite(source: Path, target: Path) -> int:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    with sqlite3.connect(source) as live, sqlite3.connect(partial) as copy:
        live.backup(copy)
    partial.replace(target)
    return target.stat().st_size


def restore_sqlite(backup: Path, target: Path) -> str:
    """Check that `backup` is an intact Code Sensei database, then copy it over `target` page by page."""
    if not backup.is_file():
        raise ValidationFailed(f"{backup}: no such file")
    try:
        with sqlite3.connect(f"file:{backup}?mode=ro", uri=True) as source:
            if source.execute("PRAGMA integrity_check").fetchone() != ("ok",):
                raise ValidationFailed(f"{backup}: failed SQLite's integrity check")
            row = source.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as exc:
        raise ValidationFailed(f"{backup}: not a Code Sensei database ({exc})") from None
    if row is None:
        raise ValidationFailed(f"{backup}: not a Code Sensei database (no schema revision)")
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(f"file:{backup}?mode=ro", uri=True) as source, sqlite3.connect(target) as live:
        source.backup(live)
    return str(row[0])
