"""The call window (kiosk/call/window.py) in process: the ringing and the call at 1280×800 and
800×480, with real frames of FFmpeg's test pattern converted as the call process converts
them; the touch targets, the text sizes, nothing off the window, English with `--lang en`; and
the borders of the call process (aiortc only there; no controller, screen or store there).

    FOYER_CALL_SCREENSHOTS=docs/screenshots .venv/bin/pytest tests/kiosk/test_call_process_window.py

writes docs/screenshots/tablet-call-*.png.
"""

from __future__ import annotations

import os
from array import array
from pathlib import Path

import av
import grimp
import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QLabel, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from kiosk.call.audio_out import Volume, _scaled
from kiosk.call.bridge import FrameSlot, to_image
from kiosk.call.window import CallWindow
from kiosk.call.words import Words
from widgets import sizing

SIZES = [(1280, 800), (800, 480)]
SHOTS = os.environ.get("FOYER_CALL_SCREENSHOTS")


def _window(qtbot: QtBot, size: tuple[int, int], language: str = "fr") -> CallWindow:
    window = CallWindow(
        Words(language, "Paul"), FrameSlot(), FrameSlot(), lambda: None, lambda _on: None,
        lambda _d: None,
    )  # fmt: skip
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    return window


def _frame(index: int, size: str) -> av.VideoFrame:
    with av.open(f"testsrc2=size={size}:rate=30", format="lavfi") as source:
        for n, frame in enumerate(source.decode(video=0)):
            if n == index:
                return frame
    raise AssertionError("no frame")


def _check_sizes(window: CallWindow, height: int) -> None:
    touch = sizing.touch_px(window, height)
    text = sizing.min_text_px(height)
    inside = window.rect()
    for button in window.findChildren(QPushButton):
        if not button.isVisibleTo(window):
            continue
        assert button.height() >= touch and button.width() >= touch, button.text()
        assert button.font().pixelSize() >= text, button.text()
        assert button.sizeHint().width() <= button.width(), button.text()  # padding included
        top_left = button.mapTo(window, QPoint(0, 0))
        assert inside.contains(QRect(top_left, button.size())), button.text()
    for label in window.findChildren(QLabel):
        if label.isVisibleTo(window) and label.text():
            assert label.font().pixelSize() >= text, label.text()
            needed = label.heightForWidth(label.width()) if label.wordWrap() else 0
            assert max(needed, label.sizeHint().height() if not label.wordWrap() else 0) <= (
                label.height() + 1
            ), label.text()


def _save(window: QWidget, name: str, size: tuple[int, int]) -> None:
    if SHOTS:
        path = Path(SHOTS) / f"tablet-call-{name}-{size[0]}x{size[1]}.png"
        assert window.grab().save(str(path))


