"""Every schema change is an Alembic migration: upgrade from the first revision keeps data,
downgrade and upgrade again work, and the result matches the models exactly."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

from backend import db
from backend.models import Base
from tests.api.conftest import PG_HOST, PG_PORT, _connect_admin


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        engine = db.make_engine(f"sqlite:///{tmp_path / 'migrations.sqlite3'}")
        yield engine
        engine.dispose()
        return
    try:
        user, admin = _connect_admin()
    except ConnectionError as exc:
        pytest.skip(f"PostgreSQL not reachable at {PG_HOST}:{PG_PORT}: {exc}")
    name = f"foyer_migrations_{os.getpid()}_{secrets.token_hex(4)}"
    admin.execute(f'CREATE DATABASE "{name}"')
    engine = db.make_engine(f"postgresql://{user}@{PG_HOST}:{PG_PORT}/{name}")
    try:
        yield engine
    finally:
        engine.dispose()
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def run(engine: Engine, fn: Any, target: str) -> None:
    db.migrate(engine, target, downgrade=fn is command.downgrade)


def revisions() -> list[str]:
    config = Config()
    config.set_main_option("script_location", str(db.MIGRATIONS_DIR))
    script = ScriptDirectory.from_config(config)
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def test_upgrade_from_the_first_revision_keeps_the_data(empty_engine: Engine) -> None:
    first, *_ = revisions()
    run(empty_engine, command.upgrade, first)
    now = datetime(2026, 11, 22, 9, 0, tzinfo=UTC).replace(tzinfo=None)
    with empty_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO users (id, email, name, role, password_hash, created_at) "
                "VALUES (1, 'cm@foyer.test', 'Claire', 'care_manager', 'x', :now)"
            ),
            {"now": now},
        )
        conn.execute(
            text(
                "INSERT INTO beneficiaries (id, first_name, last_name, timezone, place_name, "
                "care_manager_id, created_at) VALUES (1, 'Jeanne', 'Martin', 'Europe/Paris', "
                "'Lyon', 1, :now)"
            ),
            {"now": now},
        )
        conn.execute(
            text(
                "INSERT INTO events (id, beneficiary_id, title, kind, who, start_local, "
                "duration_minutes, timezone, rrule, exdates, created_at, updated_at) VALUES "
                "(1, 1, 'Soins', 'visit', 'Claire', :now, 30, 'Europe/Paris', 'FREQ=DAILY', "
                "'[]', :now, :now)"
            ),
            {"now": now},
        )
    run(empty_engine, command.upgrade, "head")
    with empty_engine.connect() as conn:
        row = conn.execute(text("SELECT title, instructions, rrule FROM events")).one()
    # Existing events get the new columns with their defaults; nothing is lost (on SQLite,
    # rebuilding `beneficiaries` with foreign keys on would have cascaded into `events`).
    assert tuple(row) == ("Soins", "", "FREQ=DAILY")


def test_downgrade_to_the_first_revision_and_up_again(empty_engine: Engine) -> None:
    first, *_ = revisions()
    run(empty_engine, command.upgrade, "head")
    run(empty_engine, command.downgrade, first)
    assert "messages" not in inspect(empty_engine).get_table_names()
    run(empty_engine, command.upgrade, "head")
    assert "messages" in inspect(empty_engine).get_table_names()


def test_migrations_produce_exactly_the_models(empty_engine: Engine) -> None:
    run(empty_engine, command.upgrade, "head")
    with empty_engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert differences == []


def test_servers_started_together_migrate_once(empty_engine: Engine) -> None:
    """Several servers behind HAProxy start at once on one new database (docs/deployment.md):
    each runs the migrations at start. On PostgreSQL one migrates and the others wait for it,
    then find nothing to do; without the lock they raced to create the same tables. (SQLite
    serves one machine; its writers queue anyway.)"""
    import threading

    if empty_engine.dialect.name != "postgresql":
        pytest.skip("SQLite is one server's database")
    others = [db.make_engine(empty_engine.url.render_as_string(hide_password=False)) for _ in "ab"]
    failures: list[BaseException] = []
    start = threading.Barrier(len(others))

    def serve_starts(engine: Engine) -> None:
        try:
            start.wait(timeout=30)
            db.migrate(engine, "head")
        except BaseException as exc:  # reported below, whatever it is
            failures.append(exc)

    threads = [threading.Thread(target=serve_starts, args=(e,)) for e in others]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for engine in others:
        engine.dispose()
    assert failures == []
    with empty_engine.connect() as connection:
        heads = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    assert [h for (h,) in heads] == [revisions()[-1]]
