"""What the process tells the kiosk (JSON lines on standard output) and the benchmarks (the
`--stats` file), exactly in docs/calls.md's shapes. Written from the engine's thread."""

from __future__ import annotations

import json
import sys
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TextIO

from common.atomic_file import write_atomically


@dataclass
class CallStats:
    outcome: str | None = None
    answered_at: float | None = None  # monotonic seconds since the process started
    first_frame_at: float | None = None  # the first remote video frame decoded
    frames_decoded: int = 0
    frames_sent: int = 0
    audio_frames_received: int = 0
    duration_seconds: float | None = None  # from the answer to the end


class Report:
    def __init__(self, out: TextIO | None = None) -> None:
        self._out = out or sys.stdout
        self._lock = threading.Lock()
        self._last_state: str | None = None

    def _line(self, event: dict[str, Any]) -> None:
        with self._lock:
            self._out.write(json.dumps(event, ensure_ascii=False) + "\n")
            self._out.flush()

    def call(self, call_id: int) -> None:
        self._line({"event": "call", "call_id": call_id})

    def state(self, state: str) -> None:
        if state != self._last_state:  # one line per change
            self._last_state = state
            self._line({"event": "state", "state": state})

    def ended(self, outcome: str, sentence: str) -> None:
        self._line({"event": "ended", "outcome": outcome, "sentence": sentence})


def write_stats(path: Path, stats: CallStats) -> None:
    write_atomically(path, json.dumps(asdict(stats)).encode(), mode=0o644)
