"""Video calls, the tablet's side in the kiosk (docs/calls.md): the ringing, « Appeler », and
the call process started on demand. The call itself (aiortc, its window) is `kiosk/call/`, a
separate process: nothing of it is imported here.

- Follows the synced kinds `callers` and `calls` (kiosk.calls_view decides, without Qt).
- A `to_tablet` call ringing → the ringing screen (kiosk.screens.call_ringing_screen) as the
  main window's overlay, over any screen (a reminder's card included: interruptions are held
  while it shows), waking the night screen; a ringtone. The auto-answer countdown (10 s, a tick
  a second, « Non merci ») instead when the call is marked `auto_answer` and the tablet is
  neither in night mode (its hours, or the night screen) nor in a professional's session (or
  the technician's maintenance): it rings normally then. It stops by itself when the ring runs
  out (`ring_seconds_left`, counted from when the record came), or when sync says the caller
  gave up (« Paul a raccroché. » for a moment).
- « Décrocher », or the countdown's end → `python -m kiosk.call --answer ID …`
  (kiosk.call_launcher); interruptions are held while it runs; its exit → home, a crash →
  « L'appel s'est interrompu. ». « Refuser » / « Non merci » → POST refuse on the scheduler
  (kiosk.call_service); a backend out of reach only stops the ringing (the backend ends the
  call as missed at its ring_until).
- A call ringing while the call process runs → refused with reason `busy`.
- « Appeler » (on home beside the greeting, only when there are approved callers) → the
  callers' screen (kiosk.screens.callers_screen); a touch → `--place USER_ID`; « Qui peut
  décrocher tout seul » → the device action `call_auto_answer` {"user_id", "declined"}
  through the outbox.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QTimer

from kiosk import i18n, idle
from kiosk.calls_view import (
    AUTO_ANSWER_ACTION,
    CALLERS,
    CALLS,
    COUNTDOWN_SECONDS,
    Call,
    Caller,
    Mode,
    Situation,
    busy_calls,
    deadline_of,
    first_name,
    hung_up,
    mode_for,
    parse_callers,
    parse_calls,
    to_ring,
    with_wishes,
)
from kiosk.features.base import Feature, Host, Link
from kiosk.store import LocalState

if TYPE_CHECKING:
    from kiosk.call_launcher import CallLauncher
    from kiosk.call_service import CallService
    from kiosk.chime import Chime
    from kiosk.device_client import DeviceClient
    from kiosk.screens.call_ringing_screen import CallRingingScreen
    from kiosk.screens.callers_screen import CallersScreen

log = logging.getLogger(__name__)

SCREEN = "calls"  # « Appeler », and home's tile
CONTEXT = "CallsFeature"
RINGING_HOLD = "call-ringing"  # the ringing screen (or its notice) is the overlay
CALL_HOLD = "call"  # the call process runs
TICK_MS = 1000
NOTICE_MS = 4000
# Screens where a call rings but never opens by itself: a professional's session, the
# technician's maintenance.
PROFESSIONAL_SCREENS = frozenset({"professional", "maintenance"})


class CallsFeature(Feature):
    def __init__(
        self,
        host: Host,
        data_dir: Path,
        *,
        wake: Callable[[], None] = lambda: None,
        launcher: CallLauncher | None = None,
        ringtone: Chime | None = None,
        tick_sound: Chime | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._host = host
        self._data_dir = data_dir
        self._wake = wake
        self._launcher = launcher
        self._ringtone = ringtone
        self._tick_sound = tick_sound
        self._clock = clock
        self._screen: CallersScreen | None = None
        self._ringing_screen: CallRingingScreen | None = None
        self._service: CallService | None = None
        self._client: DeviceClient | None = None
        self._backend_url = ""
        self._running = False
        self._callers: tuple[Caller, ...] = ()
        self._callers_seen: tuple[dict[str, Any], ...] | None = None
        self._wishes: dict[int, tuple[bool, str]] = {}  # user id → (declined, outbox key)
        self._calls: tuple[Call, ...] = ()
        self._records_seen: dict[int, dict[str, Any]] = {}
        self._deadlines: dict[int, float] = {}
        self._done: set[int] = set()  # answered, refused, run out: never rung again
        self._ringing: Call | None = None
        self._mode = Mode.RING
        self._countdown_end = 0.0
        self._tick = QTimer(host.window)
        self._tick.setInterval(TICK_MS)
        self._tick.timeout.connect(self._on_tick)
        self._notice_timer = QTimer(host.window)
        self._notice_timer.setSingleShot(True)
        self._notice_timer.timeout.connect(self._end_notice)
        host.register_screen(SCREEN, lambda: self.screen, on_open=self._open)
        host.window.home.call_requested.connect(lambda: host.open_screen(SCREEN))
        self._take(host.state, from_store=True)

    # -- made when first needed ----------------------------------------------------------------
    @property
    def screen(self) -> CallersScreen:
        if self._screen is None:
            from kiosk.screens.callers_screen import CallersScreen

            self._screen = CallersScreen()
            self._screen.call_requested.connect(self.place)
            self._screen.auto_answer_requested.connect(self.set_auto_answer)
        return self._screen

    @property
    def ringing_screen(self) -> CallRingingScreen:
        if self._ringing_screen is None:
            from kiosk.screens.call_ringing_screen import CallRingingScreen

            screen = CallRingingScreen()
            screen.hide()
            screen.answer_requested.connect(self.answer)
            screen.refuse_requested.connect(self.refuse)
            screen.dismissed.connect(self._end_notice)
            self._ringing_screen = screen
        return self._ringing_screen

    @property
    def launcher(self) -> CallLauncher:
        if self._launcher is None:
            from kiosk.call_launcher import CallLauncher

            self._launcher = CallLauncher()
        self._wire_launcher(self._launcher)
        return self._launcher

    def _wire_launcher(self, launcher: CallLauncher) -> None:
        if getattr(launcher, "_wired_to_calls", False):
            return
        launcher.finished.connect(self._on_call_finished)
        launcher.ended.connect(self._on_call_ended)
        launcher._wired_to_calls = True  # type: ignore[attr-defined]

    def _sound(self, which: str) -> Chime:
        from kiosk.chime import RINGTONE, TICK, Chime

        if which == "ring":
            if self._ringtone is None:
                self._ringtone = Chime(self._data_dir, sound=RINGTONE)
            return self._ringtone
        if self._tick_sound is None:
            self._tick_sound = Chime(self._data_dir, sound=TICK)
        return self._tick_sound

    # -- life cycle --------------------------------------------------------------------------
    def start(self, link: Link) -> None:
        self._client = link.client
        self._backend_url = link.backend_url
        if self._service is None:
            from kiosk.call_service import CallService

            self._service = CallService(lambda: self._client, link.scheduler)
            self._service.revoked.connect(self._host.credential_revoked)
        self._running = True
        self._update()

    def stop(self) -> None:
        self._running = False
        self._client = None
        self._stop_ringing()
        self._end_notice()
        if self._launcher is not None and self._launcher.running:
            self._launcher.terminate()

    def wipe(self) -> None:
        self.stop()
        self._callers, self._callers_seen, self._wishes = (), None, {}
        self._calls, self._records_seen, self._deadlines = (), {}, {}
        self._done.clear()
        for sound in (self._ringtone, self._tick_sound):
            if sound is not None:
                sound.forget()
        self._host.window.home.set_call_entry(False)

    def shutdown(self) -> None:
        self._running = False
        self._stop_ringing()
        if self._launcher is not None and self._launcher.running:
            self._launcher.terminate(wait=True)  # the process hangs up cleanly
        for sound in (self._ringtone, self._tick_sound):
            if sound is not None:
                sound.shutdown()

    def on_state(self, state: LocalState) -> None:
        self._take(state)
        if self._screen is not None and self._host.window.current_screen_name() == SCREEN:
            self._render_callers()
        self._update()

    # -- for the controller and home ---------------------------------------------------------
    @property
    def has_callers(self) -> bool:
        return bool(self._callers)

    @property
    def in_call(self) -> bool:
        return self._launcher is not None and self._launcher.running

    @property
    def active(self) -> bool:
        """Ringing, saying how a call ended, or in a call: the tablet changes no screen by
        itself meanwhile (no night, no photo frame)."""
        return self._ringing is not None or self._notice_timer.isActive() or self.in_call

    def ringing(self) -> Call | None:
        return self._ringing

    def callers(self) -> tuple[Caller, ...]:
        """The approved callers, with her choices still on their way applied."""
        return with_wishes(self._callers, {k: v[0] for k, v in self._wishes.items()})

    # -- what sync says ----------------------------------------------------------------------
    def _take(self, state: LocalState, *, from_store: bool = False) -> None:
        records = state.of(CALLERS)
        if records is not self._callers_seen:
            self._callers = parse_callers(records)
            self._callers_seen = records
            self._forget_wishes()
            self._host.window.home.set_call_entry(bool(self._callers))
        now = self._clock()
        by_id: dict[int, dict[str, Any]] = {}
        for record in state.of(CALLS):
            try:
                by_id[int(record["id"])] = record
            except (KeyError, TypeError, ValueError):
                continue
        self._calls = parse_calls(by_id.values())
        for call in self._calls:
            record = by_id[call.id]
            if self._records_seen.get(call.id) != record:
                self._records_seen[call.id] = record
                wall = self._host.now() if from_store else None
                self._deadlines[call.id] = deadline_of(call, now, wall)
        for gone in set(self._records_seen) - set(by_id):
            self._records_seen.pop(gone, None)
            self._deadlines.pop(gone, None)
        self._done &= set(by_id)  # a call sync no longer names will not ring again

    def _forget_wishes(self) -> None:
        """Her choices the backend now shows, or no longer in the outbox (delivered, or
        refused), give way to what sync says."""
        if not self._wishes:
            return
        synced = {c.id: c.declined for c in self._callers}
        try:
            queued = {e.key for e in self._host.outbox.pending() if e.type == AUTO_ANSWER_ACTION}
        except Exception:
            log.exception("calls: the outbox could not be read")
            queued = {key for _, key in self._wishes.values()}
        self._wishes = {
            user_id: (declined, key)
            for user_id, (declined, key) in self._wishes.items()
            if key in queued and synced.get(user_id) != declined
        }

    # -- ringing -----------------------------------------------------------------------------
    def _update(self) -> None:
        """Ring the call to ring, stop the one no longer ringing, refuse `busy` in a call."""
        if not self._running:
            return
        now = self._clock()
        if self.in_call:
            for call in busy_calls(self._calls, self._deadlines, now, self._done):
                log.info("call %s refused: busy (already in a call)", call.id)
                self._done.add(call.id)
                self._refuse_on_backend(call.id, "busy")
            return
        shown = self._ringing
        if shown is not None:
            ended = hung_up(self._calls, shown.id)
            if ended is not None:
                self._done.add(shown.id)
                self._stop_ringing()
                if ended.ended and ended.outcome in ("cancelled", None):
                    name = first_name(shown.caller_name)
                    words = QCoreApplication.translate("CallsFeature", "{name} a raccroché.")
                    self._notice(words.format(name=name), shown)
                return
            if self._deadlines.get(shown.id, now) > now:
                return
            self._done.add(shown.id)  # the ring ran out: the backend makes it a missed call
            self._stop_ringing()
        coming = to_ring(self._calls, self._deadlines, now, self._done)
        if coming is not None:
            self._notice_timer.stop()  # a new call wins over « Paul a raccroché. »
            self._ring(coming, now)

    def _situation(self) -> Situation:
        screen = self._host.window.current_screen_name()
        config = self._host.config
        try:
            night_hours = idle.in_night(
                self._host.now(),
                str(config.get("night_start", "00:00")),
                str(config.get("night_end", "00:00")),
            )
        except ValueError:
            night_hours = False
        return Situation(
            night=screen == idle.NIGHT or night_hours,
            professional=screen in PROFESSIONAL_SCREENS,
        )

    def _ring(self, call: Call, now: float) -> None:
        left = self._deadlines.get(call.id, now) - now
        self._mode = mode_for(call, self._situation(), left)  # before waking the night
        self._ringing = call
        self._wake()
        window = self._host.window
        window.hold_interruptions(RINGING_HOLD)  # a reminder's card waits
        screen = self.ringing_screen
        countdown = None
        if self._mode is Mode.COUNTDOWN:
            self._countdown_end = now + COUNTDOWN_SECONDS
            countdown = COUNTDOWN_SECONDS
        screen.show_call(call.id, call.caller_name, call.caller_initials, countdown)
        window.show_overlay(screen)
        log.info("call %s rings (%s)", call.id, self._mode.value)
        self._play()
        self._tick.start()

    def _play(self) -> None:
        try:
            if self._mode is Mode.COUNTDOWN:
                self._sound("tick").play()
            elif not self._sound("ring").sounding:
                self._sound("ring").play()
        except Exception:  # no sound is better than no call
            log.exception("calls: the sound failed")

    def _on_tick(self) -> None:
        call = self._ringing
        if call is None:
            self._tick.stop()
            return
        now = self._clock()
        if self._deadlines.get(call.id, now) <= now:
            self._update()  # run out
            return
        if self._mode is Mode.COUNTDOWN:
            seconds = math.ceil(self._countdown_end - now - 0.05)
            if seconds <= 0:
                self.answer(call.id)
                return
            self.ringing_screen.set_countdown(seconds)
        self._play()

    def _stop_ringing(self) -> None:
        self._tick.stop()
        for sound in (self._ringtone, self._tick_sound):
            if sound is not None:
                sound.stop()
        if self._ringing is None:
            return
        self._ringing = None
        if self._ringing_screen is not None:
            self._host.window.hide_overlay(self._ringing_screen)
            self._ringing_screen.hide()
        self._host.window.release_interruptions(RINGING_HOLD)

    def _notice(self, sentence: str, call: Call | None = None) -> None:
        """A sentence alone on the ringing screen for a moment."""
        window = self._host.window
        window.hold_interruptions(RINGING_HOLD)
        screen = self.ringing_screen
        screen.show_notice(sentence, call.caller_initials if call is not None else "")
        window.show_overlay(screen)
        self._notice_timer.start(NOTICE_MS)

    def _end_notice(self) -> None:
        self._notice_timer.stop()
        if self._ringing is not None:
            return  # the screen rings for a call now
        if self._ringing_screen is not None and self._host.window.overlay() is self._ringing_screen:
            self._host.window.hide_overlay(self._ringing_screen)
            self._ringing_screen.hide()
        self._host.window.release_interruptions(RINGING_HOLD)
        QTimer.singleShot(0, self._update)  # a call that came meanwhile

    # -- intents -----------------------------------------------------------------------------
    def answer(self, call_id: int) -> None:
        """« Décrocher », or the countdown ran out: the call process answers."""
        call = self._ringing
        if call is None or call.id != call_id:
            return
        self._done.add(call_id)
        from kiosk.call_launcher import call_arguments

        arguments = call_arguments(
            backend_url=self._backend_url,
            data_dir=self._data_dir,
            answer=call_id,
            caller_name=call.caller_name,
            language=i18n.current_language(),
            font_scale=float(self._host.config.get("font_scale", 1.0)),
        )
        self._launch(arguments)

    def refuse(self, call_id: int) -> None:
        """« Refuser » or « Non merci »."""
        call = self._ringing
        if call is None or call.id != call_id:
            return
        self._done.add(call_id)
        self._stop_ringing()
        self._refuse_on_backend(call_id, "refused")
        QTimer.singleShot(0, self._update)

    def place(self, user_id: int) -> None:
        """A touch on a person of « Appeler »."""
        if self.in_call or self._ringing is not None or not self._running:
            return
        caller = next((c for c in self._callers if c.id == user_id), None)
        if caller is None:
            return
        from kiosk.call_launcher import call_arguments

        arguments = call_arguments(
            backend_url=self._backend_url,
            data_dir=self._data_dir,
            place=user_id,
            caller_name=caller.name,
            language=i18n.current_language(),
            font_scale=float(self._host.config.get("font_scale", 1.0)),
        )
        self._launch(arguments)

    def set_auto_answer(self, user_id: int, declined: bool) -> None:
        """« Arrêter » / « Rétablir » on « Qui peut décrocher tout seul »."""
        if not any(c.id == user_id for c in self._callers):
            return
        key = self._host.send(AUTO_ANSWER_ACTION, {"user_id": user_id, "declined": declined})
        if key is None:
            return  # not paired: nobody to tell
        self._wishes[user_id] = (declined, key)
        self._render_callers()

    def _refuse_on_backend(self, call_id: int, reason: str) -> None:
        if self._service is None:
            return
        self._service.refuse(call_id, reason)

    # -- the call process --------------------------------------------------------------------
    def _launch(self, arguments: list[str]) -> None:
        window = self._host.window
        # Held before the ringing lets go: no reminder's card slips in between.
        window.hold_interruptions(CALL_HOLD)
        self._stop_ringing()
        self._end_notice()
        if not self.launcher.start(arguments):
            log.warning("a call is already under way: not started again")

    def _on_call_ended(self, outcome: str, _sentence: str) -> None:
        log.info("the call ended: %s", outcome)

    def _on_call_finished(self, ok: bool) -> None:
        self._host.window.release_interruptions(CALL_HOLD)
        self._host.show_home()
        if not ok and self._running:
            self._notice(QCoreApplication.translate("CallsFeature", "L'appel s'est interrompu."))
        QTimer.singleShot(0, self._update)

    # -- « Appeler » -------------------------------------------------------------------------
    def _open(self) -> None:
        self.screen.show_people()
        self._render_callers()

    def _render_callers(self) -> None:
        if self._screen is None:
            return
        self._screen.set_callers(self.callers(), pending=bool(self._wishes))
