"""Mood: "Comment allez-vous ?" from its tile, or offered by the tablet itself at the
configured check-in times (once per time, kept across a restart in `mood_checkins.json`);
the answer goes to the outbox.

The controller's once-a-second tick asks `due_slot` whether a check-in time has come and,
when it shows the screen by itself, says so with `offered`.
"""

from __future__ import annotations

import json
import logging
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from common.atomic_file import write_atomically
from kiosk import idle
from kiosk.features.base import Feature, Host

if TYPE_CHECKING:
    from kiosk.screens.mood_screen import MoodScreen

log = logging.getLogger(__name__)

MOOD = idle.MOOD
MOOD_FILE = "mood_checkins.json"  # today's check-in slots already offered or answered


class MoodFeature(Feature):
    def __init__(self, host: Host, data_dir: Path) -> None:
        self._host = host
        self._path = data_dir / MOOD_FILE
        self._done: set[tuple[date, str]] = self._load()
        self._screen: MoodScreen | None = None
        host.register_screen(MOOD, lambda: self.screen, on_open=self._open)

    @property
    def screen(self) -> MoodScreen:
        if self._screen is None:
            from kiosk.screens.mood_screen import MoodScreen

            self._screen = MoodScreen()
            self._screen.answered.connect(self._on_answer)
            self._screen.finished.connect(self._host.show_home)
        return self._screen

    # -- life cycle --------------------------------------------------------------------------
    def wipe(self) -> None:
        self._done = set()
        self._path.unlink(missing_ok=True)

    # A new sync changes nothing on a questionnaire under way: on_state stays the default.

    # -- check-in times ----------------------------------------------------------------------
    def due_slot(self, now: datetime) -> str | None:
        """The check-in time ("HH:MM") to offer now, if one has come and was not offered."""
        return idle.mood_slot_due(now, self._host.config["mood_times"], self._done)

    def offered(self, now: datetime, slot: str) -> None:
        """The tablet showed the question by itself for `slot`: not asked again today."""
        self._done.add((now.date(), slot))
        self._save(now.date())

    # -- the screen --------------------------------------------------------------------------
    def _open(self) -> None:
        person = self._host.state.beneficiary
        self.screen.start(
            person.first_name if person else "",
            second_question=bool(self._host.config["mood_second_question"]),
        )

    def _on_answer(self, score: int, tags: list[str]) -> None:
        now = self._host.now()
        # Answered: today's check-in times already passed are done, asked or not.
        for slot in self._host.config["mood_times"]:
            if idle.parse_hhmm(slot) <= now.time().replace(tzinfo=None):
                self._done.add((now.date(), slot))
        self._save(now.date())
        self._host.send(
            "mood", {"score": score, "tags": list(tags), "recorded_at": now.isoformat()}
        )

    # -- kept across a restart (asked once per slot) -----------------------------------------
    def _load(self) -> set[tuple[date, str]]:
        try:
            saved = json.loads(self._path.read_text(encoding="utf-8"))
            return {(date.fromisoformat(day), str(slot)) for day, slot in saved["done"]}
        except FileNotFoundError:
            return set()
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.error("check-in record unreadable (%s); starting afresh", exc)
            return set()

    def _save(self, today: date) -> None:
        # Only today's slots matter; the file stays a few bytes long.
        self._done = {(day, slot) for day, slot in self._done if day == today}
        text = json.dumps({"done": sorted([d.isoformat(), s] for d, s in self._done)})
        try:
            write_atomically(self._path, text.encode("utf-8"))
        except OSError as exc:
            log.error("could not keep the check-in record: %s", exc)
