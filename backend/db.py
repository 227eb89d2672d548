"""Engine, sessions and schema migrations, for SQLite (default) and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def normalize_url(url: str) -> str:
    """Accept the usual `postgresql://` spelling and use the psycopg 3 driver for it."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL: readers never block the writer, and a power cut loses at most the last commit.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # Writers from several threads queue for up to 10 s instead of failing at once.
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


# PostgreSQL connections the whole backend may open, all workers together. PostgreSQL's
# default max_connections is 100 (a few reserved): 60 leaves room for migrations, psql and a
# neighbour. Four workers with a fixed 10 + 20 each asked for 120 and answered 500s under load
# (docs/performance.md, backend scale).
DEFAULT_MAX_CONNECTIONS = 60
PER_WORKER_CEILING = 30  # more would only queue inside PostgreSQL on a small server
POOL_TIMEOUT_SECONDS = 10  # then 503 "try again": shorter than the clients' read timeout


def pool_for(max_connections: int, workers: int) -> tuple[int, int]:
    """(pool_size, max_overflow) for one worker, so that `workers` of them together never
    open more than `max_connections`. ValueError when that leaves a worker fewer than two."""
    workers = max(1, workers)
    if max_connections < 2 * workers:
        raise ValueError(
            f"{max_connections} database connections cannot serve {workers} workers "
            "(two each at least)"
        )
    per_worker = min(PER_WORKER_CEILING, max_connections // workers)
    pool_size = min(10, per_worker)
    return pool_size, per_worker - pool_size


def make_engine(
    url: str, max_connections: int = DEFAULT_MAX_CONNECTIONS, workers: int = 1
) -> Engine:
    url = normalize_url(url)
    if is_sqlite(url):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    pool_size, max_overflow = pool_for(max_connections, workers)
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_timeout=POOL_TIMEOUT_SECONDS,
    )


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose transaction commits on success and rolls back on any error."""
    with factory() as session, session.begin():
        yield session


def upgrade_to_head(engine: Engine) -> None:
    """Bring the schema to the latest migration (idempotent, safe at every start)."""
    migrate(engine, "head")


# Any constant will do, as long as nothing else takes it (changes.py has its own).
_MIGRATION_LOCK = 862_8002


def migrate(engine: Engine, target: str, *, downgrade: bool = False) -> None:
    """Run migrations up (or down) to `target`.

    On SQLite, foreign keys are switched off meanwhile: batch migrations rebuild a table by
    copy, drop and rename, and with foreign keys on, dropping `beneficiaries` would cascade
    into every table that references it — deleting all events. Integrity is checked after.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            with connection.begin():
                if engine.dialect.name == "postgresql":
                    # Several servers started at once on one database (behind HAProxy,
                    # docs/deployment.md): one migrates, the others wait for its commit and
                    # then find nothing left to do. Held until this transaction ends.
                    connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
                config.attributes["connection"] = connection
                (command.downgrade if downgrade else command.upgrade)(config, target)
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"migration left broken references: {broken[:5]}")
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()
