"""Fault tests: each test is bounded in time, stops by itself and uses loopback only."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.qt_threads import gui_thread_only
from tests.reliability import recorder

# Tablets and backends started by these tests print every thread's stack when they crash.
os.environ.setdefault("PYTHONFAULTHANDLER", "1")


def pytest_configure(config: pytest.Config) -> None:
    recorder.register(config)


@pytest.fixture(autouse=True)
def _qt_on_the_gui_thread_only() -> Iterator[None]:
    """Garbage collected on the main thread only, and no screen touched from a worker
    (tests/qt_threads.py: a run once segfaulted inside Qt after a fault test)."""
    with gui_thread_only():
        yield
