"""Helpers that drive the API the way the console and the tablet do."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend import db
from backend.api.deps import AppState
from backend.models import Base
from backend.services import accounts

PASSWORD = "un mot de passe solide"
CLIENT_ID = "foyer-kiosk"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
API = "/api/v1"

_numbers = itertools.count(1)


@dataclass(frozen=True)
class CareManager:
    id: int
    email: str
    headers: dict[str, str]


def state_of(client: TestClient) -> AppState:
    state: AppState = client.app.state.foyer  # type: ignore[attr-defined]
    return state


def session_of(client: TestClient) -> Session:
    """A session on the application's own database (use as a context manager)."""
    return state_of(client).sessions()


def create_user(
    client: TestClient, email: str | None = None, password: str = PASSWORD, name: str = "Claire"
) -> tuple[int, str]:
    email = email or f"cm{next(_numbers)}@foyer.test"
    with db.session_scope(state_of(client).sessions) as session:
        user = accounts.create_user(session, email, password, name, "care_manager")
        return user.id, user.email


def login(client: TestClient, email: str, password: str = PASSWORD) -> dict[str, str]:
    response = client.post(f"{API}/auth/token", data={"username": email, "password": password})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer"
    return {"Authorization": f"Bearer {body['access_token']}"}


def care_manager(client: TestClient, email: str | None = None) -> CareManager:
    user_id, email = create_user(client, email)
    return CareManager(user_id, email, login(client, email))


def create_beneficiary(client: TestClient, cm: CareManager, **fields: Any) -> dict[str, Any]:
    body = {"first_name": "Jeanne", "last_name": "Martin", **fields}
    response = client.post(f"{API}/beneficiaries", json=body, headers=cm.headers)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def create_event(
    client: TestClient, cm: CareManager, beneficiary_id: int, **fields: Any
) -> dict[str, Any]:
    body = {
        "title": "Passage de l'infirmière",
        "start": "2026-11-23T09:00:00",
        "duration_minutes": 30,
        **fields,
    }
    response = client.post(
        f"{API}/beneficiaries/{beneficiary_id}/events", json=body, headers=cm.headers
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def authorize_device(client: TestClient) -> dict[str, Any]:
    response = client.post(f"{API}/device/authorize", data={"client_id": CLIENT_ID})
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def poll_token(client: TestClient, device_code: str) -> Any:
    return client.post(
        f"{API}/device/token",
        data={"grant_type": DEVICE_GRANT, "device_code": device_code, "client_id": CLIENT_ID},
    )


def approve(client: TestClient, cm: CareManager, user_code: str, beneficiary_id: int) -> Any:
    return client.post(
        f"{API}/devices/approve",
        json={"user_code": user_code, "beneficiary_id": beneficiary_id},
        headers=cm.headers,
    )


def pair_device(client: TestClient, cm: CareManager, beneficiary_id: int) -> dict[str, Any]:
    """The whole RFC 8628 flow; returns the token response (access_token, device_id, …)."""
    grant = authorize_device(client)
    approved = approve(client, cm, grant["user_code"], beneficiary_id)
    assert approved.status_code == 200, approved.text
    response = poll_token(client, grant["device_code"])
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def device_headers(credential: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {credential}"}


def sync(client: TestClient, credential: str, **params: Any) -> Any:
    return client.get(f"{API}/device/sync", params=params, headers=device_headers(credential))


def all_cells(client: TestClient) -> list[str]:
    """Every value of every row of every table, as text (to look for leaked secrets)."""
    cells: list[str] = []
    with session_of(client) as session:
        for table in Base.metadata.sorted_tables:
            for row in session.execute(select(table)):
                cells.extend(str(value) for value in row)
    return cells


def wait_until(condition: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(0.01)


def checked_when_sent(app: Any, check: Any) -> Any:
    """The application, wrapped so that `check(body)` runs at the moment the response body goes
    out to the client, i.e. when the client may act on it (a TestClient would only return once
    the whole request, commit included, is over)."""

    async def wrapper(scope: Any, receive: Any, send: Any) -> None:
        async def send_and_check(message: Any) -> None:
            if message["type"] == "http.response.body" and not message.get("more_body"):
                check(message["body"])
            await send(message)

        await app(scope, receive, send_and_check)

    return wrapper
