"""The tablet's single full-screen window: a stack of named screens, one shown at a time.

One way to a screen (`show_screen(name)`) and one way home (`show_home()`). Every secondary
screen is a `ScreenFrame`, whose big "Accueil" button (its `home_requested` signal; any
screen with such a signal) is wired home when it is added. The
window also watches every press anywhere in it (`touched`, for the idle and night logic) and a
long press in the top-left corner (`corner_long_pressed`, the way to the maintenance screen).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QEvent, QObject, QTimer, Signal, SignalInstance
from PySide6.QtGui import QCloseEvent, QColor, QMouseEvent, QPalette, QResizeEvent
from PySide6.QtWidgets import QApplication, QStackedWidget, QWidget

from kiosk.screens.home_screen import HomeScreen
from kiosk.screens.pairing_screen import PairingScreen
from widgets import sizing, theme

HOME = "home"
PAIRING = "pairing"
LONG_PRESS_MS = 3000
HIGH_CONTRAST_BACKGROUND = "#FFFFFF"


class MainWindow(QStackedWidget):
    screen_changed = Signal(str)  # the new screen's name
    touched = Signal()  # any press in the window
    corner_long_pressed = Signal()  # ~3 s in the top-left corner

    def __init__(self, now_fn: Callable[[], datetime]) -> None:
        super().__init__()
        self.setWindowTitle("Foyer")
        self._screens: dict[str, QWidget] = {}
        self.pairing = PairingScreen()
        self.home = HomeScreen(now_fn)
        self.add_screen(PAIRING, self.pairing)
        self.add_screen(HOME, self.home)
        self._long_press = QTimer(self)
        self._long_press.setSingleShot(True)
        self._long_press.setInterval(LONG_PRESS_MS)
        self._long_press.timeout.connect(self.corner_long_pressed)
        self._high_contrast = False
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    # -- screens -----------------------------------------------------------------------------

    def add_screen(self, name: str, screen: QWidget) -> None:
        if name in self._screens:
            raise ValueError(f"screen {name!r} already added")
        self._screens[name] = screen
        self.addWidget(screen)
        # ScreenFrame's big "Accueil", or any screen with a home_requested signal of its own
        # (a full-screen slideshow, say).
        home_requested = getattr(screen, "home_requested", None)
        if isinstance(home_requested, SignalInstance):
            home_requested.connect(self.show_home)

    def has_screen(self, name: str) -> bool:
        return name in self._screens

    def screen_names(self) -> list[str]:
        return list(self._screens)

    def screen_named(self, name: str) -> QWidget:
        return self._screens[name]

    def show_screen(self, name: str) -> None:
        screen = self._screens[name]
        if self.currentWidget() is not screen:
            self.setCurrentWidget(screen)
            self.screen_changed.emit(name)

    def show_home(self) -> None:
        self.show_screen(HOME)

    def show_pairing(self) -> None:
        self.show_screen(PAIRING)

    def current_screen_name(self) -> str:
        current = self.currentWidget()
        return next((n for n, w in self._screens.items() if w is current), "")

    # -- look --------------------------------------------------------------------------------

    def apply_look(self, font_scale: float, high_contrast: bool) -> None:
        """Text size and contrast from the configuration, applied at once to every screen."""
        changed = font_scale != sizing.font_scale() or high_contrast != self._high_contrast
        if not changed:
            return
        sizing.set_font_scale(font_scale)
        self._high_contrast = high_contrast
        background = HIGH_CONTRAST_BACKGROUND if high_contrast else theme.BACKGROUND
        for screen in self._screens.values():
            if screen is not self._screens.get("night") and screen.autoFillBackground():
                palette = screen.palette()
                palette.setColor(QPalette.ColorRole.Window, QColor(background))
                screen.setPalette(palette)
            # Screens size their text in resizeEvent: give them one at their present size.
            QApplication.sendEvent(screen, QResizeEvent(screen.size(), screen.size()))

    # -- touches -----------------------------------------------------------------------------

    def _in_corner(self, event: QMouseEvent, reach: int = 1) -> bool:
        """Whether the press is in the top-left corner square (one touch target wide)."""
        at = self.mapFromGlobal(event.globalPosition().toPoint())
        side = sizing.min_touch_px(self) * reach
        return 0 <= at.x() < side and 0 <= at.y() < side

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        kind = event.type()
        if kind in (QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin):
            # A press travels up from the widget under the finger to its parents: each of
            # them is seen here, and `touched` may fire more than once per press (harmless).
            if isinstance(watched, QWidget) and watched.window() is self:
                self.touched.emit()
                if isinstance(event, QMouseEvent) and self._in_corner(event):
                    self._long_press.start()
        elif kind in (QEvent.Type.MouseButtonRelease, QEvent.Type.TouchEnd):
            self._long_press.stop()
        elif (
            kind == QEvent.Type.MouseMove
            and self._long_press.isActive()
            and isinstance(event, QMouseEvent)
            and not self._in_corner(event, reach=2)
        ):
            self._long_press.stop()  # the finger slid away: not a long press
        return False

    def is_long_pressing(self) -> bool:
        return self._long_press.isActive()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        super().closeEvent(event)
