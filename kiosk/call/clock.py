"""Times "since the process started", as docs/calls.md's statistics give them.

The kiosk and the benchmarks compare them with when they launched the process, so the origin
is the process's real start (the kernel's record of it), not the moment Python got here.
"""

from __future__ import annotations

import os
import time
from pathlib import Path


def _process_age() -> float:
    """Seconds since this process started (10 ms resolution), from /proc; 0.0 elsewhere."""
    try:
        # Fields after the command name in parentheses; starttime is field 22 (index 19 here),
        # in clock ticks since boot, on the boot-time clock.
        fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        started = int(fields[19]) / os.sysconf("SC_CLK_TCK")
        return max(0.0, time.clock_gettime(time.CLOCK_BOOTTIME) - started)
    except (OSError, ValueError, IndexError, AttributeError):
        return 0.0


class ProcessClock:
    def __init__(self) -> None:
        self.origin = time.monotonic() - _process_age()

    def now(self) -> float:
        """Monotonic seconds since the process started."""
        return time.monotonic() - self.origin
