"""A gentle chime when a reminder card appears: two soft notes, never the GUI thread's wait.

- The sound is generated here (a WAV of under a second: two decaying sine notes, quiet), written
  once beside the tablet's data, and played by the system's own player in a child process:
  `pw-play` (PipeWire) or `aplay` (ALSA), whichever is found first, started by `QProcess`
  (asynchronous: the GUI thread never waits for it). Without a player, or when it fails to
  start, `QApplication.beep()`.
- One chime at a time: asked again while one is still sounding, it is not started twice.
- Whether to chime at all (the configuration, night) is the caller's decision.

The same player plays the video calls' sounds (kiosk.features.calls), generated the same way:
a ringtone (`RINGTONE`: two bursts of a two-tone ring, played again and again while a call
rings) and the auto-answer countdown's tick (`TICK`, once a second). `Chime(…, sound=…)`
picks the sound; `stop()` cuts it short (the call was answered).
"""

from __future__ import annotations

import logging
import math
import shutil
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QProcess, Signal
from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)

PLAYERS = ("pw-play", "aplay")
FILE_NAME = "reminder_chime.wav"
RATE = 22_050
# Two notes, a sixth apart (E5 then G4: a doorbell's "ding-dong", softer), each decaying.
NOTES = ((659.25, 0.42), (392.0, 0.55))
VOLUME = 0.28  # of full scale: gentle, heard across a quiet room
DURATION_MS = round(sum(length for _, length in NOTES) * 1000)
RING_VOLUME = 0.35  # a call must be heard from the next room
RING_PERIOD_S = 2.0  # the ringtone's length, silence included


def find_player(names: Sequence[str] = PLAYERS) -> str | None:
    for name in names:
        found = shutil.which(name)
        if found is not None:
            return found
    return None


def player_arguments(program: str, wav: Path) -> list[str]:
    if Path(program).name == "aplay":
        return ["-q", str(wav)]
    return [str(wav)]


def chime_samples() -> array[int]:
    """16-bit mono samples: each note with a short attack and an exponential decay."""
    samples: array[int] = array("h")
    for frequency, length in NOTES:
        count = round(RATE * length)
        for i in range(count):
            t = i / RATE
            attack = min(1.0, t / 0.01)
            decay = math.exp(-4.5 * t / length)
            value = math.sin(2 * math.pi * frequency * t) * attack * decay * VOLUME
            samples.append(round(value * 32767))
    return samples


def ringtone_samples() -> array[int]:
    """Two bursts of a two-tone ring (440 + 480 Hz, as a telephone's), 0.4 s each with a
    short gap, then silence: 2 s in all, played again while the call rings."""
    samples: array[int] = array("h")
    for burst in (0.4, 0.4):
        count = round(RATE * burst)
        for i in range(count):
            t = i / RATE
            envelope = min(1.0, t / 0.01, (burst - t) / 0.01)
            value = (math.sin(2 * math.pi * 440 * t) + math.sin(2 * math.pi * 480 * t)) / 2
            samples.append(round(value * envelope * RING_VOLUME * 32767))
        samples.extend([0] * round(RATE * 0.2))
    samples.extend([0] * (round(RATE * RING_PERIOD_S) - len(samples)))
    return samples


def tick_samples() -> array[int]:
    """A short soft click (60 ms at 1 kHz, decaying): the countdown's second."""
    samples: array[int] = array("h")
    length = 0.06
    for i in range(round(RATE * length)):
        t = i / RATE
        value = math.sin(2 * math.pi * 1000 * t) * math.exp(-6 * t / length) * VOLUME
        samples.append(round(value * 32767))
    return samples


@dataclass(frozen=True)
class Sound:
    file_name: str
    samples: Callable[[], array[int]]


CHIME = Sound(FILE_NAME, chime_samples)
RINGTONE = Sound("call_ringtone.wav", ringtone_samples)
TICK = Sound("call_tick.wav", tick_samples)


def write_chime(path: Path, samples: Callable[[], array[int]] = chime_samples) -> None:
    """The chime (or `samples`) as a WAV file at `path` (written atomically; OSError when the
    disk refuses)."""
    import io
    import wave

    from common.atomic_file import write_atomically

    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(samples().tobytes())
    write_atomically(path, out.getvalue(), durable=False)


class Chime(QObject):
    """play(): the chime now, by the system's player, or a beep."""

    played = Signal(str)  # "player" or "beep" (for tests and the log)

    def __init__(
        self,
        folder: Path,
        program: str | None = None,
        *,
        detect: bool = True,
        parent: QObject | None = None,
        sound: Sound | None = None,
    ) -> None:
        """`program`: a player to use instead of looking for pw-play or aplay (tests pass a
        stand-in); `detect=False` with no program: always the beep."""
        super().__init__(parent)
        self._sound = sound if sound is not None else CHIME
        self._path = folder / self._sound.file_name
        self._program = program if program is not None else (find_player() if detect else None)
        self._process = QProcess(self)
        self._process.setProcessChannelMode(QProcess.ProcessChannelMode.MergedChannels)
        self._process.errorOccurred.connect(self._on_error)
        self._process.finished.connect(self._on_finished)

    @property
    def program(self) -> str | None:
        return self._program

    @property
    def sounding(self) -> bool:
        return self._process.state() != QProcess.ProcessState.NotRunning

    def play(self) -> None:
        if self.sounding:
            return
        if self._program is None or not self._ready():
            self._beep()
            return
        self._process.start(self._program, player_arguments(self._program, self._path))
        self.played.emit("player")

    def stop(self) -> None:
        """Cut the sound short (a ringing call was answered or refused)."""
        if self.sounding:
            self._process.kill()

    def shutdown(self) -> None:
        if self.sounding:
            self._process.kill()
            self._process.waitForFinished(1000)

    def forget(self) -> None:
        """Remove the generated sound (the data directory is being wiped)."""
        self._path.unlink(missing_ok=True)

    def _ready(self) -> bool:
        if self._path.exists():
            return True
        try:
            write_chime(self._path, self._sound.samples)
        except OSError as exc:
            log.warning("could not write the chime (%s): a beep instead", exc)
            return False
        return True

    def _beep(self) -> None:
        QApplication.beep()
        self.played.emit("beep")

    def _on_error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            log.warning("chime player could not start (%s): a beep instead", self._program)
            self._program = None
            self._beep()

    def _on_finished(self, code: int, status: QProcess.ExitStatus) -> None:
        self._process.readAll()
        if status != QProcess.ExitStatus.NormalExit or code != 0:
            log.info("chime player exited with %s", code)
