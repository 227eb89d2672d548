"""Fault tests: each test is bounded in time, stops by itself and uses loopback only."""

from __future__ import annotations

import os

import pytest

from tests.qt_threads import qt_on_the_gui_thread_only  # noqa: F401 (autouse)
from tests.reliability import recorder

# Tablets and backends started by these tests print every thread's stack when they crash.
os.environ.setdefault("PYTHONFAULTHANDLER", "1")


def pytest_configure(config: pytest.Config) -> None:
    recorder.register(config)
