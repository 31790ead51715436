"""Engines, sessions and the unit of work; SQLite gets WAL and foreign keys, PostgreSQL uses psycopg 3.

SQLite transactions start with `BEGIN IMMEDIATE` (SQLAlchemy's documented pysqlite recipe: pysqlite's own
transaction handling is turned off and the `begin` event emits the BEGIN). A deferred transaction that reads
and then writes must upgrade its read snapshot to the write lock; when another connection committed in
between, SQLite refuses the upgrade at once with SQLITE_BUSY ("database is locked"), without waiting on the
busy timeout, and the request fails half-way. Taking the write lock when the transaction starts moves all
waiting to that point, where the busy timeout applies. Read-only work opts out with `read_only=True`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

# How long a SQLite transaction waits for the write lock before failing (another process, or a long writer).
SQLITE_BUSY_TIMEOUT_MS = 30_000
# The execution option that makes a SQLite transaction deferred (reads only; WAL readers never wait).
READ_ONLY = "sensei_read_only"


def normalise_url(url: str) -> str:
    """Accept plain `postgresql://` URLs and route them to psycopg 3."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite would issue its own deferred BEGIN (and COMMIT before DDL); `_sqlite_begin` does it instead.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    # 64 MiB of page cache per connection (the default is 2 MiB): search joins touch thousands of rows.
    cursor.execute("PRAGMA cache_size=-65536")
    # In WAL mode, NORMAL writes a commit to the WAL file before COMMIT returns and syncs it at checkpoints.
    # A killed process (kill -9, a crash, the OOM killer) loses nothing that was committed: the WAL is in the
    # operating system's page cache and the next connection recovers it. Only a power loss or kernel crash
    # can lose the last commits before a checkpoint (never corrupting the file). FULL also syncs at every
    # commit, which costs an fsync per answer; docs/decisions/0005-api-auth.md records why NORMAL is enough.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class _WriteGate:
    """The SQLite write lock, also taken in this process: its threads queue on a lock instead of polling.

    SQLite lets a connection that waits for the write lock sleep and retry (1, 2, 5, 10 ... 100 ms), so
    under many writers a waiting request may sleep long after the lock came free, and whoever retries
    first wins. Threads of one process wait on this lock instead and are woken as soon as it is released;
    the busy timeout still covers other processes. Released when the transaction commits or rolls back.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def begin(self, connection: Connection) -> None:
        if connection.get_execution_options().get(READ_ONLY, False):
            connection.exec_driver_sql("BEGIN")
            return
        if not self._lock.acquire(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000):
            raise TimeoutError(f"no SQLite write transaction could start within {SQLITE_BUSY_TIMEOUT_MS} ms")
        connection.info[_HOLDS_GATE] = True
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            self.end(connection)
            raise

    def end(self, connection: Connection) -> None:
        if connection.info.pop(_HOLDS_GATE, False):
            self._lock.release()


_HOLDS_GATE = "sensei_holds_write_gate"


def make_engine(url: str, *, pool_size: int | None = None) -> Engine:
    """An engine for `url` with at most `pool_size` connections (None: SQLAlchemy's default, 5 + 10 overflow)."""
    url = normalise_url(url)
    pool: dict[str, Any] = {} if pool_size is None else {"pool_size": pool_size, "max_overflow": 0}
    if url.startswith("sqlite"):
        path = make_url(url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **pool
        )
        gate = _WriteGate()
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", gate.begin)
        # Fired just before the COMMIT or ROLLBACK is sent; the next writer's BEGIN IMMEDIATE then waits at
        # most that long, in SQLite's busy handler.
        event.listen(engine, "commit", gate.end)
        event.listen(engine, "rollback", gate.end)
        return engine
    return create_engine(url, pool_pre_ping=True, **pool)


def session_factory(engine: Engine, *, read_only: bool = False) -> sessionmaker[Session]:
    """Sessions of `engine`; `read_only` ones never take SQLite's write lock (they must not write)."""
    bind = engine.execution_options(**{READ_ONLY: True}) if read_only else engine
    return sessionmaker(bind=bind, expire_on_commit=False)


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction per command, request or job: services never commit, this boundary does."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
