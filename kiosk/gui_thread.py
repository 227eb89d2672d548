"""Qt objects belong to the GUI thread: a check that says when they are touched elsewhere, and
a garbage collector that only ever runs there.

Worker threads (the scheduler's jobs, the clock guard) hand their results to the GUI thread
through signals of QObjects that live there (kiosk.background); nothing else of Qt's but
QImage may be used off it. Two ways that rule breaks without anyone writing a bad line:

- Python's cyclic garbage collector runs in whichever thread happens to allocate when a
  generation fills up. A controller, a window or a service left in a reference cycle is then
  destroyed on a worker thread, and Qt's destructors there stop timers and unlink widgets from
  another thread: "QObject::killTimer: Timers cannot be stopped from another thread", then a
  segmentation fault inside Qt. `GuiGarbageCollector` turns the automatic collection off and
  collects from a timer of the GUI event loop instead (as pyqtgraph does, for the same reason).
- A slot wired by mistake so that it runs on the worker. `check_gui_thread(what)`, called at
  the top of a method that touches widgets, logs the stack once per place and remembers it;
  tests fail on `violations()` (tests/reliability/conftest.py).
"""

from __future__ import annotations

import gc
import logging
import threading
import traceback

from PySide6.QtCore import QObject, QTimer

log = logging.getLogger(__name__)

COLLECT_EVERY_MS = 1000

_violations: list[str] = []
_lock = threading.Lock()


def on_gui_thread() -> bool:
    """Whether the caller runs on the GUI thread (the main thread: QApplication is made there)."""
    return threading.current_thread() is threading.main_thread()


def check_gui_thread(what: str) -> bool:
    """True on the GUI thread; elsewhere log where `what` was called from (once per place),
    remember it for `violations()`, and return False. Never raises: the caller decides."""
    if on_gui_thread():
        return True
    where = "".join(traceback.format_stack(limit=8)[:-1])
    entry = f"{what} called on thread {threading.current_thread().name}:\n{where}"
    with _lock:
        first = entry not in _violations
        if first:
            _violations.append(entry)
    if first:
        log.error("Qt touched off the GUI thread: %s", entry)
    return False


def violations() -> list[str]:
    """Every place seen touching Qt off the GUI thread since the last `clear_violations()`."""
    with _lock:
        return list(_violations)


def clear_violations() -> None:
    with _lock:
        _violations.clear()


class GuiGarbageCollector(QObject):
    """Automatic collection off; the same thresholds checked once a second on the GUI thread,
    and the generation due collected there. `stop()` turns the automatic collection back on."""

    def __init__(self, interval_ms: int = COLLECT_EVERY_MS, parent: QObject | None = None):
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check)

    def start(self) -> None:
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        gc.enable()

    def check(self) -> int | None:
        """Collect the oldest generation whose threshold is passed; which one, or None."""
        counts = gc.get_count()
        due = None
        for generation in (2, 1, 0):
            if self._thresholds[generation] and counts[generation] > self._thresholds[generation]:
                due = generation
                break
        if due is not None:
            gc.collect(due)
        return due
