"""Updates, the tablet's side: when it may update (kiosk.update_window: the version, a call or a
professional's session, the quiet hours on the beneficiary's wall clock across midnight and the
clock changes), the request it writes for the updater and the busy file, in a feature built as
the controller builds it (kiosk.features.updates) and wired to a real controller the way the
controller is asked to wire it (calls, the professional's screen)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pytestqt.qtbot import QtBot

from kiosk.features.calls import PROFESSIONAL_SCREENS
from kiosk.features.updates import UpdatesFeature
from kiosk.store import Beneficiary, LocalState
from kiosk.update_window import (
    BUSY_FILE,
    OUTCOME_FILE,
    REQUEST_FILE,
    Verdict,
    decide,
    in_quiet_hours,
    parse_target,
    target_of,
)
from tests.kiosk.fakes import Clock

PARIS = ZoneInfo("Europe/Paris")
BACKEND = "http://foyer.test:8000"


def record(**fields: Any) -> dict[str, Any]:
    return {
        "id": 4,
        "rollout_id": 7,
        "version": "0.2.0",
        "filename": "foyer-0.2.0-py3-none-any.whl",
        "size": 123456,
        "sha256": "ab" * 32,
        "signature": "c2lnbmF0dXJl",
        "download": "/api/v1/device/releases/3/file",
        "quiet_hours": None,
        **fields,
    }


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)  # type: ignore[misc]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


# -- the decision -------------------------------------------------------------------------------
def verdict(
    target: Any = None, *, version: str = "0.1.0", busy: bool = False, **kw: Any
) -> Verdict:
    now = kw.pop("now", paris(2026, 12, 4, 15, 0))
    return decide(
        target if target is not None else parse_target(record(**kw)),
        version,
        busy=busy,
        now=now,
        tz=PARIS,
        handled=kw.pop("handled", ()),
    )


def test_what_the_decision_weighs() -> None:
    assert decide(None, "0.1.0", busy=False, now=paris(2026, 12, 4, 15), tz=PARIS) is (
        Verdict.NO_TARGET
    )
    assert verdict() is Verdict.UPDATE
    assert verdict(version="0.2.0") is Verdict.UP_TO_DATE
    assert verdict(busy=True) is Verdict.BUSY
    assert verdict(handled=[(7, "0.2.0")]) is Verdict.HANDLED
    assert verdict(handled=[(6, "0.2.0")]) is Verdict.UPDATE, "another rollout of it is new"
    # Busy and up to date: nothing to ask anyway.
    assert verdict(version="0.2.0", busy=True) is Verdict.UP_TO_DATE


def test_quiet_hours_on_the_beneficiarys_wall_clock() -> None:
    morning = ("08:00", "12:00")
    assert not in_quiet_hours(paris(2026, 12, 4, 7, 59), morning, PARIS)
    assert in_quiet_hours(paris(2026, 12, 4, 8, 0), morning, PARIS)
    assert in_quiet_hours(paris(2026, 12, 4, 11, 59), morning, PARIS)
    assert not in_quiet_hours(paris(2026, 12, 4, 12, 0), morning, PARIS)
    # Another zone's `now` is read on her clock: 10:00 in Paris is 04:00 in New York.
    new_york = ZoneInfo("America/New_York")
    assert not in_quiet_hours(paris(2026, 12, 4, 10, 0), morning, new_york)
    assert in_quiet_hours(paris(2026, 12, 4, 15, 0), morning, new_york)
    assert not in_quiet_hours(paris(2026, 12, 4, 10, 0), ("09:00", "09:00"), PARIS), "none"
    assert not in_quiet_hours(paris(2026, 12, 4, 10, 0), None, PARIS)
    with pytest.raises(ValueError):
        in_quiet_hours(paris(2026, 12, 4, 10, 0), ("8h", "12:00"), PARIS)
    assert verdict(quiet_hours=["08:00", "12:00"], now=paris(2026, 12, 4, 9, 30)) is (
        Verdict.QUIET_HOURS
    )


def test_quiet_hours_that_wrap_midnight() -> None:
    night = ("21:00", "08:00")
    cases = [(20, 59, False), (21, 0, True), (23, 30, True), (0, 0, True), (3, 0, True)]
    cases += [(7, 59, True), (8, 0, False), (15, 0, False)]
    for hour, minute, quiet in cases:
        moment = paris(2026, 12, 4, hour, minute)
        assert in_quiet_hours(moment, night, PARIS) is quiet, (hour, minute)


def test_quiet_hours_across_the_clock_changes() -> None:
    night = ("21:00", "08:00")
    # Spring, 29 March 2026 in Paris: 02:00 CET becomes 03:00 CEST. The same UTC instant is
    # 07:30 the day before (CET, +1) and 08:30 on that morning (CEST, +2): a fixed offset would
    # get one of them wrong.
    assert in_quiet_hours(utc(2026, 3, 28, 6, 30), night, PARIS)  # 07:30 CET
    assert not in_quiet_hours(utc(2026, 3, 29, 6, 30), night, PARIS)  # 08:30 CEST
    assert in_quiet_hours(utc(2026, 3, 29, 5, 30), night, PARIS)  # 07:30 CEST
    assert in_quiet_hours(utc(2026, 3, 29, 1, 30), night, PARIS)  # 03:30 CEST, just after the jump
    # Autumn, 25 October 2026: 03:00 CEST becomes 02:00 CET; 02:30 happens twice, both quiet
    # in a 01:00–03:00 window, and 03:00 CET (02:00 UTC) ends it.
    small_hours = ("01:00", "03:00")
    assert in_quiet_hours(utc(2026, 10, 25, 0, 30), small_hours, PARIS)  # 02:30 CEST
    assert in_quiet_hours(utc(2026, 10, 25, 1, 30), small_hours, PARIS)  # 02:30 CET
    assert not in_quiet_hours(utc(2026, 10, 25, 2, 0), small_hours, PARIS)  # 03:00 CET
    assert not in_quiet_hours(utc(2026, 10, 24, 2, 0), small_hours, PARIS)  # 04:00 CEST


def test_what_sync_may_send_and_what_is_refused() -> None:
    assert parse_target(record()) is not None
    assert parse_target(record(quiet_hours=["21:00", "08:00"])).quiet_hours == ("21:00", "08:00")  # type: ignore[union-attr]
    for bad in (
        {"download": "https://elsewhere.example/file"},
        {"download": "//elsewhere.example/file"},
        {"sha256": "AB" * 32},
        {"sha256": "ab" * 31},
        {"size": 0},
        {"size": True},
        {"rollout_id": "7"},
        {"version": "../0.2.0"},
        {"filename": "../../etc/foyer.whl"},
        {"quiet_hours": ["25:00", "08:00"]},
        {"quiet_hours": ["08:00"]},
        {"signature": None},
    ):
        assert parse_target(record(**bad)) is None, bad
    assert parse_target({"id": 4}) is None and parse_target("x") is None
    newest = target_of([record(rollout_id=3), record(rollout_id=9), {"id": 4}])
    assert newest is not None and newest.rollout_id == 9
    assert target_of([]) is None


# -- the feature ----------------------------------------------------------------------------------
class Host:
    """What the feature asks of the controller: the local state and the beneficiary's time."""

    def __init__(self, clock: Clock, records: list[dict[str, Any]]) -> None:
        self.clock = clock
        self.set(records)

    def set(self, records: list[dict[str, Any]]) -> None:
        self.state = LocalState(
            Beneficiary(1, "Jeanne", "Martin", "Europe/Paris"), (), "1", {"updates": tuple(records)}
        )

    def now(self) -> datetime:
        return self.clock().astimezone(PARIS)


