"""The README's first command: `foyer-demo` without a display saves the home screen."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtGui import QImage

from kiosk.store import LocalStore

pytestmark = pytest.mark.e2e


def test_demo_pairs_a_tablet_and_saves_its_home_screen(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    shot = tmp_path / "home.png"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "demo.cli",
            "--data",
            str(tmp_path / "demo"),
            "--screenshot",
            str(shot),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "claire.dubois@foyer.example" in result.stdout
    image = QImage(str(shot))
    assert (image.width(), image.height()) == (1280, 800)
    # Paired: the tablet holds a credential and its store has Jeanne's week.
    assert (tmp_path / "demo" / "tablet" / "device.json").exists()
    state = LocalStore(tmp_path / "demo" / "tablet").load()
    assert state.beneficiary is not None and state.beneficiary.first_name == "Jeanne"
    assert {e.title for e in state.events} >= {"Soins infirmiers", "Aide à domicile"}
    # A product with content: the family's messages (not the one to the nurse) and photos.
    assert {m["author_name"] for m in state.of("messages")} == {
        "Marie Martin",
        "Thomas Martin",
        "Claire Petit",
    }
    assert len(state.of("photos")) == 3
    # The whole home, weather included (Open-Meteo itself, or its recorded answer offline),
    # at any hour (the demo's tablet has no night mode).
    saved = json.loads((tmp_path / "demo" / "tablet" / "weather.json").read_text("utf-8"))
    assert isinstance(saved["report"]["current"]["temperature"], float)
    first_day = date.fromisoformat(saved["report"]["days"][0]["date"])
    assert abs(first_day - datetime.now(ZoneInfo("Europe/Paris")).date()) <= timedelta(days=1)
    assert image.pixelColor(5, 5).lightness() > 200  # home's warm white, not the night clock

    # Run again on the same data: the pairing is reused, not repeated.
    again = subprocess.run(
        [
            sys.executable,
            "-m",
            "demo.cli",
            "--data",
            str(tmp_path / "demo"),
            "--screenshot",
            str(shot),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert again.returncode == 0, again.stdout + again.stderr
