"""Qt objects die on the GUI thread in the tests too, and nothing touches a screen from a worker.

Python's cycle collector runs in whichever thread allocates when a generation fills up. A test
that builds a controller, a window and services leaves them in reference cycles when it ends;
collected later by a scheduler's worker, a TCP proxy's thread or a backend's thread, their Qt
destructors run there and Qt crashes ("QObject::killTimer: Timers cannot be stopped from
another thread", then SIGSEGV inside Qt, in whatever test runs at the time). The tablet
collects on its GUI thread only (kiosk.gui_thread.GuiGarbageCollector); `gui_thread_only`
does the same for a test: no automatic collection while it runs, then the windows pytest-qt
closed are deleted and the garbage collected, here, on the main thread.

It also fails the test when kiosk.gui_thread.check_gui_thread saw a screen touched off the
GUI thread.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from PySide6.QtCore import QCoreApplication, QEvent

from kiosk.gui_thread import clear_violations, violations

COLLECT_ANYWHERE = "FOYER_TEST_GC_ANY_THREAD"


@contextmanager
def gui_thread_only(*, thaw: bool = True) -> Iterator[None]:
    """`thaw`: first give the collector back what an earlier test froze (below). Without it,
    what was alive then stays out of its sight: fine within a test module, whose fixtures live
    on; but a module's fixtures, once torn down, are garbage only a full collection can free
    (with the Qt objects they hold: a tablet of the last module firing its timers at a window
    deleted since)."""
    if os.environ.get(COLLECT_ANYWHERE):  # scripts/fault_loop --unguarded: the crash as it was
        yield
        return
    clear_violations()
    if thaw:
        gc.unfreeze()
    gc.collect()
    # What is alive now outlives the test: out of the collector's sight (gc.freeze), so the
    # collection below scans only what the test made. Without it, each collection walks every
    # object the worker process ever kept (an xdist worker that ran the API tests first holds
    # millions), and a 0.1 s widget test took a second.
    gc.freeze()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if QCoreApplication.instance() is not None:
            # What workers posted before the test stopped them reaches its windows while they
            # exist; then the windows pytest-qt closed with deleteLater are deleted, here.
            QCoreApplication.processEvents()
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        gc.collect()
        if was_enabled:
            gc.enable()
    found = violations()
    clear_violations()
    assert not found, "Qt touched off the GUI thread:\n" + "\n".join(found)


_last_module: list[str] = [""]


@pytest.fixture(autouse=True)
def qt_on_the_gui_thread_only(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test of a folder whose conftest imports this: garbage collected on the main thread
    only, and no screen touched from a worker (a run once segfaulted inside Qt). Everything is
    collected at each new module (its predecessor's fixtures are gone); in between, only what
    each test made."""
    module = request.node.nodeid.split("::")[0]
    new_module = module != _last_module[0]
    _last_module[0] = module
    with gui_thread_only(thaw=new_module):
        yield
