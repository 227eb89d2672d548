"""The tablet's side of the sync protocol. No Qt; the session is injected."""

from __future__ import annotations

import contextlib
from typing import Any

import requests

from kiosk.client_errors import CursorExpired, PhotoGone, Revoked, Unreachable, WeatherMissing
from provisioning.http import CONNECT_TIMEOUT, READ_TIMEOUT


class DeviceClient:
    def __init__(self, session: requests.Session, backend_url: str, access_token: str) -> None:
        self._session = session
        self._base = backend_url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {access_token}"}

    def sync(self, cursor: str | None, wait: float) -> dict[str, Any]:
        params: dict[str, str] = {}
        if cursor is not None:
            params["cursor"] = cursor
            if wait > 0:
                params["wait"] = f"{wait:g}"
        try:
            response = self._session.get(
                f"{self._base}/api/v1/device/sync",
                params=params,
                headers=self._headers,
                timeout=(CONNECT_TIMEOUT, READ_TIMEOUT + wait),
            )
        except requests.RequestException as exc:
            raise Unreachable(str(exc)) from exc
        if response.status_code == 401:
            raise Revoked()
        if response.status_code == 410:
            raise CursorExpired()
        if response.status_code != 200:
            raise Unreachable(f"HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError as exc:
            raise Unreachable("non-JSON sync answer") from exc
        if not isinstance(body, dict) or "cursor" not in body:
            raise Unreachable("sync answer without a cursor")
        return body

    def post_action(
        self, action_type: str, data: dict[str, Any], idempotency_key: str
    ) -> tuple[int, dict[str, Any]]:
        """Send one queued write. (status, JSON body) for any answer the backend gave about
        *this* write; Unreachable when there was none (network, 5xx); Revoked on 401."""
        try:
            response = self._session.post(
                f"{self._base}/api/v1/device/actions",
                json={"type": action_type, "data": data},
                headers={**self._headers, "Idempotency-Key": idempotency_key},
                timeout=(CONNECT_TIMEOUT, READ_TIMEOUT),
            )
        except requests.RequestException as exc:
            raise Unreachable(str(exc)) from exc
        if response.status_code == 401:
            raise Revoked()
        if response.status_code >= 500:
            raise Unreachable(f"HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError:
            body = {}
        return response.status_code, body if isinstance(body, dict) else {}

    # -- calls (kiosk.call_service; the call process signals by itself) ---------------------
    def refuse_call(self, call_id: int, reason: str) -> int:
        """`POST /device/calls/{id}/refuse` {"reason": "refused" | "busy"}: the HTTP status
        (200, or 409/404 when the call is no longer there to refuse). Revoked on 401,
        Unreachable without an answer (network, 5xx)."""
        if reason not in ("refused", "busy"):
            raise ValueError(f"unknown refusal reason {reason!r}")
        try:
            response = self._session.post(
                f"{self._base}/api/v1/device/calls/{int(call_id)}/refuse",
                json={"reason": reason},
                headers=self._headers,
                timeout=(CONNECT_TIMEOUT, READ_TIMEOUT),
            )
        except requests.RequestException as exc:
            raise Unreachable(str(exc)) from exc
        if response.status_code == 401:
            raise Revoked()
        if response.status_code >= 500:
            raise Unreachable(f"HTTP {response.status_code}")
        return response.status_code

    # -- photos and weather (kiosk.photo_service, kiosk.weather_service) -------------------
    def photo_file(self, photo_id: int, variant: str) -> bytes:
        """The JPEG of a photo, `variant` "display" or "thumbnail". PhotoGone on 404 (hidden
        or deleted since the last sync), Revoked on 401, Unreachable otherwise."""
        if variant not in ("display", "thumbnail"):
            raise ValueError(f"unknown photo variant {variant!r}")
        url = f"{self._base}/api/v1/device/photos/{int(photo_id)}/{variant}"
        try:
            with self._session.get(
                url, headers=self._headers, timeout=(CONNECT_TIMEOUT, READ_TIMEOUT), stream=True
            ) as response:
                if response.status_code == 401:
                    raise Revoked()
                if response.status_code == 404:
                    raise PhotoGone(photo_id)
                if response.status_code != 200:
                    raise Unreachable(f"HTTP {response.status_code}")
                body = bytearray()
                for chunk in response.iter_content(65536):
                    body.extend(chunk)
                    if len(body) > MAX_PHOTO_BYTES:
                        raise Unreachable("photo larger than any the backend makes")
                return bytes(body)
        except requests.RequestException as exc:
            raise Unreachable(str(exc)) from exc

    def weather(self, etag: str | None = None) -> tuple[dict[str, Any] | None, str | None]:
        """(report, ETag) of `GET /device/weather`; (None, etag) for 304 Not Modified.
        Revoked on 401; Unreachable for anything else (no network, 422 no position, 503)."""
        headers = dict(self._headers)
        if etag:
            headers["If-None-Match"] = etag
        try:
            response = self._session.get(
                f"{self._base}/api/v1/device/weather",
                headers=headers,
                timeout=(CONNECT_TIMEOUT, READ_TIMEOUT),
            )
        except requests.RequestException as exc:
            raise Unreachable(str(exc)) from exc
        if response.status_code == 401:
            raise Revoked()
        if response.status_code == 304:
            return None, response.headers.get("ETag", etag)
        if response.status_code != 200:
            detail = ""
            with contextlib.suppress(ValueError, AttributeError):
                detail = f": {response.json().get('detail', '')}"
            if response.status_code == 422:
                raise WeatherMissing(WeatherMissing.NO_PLACE, f"HTTP 422{detail}")
            if response.status_code == 503:
                raise WeatherMissing(WeatherMissing.SERVICE_DOWN, f"HTTP 503{detail}")
            raise Unreachable(f"HTTP {response.status_code}{detail}")
        try:
            body = response.json()
        except ValueError as exc:
            raise Unreachable("non-JSON weather answer") from exc
        if not isinstance(body, dict):
            raise Unreachable("weather answer is not an object")
        return body, response.headers.get("ETag")


# The backend's display variant is at most 1920×1080 in JPEG: a few MB at the very most.
MAX_PHOTO_BYTES = 20 * 1024 * 1024
