"""bench/call_start.py at a tiny scale: a real call between Debian's Chromium and the call
process, the idle kiosk beside it. Correctness only (what is measured, and that the figures
belong together), never speed: the full run's numbers are in docs/calls.md, "Measured"."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import call_stack_choice, call_start
from tests.browser.site import CHROMIUM


@pytest.mark.e2e
def test_call_start_measures_a_real_call(tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/setup (it installs Debian's chromium).")
    found = call_start.run(rounds=1, seconds=2, idle=1, work=tmp_path, settle=3)
    tablet = found["tablet_first_frame_s"][0]
    family = found["family_first_frame_s"][0]
    # From the spawn of the call process: it must start, answer and connect first.
    assert 0 < tablet < 60 and 0 < family < 60
    assert found["frames_decoded_by_tablet"] > 0 and found["frames_sent_by_tablet"] > 0
    idle, kiosk, call = (
        found["idle_kiosk"],
        found["during_call_kiosk"],
        found["during_call_process"],
    )
    # Three different processes measured: the kiosk about the same size twice, the call
    # process with aiortc and PyAV loaded on top of Qt.
    assert idle["rss_mib"] > 30 and kiosk["rss_mib"] > 30
    assert call["rss_mib"] > 60 and call["cpu_percent"] > 0
    during = kiosk["rss_mib"] + call["rss_mib"]
    assert found["rss_ratio"] == round(during / idle["rss_mib"], 2)


@pytest.mark.e2e
def test_call_stack_choice_measures_the_aiortc_candidate(tmp_path: Path) -> None:
    """The aiortc side of the stack comparison in a one-second call (QtWebEngine is never in
    the project's environment: its side runs only where `--webengine-path` is given)."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/setup (it installs Debian's chromium).")
    (found,) = call_stack_choice.run(["aiortc"], 1, 1, None, tmp_path)
    assert found.stack == "aiortc"
    assert 0 < found.tablet_first_frame_s < 60 and 0 < found.family_first_frame_s < 60
    assert found.family_frames_decoded > 0  # the candidate's pattern reached Chromium
    assert found.pss_mib > 30 and found.rss_mib >= found.pss_mib and found.cpu_percent > 0
    assert call_stack_choice.summary([found])["aiortc"]["pss_mib"] == round(found.pss_mib, 2)
