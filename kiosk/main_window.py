"""The tablet's single full-screen window: a stack of screens, one shown at a time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtWidgets import QStackedWidget

from kiosk.screens.home_screen import HomeScreen
from kiosk.screens.pairing_screen import PairingScreen


class MainWindow(QStackedWidget):
    def __init__(self, now_fn: Callable[[], datetime]) -> None:
        super().__init__()
        self.setWindowTitle("Foyer")
        self.pairing = PairingScreen()
        self.home = HomeScreen(now_fn)
        self.addWidget(self.pairing)
        self.addWidget(self.home)

    def show_pairing(self) -> None:
        self.setCurrentWidget(self.pairing)

    def show_home(self) -> None:
        self.setCurrentWidget(self.home)

    def current_screen_name(self) -> str:
        return "home" if self.currentWidget() is self.home else "pairing"
