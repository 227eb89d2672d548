"""What a feature is to the controller, and what the controller is to a feature.

A feature is built once with the controller (its screens are registered at once, so home's
tiles know them). Its services live only while the tablet is paired: `start(link)` after
pairing (or at launch with a stored credential), `stop()` before the credential goes, and
`wipe()` when it is revoked or the tablet is re-paired: every local file the feature keeps
leaves the disk, and the next `start` begins afresh.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

import requests
from PySide6.QtWidgets import QWidget

from kiosk.device_client import DeviceClient
from kiosk.outbox import Outbox
from kiosk.store import LocalState

if TYPE_CHECKING:
    from kiosk.main_window import MainWindow


@dataclass(frozen=True)
class Link:
    """How a paired tablet reaches the backend."""

    client: DeviceClient
    http: requests.Session
    backend_url: str
    access_token: str


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
        screen: QWidget,
        *,
        on_open: Callable[[], None] | None = None,
        on_change: Callable[[], None] | None = None,
    ) -> None: ...
    def open_screen(self, name: str) -> None: ...
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
        """New local state from sync (the shown screen is refreshed by its on_change)."""

    def on_config(self, config: dict[str, Any]) -> None:
        """A new configuration is in force."""

    def badges(self) -> dict[str, int]:
        """Numbers for home's tiles, by module name."""
        return {}