class Busy:
    def __init__(self) -> None:
        self.value = False

    def __call__(self) -> bool:
        return self.value


@pytest.fixture
def made(qtbot: QtBot, tmp_path: Path) -> Iterator[tuple[UpdatesFeature, Host, Busy, Clock]]:
    clock = Clock(utc(2026, 12, 4, 14, 0))  # 15:00 in Paris
    host = Host(clock, [record()])
    busy = Busy()
    seconds = Clock(utc(2026, 1, 1))
    feature = UpdatesFeature(
        host,  # type: ignore[arg-type]
        tmp_path,
        busy=busy,
        version=lambda: "0.1.0",
        clock=lambda: seconds.now.timestamp(),
        check_ms=3_600_000,  # the tests call check() themselves
    )
    feature.start(SimpleNamespace(backend_url=BACKEND + "/"))  # type: ignore[arg-type]
    yield feature, host, busy, seconds
    feature.shutdown()


def request_in(folder: Path) -> dict[str, Any] | None:
    path = folder / REQUEST_FILE
    return json.loads(path.read_text()) if path.exists() else None


def test_a_free_tablet_asks_for_the_offered_version(
    made: tuple[UpdatesFeature, Host, Busy, Clock], tmp_path: Path
) -> None:
    feature, _, _, _ = made
    assert feature.last_verdict is Verdict.UPDATE
    expected = {key: value for key, value in record().items() if key != "id"}
    assert request_in(tmp_path) == {**expected, "backend_url": BACKEND}
    assert not (tmp_path / BUSY_FILE).exists()
    assert not list(tmp_path.glob(".*.tmp")), "written whole, by a rename"


