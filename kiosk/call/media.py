"""Where the tablet's picture and voice come from, and the switch that turns the camera off.

Real devices are opened through aiortc's `MediaPlayer` (FFmpeg's V4L2 and ALSA inputs; on the
appliance PipeWire answers as ALSA's `default`). `--fake-media` opens FFmpeg's own generators
instead: `testsrc2` (a moving colour pattern with a counter) and `sine` (a 440 Hz tone), the
same code path as a camera, paced in real time by the player.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

import av
from aiortc import MediaStreamTrack
from aiortc.contrib.media import MediaPlayer, MediaRelay

log = logging.getLogger(__name__)

VIDEO_SIZE = "640x480"
FRAME_RATE = "30"
CAMERA = Path(os.environ.get("FOYER_CALL_CAMERA", "/dev/video0"))
MICROPHONE = os.environ.get("FOYER_CALL_MICROPHONE", "default")


@dataclass
class LocalMedia:
    audio: MediaStreamTrack | None
    video: MediaStreamTrack | None  # what the sender sends (through the camera switch)
    preview: MediaStreamTrack | None  # the same pictures, for the small self view
    camera: CameraSwitch | None
    players: list[MediaPlayer] = field(default_factory=list)

    def stop(self) -> None:
        for track in (self.audio, self.video, self.preview):
            if track is not None:
                track.stop()
        for player in self.players:
            for track in (player.audio, player.video):
                if track is not None:
                    track.stop()


class CameraSwitch(MediaStreamTrack):
    """The camera's frames, or black frames of the same size and timing while switched off
    (the other side sees black rather than a frozen picture; nothing of the room is sent).
    Counts what it hands the sender: `frames_sent`."""

    kind = "video"

    def __init__(self, source: MediaStreamTrack) -> None:
        super().__init__()
        self._source = source
        self.enabled = True
        self.frames_sent = 0
        self._black: dict[tuple[int, int], list[bytes]] = {}

    async def recv(self) -> av.VideoFrame:
        frame = await self._source.recv()
        if not isinstance(frame, av.VideoFrame):
            raise TypeError("a video track gave a non-video frame")
        if not self.enabled:
            frame = self._black_like(frame)
        self.frames_sent += 1
        return frame

    def _black_like(self, frame: av.VideoFrame) -> av.VideoFrame:
        black = av.VideoFrame(frame.width, frame.height, "yuv420p")
        key = (frame.width, frame.height)
        if key not in self._black:  # Y 16, U and V 128: black in limited-range YUV
            self._black[key] = [
                bytes([16 if i == 0 else 128]) * plane.buffer_size
                for i, plane in enumerate(black.planes)
            ]
        for plane, data in zip(black.planes, self._black[key], strict=True):
            plane.update(data)
        black.pts, black.time_base = frame.pts, frame.time_base
        return black

    def stop(self) -> None:
        super().stop()
        self._source.stop()


def _open(file: str, fmt: str, options: dict[str, str] | None = None) -> MediaPlayer | None:
    try:
        return MediaPlayer(file, format=fmt, options=options)
    except (av.FFmpegError, OSError) as exc:
        log.warning("cannot open %s (%s): %s", file, fmt, exc)
        return None


def open_local_media(fake: bool) -> LocalMedia:
    """The microphone and camera (or their fakes); a missing device is None, not an error."""
    if fake:
        video_player = _open(f"testsrc2=size={VIDEO_SIZE}:rate={FRAME_RATE}", "lavfi")
        audio_player = _open("sine=frequency=440:sample_rate=48000", "lavfi")
    else:
        video_player = (
            _open(str(CAMERA), "v4l2", {"video_size": VIDEO_SIZE, "framerate": FRAME_RATE})
            if CAMERA.exists()
            else None
        )
        audio_player = _open(MICROPHONE, "alsa")
    players = [p for p in (video_player, audio_player) if p is not None]
    audio = audio_player.audio if audio_player is not None else None
    video = preview = camera = None
    if video_player is not None and video_player.video is not None:
        # One camera, two readers: the sender and the self view. Unbuffered: each reads the
        # newest picture. (Buffered, the sender's queue would fill with every picture the
        # self view showed while the call rang: 460 KB each, 30 a second.)
        relay = MediaRelay()
        camera = CameraSwitch(relay.subscribe(video_player.video, buffered=False))
        video, preview = camera, relay.subscribe(video_player.video, buffered=False)
    return LocalMedia(audio=audio, video=video, preview=preview, camera=camera, players=players)
