"""A real `foyer-backend` process on loopback with a care manager, a beneficiary and a paired
tablet, that a fault test may kill (SIGKILL) and start again on the same port and data.
"""

from __future__ import annotations

import signal
import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from tests.e2e.conftest import RunningBackend, free_port, start_backend

API = "/api/v1"
CLIENT_ID = "foyer-kiosk"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
PASSWORD = "correct horse 1"


@dataclass
class Home:
    """The backend process and what the tests need to talk to it."""

    data_dir: Path
    port: int
    process: RunningBackend
    cm_headers: dict[str, str] = field(default_factory=dict)
    beneficiary_id: int = 0
    device_token: str = ""
    device_id: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush; what was not committed is gone."""
        self.process.process.send_signal(signal.SIGKILL)
        self.process.process.wait(timeout=10)

    def restart(self) -> None:
        self.process = start_backend(self.data_dir, self.port)

    def stop(self) -> None:
        """End of a test: SIGKILL is enough (graceful shutdown would wait for long-polls)."""
        if self.process.process.poll() is None:
            self.kill()

    def post(self, path: str, body: object) -> requests.Response:
        return requests.post(self.url + path, json=body, headers=self.cm_headers, timeout=10)

    def rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """Read the backend's own SQLite file (the process may be dead or alive)."""
        with closing(sqlite3.connect(self.data_dir / "foyer.sqlite3", timeout=10)) as conn:
            return list(conn.execute(sql, params).fetchall())


def start_home(data_dir: Path) -> Home:
    port = free_port()
    home = Home(data_dir, port, start_backend(data_dir, port))
    home.process.cli(
        "create-user",
        "--email",
        "cm@example.fr",
        "--password",
        PASSWORD,
        "--name",
        "Claire Dubois",
        "--role",
        "care_manager",
    )
    token = requests.post(
        home.url + f"{API}/auth/token",
        data={"username": "cm@example.fr", "password": PASSWORD},
        timeout=10,
    ).json()["access_token"]
    home.cm_headers = {"Authorization": f"Bearer {token}"}
    beneficiary = home.post(
        f"{API}/beneficiaries",
        {"first_name": "Jeanne", "last_name": "Martin", "timezone": "Europe/Paris"},
    ).json()
    home.beneficiary_id = int(beneficiary["id"])
    grant = requests.post(
        home.url + f"{API}/device/authorize", data={"client_id": CLIENT_ID}, timeout=10
    ).json()
    approved = home.post(
        f"{API}/devices/approve",
        {"user_code": grant["user_code"], "beneficiary_id": home.beneficiary_id},
    )
    assert approved.status_code == 200, approved.text
    issued = requests.post(
        home.url + f"{API}/device/token",
        data={
            "grant_type": DEVICE_GRANT,
            "device_code": grant["device_code"],
            "client_id": CLIENT_ID,
        },
        timeout=10,
    ).json()
    home.device_token = issued["access_token"]
    home.device_id = int(issued["device_id"])
    # Pairing gave the tablet a first configuration (night from 21:30, a check-in at 10:30):
    # these tests run on the real clock and are about faults, not those hours
    # (tests/quiet_tablet.py says why), so the backend's says no night and no check-in too.
    config_url = home.url + f"{API}/devices/{home.device_id}/config"
    version = requests.get(config_url, headers=home.cm_headers, timeout=10).json()["version"]
    quiet = requests.put(
        config_url,
        json={
            "document": {"mood_times": [], "night_start": "07:00", "night_end": "07:00"},
            "expected_version": version,
        },
        headers=home.cm_headers,
        timeout=10,
    )
    assert quiet.status_code == 200, quiet.text
    return home


def integrity(path: Path) -> str:
    """`PRAGMA integrity_check` of an SQLite file: "ok" when it is sound."""
    with closing(sqlite3.connect(path, timeout=10)) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
