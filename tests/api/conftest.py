"""Fixtures for the HTTP API tests: every test runs against SQLite and against PostgreSQL.

- `database_url`: an empty, migrated database per test. SQLite: a copy, in tmp_path, of a file
  migrated once per session (migrating costs ~0.1 s, copying ~1 ms). PostgreSQL (127.0.0.1:5432,
  trust auth): one database per test session, named foyer_test_<pid>_<random>, migrated once,
  dropped at the end; before each test every row is deleted and every sequence restarted (a new
  database costs ~0.3 s, TRUNCATE of every table ~0.15 s, DELETE of the few rows a test wrote and
  resetting the sequences ~1 ms). Commits there do not wait for the disk (the database is thrown
  away at the end): what other connections see, and when, is unchanged.
- `make_client(clock=None, **settings)`: the real application (`create_app`) inside a
  `TestClient` context, so that the lifespan runs (on PostgreSQL it starts the LISTEN thread).
  The database is already at the latest migration, so the application does not check it again
  (its own migration at start runs where tests build it on a new data directory: tests/security,
  tests/e2e; tests/api/test_migrations.py tests the migrations themselves).
- `client`: `make_client()` with default settings; `clocked_client` and `app`: on `clock`
  (`app` for the modules whose tests happen at one fixed moment: they override `clock`).
- `cm`, `beneficiary`, `beneficiary_id`: a signed-in care manager and the beneficiary they
  created, on the test's own client (`app`, else `clocked_client`, else `client`).
"""

from __future__ import annotations

import getpass
import itertools
import logging
import os
import secrets
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from backend import db, security
from backend.api.deps import utc_now
from backend.app import create_app
from backend.config import Settings
from backend.models import Base
from backend.services import changes
from tests.api.factories import CareManager, care_manager, create_beneficiary

PG_HOST = "127.0.0.1"
PG_PORT = 5432


class Clock:
    """A controllable replacement for the `utc_now` dependency (poll intervals, expiries)."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 with its production cost takes ~0.1 s per hash and per login; the API tests create
    and log in many accounts. The cost itself is checked in tests/unit/test_backend_security.py;
    verification reads its parameters from the stored hash, so the login path is unchanged."""
    monkeypatch.setattr(
        security, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


# --- PostgreSQL -----------------------------------------------------------------------------


class _PgServer:
    """The session's own database on the local server, migrated once, emptied before each test."""

    def __init__(self, user: str, admin: psycopg.Connection[Any], name: str) -> None:
        self.user = user
        self.admin = admin
        self.name = name
        self.url = f"postgresql://{user}@{PG_HOST}:{PG_PORT}/{name}"
        self._cleaner: psycopg.Connection[Any] | None = None

    def migrate(self) -> None:
        engine = db.make_engine(self.url)
        try:
            db.upgrade_to_head(engine)
        finally:
            engine.dispose()
        self._cleaner = psycopg.connect(self.url, autocommit=True)
        self._cleaner.execute("SET lock_timeout = '10s'")

    def empty(self) -> None:
        """Every row deleted (children first) and every id sequence restarted, in one round trip.
        A test writes a few rows: DELETE is ~1 ms where TRUNCATE, which makes new files for
        every table and index, takes ~0.15 s."""
        assert self._cleaner is not None
        deletes = "; ".join(
            f'DELETE FROM "{t.name}"' for t in reversed(Base.metadata.sorted_tables)
        )
        self._cleaner.execute(
            f"{deletes}; SELECT setval(c.oid::regclass, 1, false) FROM pg_class c"
            " WHERE c.relkind = 'S' AND c.relnamespace = 'public'::regnamespace"
        )

    def drop(self) -> None:
        if self._cleaner is not None:
            self._cleaner.close()
        self.admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def stop_listener_fast(self, listener: changes.PostgresListener) -> None:
        """`PostgresListener.stop()` returns only once the listening thread's 1 s wait for
        notifications ends; at every test's end that adds up. Closing its connection from the
        server side ends that wait at once (the listener then sees it is asked to stop)."""
        stopping = threading.Thread(target=listener.stop)
        listener_log = logging.getLogger(changes.__name__)
        listener_log.disabled = True  # "LISTEN connection lost": we know, we closed it
        try:
            stopping.start()
            while stopping.is_alive():
                self.admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = %s AND query = %s AND pid <> pg_backend_pid()",
                    (self.name, f"LISTEN {changes.CHANNEL}"),
                )
                stopping.join(0.02)
        finally:
            listener_log.disabled = False


