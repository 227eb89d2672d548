"""The professionals' entry: "Je suis un professionnel" on home opens today's schedule; the
PIN is checked off the GUI thread; arrival and departure go to the outbox."""

from __future__ import annotations

from apscheduler.schedulers.background import BackgroundScheduler

from kiosk.device_client import Unreachable
from kiosk.features.base import Feature, Host, Link
from kiosk.professional_client import Identified, ProfessionalClient
from kiosk.professional_service import ProfessionalService, connect_screen
from kiosk.professional_view import (
    IdentifiedView,
    ProfessionalView,
    build_identified_view,
    build_professional_view,
    visit_action_data,
)
from kiosk.screens.professional_screen import ProfessionalScreen
from kiosk.store import LocalState

PROFESSIONAL = "professional"


class ProfessionalFeature(Feature):
    def __init__(self, host: Host, scheduler: BackgroundScheduler) -> None:
        self._host = host
        self._client: ProfessionalClient | None = None
        self.screen = ProfessionalScreen(host.now)
        # One service for the life of the app (the screen is wired to it once); the client
        # it uses changes with the credential.
        self.service = ProfessionalService(self._make_client, scheduler)
        connect_screen(self.service, self.screen, self._identified_view)
        self.service.revoked.connect(host.credential_revoked)
        self.screen.arrival_requested.connect(lambda uid, pin: self._visit("arrival", uid, pin))
        self.screen.departure_requested.connect(lambda uid, pin: self._visit("departure", uid, pin))
        host.window.home.professional_requested.connect(lambda: host.open_screen(PROFESSIONAL))
        host.register_screen(PROFESSIONAL, self.screen, on_open=self._open, on_change=self._show)

    def start(self, link: Link) -> None:
        self._client = ProfessionalClient(link.http, link.backend_url, link.access_token)

    def stop(self) -> None:
        self._client = None

    def wipe(self) -> None:
        self.stop()
        self.screen.reset()  # nobody stays identified across a re-pairing

    def on_state(self, state: LocalState) -> None:
        """The schedule is refreshed by on_change while shown; nothing kept here."""

    # -- views -------------------------------------------------------------------------------
    def view(self) -> ProfessionalView:
        state = self._host.state
        return build_professional_view(state.events, state.of("events"), self._host.now())

    def _show(self) -> None:
        self.screen.set_view(self.view())

    def _open(self) -> None:
        self.screen.reset()
        self._show()

    def _identified_view(self, found: Identified) -> IdentifiedView:
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
        self._host.send(kind, visit_action_data(user_id, pin, self._host.now()))
