"""Real backend processes on loopback for end-to-end tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.qt_threads import qt_on_the_gui_thread_only  # noqa: F401 (autouse: a tablet in-process)

# The backends and tablets started here print every thread's stack if they crash (in their log).
os.environ.setdefault("PYTHONFAULTHANDLER", "1")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RunningBackend:
    url: str
    data_dir: Path
    process: subprocess.Popen[bytes]
    log_path: Path

    def cli(self, *args: str) -> str:
        out = subprocess.run(
            [sys.executable, "-m", "backend.cli", *args, "--data", str(self.data_dir)],
            check=True,
            capture_output=True,
            text=True,
        )
        return out.stdout

    def stop(self, patience: float = 10) -> None:
        """Ctrl-C (uvicorn's graceful shutdown: it waits up to 5 s for open requests), then,
        after `patience` seconds, Ctrl-C again (uvicorn's forced exit), then SIGKILL."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=patience)
            except subprocess.TimeoutExpired:
                self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_backend(
    data_dir: Path, port: int | None = None, extra_args: tuple[str, ...] = ()
) -> RunningBackend:
    data_dir.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    log_path = data_dir / "backend.log"
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "backend.cli",
                "serve",
                "--data",
                str(data_dir),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                *extra_args,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    backend = RunningBackend(f"http://127.0.0.1:{port}", data_dir, process, log_path)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"backend exited early:\n{log_path.read_text()}")
        try:
            if requests.get(backend.url + "/healthz", timeout=1).ok:
                return backend
        except requests.RequestException:
            time.sleep(0.05)
    backend.stop()
    raise RuntimeError(f"backend did not start:\n{log_path.read_text()}")


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[RunningBackend]:
    running = start_backend(tmp_path / "backend")
    yield running
    # A test's end: a tablet's long-poll may still be open, and waiting out uvicorn's graceful
    # shutdown for it (5 s) tells nothing; a backend that stops cleanly does so within 1 s.
    running.stop(patience=1)


@dataclass
class CareManager:
    url: str
    headers: dict[str, str]
    beneficiary_id: int

    def post(self, path: str, json: object) -> requests.Response:
        return requests.post(self.url + path, json=json, headers=self.headers, timeout=10)

    def pair_over_http(self) -> dict[str, object]:
        """A tablet paired to her beneficiary by the RFC 8628 flow over HTTP, as the tablet
        does it: the token answer (access_token, device_id, beneficiary_id)."""
        grant = requests.post(
            self.url + "/api/v1/device/authorize", data={"client_id": "foyer-kiosk"}, timeout=10
        ).json()
        approved = self.post(
            "/api/v1/devices/approve",
            {"user_code": grant["user_code"], "beneficiary_id": self.beneficiary_id},
        )
        assert approved.status_code == 200, approved.text
        token = requests.post(
            self.url + "/api/v1/device/token",
            data={
                "grant_type": "urn:ietf:params:oauth:grant-type:device_code",
                "device_code": grant["device_code"],
                "client_id": "foyer-kiosk",
            },
            timeout=10,
        )
        assert token.status_code == 200, token.text
        answer: dict[str, object] = token.json()
        return answer


@pytest.fixture
def care_manager(backend: RunningBackend) -> CareManager:
    backend.cli(
        "create-user",
        "--email",
        "cm@example.fr",
        "--password",
        "correct horse 1",
        "--name",
        "Claire Dubois",
        "--role",
        "care_manager",
    )
    token = requests.post(
        backend.url + "/api/v1/auth/token",
        data={"username": "cm@example.fr", "password": "correct horse 1"},
        timeout=10,
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    beneficiary = requests.post(
        backend.url + "/api/v1/beneficiaries",
        json={"first_name": "Jeanne", "last_name": "Martin", "timezone": "Europe/Paris"},
        headers=headers,
        timeout=10,
    ).json()
    return CareManager(backend.url, headers, beneficiary["id"])
