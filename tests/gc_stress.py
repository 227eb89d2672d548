"""A pytest plugin for scripts/fault_loop --gc-stress: Python's cycle collector runs very often,
in every thread, so a Qt object left in a reference cycle is soon collected by whichever
thread allocates (see tests/qt_threads.py). Not used by the normal suite.

    pytest -p tests.gc_stress tests/reliability
"""

from __future__ import annotations

import gc

import pytest

THRESHOLDS = (50, 2, 2)  # the default is (700, 10, 10)


def pytest_configure(config: pytest.Config) -> None:
    gc.set_threshold(*THRESHOLDS)
