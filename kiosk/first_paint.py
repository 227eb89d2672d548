"""Run something once a window's first picture is on screen.

The tablet paints home before it loads what talks to the backend (kiosk.cli), and tells
systemd it is ready at that moment (kiosk.watchdog): both wait for the same event.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget


def _app() -> QCoreApplication:
    app = QApplication.instance()
    if app is None:
        raise RuntimeError("waiting for a paint needs the QApplication")
    return app


class FirstPaint(QObject):
    """Calls `then()` once, after the first paint event of anything in `window` has been
    handled (the pixels are then in the window's backing store, on their way to the screen).

    The filter sits on the application, not the window: a window whose screens fill it
    opaquely never gets a paint event itself, only its descendants do. It is removed after
    the first one, so it costs nothing afterwards.
    """

    def __init__(self, window: QWidget, then: Callable[[], None]) -> None:
        super().__init__(window)
        self._window = window
        self._then = then
        self.done = False
        _app().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if (
            not self.done
            and event.type() == QEvent.Type.Paint
            and isinstance(watched, QWidget)
            and watched.window() is self._window
        ):
            self.done = True
            _app().removeEventFilter(self)
            # After this paint event has been handled, not from inside it.
            QTimer.singleShot(0, self._then)
        return False
