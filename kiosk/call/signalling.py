"""The device endpoints of docs/calls.md, with the tablet's credential. Blocking (requests):
the engine runs each request in a thread of its own so that its loop never waits on one."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import requests

from provisioning.http import CONNECT_TIMEOUT, READ_TIMEOUT, new_session

LONG_POLL_SECONDS = 25.0  # the backend holds a signals request up to 30 s


class Unreachable(Exception):
    """No answer about this request (network, 5xx, garbage)."""


class Refused(Exception):
    """A 4xx: the backend's French sentence (`detail`) and the status."""

    def __init__(self, status: int, sentence: str) -> None:
        super().__init__(f"HTTP {status}: {sentence}")
        self.status = status
        self.sentence = sentence


class CallSignalling:
    def __init__(self, backend_url: str, access_token: str) -> None:
        self._base = backend_url.rstrip("/") + "/api/v1/device/calls"
        self._headers = {"Authorization": f"Bearer {access_token}"}
        # The long-poll and the posts may be in flight at once: a session each.
        self._poll_session = new_session()
        self._post_session = new_session()

    def place(self, user_id: int) -> dict[str, Any]:
        """`{"call": …, "ice_servers": […]}`; Refused 403 (not approved) or 409 (busy)."""
        return self._post(self._base, {"user_id": user_id})

    def answer(self, call_id: int) -> dict[str, Any]:
        """`{"call": …, "ice_servers": […]}`; Refused 409 when no longer ringing."""
        return self._post(f"{self._base}/{int(call_id)}/answer", {})

    def hangup(self, call_id: int, reason: str) -> dict[str, Any]:
        return self._post(f"{self._base}/{int(call_id)}/hangup", {"reason": reason})

    def send_answer(self, call_id: int, sdp: str) -> None:
        self._post(f"{self._base}/{int(call_id)}/signals", {"kind": "answer", "sdp": sdp})

    def signals(self, call_id: int, after: int, wait: float) -> dict[str, Any]:
        """`{"call": …, "signals": [...], "last": N}`: the console's signals after `after`,
        held up to `wait` seconds until one comes or the call's state changes."""
        return self._answer(
            self._poll_session,
            "GET",
            f"{self._base}/{int(call_id)}/signals",
            params={"after": str(int(after)), "wait": f"{wait:g}"},
            timeout=(CONNECT_TIMEOUT, READ_TIMEOUT + wait),
        )

    def _post(self, url: str, body: dict[str, Any]) -> dict[str, Any]:
        return self._answer(
            self._post_session, "POST", url, json=body, timeout=(CONNECT_TIMEOUT, READ_TIMEOUT)
        )

    def _answer(
        self, session: requests.Session, method: str, url: str, **kwargs: Any
    ) -> dict[str, Any]:
        try:
            response = session.request(method, url, headers=self._headers, **kwargs)
        except requests.RequestException as exc:
            raise Unreachable(str(exc)) from exc
        try:
            body = response.json()
        except ValueError:
            body = None
        if 400 <= response.status_code < 500:
            detail = body.get("detail") if isinstance(body, dict) else None
            raise Refused(response.status_code, detail if isinstance(detail, str) else "")
        if response.status_code >= 300 or not isinstance(body, dict):
            raise Unreachable(f"HTTP {response.status_code}")
        return body


class Prefetch:
    """One request started at once in a thread of its own (the process posts its answer while
    Qt and aiortc are still loading); `result()` waits for it. `done_at`: when it came back,
    on the clock given."""

    def __init__(self, request: Callable[[], dict[str, Any]], now: Callable[[], float]) -> None:
        self._request = request
        self._now = now
        self._result: dict[str, Any] | None = None
        self._error: Exception | None = None
        self.done_at: float | None = None
        self._thread = threading.Thread(target=self._run, name="call-first", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._result = self._request()
        except Exception as exc:  # handed to whoever waits for the result
            self._error = exc
        self.done_at = self._now()

    def result(self) -> dict[str, Any]:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._result is not None
        return self._result
