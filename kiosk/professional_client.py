"""The tablet's side of the professionals' entry: send the PIN typed on the pad, get back who
it is and the health messages addressed to them. No Qt; the HTTP session is injected.

`POST /api/v1/device/professional/messages {"pin"}` with the tablet's credential
(backend/api/device_professional.py). Called off the GUI thread by
`kiosk.professional_service.ProfessionalService`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import requests

from kiosk.client_errors import Revoked, Unreachable
from kiosk.professional_view import OpenVisit, Professional
from provisioning.http import CONNECT_TIMEOUT

# The backend checks every PIN of the circle with Argon2: a few seconds at most, even on a
# small server; more than this and the professional is better told to try again.
READ_TIMEOUT = 20.0
PATH = "/api/v1/device/professional/messages"

__all__ = ["Identified", "PinRefused", "ProfessionalClient", "Revoked", "Unreachable"]


@dataclass(frozen=True)
class Identified:
    professional: Professional
    messages: tuple[dict[str, Any], ...]  # as the backend sent them (plain text bodies)


class PinRefused(Exception):
    """The backend answered about this PIN: wrong (403), shared (409), malformed (422) or too
    many wrong ones (429, with `retry_after` seconds). `message` is French, for the screen."""

    def __init__(self, status: int, message: str, retry_after: float = 0.0) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.retry_after = retry_after

    @property
    def wrong_pin(self) -> bool:
        return self.status == 403

    @property
    def rate_limited(self) -> bool:
        return self.status == 429


def _retry_after(response: requests.Response) -> float:
    try:
        return max(0.0, float(response.headers.get("Retry-After", "0")))
    except ValueError:
        return 60.0  # an HTTP date or nonsense: a minute is a fair rest


def _detail(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    detail = body.get("detail") if isinstance(body, dict) else None
    return detail if isinstance(detail, str) else ""


def _instant(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _open_visit(raw: Any) -> OpenVisit | None:
    """The professional's arrival still open here (an older backend says nothing: None)."""
    if not isinstance(raw, dict):
        return None
    arrived = _instant(raw.get("arrived_at"))
    if arrived is None:
        return None
    event_id = raw.get("event_id")
    return OpenVisit(
        arrived_at=arrived,
        event_id=event_id if isinstance(event_id, int) and not isinstance(event_id, bool) else None,
        occurrence_start=_instant(raw.get("occurrence_start")),
    )


def _professional(body: Any) -> Identified:
    try:
        who = body["professional"]
        professional = Professional(
            user_id=int(who["user_id"]),
            name=str(who["name"]),
            may_record_visit=who["may_record_visit"] is True,
            may_view_instructions=who["may_view_instructions"] is True,
            open_visit=_open_visit(who.get("open_visit")),
        )
        messages = tuple(m for m in body["messages"] if isinstance(m, dict))
    except (KeyError, TypeError, ValueError) as exc:
        raise Unreachable("unexpected professional answer") from exc
    return Identified(professional, messages)


class ProfessionalClient:
    def __init__(self, session: requests.Session, backend_url: str, access_token: str) -> None:
        self._session = session
        self._url = backend_url.rstrip("/") + PATH
        self._headers = {"Authorization": f"Bearer {access_token}"}

    def identify(self, pin: str) -> Identified:
        """Identified; PinRefused for an answer about the PIN; Revoked on 401; Unreachable for
        no usable answer (network, 5xx, nonsense)."""
        try:
            response = self._session.post(
                self._url,
                json={"pin": pin},
                headers=self._headers,
                timeout=(CONNECT_TIMEOUT, READ_TIMEOUT),
            )
        except requests.RequestException as exc:
            raise Unreachable(str(exc)) from exc
        status = response.status_code
        if status == 401:
            raise Revoked()
        if status in (403, 409, 422, 429):
            retry = _retry_after(response) if status == 429 else 0.0
            raise PinRefused(status, _detail(response), retry)
        if status != 200:
            raise Unreachable(f"HTTP {status}")
        try:
            body = response.json()
        except ValueError as exc:
            raise Unreachable("non-JSON professional answer") from exc
        return _professional(body)
