"""Decides what the tablet shows: pairing until it has a credential, then the day.

Wiring in one place (`_connect_signals` and friends): services report through signals, the
controller updates the screens. Screens never talk to the network or the disk.

Every home module is a feature (`kiosk.features`: agenda, mood, messages, professionals,
photos, weather, reminders, the « Je vais bien » check-in, the circle): each owns its
screens and services, registers its screens by name
(`register_screen`, with the function that fills a screen when it is opened; a home tile
appears for a configured module only once a screen of that name exists), and is told of the
life cycle (start, stop, wipe), of new state (once per sync: `on_state`, which also redraws its
screen if shown) and of new configuration through `kiosk.features.base.Feature`. Adding a
module is one feature and one line in `_build_screens`:

    self.agenda = self._add_feature(AgendaFeature(self))

The controller keeps only the shell's own screens (pairing, night, maintenance) and wires.

Once a second `tick()` asks `kiosk.idle.decide` whether the tablet should change screen by
itself (night, photo frame, back home, mood check-in: `MoodFeature.due_slot`); while home
asks "Tout va bien aujourd'hui ?" it stays in front (no photo frame), and while a call rings
or runs (`kiosk.features.calls`) nothing changes by itself; a call ringing at night wakes
the screen (`wake_screen`).

For the signs of life, every press in the window is counted per local hour
(`kiosk.touch_counter`: counts only), and the status report says how the tablet is: screen on
or off and why, last touch, start time and starts today, memory, disk, the last error as a code.

Two steps, so that the beneficiary sees their day as soon as the tablet is switched on: the
constructor shows home from the local store (or the pairing screen) without loading the HTTP
library or the scheduler, and `start(scheduler, http)`, called once that first picture is
painted, starts talking to the backend (kiosk.cli; docs/performance.md, tablet start).
Screens are registered as functions that build them when first opened.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from common import tablet_config as config_schema
from common.atomic_file import write_atomically
from kiosk import i18n, idle
from kiosk.features.agenda import AgendaFeature
from kiosk.features.base import Feature, Link
from kiosk.features.calls import PROFESSIONAL_SCREENS, CallsFeature
from kiosk.features.checkin import CheckinFeature
from kiosk.features.circle import CircleFeature
from kiosk.features.messages import MessagesFeature
from kiosk.features.mood import MoodFeature
from kiosk.features.photos import PhotosFeature
from kiosk.features.professional import ProfessionalFeature
from kiosk.features.reminders import RemindersFeature
from kiosk.features.weather import WeatherFeature
from kiosk.home_view import build_home_view, finished_occurrences, reminder_summary
from kiosk.local_time import LocalTime
from kiosk.main_window import MainWindow, ScreenSource
from kiosk.outbox import Outbox
from kiosk.store import DEFAULT_TZ, LocalState, LocalStore
from kiosk.touch_counter import StartLog, TouchCounter
from provisioning import credentials
from provisioning.credentials import DeviceCredential

if TYPE_CHECKING:
    import requests
    from apscheduler.schedulers.background import BackgroundScheduler

    from kiosk.background import OutboxService, PairingService, SyncService
    from kiosk.features.updates import UpdatesFeature
    from kiosk.network.link import NetworkLink
    from kiosk.screens.maintenance_screen import MaintenanceInfo, MaintenanceScreen
    from kiosk.screens.night_screen import NightScreen
    from kiosk.status_report import Status, StatusReporter
    from provisioning.pairing import PairingCode

BACKEND_UNREACHABLE = "backend_unreachable"  # the last error reported when offline
log = logging.getLogger(__name__)
F = TypeVar("F", bound=Feature)

CONFIG_FILE = "config.json"  # the last good configuration, kept across restarts
CONFIG_KIND = "config"
TICK_MS = 1000


class KioskController(QObject):
    # Emitted when the home screen has been given a fresh view (tests and e2e wait on it).
    home_refreshed = Signal()
    # False when the night screen shows (the panel may be switched off), True when it ends.
    screen_power_changed = Signal(bool)
    # A new configuration is in force (common.tablet_config document): quick replies, read aloud…
    config_applied = Signal(object)
    _recover_requested = Signal()

    def __init__(
        self,
        data_dir: Path,
        backend_url: str,
        window: MainWindow,
        local_time: LocalTime,
        long_poll: float | None = None,  # None: kiosk.sync.LONG_POLL_SECONDS
    ) -> None:
        super().__init__()
        self._data_dir = data_dir
        self._backend_url = backend_url.rstrip("/")
        self.window = window
        # Given by start(): nothing talks to the backend before the first picture.
        self._scheduler: BackgroundScheduler | None = None
        self._http: requests.Session | None = None
        self._local_time = local_time
        self._long_poll = long_poll
        self.store = LocalStore(data_dir)
        self.outbox = Outbox(data_dir)
        self._state = self.store.load()
        self._follow_time_zone()
        self._offline_since: datetime | None = None
        self._last_sync: datetime | None = None
        self._last_error: str | None = None
        self._device_id: int | None = None
        self.sync_service: SyncService | None = None
        self.outbox_service: OutboxService | None = None
        self.pairing_service: PairingService | None = None
        self.status_reporter: StatusReporter | None = None
        self.config: dict[str, Any] = config_schema.defaults()
        self.config_version = 0
        self._config_applied_at: datetime | None = None
        self._timing = idle.Timing()
        self._last_touch = self.now()
        self._awake_until: datetime | None = None
        # The tablet's health, for the status report.
        self._started_at = self.now()
        self._restarts_today: int | None = None  # counted by start()
        self._screen_on = True
        self.touches = TouchCounter(data_dir, self.now)
        self.screen_power_changed.connect(self._on_screen_power)
        self._on_open: dict[str, Callable[[], None]] = {}
        self._features: list[Feature] = []
        self._night: NightScreen | None = None
        self._maintenance: MaintenanceScreen | None = None
        # Built after the first paint (start(), or the first use): no tile, nothing to show.
        self.updates: UpdatesFeature | None = None
        self._network: NetworkLink | None = None
        self._registering = True  # home's tiles are set once, after every screen is known
        # Home's numbers are counted once, when the first picture is ready (end of __init__),
        # not by every step that leads to it (three times otherwise: messages view, outbox).
        self._badges_later = True
        self._build_screens()
        self._registering = False
        self._connect_window()
        self._tick = QTimer(self)
        self._tick.setInterval(TICK_MS)
        self._tick.timeout.connect(self.tick)
        # Queued: recover() may be called from sys.excepthook, in the middle of a slot.
        self._recover_requested.connect(self._recover, Qt.ConnectionType.QueuedConnection)
        self._load_saved_config()  # tiles, look, language
        self._show_first_screen()
        self._badges_later = False
        self.refresh_badges()

    # -- screens ---------------------------------------------------------------------------
    def _build_screens(self) -> None:
        self.register_screen(idle.NIGHT, lambda: self.night)
        self.register_screen(
            "maintenance", lambda: self.maintenance, on_open=self._maintenance_open
        )
        self.agenda = self._add_feature(AgendaFeature(self))
        self.mood = self._add_feature(MoodFeature(self, self._data_dir))
        self.messages = self._add_feature(MessagesFeature(self))
        self.professional = self._add_feature(ProfessionalFeature(self))
        self.photos = self._add_feature(PhotosFeature(self, self._data_dir))
        self.weather = self._add_feature(WeatherFeature(self, self._data_dir))
        self.reminders = self._add_feature(RemindersFeature(self, self._data_dir))
        self.checkin = self._add_feature(CheckinFeature(self, self._data_dir))
        self.circle = self._add_feature(CircleFeature(self, self._data_dir))
        self.calls = self._add_feature(CallsFeature(self, self._data_dir, wake=self.wake_screen))

    def _build_later_features(self) -> None:
        """The features with no tile and nothing on home, built by `start()` once the first
        picture is painted (tablet start, docs/performance.md): a new one goes here unless home
        shows it."""
        if self.updates is None:
            from kiosk.features.updates import UpdatesFeature

            # Updates from afar (docs/updates-tablet.md): asked for only while nobody is busy
            # with the tablet — a call, or a professional's session.
            self.updates = self._add_feature(
                UpdatesFeature(
                    self,
                    self._data_dir,
                    busy=lambda: (
                        self.calls.active
                        or self.window.current_screen_name() in PROFESSIONAL_SCREENS
                    ),
                )
            )

    @property
    def network(self) -> NetworkLink:
        """« Connexion à Internet » (kiosk.network.link): built at `start()`, after the first
        paint, or when first asked for (the maintenance screen's button); its service starts
        with start()."""
        if self._network is None:
            from kiosk.network.link import NetworkLink

            self._network = NetworkLink(self.window, lambda: self._device_id is not None)
        return self._network

    @property
    def night(self) -> NightScreen:
        if self._night is None:
            from kiosk.screens.night_screen import NightScreen

            self._night = NightScreen(self.now)
        return self._night

    @property
    def maintenance(self) -> MaintenanceScreen:
        if self._maintenance is None:
            from kiosk.screens.maintenance_screen import MaintenanceScreen

            self._maintenance = MaintenanceScreen(self._check_maintenance_pin, self.now)
            self._maintenance.repair_requested.connect(self.repair)
            self._maintenance.network_requested.connect(self.network.open)
        return self._maintenance

    def _add_feature(self, feature: F) -> F:
        self._features.append(feature)
        return feature

    def register_screen(
        self,
        name: str,
        screen: ScreenSource,
        *,
        on_open: Callable[[], None] | None = None,
    ) -> None:
        """Add a screen, or the function that builds it when it is first opened. `on_open`
        fills it each time it is opened; when the local state changes while it is shown, its
        feature redraws it (`Feature.on_state`)."""
        self.window.add_screen(name, screen)
        if on_open is not None:
            self._on_open[name] = on_open
        if not self._registering:
            self._show_tiles()

    def open_screen(self, name: str) -> None:
        """Go to a screen, with fresh data."""
        if not self.window.has_screen(name):
            log.warning("no screen named %r; staying where we are", name)
            return
        fill = self._on_open.get(name)
        if fill is not None:
            fill()
        self.window.show_screen(name)

    def show_home(self) -> None:
        self.window.show_home()

    def _show_tiles(self) -> None:
        modules = [m for m in self.config["modules"] if self.window.has_screen(m)]
        self.window.home.set_tiles(modules)
        self.refresh_badges()

    # -- what time it is for the beneficiary -------------------------------------------------
    def _follow_time_zone(self) -> None:
        beneficiary = self._state.beneficiary
        self._local_time.tz = beneficiary.tz if beneficiary else ZoneInfo(DEFAULT_TZ)

    def now(self) -> datetime:
        return self._local_time.now()

    # -- life cycle ------------------------------------------------------------------------
    def _show_first_screen(self) -> None:
        """What the tablet shows before it reaches the network: the day from the local store
        when it is paired, else the pairing screen waiting for its code."""
        credential = credentials.load(self._data_dir)
        if credential is None:
            self._device_id = None
            self.window.pairing.show_message(self.tr("Connexion au service Foyer…"))
            self.window.show_pairing()
        else:
            self._device_id = credential.device_id
            self._take_config(self._state)
            self.refresh_home()
            self.window.show_home()

    def start(self, scheduler: BackgroundScheduler, http: requests.Session) -> None:
        """Talk to the backend: pair, or sync and start every feature's services."""
        self._scheduler = scheduler
        self._http = http
        self._restarts_today = StartLog(self._data_dir).note_start(self.now().date())
        self._build_later_features()
        credential = credentials.load(self._data_dir)
        if credential is None:
            self._enter_pairing()
        else:
            self._enter_paired(credential)
        self.network.start()
        self._tick.start()

    def shutdown(self) -> None:
        self._tick.stop()
        self.touches.save()
        if self._network is not None:
            self._network.stop()
        self._stop_paired_services()
        for feature in self._features:
            feature.shutdown()
        if self.pairing_service is not None:
            self.pairing_service.stop()

    def _stop_paired_services(self) -> None:
        if self.sync_service is not None:
            self.sync_service.stop()
            self.sync_service = None
        if self.outbox_service is not None:
            self.outbox_service.stop()
            self.outbox_service = None
        if self.status_reporter is not None:
            self.status_reporter.stop()
            self.status_reporter = None
        for feature in self._features:
            feature.stop()

    def _services(self) -> tuple[BackgroundScheduler, requests.Session]:
        if self._scheduler is None or self._http is None:
            raise RuntimeError("KioskController.start() has not been called")
        return self._scheduler, self._http

    def _enter_pairing(self) -> None:
        from kiosk.background import PairingService
        from provisioning.pairing import PairingClient, SavedCode

        scheduler, http = self._services()
        self._stop_paired_services()
        self._device_id = None
        self.window.pairing.show_message(self.tr("Connexion au service Foyer…"))
        self.window.show_pairing()
        self.pairing_service = PairingService(
            PairingClient(http, self._backend_url), scheduler, SavedCode(self._data_dir)
        )
        self._connect_pairing(self.pairing_service)
        self.pairing_service.start()

    def _enter_paired(self, credential: DeviceCredential) -> None:
        from kiosk.action_answers import AnsweringClient
        from kiosk.background import OutboxService, SyncService
        from kiosk.device_client import DeviceClient
        from kiosk.status_report import StatusReporter, post_status
        from kiosk.sync import LONG_POLL_SECONDS, Syncer

        scheduler, http = self._services()
        if self.pairing_service is not None:
            self.pairing_service.stop()
            # Its job may still be finishing on a worker thread, holding the last reference:
            # Qt's side must not be destroyed there (kiosk.gui_thread). Owned by the controller,
            # it dies on the GUI thread with it (pairing happens a handful of times in a life).
            self.pairing_service.setParent(self)
            self.pairing_service = None
        self._device_id = credential.device_id
        # The address given at start wins: the same backend may have moved.
        client = DeviceClient(http, self._backend_url, credential.access_token)
        self.sync_service = SyncService(
            Syncer(client, self.store),
            scheduler,
            long_poll=LONG_POLL_SECONDS if self._long_poll is None else self._long_poll,
        )
        # The outbox's client hands the backend's answers to the features that show them.
        answering = AnsweringClient(http, self._backend_url, credential.access_token)
        answering.listen("mood_sharing", self.circle.answered_from_worker)
        self.outbox_service = OutboxService(self.outbox, answering, scheduler)
        token = credential.access_token
        self.status_reporter = StatusReporter(
            self._collect_status,
            lambda status: post_status(
                http,
                self._backend_url,
                token,
                status,
                accepted=lambda sent: self.touches.acknowledge(sent.touches),
            ),
            scheduler,
        )
        self._connect_sync(self.sync_service, self.outbox_service)
        self._take_config(self._state)
        link = Link(client, http, self._backend_url, credential.access_token, scheduler)
        for feature in self._features:
            feature.start(link)
        self.refresh_home()
        self.window.show_home()
        self._last_touch = self.now()
        self.sync_service.start()
        self.outbox_service.start()  # whatever was queued before a restart goes out now

    # -- wiring ----------------------------------------------------------------------------
    def _connect_window(self) -> None:
        home = self.window.home
        home.minute_changed.connect(self.refresh_home)
        home.day_changed.connect(self.refresh_home)
        home.tile_clicked.connect(self.open_screen)
        self.window.touched.connect(self._on_touch)
        self.window.corner_long_pressed.connect(lambda: self.open_screen("maintenance"))

    def _connect_pairing(self, service: PairingService) -> None:
        service.code_ready.connect(self._on_code)
        service.problem.connect(self._on_pairing_problem)
        service.denied.connect(self._on_denied)
        service.paired.connect(self._on_paired)

    def _connect_sync(self, service: SyncService, outbox: OutboxService) -> None:
        service.state_changed.connect(self._on_state)
        service.offline_since_changed.connect(self._on_offline_since)
        service.synced.connect(self._on_synced)
        service.revoked.connect(self._on_revoked)
        outbox.revoked.connect(self._on_revoked)

    # -- intents from the screens --------------------------------------------------------
    def send(self, action_type: str, data: dict[str, object]) -> str | None:
        """Queue a write made on the tablet (mood, reply, read receipt, visit). None when
        unpaired: there is nobody to send it to."""
        if self.outbox_service is None:
            return None
        return self.outbox_service.enqueue(action_type, data)

    def repair(self) -> None:
        """Forget this pairing (credential, local data, configuration) and pair again."""
        log.warning("re-pairing requested on the maintenance screen: local data wiped")
        self._forget_everything()

    # -- reactions -------------------------------------------------------------------------
    def _on_code(self, code: PairingCode) -> None:
        self.window.pairing.show_code(
            code.user_code, code.verification_uri, code.verification_uri_complete, code.expires_at
        )

    def _on_pairing_problem(self, _reason: str, retry_in: float) -> None:
        if self.network.offer():
            return  # no network at all: « Connexion à Internet » rather than a dead end
        n = max(1, round(retry_in))
        # French is the source language: its plural (2 and more) is chosen here.
        if n < 2:
            text = self.tr("Le service Foyer ne répond pas. Nouvel essai dans %n seconde.", "", n)
        else:
            text = self.tr("Le service Foyer ne répond pas. Nouvel essai dans %n secondes.", "", n)
        self.window.pairing.show_message(text)

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
        self._take_config(state)
        for feature in self._features:
            feature.on_state(state)  # once per sync: it redraws its screen if shown
        self.refresh_home()

    def _on_offline_since(self, since: datetime | None) -> None:
        self._offline_since = since
        if since is not None:
            # A code, never words: the console and the maintenance screen say it in theirs.
            self._last_error = BACKEND_UNREACHABLE
        self.refresh_home()

    def _on_synced(self, at: datetime) -> None:
        self._last_sync = at
        if self.status_reporter is not None:
            self.status_reporter.report_soon()

    def credential_revoked(self) -> None:
        """A feature's service was told 401: as for sync, wipe and pair again."""
        self._on_revoked()

    def _on_revoked(self) -> None:
        if self.sync_service is None and self.outbox_service is None:
            return  # both services said so; the first one already handled it
        log.warning("device credential revoked: local data wiped, back to pairing")
        self._forget_everything()

    def _forget_everything(self) -> None:
        self._stop_paired_services()
        for feature in self._features:
            feature.wipe()
        credentials.erase(self._data_dir)
        self.store.wipe()
        self.outbox.wipe()
        self.touches.wipe()  # counted for the pairing that ends
        (self._data_dir / CONFIG_FILE).unlink(missing_ok=True)
        self._state = self.store.load()
        self._follow_time_zone()
        self._offline_since = None
        self._last_sync = None
        self._apply_config(config_schema.defaults(), 0)
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
            finished_occurrences(self._state.of("visits"), self._state.of("visit_absences")),
        )
        self.window.home.set_view(view)
        self._refresh_reminders(view.now)
        self.refresh_badges()
        self.home_refreshed.emit()

    def _refresh_reminders(self, now: datetime | None = None) -> None:
        """Home's "Prochain rappel" and today's done / not done (redrawn only if changed)."""
        try:
            summary = reminder_summary(self.reminders.today(), now or self.now())
        except Exception:  # a bad reminder must never take home down
            log.exception("home: the reminders could not be summed up")
            summary = None
        self.window.home.set_reminders(summary)

    def refresh_badges(self) -> None:
        """Home's numbers (unread messages, new photos), as the features count them."""
        if self._badges_later:
            return
        for feature in self._features:
            for module, count in feature.badges().items():
                self.window.home.set_badge(module, count)

    @property
    def state(self) -> LocalState:
        return self._state

    # -- views of my screens -----------------------------------------------------------------
    def _maintenance_open(self) -> None:
        self.maintenance.lock()
        self.maintenance.set_info(self.maintenance_info())

    def maintenance_info(self) -> MaintenanceInfo:
        from kiosk.screens.maintenance_screen import MaintenanceInfo
        from kiosk.status_report import version

        return MaintenanceInfo(
            online=self._device_id is not None and self._offline_since is None,
            backend_url=self._backend_url,
            device_id=self._device_id,
            version=version(),
            last_sync=None
            if self._last_sync is None
            else self._last_sync.astimezone(self._local_time.tz),
            outbox_pending=self.outbox.pending_count(),
            last_error=self._last_error,
        )

    def _check_maintenance_pin(self, pin: str) -> bool:
        return config_schema.verify_pin(pin, self.config.get("maintenance_pin"))

    # -- configuration -----------------------------------------------------------------------
    def _load_saved_config(self) -> None:
        path = self._data_dir / CONFIG_FILE
        try:
            saved = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            self._apply_config(config_schema.defaults(), 0)
            return
        except (OSError, ValueError) as exc:
            log.error("saved configuration unreadable (%s); using the defaults", exc)
            self._apply_config(config_schema.defaults(), 0)
            return
        document, errors = config_schema.validate(
            saved.get("document") if isinstance(saved, dict) else None
        )
        if document is None:
            log.error("saved configuration refused: %s", config_schema.describe(errors))
            document = config_schema.defaults()
        self._apply_config(document, int(saved.get("version", 0)) if document else 0)

    def _take_config(self, state: LocalState) -> None:
        """The configuration delivered by sync, if it is new and valid."""
        mine = [r for r in state.of(CONFIG_KIND) if r.get("id") == self._device_id]
        if not mine:
            return
        record = mine[0]
        version_ = record.get("version")
        if not isinstance(version_, int) or version_ == self.config_version:
            return
        document, errors = config_schema.validate(record.get("document"))
        if document is None:
            reason = config_schema.describe(errors)
            log.error(
                "configuration version %s refused, keeping version %s: %s",
                version_,
                self.config_version,
                reason,
            )
            self._last_error = f"configuration {version_} refusée : {reason}"
            return
        self._apply_config(document, version_)
        self._save_config(document, version_)

    def _save_config(self, document: dict[str, Any], version_: int) -> None:
        # A few hundred bytes, once per change the care manager makes (rare): durable, so a
        # power cut never brings back an older configuration; its fsync may cost a frame or two.
        text = json.dumps({"version": version_, "document": document})
        try:
            write_atomically(self._data_dir / CONFIG_FILE, text.encode("utf-8"))
        except OSError as exc:
            log.error("could not keep the configuration on disk: %s", exc)

    def _apply_config(self, document: dict[str, Any], version_: int) -> None:
        self.config = document
        self.config_version = version_
        self._config_applied_at = self.now()
        self._timing = idle.Timing(
            night_start=document["night_start"],
            night_end=document["night_end"],
            idle_minutes=document["idle_minutes"],
            screen_timeout_minutes=document["screen_timeout_minutes"],
        )
        if i18n.current_language() != document["language"]:
            i18n.set_language(document["language"])
        self.window.apply_look(document["font_scale"], document["high_contrast"])
        self.window.home.set_professional_entry(document["professional_entry"])
        self._show_tiles()
        for feature in self._features:
            feature.on_config(document)
        log.info("configuration version %s applied", version_)
        self.config_applied.emit(document)
        if self.status_reporter is not None:
            self.status_reporter.report_now()  # the console waits for "appliquée"

    # -- status ------------------------------------------------------------------------------
    def _collect_status(self) -> Status:
        """Runs on the reporter's worker thread."""
        from kiosk.status_report import (
            Status,
            disk_total,
            error_code,
            free_disk,
            memory_available,
            version,
        )

        now = self.now()
        free = free_disk(self._data_dir)
        screen_on = self._screen_on
        return Status(
            app_version=version(),
            free_disk_bytes=free,
            last_error=self._last_error,
            outbox_pending=self.outbox.pending_count(),
            config_version=self.config_version or None,
            config_applied_at=self._config_applied_at if self.config_version else None,
            screen_on=screen_on,
            screen_off_reason=None if screen_on else "night",
            screen_off_until=None if screen_on else self._night_ends(now),
            last_touch_at=self.touches.last_touch(),
            started_at=self._started_at,
            restarts_today=self._restarts_today,
            memory_available_bytes=memory_available(),
            disk_total_bytes=disk_total(self._data_dir),
            last_error_code=error_code(
                self._last_error, online=self._offline_since is None, free_disk_bytes=free
            ),
            touches=tuple(self.touches.completed(now)),
        )

    def _night_ends(self, now: datetime) -> datetime | None:
        """When the night mode that holds `now` ends (its configured end, today or tomorrow)."""
        try:
            end = idle.parse_hhmm(self._timing.night_end)
        except ValueError:
            return None
        tz = now.tzinfo
        moment = datetime.combine(now.date(), end, tzinfo=tz)
        if moment <= now:
            moment = datetime.combine(now.date() + timedelta(days=1), end, tzinfo=tz)
        return moment

    def _on_screen_power(self, on: bool) -> None:
        self._screen_on = on

    def note_error(self, text: str) -> None:
        """Remember the last problem, for the next status report."""
        self._last_error = text

    # -- by itself: night, photo frame, back home, mood ---------------------------------------
    def _on_touch(self) -> None:
        now = self.now()
        self._last_touch = now
        self.touches.touched()  # a count for its hour, nothing of what was touched
        screen = self.window.current_screen_name()
        if screen == idle.NIGHT:
            self._awake_until = now + idle.WAKE_FOR
            self.window.show_home()
            self.screen_power_changed.emit(True)
        elif screen == idle.PHOTO_FRAME:
            self.window.show_home()

    def wake_screen(self) -> None:
        """A call rings: the night screen (the panel may be off) gives way to home, as for a
        touch, under the ringing screen."""
        if self.window.current_screen_name() == idle.NIGHT:
            self._awake_until = self.now() + idle.WAKE_FOR
            self._last_touch = self.now()
            self.window.show_home()
            self.screen_power_changed.emit(True)

    def tick(self) -> None:
        """Once a second: should the tablet change screen by itself?"""
        self.touches.save_if_due()
        screen = self.window.current_screen_name()
        if self._device_id is None or screen == "pairing":
            return
        if self.calls.active:
            # Ringing or in a call: no night, no photo frame, no mood under it; and the idle
            # timers count from its end (a call is someone there).
            self._last_touch = self.now()
            return
        now = self.now()
        self._refresh_reminders(now)  # "1 fait" as soon as "C'est fait" is tapped
        if self.checkin.asking and screen == idle.PHOTO_FRAME:
            self.window.show_home()  # "Tout va bien aujourd'hui ?" must be seen
            return
        slot = self.mood.due_slot(now)
        situation = idle.Situation(
            now=now,
            screen=screen,
            last_touch=self._last_touch,
            awake_until=self._awake_until,
            # While home asks "Tout va bien aujourd'hui ?", it stays in front.
            has_photo_frame=self.photos.frame_ready and not self.checkin.asking,
            has_mood="mood" in self.config["modules"],
        )
        target = idle.decide(self._timing, situation, slot)
        if target is None or target == screen:
            return
        if target == idle.NIGHT:
            self._awake_until = None
            self.window.show_screen(idle.NIGHT)
            self.screen_power_changed.emit(False)
            return
        if screen == idle.NIGHT:
            self.screen_power_changed.emit(True)
        if target == idle.MOOD and slot is not None:
            self.mood.offered(now, slot)
        self._last_touch = now  # a screen shown by itself gets its full time
        self.open_screen(target)

    # -- no crash reaches the beneficiary ------------------------------------------------------
    def recover(self) -> None:
        """After an unexpected exception: go back to a known screen. Safe from anywhere (the
        work is queued onto the GUI thread) and never raises."""
        try:
            self._recover_requested.emit()
        except Exception:  # the controller may be half torn down
            log.exception("could not ask for recovery")

    def _recover(self) -> None:
        try:
            self.note_error("exception inattendue (voir le journal)")
            if self._device_id is None:
                self.window.show_pairing()
            else:
                self.refresh_home()
                self.window.show_home()
            log.warning(
                "recovered from an unexpected error: back to %s", self.window.current_screen_name()
            )
        except Exception:
            log.exception("recovery failed")
