"""From the engine's thread to the window's: queued Qt signals. Video frames are turned into
QImages by a converter thread per view (QImage may be used off the GUI thread), already at the
size they will be drawn, so that neither the engine's loop nor the GUI thread spends time on
them: the loop only leaves the newest frame in a one-place mailbox (older ones are dropped,
never queued: a backlog would be seconds late and hundreds of megabytes), and a frame arriving
while the previous image is not painted yet is dropped too."""

from __future__ import annotations

import threading
from collections.abc import Callable

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


class Converter:
    """The newest frame, converted for its view in a daemon thread of its own."""

    def __init__(self, slot: FrameSlot, deliver: Callable[[QImage], None], name: str) -> None:
        self._slot = slot
        self._deliver = deliver
        self._ready = threading.Condition()
        self._frame: av.VideoFrame | None = None
        threading.Thread(target=self._run, name=name, daemon=True).start()

    def offer(self, frame: av.VideoFrame) -> None:
        with self._ready:
            self._frame = frame  # replaces one not converted yet
            self._ready.notify()

    def _run(self) -> None:
        while True:
            with self._ready:
                while self._frame is None:
                    self._ready.wait()
                frame, self._frame = self._frame, None
            box = self._slot.take()
            if box is not None:
                self._deliver(to_image(frame, box))


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
        self._remote = Converter(self.remote_slot, self.remote_image.emit, "call-remote-video")
        self._local = Converter(self.local_slot, self.local_image.emit, "call-self-video")

    def state(self, state: str, text: str) -> None:
        self.state_changed.emit(state, text)

    def note(self, text: str) -> None:
        self.noted.emit(text)

    def remote_frame(self, frame: av.VideoFrame) -> None:
        self._remote.offer(frame)

    def local_frame(self, frame: av.VideoFrame | None) -> None:
        if frame is None:
            self.local_image.emit(None)
        else:
            self._local.offer(frame)

    def volume(self, percent: int) -> None:
        self.volume_changed.emit(percent)

    def ended(self, outcome: str, sentence: str, crashed: bool) -> None:
        self.call_ended.emit(outcome, sentence, crashed)
