"""« Ce que mes proches voient » : who is in her circle and what each person sees (synced kind
"circle", kiosk.circle_view), and "Partager mon humeur" switched from the tablet.

- Home shows "Mes proches" once the circle is known (`HomeScreen.set_circle_entry`); it opens
  the screen "circle" (kiosk.screens.circle_screen), redrawn when a sync changes the circle.
- "Mettre en pause" / "Partager à nouveau" queues the device action `mood_sharing`
  {"paused", "at"} in the outbox. Until the backend answers, the screen shows the choice and
  says it will be sent when the tablet is connected; the answer ({"paused", "since"}, handed
  over by `kiosk.action_answers.AnsweringClient`) is what it shows then, and the synced circle
  (family and friends no longer see the mood while it is paused) after that.
  Kept in `mood_sharing.json` across a restart.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from common.atomic_file import write_atomically
from kiosk.circle_view import ACTION, KIND, MoodSharing, Person, mood_sharing, parse_circle
from kiosk.features.base import Feature, Host, Link
from kiosk.store import LocalState

if TYPE_CHECKING:
    from kiosk.screens.circle_screen import CircleScreen

log = logging.getLogger(__name__)

CIRCLE = "circle"  # the screen's name
FILE_NAME = "mood_sharing.json"


class _Relay(QObject):
    """Brings the outbox worker's news to the GUI thread."""

    answered = Signal(object, object)  # what was sent, the answer


class CircleFeature(Feature):
    def __init__(self, host: Host, data_dir: Path) -> None:
        self._host = host
        self.path = data_dir / FILE_NAME
        self._screen: CircleScreen | None = None
        self._people: list[Person] = []
        self._records_seen: tuple[dict[str, Any], ...] | None = None
        saved = self._load()
        self._answer: dict[str, Any] | None = saved.get("answer")
        self._wish: dict[str, Any] | None = saved.get("wish")
        # The synced circle when the answer came: the answer holds until a newer one comes.
        self._circle_at_answer: str | None = saved.get("circle_at_answer")
        self._relay = _Relay()
        self._relay.answered.connect(self._on_answered)
        host.register_screen(CIRCLE, lambda: self.screen, on_open=self._render)
        host.window.home.circle_requested.connect(lambda: host.open_screen(CIRCLE))
        self._take(host.state)

    @property
    def screen(self) -> CircleScreen:
        if self._screen is None:
            from kiosk.screens.circle_screen import CircleScreen

            self._screen = CircleScreen()
            self._screen.sharing_requested.connect(self._on_sharing_requested)
        return self._screen

    # -- life cycle --------------------------------------------------------------------------
    def start(self, link: Link) -> None:
        self._forget_stale_wish()
        self._take(self._host.state)

    def stop(self) -> None:
        self._host.window.home.set_circle_entry(False)

    def wipe(self) -> None:
        self._people = []
        self._records_seen = None
        self._answer = self._wish = None
        self._circle_at_answer = None
        self.path.unlink(missing_ok=True)
        self._host.window.home.set_circle_entry(False)

    def on_state(self, state: LocalState) -> None:
        self._forget_stale_wish()
        self._take(state)
        if self._screen is not None and self._host.window.current_screen_name() == CIRCLE:
            self._render()

    # -- what is shown -----------------------------------------------------------------------
    def people(self) -> list[Person]:
        return list(self._people)

    def sharing(self) -> MoodSharing:
        newer = self._circle_at_answer == self._digest()
        state = mood_sharing(self._people, self._answer, self._wish, answer_is_newer=newer)
        if state.since is not None:
            state = MoodSharing(state.paused, state.since.astimezone(self._host.now().tzinfo),
                                state.pending)  # fmt: skip
        return state

    def _take(self, state: LocalState) -> None:
        records = state.of(KIND)
        if records is not self._records_seen:
            self._people = parse_circle(records)
            self._records_seen = records
        self._host.window.home.set_circle_entry(bool(self._people))

    def _render(self) -> None:
        self.screen.set_circle(self._people, self.sharing())

    # -- "Partager mon humeur" ----------------------------------------------------------------
    def _on_sharing_requested(self, paused: bool) -> None:
        now = self._host.now()
        data = {"paused": paused, "at": now.isoformat()}
        key = self._host.send(ACTION, data)
        if key is None:
            return  # not paired: nobody to tell
        self._wish = {**data, "key": key}
        self._save()
        self._render()

    def answered_from_worker(self, data: dict[str, Any], answer: dict[str, Any]) -> None:
        """The backend took a `mood_sharing` write (called on the outbox's worker thread)."""
        self._relay.answered.emit(data, answer)

    def _on_answered(self, data: dict[str, Any], answer: dict[str, Any]) -> None:
        if not isinstance(answer.get("paused"), bool):
            log.warning("mood_sharing: an answer without 'paused' was ignored")
            return
        self._answer = {"paused": answer["paused"], "since": answer.get("since")}
        self._circle_at_answer = self._digest()
        if self._wish is not None and self._wish.get("at") == data.get("at"):
            self._wish = None  # that choice arrived
        self._save()
        if self._screen is not None:
            self._render()

    def _forget_stale_wish(self) -> None:
        """A choice no longer in the outbox was delivered (its answer not seen: the app was
        closed meanwhile) or refused: the backend's word (the synced circle) is shown again."""
        if self._wish is None:
            return
        try:
            keys = {e.key for e in self._host.outbox.pending() if e.type == ACTION}
        except Exception:
            log.exception("mood_sharing: the outbox could not be read")
            return
        if self._wish.get("key") not in keys:
            self._wish = None
            self._save()

    # -- on disk -----------------------------------------------------------------------------
    def _digest(self) -> str:
        records = self._host.state.of(KIND)
        text = json.dumps(list(records), sort_keys=True, default=str)
        import hashlib  # here: the circle's screen needs it, home's first picture does not

        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def _save(self) -> None:
        text = json.dumps(
            {"answer": self._answer, "wish": self._wish, "circle_at_answer": self._circle_at_answer}
        )
        try:
            write_atomically(self.path, text.encode("utf-8"))
        except OSError as exc:
            log.error("mood_sharing: not kept on disk: %s", exc)

    def _load(self) -> dict[str, Any]:
        try:
            saved = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.error("mood_sharing record unreadable (%s); starting afresh", exc)
            return {}
        if not isinstance(saved, dict):
            return {}
        kept: dict[str, Any] = {
            k: v for k, v in saved.items() if k in ("answer", "wish") and isinstance(v, dict)
        }
        if isinstance(saved.get("circle_at_answer"), str):
            kept["circle_at_answer"] = saved["circle_at_answer"]
        return kept
