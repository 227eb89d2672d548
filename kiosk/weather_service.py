"""The weather for the tablet: fetched from the backend off the GUI thread, at start and then
every 30 minutes, and kept so that the screen has something to show offline.

The last good report is kept in memory and in `<data dir>/weather.json` (written atomically),
with the time it was received; at start-up that file is read first, so a tablet that boots
without network still shows the last forecast, with "mis à jour il y a …" (kiosk.weather_view).
An unchanged report costs a 304 (the ETag is sent back). While the backend is unreachable the
fetch is retried sooner, with capped "full jitter" backoff (kiosk.retrying_job); 401 means
revoked.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_STOPPED
from PySide6.QtCore import QObject, Signal

from kiosk import weather_file
from kiosk.client_errors import Revoked, Unreachable, WeatherMissing
from kiosk.device_client import DeviceClient
from kiosk.retrying_job import JobOutcome, JobResult, RetryingJob, guarded

log = logging.getLogger(__name__)

WEATHER_JOB = "weather"
OFFLINE = "offline"  # the backend could not be reached at all
REFRESH_SECONDS = 30 * 60  # the backend's own cache lifetime: asking more often gains nothing


class WeatherService(QObject):
    # (report dict, received_at aware UTC datetime): give both to kiosk.weather_view.
    weather_changed = Signal(object, object)
    # Why the last fetch brought nothing: OFFLINE, or a WeatherMissing reason ("" once one
    # succeeds), so that the tablet says the truth when it has no weather to show.
    fetch_failed = Signal(str)
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
        self._now = now
        self._lock = threading.RLock()
        self._etag: str | None = None
        self._report: dict[str, Any] | None = None
        self._received_at: datetime | None = None
        self._loaded = False
        # A failed fetch is retried sooner than the next refresh, never later.
        self._job = RetryingJob(
            WEATHER_JOB,
            self._fetch,
            scheduler,
            interval=refresh_seconds,
            retry_base=5.0,
            retry_cap=600.0,
            retry_at_most=refresh_seconds,
            rng=rng,
        )

    @property
    def report(self) -> dict[str, Any] | None:
        return self._report

    @property
    def received_at(self) -> datetime | None:
        return self._received_at

    @property
    def failures(self) -> int:
        return self._job.failures

    def start(self) -> None:
        self._job.start()

    def stop(self) -> None:
        self._job.stop()

    def refresh_now(self) -> None:
        self._job.wake()

    def wipe(self) -> None:
        """Revoked: forget the place's weather (it says where the person lives)."""
        self.stop()
        with self._lock:
            self._report = self._received_at = self._etag = None
        if self._scheduler.state != STATE_STOPPED:
            self._scheduler.add_job(guarded("weather-wipe", self._remove_file))

    # -- worker side ----------------------------------------------------------------------
    def _fetch(self) -> JobResult:
        if not self._loaded:
            self._loaded = True
            self._load_file()
        try:
            report, etag = self._client.weather(self._etag)
        except Revoked:
            return JobResult(JobOutcome.STOPPED, [self.revoked.emit])
        except WeatherMissing as exc:
            log.info("weather: none to give (%s)", exc)
            reason = exc.reason
            return JobResult(JobOutcome.FAILED, [lambda: self.fetch_failed.emit(reason)])
        except Unreachable as exc:
            log.info("weather: not refreshed (%s)", exc)
            return JobResult(JobOutcome.FAILED, [lambda: self.fetch_failed.emit(OFFLINE)])
        received = self._now()
        with self._lock:
            self._etag = etag
            if report is not None:
                self._report, self._received_at = report, received
        # A 304 (report None) changes nothing: the values keep their fetched_at.
        if report is None:
            return JobResult(JobOutcome.SUCCEEDED, [lambda: self.fetch_failed.emit("")])
        self._save_file(report, received)
        return JobResult(
            JobOutcome.SUCCEEDED,
            [
                lambda: self.fetch_failed.emit(""),
                lambda: self.weather_changed.emit(report, received),
            ],
        )

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
