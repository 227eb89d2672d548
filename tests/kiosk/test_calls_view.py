"""What the tablet makes of the synced calls and callers, without Qt (kiosk.calls_view), and
the call process launcher (kiosk.call_launcher) with a tiny fake call program: its command
line, its JSON lines, a crash, SIGTERM, a program that cannot start."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from kiosk.call_launcher import CallLauncher, call_arguments
from kiosk.calls_view import (
    Mode,
    Situation,
    busy_calls,
    deadline_of,
    first_name,
    hung_up,
    initials_of,
    mode_for,
    parse_callers,
    parse_calls,
    to_ring,
    with_wishes,
)
from kiosk.chime import RATE, RING_PERIOD_S, RINGTONE, TICK, Chime

NOW = datetime(2026, 12, 4, 14, 0, tzinfo=UTC)


def record(id_: int, **fields: Any) -> dict[str, Any]:
    return {
        "id": id_,
        "direction": "to_tablet",
        "state": "ringing",
        "outcome": None,
        "caller": {"id": 3, "name": "Paul Martin", "initials": "PM"},
        "auto_answer": False,
        "ring_until": (NOW + timedelta(seconds=45)).isoformat(),
        "ring_seconds_left": 41,
        **fields,
    }


def test_callers_by_name_bad_records_skipped_and_her_wishes_applied() -> None:
    callers = parse_callers(
        [
            {"id": 3, "name": "Paul  Martin", "relation": "petit-fils", "initials": "PM",
             "auto_answer": True, "auto_answer_declined": False},
            {"id": 5, "name": "anne Martin", "relation": None, "auto_answer": "yes"},
            {"id": "x", "name": "Nobody"},
            {"id": 9, "name": "   "},
        ]
    )  # fmt: skip
    assert [(c.id, c.name, c.initials, c.relation) for c in callers] == [
        (5, "anne Martin", "AM", None),
        (3, "Paul Martin", "PM", "petit-fils"),
    ]
    assert [c.opens_by_itself for c in callers] == [False, True]  # "yes" is not true
    declined = with_wishes(callers, {3: True})
    assert [c.opens_by_itself for c in declined] == [False, False]
    assert initials_of("Marie-Claire de la Tour") == "MT" and initials_of("") == "?"
    assert first_name("Paul Martin") == "Paul"


def test_the_call_to_ring_the_calls_refused_busy_and_a_hang_up() -> None:
    calls = parse_calls(
        [
            record(14),
            record(12),
            record(13, direction="from_tablet"),
            record(15, state="answered"),
            {"id": "bad"},
        ]
    )
    assert [c.id for c in calls] == [12, 13, 14, 15]
    deadlines = {c.id: deadline_of(c, 100.0) for c in calls}
    assert deadlines[12] == 141.0
    assert to_ring(calls, deadlines, 100.0, done=set()).id == 12  # type: ignore[union-attr]
    assert to_ring(calls, deadlines, 100.0, done={12}).id == 14  # type: ignore[union-attr]
    assert to_ring(calls, deadlines, 141.0, done=set()) is None  # run out
    assert [c.id for c in busy_calls(calls, deadlines, 100.0, done={12})] == [14]
    assert hung_up(calls, 12) is None
    ended = parse_calls([record(12, state="ended", outcome="cancelled")])
    gone = hung_up(ended, 12)
    assert gone is not None and gone.outcome == "cancelled"


def test_a_call_found_in_the_store_at_start_goes_by_ring_until() -> None:
    (call,) = parse_calls([record(12)])
    assert deadline_of(call, 100.0, NOW + timedelta(seconds=40)) == 105.0
    assert deadline_of(call, 100.0, NOW + timedelta(minutes=5)) == 100.0  # long gone
    (bare,) = parse_calls([record(12, ring_until=None, ring_seconds_left=None)])
    assert deadline_of(bare, 100.0) == 100.0  # nothing to go by: it rings no more


@pytest.mark.parametrize(
    ("auto", "situation", "left", "mode"),
    [
        (True, Situation(), 41, Mode.COUNTDOWN),
        (False, Situation(), 41, Mode.RING),
        (True, Situation(night=True), 41, Mode.RING),
        (True, Situation(professional=True), 41, Mode.RING),
        (True, Situation(), 11, Mode.RING),  # the ring would end before the countdown
        (True, Situation(), 12, Mode.COUNTDOWN),
    ],
)
def test_the_countdown_only_when_allowed(
    auto: bool, situation: Situation, left: float, mode: Mode
) -> None:
    (call,) = parse_calls([record(12, auto_answer=auto)])
    assert mode_for(call, situation, left) is mode


def test_the_command_line_of_the_contract(tmp_path: Path) -> None:
    assert call_arguments(
        backend_url="https://foyer.example.fr",
        data_dir=tmp_path,
        answer=12,
        caller_name="Paul Martin",
        language="en",
        font_scale=1.25,
    ) == [
        "--backend", "https://foyer.example.fr", "--data", str(tmp_path), "--answer", "12",
        "--caller-name", "Paul Martin", "--lang", "en", "--font-scale", "1.25",
    ]  # fmt: skip
    with pytest.raises(ValueError):
        call_arguments(backend_url="x", data_dir=tmp_path, answer=1, place=2)


def test_the_call_process_takes_the_kiosks_command_line(tmp_path: Path) -> None:
    """What the kiosk builds is what `python -m kiosk.call` parses (its options alone: no
    call stack is loaded)."""
    from kiosk.call.options import parse

    answered = parse(
        call_arguments(
            backend_url="https://foyer.example.fr", data_dir=tmp_path, answer=12,
            caller_name="Paul Martin", language="en", font_scale=1.6,
        )
    )  # fmt: skip
    assert (answered.backend, answered.data, answered.answer, answered.place) == (
        "https://foyer.example.fr", tmp_path, 12, None,
    )  # fmt: skip
    assert (answered.caller_name, answered.lang, answered.font_scale) == ("Paul Martin", "en", 1.6)
    assert not answered.fake_media and not answered.windowed  # the real devices, full screen
    placed = parse(call_arguments(backend_url="http://b", data_dir=tmp_path, place=3))
    assert (placed.answer, placed.place, placed.lang, placed.font_scale) == (None, 3, "fr", 1.0)


FAKE = """
import json, signal, sys, time
mode = sys.argv[1]
def say(**event):
    print(json.dumps(event), flush=True)
