"""The floor for tablet start: a bare PySide6 window that paints one label, nothing else.

    QT_QPA_PLATFORM=offscreen NOTIFY_SOCKET=/path .venv/bin/python -m bench.floor_window

Like the kiosk's watchdog, it sends READY=1 to $NOTIFY_SOCKET once its first paint has been
handled, so that both are timed the same way by `bench.tablet`. It then stays up (idle CPU and
memory are measured on it too) until SIGTERM ends it (no handler: nothing to save).
"""

from __future__ import annotations

import os
import socket
import sys

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QLabel, QWidget


def _notify(message: str) -> None:
    address = os.environ.get("NOTIFY_SOCKET", "")
    if not address:
        return
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.connect("\0" + address[1:] if address.startswith("@") else address)
        sock.sendall(message.encode())


class _FirstPaint(QObject):
    def __init__(self, window: QWidget) -> None:
        super().__init__()
        self._window = window

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if (
            event.type() == QEvent.Type.Paint
            and isinstance(watched, QWidget)
            and watched.window() is self._window
        ):
            QApplication.instance().removeEventFilter(self)  # type: ignore[union-attr]
            QTimer.singleShot(0, lambda: _notify("READY=1"))
        return False


def main() -> int:
    app = QApplication(sys.argv[:1])
    label = QLabel("10:42")
    label.setFont(QFont("Sans", 96))
    label.resize(1280, 800)
    first_paint = _FirstPaint(label)
    app.installEventFilter(first_paint)
    label.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
