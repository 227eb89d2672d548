"""What the tablet's calls to the backend can fail with, for every module that reacts to it.

Apart from `kiosk.device_client` so that reacting to a failure does not import the HTTP
library: the tablet paints its first screen before it loads `requests` (tablet start time,
docs/performance.md).
"""

from __future__ import annotations


class Unreachable(Exception):
    """No usable answer: network down, backend down, 5xx, or nonsense."""


class WeatherMissing(Unreachable):
    """The backend answered but has no weather to give: `reason` is NO_PLACE (the care
    manager has not set where the person lives, 422) or SERVICE_DOWN (the weather service
    failed and nothing earlier is kept, 503)."""

    NO_PLACE = "no_place"
    SERVICE_DOWN = "service_down"

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(detail or reason)
        self.reason = reason


class Revoked(Exception):
    """401: this tablet's credential is no longer valid."""


class CursorExpired(Exception):
    """410: the backend no longer knows our cursor; a full sync is needed."""


class PhotoGone(Exception):
    """404 for a photo: hidden or deleted since the last sync; it leaves at the next one."""
