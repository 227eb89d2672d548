"""Weather: the screen and home's glance ("8°, pluie faible"), from the weather service.

The service fetches every 30 minutes and keeps the last good report in data_dir/weather.json;
the view is rebuilt from it whenever the report changes, each minute while the screen shows
(its "mis à jour il y a 2 h" moves on) and each minute for home's glance.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk import weather_file
from kiosk.features.base import Feature, Host, Link
from kiosk.i18n import in_context
from kiosk.store import LocalState
from kiosk.weather_view import CONTEXT, WeatherView, build_weather_view, glance

if TYPE_CHECKING:
    from kiosk.screens.weather_screen import WeatherScreen
    from kiosk.weather_service import WeatherService

WEATHER = "weather"


words = in_context(CONTEXT)  # as the weather screen says them


class WeatherFeature(Feature):
    def __init__(self, host: Host, data_dir: Path) -> None:
        self._host = host
        self._data_dir = data_dir
        self.service: WeatherService | None = None
        # The last report kept on the tablet: home's first picture already has its glance
        # (drawn by on_config, which the host calls once its configuration is loaded).
        saved = weather_file.read(data_dir / weather_file.FILE_NAME)
        self._report: dict[str, Any] | None = saved[0] if saved else None
        self._received_at: datetime | None = saved[1] if saved else None
        self._screen: WeatherScreen | None = None
        self._missing = ""  # why the last fetch brought nothing (see WeatherView.missing)
        host.window.home.minute_changed.connect(self._show_glance)
        host.register_screen(WEATHER, lambda: self.screen, on_open=self.show)

    @property
    def screen(self) -> WeatherScreen:
        """Built when first opened (its pictograms are not needed for home's picture)."""
        if self._screen is None:
            from kiosk.screens.weather_screen import WeatherScreen

            self._screen = WeatherScreen()
            self._screen.refresh_wanted.connect(self.show)
        return self._screen

    def start(self, link: Link) -> None:
        if self.service is None:
            from kiosk.weather_service import WeatherService

            self.service = WeatherService(link.client, link.scheduler, self._data_dir)
            self.service.weather_changed.connect(self._on_weather)
            self.service.fetch_failed.connect(self._on_fetch_failed)
            self.service.revoked.connect(self._host.credential_revoked)
        self.service.start()

    def stop(self) -> None:
        if self.service is not None:
            self.service.stop()

    def wipe(self) -> None:
        service, self.service = self.service, None
        if service is not None:
            service.blockSignals(True)  # a fetch finishing late speaks for a finished service
            service.wipe()  # weather.json says where the person lives: it goes
        self._report = self._received_at = None
        if self._screen is not None:
            self.show()
        self._show_glance()

    def shutdown(self) -> None:
        self.stop()
        if self.service is not None:
            self.service.blockSignals(True)  # the screen may go before its last job ends

    def on_state(self, state: LocalState) -> None:
        # The report does not come by sync, but its age ("mis à jour il y a…") moves on.
        if self._screen is not None and self._host.window.current_screen_name() == WEATHER:
            self.show()

    def on_config(self, config: dict[str, Any]) -> None:
        self._show_glance()  # the glance goes with the module

    # -- views -------------------------------------------------------------------------------
    def view(self) -> WeatherView:
        view = build_weather_view(self._report, self._host.now(), self._received_at, words)
        return view if view.available else replace(view, missing=self._missing)

    def show(self) -> None:
        self.screen.show_view(self.view())

    def _show_glance(self, *_args: object) -> None:
        enabled = WEATHER in self._host.config.get("modules", ())
        text = glance(self.view(), words) if enabled else ""
        self._host.window.home.set_weather_glance(text)

    def _on_fetch_failed(self, reason: str) -> None:
        if reason == self._missing:
            return
        self._missing = reason
        if self._screen is not None and self._host.window.current_screen_name() == WEATHER:
            self.show()

    def _on_weather(self, report: dict[str, Any] | None, received_at: datetime | None) -> None:
        self._report = report
        self._received_at = received_at
        if self._screen is not None and self._host.window.current_screen_name() == WEATHER:
            self.show()
        self._show_glance()
