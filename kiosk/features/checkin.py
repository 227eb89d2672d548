"""« Je vais bien » : during the daily window the care manager set (synced kind
"sign_of_life"), home shows "Tout va bien aujourd'hui ?" with one huge "Oui, je vais bien".

What is asked when is decided by `kiosk.checkin_view` (pure, tested on any clock, daylight
saving days included). This feature:

- looks again at the window's start and end (exactly), at least every CHECK_MS, and at once
  when the state or the configuration changes;
- tells home to show the question (`HomeScreen.set_checkin`) while it is asked, and while it
  is asked keeps home in front (the controller does not leave it for the photo frame, and
  brings it back from there: `asking`);
- on "Oui, je vais bien": queues `checkin_answer` {"answered_at" (the tap, aware), "answer":
  "ok"} in the outbox, then records the day in `checkin_answers.json` (`common.atomic_file`),
  so that neither a second tap nor a restart asks or sends again. An answer queued but not
  recorded when the power went is found again in the outbox at the next start.

Nothing is asked while the tablet is not paired, outside the window, or when it is switched off.
"""

from __future__ import annotations

import json
import logging
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QTimer

from common.atomic_file import write_atomically
from kiosk.checkin_view import (
    ACTION,
    KIND,
    CheckinSettings,
    answer_data,
    answered_day,
    asking,
    next_change,
    parse_settings,
)
from kiosk.features.base import Feature, Host, Link
from kiosk.store import DEFAULT_TZ, LocalState

log = logging.getLogger(__name__)

FILE_NAME = "checkin_answers.json"
CHECK_MS = 60_000  # at least this often; exactly at the window's start and end
KEEP = timedelta(days=14)  # days answered kept on disk


class CheckinFeature(Feature):
    def __init__(self, host: Host, data_dir: Path, *, check_ms: int = CHECK_MS) -> None:
        self._host = host
        self.path = data_dir / FILE_NAME
        self._check_ms = check_ms
        self._answered: set[date] = self._load()
        self._settings: CheckinSettings | None = None
        self._records_seen: tuple[dict[str, Any], ...] | None = None
        self._running = False
        self._asking: date | None = None
        self._timer = QTimer(host.window)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.check)
        host.window.home.checkin_answered.connect(self._on_answer)

    # -- life cycle --------------------------------------------------------------------------
    def start(self, link: Link) -> None:
        self._running = True
        self._recall_queued()
        self.check()

    def stop(self) -> None:
        self._running = False
        self._timer.stop()
        self._show(None)

    def wipe(self) -> None:
        self.stop()
        self._answered = set()
        self._settings = None
        self._records_seen = None
        self.path.unlink(missing_ok=True)

    def on_state(self, state: LocalState) -> None:
        self.check()

    def on_config(self, config: dict[str, Any]) -> None:
        self.check()

    # -- what is asked -----------------------------------------------------------------------
    @property
    def asking(self) -> bool:
        """Whether home shows the question now."""
        return self._asking is not None

    def settings(self) -> CheckinSettings | None:
        records = self._host.state.of(KIND)
        if records is not self._records_seen:
            self._settings = parse_settings(records)
            self._records_seen = records
        return self._settings

    def _tz(self) -> ZoneInfo:
        person = self._host.state.beneficiary
        return person.tz if person is not None else ZoneInfo(DEFAULT_TZ)

    def check(self) -> None:
        """Show the question if it is asked now, or hide it; plan the next look."""
        if not self._running:
            return
        now = self._host.now()
        try:
            settings = self.settings()
            tz = self._tz()
            day = asking(settings, now, tz, self._answered)
            coming = next_change(settings, now, tz)
        except Exception:  # a bad record must never take the tablet down
            log.exception("check-in: could not tell whether to ask")
            day, coming = None, None
        delay = self._check_ms
        if coming is not None:
            delay = min(delay, max(200, int((coming - now).total_seconds() * 1000) + 50))
        self._timer.start(delay)
        self._show(day)

    def _show(self, day: date | None) -> None:
        if day != self._asking:
            log.info("check-in: %s", "asked" if day is not None else "not asked")
        self._asking = day
        self._host.window.home.set_checkin(day is not None)

    # -- the answer --------------------------------------------------------------------------
    def _on_answer(self) -> None:
        day = self._asking
        if day is None or day in self._answered or not self._running:
            return  # asked no more (a double tap, the window just ended): sent once
        now = self._host.now()
        # Queued first (durable on return), recorded second: a power cut in between is caught
        # at the next start by `_recall_queued`.
        self._host.send(ACTION, answer_data(now))
        self._note(day)
        self._asking = None  # home shows its thanks, then the visit's card again
        self.check()

    def _recall_queued(self) -> None:
        """Answers still in the outbox count as given (a power cut before they were noted)."""
        tz = self._tz()
        try:
            queued = [e for e in self._host.outbox.pending() if e.type == ACTION]
        except Exception:  # an unreadable outbox: asking again is the safe side
            log.exception("check-in: the outbox could not be read")
            return
        for entry in queued:
            day = answered_day(entry.data, tz)
            if day is not None and day not in self._answered:
                self._note(day)

    # -- on disk -----------------------------------------------------------------------------
    def answered(self) -> frozenset[date]:
        return frozenset(self._answered)

    def _note(self, day: date) -> None:
        self._answered.add(day)
        newest = max(self._answered)
        self._answered = {d for d in self._answered if newest - d <= KEEP}
        text = json.dumps({"answered": sorted(d.isoformat() for d in self._answered)})
        try:
            write_atomically(self.path, text.encode("utf-8"))
        except OSError as exc:  # held in memory until the app closes
            log.error("check-in: the answer could not be kept on disk: %s", exc)

    def _load(self) -> set[date]:
        try:
            saved = json.loads(self.path.read_text(encoding="utf-8"))
            return {date.fromisoformat(day) for day in saved["answered"]}
        except FileNotFoundError:
            return set()
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.error("check-in record unreadable (%s); starting afresh", exc)
            return set()
