"""The updater (appliance/update_agent.py) against a real HTTP server on loopback standing for
the backend: the release file with `Range`, a connection cut halfway, the outcome reports.

Slots are made by a fake installer (a venv's `foyer-kiosk` as a shell script saying whether
it is healthy); the real venv build from a wheel is tested in test_update.py and end to end in
tests/e2e/test_updates_end_to_end.py.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from appliance import update, update_agent
from appliance.update_agent import Agent, Outcome
from common import release_signature
from kiosk.update_window import (
    BUSY_FILE,
    BUSY_STALE_SECONDS,
    OUTCOME_FILE,
    REQUEST_FILE,
    handled_offers,
)
from provisioning import credentials
from tests.wheels import write_wheel

TOKEN = "fyd_secret-device-token-1234567890"
FILE_PATH = "/api/v1/device/releases/3/file"
REPORT_PATH = "/api/v1/device/updates/report"


def foyer_wheel(
    folder: Path,
    version: str,
    padding: int = 300_000,
    *,
    dist: str = "foyer",
    requires: tuple[str, ...] = (),
) -> Path:
    """A real wheel named as Foyer's (or `dist`), big enough for a cut halfway to mean
    something (incompressible padding); `requires`: its Requires-Dist lines."""
    module = dist.replace("-", "_")
    files = {
        f"{module}_probe.py": f"VERSION = {version!r}\n".encode(),
        f"{module}_probe_padding.txt": base64.b64encode(os.urandom(padding)),
    }
    metadata = "".join(f"Requires-Dist: {r}\n" for r in requires)
    return write_wheel(folder, dist, version, files, metadata=metadata)


@dataclass
class Backend:
    """What the updater sees of the backend: the file (Range, cuts) and the report endpoint."""

    body: bytes = b""
    cuts: int = 0  # this many downloads are cut halfway
    ignore_ranges: bool = False  # answer 200 with the whole file to a Range request
    reports_down: bool = False  # the report endpoint answers 503
    etag: str | None = None  # what the ETag says (by default the digest of what is served)
    ranges: list[str | None] = field(default_factory=list)
    reports: list[dict[str, Any]] = field(default_factory=list)
    authorizations: set[str] = field(default_factory=set)


@pytest.fixture
def backend() -> Iterator[tuple[Backend, str]]:
    state = Backend()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            state.authorizations.add(self.headers.get("Authorization", ""))
            if self.path != FILE_PATH:
                self.send_error(404)
                return
            wanted = self.headers.get("Range")
            state.ranges.append(wanted)
            body, start = state.body, 0
            if wanted and not state.ignore_ranges:
                start = int(wanted.removeprefix("bytes=").rstrip("-"))
                if start >= len(body):
                    self.send_response(416)
                    self.send_header("Content-Range", f"bytes */{len(body)}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
            else:
                self.send_response(200)
            chunk = body[start:]
            self.send_header("Content-Length", str(len(chunk)))
            self.send_header("ETag", f'"{state.etag or hashlib.sha256(body).hexdigest()}"')
            self.end_headers()
            if state.cuts > 0:
                state.cuts -= 1
                self.wfile.write(chunk[: len(chunk) // 2])
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(2)  # the cable pulled mid-file
                return
            self.wfile.write(chunk)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            report = json.loads(self.rfile.read(length))
            state.authorizations.add(self.headers.get("Authorization", ""))
            if self.path != REPORT_PATH or state.reports_down:
                self.send_response(503)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            state.reports.append(report)
            answer = b'{"recorded": true}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


HEALTHY = {"1.0": True, "2.0": True, "3.0": False}


class Slots:
    """The fake installer and services (as in test_update.py): a slot's kiosk says its version
    and exits 1 when that version is broken."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.builds: list[tuple[str, str]] = []
        self.started: list[str] = []
        self.last_code = 0
        self.during_build: Any = None

    def installer(self, wheels: Path) -> update.Installer:
        def install(slot: Path, source: str) -> None:
            assert Path(source).parent == wheels and Path(source).name.startswith("foyer-")
            self.builds.append((slot.name, Path(source).name))
            (slot / "bin").mkdir(parents=True)
            kiosk = slot / "bin" / "foyer-kiosk"
            code = 0 if HEALTHY[slot.name] else 1
            kiosk.write_text(f"#!/bin/sh\necho {slot.name}\nexit {code}\n")
            kiosk.chmod(0o755)
            if self.during_build is not None:
                self.during_build()

        return install

    def restart(self) -> None:
        done = subprocess.run(
            [str(self.root / "current" / "bin" / "foyer-kiosk")], capture_output=True, text=True
        )
        self.started.append(done.stdout.strip())
        self.last_code = done.returncode

    def healthy(self) -> bool:
        return self.last_code == 0


