"""Updates, the tablet's side: it asks the updater (appliance/update_agent.py, root) to install
the version its backend offers, when a restart would trouble nobody (kiosk.update_window).

The tablet never downloads nor installs anything itself: it runs as the unprivileged `foyer`
user, and the updater trusts only the release key, not the tablet. What it does, in <data>:

- `update-request.json`: the offer sync brought (kind "updates") plus the backend's address,
  written atomically when the offered version differs from the running one and the tablet is
  free (no call, no professional's session, outside the quiet hours in the beneficiary's time
  zone); removed when that is no longer so (the rollout paused or halted, the quiet hours
  begun). systemd's foyer-update.path starts the updater when the file is written, so it is
  written again (same content) when the tablet becomes free after the updater found it busy,
  and every `REQUEST_REFRESH_SECONDS` while the offer stands (a download the network cut).
- `busy`: present while a call rings or runs or a professional's (or the technician's) screen
  shows; written again every minute, so that the updater can tell a busy tablet from a file a
  dead one left behind. Removed at start: a process that has just started is in no call.
- `update-outcome.json` is the updater's: an offer it installed, rolled back or refused is not
  asked for again (a rolled-back version would otherwise restart the tablet every few minutes).

Checked once a second on the GUI thread: a stat and, on a change only, a small file written
without fsync (lost in a power cut, it is written again at the next start).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QTimer

from common.atomic_file import write_atomically
from kiosk.features.base import Feature, Host, Link
from kiosk.store import DEFAULT_TZ, LocalState
from kiosk.update_window import (
    BUSY_FILE,
    BUSY_REFRESH_SECONDS,
    KIND,
    OUTCOME_FILE,
    REQUEST_FILE,
    Target,
    Verdict,
    decide,
    handled_offers,
    target_of,
)

log = logging.getLogger(__name__)

CHECK_MS = 1000
REQUEST_REFRESH_SECONDS = 15 * 60


def running_version() -> str:
    """The version of Foyer this process runs (a slot's wheel's: common.version)."""
    from common.version import __version__

    return __version__


class UpdatesFeature(Feature):
    def __init__(
        self,
        host: Host,
        data_dir: Path,
        *,
        busy: Callable[[], bool],
        version: Callable[[], str] = running_version,
        clock: Callable[[], float] = time.monotonic,
        check_ms: int = CHECK_MS,
    ) -> None:
        self._host = host
        self._data_dir = data_dir
        self._busy = busy
        self._version_of = version
        self._clock = clock
        self._version: str | None = None  # read at the first start (after the first paint)
        self._backend_url = ""
        self._running = False
        self._target: Target | None = target_of(host.state.of(KIND))
        self._is_busy = False
        self._busy_written_at = 0.0
        self._requested: dict[str, Any] | None = None  # what update-request.json holds
        self._requested_at = 0.0
        self._outcomes_seen: tuple[float, set[tuple[int, str]]] | None = None
        self.last_verdict: Verdict | None = None
        self._remove(BUSY_FILE)  # a fresh process is in no call (a crash may have left one)
        self._timer = QTimer()
        self._timer.setInterval(check_ms)
        self._timer.timeout.connect(self.check)

    # -- life cycle --------------------------------------------------------------------------
    def start(self, link: Link) -> None:
        if self._version is None:
            self._version = self._version_of()
            log.info("updates: running version %s", self._version)
        self._backend_url = link.backend_url
        self._requested = self._read_request()
        self._running = True
        self._timer.start()
        self.check()

    def stop(self) -> None:
        self._running = False
        self._timer.stop()
        self._set_busy(False)

    def wipe(self) -> None:
        self.stop()
        self._target = None
        self._withdraw()

    def shutdown(self) -> None:
        self.stop()

    def on_state(self, state: LocalState) -> None:
        self._target = target_of(state.of(KIND))
        self.check()

    # -- once a second -----------------------------------------------------------------------
    def check(self) -> None:
        try:
            self._check()
        except Exception:  # an update can wait; the beneficiary's screen cannot
            log.exception("updates: the check failed")

    def _check(self) -> None:
        if not self._running or self._version is None:
            return
        busy = bool(self._busy())
        self._set_busy(busy)
        beneficiary = self._host.state.beneficiary
        tz = beneficiary.tz if beneficiary is not None else ZoneInfo(DEFAULT_TZ)
        verdict = decide(
            self._target,
            self._version,
            busy=busy,
            now=self._host.now(),
            tz=tz,
            handled=self._handled(),
        )
        before, self.last_verdict = self.last_verdict, verdict
        if verdict != before:
            log.info("updates: %s (offer %s)", verdict.value, self._describe())
        if verdict is Verdict.UPDATE and self._target is not None:
            again = before is not Verdict.UPDATE or (
                self._clock() - self._requested_at >= REQUEST_REFRESH_SECONDS
            )
            self._request(self._target.as_request(self._backend_url), again)
        elif verdict is Verdict.BUSY:
            pass  # the updater refuses while busy; asked again (rewritten) once free
        else:
            self._withdraw()

    def _describe(self) -> str:
        target = self._target
        return "none" if target is None else f"{target.version} (rollout {target.rollout_id})"

    def _handled(self) -> set[tuple[int, str]]:
        """Offers the updater installed, rolled back or refused on this tablet (read again
        only when its file changed)."""
        path = self._data_dir / OUTCOME_FILE
        try:
            mtime = path.stat().st_mtime
        except OSError:
            return set()
        if self._outcomes_seen is None or self._outcomes_seen[0] != mtime:
            try:
                outcomes = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                outcomes = None
            done = handled_offers(outcomes)
            self._outcomes_seen = (mtime, done)
        return self._outcomes_seen[1]

    # -- the files ---------------------------------------------------------------------------
    def _request(self, request: dict[str, Any], again: bool) -> None:
        if request == self._requested and not again:
            return
        try:
            write_atomically(
                self._data_dir / REQUEST_FILE,
                json.dumps(request, sort_keys=True).encode(),
                durable=False,
            )
        except OSError as exc:
            log.warning("updates: could not ask for the update: %s", exc)
            return
        self._requested = request
        self._requested_at = self._clock()
        log.info("updates: asked the updater for %s", request["version"])

    def _withdraw(self) -> None:
        if self._requested is None and not (self._data_dir / REQUEST_FILE).exists():
            return
        self._remove(REQUEST_FILE)
        self._requested = None
        log.info("updates: request withdrawn")

    def _set_busy(self, busy: bool) -> None:
        path = self._data_dir / BUSY_FILE
        if busy:
            due = self._clock() - self._busy_written_at >= BUSY_REFRESH_SECONDS
            if not self._is_busy or due:
                with contextlib.suppress(OSError):  # a full disk: the updater may restart us
                    write_atomically(path, f"{os.getpid()}\n".encode(), durable=False)
                    self._busy_written_at = self._clock()
        elif self._is_busy:
            self._remove(BUSY_FILE)
        self._is_busy = busy

    def _read_request(self) -> dict[str, Any] | None:
        try:
            raw = json.loads((self._data_dir / REQUEST_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return raw if isinstance(raw, dict) else None

    def _remove(self, name: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            (self._data_dir / name).unlink()
