"""Backups of PostgreSQL restored for real: `pg_dump`, the database dropped, `pg_restore`, the
backend started again; the tablet carries on with its credential, without pairing again.

The commands are those of docs/deployment.md (« Sauvegardes » there): the custom format of
pg_dump, restored with `--create` from the maintenance database. The tablet side is the
tablet's own Syncer, LocalStore, Outbox and DeviceClient.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk.device_client import DeviceClient
from kiosk.outbox import FlushOutcome, Outbox, flush
from kiosk.store import LocalStore
from kiosk.sync import Outcome, Syncer
from provisioning.http import new_session
from tests.e2e.conftest import RunningBackend, free_port, start_backend
from tests.e2e.haproxy_helpers import (
    PASSWORD,
    PG_HOST,
    PG_PORT,
    Account,
    Database,
    add_visit,
    care_manager,
    pair_device,
    temporary_database,
)

pytestmark = [pytest.mark.postgres, pytest.mark.e2e]


def _major(version_output: str) -> int:
    match = re.search(r"\(PostgreSQL\) (\d+)", version_output)
    assert match is not None, version_output
    return int(match.group(1))


def _tool(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path="/usr/lib/postgresql/15/bin:/usr/bin")
    if found is None:
        pytest.skip(f"{name} is not installed (Debian's postgresql-client)")
    return found


def dump(database: Database, path: Path) -> None:
    """pg_dump --format=custom --file=PATH URL"""
    subprocess.run(
        [_tool("pg_dump"), "--format=custom", f"--file={path}", database.url],
        check=True,
        capture_output=True,
    )


def restore(database: Database, path: Path) -> None:
    """pg_restore --create --dbname=postgresql://…/postgres PATH: the database is made again
    under its own name, with its settings, then filled."""
    maintenance = f"postgresql://{database.user}@{PG_HOST}:{PG_PORT}/postgres"
    subprocess.run(
        [_tool("pg_restore"), "--create", "--exit-on-error", f"--dbname={maintenance}", str(path)],
        check=True,
        capture_output=True,
    )


@dataclass
class Home:
    database: Database
    backend: RunningBackend
    port: int
    account: Account
    tablet: Syncer
    store: LocalStore
    outbox: Outbox
    client: DeviceClient

    def restart(self) -> None:
        self.backend = start_backend(
            self.backend.data_dir, self.port, ("--database-url", self.database.url)
        )

    def titles(self) -> set[str]:
        return {event.title for event in self.store.load().events}

    def mood(self) -> FlushOutcome:
        data = {"score": 4, "tags": [], "recorded_at": datetime.now(UTC).isoformat()}
        self.outbox.enqueue("mood", data)
        return flush(self.outbox, self.client)


@pytest.fixture
def home(tmp_path: Path) -> Iterator[Home]:
    _tool("pg_restore")
    dump_version = subprocess.run(
        [_tool("pg_dump"), "--version"], check=True, capture_output=True, text=True
    ).stdout
    with temporary_database() as database:
        (server_version,) = database.admin.execute("SHOW server_version").fetchone()
        if _major(dump_version) < int(str(server_version).split(".")[0]):
            pytest.skip(f"pg_dump {dump_version.strip()} is older than the server {server_version}")
        database.migrate(tmp_path / "migrate")
        port = free_port()
        backend = start_backend(tmp_path / "backend", port, ("--database-url", database.url))
        home: Home | None = None
        try:
            backend.cli(
                "create-user",
                "--database-url",
                database.url,
                "--email",
                "cm@example.fr",
                "--password",
                PASSWORD,
                "--name",
                "Claire Dubois",
                "--role",
                "care_manager",
            )
            account = care_manager(backend.url)
            token, _device_id = pair_device(backend.url, account)
            client = DeviceClient(new_session(), backend.url, token)
            store = LocalStore(tmp_path / "tablet")
            home = Home(
                database,
                backend,
                port,
                account,
                Syncer(client, store),
                store,
                Outbox(tmp_path / "tablet"),
                client,
            )
            yield home
        finally:
            # The backend the test ended with (a restore starts a new one).
            (home.backend if home is not None else backend).stop(patience=1)


def _backup_then_restore(home: Home, tmp_path: Path) -> None:
    """The backend stopped, the database dropped (`DROP DATABASE … WITH (FORCE)`: dropdb
    --force), restored from the dump, `foyer-backend restored` (docs/deployment.md), the
    backend started again."""
    home.backend.stop(patience=1)
    home.database.drop()
    restore(home.database, tmp_path / "foyer.dump")
    said = home.backend.cli("restored", "--database-url", home.database.url)
    assert said.startswith("journal gap after change "), said
    home.restart()


def test_restored_database_keeps_the_tablet_paired_and_syncing(home: Home, tmp_path: Path) -> None:
    """What a restore gives the tablet: its credential still works (no new pairing), its cursor
    from after the backup is "from the future" for the restored database, so the backend
    answers 410 and the tablet syncs in full at once: it shows the day as it was at the backup
    (the visit created after it is gone, from the console and from the tablet alike), then
    takes later changes by cursor as before. A write the tablet delivered after the backup is
    lost with the rest of what happened after it; one delivered after the restore is kept."""
    add_visit(home.backend.url, home.account, "Avant la sauvegarde")
    assert home.tablet.run_once(wait=0).outcome is Outcome.CHANGED
    assert home.mood() is FlushOutcome.EMPTY
    dump(home.database, tmp_path / "foyer.dump")

    add_visit(home.backend.url, home.account, "Après la sauvegarde")
    assert home.tablet.run_once(wait=0).outcome is Outcome.CHANGED
    assert home.titles() == {"Avant la sauvegarde", "Après la sauvegarde"}
    assert home.mood() is FlushOutcome.EMPTY
    cursor_before_restore = int(home.store.cursor() or 0)

    _backup_then_restore(home, tmp_path)
    # The tablet's cursor names a change the restore lost: inside the journal's gap.
    ((start, end),) = home.database.rows(
        "SELECT entity_id, id FROM changes WHERE entity = 'journal_gap'"
    )
    assert start < cursor_before_restore < end
    result = home.tablet.run_once(wait=0)
    assert result.outcome is Outcome.CHANGED, result.reason
    assert home.titles() == {"Avant la sauvegarde"}

    add_visit(home.backend.url, home.account, "Après la restauration")
    assert home.tablet.run_once(wait=0).outcome is Outcome.CHANGED
    assert home.titles() == {"Avant la sauvegarde", "Après la restauration"}
    assert home.mood() is FlushOutcome.EMPTY
    assert home.database.rows("SELECT COUNT(*) FROM mood_checkins") == [(2,)]


def test_changes_made_after_a_restore_before_the_tablet_syncs_reach_it(
    home: Home, tmp_path: Path
) -> None:
    """The console is used after the restore before the tablet comes back: as many changes as
    were made between the backup and the restore. The tablet must still end up with the
    restored day plus the new visit, not with the lost visit and without the new one."""
    add_visit(home.backend.url, home.account, "Avant la sauvegarde")
    assert home.tablet.run_once(wait=0).outcome is Outcome.CHANGED
    dump(home.database, tmp_path / "foyer.dump")
    add_visit(home.backend.url, home.account, "Perdue avec la restauration")
    assert home.tablet.run_once(wait=0).outcome is Outcome.CHANGED

    _backup_then_restore(home, tmp_path)
    add_visit(home.backend.url, home.account, "Après la restauration")
    home.tablet.run_once(wait=0)
    assert home.titles() == {"Avant la sauvegarde", "Après la restauration"}
