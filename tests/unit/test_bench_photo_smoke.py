"""bench/photo_to_screen.py at a tiny scale: it must time the photo that was uploaded, painted.

Correctness only (which photo, in which order things happen), never speed.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bench import measure, photo_to_screen


def test_the_peak_is_started_again_from_the_current_size() -> None:
    ballast = bytearray(64 * 1024 * 1024)  # touched: 64 MiB resident
    for i in range(0, len(ballast), 4096):
        ballast[i] = 1
    del ballast
    peak = measure.status_kib("VmHWM")
    photo_to_screen.reset_peak(os.getpid())
    assert measure.status_kib("VmHWM") < peak - 32 * 1024


@pytest.mark.e2e
def test_a_photo_uploaded_is_timed_until_the_tablet_paints_it(tmp_path: Path) -> None:
    """One warm-up round and one timed round against a real backend and the real tablet: the
    tablet reports the uploaded photo's id in its album (photo_round checks it, else raises),
    after the API answered; the message baseline reaches home too."""
    with (tmp_path / "log").open("wb") as log:
        found = photo_to_screen.measure(1, tmp_path, log, size=(1600, 1200))
    assert len(found["screens"]) == len(found["apis"]) == len(found["messages"]) == 1
    assert 0 < found["apis"][0] < found["screens"][0]
    assert found["messages"][0] > 0
    assert found["backend_hwm_after"] >= found["backend_hwm_before"] > 10
    assert found["tablet_hwm_after"] >= found["tablet_hwm_before"] > 10
