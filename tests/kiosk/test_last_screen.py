"""After a crash the tablet comes back on the screen it showed (kiosk/last_screen.py), wired
as kiosk.cli wires it: reopened before the first picture, again once the controller's start
has gone home, then followed."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from kiosk.background import make_scheduler, shutdown_scheduler
from kiosk.controller import KioskController
from kiosk.first_paint import FirstPaint
from kiosk.last_screen import FILE_NAME, LastScreen, kept_as
from kiosk.local_time import LocalTime
from kiosk.main_window import MainWindow
from kiosk.store import LocalStore
from provisioning import credentials
from provisioning.http import new_session
from tests.kiosk.fakes import closed_port_url
from tests.quiet_tablet import write_quiet_config


class Tablet:
    """One run of the tablet on a data directory: `boot()` as kiosk.cli.main does it, `crash()`
    ends it without any cleanup (the file stays as the crash left it)."""

    def __init__(self, qtbot: Any, data: Path, clock: Any = time.time) -> None:
        self._qtbot = qtbot
        self._data = data
        self._clock = clock
        self._scheduler = make_scheduler()
        self.controller: KioskController | None = None  # None again once crashed
        self.window: MainWindow | None = None
        self.last: LastScreen | None = None

    def boot(self) -> KioskController:
        local_time = LocalTime(source=lambda: datetime.now(UTC))
        window = MainWindow(local_time.now)
        self._qtbot.addWidget(window)
        window.resize(1280, 800)
        window.show()
        controller = KioskController(self._data, closed_port_url(), window, local_time)
        last = LastScreen(self._data, clock=self._clock)

        def reopen() -> None:
            last.reopen(
                controller.open_screen,
                lambda name: (
                    window.current_screen_name() == "home" and name in controller.config["modules"]
                ),
            )

        reopen()
        self.first_picture = window.current_screen_name()
        self._scheduler.start()
        controller.start(self._scheduler, new_session())
        reopen()
        last.follow(window)
        self.controller, self.window, self.last = controller, window, last
        return controller

    def crash(self) -> None:
        if self.controller is not None:
            self.controller.shutdown()
            self.controller = None
            shutdown_scheduler(self._scheduler, wait=True)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    credentials.save(tmp_path, credentials.DeviceCredential("http://x", 1, 1, "fyd_t"))
    write_quiet_config(tmp_path)
    LocalStore(tmp_path).apply(
        {
            "cursor": "1",
            "full": True,
            "beneficiary": {
                "id": 1,
                "first_name": "Jeanne",
                "last_name": "Martin",
                "timezone": "Europe/Paris",
            },
            "upserts": {},
        }
    )
    return tmp_path


@pytest.fixture
def tablets(qtbot: Any, data: Path) -> Iterator[list[Tablet]]:
    made: list[Tablet] = []
    yield made
    for tablet in made:
        tablet.crash()


def _run(qtbot: Any, data: Path, tablets: list[Tablet], clock: Any = time.time) -> Tablet:
    tablet = Tablet(qtbot, data, clock)
    tablets.append(tablet)
    tablet.boot()
    return tablet


def _shown(tablet: Tablet) -> str:
    assert tablet.window is not None
    return tablet.window.current_screen_name()


def test_restarted_after_a_crash_it_shows_the_photos_again(
    qtbot: Any, data: Path, tablets: list[Tablet]
) -> None:
    """Jeanne was looking at her photos when the tablet crashed: the restarted tablet shows
    the photos in its first picture, and stays there once it is online."""
    first = _run(qtbot, data, tablets)
    assert _shown(first) == "home"
    assert first.controller is not None
    first.controller.window.home.tile_clicked.emit("photos")  # her finger on the tile
    assert _shown(first) == "photos"
    first.crash()

    again = _run(qtbot, data, tablets)
    assert again.first_picture == "photos"
    assert _shown(again) == "photos"


def test_back_home_and_then_crashed_it_opens_on_home(
    qtbot: Any, data: Path, tablets: list[Tablet]
) -> None:
    first = _run(qtbot, data, tablets)
    assert first.controller is not None
    first.controller.open_screen("weather")
    first.controller.show_home()
    first.crash()
    assert _shown(_run(qtbot, data, tablets)) == "home"


@pytest.mark.parametrize("screen", ["maintenance", "professional", "mood"])
def test_a_pin_session_or_a_question_is_never_reopened(
    qtbot: Any, data: Path, tablets: list[Tablet], screen: str
) -> None:
    """A professional's session, the maintenance screen (both behind a PIN) and the mood
    question: after a crash, home."""
    first = _run(qtbot, data, tablets)
    assert first.controller is not None
    first.controller.open_screen("messages")
    first.controller.open_screen(screen)
    assert _shown(first) == screen
    first.crash()
    assert _shown(_run(qtbot, data, tablets)) == "home"


def test_started_long_after_it_opens_on_home(qtbot: Any, data: Path, tablets: list[Tablet]) -> None:
    """Switched off in the photos and on again ten minutes later: home, not the photos."""
    first = _run(qtbot, data, tablets)
    assert first.controller is not None
    first.controller.open_screen("photos")
    first.crash()
    later = _run(qtbot, data, tablets, clock=lambda: time.time() + 600)
    assert later.first_picture == "home"
    assert _shown(later) == "home"


def test_a_clean_exit_opens_on_home(qtbot: Any, data: Path, tablets: list[Tablet]) -> None:
    first = _run(qtbot, data, tablets)
    assert first.controller is not None and first.last is not None
    first.controller.open_screen("agenda")
    first.last.forget()
    first.crash()
    assert _shown(_run(qtbot, data, tablets)) == "home"


def test_a_module_taken_off_home_meanwhile_is_not_reopened(
    qtbot: Any, data: Path, tablets: list[Tablet]
) -> None:
    first = _run(qtbot, data, tablets)
    assert first.controller is not None
    first.controller.open_screen("weather")
    first.crash()
    saved = json.loads((data / "config.json").read_text())
    saved["document"]["modules"] = ["agenda", "messages"]
    (data / "config.json").write_text(json.dumps(saved))
    assert _shown(_run(qtbot, data, tablets)) == "home"


def test_the_heartbeat_keeps_a_long_visit_reopenable(qtbot: Any, tmp_path: Path) -> None:
    """The file's time is the last sign of life on the screen, not when it was opened."""
    now = [1_000_000.0]
    last = LastScreen(tmp_path, clock=lambda: now[0], heartbeat_ms=10)
    last.remember("photos")
    stamp = (tmp_path / FILE_NAME).stat().st_mtime
    qtbot.wait_until(lambda: (tmp_path / FILE_NAME).stat().st_mtime > stamp, timeout=5000)
    now[0] = (tmp_path / FILE_NAME).stat().st_mtime + 60
    assert last.to_reopen() == "photos"
    last.remember("home")  # home: the file says so, and is no longer touched
    assert json.loads((tmp_path / FILE_NAME).read_text()) == {"screen": "home"}
    assert last.to_reopen() is None


