"""What a feature is to the controller, and what the controller is to a feature.

A feature is built once with the controller (its screens are registered at once, so home's
tiles know them, but as functions that build them when first opened). Its services live only
while the tablet is paired: `start(link)` after pairing (or at launch with a stored
credential), `stop()` before the credential goes, and `wipe()` when it is revoked or the tablet
is re-paired: every local file the feature keeps leaves the disk, and the next `start` begins
afresh.

Nothing here may import the HTTP library or the scheduler at module level: the controller and
its features are built before the first screen is painted, and those load after it (tablet
start time, docs/performance.md). What a service needs comes with the `Link`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from kiosk.outbox import Outbox
from kiosk.store import LocalState

if TYPE_CHECKING:
    import requests
    from apscheduler.schedulers.background import BackgroundScheduler

    from kiosk.device_client import DeviceClient
    from kiosk.main_window import MainWindow, ScreenSource


@dataclass(frozen=True)
class Link:
    """How a paired tablet reaches the backend, and the scheduler its services run on."""

    client: DeviceClient
    http: requests.Session
    backend_url: str
    access_token: str
    scheduler: BackgroundScheduler


class Host(Protocol):
    """What a feature may ask of the controller (kiosk.controller.KioskController)."""

    window: MainWindow
    outbox: Outbox
    config: dict[str, Any]

    @property
    def state(self) -> LocalState: ...
    def now(self) -> datetime: ...
    def register_screen(
        self,
        name: str,
        screen: ScreenSource,
        *,
        on_open: Callable[[], None] | None = None,
    ) -> None: ...
    def open_screen(self, name: str) -> None: ...
    def show_home(self) -> None: ...
    def send(self, action_type: str, data: dict[str, object]) -> str | None: ...
    def refresh_badges(self) -> None: ...
    def credential_revoked(self) -> None: ...


class Feature:
    """Does nothing by default: a feature overrides what concerns it."""

    def start(self, link: Link) -> None:
        """Paired: start the services (the local state is already in `host.state`)."""

    def stop(self) -> None:
        """No longer paired, or the app is closing: stop the services, keep the files."""

    def wipe(self) -> None:
        """Revoked or re-paired: stop, and forget every local file of this feature."""

    def shutdown(self) -> None:
        """The app is closing."""
        self.stop()

    def on_state(self, state: LocalState) -> None:
        """New local state from sync, told once per sync: keep what the feature needs, and
        redraw its screen if it is the one shown (nobody else will)."""

    def on_config(self, config: dict[str, Any]) -> None:
        """A new configuration is in force."""

    def badges(self) -> dict[str, int]:
        """Numbers for home's tiles, by module name."""
        return {}