@dataclass
class Tablet:
    data: Path
    root: Path
    state: Path
    keys: Path
    private_pem: bytes
    slots: Slots
    backend_url: str
    releases: Path

    def agent(self, **kwargs: Any) -> Agent:
        return Agent(
            data_dir=self.data,
            root=self.root,
            trusted_keys=self.keys,
            state_dir=self.state,
            restart=self.slots.restart,
            healthy=self.slots.healthy,
            make_installer=self.slots.installer,
            sleep=lambda _: None,
            **kwargs,
        )

    def offer(
        self,
        version: str,
        server: Backend,
        *,
        key: bytes | None = None,
        served: bytes | None = None,
        rollout_id: int = 7,
    ) -> dict[str, Any]:
        """A release signed by `key` (the trusted one by default), asked for by the tablet;
        the server serves `served` (the release itself by default)."""
        wheel = foyer_wheel(self.releases, version)
        sha, size = release_signature.file_digest(wheel)
        signature = release_signature.sign(key or self.private_pem, version, sha, size)
        server.body = wheel.read_bytes() if served is None else served
        request = {
            "rollout_id": rollout_id,
            "version": version,
            "filename": wheel.name,
            "size": size,
            "sha256": sha,
            "signature": signature,
            "download": FILE_PATH,
            "quiet_hours": None,
            "backend_url": self.backend_url,
        }
        (self.data / REQUEST_FILE).write_text(json.dumps(request))
        return request

    def outcomes(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = json.loads((self.data / OUTCOME_FILE).read_text())["outcomes"]
        return items

    def leftovers(self) -> list[str]:
        downloads = self.state / "downloads"
        return sorted(p.name for p in downloads.iterdir()) if downloads.exists() else []


@pytest.fixture
def tablet(tmp_path: Path, backend: tuple[Backend, str]) -> Tablet:
    _, url = backend
    data, root, state, keys, releases = (tmp_path / n for n in ("data", "opt", "st", "k", "r"))
    for folder in (data, keys, releases):
        folder.mkdir()
    private_pem, public_pem = release_signature.generate_keypair()
    (keys / "foyer-release-key.pub").write_bytes(public_pem)
    credentials.save(data, credentials.DeviceCredential(url, 4, 1, TOKEN))
    slots = Slots(root)
    first = root / "slots" / "1.0"
    (first / "bin").mkdir(parents=True)
    (first / "bin" / "foyer-kiosk").write_text("#!/bin/sh\necho 1.0\n")
    (first / "bin" / "foyer-kiosk").chmod(0o755)
    (first / update.COMPLETE_MARK).write_text("1.0\n")
    update.point(root, update.CURRENT, "1.0")
    return Tablet(data, root, state, keys, private_pem, slots, url, releases)


def test_a_download_cut_halfway_is_resumed_and_the_update_installed(
    tablet: Tablet, backend: tuple[Backend, str], caplog: pytest.LogCaptureFixture
) -> None:
    server, _ = backend
    request = tablet.offer("2.0", server)
    server.cuts = 1
    with caplog.at_level(logging.DEBUG):
        assert tablet.agent().run() is Outcome.INSTALLED
    first, second = server.ranges
    assert first is None
    kept = int(second.removeprefix("bytes=").rstrip("-"))  # what reached the disk before the cut
    assert 0 < kept <= request["size"] // 2, "the second request continues the first"
    assert tablet.slots.builds == [("2.0", "foyer-2.0-py3-none-any.whl")]
    assert update.current_version(tablet.root) == "2.0"
    assert update.previous_version(tablet.root) == "1.0"
    assert server.reports == [
        {"rollout_id": 7, "version": "2.0", "from_version": "1.0", "outcome": "installed"}
    ]
    assert not (tablet.data / REQUEST_FILE).exists()
    assert handled_offers({"outcomes": tablet.outcomes()}) == {(7, "2.0")}
    assert tablet.leftovers() == [], "the download is not kept once installed"
    assert not list((tablet.state / "reports").iterdir())
    assert server.authorizations == {f"Bearer {TOKEN}"}
    assert TOKEN not in caplog.text


def test_a_download_cut_is_resumed_by_the_next_run(
    tablet: Tablet, backend: tuple[Backend, str]
) -> None:
    """The network stays down: the part kept, the request too; the next run (the timer's, or
    after a reboot) continues where it stopped."""
    server, _ = backend
    request = tablet.offer("2.0", server)
    server.cuts = 1
    assert tablet.agent(download_attempts=1).run() is Outcome.LATER
    part = tablet.state / "downloads" / f"{request['sha256']}.part"
    kept = part.stat().st_size
    assert 0 < kept <= request["size"] // 2
    assert (tablet.data / REQUEST_FILE).exists()
    assert update.current_version(tablet.root) == "1.0"
    assert tablet.agent().run() is Outcome.INSTALLED
    assert server.ranges == [None, f"bytes={kept}-"]


def test_bytes_kept_from_another_file_start_the_download_again(
    tablet: Tablet, backend: tuple[Backend, str]
) -> None:
    """What a .part holds is not the server's file (the release was replaced under the same
    digest's name, a disk error): the resumed file has the wrong digest, so once, from zero."""
    server, _ = backend
    request = tablet.offer("2.0", server)
    downloads = tablet.state / "downloads"
    downloads.mkdir(parents=True)
    (downloads / f"{request['sha256']}.part").write_bytes(b"x" * 1000)
    assert tablet.agent().run() is Outcome.INSTALLED
    assert server.ranges == ["bytes=1000-", None]


def test_a_server_that_ignores_the_range_or_answers_416_starts_from_zero(
    tablet: Tablet, backend: tuple[Backend, str]
) -> None:
    server, _ = backend
    request = tablet.offer("2.0", server)
    downloads = tablet.state / "downloads"
    downloads.mkdir(parents=True)
    part = downloads / f"{request['sha256']}.part"
    part.write_bytes(server.body[:5000])
    server.ignore_ranges = True
    assert tablet.agent().run() is Outcome.INSTALLED
    assert server.ranges == ["bytes=5000-"], "the whole file came in the one answer"

    server.ignore_ranges = False
    second = tablet.offer("3.0", server)
    smaller = server.body
    part = downloads / f"{second['sha256']}.part"
    part.write_bytes(smaller[:100])
    server.body = smaller[:50]  # the server's file is now shorter than what we kept: 416
    assert tablet.agent().run() is Outcome.FAILED
    assert server.ranges[-2:] == ["bytes=100-", None]


def test_a_forged_signature_is_refused_before_any_download(
    tablet: Tablet, backend: tuple[Backend, str]
) -> None:
    server, _ = backend
    forger, _ = release_signature.generate_keypair()
    request = tablet.offer("2.0", server, key=forger)
    downloads = tablet.state / "downloads"
    downloads.mkdir(parents=True)
    (downloads / f"{request['sha256']}.part").write_bytes(server.body[:100])
    assert tablet.agent().run() is Outcome.FAILED
    assert server.ranges == [], "not one byte of a forged release is fetched"
    assert tablet.leftovers() == [], "what an earlier run fetched for it is deleted"
    assert update.current_version(tablet.root) == "1.0"
    assert tablet.slots.builds == []
    (report,) = server.reports
    assert report["outcome"] == "failed"
    assert report["reason"].startswith("Signature invalide")
    assert not (tablet.data / REQUEST_FILE).exists()
    assert handled_offers({"outcomes": tablet.outcomes()}) == {(7, "2.0")}


def test_no_trusted_key_refuses_everything(tablet: Tablet, backend: tuple[Backend, str]) -> None:
    server, _ = backend
    tablet.offer("2.0", server)
    for key in tablet.keys.iterdir():
        key.unlink()
    assert tablet.agent().run() is Outcome.FAILED
    assert server.reports[0]["reason"] == "Aucune clé de publication de confiance sur la tablette."


def test_a_file_other_than_the_signed_one_is_refused_and_deleted(
    tablet: Tablet, backend: tuple[Backend, str]
) -> None:
    """The backend serves other bytes than the signed digest (tampered with on the server, a
    damaged disk): refused whether its ETag says so or not, and nothing of it kept."""
    server, _ = backend
    other = foyer_wheel(tablet.releases, "2.0").read_bytes()  # same size, other padding
    tablet.offer("2.0", server, served=other)
    assert tablet.agent().run() is Outcome.FAILED
    assert server.reports[-1]["reason"] == "Le serveur propose un autre fichier que celui annoncé."
    request = tablet.offer("2.0", server, served=other, rollout_id=8)  # the operator tries again
    server.etag = request["sha256"]  # it even claims to be the signed file
    assert tablet.agent().run() is Outcome.FAILED
    assert server.reports[-1]["outcome"] == "failed"
    assert server.reports[-1]["reason"] == (
        "Fichier reçu différent de celui annoncé (SHA-256 ou taille)."
    )
    assert tablet.slots.builds == []
    assert tablet.leftovers() == []
    assert update.current_version(tablet.root) == "1.0"


def test_busy_tablet_is_not_updated(tablet: Tablet, backend: tuple[Backend, str]) -> None:
    server, _ = backend
    tablet.offer("2.0", server)
    busy = tablet.data / BUSY_FILE
    busy.write_text("123\n")
    assert tablet.agent().run() is Outcome.BUSY
    assert server.ranges == [] and tablet.slots.started == []
    assert (tablet.data / REQUEST_FILE).exists(), "kept: the tablet writes it again once free"
    assert update.current_version(tablet.root) == "1.0"
    # A busy file the tablet stopped refreshing was left by a dead tablet: it does not count.
    old = time.time() - BUSY_STALE_SECONDS - 10
    os.utime(busy, (old, old))
    assert tablet.agent().run() is Outcome.INSTALLED


def test_a_call_starting_during_the_build_delays_the_switch(
    tablet: Tablet, backend: tuple[Backend, str]
) -> None:
    server, _ = backend
    tablet.offer("2.0", server)
    tablet.slots.during_build = lambda: (tablet.data / BUSY_FILE).write_text("1\n")
    assert tablet.agent().run() is Outcome.BUSY
    assert update.current_version(tablet.root) == "1.0" and tablet.slots.started == []
    (tablet.data / BUSY_FILE).unlink()
    assert tablet.agent().run() is Outcome.INSTALLED
    assert len(tablet.slots.builds) == 1, "the complete slot was kept, not built again"
    assert tablet.slots.started == ["2.0"]


def test_an_unhealthy_version_is_rolled_back_and_said(
    tablet: Tablet, backend: tuple[Backend, str]
) -> None:
    server, _ = backend
    tablet.offer("3.0", server)
    assert tablet.agent().run() is Outcome.ROLLED_BACK
    assert tablet.slots.started == ["3.0", "1.0"]
    assert update.current_version(tablet.root) == "1.0"
    (report,) = server.reports
    assert report == {
        "rollout_id": 7,
        "version": "3.0",
        "from_version": "1.0",
        "outcome": "rolled_back",
        "reason": "La version 3.0 n'a pas démarré correctement ; retour à la version 1.0.",
    }
    assert handled_offers({"outcomes": tablet.outcomes()}) == {(7, "3.0")}
    # The tablet, restarted on 1.0 before it could read that outcome, asked again: not retried.
    tablet.offer("3.0", server)
    assert tablet.agent().run() is Outcome.NOTHING
    assert tablet.slots.started == ["3.0", "1.0"] and len(server.reports) == 1
    assert not (tablet.data / REQUEST_FILE).exists()
    # Nor when the kiosk user empties its copy of the outcomes: ours is in the state folder.
    (tablet.data / OUTCOME_FILE).write_text('{"outcomes": []}')
    tablet.offer("3.0", server)
    assert tablet.agent().run() is Outcome.NOTHING
    assert tablet.slots.started == ["3.0", "1.0"] and len(server.reports) == 1


def test_a_report_is_kept_until_the_backend_takes_it(
    tablet: Tablet, backend: tuple[Backend, str]
) -> None:
    server, _ = backend
    tablet.offer("2.0", server)
    server.reports_down = True
    assert tablet.agent().run() is Outcome.INSTALLED
    kept = list((tablet.state / "reports").iterdir())
    assert len(kept) == 1 and server.reports == []
    assert TOKEN not in kept[0].read_text(), "the credential is read when sending, never kept"
    assert kept[0].stat().st_mode & 0o777 == 0o600
    # Later (the timer, or after a reboot: a new process), the backend answers again.
    assert tablet.agent().run() is Outcome.NOTHING
    assert server.reports == []
    server.reports_down = False
    assert tablet.agent().run() is Outcome.NOTHING
    assert [r["outcome"] for r in server.reports] == ["installed"]
    assert list((tablet.state / "reports").iterdir()) == []


def test_an_update_interrupted_after_the_switch_is_finished(
    tablet: Tablet, backend: tuple[Backend, str]
) -> None:
    """A power cut between the switch and the verdict: the next run checks the new version's
    health and keeps it (or goes back)."""
    server, _ = backend
    tablet.offer("2.0", server)

    def power_cut() -> None:
        raise KeyboardInterrupt  # the run dies in the restart; nothing after it happens

    agent = tablet.agent()
    agent.restart = power_cut
    with pytest.raises(KeyboardInterrupt):
        agent.run()
    assert update.current_version(tablet.root) == "2.0"
    assert server.reports == []
    assert tablet.agent().run() is Outcome.NOTHING
    assert tablet.slots.started == ["2.0"]
    assert update.previous_version(tablet.root) == "1.0"
    assert [r["outcome"] for r in server.reports] == ["installed"]
    assert not (tablet.data / REQUEST_FILE).exists()


def test_an_unhealthy_update_interrupted_after_the_switch_goes_back(
    tablet: Tablet, backend: tuple[Backend, str]
) -> None:
    """A power cut between the switch and the verdict, the new version broken: the next run
    checks it, finds it unhealthy, goes back and says so."""
    server, _ = backend
    tablet.offer("3.0", server)

    def power_cut() -> None:
        raise KeyboardInterrupt

    agent = tablet.agent()
    agent.restart = power_cut
    with pytest.raises(KeyboardInterrupt):
        agent.run()
    assert update.current_version(tablet.root) == "3.0"
    assert tablet.agent().run() is Outcome.NOTHING
    assert tablet.slots.started == ["3.0", "1.0"]
    assert update.current_version(tablet.root) == "1.0"
    assert server.reports == [
        {
            "rollout_id": 7,
            "version": "3.0",
            "from_version": "1.0",
            "outcome": "rolled_back",
            "reason": "La version 3.0 n'a pas démarré correctement ; retour à la version 1.0.",
        }
    ]
    assert not (tablet.data / REQUEST_FILE).exists()
    assert not (tablet.state / "applying.json").exists()


def test_a_power_cut_right_after_going_back_never_starts_the_broken_version_again(
    tablet: Tablet, backend: tuple[Backend, str]
) -> None:
    """The verdict "unhealthy" is kept before `current` goes back: the cut during the restart
    on the old version leaves it concluded at the next run, not tried once more."""
    server, _ = backend
    tablet.offer("3.0", server)

    def cut_after_the_first_start() -> None:
        if tablet.slots.started:
            raise KeyboardInterrupt  # the power goes as the old version restarts
        tablet.slots.restart()

    agent = tablet.agent()
    agent.restart = cut_after_the_first_start
    with pytest.raises(KeyboardInterrupt):
        agent.run()
    assert update.current_version(tablet.root) == "1.0"
    assert tablet.slots.started == ["3.0"]
    assert tablet.agent().run() is Outcome.NOTHING
    assert tablet.slots.started == ["3.0"], "the broken version is not started again"
    assert update.current_version(tablet.root) == "1.0"
    assert [(r["outcome"], r["version"]) for r in server.reports] == [("rolled_back", "3.0")]
    assert not (tablet.data / REQUEST_FILE).exists()
    assert handled_offers({"outcomes": tablet.outcomes()}) == {(7, "3.0")}


def test_finishing_an_interrupted_update_waits_while_the_tablet_is_busy(
    tablet: Tablet, backend: tuple[Backend, str]
) -> None:
    """After the power cut, a call began before the updater ran: checking the new version's
    health restarts the tablet, so not now; kept reports still go."""
    server, _ = backend
    tablet.offer("2.0", server)

    def power_cut() -> None:
        raise KeyboardInterrupt

    agent = tablet.agent()
    agent.restart = power_cut
    with pytest.raises(KeyboardInterrupt):
        agent.run()
    kept = {"rollout_id": 5, "version": "1.0", "from_version": "0.9", "outcome": "installed"}
    update_agent.queue_report(tablet.state, tablet.backend_url, 4, kept)
    (tablet.data / BUSY_FILE).write_text("1\n")
    assert tablet.agent().run() is Outcome.BUSY
    assert tablet.slots.started == [], "no restart during the call"
    assert server.reports == [kept]
    (tablet.data / BUSY_FILE).unlink()
    assert tablet.agent().run() is Outcome.NOTHING
    assert tablet.slots.started == ["2.0"]
    assert [r["outcome"] for r in server.reports] == ["installed", "installed"]


def test_malformed_requests_are_removed(tablet: Tablet) -> None:
    path = tablet.data / REQUEST_FILE
    for bad in (
        "{not json",
        json.dumps({"version": "2.0"}),
        json.dumps({**_valid(), "backend_url": "file:///etc"}),
        json.dumps({**_valid(), "download": "//evil.example/x"}),
        json.dumps({**_valid(), "version": "../../etc"}),
        json.dumps({**_valid(), "filename": "../x.whl"}),
    ):
        path.write_text(bad)
        assert tablet.agent().run() is Outcome.NOTHING
        assert not path.exists(), bad


def _valid() -> dict[str, Any]:
    return {
        "rollout_id": 1,
        "version": "2.0",
        "filename": "foyer-2.0-py3-none-any.whl",
        "size": 10,
        "sha256": "0" * 64,
        "signature": "AAAA",
        "download": FILE_PATH,
        "quiet_hours": None,
        "backend_url": "http://127.0.0.1:9",
    }


def test_a_wheel_set_is_unpacked_safely(tmp_path: Path) -> None:
    import io
    import tarfile

    wheel = foyer_wheel(tmp_path, "2.0", padding=10)
    release = tmp_path / "foyer-2.0.tar"
    with tarfile.open(release, "w") as tar:
        tar.add(wheel, arcname="wheels/foyer-2.0-py3-none-any.whl")
        for name, data in (("../../evil-1.0-py3-none-any.whl", b"x"), ("notes.txt", b"y")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo("link-1.0-py3-none-any.whl")
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc/passwd"
        tar.addfile(link)
    into = tmp_path / "out"
    own = update_agent.unpack_wheels(release, into)
    assert own == into / "foyer-2.0-py3-none-any.whl"
    assert sorted(p.name for p in into.iterdir()) == [
        "evil-1.0-py3-none-any.whl",
        "foyer-2.0-py3-none-any.whl",
    ]
    assert not (tmp_path.parent / "evil-1.0-py3-none-any.whl").exists()
    with pytest.raises(update_agent.Refused):
        update_agent.unpack_wheels(tmp_path / "notes.zip", tmp_path / "x")


def test_foyer_apply_update_with_nothing_to_do(tmp_path: Path) -> None:
    from appliance.cli import main as foyer

    data = tmp_path / "data"
    data.mkdir()
    args = ["apply-update", "--data", str(data), "--root", str(tmp_path / "opt")]
    args += ["--state", str(tmp_path / "state"), "--trusted-keys", str(tmp_path / "keys")]
    assert foyer(args) == 0


def test_what_the_kiosk_user_leaves_in_its_folder_cannot_hang_or_fool_root(
    tablet: Tablet, tmp_path: Path
) -> None:
    """The request comes from the unprivileged user's folder: a FIFO would block a plain read
    for ever, a link would make root read another file."""
    path = tablet.data / REQUEST_FILE
    os.mkfifo(path)
    assert tablet.agent().run() is Outcome.NOTHING
    assert not path.exists()
    secret = tmp_path / "root-only"
    secret.write_text(json.dumps(_valid()))
    path.symlink_to(secret)
    assert tablet.agent().run() is Outcome.NOTHING
    assert not path.is_symlink() and secret.exists(), "the link removed, not what it names"
    path.write_text(json.dumps(_valid()) + " " * 70_000)
    assert tablet.agent().run() is Outcome.NOTHING
    assert not path.exists()


def test_an_update_by_hand_under_way_means_later(
    tablet: Tablet, backend: tuple[Backend, str]
) -> None:
    import fcntl

    server, _ = backend
    tablet.offer("2.0", server)
    with open(tablet.root / update.LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # `foyer update` run by a technician
        assert tablet.agent().run() is Outcome.LATER
    assert server.reports == [] and (tablet.data / REQUEST_FILE).exists()
    assert tablet.agent().run() is Outcome.INSTALLED


def test_a_report_kept_from_before_a_new_pairing_is_dropped(
    tablet: Tablet, backend: tuple[Backend, str]
) -> None:
    """Reset and paired again (another device record) while a report waited: it is not the
    new record's to say."""
    server, url = backend
    tablet.offer("2.0", server)
    server.reports_down = True
    assert tablet.agent().run() is Outcome.INSTALLED
    credentials.save(tablet.data, credentials.DeviceCredential(url, 5, 1, "fyd_new"))
    server.reports_down = False
    assert tablet.agent().run() is Outcome.NOTHING
    assert server.reports == []
    assert list((tablet.state / "reports").iterdir()) == []


def test_a_wheel_set_brings_a_newer_dependency_offline(tmp_path: Path) -> None:
    """The appliance's own installer, for real: a venv built by pip with `--no-index` from the
    release's wheels and the wheelhouse only. A release needing a newer dependency than the
    wheelhouse has fails as a lone wheel (nothing switched) and installs as a wheel set, whose
    wheels then join the wheelhouse."""
    import tarfile

    wheelhouse, built = tmp_path / "wheels", tmp_path / "built"
    wheelhouse.mkdir()
    built.mkdir()
    foyer_wheel(wheelhouse, "1.0", padding=10, dist="foyer-dep")  # laid out at image build
    needs = ("foyer-dep>=1.1",)
    lone = foyer_wheel(built, "2.0", padding=10, requires=needs)
    root = tmp_path / "opt"
    installer = update_agent.wheelhouse_installer(wheelhouse, tmp_path / "release-wheels")

    def install(release: Path) -> Path:
        own = update_agent.unpack_wheels(release, tmp_path / "release-wheels")
        return update.install_slot(root, "2.0", str(own), installer)

    with pytest.raises(update.UpdateError, match="foyer-dep"):
        install(lone)
    assert not (root / "slots" / "2.0").exists()

    newer = foyer_wheel(built, "1.1", padding=10, dist="foyer-dep")
    wheel_set = tmp_path / "foyer-2.0.tar"
    with tarfile.open(wheel_set, "w") as tar:
        tar.add(lone, arcname=lone.name)
        tar.add(newer, arcname=newer.name)
    slot = install(wheel_set)
    probe = (
        "import foyer_probe, foyer_dep_probe; print(foyer_probe.VERSION, foyer_dep_probe.VERSION)"
    )
    done = subprocess.run(
        [str(slot / "bin" / "python"), "-c", probe], capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["2.0", "1.1"]
    update_agent.keep_in_wheelhouse(tmp_path / "release-wheels", wheelhouse)
    assert sorted(p.name for p in wheelhouse.iterdir()) == [
        "foyer-2.0-py3-none-any.whl",
        "foyer_dep-1.0-py3-none-any.whl",
        "foyer_dep-1.1-py3-none-any.whl",
    ]


def test_an_older_or_unreadable_version_is_refused_even_signed(
    tablet: Tablet, backend: tuple[Backend, str]
) -> None:
    """A signed release older than the running one may carry holes fixed since: neither the
    kiosk user's request nor a compromised backend takes the tablet back to it."""
    server, _ = backend
    tablet.offer("0.9", server)
    assert tablet.agent().run() is Outcome.FAILED
    assert server.ranges == [] and tablet.slots.builds == []
    assert update.current_version(tablet.root) == "1.0"
    assert server.reports[-1] == {
        "rollout_id": 7,
        "version": "0.9",
        "from_version": "1.0",
        "outcome": "failed",
        "reason": (
            "Version 0.9 plus ancienne que la version en service (1.0) : retour en arrière refusé."
        ),
    }
    assert not (tablet.data / REQUEST_FILE).exists()
    tablet.offer("nightly", server, rollout_id=8)
    assert tablet.agent().run() is Outcome.FAILED
    assert server.reports[-1]["reason"] == "Numéro de version illisible : nightly."
    assert server.ranges == [] and tablet.slots.builds == []


@pytest.mark.parametrize("change", ["withdrawn", "replaced"])
def test_a_request_withdrawn_during_the_build_is_not_switched_to(
    tablet: Tablet, backend: tuple[Backend, str], change: str
) -> None:
    """Quiet hours began, or the rollout was paused, while the slot was built: the tablet
    removed (or rewrote) its request; no switch, no restart."""
    server, _ = backend
    request = tablet.offer("2.0", server)
    path = tablet.data / REQUEST_FILE

    def tablet_changes_its_mind() -> None:
        if change == "withdrawn":
            path.unlink()
        else:
            path.write_text(json.dumps({**request, "rollout_id": 8}))

    tablet.slots.during_build = tablet_changes_its_mind
    assert tablet.agent().run() is Outcome.LATER
    assert update.current_version(tablet.root) == "1.0" and tablet.slots.started == []
    assert server.reports == []
    assert path.exists() is (change == "replaced")


def test_too_little_disk_space_means_later_without_a_download(
    tablet: Tablet, backend: tuple[Backend, str], caplog: pytest.LogCaptureFixture
) -> None:
    server, _ = backend
    request = tablet.offer("2.0", server)
    needed = 2 * request["size"] + update_agent.DISK_MARGIN
    with caplog.at_level(logging.INFO):
        assert tablet.agent(free_space=lambda _: needed - 1).run() is Outcome.LATER
    assert server.ranges == [] and server.reports == []
    assert (tablet.data / REQUEST_FILE).exists()
    assert "place insuffisante sur le disque" in caplog.text
    assert tablet.agent(free_space=lambda _: needed).run() is Outcome.INSTALLED


def test_a_disk_full_during_the_download_gives_the_space_back(
    tablet: Tablet, backend: tuple[Backend, str]
) -> None:
    """ENOSPC for real: the .part is /dev/full (writing to it always fails so)."""
    server, _ = backend
    request = tablet.offer("2.0", server)
    downloads = tablet.state / "downloads"
    downloads.mkdir(parents=True)
    part = downloads / f"{request['sha256']}.part"
    part.symlink_to("/dev/full")
    assert tablet.agent().run() is Outcome.LATER
    assert not part.exists() and not part.is_symlink(), "the .part deleted"
    assert len(server.ranges) == 1, "not tried again on a full disk"
    assert (tablet.data / REQUEST_FILE).exists() and server.reports == []
    assert tablet.agent().run() is Outcome.INSTALLED


def test_what_superseded_offers_left_is_deleted(
    tablet: Tablet, backend: tuple[Backend, str]
) -> None:
    server, _ = backend
    downloads = tablet.state / "downloads"
    (downloads / ("a" * 64) / "wheels").mkdir(parents=True)
    (downloads / ("a" * 64) / "wheels" / "foyer-1.5-py3-none-any.whl").write_bytes(b"w" * 1000)
    (downloads / f"{'b' * 64}.part").write_bytes(b"p" * 1000)
    tablet.offer("2.0", server)
    assert tablet.agent().run() is Outcome.INSTALLED
    assert tablet.leftovers() == []


def test_the_credential_goes_only_to_the_tablets_own_backend(
    tablet: Tablet, backend: tuple[Backend, str]
) -> None:
    """The kiosk user writes the request: one naming another backend (another host, plain
    http) is removed; the token is never sent there."""
    server, url = backend
    request = tablet.offer("2.0", server)
    other = url.replace("127.0.0.1", "localhost")  # the same server under another name
    (tablet.data / REQUEST_FILE).write_text(json.dumps({**request, "backend_url": other}))
    assert tablet.agent().run() is Outcome.NOTHING
    assert server.authorizations == set() and server.ranges == []
    assert not (tablet.data / REQUEST_FILE).exists()
    assert update.current_version(tablet.root) == "1.0"


@pytest.mark.parametrize("kind", ["link", "fifo"])
def test_a_credential_file_that_is_a_link_or_a_fifo_is_not_read(
    tablet: Tablet, backend: tuple[Backend, str], tmp_path: Path, kind: str
) -> None:
    """device.json is in the kiosk user's folder too: root reads it as the request, never
    through a link (to a file root only may read) nor waiting on a FIFO for ever."""
    server, _ = backend
    tablet.offer("2.0", server)
    path = credentials.credential_path(tablet.data)
    elsewhere = tmp_path / "elsewhere.json"
    path.rename(elsewhere)
    if kind == "link":
        path.symlink_to(elsewhere)
    else:
        os.mkfifo(path)
    assert tablet.agent().run() is Outcome.NOTHING, "as unpaired"
    assert server.authorizations == set()
    assert update.current_version(tablet.root) == "1.0"


def test_an_unknown_from_version_is_left_out_of_the_report(
    tablet: Tablet, backend: tuple[Backend, str]
) -> None:
    """A tablet whose running version is not known (no `current` link: installed by hand)
    says nothing of it, rather than "" (which an older backend refused for good)."""
    server, _ = backend
    (tablet.root / "current").unlink()
    tablet.offer("2.0", server)
    assert tablet.agent().run() is Outcome.INSTALLED
    assert server.reports == [{"rollout_id": 7, "version": "2.0", "outcome": "installed"}]


def test_a_request_withdrawn_during_the_download_is_not_built(
    tablet: Tablet, backend: tuple[Backend, str]
) -> None:
    """Withdrawn while the download waited after a cut: nothing built, nothing switched."""
    server, _ = backend
    tablet.offer("2.0", server)
    server.cuts = 1
    agent = tablet.agent()
    agent.sleep = lambda _: (tablet.data / REQUEST_FILE).unlink()  # between two attempts
    assert agent.run() is Outcome.LATER
    assert len(server.ranges) == 2, "the download finished"
    assert tablet.slots.builds == [] and tablet.slots.started == []
    assert update.current_version(tablet.root) == "1.0" and server.reports == []
