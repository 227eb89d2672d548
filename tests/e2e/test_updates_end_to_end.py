"""A tablet updated by its backend, end to end: a real backend process, a release key made here,
versions of Foyer built here from this checkout as real wheels, installed by pip into real A/B
slots, and the updater (appliance/update_agent.py) run as foyer-update.service runs it, with a
restart that starts the slot's own `foyer-kiosk` (offscreen) against the backend and a health
check that waits for its READY=1 on a notify socket, as systemd does for Type=notify.

- 0.2.0, good: its download cut halfway by the network (a proxy that resets the connection)
  and resumed with `Range`; installed; the backend records "installed" and the tablet, now
  running 0.2.0, says so in its status report.
- 0.3.0, bad (its `foyer-kiosk` exits at start): no READY=1, so back to 0.2.0, which starts
  again; reported rolled back, and the backend halts the rollout by itself.
- 0.4.0, signed by another key than the tablet trusts (a backend that was made to accept it):
  refused before any download, reported failed; the tablet runs on untouched.

Who writes the request: the tablet itself (kiosk/features/updates.py, wired in
KioskController._build_screens), from what its own sync received.

The wheels are made by hand (a zip with its dist-info, as pip itself expects: entry points,
RECORD) from the checkout's packages: the test venv's setuptools has no `bdist_wheel` (no
`wheel` package) and an isolated build would need PyPI. The slots are venvs made with this
test's interpreter, `--without-pip`, with a .pth file naming the test venv's site-packages:
Foyer's own wheel goes into the slot (and wins, being first on sys.path), while PySide6, aiortc
and the rest come from the test venv instead of being copied (hundreds of megabytes, and there
is no PyPI here). On a tablet the same pip command installs them from the wheelhouse
(docs/updates-tablet.md).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import struct
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
import tomllib
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from appliance import update
from appliance.update_agent import Agent, Outcome
from common import release_signature
from kiosk.update_window import REQUEST_FILE
from provisioning import credentials
from tests.e2e.conftest import CareManager, RunningBackend
from tests.quiet_tablet import write_quiet_config
from tests.wheels import write_wheel

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("common", "widgets", "provisioning", "kiosk", "appliance", "backend", "demo")
READY_SECONDS = 120  # Python, Qt and the first picture on a loaded 2-core machine
SETTLE_SECONDS = 3.0  # still running this long after READY=1 (the appliance waits 60 s)
BROKEN = '    raise SystemExit("foyer-kiosk: this build is broken on purpose (test)")\n'


# -- Foyer's wheels ------------------------------------------------------------------------------
def build_wheel(out: Path, version: str, broken: bool = False) -> Path:
    """A real wheel of this checkout named `version` (its metadata says so, and common.version
    reads it from there: the status report says it too); `broken`: its foyer-kiosk exits at
    start."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    files: dict[str, bytes] = {}
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*")):
            if path.is_dir() or "__pycache__" in path.parts or path.suffix in (".pyc", ".pyo"):
                continue
            files[path.relative_to(REPO).as_posix()] = path.read_bytes()
    if broken:
        entry = b"def main(argv: list[str] | None = None) -> int:\n"
        assert entry in files["kiosk/cli.py"]
        files["kiosk/cli.py"] = files["kiosk/cli.py"].replace(entry, entry + BROKEN.encode(), 1)
    requires = [f"Requires-Dist: {r}" for r in project["dependencies"]]
    requires += ["Provides-Extra: tablet"]
    tablet = project["optional-dependencies"]["tablet"]
    requires += [f'Requires-Dist: {r}; extra == "tablet"' for r in tablet]
    metadata = "\n".join(["Requires-Python: >=3.11", *requires]) + "\n"
    scripts = "".join(f"{name} = {target}\n" for name, target in project["scripts"].items())
    return write_wheel(
        out, "foyer", version, files, metadata=metadata,
        entry_points=f"[console_scripts]\n{scripts}", compression=zipfile.ZIP_DEFLATED,
    )  # fmt: skip


TEST_SITE = Path(sysconfig.get_paths()["purelib"])  # this test's venv: PySide6 and friends


def _run(argv: list[str]) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PIP_REQUIRE_VIRTUALENV")}
    done = subprocess.run(argv, capture_output=True, text=True, timeout=600, env=env, check=False)
    if done.returncode != 0:
        raise update.UpdateError(f"{argv[0]} failed: {done.stderr.strip()[-800:]}")


def slot_installer(slot: Path, source: str) -> None:
    """The appliance's installer (a venv at the slot's path, then pip from local files only),
    with the test venv's site-packages visible to it instead of a wheelhouse (module doc)."""
    _run([sys.executable, "-m", "venv", "--without-pip", str(slot)])
    site = (
        slot / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
    )
    (site / "foyer_test_dependencies.pth").write_text(f"{TEST_SITE}\n")
    pip = [str(slot / "bin" / "python"), "-m", "pip", "install", "--no-index", "--no-deps"]
    _run([*pip, "--no-cache-dir", "--disable-pip-version-check", source])


