"""The tablet tells its backend how it is: version, free disk, last error, queued writes, and
its health for the signs of life (docs/device-protocol.md, "Status report"): the screen on or
off and why, the last touch, when the app started and how many times today, free memory, the
disk's size, the last error as a code, and the touches per local hour not yet acknowledged.

Off the GUI thread, on the shared scheduler (kiosk.background's pattern): `report_soon()`
(called after a successful sync) posts at most once per `every` seconds; a report that fails
is simply retried at the next occasion, since the next one carries fresher news anyway.

A backend older than the tablet refuses the health fields it does not know (422): the report
is then sent again with the fields every backend takes, so that the console still sees the
version and the configuration; the touch counts wait for a backend that takes them.

Each answer's `Date` tells how far the tablet's clock is from its backend's (`ClockCheck`):
more than `CLOCK_TOLERANCE` off, the next report's error code is "clock_wrong" (the backend
refuses a mood or an answer dated more than 5 minutes ahead of its own clock).
"""

from __future__ import annotations

import email.utils
import logging
import re
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import requests
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_STOPPED

from common.version import __version__
from provisioning.http import CONNECT_TIMEOUT, READ_TIMEOUT

log = logging.getLogger(__name__)

REPORT_EVERY = 300.0  # seconds
STATUS_JOB = "status"
MAX_ERROR = 2000
MAX_TOUCH_HOURS = 24 * 14
# Below this much free space the tablet's last error is "disk_full" (the outbox and the local
# store cannot commit much longer).
DISK_FULL_BYTES = 50_000_000
MEMINFO = Path("/proc/meminfo")

ScreenOffReason = Literal["night", "schedule"]
# The fields every backend takes; the others are the health (a backend older than the tablet
# refuses them with 422).
BASE_FIELDS = (
    "app_version",
    "free_disk_bytes",
    "last_error",
    "outbox_pending",
    "config_version",
    "config_applied_at",
)


@dataclass(frozen=True)
class Status:
    app_version: str
    free_disk_bytes: int | None
    last_error: str | None
    outbox_pending: int
    config_version: int | None
    # When this tablet applied `config_version` (the console says "appliquée à 10 h 12").
    config_applied_at: datetime | None = None
    # The tablet's health (each None when unknown).
    screen_on: bool | None = None
    screen_off_reason: ScreenOffReason | None = None
    screen_off_until: datetime | None = None
    last_touch_at: datetime | None = None
    started_at: datetime | None = None
    restarts_today: int | None = None
    memory_available_bytes: int | None = None
    disk_total_bytes: int | None = None
    last_error_code: str | None = None
    # Completed local hours with their touch counts (aware start of the hour, count): counts
    # only, never what was touched.
    touches: tuple[tuple[datetime, int], ...] = ()

    def as_json(self) -> dict[str, Any]:
        def instant(moment: datetime | None) -> str | None:
            return moment.isoformat() if moment is not None else None

        return {
            "app_version": self.app_version,
            "free_disk_bytes": self.free_disk_bytes,
            "last_error": self.last_error[:MAX_ERROR] if self.last_error else None,
            "outbox_pending": self.outbox_pending,
            "config_version": self.config_version,
            "config_applied_at": instant(self.config_applied_at),
            "screen_on": self.screen_on,
            "screen_off_reason": self.screen_off_reason if self.screen_on is False else None,
            "screen_off_until": instant(self.screen_off_until) if self.screen_on is False else None,
            "last_touch_at": instant(self.last_touch_at),
            "started_at": instant(self.started_at),
            "restarts_today": self.restarts_today,
            "memory_available_bytes": self.memory_available_bytes,
            "disk_total_bytes": self.disk_total_bytes,
            "last_error_code": self.last_error_code,
            "touches": [
                {"hour": hour.isoformat(), "count": count}
                for hour, count in self.touches[-MAX_TOUCH_HOURS:]
            ],
        }

    def base_json(self) -> dict[str, Any]:
        """Only the fields every backend takes."""
        full = self.as_json()
        return {key: full[key] for key in BASE_FIELDS}


def free_disk(path: Path) -> int | None:
    try:
        return shutil.disk_usage(path).free
    except OSError:
        return None


def disk_total(path: Path) -> int | None:
    try:
        return shutil.disk_usage(path).total
    except OSError:
        return None


def memory_available(meminfo: Path = MEMINFO) -> int | None:
    """MemAvailable from /proc/meminfo, in bytes (None where there is no such file)."""
    try:
        with meminfo.open(encoding="ascii") as lines:
            for line in lines:
                if line.startswith("MemAvailable:"):
                    value, *unit = line.split(":", 1)[1].split()
                    factor = 1024 if unit and unit[0].lower() == "kb" else 1
                    return int(value) * factor
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    return None


# The backend takes a tablet's times up to 5 minutes ahead of its own clock: further off than
# this (either way), the tablet's clock is wrong.
CLOCK_TOLERANCE = timedelta(minutes=5)


