"""A real backend process with a care manager, a beneficiary and a paired tablet credential,
for the services' end-to-end tests, and what the tests of a real controller against it share."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

from provisioning import credentials
from provisioning.pairing import PairingClient
from tests.e2e.conftest import RunningBackend, start_backend


@dataclass
class Paired:
    backend: RunningBackend
    headers: dict[str, str]  # the care manager's
    beneficiary_id: int
    access_token: str  # the tablet's


@contextmanager
def paired_backend(
    data_dir: Path,
    session: requests.Session,
    beneficiary: dict[str, Any] | None = None,
    extra_args: tuple[str, ...] = (),
) -> Iterator[Paired]:
    backend = start_backend(data_dir, extra_args=extra_args)
    try:
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
        person = {"first_name": "Jeanne", "last_name": "Martin", "timezone": "Europe/Paris"}
        created = requests.post(
            backend.url + "/api/v1/beneficiaries",
            json={**person, **(beneficiary or {})},
            headers=headers,
            timeout=10,
        )
        assert created.status_code in (200, 201), created.text
        beneficiary_id = int(created.json()["id"])
        pairing = PairingClient(session, backend.url)
        code = pairing.request_code(datetime.now(UTC))
        approved = requests.post(
            backend.url + "/api/v1/devices/approve",
            json={"user_code": code.user_code, "beneficiary_id": beneficiary_id},
            headers=headers,
            timeout=10,
        )
        assert approved.status_code == 200, approved.text
        error, body = pairing.poll(code.device_code)
        assert error is None, body
        yield Paired(backend, headers, beneficiary_id, str(body["access_token"]))
    finally:
        backend.stop()


def api(paired: Paired, method: str, path: str, **kwargs: Any) -> Any:
    """The care manager's API call; a 4xx or 5xx fails the test with the backend's words."""
    response = requests.request(
        method, paired.backend.url + "/api/v1" + path, headers=paired.headers, timeout=10,
        **kwargs,
    )  # fmt: skip
    assert response.status_code < 400, response.text
    return response.json() if response.content else None


def quiet_tablet(paired: Paired, data: Path) -> None:
    """The paired tablet's credential saved in `data` for a real controller, and its
    configuration made quiet whatever the hour the test runs at: no night
    mode, no mood question over the screens."""
    [device] = api(paired, "GET", f"/beneficiaries/{paired.beneficiary_id}/devices")
    api(
        paired,
        "PUT",
        f"/devices/{device['id']}/config",
        json={"document": {"night_start": "00:00", "night_end": "00:00", "mood_times": []}},
    )
    data.mkdir(exist_ok=True)
    credentials.save(
        data,
        credentials.DeviceCredential(
            paired.backend.url, device["id"], paired.beneficiary_id, paired.access_token
        ),
    )
