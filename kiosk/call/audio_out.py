"""The other person's voice on the tablet's speaker: FFmpeg's ALSA output (PipeWire answers as
ALSA's `default` on the appliance), fed from a thread of its own because a sound card's write
blocks in real time and the engine's loop must never wait on it."""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import threading
from array import array

import av

log = logging.getLogger(__name__)

SPEAKER = os.environ.get("FOYER_CALL_SPEAKER", "default")
VOLUME_STEPS = (0.25, 0.4, 0.6, 0.8, 1.0, 1.3, 1.6, 2.0)
DEFAULT_STEP = 4  # 1.0: as received


class Volume:
    """The call's volume, in steps; what the buttons change (also without a speaker)."""

    def __init__(self) -> None:
        self.step = DEFAULT_STEP

    @property
    def gain(self) -> float:
        return VOLUME_STEPS[self.step]

    @property
    def percent(self) -> int:
        return round(self.gain * 100)

    def change(self, delta: int) -> None:
        self.step = min(len(VOLUME_STEPS) - 1, max(0, self.step + delta))


class Speaker:
    """Plays audio frames; drops them when the card falls behind (late voice is worse)."""

    def __init__(self, volume: Volume, device: str = SPEAKER) -> None:
        self._volume = volume
        self._container = av.open(device, format="alsa", mode="w")
        self._stream = self._container.add_stream("pcm_s16le", rate=48000)
        self._resampler = av.AudioResampler(format="s16", layout="stereo", rate=48000)
        self._frames: queue.Queue[av.AudioFrame | None] = queue.Queue(maxsize=10)
        self._thread = threading.Thread(target=self._run, name="call-speaker", daemon=True)
        self._thread.start()

    @classmethod
    def open(cls, volume: Volume) -> Speaker | None:
        try:
            return cls(volume)
        except (av.FFmpegError, OSError) as exc:
            log.warning("no audio output (%s): the voice is received but not played", exc)
            return None

    def play(self, frame: av.AudioFrame) -> None:
        with contextlib.suppress(queue.Full):
            self._frames.put_nowait(frame)

    def close(self) -> None:
        with contextlib.suppress(queue.Full):  # a full queue drains in 0.2 s of sound
            self._frames.put(None, timeout=1)
        self._thread.join(timeout=2)

    def _run(self) -> None:
        try:
            while (frame := self._frames.get()) is not None:
                for out in self._resampler.resample(frame):
                    gain = self._volume.gain
                    if gain != 1.0:
                        out = _scaled(out, gain)
                    for packet in self._stream.encode(out):
                        self._container.mux(packet)
        except (av.FFmpegError, OSError) as exc:
            log.warning("audio output stopped: %s", exc)
        finally:
            self._container.close()


def _scaled(frame: av.AudioFrame, gain: float) -> av.AudioFrame:
    samples = array("h", bytes(frame.planes[0])[: frame.samples * 4])
    for i, value in enumerate(samples):
        samples[i] = max(-32768, min(32767, int(value * gain)))
    out = av.AudioFrame(format="s16", layout="stereo", samples=frame.samples)
    out.planes[0].update(samples.tobytes().ljust(out.planes[0].buffer_size, b"\0"))
    out.sample_rate, out.pts = frame.sample_rate, frame.pts
    if frame.time_base is not None:
        out.time_base = frame.time_base
    return out
