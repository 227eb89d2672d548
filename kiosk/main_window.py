"""The tablet's single full-screen window: a stack of named screens, one shown at a time.

One way to a screen (`show_screen(name)`) and one way home (`show_home()`). A screen may be
added already built or as the function that builds it: it is then built the first time it is
asked for, so that the first picture (home) does not wait for screens nobody has opened yet
(docs/performance.md, tablet start). Every secondary
screen is a `ScreenFrame`, whose big "Accueil" button (its `home_requested` signal; any
screen with such a signal) is wired home when it is added. The
window also watches every press anywhere in it (`touched`, for the idle and night logic) and a
long press in the top-left corner (`corner_long_pressed`, the way to the maintenance screen).

Something may also come by itself over whatever screen is shown (a reminder's card): an
*overlay*, full window, on top of the stack (`show_overlay`), which leaves the screen under it
as it was. Whether it may come now is `may_interrupt()`: not over a screen that must not be
interrupted (`QUIET_SCREENS`: a professional's session, maintenance, pairing, the night), nor
while someone holds interruptions (`hold_interruptions("call")`, for a video call to come).
`may_interrupt_changed` says when the answer changes: an overlay's owner hides it on False
and shows it again on True.

A video call coming in is the one overlay that does not ask (kiosk.features.calls): it holds
interruptions first (`hold_interruptions("call-ringing")`: a reminder's card steps aside and
stays away), then covers any screen, quiet ones included (a professional's session rings
too; the night screen is woken first); while the call process runs, `"call"` is held, so
nothing comes over the screen the call returns to.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal, SignalInstance
from PySide6.QtGui import QCloseEvent, QColor, QMouseEvent, QPalette, QResizeEvent
from PySide6.QtWidgets import QApplication, QStackedWidget, QWidget

from kiosk.gui_thread import check_gui_thread
from kiosk.screens.home_screen import HomeScreen
from widgets import sizing, theme

if TYPE_CHECKING:
    from kiosk.screens.pairing_screen import PairingScreen

HOME = "home"
PAIRING = "pairing"
LONG_PRESS_MS = 3000
HIGH_CONTRAST_BACKGROUND = "#FFFFFF"

# Screens nothing covers by itself (an overlay waits until they are left): a professional's
# session (their PIN, the key-box code), the technician's maintenance, pairing, a Wi-Fi
# password being typed (« Connexion à Internet »), and the night
# (the panel may be off: a touch meant to wake the tablet must never answer a card).
QUIET_SCREENS = frozenset({PAIRING, "professional", "maintenance", "night", "network"})

# A screen, or what builds it when it is first needed.
ScreenSource = QWidget | Callable[[], QWidget]


class MainWindow(QStackedWidget):
    screen_changed = Signal(str)  # the new screen's name
    touched = Signal()  # any press in the window
    corner_long_pressed = Signal()  # ~3 s in the top-left corner
    may_interrupt_changed = Signal(bool)  # may_interrupt()'s new answer

    def __init__(self, now_fn: Callable[[], datetime]) -> None:
        super().__init__()
        self.setWindowTitle("Foyer")
        self._screens: dict[str, QWidget] = {}
        self._builders: dict[str, Callable[[], QWidget]] = {}
        self._names: list[str] = []  # in the order added, built or not
        self._high_contrast = False
        self._holds: set[str] = set()  # who holds interruptions off ("call"…)
        self._overlay: QWidget | None = None
        self._interruptible = True
        self.home = HomeScreen(now_fn)
        # Only a tablet that is not paired yet needs the pairing screen (and its QR code).
        self.add_screen(PAIRING, _build_pairing_screen)
        self.add_screen(HOME, self.home)
        self._long_press = QTimer(self)
        self._long_press.setSingleShot(True)
        self._long_press.setInterval(LONG_PRESS_MS)
        self._long_press.timeout.connect(self.corner_long_pressed)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    # -- screens -----------------------------------------------------------------------------

    def add_screen(self, name: str, screen: ScreenSource) -> None:
        """Add a screen, built (a widget) or to be built on first use (a function)."""
        if name in self._names:
            raise ValueError(f"screen {name!r} already added")
        self._names.append(name)
        if isinstance(screen, QWidget):
            self._install(name, screen)
        else:
            self._builders[name] = screen

    def _install(self, name: str, screen: QWidget) -> None:
        self._screens[name] = screen
        self.addWidget(screen)
        if self._high_contrast:
            self._paint_background(name, screen)
        # ScreenFrame's big "Accueil", or any screen with a home_requested signal of its own
        # (a full-screen slideshow, say).
        home_requested = getattr(screen, "home_requested", None)
        if isinstance(home_requested, SignalInstance):
            home_requested.connect(self.show_home)

    def _built(self, name: str) -> QWidget:
        screen = self._screens.get(name)
        if screen is None:
            screen = self._builders.pop(name)()  # KeyError for a name never added
            self._install(name, screen)
        return screen

    @property
    def pairing(self) -> PairingScreen:
        return cast("PairingScreen", self._built(PAIRING))

    def has_screen(self, name: str) -> bool:
        return name in self._names

    def screen_names(self) -> list[str]:
        return list(self._names)

    def is_built(self, name: str) -> bool:
        return name in self._screens

    def screen_named(self, name: str) -> QWidget:
        return self._built(name)

    def show_screen(self, name: str) -> None:
        check_gui_thread("MainWindow.show_screen")
        screen = self._built(name)
        if self.currentWidget() is not screen:
            self.setCurrentWidget(screen)
            if self._overlay is not None:
                self._overlay.raise_()  # a screen built just now went on top of it
            self.screen_changed.emit(name)
            self._note_interruptible()

    def show_home(self) -> None:
        self.show_screen(HOME)

    def show_pairing(self) -> None:
        self.show_screen(PAIRING)

    def current_screen_name(self) -> str:
        current = self.currentWidget()
        return next((n for n, w in self._screens.items() if w is current), "")

    # -- what comes by itself over any screen (a reminder's card) ------------------------------

    def may_interrupt(self) -> bool:
        """Whether an overlay may cover the screen now: no hold, and not a quiet screen."""
        return not self._holds and self.current_screen_name() not in QUIET_SCREENS

    def hold_interruptions(self, reason: str) -> None:
        """Nothing comes over the screen until `release_interruptions(reason)` (a video call:
        its own screen, not interrupted by a card)."""
        self._holds.add(reason)
        self._note_interruptible()

    def release_interruptions(self, reason: str) -> None:
        self._holds.discard(reason)
        self._note_interruptible()

    def _note_interruptible(self) -> None:
        now = self.may_interrupt()
        if now != self._interruptible:
            self._interruptible = now
            self.may_interrupt_changed.emit(now)

    def show_overlay(self, widget: QWidget) -> None:
        """Cover the whole window with `widget`, on top of whatever screen is shown, until
        `hide_overlay`. The caller asks `may_interrupt()` first (a call coming in holds
        interruptions instead: it wins over any other overlay)."""
        check_gui_thread("MainWindow.show_overlay")
        if self._overlay is not None and self._overlay is not widget:
            self._overlay.hide()
        self._overlay = widget
        if widget.parentWidget() is not self:
            widget.setParent(self)
        widget.setGeometry(self.rect())
        widget.show()
        widget.raise_()

    def hide_overlay(self, widget: QWidget | None = None) -> None:
        """Uncover the screen (only if `widget`, when given, is the overlay shown)."""
        if self._overlay is None or (widget is not None and widget is not self._overlay):
            return
        self._overlay.hide()
        self._overlay = None

    def overlay(self) -> QWidget | None:
        """The overlay shown, if any."""
        return self._overlay

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        if self._overlay is not None:
            self._overlay.setGeometry(self.rect())

    # -- look --------------------------------------------------------------------------------

    def apply_look(self, font_scale: float, high_contrast: bool) -> None:
        """Text size and contrast from the configuration, applied at once to every screen."""
        changed = font_scale != sizing.font_scale() or high_contrast != self._high_contrast
        if not changed:
            return
        sizing.set_font_scale(font_scale)
        self._high_contrast = high_contrast
        # Screens not built yet get both when they are (_install, and their first resize).
        for name, screen in self._screens.items():
            self._paint_background(name, screen)
            # Screens size their text in resizeEvent: give them one at their present size.
            QApplication.sendEvent(screen, QResizeEvent(screen.size(), screen.size()))
        if self._overlay is not None:
            size = self._overlay.size()
            QApplication.sendEvent(self._overlay, QResizeEvent(size, size))

    def _paint_background(self, name: str, screen: QWidget) -> None:
        if name == "night" or not screen.autoFillBackground():
            return
        background = HIGH_CONTRAST_BACKGROUND if self._high_contrast else theme.BACKGROUND
        palette = screen.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor(background))
        screen.setPalette(palette)

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
        elif kind == QEvent.Type.Polish and isinstance(watched, QWidget):
            # No keyboard on a touch kiosk: nothing takes focus, so no focus frame is ever
            # drawn (every widget is polished once, before it is first shown).
            if watched.window() is self:
                watched.setFocusPolicy(Qt.FocusPolicy.NoFocus)
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


def _build_pairing_screen() -> QWidget:
    from kiosk.screens.pairing_screen import PairingScreen

    return PairingScreen()
