"""The systemd watchdog: READY=1 after the first paint, pings only while the event loop runs.

systemd's side is played by a real AF_UNIX datagram socket bound by the test.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from kiosk.watchdog import Watchdog, notify, ping_interval_ms

ROOT = Path(__file__).resolve().parents[2]
KIOSK = [sys.executable, "-m", "kiosk.cli"]


class FakeSystemd:
    def __init__(self, sock: socket.socket, address: str) -> None:
        self.sock = sock
        self.address = address  # what goes into NOTIFY_SOCKET
        self.received: list[str] = []

    def drain(self) -> list[str]:
        new = []
        while True:
            try:
                new.append(self.sock.recv(4096).decode())
            except BlockingIOError:
                break
        self.received += new
        return new


@pytest.fixture(params=["path", "abstract"])
def systemd(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[FakeSystemd]:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    if request.param == "path":
        path = str(tmp_path / "notify")
        sock.bind(path)
        address = path
    else:
        name = f"foyer-test-{uuid.uuid4().hex}"
        sock.bind("\0" + name)
        address = "@" + name
    sock.setblocking(False)
    yield FakeSystemd(sock, address)
    sock.close()


def test_without_notify_socket_nothing_is_sent_and_nothing_breaks(qtbot: QtBot) -> None:
    assert notify("READY=1", {}) is False
    dog = Watchdog(env={})
    label = QLabel("x")
    qtbot.addWidget(label)
    dog.watch(label)
    label.show()
    qtbot.waitExposed(label)
    assert not dog.enabled and not dog.ready_sent


def test_a_dead_socket_is_logged_not_raised(tmp_path: Path) -> None:
    assert notify("WATCHDOG=1", {"NOTIFY_SOCKET": str(tmp_path / "nobody")}) is False
    assert notify("WATCHDOG=1", {"NOTIFY_SOCKET": "relative/path"}) is False


def test_ping_interval_is_half_of_watchdog_usec() -> None:
    assert ping_interval_ms({"WATCHDOG_USEC": "30000000"}) == 15000
    assert ping_interval_ms({"WATCHDOG_USEC": "0"}) is None
    assert ping_interval_ms({"WATCHDOG_USEC": "soon"}) is None
    assert ping_interval_ms({}) is None


def test_ready_after_first_paint_then_pings_that_stop_when_the_loop_blocks(
    qtbot: QtBot, systemd: FakeSystemd
) -> None:
    env = {"NOTIFY_SOCKET": systemd.address, "WATCHDOG_USEC": "200000"}  # pings every 100 ms
    dog = Watchdog(env=env)
    label = QLabel("Bonjour")
    qtbot.addWidget(label)
    dog.watch(label)
    qtbot.wait(50)
    assert systemd.drain() == [], "nothing may be said before the screen is shown"

    label.show()
    qtbot.waitUntil(lambda: bool(systemd.drain() or systemd.received), timeout=5000)
    assert systemd.received[0].startswith("READY=1")

    qtbot.wait(1000)
    pings = [m for m in systemd.drain() if m == "WATCHDOG=1"]
    assert 3 <= len(pings) <= 12, "about ten: one every 100 ms (a loaded machine may lag)"

    # A stuck GUI thread: no event loop, so no ping may leave while it is stuck.
    systemd.drain()
    time.sleep(0.6)
    assert systemd.drain() == []
    QApplication.processEvents()
    # Pings resume once the loop runs again.
    qtbot.waitUntil(lambda: "WATCHDOG=1" in systemd.drain(), timeout=5000)

    systemd.drain()  # no event loop runs from here to stop(): no ping can slip in between
    dog.stop()
    qtbot.wait(300)
    assert systemd.drain() == ["STOPPING=1"], "and no ping after it"


def test_the_real_tablet_reports_ready_and_stopping(tmp_path: Path, systemd: FakeSystemd) -> None:
    """foyer-kiosk as systemd starts it: READY=1 once painted; its backend address comes from
    the first-boot settings when --backend is not given."""
    data = tmp_path / "data"
    data.mkdir()
    # Nobody listens on port 9 (discard): the pairing screen says it cannot connect.
    (data / "settings.json").write_text('{"backend_url": "http://127.0.0.1:9"}')
    env = dict(os.environ, NOTIFY_SOCKET=systemd.address, WATCHDOG_USEC="1000000")
    shot = tmp_path / "shot.png"
    done = subprocess.run(
        [*KIOSK, "--data", str(data), "--screenshot", str(shot), "--after", "1.5"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert done.returncode == 0, done.stderr
    messages = systemd.drain()
    assert messages[0].startswith("READY=1")
    assert "WATCHDOG=1" in messages
    assert messages[-1] == "STOPPING=1"
    assert shot.stat().st_size > 0


def test_the_tablet_without_any_backend_address_says_so(tmp_path: Path) -> None:
    done = subprocess.run(
        [*KIOSK, "--data", str(tmp_path), "--screenshot", "x.png"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "--backend is required" in done.stderr


def test_a_watchdog_kill_leaves_every_threads_stack_in_the_journal(
    tmp_path: Path, systemd: FakeSystemd
) -> None:
    """systemd kills a frozen tablet with SIGABRT: the journal must say where it was stuck."""
    env = dict(os.environ, NOTIFY_SOCKET=systemd.address)
    with subprocess.Popen(
        [*KIOSK, "--backend", "http://127.0.0.1:9", "--data", str(tmp_path), "--windowed"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    ) as tablet:
        systemd.sock.settimeout(60)
        try:
            assert systemd.sock.recv(4096).decode().startswith("READY=1")
        finally:
            systemd.sock.setblocking(False)
        # READY=1 comes with the first picture, before the services start their threads: let
        # them start (a tablet frozen after running a while has them), then kill it.
        deadline = time.monotonic() + 30
        while len(os.listdir(f"/proc/{tablet.pid}/task")) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        tablet.send_signal(signal.SIGABRT)
        _, stderr = tablet.communicate(timeout=30)
    assert tablet.returncode == -signal.SIGABRT
    assert "Fatal Python error: Aborted" in stderr
    # The kernel may deliver the signal to any thread, so no "Current thread" is promised; but
    # every thread is listed, the GUI thread's event loop in kiosk/cli.py's main() among them.
    headers = re.findall(r"^(?:Current thread|Thread) 0x[0-9a-f]+", stderr, re.MULTILINE)
    assert len(headers) >= 2, "all threads, not just one"
    assert re.search(r'kiosk/cli\.py", line \d+ in main', stderr)
