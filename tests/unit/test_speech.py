"""Reading aloud: espeak-ng (or a stand-in) started with QProcess, text on stdin, no shell."""

from __future__ import annotations

import json
import shutil
import time
import wave
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk.speech import Speech, command_arguments
from tests.fake_espeak import stand_in

HOSTILE = '-v en --version "$(touch /tmp/pwned)"; rm -rf / <b>gras</b>\nÇa va ? 👩‍👩‍👧'


Factory = Callable[..., Speech]


@pytest.fixture
def speech_factory(qtbot: QtBot) -> Iterator[Factory]:
    made: list[Speech] = []

    def make(program: str | None, **kwargs: object) -> Speech:
        speech = Speech(program, detect=False, **kwargs)  # type: ignore[arg-type]
        made.append(speech)
        return speech

    yield make
    for speech in made:
        speech.shutdown()


def test_without_a_voice_nothing_happens(qtbot: QtBot, speech_factory: Factory) -> None:
    speech = speech_factory(None)
    assert not speech.available
    with qtbot.assert_not_emitted(speech.started), qtbot.assert_not_emitted(speech.finished):
        assert speech.speak("Bonjour") is False
        qtbot.wait(50)
    assert not speech.speaking


def test_detection_looks_for_espeak_ng_on_path(
    monkeypatch: pytest.MonkeyPatch, qtbot: QtBot
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    assert not Speech().available
    monkeypatch.setattr(shutil, "which", lambda name: f"/opt/{name}")
    assert Speech().available


def test_text_goes_on_stdin_with_a_french_voice(
    qtbot: QtBot, tmp_path: Path, speech_factory: Factory
) -> None:
    program, out = stand_in(tmp_path)
    speech = speech_factory(program)
    with qtbot.wait_signals([speech.started, speech.finished], timeout=10_000):
        assert speech.speak(HOSTILE)
    spoken = json.loads(out.read_text(encoding="utf-8"))
    assert spoken["argv"] == ["-v", "fr", "-s", "140", "--stdin"]
    assert spoken["text"] == HOSTILE.strip()
    assert not Path("/tmp/pwned").exists()
    assert not speech.speaking


def test_speak_returns_at_once_and_stop_silences(
    qtbot: QtBot, tmp_path: Path, speech_factory: Factory
) -> None:
    program, _ = stand_in(tmp_path, sleep=60)
    speech = speech_factory(program)
    t0 = time.monotonic()
    with qtbot.wait_signal(speech.started, timeout=10_000):
        assert speech.speak("Un long message")
        assert time.monotonic() - t0 < 0.5  # the GUI thread does not wait for the voice
    assert speech.speaking
    with qtbot.wait_signal(speech.finished, timeout=1000):
        speech.stop()
    assert not speech.speaking


def test_a_new_reading_replaces_the_current_one(
    qtbot: QtBot, tmp_path: Path, speech_factory: Factory
) -> None:
    program, out = stand_in(tmp_path, sleep=60)
    speech = speech_factory(program)
    with qtbot.wait_signal(speech.started, timeout=10_000):
        speech.speak("premier")
    with qtbot.wait_signal(speech.started, timeout=10_000):
        speech.speak("second")

    def heard() -> str:
        try:
            return str(json.loads(out.read_text())["text"])
        except (OSError, ValueError):  # not written yet, or half written
            return ""

    qtbot.wait_until(lambda: heard() == "second", timeout=10_000)
    assert speech.speaking


def test_an_empty_text_is_not_read(qtbot: QtBot, tmp_path: Path, speech_factory: Factory) -> None:
    program, out = stand_in(tmp_path)
    speech = speech_factory(program)
    assert speech.speak("  \n ") is False
    qtbot.wait(100)
    assert not out.exists()


def test_a_failing_voice_is_reported_not_raised(
    qtbot: QtBot, tmp_path: Path, speech_factory: Factory
) -> None:
    program, _ = stand_in(tmp_path, exit_code=3)
    speech = speech_factory(program)
    with qtbot.wait_signals([speech.failed, speech.finished], timeout=10_000):
        speech.speak("Bonjour")
    missing = speech_factory(str(tmp_path / "no-such-program"))
    with qtbot.wait_signals([missing.failed, missing.finished], timeout=10_000):
        missing.speak("Bonjour")
    assert not missing.speaking


def test_arguments_are_a_list_never_a_command_line() -> None:
    assert command_arguments("fr", 120, ["-w", "out.wav"]) == [
        "-v",
        "fr",
        "-s",
        "120",
        "-w",
        "out.wav",
        "--stdin",
    ]


@pytest.mark.skipif(
    shutil.which("espeak-ng") is None,
    reason="espeak-ng is not installed (scripts/setup installs it)",
)
def test_real_espeak_ng_speaks_french(qtbot: QtBot, tmp_path: Path) -> None:
    wav = tmp_path / "bonjour.wav"
    speech = Speech(extra_arguments=["-w", str(wav)])  # detected on PATH, as on the tablet
    assert speech.available
    with qtbot.wait_signal(speech.finished, timeout=30_000):
        speech.speak("Bonjour Jeanne, Sophie passe jeudi.")
    speech.shutdown()
    with wave.open(str(wav)) as audio:
        seconds = audio.getnframes() / audio.getframerate()
    assert 1.0 < seconds < 10.0
