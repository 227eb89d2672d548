"""The aiortc candidate for the tablet's call stack (bench/call_stack_choice.py): aiortc and
PyAV answer the bench's offer, send a synthetic 640×480 camera at 30 fps and a tone, decode
what comes back and paint it full window in Qt, as the tablet's call window would.

    python -m bench.call_stack_aiortc --signal URL [--size 1280x800]

Prints one JSON line per event on stdout, times in `time.monotonic()` (comparable across
processes): {"event": "first_frame", "at": …}, {"event": "answer_sent", "at": …}.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import struct
import sys
import threading
import time
from typing import Any

import av
import requests
from aiortc import MediaStreamTrack, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import AudioStreamTrack, VideoStreamTrack
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QImage, QPainter, QPaintEvent
from PySide6.QtWidgets import QApplication, QWidget

WIDTH, HEIGHT, FPS = 640, 480, 30


def _say(**fields: Any) -> None:
    print(json.dumps(fields), flush=True)


class PatternTrack(VideoStreamTrack):
    """A moving bright band over a coloured background (YUV planes precomputed once)."""

    def __init__(self) -> None:
        super().__init__()
        self._planes: list[bytes] = []
        for step in range(FPS):
            band = (step * WIDTH // FPS, (step * WIDTH // FPS) + WIDTH // 8)
            row = bytes(235 if band[0] <= x < band[1] else 80 for x in range(WIDTH))
            self._planes.append(row * HEIGHT)
        self._u = bytes([90]) * (WIDTH // 2 * HEIGHT // 2)
        self._v = bytes([170]) * (WIDTH // 2 * HEIGHT // 2)
        self._count = 0

    async def recv(self) -> av.VideoFrame:
        pts, time_base = await self.next_timestamp()
        frame = av.VideoFrame(WIDTH, HEIGHT, "yuv420p")
        frame.planes[0].update(self._planes[self._count % FPS])
        frame.planes[1].update(self._u)
        frame.planes[2].update(self._v)
        frame.pts, frame.time_base = pts, time_base
        self._count += 1
        return frame


class ToneTrack(AudioStreamTrack):
    """A 440 Hz tone, paced as aiortc's silence is."""

    def __init__(self) -> None:
        super().__init__()
        self._sample = 0

    async def recv(self) -> av.AudioFrame:
        frame = await super().recv()
        assert isinstance(frame, av.AudioFrame)  # aiortc's silence
        samples = frame.samples
        rate = frame.sample_rate
        pcm = struct.pack(
            f"<{samples}h",
            *(
                int(8000 * math.sin(2 * math.pi * 440 * (self._sample + i) / rate))
                for i in range(samples)
            ),
        )
        frame.planes[0].update(pcm)
        self._sample += samples
        return frame


class Screen(QWidget):
    """The other person, scaled to the window."""

    def __init__(self) -> None:
        super().__init__()
        self._image: QImage | None = None

    def show_image(self, image: QImage) -> None:
        self._image = image
        self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        painter.fillRect(self.rect(), Qt.GlobalColor.black)
        if self._image is not None:
            painter.drawImage(self.rect(), self._image)
        painter.end()


class Frames(QObject):
    arrived = Signal(QImage)


def _get(url: str) -> Any:
    return requests.get(url, timeout=60).json()


def _post(url: str, body: object) -> None:
    requests.post(url, json=body, timeout=10).raise_for_status()


async def _consume(track: MediaStreamTrack, frames: Frames) -> None:
    first = True
    while True:
        try:
            frame = await track.recv()
        except Exception:  # the track ended (the other side hung up)
            return
        if track.kind != "video" or not isinstance(frame, av.VideoFrame):
            continue
        rgb = frame.reformat(format="rgb24")
        plane = rgb.planes[0]
        image = QImage(
            bytes(plane), rgb.width, rgb.height, plane.line_size, QImage.Format.Format_RGB888
        ).copy()
        frames.arrived.emit(image)
        if first:
            first = False
            _say(event="first_frame", at=time.monotonic())


async def _call(signal_url: str, frames: Frames) -> None:
    loop = asyncio.get_running_loop()
    offer = await loop.run_in_executor(None, _get, signal_url + "/offer")
    pc = RTCPeerConnection()
    pc.addTrack(PatternTrack())
    pc.addTrack(ToneTrack())

    consumers: list[asyncio.Task[None]] = []  # kept: a task nobody holds may be collected

    @pc.on("track")
    def on_track(track: MediaStreamTrack) -> None:
        consumers.append(asyncio.ensure_future(_consume(track, frames)))

    await pc.setRemoteDescription(RTCSessionDescription(offer["sdp"], "offer"))
    await pc.setLocalDescription(await pc.createAnswer())  # gathers every candidate
    await loop.run_in_executor(
        None, _post, signal_url + "/answer", {"sdp": pc.localDescription.sdp}
    )
    _say(event="answer_sent", at=time.monotonic())
    await asyncio.Event().wait()  # until the bench ends the process


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--signal", required=True)
    parser.add_argument("--size", default="1280x800")
    args = parser.parse_args(argv)
    app = QApplication(sys.argv[:1])
    screen = Screen()
    width, height = (int(v) for v in args.size.split("x"))
    screen.resize(width, height)
    screen.show()
    frames = Frames()
    frames.arrived.connect(screen.show_image, Qt.ConnectionType.QueuedConnection)
    threading.Thread(
        target=lambda: asyncio.run(_call(args.signal, frames)), name="webrtc", daemon=True
    ).start()
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())
