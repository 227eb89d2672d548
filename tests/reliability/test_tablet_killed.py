"""Tablet killed: SIGKILL again and again in the middle of its writes.

The tablet is tests/reliability/tablet_driver.py (the real Outbox, LocalStore, Syncer, flush) as
its own process, against a real `foyer-backend` process; the care manager adds visits all the
while, so the store is written by real deltas too.
"""

from __future__ import annotations

import random
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.outbox import Outbox
from kiosk.store import LocalStore
from tests.reliability.harness import API, Home, integrity, start_home

pytestmark = pytest.mark.e2e
KILLS = 8


@pytest.fixture
def home(tmp_path: Path) -> Iterator[Home]:
    running = start_home(tmp_path / "backend")
    yield running
    running.stop()


def _driver(home: Home, data: Path, mode: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.reliability.tablet_driver",
            mode,
            "--data",
            str(data),
            "--backend",
            home.url,
            "--token",
            home.device_token,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def _read_lines(process: subprocess.Popen[str], into: list[str]) -> threading.Thread:
    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            into.append(line.strip())

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread


def test_sigkill_mid_writes_loses_nothing_and_duplicates_nothing(
    home: Home, tmp_path: Path
) -> None:
    """Eight SIGKILLs at random moments while the tablet queues, sends and syncs: every write
    it promised arrives exactly once, both SQLite files pass integrity_check, and the tablet
    still opens on the beneficiary's day."""
    data = tmp_path / "tablet"
    rng = random.Random(7)
    promised: list[str] = []
    stop_visits = threading.Event()

    def add_visits() -> None:
        for n in range(1000):
            if stop_visits.wait(0.05):
                return
            home.post(
                f"{API}/beneficiaries/{home.beneficiary_id}/events",
                {"title": f"Visite {n}", "start": "2026-12-02T09:00:00", "duration_minutes": 30},
            )

    visits = threading.Thread(target=add_visits, daemon=True)
    visits.start()
    try:
        for _ in range(KILLS):
            lines: list[str] = []
            process = _driver(home, data, "run")
            reader = _read_lines(process, lines)
            # Killed once it has written a little, at a random moment after that.
            deadline = time.monotonic() + 15
            while len(lines) < 2 and time.monotonic() < deadline and process.poll() is None:
                time.sleep(0.01)
            time.sleep(rng.uniform(0.0, 0.4))
            process.kill()
            process.wait(timeout=10)
            reader.join(timeout=5)
            assert process.stdout is not None
            process.stdout.close()
            assert process.returncode == -9
            promised += [line.split()[1] for line in lines if line.startswith("queued ")]
    finally:
        stop_visits.set()
        visits.join(timeout=5)
    assert len(promised) >= 2 * KILLS

    for name in ("store.sqlite3", "outbox.sqlite3"):
        assert integrity(data / name) == "ok", name
    drain = _driver(home, data, "drain")
    out, _ = drain.communicate(timeout=60)
    assert drain.returncode == 0 and "drained" in out

    outbox = Outbox(data)
    assert outbox.pending_count() == 0 and outbox.rejected() == []
    applied = [
        k
        for (k,) in home.rows(
            "SELECT key FROM idempotency_records WHERE device_id = ?", home.device_id
        )
    ]
    assert set(promised) <= set(applied), "a promised write never arrived"
    assert len(applied) == len(set(applied))
    (moods,) = home.rows("SELECT COUNT(*) FROM mood_checkins")[0]
    assert moods == len(applied), "a write was applied twice"
    state = LocalStore(data).load()
    assert state.beneficiary is not None and state.beneficiary.first_name == "Jeanne"
    (events,) = home.rows(
        "SELECT COUNT(*) FROM events WHERE beneficiary_id = ?", home.beneficiary_id
    )[0]
    assert len(state.events) == events