class ClockCheck:
    """How far the tablet's clock is from its backend's, from the `Date` header of the
    backend's last answer (to the second: enough to tell minutes off)."""

    def __init__(self, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._clock = clock
        self.offset: timedelta | None = None  # the tablet's clock minus the backend's

    def observe(self, date_header: str | None) -> None:
        if not date_header:
            return  # a proxy that drops it: nothing learnt, the last offset stands
        try:
            backend_now = email.utils.parsedate_to_datetime(date_header)
        except (TypeError, ValueError, IndexError):
            return
        if backend_now.tzinfo is not None:
            self.offset = self._clock() - backend_now

    @property
    def wrong(self) -> bool:
        return self.offset is not None and abs(self.offset) > CLOCK_TOLERANCE


# The tablet's one clock, as its status reports find it (the controller's `error_code` reads it).
CLOCK = ClockCheck()

# The tablet's notes of its last problem (KioskController.note_error and friends), as the codes
# the backend says in words (backend/services/device_health.py, ERROR_CODES).
BACKEND_UNREACHABLE = "backend_unreachable"
CLOCK_WRONG = "clock_wrong"
CONFIG_REFUSED = "config_refused"
DISK_FULL = "disk_full"
UNEXPECTED = "unexpected_error"
ERROR_CODE = re.compile(r"[a-z][a-z0-9_]{0,39}")  # what the backend takes as a code


def error_code(
    last_error: str | None,
    *,
    online: bool,
    free_disk_bytes: int | None = None,
    clock: ClockCheck = CLOCK,
) -> str | None:
    """The code of the tablet's current problem, or None when all is well. An unreachable
    backend is no longer a problem once it answers again; a nearly full disk, then a clock
    off its backend's, are one whatever the last note said."""
    if free_disk_bytes is not None and free_disk_bytes < DISK_FULL_BYTES:
        return DISK_FULL
    if clock.wrong:
        return CLOCK_WRONG
    if not last_error:
        return None
    text = last_error.strip()
    if text == BACKEND_UNREACHABLE:
        return None if online else BACKEND_UNREACHABLE
    if text.startswith("configuration ") and "refusée" in text:
        return CONFIG_REFUSED
    if text.startswith("exception inattendue"):
        return UNEXPECTED
    if ERROR_CODE.fullmatch(text):
        return text  # already a code (note_error("photo_download_failed"))
    return UNEXPECTED


def post_status(
    session: requests.Session,
    backend_url: str,
    access_token: str,
    status: Status,
    accepted: Callable[[Status], None] | None = None,
    clock: ClockCheck = CLOCK,
) -> bool:
    """True when the backend took it (204). `accepted` is called when it took the whole report
    (the touch counts in it can be forgotten); not when only the base fields went through.
    Any answer tells `clock` the backend's time."""
    url = f"{backend_url.rstrip('/')}/api/v1/device/status"
    headers = {"Authorization": f"Bearer {access_token}"}
    try:
        response = session.post(
            url, json=status.as_json(), headers=headers, timeout=(CONNECT_TIMEOUT, READ_TIMEOUT)
        )
        clock.observe(response.headers.get("Date"))
        if response.status_code == 422:
            log.info("status report: the backend refused the health fields; sent without them")
            response = session.post(
                url,
                json=status.base_json(),
                headers=headers,
                timeout=(CONNECT_TIMEOUT, READ_TIMEOUT),
            )
            if response.status_code != 204:
                log.info("status report refused: HTTP %s", response.status_code)
            return response.status_code == 204
    except requests.RequestException as exc:
        log.info("status report not sent: %s", exc)
        return False
    if response.status_code != 204:
        log.info("status report refused: HTTP %s", response.status_code)
        return False
    if accepted is not None:
        accepted(status)
    return True


class StatusReporter:
    """`collect` runs on the worker thread (it reads the disk and the outbox)."""

    def __init__(
        self,
        collect: Callable[[], Status],
        send: Callable[[Status], bool],
        scheduler: BackgroundScheduler,
        every: float = REPORT_EVERY,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._collect = collect
        self._send = send
        self._scheduler = scheduler
        self._every = timedelta(seconds=every)
        self._clock = clock
        self._lock = threading.Lock()
        self._last_sent: datetime | None = None
        self._stopped = False
        self._busy = False  # a run is scheduled or under way
        self._again = False  # news arrived while it was: one more run after it

    def report_soon(self) -> None:
        self._report(urgent=False)

    def report_now(self) -> None:
        """A report without waiting out `every`: news the care manager is looking at (a new
        configuration applied), not the routine one."""
        self._report(urgent=True)

    def _report(self, *, urgent: bool) -> None:
        with self._lock:
            if self._stopped or self._scheduler.state == STATE_STOPPED:
                return
            recent = self._last_sent is not None and self._clock() - self._last_sent < self._every
            if recent and not urgent:
                return
            self._last_sent = self._clock()  # a report is on its way: no second one
            if self._busy:
                # One is being sent with what was true a moment ago: send again right after
                # (scheduling a second run now would be skipped by the scheduler and lost).
                self._again = True
                return
            self._busy = True
        self._scheduler.add_job(self._run, id=STATUS_JOB, replace_existing=True)

    def stop(self) -> None:
        with self._lock:
            self._stopped = True

    def _run(self) -> None:
        while True:
            try:
                sent = self._send(self._collect())
            except Exception:
                log.exception("status report failed")
                sent = False
            with self._lock:
                if not sent:
                    self._last_sent = None  # try again after the next sync
                if self._again and not self._stopped:
                    self._again = False
                    continue
                self._busy = False
                return


def version() -> str:
    return __version__
