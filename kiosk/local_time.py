"""What time it is for the beneficiary: the system clock read in their time zone.

One object shared by the screens (for their clocks) and the controller (which sets the time
zone when the beneficiary's profile arrives by sync). Tests pass their own `source`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from kiosk.store import DEFAULT_TZ


def _system_now() -> datetime:
    return datetime.now(UTC)


class LocalTime:
    def __init__(
        self, tz: ZoneInfo | None = None, source: Callable[[], datetime] = _system_now
    ) -> None:
        self.tz = tz or ZoneInfo(DEFAULT_TZ)
        self._source = source

    def now(self) -> datetime:
        return self._source().astimezone(self.tz)
