"""A real backend process with a care manager, a beneficiary and a paired tablet credential,
for the photo and weather services' end-to-end tests (no Qt window needed)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

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
