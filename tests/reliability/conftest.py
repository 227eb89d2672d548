"""Fault tests: each test is bounded in time, stops by itself and uses loopback only."""

from __future__ import annotations

import pytest

from tests.reliability import recorder


def pytest_configure(config: pytest.Config) -> None:
    recorder.register(config)
