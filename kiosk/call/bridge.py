"""From the engine's thread to the window's: queued Qt signals. Video frames are turned into
QImages here, on the engine's thread (QImage may be used off the GUI thread), already at the
size they will be drawn, so that the GUI thread only paints; a frame arriving while the
previous one is not painted yet is dropped rather than queued."""

from __future__ import annotations

import threading

import av
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage


def to_image(frame: av.VideoFrame, box: tuple[int, int]) -> QImage:
    """`frame` scaled to fit `box` (keeping its shape), as an RGB QImage that owns its bytes."""
    width, height = box
    scale = min(width / frame.width, height / frame.height)
    w, h = max(2, int(frame.width * scale) // 2 * 2), max(2, int(frame.height * scale) // 2 * 2)
    rgb = frame.reformat(width=w, height=h, format="rgb24")
    plane = rgb.planes[0]
    image = QImage(bytes(plane), w, h, plane.line_size, QImage.Format.Format_RGB888)
    return image.copy()  # detached from the bytes object above


class FrameSlot:
    """The size a view draws at, and whether it painted the last image (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._box = (640, 480)
        self._busy = False

    def set_box(self, width: int, height: int) -> None:
        with self._lock:
            self._box = (max(2, width), max(2, height))

    def take(self) -> tuple[int, int] | None:
        """The box to draw at, or None while the previous image waits to be painted."""
        with self._lock:
            if self._busy:
                return None
            self._busy = True
            return self._box

    def painted(self) -> None:
        with self._lock:
            self._busy = False


class Bridge(QObject):
    """The engine's `Listener`; lives on the GUI thread, called from the engine's."""

    state_changed = Signal(str, str)
    noted = Signal(str)
    remote_image = Signal(QImage)
    local_image = Signal(object)  # a QImage, or None: the camera is off
    volume_changed = Signal(int)
    call_ended = Signal(str, str, bool)

    def __init__(self) -> None:
        super().__init__()
        self.remote_slot = FrameSlot()
        self.local_slot = FrameSlot()

    def state(self, state: str, text: str) -> None:
        self.state_changed.emit(state, text)

    def note(self, text: str) -> None:
        self.noted.emit(text)

    def remote_frame(self, frame: av.VideoFrame) -> None:
        box = self.remote_slot.take()
        if box is not None:
            self.remote_image.emit(to_image(frame, box))

    def local_frame(self, frame: av.VideoFrame | None) -> None:
        if frame is None:
            self.local_image.emit(None)
            return
        box = self.local_slot.take()
        if box is not None:
            self.local_image.emit(to_image(frame, box))

    def volume(self, percent: int) -> None:
        self.volume_changed.emit(percent)

    def ended(self, outcome: str, sentence: str, crashed: bool) -> None:
        self.call_ended.emit(outcome, sentence, crashed)