def _connect_admin() -> tuple[str, psycopg.Connection[Any]]:
    errors = []
    for user in dict.fromkeys(("postgres", getpass.getuser())):
        for dbname in ("test", "postgres"):
            try:
                conn = psycopg.connect(
                    host=PG_HOST,
                    port=PG_PORT,
                    user=user,
                    dbname=dbname,
                    autocommit=True,
                    connect_timeout=3,
                )
            except psycopg.Error as exc:
                errors.append(" ".join(f"{user}@{dbname}: {exc}".split()))
                continue
            return user, conn
    raise ConnectionError(errors[0])


@pytest.fixture(scope="session")
def pg_server() -> Iterator[_PgServer]:
    try:
        user, admin = _connect_admin()
    except ConnectionError as exc:
        pytest.skip(f"PostgreSQL not reachable at {PG_HOST}:{PG_PORT}: {exc}")
    server = _PgServer(user, admin, f"foyer_test_{os.getpid()}_{secrets.token_hex(4)}")
    try:
        admin.execute(f'CREATE DATABASE "{server.name}"')
        admin.execute(f'ALTER DATABASE "{server.name}" SET synchronous_commit = off')
        server.migrate()
        yield server
    finally:
        server.drop()
        admin.close()


# --- database and application ---------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to the latest schema, once per session (copied for each test)."""
    path = tmp_path_factory.mktemp("sqlite-template") / "foyer.sqlite3"
    engine = db.make_engine(f"sqlite:///{path}")
    try:
        db.upgrade_to_head(engine)
    finally:
        engine.dispose()  # the last connection closed: the WAL is merged back into the file
    leftovers = sorted(p.name for p in path.parent.iterdir() if p != path)
    assert not leftovers, f"the template is not one self-contained file: {leftovers}"
    return path


def fresh_database(request: pytest.FixtureRequest, tmp_path: Path, kind: str) -> str:
    """The URL of an empty database at the latest migration, for this test alone."""
    if kind == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "foyer.sqlite3"
        shutil.copyfile(template, path)
        return f"sqlite:///{path}"
    server: _PgServer = request.getfixturevalue("pg_server")
    server.empty()
    return server.url


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_database(request, tmp_path, request.param)


@pytest.fixture
def is_postgres(database_url: str) -> bool:
    return not db.is_sqlite(database_url)


MakeClient = Callable[..., TestClient]


@pytest.fixture
def make_client(
    database_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[MakeClient]:
    """Start an application on the test database; several may share it (several workers)."""
    numbers = itertools.count(1)
    pg: _PgServer | None = None
    if not db.is_sqlite(database_url):
        pg = request.getfixturevalue("pg_server")
    with ExitStack() as stack:

        def make(clock: Clock | None = None, **overrides: Any) -> TestClient:
            data_dir = tmp_path / f"data{next(numbers)}"
            data_dir.mkdir()
            settings = replace(
                Settings.for_data_dir(data_dir, database_url, "http://foyer.test"), **overrides
            )
            app = create_app(settings, migrate=False)  # `database_url` is migrated already
            if clock is not None:
                app.dependency_overrides[utc_now] = clock
            client = stack.enter_context(TestClient(app))
            listener = app.state.pg_listener
            if pg is not None and listener is not None:
                stack.callback(pg.stop_listener_fast, listener)
            return client

        yield make


@pytest.fixture
def client(make_client: MakeClient) -> TestClient:
    return make_client()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def clocked_client(make_client: MakeClient, clock: Clock) -> TestClient:
    return make_client(clock=clock)


@pytest.fixture
def app(make_client: MakeClient, clock: Clock) -> TestClient:
    """The application on `clock`, for modules whose tests happen at one moment (they override
    `clock` with it)."""
    return make_client(clock=clock)


def _the_test_client(request: pytest.FixtureRequest) -> TestClient:
    """The client the test itself works with: `app`, `clocked_client` or `client`, the first of
    these it asks for (so that the shared fixtures below never start a second application)."""
    for name in ("app", "clocked_client"):
        if name in request.fixturenames:
            client: TestClient = request.getfixturevalue(name)
            return client
    plain: TestClient = request.getfixturevalue("client")
    return plain


@pytest.fixture
def cm(request: pytest.FixtureRequest) -> CareManager:
    """A signed-in care manager, on the test's client."""
    return care_manager(_the_test_client(request))


@pytest.fixture
def beneficiary(request: pytest.FixtureRequest, cm: CareManager) -> dict[str, Any]:
    """A beneficiary created by `cm` (the API's answer)."""
    return create_beneficiary(_the_test_client(request), cm)


@pytest.fixture
def beneficiary_id(request: pytest.FixtureRequest, cm: CareManager) -> int:
    """The id of a beneficiary created by `cm`."""
    created: int = create_beneficiary(_the_test_client(request), cm)["id"]
    return created
