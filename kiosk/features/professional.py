"""The professionals' entry: "Je suis un professionnel" on home opens today's schedule; the
PIN is checked off the GUI thread; arrival and departure go to the outbox."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.client_errors import Unreachable
from kiosk.features.base import Feature, Host, Link
from kiosk.store import LocalState

if TYPE_CHECKING:
    from kiosk.professional_client import Identified, ProfessionalClient
    from kiosk.professional_service import ProfessionalService
    from kiosk.professional_view import IdentifiedView, ProfessionalView
    from kiosk.screens.professional_screen import ProfessionalScreen

PROFESSIONAL = "professional"


class ProfessionalFeature(Feature):
    def __init__(self, host: Host) -> None:
        self._host = host
        self._client: ProfessionalClient | None = None
        # Both made when first needed, and wired together once both exist: the screen when it
        # is opened, the service at the first start (it needs the link's scheduler). One
        # service for the life of the app; the client it uses changes with the credential.
        self._screen: ProfessionalScreen | None = None
        self.service: ProfessionalService | None = None
        host.window.home.professional_requested.connect(lambda: host.open_screen(PROFESSIONAL))
        host.register_screen(PROFESSIONAL, lambda: self.screen, on_open=self._open)

    @property
    def screen(self) -> ProfessionalScreen:
        if self._screen is None:
            from kiosk.screens.professional_screen import ProfessionalScreen

            screen = ProfessionalScreen(self._host.now)
            screen.arrival_requested.connect(lambda uid, pin: self._visit("arrival", uid, pin))
            screen.departure_requested.connect(lambda uid, pin: self._visit("departure", uid, pin))
            # After "Départ" the screen (key-box code, instructions) closes at once: home.
            screen.finished.connect(self._host.show_home)
            self._screen = screen
            self._wire()
        return self._screen

    def _wire(self) -> None:
        from kiosk.professional_service import connect_screen

        if self._screen is not None and self.service is not None:
            connect_screen(self.service, self._screen, self._identified_view)

    def start(self, link: Link) -> None:
        from kiosk.professional_client import ProfessionalClient

        self._client = ProfessionalClient(link.http, link.backend_url, link.access_token)
        if self.service is None:
            from kiosk.professional_service import ProfessionalService

            self.service = ProfessionalService(self._make_client, link.scheduler)
            self.service.revoked.connect(self._host.credential_revoked)
            self._wire()

    def stop(self) -> None:
        self._client = None

    def wipe(self) -> None:
        self.stop()
        if self._screen is not None:
            self._screen.reset()  # nobody stays identified across a re-pairing

    def on_state(self, state: LocalState) -> None:
        """Nothing kept here: the schedule shown is redrawn (who stays identified)."""
        if self._host.window.current_screen_name() == PROFESSIONAL:
            self._show()

    # -- views -------------------------------------------------------------------------------
    def view(self) -> ProfessionalView:
        # The view's module loads with the screen, not before home's first picture.
        from kiosk.professional_view import build_professional_view, outcomes_from

        state = self._host.state
        outcomes = outcomes_from(state.of("visits"), state.of("visit_absences"))
        return build_professional_view(state.events, state.of("events"), self._host.now(), outcomes)

    def _show(self) -> None:
        self.screen.set_view(self.view())

    def _open(self) -> None:
        self.screen.reset()
        self._show()

    def _identified_view(self, found: Identified) -> IdentifiedView:
        from kiosk.professional_view import build_identified_view

        return build_identified_view(
            self.view(), found.professional, found.messages, self._host.now()
        )

    def _make_client(self) -> ProfessionalClient:
        client = self._client
        if client is None:
            raise Unreachable("not paired")
        return client

    # -- intents -----------------------------------------------------------------------------
    def _visit(self, kind: str, user_id: int, pin: str) -> None:
        from kiosk.professional_view import visit_action_data

        self._host.send(kind, visit_action_data(user_id, pin, self._host.now()))
