"""Disk full: the tablet's data on a real 1 MiB tmpfs, filled to the last byte.

Real ENOSPC from the kernel, bounded by the mount's size (root mounts it; elsewhere the test is
skipped and says why). The backend is the real application in-process; the tablet is the real
LocalStore, Outbox, Syncer and flush.
"""

from __future__ import annotations

import contextlib
import errno
import sqlite3
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from backend.models import MoodCheckin
from kiosk.device_client import DeviceClient
from kiosk.outbox import FlushOutcome, Outbox, flush
from kiosk.store import LocalStore
from kiosk.sync import Outcome, Syncer
from tests.api.factories import API, state_of
from tests.reliability.harness import integrity
from tests.security.backend_app import RequestsLike, RunningApp, running_app


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a 1 MiB tmpfs (needs root): {mounted.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


@pytest.fixture
def app(tmp_path: Path) -> Iterator[RunningApp]:
    with running_app(tmp_path / "backend") as running:
        yield running


def _fill(disk: Path) -> Path:
    """Write until the kernel says ENOSPC; the filler file is returned to free it later."""
    filler = disk / "filler"
    with filler.open("wb") as out:
        chunk = b"\0" * 65536
        try:
            while True:
                out.write(chunk)
                out.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    # Also the last partial block: a byte at a time.
    with contextlib.suppress(OSError), filler.open("ab", buffering=0) as out:
        while True:
            out.write(b"\0" * 512)
    return filler


def _moods(app: RunningApp) -> int:
    with state_of(app.client).sessions() as session:
        return int(session.scalar(select(func.count()).select_from(MoodCheckin)) or 0)


def _mood() -> dict[str, Any]:
    return {"score": 3, "tags": [], "recorded_at": datetime.now(UTC).isoformat()}


def test_disk_full_tablet_keeps_its_day_and_loses_no_promised_write(
    app: RunningApp, small_disk: Path
) -> None:
    """With the tablet's disk full: it still opens and shows its day, a sync that cannot be
    stored backs off instead of raising, a write is either refused at once or kept; once space
    is back everything arrives exactly once and both files pass integrity_check."""
    data = small_disk / "tablet"
    client = DeviceClient(RequestsLike(app.client), "http://testserver", app.device_token)  # type: ignore[arg-type]
    store, outbox = LocalStore(data), Outbox(data)
    syncer = Syncer(client, store)
    assert syncer.run_once(wait=0).outcome is Outcome.CHANGED
    promised = [outbox.enqueue("mood", _mood()) for _ in range(2)]
    before = store.load()

    filler = _fill(small_disk)
    for n in range(40):
        response = app.client.post(
            f"{API}/beneficiaries/{app.beneficiary_id}/events",
            json={
                "title": f"Visite {n} " + "x" * 180,
                "start": "2026-12-02T09:00:00",
                "duration_minutes": 30,
            },
            headers=app.cm.headers,
        )
        assert response.status_code == 201
    result = syncer.run_once(wait=0)
    assert result.outcome is Outcome.UNREACHABLE and "local store" in result.reason
    # A tablet restarted now still opens its files and shows the day it had.
    reopened = LocalStore(data).load()
    assert reopened == before and reopened.beneficiary is not None
    Outbox(data)

    # Either kept (there was room in the WAL) or refused at once ("disk I/O error"): the
    # caller knows; never "accepted" and then lost.
    with contextlib.suppress(sqlite3.OperationalError):
        promised.append(outbox.enqueue("mood", _mood()))
    assert outbox.pending_count() == len(promised)
    assert flush(outbox, client) in (FlushOutcome.EMPTY, FlushOutcome.UNREACHABLE)

    filler.unlink()
    assert syncer.run_once(wait=0).outcome is Outcome.CHANGED
    assert len(store.load().events) == 40
    assert flush(outbox, client) is FlushOutcome.EMPTY
    assert _moods(app) == len(promised)
    assert integrity(store.path) == "ok" and integrity(outbox.path) == "ok"
