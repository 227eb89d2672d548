"""Credentials: passwords, pairing-code guessing and device revocation.

The real application on SQLite, with the production password hasher (no cheap test hasher).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import argon2
import pytest
from sqlalchemy import select

from backend.models import Device, User
from tests.api.factories import (
    API,
    PASSWORD,
    all_cells,
    approve,
    authorize_device,
    pair_device,
    session_of,
)
from tests.security.backend_app import OPERATIONS, running_app

# OWASP Password Storage Cheat Sheet, argon2id: at least m=19 MiB, t=2, p=1.
MIN_MEMORY_KIB = 19 * 1024
MIN_TIME_COST = 2


def test_passwords_are_stored_as_argon2id_with_strong_parameters(tmp_path: Path) -> None:
    """A real account's stored password: argon2id, memory ≥ 19 MiB, ≥ 2 passes, salted, and
    the password appears in no table."""
    with running_app(tmp_path) as app:
        with session_of(app.client) as session:
            stored = session.scalars(select(User.password_hash)).one()
        params = argon2.extract_parameters(stored)
        assert params.type is argon2.Type.ID
        assert params.memory_cost >= MIN_MEMORY_KIB
        assert params.time_cost >= MIN_TIME_COST
        assert params.salt_len >= 16 and params.hash_len >= 32
        assert not any(PASSWORD in cell for cell in all_cells(app.client))


def test_pairing_code_guessing_is_rate_limited_and_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A care manager typing wrong pairing codes: 404 five times, then 429 with Retry-After even
    for the right code, each wrong guess and the block logged with the account."""
    with running_app(tmp_path) as app:
        grant = authorize_device(app.client)
        wrong = "BBBB-BBBB" if grant["user_code"] != "BBBB-BBBB" else "CCCC-CCCC"
        with caplog.at_level(logging.WARNING, logger="backend.services.pairing"):
            statuses = [
                approve(app.client, app.cm, wrong, app.beneficiary_id).status_code for _ in range(5)
            ]
            blocked = approve(app.client, app.cm, grant["user_code"], app.beneficiary_id)
        assert statuses == [404] * 5
        assert blocked.status_code == 429
        assert int(blocked.headers["Retry-After"]) > 0
        assert "Trop de codes erronés" in blocked.json()["detail"]
        wrong_logs = [r for r in caplog.records if "wrong user code" in r.getMessage()]
        assert len(wrong_logs) == 5
        assert all(str(app.cm.id) in r.getMessage() for r in wrong_logs)
        assert any("blocked" in r.getMessage() for r in caplog.records)
        # The code itself never reaches the log (it would let a reader pair the tablet).
        assert not any(grant["user_code"] in r.getMessage() for r in caplog.records)


PAIRING = ("/api/v1/device/authorize", "/api/v1/device/token")  # before any credential
DEVICE_OPERATIONS = [
    (method, path)
    for method, path in OPERATIONS
    if path.startswith("/api/v1/device/") and path not in PAIRING
]


def test_a_revoked_credential_is_refused_everywhere_at_once(tmp_path: Path) -> None:
    """A revoked tablet credential gets 401 on every device endpoint of the schema at its next
    request; the other tablet of the same home keeps working."""
    assert len(DEVICE_OPERATIONS) >= 5
    with running_app(tmp_path) as app:
        client = app.client
        kept = pair_device(client, app.cm, app.beneficiary_id)
        revoke = client.post(f"{API}/devices/{app.device_id}/revoke", headers=app.cm.headers)
        assert revoke.status_code == 200, revoke.text
        for method, path in DEVICE_OPERATIONS:
            # Every path id a well-formed one (photo_id, call_id…): a malformed id is refused
            # before the credential is looked at, and this is about the credential.
            url = re.sub(r"\{\w+\}", "1", path)
            for token, expected in ((app.device_token, {401}), (kept["access_token"], None)):
                response = client.request(
                    method,
                    url,
                    headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "k" * 16},
                    json={},
                )
                if expected:
                    assert response.status_code in expected, (method, path, response.text)
                else:
                    assert response.status_code != 401, (method, path, response.text)
        with session_of(client) as session:
            device = session.get(Device, app.device_id)
            assert device is not None and device.revoked_at is not None
