"""A tablet configuration for tests that run on the real clock.

By default the tablet goes to its night screen from 21:30 and offers the mood check-in from
10:30 (common/tablet_config.py): a test on the real clock would then see another screen depending on
the hour CI happens to run. These tests are about sync and faults, not those timings (which
tests/kiosk/test_navigation.py and tests/unit/test_idle.py check on an injected clock), so
they start the tablet with its last good configuration saying: no night, no check-in.
"""

from __future__ import annotations

import json
from pathlib import Path

from common import tablet_config as config
from kiosk.controller import CONFIG_FILE


def write_quiet_config(data_dir: Path) -> None:
    document = config.defaults()
    document["mood_times"] = []
    document["night_start"] = document["night_end"] = "07:00"  # equal: no night mode
    valid, errors = config.validate(document)
    assert valid is not None, errors
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / CONFIG_FILE).write_text(json.dumps({"version": 0, "document": valid}))