def test_busy_while_a_call_or_a_session_goes_on_then_asked_again(
    made: tuple[UpdatesFeature, Host, Busy, Clock], tmp_path: Path
) -> None:
    feature, _, busy, seconds = made
    before = os.stat(tmp_path / REQUEST_FILE).st_ino
    busy.value = True
    feature.check()
    assert (tmp_path / BUSY_FILE).exists()
    assert feature.last_verdict is Verdict.BUSY
    assert request_in(tmp_path) is not None, "left: the updater refuses while busy"
    # Refreshed every minute while busy, so that the updater tells it from a dead tablet's.
    written = (tmp_path / BUSY_FILE).stat().st_ino
    seconds.advance(seconds=30)
    feature.check()
    assert (tmp_path / BUSY_FILE).stat().st_ino == written
    seconds.advance(seconds=31)
    feature.check()
    assert (tmp_path / BUSY_FILE).stat().st_ino != written
    busy.value = False
    feature.check()
    assert not (tmp_path / BUSY_FILE).exists()
    # Written again (a new file renamed into place: systemd's path unit starts the updater).
    assert os.stat(tmp_path / REQUEST_FILE).st_ino != before
    assert feature.last_verdict is Verdict.UPDATE
    again = os.stat(tmp_path / REQUEST_FILE).st_ino
    feature.check()
    assert os.stat(tmp_path / REQUEST_FILE).st_ino == again, "not rewritten every second"
    seconds.advance(minutes=16)
    feature.check()
    assert os.stat(tmp_path / REQUEST_FILE).st_ino != again, "asked again now and then"


def test_quiet_hours_withdraw_the_request(
    made: tuple[UpdatesFeature, Host, Busy, Clock], tmp_path: Path
) -> None:
    feature, host, _, _ = made
    host.set([record(quiet_hours=["14:00", "16:00"])])
    feature.on_state(host.state)
    assert feature.last_verdict is Verdict.QUIET_HOURS
    assert request_in(tmp_path) is None
    host.clock.advance(hours=1)  # 16:00 in Paris
    feature.check()
    assert request_in(tmp_path) is not None


def test_a_halted_rollout_or_a_handled_offer_is_not_asked_for(
    made: tuple[UpdatesFeature, Host, Busy, Clock], tmp_path: Path
) -> None:
    feature, host, _, _ = made
    host.set([])  # halted or paused: sync deletes the record
    feature.on_state(host.state)
    assert request_in(tmp_path) is None and feature.last_verdict is Verdict.NO_TARGET
    host.set([record()])
    feature.on_state(host.state)
    assert request_in(tmp_path) is not None
    # The updater rolled it back here: not asked for again (it would restart into it).
    outcome = {"rollout_id": 7, "version": "0.2.0", "outcome": "rolled_back"}
    (tmp_path / OUTCOME_FILE).write_text(json.dumps({"outcomes": [outcome]}))
    feature.check()
    assert request_in(tmp_path) is None and feature.last_verdict is Verdict.HANDLED
    host.set([record(rollout_id=8, version="0.2.1")])
    feature.on_state(host.state)
    assert request_in(tmp_path) is not None, "a newer release is"


