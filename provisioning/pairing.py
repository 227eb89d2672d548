"""Pairing the tablet with the backend: the client side of RFC 8628.

No Qt here. `run_pairing` drives the whole flow on a worker thread and reports through
callbacks; the GUI turns those into signals.
"""

from __future__ import annotations

import contextlib
import json
import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests

from common.atomic_file import write_atomically
from common.backoff import full_jitter
from provisioning.credentials import DeviceCredential
from provisioning.http import CONNECT_TIMEOUT, READ_TIMEOUT

log = logging.getLogger(__name__)

CLIENT_ID = "foyer-kiosk"
GRANT_TYPE = "urn:ietf:params:oauth:grant-type:device_code"
SLOW_DOWN_STEP = 5
MAX_POLL_INTERVAL = 60.0


@dataclass(frozen=True)
class PairingCode:
    device_code: str
    user_code: str
    verification_uri: str
    verification_uri_complete: str
    expires_at: datetime
    interval: float


CODE_FILE = "pairing_code.json"


class SavedCode:
    """The code on screen, kept on disk until it expires or ends: a tablet restarted (or
    unplugged) while someone types its code in the console resumes polling that same code
    instead of drawing a new one, so that the approval reaches it. Mode 0600: the device code
    is what claims the credential."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / CODE_FILE

    def save(self, code: PairingCode, backend_url: str) -> None:
        record = {
            "backend_url": backend_url,
            "device_code": code.device_code,
            "user_code": code.user_code,
            "verification_uri": code.verification_uri,
            "verification_uri_complete": code.verification_uri_complete,
            "expires_at": code.expires_at.astimezone(UTC).isoformat(),
            "interval": code.interval,
        }
        try:
            write_atomically(self.path, json.dumps(record).encode("utf-8"), mode=0o600)
        except OSError as exc:  # the code still works until the tablet restarts
            log.error("pairing: could not keep the code on disk: %s", exc)

    def load(self, backend_url: str, now: datetime) -> PairingCode | None:
        """The saved code if it is for this backend and still valid, else None."""
        try:
            record = json.loads(self.path.read_text(encoding="utf-8"))
            code = PairingCode(
                device_code=str(record["device_code"]),
                user_code=str(record["user_code"]),
                verification_uri=str(record["verification_uri"]),
                verification_uri_complete=str(record["verification_uri_complete"]),
                expires_at=datetime.fromisoformat(record["expires_at"]),
                interval=float(record["interval"]),
            )
            same_backend = record["backend_url"] == backend_url
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("pairing: saved code unreadable (%s); a new one is drawn", exc)
            return None
        if code.expires_at.tzinfo is None or not same_backend or now >= code.expires_at:
            return None
        return code

    def erase(self) -> None:
        with contextlib.suppress(OSError):
            self.path.unlink(missing_ok=True)


class PairingUnavailable(Exception):
    """The backend cannot be reached or answered nonsense; try again later."""


class PairingClient:
    """The two RFC 8628 requests. Takes the HTTP session so tests can pass anything."""

    def __init__(self, session: requests.Session, backend_url: str) -> None:
        self._session = session
        self.backend_url = backend_url.rstrip("/")

    def request_code(self, now: datetime) -> PairingCode:
        body = self._post("/api/v1/device/authorize", {"client_id": CLIENT_ID})
        try:
            return PairingCode(
                device_code=str(body["device_code"]),
                user_code=str(body["user_code"]),
                verification_uri=str(body["verification_uri"]),
                verification_uri_complete=str(
                    body.get("verification_uri_complete") or body["verification_uri"]
                ),
                expires_at=now + timedelta(seconds=int(body["expires_in"])),
                interval=float(body.get("interval", 5)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise PairingUnavailable(f"unexpected authorization response: {exc}") from exc

    def poll(self, device_code: str) -> tuple[str | None, dict[str, Any]]:
        """(error code, body): error is None when the body carries the credential."""
        body = self._post(
            "/api/v1/device/token",
            {"grant_type": GRANT_TYPE, "device_code": device_code, "client_id": CLIENT_ID},
            accept_errors=True,
        )
        error = body.get("error")
        return (str(error) if error else None), body

    def _post(self, path: str, form: dict[str, str], accept_errors: bool = False) -> dict[str, Any]:
        try:
            response = self._session.post(
                self.backend_url + path, data=form, timeout=(CONNECT_TIMEOUT, READ_TIMEOUT)
            )
        except requests.RequestException as exc:
            raise PairingUnavailable(str(exc)) from exc
        if response.status_code >= 500 or (response.status_code >= 400 and not accept_errors):
            raise PairingUnavailable(f"HTTP {response.status_code} from {path}")
        try:
            body = response.json()
        except ValueError as exc:
            raise PairingUnavailable(f"non-JSON answer from {path}") from exc
        if not isinstance(body, dict):
            raise PairingUnavailable(f"unexpected answer from {path}")
        return body


@dataclass
class PairingCallbacks:
    on_code: Callable[[PairingCode], None]
    on_problem: Callable[[str, float], None]  # reason, seconds before the next attempt
    on_denied: Callable[[], None]


def _now() -> datetime:
    return datetime.now(UTC)


def run_pairing(
    client: PairingClient,
    callbacks: PairingCallbacks,
    stop: threading.Event,
    now: Callable[[], datetime] = _now,
    rng: random.Random | None = None,
    saved: SavedCode | None = None,
) -> DeviceCredential | None:
    """Show codes and poll until approved. Returns None only when `stop` is set.

    With `saved`, a code still valid from before a restart is shown and polled again, and each
    new code is kept until it ends."""
    rng = rng or random.Random()
    failures = 0
    while not stop.is_set():
        code = saved.load(client.backend_url, now()) if saved is not None else None
        if code is not None:
            log.info("pairing: resuming the code shown before the restart")
        else:
            try:
                code = client.request_code(now())
            except PairingUnavailable as exc:
                failures += 1
                delay = full_jitter(failures, base=2.0, cap=60.0, rng=rng)
                log.warning("pairing: cannot get a code (%s); retry in %.0f s", exc, delay)
                callbacks.on_problem(str(exc), delay)
                stop.wait(delay)
                continue
            if saved is not None:
                saved.save(code, client.backend_url)
        failures = 0
        callbacks.on_code(code)
        outcome = _poll_until_done(client, code, callbacks, stop, now)
        if outcome is not None and saved is not None:
            saved.erase()  # approved, expired or refused: never shown again
        if isinstance(outcome, DeviceCredential):
            return outcome
        if outcome == "access_denied":
            callbacks.on_denied()
            stop.wait(10.0)  # let the refusal be read before a new code appears
    return None


def _poll_until_done(
    client: PairingClient,
    code: PairingCode,
    callbacks: PairingCallbacks,
    stop: threading.Event,
    now: Callable[[], datetime],
) -> DeviceCredential | str | None:
    """Poll one code. The credential, or the reason to start again with a fresh code."""
    interval = code.interval
    while not stop.wait(interval):
        if now() >= code.expires_at:
            return "expired_token"
        try:
            error, body = client.poll(code.device_code)
        except PairingUnavailable as exc:
            # §3.5: on a connection problem, poll less often (doubling, capped).
            interval = min(interval * 2, MAX_POLL_INTERVAL)
            log.warning("pairing: poll failed (%s); next poll in %.0f s", exc, interval)
            continue
        if error is None:
            try:
                return DeviceCredential(
                    backend_url=client.backend_url,
                    device_id=int(body["device_id"]),
                    beneficiary_id=int(body["beneficiary_id"]),
                    access_token=str(body["access_token"]),
                )
            except (KeyError, TypeError, ValueError):
                log.error("pairing: token response without a usable credential")
                return "invalid_response"
        if error == "authorization_pending":
            continue
        if error == "slow_down":
            interval += SLOW_DOWN_STEP  # for good, as §3.5 requires
            continue
        log.info("pairing: code ended with %s", error)
        return error  # expired_token, access_denied, invalid_grant…
    return None
