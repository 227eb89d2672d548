"""Updates: a new version in its own slot, an atomic switch, rollback when it is unhealthy.

Two fake versions whose `foyer-kiosk` says which version it is and whether it is healthy;
the services are "restarted" by running what `current` points at, through the real symlink.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from appliance import update
from appliance.update import UpdateError
from tests.wheels import write_wheel

HEALTHY = {"1.0": True, "2.0": True, "2.1-broken": False}


def fake_installer(slot: Path, source: str) -> None:
    """A 'venv' whose kiosk prints its version and exits 1 when that version is broken."""
    if source == "unreachable-wheel":
        raise UpdateError("pip failed: no such file")
    (slot / "bin").mkdir(parents=True)
    kiosk = slot / "bin" / "foyer-kiosk"
    code = 0 if HEALTHY[source] else 1
    kiosk.write_text(f"#!/bin/sh\necho {source}\nexit {code}\n")
    kiosk.chmod(0o755)


class FakeServices:
    """What systemd would run after a restart: /opt/foyer/current/bin/foyer-kiosk."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.started: list[str] = []
        self.last_code = 0

    def restart(self) -> None:
        done = subprocess.run(
            [str(self.root / "current" / "bin" / "foyer-kiosk")], capture_output=True, text=True
        )
        self.started.append(done.stdout.strip())
        self.last_code = done.returncode

    def healthy(self) -> bool:
        return self.last_code == 0


def install(root: Path, services: FakeServices, version: str) -> update.UpdateResult:
    return update.update(root, version, version, fake_installer, services.restart, services.healthy)


def test_update_switches_and_keeps_the_previous_slot(tmp_path: Path) -> None:
    services = FakeServices(tmp_path)
    first = install(tmp_path, services, "1.0")
    assert first == update.UpdateResult("1.0", rolled_back=False, previous=None)
    second = install(tmp_path, services, "2.0")
    assert second == update.UpdateResult("2.0", rolled_back=False, previous="1.0")
    assert services.started == ["1.0", "2.0"]
    assert update.current_version(tmp_path) == "2.0"
    assert update.previous_version(tmp_path) == "1.0"
    assert (tmp_path / "current").is_symlink()
    assert not Path((tmp_path / "current").readlink()).is_absolute()


def test_an_unhealthy_version_is_rolled_back(tmp_path: Path) -> None:
    services = FakeServices(tmp_path)
    install(tmp_path, services, "1.0")
    install(tmp_path, services, "2.0")
    result = install(tmp_path, services, "2.1-broken")
    assert result == update.UpdateResult("2.0", rolled_back=True, previous="2.1-broken")
    assert services.started == ["1.0", "2.0", "2.1-broken", "2.0"]
    assert update.current_version(tmp_path) == "2.0"
    assert update.previous_version(tmp_path) == "1.0", "the good fallback is kept"


def test_old_slots_are_pruned(tmp_path: Path) -> None:
    services = FakeServices(tmp_path)
    for version in ("1.0", "2.0", "2.1-broken"):
        install(tmp_path, services, version)
    assert sorted(p.name for p in (tmp_path / "slots").iterdir()) == ["1.0", "2.0", "2.1-broken"]
    HEALTHY["3.0"] = True
    try:
        install(tmp_path, services, "3.0")
    finally:
        del HEALTHY["3.0"]
    assert sorted(p.name for p in (tmp_path / "slots").iterdir()) == ["2.0", "3.0"]


