"""What the backend answers to a write from the outbox, for the feature that asked.

The outbox (kiosk.outbox.flush) only needs to know that a write was taken; a few writes have an
answer worth showing: "mood_sharing" answers `{"paused", "since"}` (the pause as the backend
now holds it). `AnsweringClient` is the outbox's `DeviceClient`, which hands each 2xx answer to
whoever listens for that action type (`listen`). Listeners are called on the outbox's worker
thread: they pass it to the GUI thread themselves (a Qt signal).

Loaded with the HTTP library, after the first picture (kiosk.controller._enter_paired).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import requests

from kiosk.device_client import DeviceClient

log = logging.getLogger(__name__)

Listener = Callable[[dict[str, Any], dict[str, Any]], None]  # (what was sent, the answer)


class AnsweringClient(DeviceClient):
    def __init__(self, session: requests.Session, backend_url: str, access_token: str) -> None:
        super().__init__(session, backend_url, access_token)
        self._listeners: dict[str, list[Listener]] = {}

    def listen(self, action_type: str, listener: Listener) -> None:
        """Call `listener(data, answer)` after each write of `action_type` the backend took."""
        self._listeners.setdefault(action_type, []).append(listener)

    def post_action(
        self, action_type: str, data: dict[str, Any], idempotency_key: str
    ) -> tuple[int, dict[str, Any]]:
        status, body = super().post_action(action_type, data, idempotency_key)
        if 200 <= status < 300:
            for listener in self._listeners.get(action_type, ()):
                try:
                    listener(dict(data), dict(body))
                except Exception:  # a listener's fault must not hold the outbox up
                    log.exception("outbox: the listener of %s failed", action_type)
        return status, body
