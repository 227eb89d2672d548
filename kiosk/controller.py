"""Decides what the tablet shows: pairing until it has a credential, then the day.

Wiring in one place (`_connect_signals`): services report through signals, the controller
updates the screens. Screens never talk to the network or the disk.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import requests
from apscheduler.schedulers.background import BackgroundScheduler
from PySide6.QtCore import QObject, Signal

from kiosk.background import OutboxService, PairingService, SyncService
from kiosk.device_client import DeviceClient
from kiosk.home_view import build_home_view
from kiosk.local_time import LocalTime
from kiosk.main_window import MainWindow
from kiosk.outbox import Outbox
from kiosk.store import DEFAULT_TZ, LocalState, LocalStore
from kiosk.sync import LONG_POLL_SECONDS, Syncer
from provisioning import credentials
from provisioning.credentials import DeviceCredential
from provisioning.pairing import PairingClient, PairingCode

log = logging.getLogger(__name__)


class KioskController(QObject):
    # Emitted when the home screen has been given a fresh view (tests and e2e wait on it).
    home_refreshed = Signal()

    def __init__(
        self,
        data_dir: Path,
        backend_url: str,
        window: MainWindow,
        scheduler: BackgroundScheduler,
        http: requests.Session,
        local_time: LocalTime,
        long_poll: float = LONG_POLL_SECONDS,
    ) -> None:
        super().__init__()
        self._data_dir = data_dir
        self._backend_url = backend_url.rstrip("/")
        self.window = window
        self._scheduler = scheduler
        self._http = http
        self._local_time = local_time
        self._long_poll = long_poll
        self.store = LocalStore(data_dir)
        self.outbox = Outbox(data_dir)
        self._state = self.store.load()
        self._follow_time_zone()
        self._offline_since: datetime | None = None
        self.sync_service: SyncService | None = None
        self.outbox_service: OutboxService | None = None
        self.pairing_service: PairingService | None = None
        self._connect_window()

    # -- what time it is for the beneficiary -------------------------------------------------
    def _follow_time_zone(self) -> None:
        beneficiary = self._state.beneficiary
        self._local_time.tz = beneficiary.tz if beneficiary else ZoneInfo(DEFAULT_TZ)

    def now(self) -> datetime:
        return self._local_time.now()

    # -- life cycle ------------------------------------------------------------------------
    def start(self) -> None:
        credential = credentials.load(self._data_dir)
        if credential is None:
            self._enter_pairing()
        else:
            self._enter_paired(credential)

    def shutdown(self) -> None:
        if self.sync_service is not None:
            self.sync_service.stop()
        if self.outbox_service is not None:
            self.outbox_service.stop()
        if self.pairing_service is not None:
            self.pairing_service.stop()

    def _enter_pairing(self) -> None:
        if self.sync_service is not None:
            self.sync_service.stop()
            self.sync_service = None
        if self.outbox_service is not None:
            self.outbox_service.stop()
            self.outbox_service = None
        self.window.pairing.show_message(self.tr("Connexion au service Foyer…"))
        self.window.show_pairing()
        self.pairing_service = PairingService(
            PairingClient(self._http, self._backend_url), self._scheduler
        )
        self._connect_pairing(self.pairing_service)
        self.pairing_service.start()

    def _enter_paired(self, credential: DeviceCredential) -> None:
        if self.pairing_service is not None:
            self.pairing_service.stop()
            self.pairing_service = None
        # The address given at start wins: the same backend may have moved.
        client = DeviceClient(self._http, self._backend_url, credential.access_token)
        self.sync_service = SyncService(
            Syncer(client, self.store), self._scheduler, long_poll=self._long_poll
        )
        self.outbox_service = OutboxService(self.outbox, client, self._scheduler)
        self._connect_sync(self.sync_service, self.outbox_service)
        self.refresh_home()
        self.window.show_home()
        self.sync_service.start()
        self.outbox_service.start()  # whatever was queued before a restart goes out now

    # -- wiring ----------------------------------------------------------------------------
    def _connect_window(self) -> None:
        self.window.home.minute_changed.connect(self.refresh_home)
        self.window.home.day_changed.connect(self.refresh_home)

    def _connect_pairing(self, service: PairingService) -> None:
        service.code_ready.connect(self._on_code)
        service.problem.connect(self._on_pairing_problem)
        service.denied.connect(self._on_denied)
        service.paired.connect(self._on_paired)

    def _connect_sync(self, service: SyncService, outbox: OutboxService) -> None:
        service.state_changed.connect(self._on_state)
        service.offline_since_changed.connect(self._on_offline_since)
        service.revoked.connect(self._on_revoked)
        outbox.revoked.connect(self._on_revoked)

    # -- intents from the screens --------------------------------------------------------
    def send(self, action_type: str, data: dict[str, object]) -> str | None:
        """Queue a write made on the tablet (mood, reply, read receipt, visit). None when
        unpaired: there is nobody to send it to."""
        if self.outbox_service is None:
            return None
        return self.outbox_service.enqueue(action_type, data)

    # -- reactions -------------------------------------------------------------------------
    def _on_code(self, code: PairingCode) -> None:
        self.window.pairing.show_code(
            code.user_code, code.verification_uri, code.verification_uri_complete, code.expires_at
        )

    def _on_pairing_problem(self, _reason: str, retry_in: float) -> None:
        self.window.pairing.show_message(
            self.tr(
                "Le service Foyer ne répond pas. Nouvel essai dans %n seconde(s).",
                "",
                max(1, round(retry_in)),
            )
        )

    def _on_denied(self) -> None:
        self.window.pairing.show_message(
            self.tr("L'association a été refusée. Un nouveau code va s'afficher.")
        )

    def _on_paired(self, credential: DeviceCredential) -> None:
        credentials.save(self._data_dir, credential)
        log.info("paired as device %s", credential.device_id)
        self._enter_paired(credential)

    def _on_state(self, state: LocalState) -> None:
        self._state = state
        self._follow_time_zone()
        self.refresh_home()

    def _on_offline_since(self, since: datetime | None) -> None:
        self._offline_since = since
        self.refresh_home()

    def _on_revoked(self) -> None:
        if self.sync_service is None and self.outbox_service is None:
            return  # both services said so; the first one already handled it
        log.warning("device credential revoked: local data wiped, back to pairing")
        credentials.erase(self._data_dir)
        self.store.wipe()
        self.outbox.wipe()
        self._state = self.store.load()
        self._follow_time_zone()
        self._offline_since = None
        self._enter_pairing()

    def refresh_home(self, *_args: object) -> None:
        first_name = self._state.beneficiary.first_name if self._state.beneficiary else ""
        view = build_home_view(
            first_name,
            self._state.events,
            self.now(),
            None
            if self._offline_since is None
            else self._offline_since.astimezone(self._local_time.tz),
        )
        self.window.home.set_view(view)
        self.home_refreshed.emit()

    @property
    def state(self) -> LocalState:
        return self._state
