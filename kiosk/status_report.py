"""The tablet tells its backend how it is: version, free disk, last error, queued writes.

Off the GUI thread, on the shared scheduler (kiosk.background's pattern): `report_soon()`
(called after a successful sync) posts at most once per `every` seconds; a report that fails
is simply retried at the next occasion, since the next one carries fresher news anyway.
"""

from __future__ import annotations

import logging
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_STOPPED

from common.version import __version__
from provisioning.http import CONNECT_TIMEOUT, READ_TIMEOUT

log = logging.getLogger(__name__)

REPORT_EVERY = 300.0  # seconds
STATUS_JOB = "status"
MAX_ERROR = 2000


@dataclass(frozen=True)
class Status:
    app_version: str
    free_disk_bytes: int | None
    last_error: str | None
    outbox_pending: int
    config_version: int | None
    # When this tablet applied `config_version` (the console says "appliquée à 10 h 12").
    config_applied_at: datetime | None = None

    def as_json(self) -> dict[str, Any]:
        applied = self.config_applied_at
        return {
            "app_version": self.app_version,
            "free_disk_bytes": self.free_disk_bytes,
            "last_error": self.last_error[:MAX_ERROR] if self.last_error else None,
            "outbox_pending": self.outbox_pending,
            "config_version": self.config_version,
            "config_applied_at": applied.isoformat() if applied is not None else None,
        }


def free_disk(path: Path) -> int | None:
    try:
        return shutil.disk_usage(path).free
    except OSError:
        return None


def post_status(
    session: requests.Session, backend_url: str, access_token: str, status: Status
) -> bool:
    """True when the backend took it (204)."""
    try:
        response = session.post(
            f"{backend_url.rstrip('/')}/api/v1/device/status",
            json=status.as_json(),
            headers={"Authorization": f"Bearer {access_token}"},
            timeout=(CONNECT_TIMEOUT, READ_TIMEOUT),
        )
    except requests.RequestException as exc:
        log.info("status report not sent: %s", exc)
        return False
    if response.status_code != 204:
        log.info("status report refused: HTTP %s", response.status_code)
        return False
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
