"""A real `foyer-kiosk` process that crashes (SIGSEGV): its faulthandler traceback is printed (on
the appliance it goes to the journal), and started again, as systemd does a few seconds later,
it comes back on the screen it showed."""

from __future__ import annotations

import faulthandler
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.last_screen import FILE_NAME
from kiosk.store import LocalStore
from provisioning import credentials
from tests.e2e.conftest import free_port
from tests.quiet_tablet import write_quiet_config

pytestmark = pytest.mark.e2e
READY_SECONDS = 60  # Python, Qt and the first picture on a busy CI machine
KIOSK = (sys.executable, "-m", "kiosk.cli")
BACKEND = f"http://127.0.0.1:{free_port()}"  # nothing listens: the day from the store


@pytest.fixture
def notify_socket() -> Iterator[socket.socket]:
    """systemd's side of `Type=notify`: the tablet says READY=1 once its first picture is up."""
    with tempfile.TemporaryDirectory(prefix="foyer-notify-") as directory:  # short AF_UNIX path
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(str(Path(directory) / "notify"))
        sock.settimeout(0.5)
        with sock:
            yield sock


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A paired tablet whose backend is not there: it shows its day from its store."""
    data = tmp_path / "tablet"
    credentials.save(data, credentials.DeviceCredential(BACKEND, 1, 1, "fyd_x"))
    write_quiet_config(data)
    LocalStore(data).apply(
        {
            "cursor": "1",
            "full": True,
            "beneficiary": {
                "id": 1,
                "first_name": "Jeanne",
                "last_name": "Martin",
                "timezone": "Europe/Paris",
            },
            "upserts": {},
        }
    )
    return data


class Kiosk:
    def __init__(self, data: Path, backend: str, notify: socket.socket, log: Path) -> None:
        self.log = log
        env = {
            **os.environ,
            "QT_QPA_PLATFORM": "offscreen",
            "NOTIFY_SOCKET": str(notify.getsockname()),
        }
        env.pop("WATCHDOG_USEC", None)
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                [*KIOSK, "--windowed", "--backend", backend, "--data", str(data)],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
            )
        self._notify = notify

    def wait_ready(self) -> None:
        deadline = time.monotonic() + READY_SECONDS
        while self.process.poll() is None and time.monotonic() < deadline:
            try:
                if b"READY=1" in self._notify.recv(4096):
                    return
            except TimeoutError:
                continue
        pytest.fail(f"the tablet never said READY=1:\n{self.output()}")

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)


def test_the_test_run_has_faulthandler_on() -> None:
    """pytest's faulthandler plugin is on (never `-p no:faulthandler`), and the processes the
    tests start inherit PYTHONFAULTHANDLER (tests/e2e/conftest.py)."""
    assert faulthandler.is_enabled()
    assert os.environ.get("PYTHONFAULTHANDLER")


def test_a_crashed_tablet_prints_its_stacks_and_comes_back_on_its_screen(
    tmp_path: Path, data: Path, notify_socket: socket.socket
) -> None:
    """Jeanne is looking at her photos; the tablet segfaults. The journal gets every thread's
    Python stack (where it crashed is then known); restarted, the tablet shows the photos
    again, not home."""
    (data / FILE_NAME).write_text(json.dumps({"screen": "photos"}))  # what it showed
    first = Kiosk(data, BACKEND, notify_socket, tmp_path / "first.log")
    try:
        first.wait_ready()
        assert "back on photos" in first.output()
        os.kill(first.process.pid, signal.SIGSEGV)
        assert first.process.wait(timeout=30) == -signal.SIGSEGV
    finally:
        first.stop()
    crash = first.output()
    assert "Fatal Python error: Segmentation fault" in crash
    assert "Current thread" in crash and "kiosk/cli.py" in crash, crash[-3000:]
    assert json.loads((data / FILE_NAME).read_text()) == {"screen": "photos"}

    again = Kiosk(data, BACKEND, notify_socket, tmp_path / "again.log")
    try:
        again.wait_ready()
        assert "back on photos" in again.output()
    finally:
        again.stop()
