"""Reminders: a full-screen card at the due minute, over whatever screen is shown, until
"C'est fait" (sent once to the backend) or "Plus tard" (asked again at the next ask).

What is due is decided by `kiosk.reminders_view` (pure, tested on any clock: the rules for a
tablet that was off, re-asks, several at once, daylight saving) from the synced reminders
(kind "reminders", docs/reminders.md) and the local record of answers
(`kiosk.reminder_record`, kept across a restart and a power cut). This feature:

- checks what is due every CHECK_MS (15 s) and exactly at the next ask or due minute, and at
  once when the state, the configuration or the screen changes;
- shows the first card due (`kiosk.screens.reminder_card`) as the main window's overlay, only
  when the window says it may (`MainWindow.may_interrupt`: not during a professional's session,
  maintenance or the night; it comes as soon as they end), and hides it when it may not;
- announces a card (the first time each ask is shown): a gentle chime (`reminder_chime`, never in
  the night hours: `night_start`–`night_end`), then its title read aloud (`reminder_read_aloud`,
  when espeak-ng is on the tablet);
- on "C'est fait": queues `reminder_done` {reminder_id, due_at (UTC), confirmed_at (the tap,
  aware)} in the outbox, then records it; a second "C'est fait" for the same occurrence (a
  double tap, a restart) sends nothing. A confirmation queued but not recorded when the power
  went is found again in the outbox at the next start;
- on "Plus tard": records it until the next ask; on "D'accord": records it as seen.

For home: `today()` is the next reminder and today's done / not done
(`kiosk.reminders_view.ReminderDay`).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, QTimer

from kiosk import idle
from kiosk.features.base import Feature, Host, Link
from kiosk.reminder_record import ReminderRecord
from kiosk.reminders_view import (
    KIND,
    Card,
    Key,
    Mark,
    MarkState,
    ReminderDay,
    Schedule,
    build_schedule,
    due_cards,
    next_change,
    parse_reminders,
    reminder_day,
)
from kiosk.store import DEFAULT_TZ, LocalState

if TYPE_CHECKING:
    from kiosk.chime import Chime
    from kiosk.screens.reminder_card import ReminderCard
    from kiosk.speech import Speech

log = logging.getLogger(__name__)

REMINDERS = KIND
DONE_ACTION = "reminder_done"
CHECK_MS = 15_000  # at least this often; exactly at the next ask or due minute
SPEAK_AFTER_CHIME_MS = 300


class RemindersFeature(Feature):
    def __init__(
        self,
        host: Host,
        data_dir: Path,
        *,
        speech: Speech | None = None,
        chime: Chime | None = None,
        check_ms: int = CHECK_MS,
    ) -> None:
        self._host = host
        self._data_dir = data_dir
        self._record = ReminderRecord(data_dir)
        self._speech = speech
        self._chime = chime
        self._check_ms = check_ms
        self._card: ReminderCard | None = None
        self._schedule: Schedule | None = None
        self._records_seen: tuple[dict[str, Any], ...] | None = None
        self._tz_seen: ZoneInfo | None = None
        self._announced: tuple[Key, int] | None = None
        self._running = False
        self._timer = QTimer(host.window)
        self._timer.setSingleShot(True)
        # Precise: a coarse timer may fire 5 % of its interval late (750 ms of a 15 s wait,
        # measured 200 ms late on 4 s: bench/reminder_card.py).
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self.check)
        self._speak_timer = QTimer(host.window)
        self._speak_timer.setSingleShot(True)
        self._speak_timer.timeout.connect(self._speak_title)
        host.window.screen_changed.connect(self._soon)
        host.window.may_interrupt_changed.connect(self._on_may_interrupt)
        self._recall_queued()

    # -- the card, the voice and the chime: made when first needed ---------------------------
    @property
    def card(self) -> ReminderCard:
        if self._card is None:
            from kiosk.screens.reminder_card import ReminderCard

            card = ReminderCard()
            card.hide()
            card.done.connect(self._on_done)
            card.later.connect(self._on_later)
            card.acknowledged.connect(self._on_acknowledged)
            card.finished.connect(self.check)
            self._card = card
        return self._card

    @property
    def speech(self) -> Speech:
        if self._speech is None:
            from kiosk.speech import Speech

            self._speech = Speech()
        return self._speech

    @property
    def chime(self) -> Chime:
        if self._chime is None:
            from kiosk.chime import Chime

            self._chime = Chime(self._data_dir)
        return self._chime

    # -- life cycle --------------------------------------------------------------------------
    def start(self, link: Link) -> None:
        self._running = True
        self._recall_queued()
        self._soon()

    def stop(self) -> None:
        self._running = False
        self._timer.stop()
        self._hide()

    def wipe(self) -> None:
        self.stop()
        self._record.wipe()
        if self._chime is not None:
            self._chime.forget()
        self._schedule = None
        self._records_seen = None
        self._announced = None

    def shutdown(self) -> None:
        self.stop()
        if self._speech is not None:
            self._speech.shutdown()
        if self._chime is not None:
            self._chime.shutdown()

    def on_state(self, state: LocalState) -> None:
        self._soon()

    def on_config(self, config: dict[str, Any]) -> None:
        self._soon()  # the night hours may have moved

    # -- what is due -------------------------------------------------------------------------
    def _tz(self) -> ZoneInfo:
        person = self._host.state.beneficiary
        return person.tz if person is not None else ZoneInfo(DEFAULT_TZ)

    def schedule(self, now: datetime) -> Schedule:
        """The reminders' occurrences around `now`, expanded again only when the reminders,
        the time zone or the day changed."""
        records = self._host.state.of(REMINDERS)
        tz = self._tz()
        stale = (
            self._schedule is None
            or tz != self._tz_seen
            or (records is not self._records_seen and records != self._records_seen)
            or not self._schedule.covers(now)
        )
        if stale or self._schedule is None:
            self._schedule = build_schedule(parse_reminders(records, tz), now, tz)
            self._records_seen, self._tz_seen = records, tz
        return self._schedule

    def due(self, now: datetime | None = None) -> list[Card]:
        """The cards due now, oldest first."""
        now = now or self._host.now()
        return due_cards(self.schedule(now), self._record.marks, now)

    def today(self) -> ReminderDay:
        """For home: the next reminder, and today's done / not done."""
        now = self._host.now()
        return reminder_day(self.schedule(now), self._record.marks, now)

    def check(self) -> None:
        """Show the first card due (if the window may be interrupted), or none."""
        if not self._running:
            return
        try:
            now = self._host.now()
            schedule = self.schedule(now)
            queue = due_cards(schedule, self._record.marks, now)
            coming = next_change(schedule, self._record.marks, now)
        except Exception:  # a bad record must never take the tablet down
            log.exception("reminders: could not tell what is due")
            self._timer.start(self._check_ms)
            return
        delay = self._check_ms
        if coming is not None:
            delay = min(delay, max(200, int((coming - now).total_seconds() * 1000) + 50))
        self._timer.start(delay)
        if self._card is not None and self._card.answering():
            return  # its acknowledgement first; `finished` checks again
        if not queue or not self._host.window.may_interrupt():
            self._hide()
            return
        self._show(queue[0], len(queue) - 1, now)

    def _soon(self, *_args: object) -> None:
        if self._running:
            self._timer.start(0)

    def _on_may_interrupt(self, may: bool) -> None:
        if may:
            self._soon()
        else:
            self._hide()  # a professional's session, the night, a call: it comes back after

    def _show(self, card: Card, waiting: int, now: datetime) -> None:
        widget = self.card
        widget.show_card(card, waiting)
        window = self._host.window
        if window.overlay() is not widget:
            window.show_overlay(widget)
        if self._announced != (card.key, card.ask):
            self._announced = (card.key, card.ask)
            self._announce(card, now)

    def _hide(self) -> None:
        self._speak_timer.stop()
        if self._speech is not None:
            self._speech.stop()
        if self._card is None:
            return
        self._host.window.hide_overlay(self._card)
        self._card.hide()
        self._card.reset()

    def _announce(self, card: Card, now: datetime) -> None:
        config = self._host.config
        chimed = False
        night = idle.in_night(
            now, str(config.get("night_start", "00:00")), str(config.get("night_end", "00:00"))
        )
        if config.get("reminder_chime", True) and not night:
            try:
                self.chime.play()
                chimed = True
            except Exception:  # no sound is better than no card
                log.exception("reminders: the chime failed")
        if config.get("reminder_read_aloud") and self.speech.available:
            from kiosk.chime import DURATION_MS

            self._speak_timer.start(DURATION_MS + SPEAK_AFTER_CHIME_MS if chimed else 0)

    def _speak_title(self) -> None:
        card = self._card.card() if self._card is not None else None
        if card is not None and self._card is not None and self._card.isVisible():
            self.speech.speak(card.title)

    # -- intents -----------------------------------------------------------------------------
    def _on_done(self, reminder_id: int, due_at: datetime) -> None:
        now = self._host.now()
        if self._record.is_final(reminder_id, due_at):
            return  # already confirmed (or seen): sent once, never twice
        self._host.send(
            DONE_ACTION,
            {
                "reminder_id": reminder_id,
                "due_at": due_at.astimezone(UTC).isoformat(),
                "confirmed_at": now.isoformat(),
            },
        )
        # Queued first (durable on return), recorded second: a power cut in between is
        # caught at the next start by `_recall_queued`.
        self._record.note(reminder_id, due_at, Mark(MarkState.DONE, now), now)
        self._stop_voice()

    def _on_later(self, reminder_id: int, due_at: datetime) -> None:
        now = self._host.now()
        card = self._card.card() if self._card is not None else None
        if card is None or card.key != (reminder_id, due_at.astimezone(UTC)):
            found = [c for c in self.due(now) if c.key == (reminder_id, due_at.astimezone(UTC))]
            if not found:
                return
            card = found[0]
        self._record.note(reminder_id, due_at, Mark(MarkState.LATER, now, card.later_until), now)
        self._stop_voice()

    def _on_acknowledged(self, reminder_id: int, due_at: datetime) -> None:
        now = self._host.now()
        self._record.note(reminder_id, due_at, Mark(MarkState.SEEN, now), now)
        self._stop_voice()

    def _stop_voice(self) -> None:
        self._speak_timer.stop()
        if self._speech is not None:
            self._speech.stop()

    def _recall_queued(self) -> None:
        """Confirmations queued before a restart: done here, whatever the record says."""
        try:
            queued = self._host.outbox.pending(limit=1000)
        except Exception:  # a damaged outbox must not keep the reminders away
            log.exception("could not read the queued reminder confirmations")
            return
        now = self._host.now()
        for entry in queued:
            if entry.type != DONE_ACTION:
                continue
            try:
                reminder_id = int(entry.data["reminder_id"])
                due_at = datetime.fromisoformat(str(entry.data["due_at"]))
                confirmed = datetime.fromisoformat(str(entry.data["confirmed_at"]))
            except (KeyError, TypeError, ValueError):
                continue
            if due_at.tzinfo is None or confirmed.tzinfo is None:
                continue
            if not self._record.is_final(reminder_id, due_at):
                self._record.note(reminder_id, due_at, Mark(MarkState.DONE, confirmed), now)