def test_the_mark_is_written_after_the_slot_is_on_disk_and_removed_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A power cut must never leave the "complete" mark on a slot missing files: the slot's
    files are synced before the mark is written, and the mark goes before a slot is removed
    (rmtree's order is the directory's)."""
    services = FakeServices(tmp_path)
    synced: list[tuple[str, bool]] = []
    removed: list[tuple[str, bool]] = []
    real_rmtree = shutil.rmtree

    def sync() -> None:
        for slot in (tmp_path / "slots").iterdir():
            if (slot / "bin" / "foyer-kiosk").exists():
                synced.append((slot.name, (slot / update.COMPLETE_MARK).exists()))

    def rmtree(path: str | Path, *args: Any, **kwargs: Any) -> None:
        removed.append((Path(path).name, (Path(path) / update.COMPLETE_MARK).exists()))
        real_rmtree(path, *args, **kwargs)

    monkeypatch.setattr(update.os, "sync", sync)
    monkeypatch.setattr(update.shutil, "rmtree", rmtree)
    for version in ("1.0", "2.0", "2.1-broken"):
        install(tmp_path, services, version)
    assert ("2.1-broken", False) in synced, "synced while still unmarked"
    assert (tmp_path / "slots" / "2.1-broken" / update.COMPLETE_MARK).read_text() == "2.1-broken\n"
    HEALTHY["3.0"] = True
    try:
        install(tmp_path, services, "3.0")
    finally:
        del HEALTHY["3.0"]
    assert ("1.0", False) in removed and ("2.1-broken", False) in removed
    assert all(not marked for _, marked in removed)


def test_manual_rollback_swaps_current_and_previous(tmp_path: Path) -> None:
    services = FakeServices(tmp_path)
    with pytest.raises(UpdateError, match="no previous version"):
        update.rollback(tmp_path, services.restart)
    install(tmp_path, services, "1.0")
    install(tmp_path, services, "2.0")
    assert update.rollback(tmp_path, services.restart) == "1.0"
    assert (update.current_version(tmp_path), update.previous_version(tmp_path)) == ("1.0", "2.0")
    assert services.started[-1] == "1.0"


def test_failures_before_the_switch_change_nothing(tmp_path: Path) -> None:
    services = FakeServices(tmp_path)
    install(tmp_path, services, "1.0")
    with pytest.raises(UpdateError, match="pip failed"):
        update.update(
            tmp_path, "2.0", "unreachable-wheel", fake_installer, services.restart, services.healthy
        )
    assert update.current_version(tmp_path) == "1.0"
    assert not (tmp_path / "slots" / "2.0").exists()
    with pytest.raises(UpdateError, match="already the current"):
        install(tmp_path, services, "1.0")
    with pytest.raises(UpdateError, match="not allowed"):
        install(tmp_path, services, "../etc")
    assert services.started == ["1.0"]


def test_a_first_install_that_fails_has_nowhere_to_go(tmp_path: Path) -> None:
    with pytest.raises(UpdateError, match="no previous version"):
        install(tmp_path, FakeServices(tmp_path), "2.1-broken")


def test_two_updates_at_once_are_refused(tmp_path: Path) -> None:
    services = FakeServices(tmp_path)
    install(tmp_path, services, "1.0")

    def nested_restart() -> None:
        services.restart()
        with pytest.raises(UpdateError, match="another update"):
            install(tmp_path, services, "2.0")

    update.update(tmp_path, "2.0", "2.0", fake_installer, nested_restart, services.healthy)


def test_http_health_check() -> None:
    class Health(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200 if self.path == "/healthz" else 503)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        assert update.http_ok(f"{base}/healthz", within=0)() is True
        assert update.http_ok(f"{base}/broken", within=0)() is False
    finally:
        server.shutdown()
        server.server_close()
    # Nobody listens on port 9: unhealthy, and quickly.
    assert update.http_ok("http://127.0.0.1:9/healthz", within=0, sleep=lambda _: None)() is False


def tiny_wheel(folder: Path, version: str) -> Path:
    """A real wheel of a one-module distribution, built by hand (no network, no build step)."""
    return write_wheel(
        folder, "foyer-probe", version, {"foyer_probe.py": f"VERSION = {version!r}\n".encode()}
    )


def test_the_real_installer_builds_a_venv_in_its_slot(tmp_path: Path) -> None:
    wheel = tiny_wheel(tmp_path, "2.0")
    root = tmp_path / "opt"
    slot = update.install_slot(
        root, "2.0", str(wheel), update.pip_installer(sys.executable, ["--no-index"])
    )
    done = subprocess.run(
        [str(slot / "bin" / "python"), "-c", "import foyer_probe; print(foyer_probe.VERSION)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "2.0"
    assert (slot / update.COMPLETE_MARK).exists()


def test_the_commands_explain_what_they_refuse(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from appliance.cli import main as foyer

    assert foyer(["rollback", "--root", str(tmp_path)]) == 1
    assert "no previous version" in capsys.readouterr().err
    args = ["update", "--root", str(tmp_path), "--version", "../evil", "--source", "x.whl"]
    assert foyer(args) == 1
    assert "not allowed" in capsys.readouterr().err
    assert not (tmp_path / "slots").exists()