def test_up_to_date_asks_nothing(qtbot: QtBot, tmp_path: Path) -> None:
    host = Host(Clock(utc(2026, 12, 4, 14, 0)), [record()])
    feature = UpdatesFeature(host, tmp_path, busy=Busy(), version=lambda: "0.2.0")  # type: ignore[arg-type]
    (tmp_path / REQUEST_FILE).write_text("{}")  # left by the version that asked for this one
    feature.start(SimpleNamespace(backend_url=BACKEND))  # type: ignore[arg-type]
    assert feature.last_verdict is Verdict.UP_TO_DATE
    assert request_in(tmp_path) is None
    feature.shutdown()


def test_a_busy_file_left_by_a_crash_goes_at_start_and_wipe_removes_everything(
    qtbot: QtBot, tmp_path: Path
) -> None:
    (tmp_path / BUSY_FILE).write_text("1\n")
    host = Host(Clock(utc(2026, 12, 4, 14, 0)), [record()])
    feature = UpdatesFeature(host, tmp_path, busy=Busy(), version=lambda: "0.1.0")  # type: ignore[arg-type]
    assert not (tmp_path / BUSY_FILE).exists()
    feature.start(SimpleNamespace(backend_url=BACKEND))  # type: ignore[arg-type]
    assert request_in(tmp_path) is not None
    feature.wipe()
    assert request_in(tmp_path) is None and not (tmp_path / BUSY_FILE).exists()
    feature.shutdown()


def test_the_timer_notices_a_call_by_itself(qtbot: QtBot, tmp_path: Path) -> None:
    host = Host(Clock(utc(2026, 12, 4, 14, 0)), [record()])
    busy = Busy()
    feature = UpdatesFeature(host, tmp_path, busy=busy, version=lambda: "0.1.0", check_ms=20)  # type: ignore[arg-type]
    feature.start(SimpleNamespace(backend_url=BACKEND))  # type: ignore[arg-type]
    busy.value = True
    qtbot.waitUntil(lambda: (tmp_path / BUSY_FILE).exists(), timeout=5000)
    busy.value = False
    qtbot.waitUntil(lambda: not (tmp_path / BUSY_FILE).exists(), timeout=5000)
    feature.shutdown()


# -- wired to the real controller, as the controller is asked to wire it --------------------------
def test_the_controllers_call_and_professional_screens_make_it_busy(
    qtbot: QtBot, tmp_path: Path
) -> None:
    from kiosk.background import make_scheduler, shutdown_scheduler
    from kiosk.controller import KioskController
    from kiosk.local_time import LocalTime
    from kiosk.main_window import MainWindow
    from kiosk.store import LocalStore
    from provisioning import credentials
    from provisioning.http import new_session
    from tests.kiosk.fakes import closed_port_url

    credentials.save(tmp_path, credentials.DeviceCredential("http://x", 4, 1, "fyd_t"))
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
            "upserts": {"updates": [record()]},
        }
    )
    local_time = LocalTime(source=Clock(utc(2026, 12, 4, 14, 0)))
    window = MainWindow(local_time.now)
    qtbot.addWidget(window)
    controller = KioskController(tmp_path, closed_port_url(), window, local_time)
    # The line the controller's _build_screens is to have (see the report / docs):
    controller.updates = controller._add_feature(  # type: ignore[attr-defined]
        UpdatesFeature(
            controller,
            tmp_path,
            busy=lambda: (
                controller.calls.active
                or controller.window.current_screen_name() in PROFESSIONAL_SCREENS
            ),
            version=lambda: "0.1.0",
        )
    )
    scheduler = make_scheduler()
    scheduler.start()
    try:
        controller.start(scheduler, new_session())
        feature = controller.updates  # type: ignore[attr-defined]
        assert feature.last_verdict is Verdict.UPDATE and request_in(tmp_path) is not None
        controller.open_screen("professional")
        feature.check()
        assert feature.last_verdict is Verdict.BUSY and (tmp_path / BUSY_FILE).exists()
        controller.show_home()
        feature.check()
        assert feature.last_verdict is Verdict.UPDATE and not (tmp_path / BUSY_FILE).exists()
    finally:
        controller.shutdown()
        shutdown_scheduler(scheduler)
