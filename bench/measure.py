"""Small measuring helpers shared by the benchmarks: medians, peak RSS, CPU time of a process."""

from __future__ import annotations

import math
import os
import statistics
import time
from collections.abc import Callable, Sequence

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def median_seconds(run: Callable[[], object], repeat: int) -> float:
    """The median wall time of `repeat` calls (the median shrugs off a neighbour's burst)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (0 < fraction ≤ 1) of a non-empty sequence."""
    ordered = sorted(values)
    # The rank is ceil(fraction × n); the epsilon keeps 0.99 × 100 = 99.000…01 at rank 99.
    index = max(0, min(len(ordered) - 1, math.ceil(fraction * len(ordered) - 1e-9) - 1))
    return ordered[index]


def status_kib(field: str, pid: int | str = "self") -> int:
    """A memory line of /proc/<pid>/status in KiB: VmRSS (now) or VmHWM (peak since start).

    Unlike tracemalloc, this sees what C libraries (libjpeg, Qt, SQLite) allocate."""
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise LookupError(field)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (utime + stime in /proc/<pid>/stat)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        # The command name (field 2) may hold spaces: split after its closing parenthesis.
        fields = stat.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def children_of(pid: int) -> list[int]:
    """Direct child processes (uvicorn workers of a `--workers N` backend)."""
    found: list[int] = []
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as children:
                found.extend(int(child) for child in children.read().split())
        except FileNotFoundError:
            continue
    return found


def tree_cpu_seconds(pid: int) -> float:
    """CPU time of a process and its live children (a multi-worker backend)."""
    total = 0.0
    for each in [pid, *children_of(pid)]:
        try:
            total += cpu_seconds(each)
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def tree_rss_kib(pid: int) -> int:
    total = 0
    for each in [pid, *children_of(pid)]:
        try:
            total += status_kib("VmRSS", each)
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def command_cpu_seconds(name: str) -> float:
    """CPU time of every process called `name` (the PostgreSQL server's backends)."""
    total = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/comm", encoding="utf-8") as comm:
                if comm.read().strip() != name:
                    continue
            total += cpu_seconds(int(entry))
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def session_pids(session_id: int) -> list[int]:
    """Every live process of a session (a browser started with start_new_session=True and all
    the helpers it forks, even those re-parented to init)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii") as stat:
                fields = stat.read().rpartition(")")[2].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[3]) == session_id:  # field 6 of stat(5): session
            found.append(int(entry))
    return found


def pss_kib(pid: int) -> int:
    """Proportional set size: shared pages divided among the processes sharing them, so that
    the PSS of a browser's processes adds up to what the browser really costs."""
    with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
        for line in rollup:
            if line.startswith("Pss:"):
                return int(line.split()[1])
    raise LookupError("Pss")


def session_memory_kib(session_id: int) -> tuple[int, int]:
    """(sum of RSS, sum of PSS) over a session's processes."""
    rss = pss = 0
    for pid in session_pids(session_id):
        try:
            rss += status_kib("VmRSS", pid)
            pss += pss_kib(pid)
        except (FileNotFoundError, ProcessLookupError, LookupError):
            continue
    return rss, pss


def session_cpu_seconds(session_id: int) -> float:
    total = 0.0
    for pid in session_pids(session_id):
        try:
            total += cpu_seconds(pid)
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total
