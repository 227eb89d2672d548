"""Starts the call process (`python -m kiosk.call`, docs/calls.md: "The call process's
command line"), reads its JSON lines, and says when it ends.

The call's stack (aiortc, PyAV) lives in that process only: the kiosk never imports it, so
its idle memory and start time stay what they were. A `QProcess`: the GUI thread never waits
for it (`subprocess` may not load before the first paint either).

- `start(arguments)`: one call at a time (False if one runs);
- its standard output, one JSON object a line: `{"event": "call", "call_id": 12}` →
  `call_id`; `{"event": "state", "state": …}` → `state`; `{"event": "ended", "outcome": …,
  "sentence": …}` → `ended`. Anything else is logged and ignored;
- `finished(ok)`: it exited; `ok` is False when it crashed (non-zero status, killed, or it
  could not start): the kiosk then says « L'appel s'est interrompu. »;
- `terminate()`: SIGTERM (the process hangs up cleanly), then a kill if it is still there
  after `grace_ms` — at the kiosk's shutdown.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, QProcess, Signal

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent  # where `-m kiosk.call` is found
DEFAULT_PROGRAM = (sys.executable, "-m", "kiosk.call")
GRACE_MS = 5000  # after SIGTERM: the hang-up request, then the exit
MAX_LINE = 64 * 1024


def call_arguments(
    *,
    backend_url: str,
    data_dir: Path,
    answer: int | None = None,
    place: int | None = None,
    caller_name: str = "",
    language: str = "fr",
    font_scale: float = 1.0,
) -> list[str]:
    """The call process's command line after its program, for answering call `answer` or
    placing a call to user `place` (exactly one of them)."""
    if (answer is None) == (place is None):
        raise ValueError("answer a call or place one, not both")
    arguments = ["--backend", backend_url, "--data", str(data_dir)]
    arguments += ["--answer", str(int(answer))] if answer is not None else ["--place", str(place)]
    if caller_name:
        arguments += ["--caller-name", caller_name]
    arguments += ["--lang", language, "--font-scale", f"{font_scale:g}"]
    return arguments


class CallLauncher(QObject):
    started = Signal()
    call_id = Signal(int)  # the call's id (placed calls learn it from the backend)
    state = Signal(str)  # "ringing", "connecting", "connected", "recovering"
    ended = Signal(str, str)  # outcome, the sentence the process shows
    finished = Signal(bool)  # True: a normal exit (status 0); False: a crash

    def __init__(
        self,
        program: Sequence[str] = DEFAULT_PROGRAM,
        *,
        working_dir: Path = ROOT,
        grace_ms: int = GRACE_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._program = list(program)
        self._working_dir = working_dir
        self._grace_ms = grace_ms
        self._process: QProcess | None = None
        self._buffer = b""
        self._done = False

    @property
    def running(self) -> bool:
        return self._process is not None

    def start(self, arguments: Sequence[str]) -> bool:
        if self._process is not None:
            return False
        process = QProcess(self)
        process.setWorkingDirectory(str(self._working_dir))
        process.setProcessChannelMode(QProcess.ProcessChannelMode.SeparateChannels)
        process.readyReadStandardOutput.connect(self._read)
        process.readyReadStandardError.connect(self._read_errors)
        process.errorOccurred.connect(self._on_error)
        process.finished.connect(self._on_finished)
        self._process = process
        self._buffer = b""
        self._done = False
        log.info("starting the call process: %s", " ".join(arguments))
        process.start(self._program[0], [*self._program[1:], *arguments])
        self.started.emit()
        return True

    def terminate(self, wait: bool = False) -> None:
        """SIGTERM: the process hangs up and exits; killed after the grace time. `wait`:
        block until it is gone (the application is closing)."""
        process = self._process
        if process is None:
            return
        process.terminate()
        if wait:
            if not process.waitForFinished(self._grace_ms):
                process.kill()
                process.waitForFinished(1000)
        else:
            from PySide6.QtCore import QTimer

            QTimer.singleShot(self._grace_ms, lambda p=process: self._kill_if_left(p))

    def _kill_if_left(self, process: QProcess) -> None:
        if process is self._process and process.state() != QProcess.ProcessState.NotRunning:
            log.warning("the call process did not end after SIGTERM: killed")
            process.kill()

    # -- its words ---------------------------------------------------------------------------
    def _read(self) -> None:
        if self._process is None:
            return
        self._buffer += bytes(self._process.readAllStandardOutput().data())
        *lines, rest = self._buffer.split(b"\n")
        self._buffer = rest if len(rest) <= MAX_LINE else b""
        for line in lines:
            self._line(line)

    def _line(self, raw: bytes) -> None:
        text = raw.decode("utf-8", "replace").strip()
        if not text:
            return
        try:
            message = json.loads(text)
        except ValueError:
            log.info("call process: %s", text[:500])
            return
        if not isinstance(message, dict):
            return
        event = message.get("event")
        if event == "call" and isinstance(message.get("call_id"), int):
            self.call_id.emit(message["call_id"])
        elif event == "state" and isinstance(message.get("state"), str):
            self.state.emit(message["state"])
        elif event == "ended":
            outcome = message.get("outcome")
            sentence = message.get("sentence")
            self.ended.emit(
                outcome if isinstance(outcome, str) else "failed",
                sentence if isinstance(sentence, str) else "",
            )
        else:
            log.info("call process: unknown line %s", text[:500])

    def _read_errors(self) -> None:
        if self._process is not None:
            text = bytes(self._process.readAllStandardError().data()).decode("utf-8", "replace")
            for line in text.splitlines():
                if line.strip():
                    log.info("call process: %s", line[:500])

    def _on_error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            log.error("the call process could not start: %s", self._program)
            self._end(False)

    def _on_finished(self, code: int, status: QProcess.ExitStatus) -> None:
        self._read()
        if self._buffer.strip():
            self._line(self._buffer)
            self._buffer = b""
        self._read_errors()
        ok = status == QProcess.ExitStatus.NormalExit and code == 0
        if not ok:
            log.error("the call process ended with status %s (%s)", code, status)
        self._end(ok)

    def _end(self, ok: bool) -> None:
        if self._done:
            return
        self._done = True
        process, self._process = self._process, None
        if process is not None:
            process.deleteLater()
        self.finished.emit(ok)