# -- the network, cut on demand ------------------------------------------------------------------
class CuttingProxy:
    """A TCP proxy on loopback: everything passes, except that once armed, the first
    connection whose answer passes `after` bytes is reset there (a cable pulled mid-file)."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.cut_after: int | None = None
        self.cuts = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._closed = threading.Event()
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            threading.Thread(target=self._pump, args=(client, server, False), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, True), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, answers: bool) -> None:
        passed = 0
        source.settimeout(0.2)
        try:
            while not self._closed.is_set():
                try:
                    data = source.recv(16384)
                except TimeoutError:
                    continue
                if not data:
                    break
                if answers:
                    with self._lock:
                        limit = self.cut_after
                        if limit is not None and passed + len(data) > limit:
                            self.cut_after = None
                            self.cuts += 1
                            sink.sendall(data[: max(0, limit - passed)])
                            for sock in (source, sink):
                                with contextlib.suppress(OSError):
                                    sock.setsockopt(
                                        socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                                    )
                                    sock.close()
                            return
                    passed += len(data)
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):  # the other direction's pump ends on it too
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()

    def close(self) -> None:
        self._closed.set()
        self._listener.close()


# -- the tablet as systemd runs it ----------------------------------------------------------------
class Kiosk:
    """What `systemctl restart foyer-kiosk` and the health check do on the appliance: the slot
    `current` points at is started; healthy once it says READY=1 and is still running a moment
    later."""

    def __init__(self, root: Path, data: Path, backend_url: str, logs: Path) -> None:
        self.root, self.data, self.backend_url, self.logs = root, data, backend_url, logs
        self.process: subprocess.Popen[bytes] | None = None
        self.started: list[str] = []
        self._folder = tempfile.TemporaryDirectory(prefix="foyer-notify-")  # short AF_UNIX path
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.notify.bind(str(Path(self._folder.name) / "notify"))
        self.notify.settimeout(0.5)

    def restart(self) -> None:
        self.stop()
        with contextlib.suppress(BlockingIOError, TimeoutError):  # old news from the old one
            while True:
                self.notify.recv(4096, socket.MSG_DONTWAIT)
        version = update.current_version(self.root) or "?"
        self.started.append(version)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        env.update(QT_QPA_PLATFORM="offscreen", NOTIFY_SOCKET=self.notify.getsockname())
        env.pop("WATCHDOG_USEC", None)
        with (self.logs / f"kiosk-{len(self.started)}-{version}.log").open("wb") as log:
            self.process = subprocess.Popen(
                [
                    str(self.root / "current" / "bin" / "foyer-kiosk"),
                    "--windowed",
                    "--backend",
                    self.backend_url,
                    "--data",
                    str(self.data),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=self.logs,
            )

    def healthy(self) -> bool:
        process = self.process
        assert process is not None
        deadline = time.monotonic() + READY_SECONDS
        while time.monotonic() < deadline:
            if process.poll() is not None:
                return False  # exited before its first picture
            try:
                message = self.notify.recv(4096).decode()
            except TimeoutError:
                continue
            if "READY=1" in message.split("\n"):
                time.sleep(SETTLE_SECONDS)
                return process.poll() is None
        return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def close(self) -> None:
        self.stop()
        self.notify.close()
        self._folder.cleanup()


# -- the journey ----------------------------------------------------------------------------------


def wait_for(what: Callable[[], object], seconds: float, describe: str) -> object:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = what()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"{describe}: not within {seconds} s")


@pytest.fixture
def keys(tmp_path: Path) -> dict[str, Path]:
    """The project's release key (made here) and a forger's; the tablet trusts the first."""
    made: dict[str, Path] = {}
    for name in ("release", "forger"):
        private, public = release_signature.generate_keypair()
        folder = tmp_path / f"{name}-keys"
        folder.mkdir()
        (folder / f"{name}.pub").write_bytes(public)
        (folder / f"{name}.pem").write_bytes(private)
        made[name] = folder
    return made


def test_a_tablet_updated_rolled_back_and_protected_by_its_backend(
    tmp_path: Path,
    backend: RunningBackend,
    care_manager: CareManager,
    keys: dict[str, Path],
    caplog: pytest.LogCaptureFixture,
) -> None:
    paired = care_manager.pair_over_http()
    device_id, token = int(str(paired["device_id"])), str(paired["access_token"])
    port = int(backend.url.rsplit(":", 1)[1])
    proxy = CuttingProxy(("127.0.0.1", port))
    data, root, state, wheels, logs = (tmp_path / n for n in ("data", "opt", "st", "w", "logs"))
    for folder in (data, wheels, logs):
        folder.mkdir()
    credentials.save(
        data,
        credentials.DeviceCredential(
            proxy.url, device_id, int(str(paired["beneficiary_id"])), token
        ),
    )
    write_quiet_config(data)
    # The image as built: Foyer 0.1.0 in its slot, the tablet running it.
    update.install_slot(root, "0.1.0", str(build_wheel(wheels, "0.1.0")), slot_installer)
    update.point(root, update.CURRENT, "0.1.0")
    kiosk = Kiosk(root, data, proxy.url, logs)
    agent = Agent(
        data_dir=data,
        root=root,
        trusted_keys=keys["release"],
        state_dir=state,
        restart=kiosk.restart,
        healthy=kiosk.healthy,
        make_installer=lambda _wheels: slot_installer,
    )

    def release(version: str, *, broken: bool = False, key: str = "release") -> int:
        wheel = build_wheel(wheels, version, broken)
        sha, size = release_signature.file_digest(wheel)
        private = (keys[key] / f"{key}.pem").read_bytes()
        signature = release_signature.sign(private, version, sha, size)
        backend.cli("release", "add", str(wheel), "--version", version, "--signature", signature,
                    "--keys-dir", str(keys[key]))  # fmt: skip
        backend.cli("rollout", "create", "--version", version, "--stages", "100",
                    "--failure-min-count", "1")  # fmt: skip
        return size

    def asked(version: str) -> None:
        """The tablet asks for `version` by itself: its sync brought the target."""
        path = data / REQUEST_FILE
        wait_for(
            lambda: path.exists() and json.loads(path.read_text())["version"] == version,
            60,
            f"the tablet asking for {version}",
        )

    def rollouts() -> str:
        return backend.cli("rollout", "list")

    def newest_rollout() -> tuple[str, str, dict[str, int], str]:
        """The newest rollout's (version, state, counts, halted reason), each field whole: a
        count of 10 is not a count of 1."""
        fields = rollouts().splitlines()[0].split("\t")
        counts = {}
        for part in fields[6].split(", "):
            name, _, number = part.rpartition(" ")
            counts[name] = int(number)
        return fields[1], fields[4], counts, fields[7] if len(fields) > 7 else ""

    def counts(installed: int = 0, failed: int = 0, rolled_back: int = 0) -> dict[str, int]:
        return {
            "targeted": 1,
            "pending": 0,
            "installed": installed,
            "failed": failed,
            "rolled back": rolled_back,
        }

    def app_version() -> str | None:
        answer = requests.get(
            f"{backend.url}/api/v1/devices/{device_id}/status",
            headers=care_manager.headers,
            timeout=10,
        )
        return answer.json().get("app_version") if answer.status_code == 200 else None

    try:
        kiosk.restart()
        assert kiosk.healthy(), (logs / "kiosk-1-0.1.0.log").read_text()
        wait_for(lambda: app_version() == "0.1.0", 60, "the tablet's status report (0.1.0)")

        # 0.2.0, good, its download cut halfway and resumed.
        size = release("0.2.0")
        asked("0.2.0")
        proxy.cut_after = size // 2
        with caplog.at_level(logging.INFO, logger="appliance"):
            assert agent.run() is Outcome.INSTALLED
        assert proxy.cuts == 1
        resumed = [r.getMessage() for r in caplog.records if "resuming at" in r.getMessage()]
        assert len(resumed) == 1 and f"of {size} bytes" in resumed[0], caplog.text
        assert update.current_version(root) == "0.2.0"
        assert update.previous_version(root) == "0.1.0"
        assert kiosk.started == ["0.1.0", "0.2.0"]
        assert newest_rollout() == ("0.2.0", "active", counts(installed=1), "")
        wait_for(lambda: app_version() == "0.2.0", 60, "the tablet saying it runs 0.2.0")
        assert not (data / REQUEST_FILE).exists()
        assert token not in caplog.text

        # 0.3.0, whose tablet does not start: back to 0.2.0, and the rollout halted.
        release("0.3.0", broken=True)
        asked("0.3.0")
        assert agent.run() is Outcome.ROLLED_BACK
        assert kiosk.started == ["0.1.0", "0.2.0", "0.3.0", "0.2.0"]
        assert update.current_version(root) == "0.2.0"
        assert kiosk.process is not None and kiosk.process.poll() is None
        broken_log = (logs / "kiosk-3-0.3.0.log").read_text()
        assert "broken on purpose" in broken_log
        assert newest_rollout() == (
            "0.3.0",
            "halted",
            counts(rolled_back=1),
            "Arrêté automatiquement : 1 échec sur 1 tablette (100 %) — dernier : "
            "La version 0.3.0 n'a pas démarré correctement ; retour à la version 0.2.0.",
        )

        # 0.4.0, signed by a key the tablet does not trust (the backend was made to take it).
        running = kiosk.process
        release("0.4.0", key="forger")
        asked("0.4.0")
        assert agent.run() is Outcome.FAILED
        assert kiosk.process is running and running.poll() is None, "never restarted"
        assert update.current_version(root) == "0.2.0"
        assert not (root / "slots" / "0.4.0").exists()
        assert list((state / "downloads").iterdir()) == []
        assert newest_rollout() == (
            "0.4.0",
            "halted",
            counts(failed=1),
            "Arrêté automatiquement : 1 échec sur 1 tablette (100 %) — dernier : "
            "Signature invalide : cette version n'est pas signée par la clé de Foyer.",
        )
        assert app_version() == "0.2.0"
    finally:
        kiosk.close()
        proxy.close()
