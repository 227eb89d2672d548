"""Messages: the screen, its voice, read receipts and quick replies through the outbox.

A message opened on the tablet stops counting as unread at once: its id is kept in
`read_here` until a sync brings the record back with "read": true (the receipt has reached
the backend). Receipts still queued when the tablet restarts are found again in the outbox.
"""

from __future__ import annotations

import logging
from functools import cached_property
from typing import TYPE_CHECKING, Any

from kiosk.features.base import Feature, Host, Link
from kiosk.messages_view import MessagesView, build_messages_view
from kiosk.store import LocalState

if TYPE_CHECKING:
    from kiosk.screens.messages_screen import MessagesScreen
    from kiosk.speech import Speech

log = logging.getLogger(__name__)

MESSAGES = "messages"
READ = "read"
REPLY = "reply"


class MessagesFeature(Feature):
    def __init__(self, host: Host, speech: Speech | None = None) -> None:
        self._host = host
        # Made when the screen is first built (looking for espeak-ng on PATH and a process
        # object are not needed for home's first picture).
        self._speech = speech
        self.read_here: set[int] = set()
        # Leaving the screen (Accueil, idle, night) silences the voice.
        host.window.screen_changed.connect(self._on_screen_changed)
        host.register_screen(MESSAGES, lambda: self.screen, on_open=self._open)
        # Home's first picture already counts the messages read here but not yet confirmed.
        self._recall_queued_receipts()

    @property
    def speech(self) -> Speech:
        if self._speech is None:
            from kiosk.speech import Speech

            self._speech = Speech()
        return self._speech

    @cached_property
    def screen(self) -> MessagesScreen:
        """Built when first opened: dozens of big buttons nobody needs for home's picture."""
        from kiosk.screens.messages_screen import MessagesScreen
        from kiosk.speech import connect_screen

        screen = MessagesScreen()
        connect_screen(self.speech, screen)
        screen.read.connect(self._on_read)
        screen.reply_chosen.connect(self._on_reply)
        return screen

    # -- life cycle --------------------------------------------------------------------------
    def start(self, link: Link) -> None:
        self._recall_queued_receipts()
        self._host.refresh_badges()

    def _recall_queued_receipts(self) -> None:
        """Receipts queued before a restart and not yet delivered: still read here."""
        try:
            queued = self._host.outbox.pending(limit=1000)
        except Exception:  # a damaged outbox must not keep the messages away
            log.exception("could not read the queued read receipts")
            queued = []
        for entry in queued:
            message_id = entry.data.get("message_id")
            if entry.type == READ and isinstance(message_id, int):
                self.read_here.add(message_id)

    def stop(self) -> None:
        if self._speech is not None:
            self._speech.stop()

    def wipe(self) -> None:
        self.stop()
        self.read_here.clear()

    def shutdown(self) -> None:
        if self._speech is not None:
            self._speech.shutdown()

    def on_state(self, state: LocalState) -> None:
        # Confirmed by the backend: no longer needs remembering here.
        confirmed = {r.get("id") for r in state.of(MESSAGES) if r.get("read") is True}
        self.read_here -= confirmed
        if self._host.window.current_screen_name() == MESSAGES:
            self.show()

    def on_config(self, config: dict[str, Any]) -> None:
        if self._host.window.current_screen_name() == MESSAGES:
            self.show()

    def badges(self) -> dict[str, int]:
        return {MESSAGES: self.view().unread_count}

    # -- views -------------------------------------------------------------------------------
    def view(self) -> MessagesView:
        state = self._host.state
        config = self._host.config
        person = state.beneficiary
        return build_messages_view(
            state.of(MESSAGES),
            self._host.now(),
            beneficiary_name=f"{person.first_name} {person.last_name}" if person else "",
            quick_replies=config.get("quick_replies"),
            health_quick_replies=config.get("health_quick_replies"),
            read_aloud=bool(config.get("read_aloud")),
            read_here=self.read_here,
        )

    def show(self) -> None:
        self.screen.set_view(self.view())

    def _open(self) -> None:
        self.show()
        self.screen.show_list()

    # -- intents -----------------------------------------------------------------------------
    def _on_read(self, message_id: int) -> None:
        self.read_here.add(message_id)
        self._host.send(READ, {"message_id": message_id})
        self._host.refresh_badges()

    def _on_reply(self, message_id: int, text: str) -> None:
        self._host.send(REPLY, {"reply_to_id": message_id, "body": text})

    def _on_screen_changed(self, name: str) -> None:
        if name != MESSAGES and self._speech is not None:
            self._speech.stop()
