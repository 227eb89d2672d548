"""Reading a message aloud, offline, with espeak-ng in a child process.

- Offline: espeak-ng synthesises on the device (Debian package `espeak-ng`), no network.
- Never blocks the GUI thread: `QProcess` starts the program asynchronously and reports by
  signal; the text is written to its standard input (`--stdin`), so a message of any length,
  or one starting with "-", is never taken for an option, and no shell ever sees it.
- Detected once, at start: without espeak-ng `available` is False, the screen hides its
  "Lire à voix haute" button and `speak()` does nothing.
- One voice at a time: a new request stops the one still speaking.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Sequence
from typing import Protocol

from PySide6.QtCore import QObject, QProcess, Signal, SignalInstance

log = logging.getLogger(__name__)

PROGRAM = "espeak-ng"
VOICE = "fr"
# espeak-ng's default is 175 words a minute: too fast for many elderly listeners.
WORDS_PER_MINUTE = 140
MAX_CHARACTERS = 10_000  # beyond that, reading aloud is no longer a help (messages: 5,000)


def find_program(name: str = PROGRAM) -> str | None:
    """The full path of the speech program, or None when it is not installed."""
    return shutil.which(name)


def command_arguments(
    voice: str = VOICE, words_per_minute: int = WORDS_PER_MINUTE, extra: Sequence[str] = ()
) -> list[str]:
    """espeak-ng's arguments: voice, speed, then the text on standard input."""
    return ["-v", voice, "-s", str(words_per_minute), *extra, "--stdin"]


class Speech(QObject):
    """speak(text) / stop(); `started` and `finished` bracket each reading."""

    started = Signal()
    finished = Signal()  # ended, stopped or failed: the screen may offer the button again
    failed = Signal(str)  # why, for the log (the beneficiary is not shown technical words)

    def __init__(
        self,
        program: str | None = None,
        *,
        detect: bool = True,
        voice: str = VOICE,
        words_per_minute: int = WORDS_PER_MINUTE,
        extra_arguments: Sequence[str] = (),
        parent: QObject | None = None,
    ) -> None:
        """`program`: a path to use instead of looking for espeak-ng on PATH (tests pass a
        stand-in); `detect=False` with no program means no speech at all."""
        super().__init__(parent)
        self._program = program if program is not None else (find_program() if detect else None)
        self._arguments = command_arguments(voice, words_per_minute, extra_arguments)
        self._text = b""
        self._stopping = False
        # One process object for the life of the screen, reused for every reading: creating
        # one per reading and deleting it later crashed PySide (a deferred delete racing its
        # finished signal), and nothing here needs more than one voice at a time.
        self._process = QProcess(self)
        self._process.setProcessChannelMode(QProcess.ProcessChannelMode.SeparateChannels)
        self._process.started.connect(self._on_started)
        self._process.finished.connect(self._on_finished)
        self._process.errorOccurred.connect(self._on_error)
        if self._program is None:
            log.info("no %s on this device: reading aloud is off", PROGRAM)
        else:
            self._process.setProgram(self._program)
            self._process.setArguments(self._arguments)

    @property
    def available(self) -> bool:
        return self._program is not None

    @property
    def speaking(self) -> bool:
        return self._process.state() != QProcess.ProcessState.NotRunning

    def speak(self, text: str) -> bool:
        """Start reading `text`; False when there is nothing to read or no voice."""
        text = text.strip()[:MAX_CHARACTERS]
        if self._program is None or not text:
            return False
        self._silence()
        self._text = text.encode("utf-8")
        self._stopping = False
        self._process.start()
        return True

    def stop(self) -> None:
        """Silence at once (leaving a message, going home)."""
        if self.speaking:
            self._stopping = True
            self._process.kill()  # finished() follows, from the event loop

    def shutdown(self) -> None:
        """Before the application quits: no child left running (Qt warns about those)."""
        self._silence()

    def _silence(self) -> None:
        if self.speaking:
            self._stopping = True
            self._process.kill()
            # A killed process ends at once; waiting for it keeps one reading at a time.
            self._process.waitForFinished(1000)

    # -- process events (GUI thread, from Qt's event loop) ---------------------------------------

    def _on_started(self) -> None:
        self._process.write(self._text)
        self._process.closeWriteChannel()
        self.started.emit()

    def _on_finished(self, code: int, status: QProcess.ExitStatus) -> None:
        err = bytes(self._process.readAllStandardError().data()).decode("utf-8", "replace")
        self._process.readAllStandardOutput()
        err = err.strip()
        stopped, self._stopping = self._stopping, False
        if not stopped and (status != QProcess.ExitStatus.NormalExit or code != 0):
            reason = f"{PROGRAM} exited with {code}: {err[:200]}"
            log.warning("reading aloud failed: %s", reason)
            self.failed.emit(reason)
        elif err:
            log.debug("%s: %s", PROGRAM, err[:200])
        self.finished.emit()

    def _on_error(self, error: QProcess.ProcessError) -> None:
        if error != QProcess.ProcessError.FailedToStart:
            return  # crashes and the like also end in finished()
        reason = f"{PROGRAM} could not start: {self._process.errorString()}"
        log.warning("reading aloud failed: %s", reason)
        self.failed.emit(reason)
        self.finished.emit()


class SpeakingScreen(Protocol):
    """What `connect_screen` needs of a screen (kiosk.screens.messages_screen.MessagesScreen)."""

    @property
    def speak_requested(self) -> SignalInstance: ...
    @property
    def stop_speech_requested(self) -> SignalInstance: ...
    def set_speech_available(self, available: bool) -> None: ...
    def set_speaking(self, speaking: bool) -> None: ...


def connect_screen(speech: Speech, screen: SpeakingScreen) -> None:
    """The screen's "Lire à voix haute" to the voice, and the voice's state back to it."""
    screen.set_speech_available(speech.available)
    screen.speak_requested.connect(speech.speak)
    screen.stop_speech_requested.connect(speech.stop)
    speech.started.connect(lambda: screen.set_speaking(True))
    speech.finished.connect(lambda: screen.set_speaking(False))
