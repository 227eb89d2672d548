"""The first-boot settings as the tablet keeps them (`settings.json` in its data directory).

Written by `appliance.firstboot` from the boot partition's `foyer.toml`; read by the tablet
at every start, which must not pay for the TOML parser and the system tools firstboot needs
(tablet start time, docs/performance.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

SAVED_SETTINGS = "settings.json"
KEYS = ("backend_url", "timezone", "locale")


@dataclass(frozen=True)
class FirstBootSettings:
    backend_url: str | None = None
    timezone: str | None = None
    locale: str | None = None


def saved_settings(data_dir: Path) -> FirstBootSettings:
    """What the last good settings file said (all None when there never was one)."""
    try:
        raw = json.loads((data_dir / SAVED_SETTINGS).read_text())
        return FirstBootSettings(**{k: raw.get(k) for k in KEYS})
    except (OSError, ValueError, TypeError):
        return FirstBootSettings()
