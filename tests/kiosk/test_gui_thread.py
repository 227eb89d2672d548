"""Qt objects die on the GUI thread, and a screen touched from a worker is seen
(kiosk/gui_thread.py)."""

from __future__ import annotations

import gc
import threading
import weakref
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QImage

from kiosk.gui_thread import GuiGarbageCollector, check_gui_thread, clear_violations, violations
from kiosk.screens.photos_screen import PhotosScreen


class _InACycle(QObject):
    """A Qt object with a running timer, kept only by a reference cycle: what a controller,
    a window or a service left behind looks like to the collector."""

    def __init__(self) -> None:
        super().__init__()
        self.me = self
        self.timer = QTimer(self)
        self.timer.start(60_000)


@pytest.fixture
def collector(qtbot: Any) -> Iterator[GuiGarbageCollector]:
    gc.collect()
    running = GuiGarbageCollector(interval_ms=10)
    running.start()
    yield running
    running.stop()
    gc.collect()


def test_cyclic_garbage_with_qt_objects_is_collected_on_the_gui_thread(
    qtbot: Any, collector: GuiGarbageCollector
) -> None:
    """A worker that allocates a lot no longer triggers the collection (it would destroy the
    object and stop its timer on the worker: a segfault inside Qt); the GUI thread collects."""
    died_on: list[str] = []
    garbage = _InACycle()
    weakref.finalize(garbage, lambda: died_on.append(threading.current_thread().name))
    del garbage

    def allocate() -> None:
        # Many times the first generation's threshold.
        kept: list[list[int]] = [[] for _ in range(10_000)]
        assert kept

    worker = threading.Thread(target=allocate, name="worker")
    worker.start()
    worker.join()
    assert died_on == []
    ballast: list[list[int]] = [[] for _ in range(10_000)]  # the GUI thread allocates too
    qtbot.wait_until(lambda: died_on != [], timeout=5000)
    assert ballast
    assert died_on == [threading.main_thread().name]


def test_stopped_it_gives_the_collection_back_to_python(collector: GuiGarbageCollector) -> None:
    assert not gc.isenabled()
    collector.stop()
    assert gc.isenabled()


def test_a_screen_fed_from_a_worker_is_reported(qtbot: Any) -> None:
    """A decoded photo handed to the album from a worker (QPixmap off the GUI thread) is
    logged with its stack and listed for the tests (tests/qt_threads.py fails on it)."""
    clear_violations()
    screen = PhotosScreen()
    qtbot.addWidget(screen)
    image = QImage(8, 8, QImage.Format.Format_RGB32)
    assert check_gui_thread("here")
    screen.set_thumbnail(1, image)  # the GUI thread: fine
    assert violations() == []
    # An empty image for a photo not in the album: the check runs, no pixmap is made.
    worker = threading.Thread(target=lambda: screen.set_thumbnail(999, QImage()), name="job")
    worker.start()
    worker.join()
    found = violations()
    assert len(found) == 1
    assert "AlbumPage.set_thumbnail called on thread job" in found[0]
    results: list[bool] = []
    worker = threading.Thread(target=lambda: results.append(check_gui_thread("x")))
    worker.start()
    worker.join()
    assert results == [False]
    clear_violations()