@pytest.mark.parametrize("size", SIZES)
def test_ringing_says_who_is_called_and_offers_only_to_hang_up(
    qtbot: QtBot, size: tuple[int, int]
) -> None:
    window = _window(qtbot, size)
    window.show_state("ringing", window.words.ringing())
    window.show_local(to_image(_frame(10, "640x480"), (size[0] // 4, size[0] * 3 // 16)))
    qtbot.wait(50)
    assert window.message.text() == "Ça sonne chez Paul…" and window.message.isVisible()
    assert not window.status.isVisible()  # said once, in the middle
    visible = [b.text() for b in window.findChildren(QPushButton) if b.isVisibleTo(window)]
    assert visible == ["Raccrocher"]
    assert window.local.isVisible() and window.local.has_image()
    _check_sizes(window, size[1])
    _save(window, "ringing", size)


@pytest.mark.parametrize("size", SIZES)
def test_in_a_call_the_other_person_is_large_oneself_small(
    qtbot: QtBot, size: tuple[int, int]
) -> None:
    window = _window(qtbot, size)
    window.show_state("connecting", window.words.connecting())
    window.show_state("connected", window.words.connected())
    remote = window.remote.size()
    window.show_remote(to_image(_frame(40, "640x480"), (remote.width(), remote.height())))
    local = window.local.size()
    window.show_local(to_image(_frame(20, "640x480"), (local.width(), local.height())))
    qtbot.wait(50)
    assert not window.message.isVisible()
    assert window.status.text() == "En communication avec Paul"
    visible = [b.text() for b in window.findChildren(QPushButton) if b.isVisibleTo(window)]
    assert visible == ["Moins fort", "Plus fort", "Couper la caméra", "Raccrocher"]
    # Oneself small, in a corner of the other person's picture.
    assert window.local.width() * 3 < window.remote.width()
    assert window.remote.geometry().contains(
        window.local.geometry().translated(window.remote.pos())
    )
    _check_sizes(window, size[1])
    _save(window, "connected", size)
    window.show_state("recovering", window.words.recovering())
    assert window.status.text() == "Connexion perdue, on essaie de la retrouver…"
    _check_sizes(window, size[1])
    window.show_end(window.words.network())
    qtbot.wait(50)
    assert window.message.text() == "L'appel a été coupé : la connexion s'est interrompue."
    assert not window.buttons.isVisible()
    _check_sizes(window, size[1])
    _save(window, "ended", size)


def test_the_buttons_hang_up_switch_the_camera_and_change_the_volume(qtbot: QtBot) -> None:
    switched: list[bool] = []
    volume: list[int] = []
    hung_up: list[bool] = []
    window = CallWindow(
        Words("fr", "Paul"), FrameSlot(), FrameSlot(), lambda: hung_up.append(True),
        switched.append, volume.append,
    )  # fmt: skip
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    window.show_state("connected", window.words.connected())
    window.camera.click()
    assert switched == [False] and window.camera.text() == "Rallumer la caméra"
    assert not window.local.has_image() and window.local.placeholder == "Caméra coupée"
    qtbot.wait(450)  # BigButton ignores a second tap within 400 ms
    window.camera.click()
    assert switched == [False, True] and window.camera.text() == "Couper la caméra"
    window.louder.click()
    qtbot.wait(450)
    window.quieter.click()
    assert volume == [1, -1]
    window.show_volume(130)
    assert window.status.text() == "Volume : 130 %"
    qtbot.waitUntil(lambda: window.status.text() == "En communication avec Paul", timeout=5000)
    window.hangup.click()
    assert hung_up == [True]


@pytest.mark.parametrize("size", SIZES)
def test_without_a_camera_the_self_view_says_so(qtbot: QtBot, size: tuple[int, int]) -> None:
    window = _window(qtbot, size)
    window.show_note(window.words.no_camera())
    window.show_state("ringing", window.words.ringing())
    qtbot.wait(50)
    assert window.local.isVisible() and not window.local.has_image()
    assert window.local.placeholder == "Pas de caméra : Paul vous entend sans vous voir."
    assert window.message.text() == "Ça sonne chez Paul…"
    _check_sizes(window, size[1])
    _save(window, "no-camera", size)


def test_english_with_lang_en(qtbot: QtBot) -> None:
    window = _window(qtbot, (1280, 800), "en")
    window.show_state("connected", window.words.connected())
    visible = [b.text() for b in window.findChildren(QPushButton) if b.isVisibleTo(window)]
    assert visible == ["Quieter", "Louder", "Camera off", "Hang up"]
    assert window.status.text() == "On a call with Paul"
    assert window.words.network() == "The call was cut off: the connection was lost."
    _check_sizes(window, 800)


def test_aiortc_is_loaded_by_the_call_process_only_and_it_stays_apart() -> None:
    graph = grimp.build_graph("kiosk", include_external_packages=True)
    for media in ("aiortc", "av"):
        importers = graph.find_modules_that_directly_import(media)
        assert importers and all(m.startswith("kiosk.call.") for m in importers), importers
    for module in graph.find_children("kiosk.call"):
        imported = graph.find_modules_directly_imported_by(module)
        kiosk_side = {
            m for m in imported if m.startswith("kiosk.") and not m.startswith("kiosk.call")
        }
        assert kiosk_side <= {"kiosk.gui_thread"}, (module, kiosk_side)


def test_the_volume_steps_and_scales_the_voice_without_wrapping_round() -> None:
    volume = Volume()
    assert volume.percent == 100
    for _ in range(20):
        volume.change(+1)
    assert volume.percent == 200  # the top step, however often « Plus fort » is touched
    frame = av.AudioFrame(format="s16", layout="stereo", samples=4)
    frame.planes[0].update(array("h", [1000, -1000, 30000, -30000] * 2).tobytes())
    frame.sample_rate = 48000
    louder = array("h", bytes(_scaled(frame, volume.gain).planes[0])[: 4 * 4])
    assert list(louder) == [2000, -2000, 32767, -32768] * 2  # clipped, not wrapped
    for _ in range(20):
        volume.change(-1)
    assert volume.percent == 25
