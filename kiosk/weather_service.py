"""The weather for the tablet: fetched from the backend off the GUI thread, at start and then
every 30 minutes, and kept so that the screen has something to show offline.

The last good report is kept in memory and in `<data dir>/weather.json` (written atomically),
with the time it was received; at start-up that file is read first, so a tablet that boots
without network still shows the last forecast, with "mis à jour il y a …" (kiosk.weather_view).
An unchanged report costs a 304 (the ETag is sent back). While the backend is unreachable the
fetch is retried sooner, with capped "full jitter" backoff; 401 means revoked.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import random
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_STOPPED
from PySide6.QtCore import QObject, Signal

from common.backoff import full_jitter
from kiosk import weather_file
from kiosk.background import _guarded
from kiosk.client_errors import Revoked, Unreachable
from kiosk.device_client import DeviceClient

log = logging.getLogger(__name__)

WEATHER_JOB = "weather"
REFRESH_SECONDS = 30 * 60  # the backend's own cache lifetime: asking more often gains nothing


class WeatherService(QObject):
    # (report dict, received_at aware UTC datetime): give both to kiosk.weather_view.
    weather_changed = Signal(object, object)
    revoked = Signal()

    def __init__(
        self,
        client: DeviceClient,
        scheduler: BackgroundScheduler,
        data_dir: Path,
        refresh_seconds: float = REFRESH_SECONDS,
        rng: random.Random | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__()
        self._client = client
        self._scheduler = scheduler
        self._path = data_dir / weather_file.FILE_NAME
        self._refresh = refresh_seconds
        self._rng = rng or random.Random()
        self._now = now
        self._lock = threading.RLock()
        self._stopped = threading.Event()
        self._failures = 0
        self._etag: str | None = None
        self._report: dict[str, Any] | None = None
        self._received_at: datetime | None = None
        self._job_ids = itertools.count(1)
        self._pending: Any = None
        self._loaded = False

    @property
    def report(self) -> dict[str, Any] | None:
        return self._report

    @property
    def received_at(self) -> datetime | None:
        return self._received_at

    @property
    def failures(self) -> int:
        return self._failures

    def start(self) -> None:
        with self._lock:
            self._stopped.clear()
            self._schedule_locked(0.0)

    def stop(self) -> None:
        with self._lock:
            self._stopped.set()
            self._cancel_locked()

    def refresh_now(self) -> None:
        with self._lock:
            self._schedule_locked(0.0)

    def wipe(self) -> None:
        """Revoked: forget the place's weather (it says where the person lives)."""
        self.stop()
        with self._lock:
            self._report = self._received_at = self._etag = None
        if self._scheduler.state != STATE_STOPPED:
            self._scheduler.add_job(_guarded("weather-wipe", self._remove_file))

    # -- scheduling -----------------------------------------------------------------------
    def _cancel_locked(self) -> None:
        job, self._pending = self._pending, None
        if job is not None:
            with contextlib.suppress(JobLookupError):
                job.remove()

    def _schedule_locked(self, delay: float) -> None:
        if self._stopped.is_set() or self._scheduler.state == STATE_STOPPED:
            return
        self._cancel_locked()
        job_id = f"{WEATHER_JOB}-{next(self._job_ids)}"
        self._pending = self._scheduler.add_job(
            _guarded(WEATHER_JOB, lambda: self._run(job_id)),
            trigger="date",
            run_date=datetime.now(UTC) + timedelta(seconds=delay),
            id=job_id,
        )

    # -- worker side ----------------------------------------------------------------------
    def _run(self, job_id: str) -> None:
        with self._lock:
            if self._pending is not None and self._pending.id == job_id:
                self._pending = None
        if not self._loaded:
            self._loaded = True
            self._load_file()
        delay = self._refresh
        try:
            report, etag = self._client.weather(self._etag)
        except Revoked:
            self._stopped.set()
            self.revoked.emit()
            return
        except Unreachable as exc:
            self._failures += 1
            delay = min(self._refresh, full_jitter(self._failures, 5.0, 600.0, self._rng))
            log.info("weather: not refreshed (%s); retry in %.0f s", exc, delay)
        else:
            self._failures = 0
            received = self._now()
            with self._lock:
                self._etag = etag
                if report is not None:
                    self._report, self._received_at = report, received
            # A 304 (report None) changes nothing: the values keep their fetched_at.
            if report is not None:
                self._save_file(report, received)
                self.weather_changed.emit(report, received)
        with self._lock:
            self._schedule_locked(delay)

    def _load_file(self) -> None:
        saved = weather_file.read(self._path)
        if saved is None:
            return
        report, received = saved
        with self._lock:
            if self._report is not None:
                return
            self._report, self._received_at = report, received
        self.weather_changed.emit(report, received)

    def _save_file(self, report: dict[str, Any], received: datetime) -> None:
        weather_file.write(self._path, report, received)

    def _remove_file(self) -> None:
        weather_file.remove(self._path)
