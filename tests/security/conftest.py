"""Attack and bad-input tests; outcomes recorded for docs/reliability.md."""

from __future__ import annotations

import pytest

from tests.reliability import recorder


def pytest_configure(config: pytest.Config) -> None:
    recorder.register(config)