say(event="call", call_id=12)
print("aiortc says hello", flush=True)  # not a JSON line: logged, ignored
say(event="state", state="connected")
if mode == "crash":
    sys.exit(3)
if mode == "term":
    def hang_up(*_):
        say(event="ended", outcome="completed", sentence="Appel terminé.")
        sys.exit(0)
    signal.signal(signal.SIGTERM, hang_up)
    time.sleep(30)
    sys.exit(5)
sys.stdout.write(json.dumps({"event": "ended", "outcome": "refused",
                             "sentence": "Paul n'a pas répondu."}))  # no newline at the end
"""


def launcher_for(tmp_path: Path, mode: str) -> tuple[CallLauncher, list[tuple[str, Any]]]:
    script = tmp_path / "fake_call.py"
    script.write_text(FAKE, encoding="utf-8")
    launcher = CallLauncher([sys.executable, str(script), mode], grace_ms=3000)
    seen: list[tuple[str, Any]] = []
    launcher.call_id.connect(lambda i: seen.append(("call", i)))
    launcher.state.connect(lambda s: seen.append(("state", s)))
    launcher.ended.connect(lambda o, s: seen.append(("ended", (o, s))))
    launcher.finished.connect(lambda ok: seen.append(("finished", ok)))
    return launcher, seen


def test_the_launcher_reads_the_json_lines_and_says_when_it_ends(
    qtbot: QtBot, tmp_path: Path
) -> None:
    launcher, seen = launcher_for(tmp_path, "ok")
    assert launcher.start([])
    assert not launcher.start([])  # one call at a time
    qtbot.wait_until(lambda: not launcher.running, timeout=10_000)
    assert seen == [
        ("call", 12),
        ("state", "connected"),
        ("ended", ("refused", "Paul n'a pas répondu.")),
        ("finished", True),
    ]


def test_a_crash_is_not_a_normal_end(qtbot: QtBot, tmp_path: Path) -> None:
    launcher, seen = launcher_for(tmp_path, "crash")
    launcher.start([])
    qtbot.wait_until(lambda: not launcher.running, timeout=10_000)
    assert seen[-1] == ("finished", False)


def test_sigterm_hangs_up_cleanly(qtbot: QtBot, tmp_path: Path) -> None:
    launcher, seen = launcher_for(tmp_path, "term")
    launcher.start([])
    qtbot.wait_until(lambda: ("state", "connected") in seen, timeout=10_000)
    launcher.terminate(wait=True)
    qtbot.wait_until(lambda: not launcher.running, timeout=5000)
    assert seen[-2:] == [("ended", ("completed", "Appel terminé.")), ("finished", True)]


def test_a_program_that_cannot_start_is_a_crash(qtbot: QtBot, tmp_path: Path) -> None:
    launcher = CallLauncher([str(tmp_path / "no-such-program")])
    ends: list[bool] = []
    launcher.finished.connect(ends.append)
    launcher.start([])
    qtbot.wait_until(lambda: ends == [False], timeout=5000)
    assert not launcher.running


START = """
import json, sys, tempfile
from pathlib import Path
from PySide6.QtWidgets import QApplication
from kiosk.controller import KioskController
from kiosk.local_time import LocalTime
from kiosk.main_window import MainWindow
from provisioning import credentials
app = QApplication([])
data = Path(tempfile.mkdtemp())
credentials.save(data, credentials.DeviceCredential("http://127.0.0.1:9", 1, 1, "fyd_t"))
local_time = LocalTime()
window = MainWindow(local_time.now)
controller = KioskController(data, "http://127.0.0.1:9", window, local_time)
window.show()
app.processEvents()
print(json.dumps(sorted(sys.modules)))
"""


def test_nothing_of_a_call_loads_with_the_tablet() -> None:
    """The call's stack (aiortc, PyAV, kiosk.call) never loads in the kiosk, and the calls'
    screens, sounds and launcher only when a call comes (tablet start, docs/performance.md)."""
    root = Path(__file__).resolve().parents[2]
    answer = subprocess.run(
        [sys.executable, "-c", START],
        cwd=root,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    loaded = set(json.loads(answer.stdout.strip().splitlines()[-1]))
    assert "kiosk.features.calls" in loaded  # the feature is there, light
    later = [
        m
        for m in loaded
        if m.split(".")[0] in ("aiortc", "av", "aioice")
        or m.startswith("kiosk.call.")
        or m in ("kiosk.call", "kiosk.call_launcher", "kiosk.call_service", "kiosk.chime")
        or m.startswith("kiosk.screens.call")
    ]
    assert later == []


def test_the_ringtone_and_the_tick_are_written_once_and_the_ring_is_cut_short(
    qtbot: QtBot, tmp_path: Path
) -> None:
    import wave

    player = tmp_path / "player"
    player.write_text("#!/bin/sh\nexec sleep 30\n", encoding="utf-8")
    player.chmod(0o755)
    ring = Chime(tmp_path, str(player), sound=RINGTONE)
    tick = Chime(tmp_path, str(player), sound=TICK)
    ring.play()
    assert ring.sounding
    ring.play()  # one at a time: not started twice
    ring.stop()  # answered: silence at once
    qtbot.wait_until(lambda: not ring.sounding, timeout=5000)
    tick.play()
    tick.shutdown()
    with wave.open(str(tmp_path / RINGTONE.file_name)) as wav:
        assert wav.getframerate() == RATE
        assert wav.getnframes() == round(RATE * RING_PERIOD_S)
    with wave.open(str(tmp_path / TICK.file_name)) as wav:
        assert wav.getnframes() / RATE < 0.1  # a click, not a note