@pytest.mark.parametrize(
    ("screen", "kept"),
    [
        ("photos", "photos"),
        ("agenda", "agenda"),
        ("messages", "messages"),
        ("weather", "weather"),
        ("home", "home"),
        ("professional", "home"),
        ("maintenance", "home"),
        ("mood", "home"),
        ("pairing", "home"),
        ("night", "home"),
        ("photos_frame", "home"),
    ],
)
def test_what_is_kept_for_each_screen(screen: str, kept: str) -> None:
    assert kept_as(screen) == kept


def test_an_unreadable_file_means_home(tmp_path: Path) -> None:
    (tmp_path / FILE_NAME).write_text("{not json")
    assert LastScreen(tmp_path).to_reopen() is None
    (tmp_path / FILE_NAME).write_text(json.dumps({"screen": "maintenance"}))
    assert LastScreen(tmp_path).to_reopen() is None


def test_reopened_on_the_photos_its_first_picture_is_still_seen(qtbot: Any, data: Path) -> None:
    """READY=1 (systemd) and the services wait for the first paint: a first screen that is a
    stack of its own (the photos: album, slideshow) must not hide it, or the tablet would be
    killed as never started."""
    local_time = LocalTime(source=lambda: datetime.now(UTC))
    window = MainWindow(local_time.now)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    controller = KioskController(data, closed_port_url(), window, local_time)
    controller.open_screen("photos")
    painted: list[str] = []
    first_paint = FirstPaint(window, lambda: painted.append(window.current_screen_name()))
    window.show()
    qtbot.wait_until(lambda: painted == ["photos"], timeout=5000)
    assert first_paint.done
    controller.shutdown()
