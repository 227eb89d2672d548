"""Pairing a tablet with the OAuth 2.0 Device Authorization Grant (RFC 8628), end to end."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from backend.models import Device, DeviceAuthorization, RateLimit
from backend.security import USER_CODE_ALPHABET, secret_digest
from backend.services.pairing import device_for_credential
from tests.api.conftest import Clock, MakeClient
from tests.api.factories import (
    API,
    CLIENT_ID,
    DEVICE_GRANT,
    CareManager,
    all_cells,
    approve,
    authorize_device,
    care_manager,
    checked_when_sent,
    create_beneficiary,
    device_headers,
    pair_device,
    poll_token,
    session_of,
    sync,
)

USER_CODE = re.compile(f"^[{USER_CODE_ALPHABET}]{{4}}-[{USER_CODE_ALPHABET}]{{4}}$")
WRONG_CODE = "Ce code ne correspond à aucune tablette en attente."


def _error(response: Any) -> str:
    assert response.headers["Cache-Control"] == "no-store"
    body = response.json()
    assert set(body) == {"error", "error_description"}
    error: str = body["error"]
    return error


def _typed(user_code: str) -> str:
    """How a care manager may well type the code shown on the tablet."""
    return user_code.replace("-", "").lower()


def _stored_interval(client: TestClient) -> int:
    with session_of(client) as session:
        interval: int = session.scalars(select(DeviceAuthorization.interval_seconds)).one()
    return interval


# --- device authorization request (§3.1, §3.2) ----------------------------------------------


def test_authorize_returns_the_rfc_8628_fields(client: TestClient) -> None:
    response = client.post(f"{API}/device/authorize", data={"client_id": CLIENT_ID})

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    grant = response.json()
    assert set(grant) == {
        "device_code",
        "user_code",
        "verification_uri",
        "verification_uri_complete",
        "expires_in",
        "interval",
    }
    assert USER_CODE.match(grant["user_code"]), grant["user_code"]
    assert grant["verification_uri"] == "http://foyer.test/pair"
    assert grant["verification_uri_complete"].startswith(grant["verification_uri"] + "?")
    assert grant["verification_uri_complete"].endswith(grant["user_code"])
    assert grant["expires_in"] == 600
    assert grant["interval"] == 5
    # §5.2: the device code is a high-entropy secret (256 bits here), not a short code.
    assert len(grant["device_code"]) >= 43
    assert grant["user_code"].replace("-", "") not in grant["device_code"]


def test_every_authorization_gets_its_own_codes(client: TestClient) -> None:
    grants = [authorize_device(client) for _ in range(20)]

    assert len({g["device_code"] for g in grants}) == 20
    assert len({g["user_code"] for g in grants}) == 20
    assert all(USER_CODE.match(g["user_code"]) for g in grants)


def test_authorize_without_client_id_is_invalid_request(client: TestClient) -> None:
    response = client.post(f"{API}/device/authorize", data={})

    assert response.status_code == 400
    assert _error(response) == "invalid_request"


def test_authorize_with_an_unknown_client_is_invalid_client(client: TestClient) -> None:
    response = client.post(f"{API}/device/authorize", data={"client_id": "someone-else"})

    assert response.status_code == 401
    assert _error(response) == "invalid_client"


@pytest.mark.parametrize(
    ("form", "status", "error"),
    [
        ({"device_code": "x", "client_id": CLIENT_ID}, 400, "invalid_request"),
        ({"grant_type": DEVICE_GRANT, "client_id": CLIENT_ID}, 400, "invalid_request"),
        (
            {"grant_type": "password", "device_code": "x", "client_id": CLIENT_ID},
            400,
            "unsupported_grant_type",
        ),
        (
            {"grant_type": DEVICE_GRANT, "device_code": "x", "client_id": "other"},
            401,
            "invalid_client",
        ),
        (
            {"grant_type": DEVICE_GRANT, "device_code": "fyc_unknown", "client_id": CLIENT_ID},
            400,
            "invalid_grant",
        ),
    ],
    ids=["no-grant-type", "no-device-code", "wrong-grant-type", "wrong-client", "unknown-code"],
)
def test_bad_token_requests(
    client: TestClient, form: dict[str, str], status: int, error: str
) -> None:
    response = client.post(f"{API}/device/token", data=form)

    assert response.status_code == status
    assert _error(response) == error


# --- the whole flow -------------------------------------------------------------------------


def test_pairing_end_to_end_with_pending_and_slow_down(
    clocked_client: TestClient, clock: Clock, cm: CareManager, beneficiary_id: int
) -> None:
    client = clocked_client
    grant = authorize_device(client)
    code = grant["device_code"]

    first = poll_token(client, code)
    assert first.status_code == 400
    assert _error(first) == "authorization_pending"

    clock.advance(1)  # faster than the 5 s interval
    slow = poll_token(client, code)
    assert _error(slow) == "slow_down"
    assert slow.json()["error_description"] == "Poll at most every 10 s."
    assert _stored_interval(client) == 10  # +5 s, kept in the database for the next poll
    clock.advance(10)  # polling at the new pace is fine
    assert _error(poll_token(client, code)) == "authorization_pending"
    clock.advance(6)  # would have been fine at 5 s: the slow_down lasts
    assert _error(poll_token(client, code)) == "slow_down"
    assert _stored_interval(client) == 15

    approved = approve(client, cm, _typed(grant["user_code"]), beneficiary_id)
    assert approved.status_code == 200, approved.text
    answer = approved.json()
    # The tablet's own maintenance PIN, returned this once (only its hash is kept).
    pin = answer.pop("maintenance_pin")
    assert len(pin) == 6 and pin.isdigit()
    assert answer == {"status": "approved", "beneficiary_id": beneficiary_id}

    clock.advance(15)
    issued = poll_token(client, code)
    assert issued.status_code == 200, issued.text
    assert issued.headers["Cache-Control"] == "no-store"
    body = issued.json()
    assert body["token_type"] == "Bearer"
    assert body["beneficiary_id"] == beneficiary_id
    assert len(body["access_token"]) >= 43

    # The credential works for the device protocol, for this beneficiary.
    synced = sync(client, body["access_token"])
    assert synced.status_code == 200
    assert synced.json()["beneficiary"]["id"] == beneficiary_id
    devices = client.get(f"{API}/beneficiaries/{beneficiary_id}/devices", headers=cm.headers)
    assert [d["id"] for d in devices.json()] == [body["device_id"]]
    assert devices.json()[0]["name"] == f"Tablette {grant['user_code']}"

    # Single use: replaying the device code gives nothing, however long one waits.
    clock.advance(60)
    replay = poll_token(client, code)
    assert replay.status_code == 400
    assert _error(replay) == "invalid_grant"
    assert "access_token" not in replay.text


def test_the_first_poll_after_approval_gets_the_credential(
    clocked_client: TestClient, cm: CareManager, beneficiary_id: int
) -> None:
    """A tablet that never polled too fast is never told to slow down."""
    grant = authorize_device(clocked_client)

    assert approve(clocked_client, cm, grant["user_code"], beneficiary_id).status_code == 200

    assert poll_token(clocked_client, grant["device_code"]).status_code == 200


def test_denied_pairing_is_access_denied(
    clocked_client: TestClient, clock: Clock, cm: CareManager, beneficiary_id: int
) -> None:
    grant = authorize_device(clocked_client)

    denied = clocked_client.post(
        f"{API}/devices/deny", json={"user_code": grant["user_code"]}, headers=cm.headers
    )

    assert denied.status_code == 200
    assert denied.json()["status"] == "denied"
    for _ in range(2):
        clock.advance(5)
        response = poll_token(clocked_client, grant["device_code"])
        assert response.status_code == 400
        assert _error(response) == "access_denied"
    # A refused code cannot be approved afterwards.
    assert approve(clocked_client, cm, grant["user_code"], beneficiary_id).status_code == 404


def test_expired_code_is_expired_token_and_cannot_be_approved(
    clocked_client: TestClient, clock: Clock, cm: CareManager, beneficiary_id: int
) -> None:
    grant = authorize_device(clocked_client)

    clock.advance(599)
    assert _error(poll_token(clocked_client, grant["device_code"])) == "authorization_pending"
    clock.advance(1)
    expired = poll_token(clocked_client, grant["device_code"])
    assert expired.status_code == 400
    assert _error(expired) == "expired_token"

    late = approve(clocked_client, cm, grant["user_code"], beneficiary_id)
    assert late.status_code == 404
    assert WRONG_CODE in late.json()["detail"]
    clock.advance(5)
    assert _error(poll_token(clocked_client, grant["device_code"])) == "expired_token"


def test_short_code_ttl_from_settings(make_client: MakeClient, clock: Clock) -> None:
    client = make_client(clock=clock, pairing_code_ttl_seconds=30, pairing_poll_interval_seconds=2)
    grant = authorize_device(client)

    assert (grant["expires_in"], grant["interval"]) == (30, 2)
    clock.advance(2)
    assert _error(poll_token(client, grant["device_code"])) == "authorization_pending"
    clock.advance(2)  # exactly the interval: allowed
    assert _error(poll_token(client, grant["device_code"])) == "authorization_pending"
    clock.advance(26)
    assert _error(poll_token(client, grant["device_code"])) == "expired_token"


def test_a_code_is_approved_only_once(
    clocked_client: TestClient, cm: CareManager, beneficiary_id: int
) -> None:
    grant = authorize_device(clocked_client)
    other = create_beneficiary(clocked_client, cm, first_name="Autre")["id"]

    assert approve(clocked_client, cm, grant["user_code"], beneficiary_id).status_code == 200
    again = approve(clocked_client, cm, grant["user_code"], other)

    assert again.status_code == 404
    issued = poll_token(clocked_client, grant["device_code"]).json()
    assert issued["beneficiary_id"] == beneficiary_id


def test_approving_for_another_care_managers_beneficiary_leaves_the_code_pending(
    clocked_client: TestClient, cm: CareManager, beneficiary_id: int
) -> None:
    intruder = care_manager(clocked_client)
    grant = authorize_device(clocked_client)

    refused = approve(clocked_client, intruder, grant["user_code"], beneficiary_id)

    assert refused.status_code == 404
    assert refused.json()["detail"] == "Bénéficiaire introuvable."
    assert _error(poll_token(clocked_client, grant["device_code"])) == "authorization_pending"
    # The rightful care manager can still approve it.
    assert approve(clocked_client, cm, grant["user_code"], beneficiary_id).status_code == 200


# --- guessing user codes (§5.1) -------------------------------------------------------------


def test_wrong_codes_are_404_then_429_and_the_count_is_kept(
    make_client: MakeClient, clock: Clock
) -> None:
    worker_a = make_client(clock=clock)
    worker_b = make_client(clock=clock)
    cm = care_manager(worker_a)
    other_cm = care_manager(worker_a)
    beneficiary_id = create_beneficiary(worker_a, cm)["id"]
    grant = authorize_device(worker_a)
    wrong = "BBBB-BBBB" if grant["user_code"] != "BBBB-BBBB" else "CCCC-CCCC"

    for typed in [wrong, "AAAA-AAAA", "short", wrong, wrong]:
        response = approve(worker_a, cm, typed, beneficiary_id)
        assert response.status_code == 404, response.text
        assert WRONG_CODE in response.json()["detail"]

    # Each 404 was committed, not rolled back with the error answer.
    with session_of(worker_a) as session:
        counter = session.get(RateLimit, f"pair:{cm.id}")
        assert counter is not None
        assert counter.count == 5

    # Blocked now, even for the right code, and on every worker.
    for worker in (worker_a, worker_b):
        blocked = approve(worker, cm, grant["user_code"], beneficiary_id)
        assert blocked.status_code == 429
        assert "Trop de codes erronés" in blocked.json()["detail"]
        assert 0 < int(blocked.headers["Retry-After"]) <= 901
    assert _error(poll_token(worker_a, grant["device_code"])) == "authorization_pending"
    clock.advance(5)

    # The limit is per care manager: a colleague is not locked out.
    theirs = create_beneficiary(worker_b, other_cm)["id"]
    assert approve(worker_b, other_cm, grant["user_code"], theirs).status_code == 200

    # After the window, the care manager may try again.
    clock.advance(900)
    fresh = authorize_device(worker_b)
    assert approve(worker_b, cm, fresh["user_code"], beneficiary_id).status_code == 200


def test_max_wrong_codes_comes_from_settings(make_client: MakeClient) -> None:
    client = make_client(pairing_max_wrong_codes=2)
    cm = care_manager(client)
    beneficiary_id = create_beneficiary(client, cm)["id"]
    grant = authorize_device(client)
    wrong = "BBBB-BBBB" if grant["user_code"] != "BBBB-BBBB" else "CCCC-CCCC"

    assert [approve(client, cm, wrong, beneficiary_id).status_code for _ in range(3)] == [
        404,
        404,
        429,
    ]


# --- what is stored, and revocation ---------------------------------------------------------


def test_the_credential_works_as_soon_as_the_tablet_receives_it(
    clocked_client: TestClient, cm: CareManager, beneficiary_id: int
) -> None:
    """The credential must be committed before the token response goes out: when it was not,
    a freshly paired tablet's first sync over a real server was refused (401, so it wipes
    itself and shows the pairing screen again) in several percent of pairings."""
    grant = authorize_device(clocked_client)
    assert approve(clocked_client, cm, grant["user_code"], beneficiary_id).status_code == 200
    usable_when_sent: list[bool] = []

    def check(body: bytes) -> None:
        credential = json.loads(body)["access_token"]
        with session_of(clocked_client) as session:
            usable_when_sent.append(device_for_credential(session, credential) is not None)

    tablet = TestClient(checked_when_sent(clocked_client.app, check))
    issued = poll_token(tablet, grant["device_code"])

    assert issued.status_code == 200
    assert usable_when_sent == [True]


def test_secrets_are_stored_hashed(
    clocked_client: TestClient, cm: CareManager, beneficiary_id: int
) -> None:
    grant = authorize_device(clocked_client)
    assert approve(clocked_client, cm, grant["user_code"], beneficiary_id).status_code == 200
    issued = poll_token(clocked_client, grant["device_code"]).json()
    credential = issued["access_token"]

    with session_of(clocked_client) as session:
        device = session.get(Device, issued["device_id"])
        assert device is not None
        assert device.credential_hash == secret_digest(credential)
        request = session.scalars(select(DeviceAuthorization)).one()
        assert request.device_code_hash == secret_digest(grant["device_code"])
        assert request.user_code == grant["user_code"].replace("-", "")
        assert request.status == "consumed"
        assert request.device_id == device.id
    cells = all_cells(clocked_client)
    assert not any(credential in cell for cell in cells)
    assert not any(grant["device_code"] in cell for cell in cells)


def test_revoked_device_gets_401(
    clocked_client: TestClient, clock: Clock, cm: CareManager, beneficiary_id: int
) -> None:
    revoked = pair_device(clocked_client, cm, beneficiary_id)
    kept = pair_device(clocked_client, cm, beneficiary_id)
    assert sync(clocked_client, revoked["access_token"]).status_code == 200

    response = clocked_client.post(
        f"{API}/devices/{revoked['device_id']}/revoke", headers=cm.headers
    )

    assert response.status_code == 200
    assert response.json()["revoked_at"] is not None
    refused = sync(clocked_client, revoked["access_token"])
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"] == "Bearer"
    assert "revoked" in refused.json()["detail"]
    # Long-polls are refused too, and the other tablet of the same home keeps working.
    assert sync(clocked_client, revoked["access_token"], cursor="0", wait=5).status_code == 401
    assert sync(clocked_client, kept["access_token"]).status_code == 200
    devices = clocked_client.get(
        f"{API}/beneficiaries/{beneficiary_id}/devices", headers=cm.headers
    ).json()
    assert [(d["id"], d["revoked_at"] is not None) for d in devices] == [
        (revoked["device_id"], True),
        (kept["device_id"], False),
    ]
    # Revoking again changes nothing; an unknown device is not found.
    again = clocked_client.post(f"{API}/devices/{revoked['device_id']}/revoke", headers=cm.headers)
    assert again.json()["revoked_at"] == response.json()["revoked_at"]
    assert clocked_client.post(f"{API}/devices/99999/revoke", headers=cm.headers).status_code == 404


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer "}, {"Authorization": "Basic abc"}, device_headers("fyd_nope")],
    ids=["none", "empty", "basic", "unknown"],
)
def test_sync_needs_a_device_credential(client: TestClient, headers: dict[str, str]) -> None:
    response = client.get(f"{API}/device/sync", headers=headers)

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_a_care_managers_token_is_not_a_device_credential(client: TestClient) -> None:
    cm = care_manager(client)
    create_beneficiary(client, cm)

    assert client.get(f"{API}/device/sync", headers=cm.headers).status_code == 401
