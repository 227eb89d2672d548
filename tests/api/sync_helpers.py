"""A beneficiary with a paired tablet, and the tablet's long-poll sync in a thread."""

from __future__ import annotations

import threading
import time
from typing import Any

from fastapi.testclient import TestClient

from tests.api.factories import (
    CareManager,
    create_beneficiary,
    create_event,
    pair_device,
    state_of,
    sync,
    wait_until,
)


class Home:
    """A beneficiary with a paired tablet, as the care manager and the tablet see them."""

    def __init__(self, client: TestClient, cm: CareManager, **fields: Any) -> None:
        self.client = client
        self.cm = cm
        self.beneficiary = create_beneficiary(client, cm, **fields)
        self.id: int = self.beneficiary["id"]
        self.credential: str = pair_device(client, cm, self.id)["access_token"]

    def sync(self, **params: Any) -> dict[str, Any]:
        response = sync(self.client, self.credential, **params)
        assert response.status_code == 200, response.text
        assert response.headers["Cache-Control"] == "no-store"
        payload: dict[str, Any] = response.json()
        return payload

    def add_event(self, **fields: Any) -> dict[str, Any]:
        return create_event(self.client, self.cm, self.id, **fields)


class LongPoll(threading.Thread):
    """A sync request with `wait`, in a thread, as the tablet's sync job sends it."""

    def __init__(self, client: TestClient, credential: str, cursor: str, wait: float) -> None:
        super().__init__(daemon=True)
        self.client, self.credential, self.cursor, self.wait = client, credential, cursor, wait
        self.response: Any = None
        self.finished_at = 0.0

    def run(self) -> None:
        self.response = sync(self.client, self.credential, cursor=self.cursor, wait=self.wait)
        self.finished_at = time.monotonic()

    def result(self) -> dict[str, Any]:
        self.join(timeout=self.wait + 10)
        assert not self.is_alive(), "the long-poll never answered"
        assert self.response.status_code == 200, self.response.text
        payload: dict[str, Any] = self.response.json()
        return payload


def wait_for_long_poll(client: TestClient) -> None:
    wait_until(lambda: state_of(client).hub.waiting_count() == 1)
