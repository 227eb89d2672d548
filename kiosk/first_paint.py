"""Run something once a window's first picture is on screen.

The tablet paints home before it loads what talks to the backend (kiosk.cli), and tells
systemd it is ready at that moment (kiosk.watchdog): both wait for the same event.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QStackedWidget, QWidget


class FirstPaint(QObject):
    """Calls `then()` once, after the first paint event of `window` or of the screen it
    shows has been handled (the pixels are then in the window's backing store, on their way
    to the screen).

    A window whose screens fill it opaquely never gets a paint event itself, only its
    descendants do; every widget shown gets one, so the screen on top is enough. The filters
    sit on those two widgets only, not on the application: every event of every object would
    otherwise cross into Python while the first picture is made. Removed after it.
    """

    def __init__(self, window: QWidget, then: Callable[[], None]) -> None:
        super().__init__(window)
        self._then = then
        self.done = False
        self._watched: list[QWidget] = []
        self._watch(window)
        if isinstance(window, QStackedWidget):
            # The screen on top may change before the first picture (pairing, say).
            self._stack: QStackedWidget | None = window
            self._watch(window.currentWidget())
            window.currentChanged.connect(self._on_current_changed)
        else:
            self._stack = None

    def _watch(self, widget: QWidget | None) -> None:
        # A screen that is itself a stack (the photos: album and slideshow) may be painted
        # only through its current page: down to the page actually shown.
        while widget is not None:
            if widget not in self._watched:
                widget.installEventFilter(self)
                self._watched.append(widget)
            widget = widget.currentWidget() if isinstance(widget, QStackedWidget) else None

    def _on_current_changed(self, _index: int) -> None:
        if not self.done and self._stack is not None:
            self._watch(self._stack.currentWidget())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if not self.done and event.type() == QEvent.Type.Paint:
            self.done = True
            for widget in self._watched:
                widget.removeEventFilter(self)
            if self._stack is not None:
                self._stack.currentChanged.disconnect(self._on_current_changed)
            # After this paint event has been handled, not from inside it.
            QTimer.singleShot(0, self._then)
        return False
