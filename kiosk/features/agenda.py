"""The agenda: the coming days' visits, one day at a time, from the local store (recurring
visits expanded on the tablet: it works with no network at all)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.features.base import Feature, Host
from kiosk.home_view import build_agenda_days, finished_occurrences
from kiosk.store import LocalState

if TYPE_CHECKING:
    from kiosk.screens.agenda_screen import AgendaScreen

AGENDA = "agenda"


class AgendaFeature(Feature):
    def __init__(self, host: Host) -> None:
        self._host = host
        self._screen: AgendaScreen | None = None
        host.register_screen(AGENDA, lambda: self.screen, on_open=self._open)

    @property
    def screen(self) -> AgendaScreen:
        """Built when first opened: home's first picture does not wait for it."""
        if self._screen is None:
            from kiosk.screens.agenda_screen import AgendaScreen

            self._screen = AgendaScreen()
        return self._screen

    def on_state(self, state: LocalState) -> None:
        # Shown: the new visits appear on the day being looked at (the screen keeps it).
        if self._host.window.current_screen_name() == AGENDA:
            self._show()

    def _show(self) -> None:
        state = self._host.state
        finished = finished_occurrences(state.of("visits"), state.of("visit_absences"))
        self.screen.set_days(build_agenda_days(state.events, self._host.now(), finished=finished))

    def _open(self) -> None:
        self._show()
        self.screen.reset()  # opened from home: today first
