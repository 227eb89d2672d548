"""Video calls in the wired tablet (the controller, its window and outbox, a stand-in backend
on loopback that records the refusals, an injected clock): the ringing screen from a synced
call over any screen (a reminder's card included), « Décrocher » starting the call process
with the contract's command line (a tiny fake call program written here, printing the
contract's JSON lines), « Refuser » posting the refusal, the auto-answer countdown only when
allowed, busy while in a call, the ring running out, the caller hanging up, « Appeler » and
« Qui peut décrocher tout seul » through the outbox, and a crashed call process."""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from kiosk.background import make_scheduler, shutdown_scheduler
from kiosk.call_launcher import CallLauncher
from kiosk.calls_view import AUTO_ANSWER_ACTION, Mode
from kiosk.controller import KioskController
from kiosk.features.calls import CALL_HOLD, SCREEN
from kiosk.local_time import LocalTime
from kiosk.main_window import MainWindow
from kiosk.store import LocalStore
from provisioning import credentials
from provisioning.http import new_session
from tests.kiosk.fakes import Clock
from tests.kiosk.screen_checks import rect_in, tap

GUARD_MS = 650
AFTERNOON_UTC = datetime(2026, 12, 4, 14, 0, tzinfo=UTC)  # 15:00 in Paris
NIGHT_UTC = datetime(2026, 12, 4, 22, 0, tzinfo=UTC)  # 23:00 in Paris: night mode

FAKE_CALL = """
import json, os, signal, sys, time
argv_file, mode = sys.argv[1], sys.argv[2]
with open(argv_file + ".tmp", "w") as f:
    json.dump(sys.argv[3:], f)
os.replace(argv_file + ".tmp", argv_file)  # whole, or not there
def say(**event):
    print(json.dumps(event), flush=True)
say(event="call", call_id=12)
say(event="state", state="connecting")
if mode == "crash":
    sys.exit(3)
say(event="state", state="connected")
if mode == "wait":
    def hang_up(*_):
        say(event="ended", outcome="completed", sentence="Appel terminé.")
        sys.exit(0)
    signal.signal(signal.SIGTERM, hang_up)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not os.path.exists(argv_file + ".stop"):
        time.sleep(0.05)
say(event="ended", outcome="completed", sentence="Appel terminé.")
"""


class Backend:
    """The device endpoints the kiosk calls itself: the refusals (recorded)."""

    def __init__(self) -> None:
        self.posts: list[tuple[str, dict[str, Any]]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                owner.posts.append((self.path, body))
                if self.path.endswith("/device/actions"):  # kept in the outbox: a busy backend
                    self._answer(503, b'{"detail": "indisponible"}')
                else:
                    self._answer(200, b'{"call": {}}')

            def do_GET(self) -> None:
                self._answer(404, b'{"detail": "introuvable"}')

            def _answer(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def refusals(self) -> list[tuple[str, dict[str, Any]]]:
        return [p for p in self.posts if p[0].endswith("/refuse")]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class FakeSound:
    def __init__(self) -> None:
        self.plays = 0
        self.sounding = False

    def play(self) -> None:
        self.plays += 1
        self.sounding = True

    def stop(self) -> None:
        self.sounding = False

    def shutdown(self) -> None:
        self.sounding = False

    def forget(self) -> None:
        pass


class Mono:
    """The feature's monotonic clock, moved by the test only (`t += seconds`). It starts
    where the real one is when the test hands it over: the feature was built (with the
    controller) on the real clock just before, and both must agree."""

    def __init__(self) -> None:
        self.t = time.monotonic()

    def __call__(self) -> float:
        return self.t


class Tablet:
    def __init__(self, qtbot: QtBot, data_dir: Path) -> None:
        self.qtbot = qtbot
        self.data_dir = data_dir
        self.clock = Clock(AFTERNOON_UTC)
        self.mono = Mono()
        self.backend = Backend()
        self.scheduler = make_scheduler()
        self.scheduler.start()
        self.ring, self.tick = FakeSound(), FakeSound()
        self.argv_file = data_dir / "argv.json"
        self.script = data_dir / "fake_call.py"
        self.script.write_text(FAKE_CALL, encoding="utf-8")
        self.controller: KioskController | None = None
        credentials.save(data_dir, credentials.DeviceCredential(self.backend.url, 1, 1, "fyd_t"))

    def start(self, mode: str = "ok") -> KioskController:
        local_time = LocalTime(source=self.clock)
        window = MainWindow(local_time.now)
        self.qtbot.addWidget(window)
        window.resize(1280, 800)
        window.show()
        controller = KioskController(self.data_dir, self.backend.url, window, local_time)
        calls = controller.calls
        calls._ringtone, calls._tick_sound = self.ring, self.tick  # type: ignore[assignment]
        self.mono.t = time.monotonic()
        calls._clock = self.mono
        calls._launcher = CallLauncher(
            [sys.executable, str(self.script), str(self.argv_file), mode], grace_ms=3000
        )
        controller.start(self.scheduler, new_session())
        self.controller = controller
        return controller

    def deliver(
        self,
        calls: list[dict[str, Any]] | None = None,
        callers: list[dict[str, Any]] | None = None,
        deletes: dict[str, list[int]] | None = None,
    ) -> None:
        """A sync answer carrying these records (and these deletions), as the backend sends
        them."""
        upserts: dict[str, Any] = {}
        if calls is not None:
            upserts["calls"] = calls
        if callers is not None:
            upserts["callers"] = callers
        store = LocalStore(self.data_dir)
        store.apply({"cursor": "2", "full": False, "upserts": upserts, "deletes": deletes or {}})
        assert self.controller is not None
        self.controller._on_state(store.load())

    def argv(self) -> list[str]:
        return list(json.loads(self.argv_file.read_text(encoding="utf-8")))

    def close(self) -> None:
        if self.controller is not None:
            self.controller.shutdown()
        shutdown_scheduler(self.scheduler)
        self.backend.close()


@pytest.fixture
def tablet(qtbot: QtBot, tmp_path: Path) -> Iterator[Tablet]:
    made = Tablet(qtbot, tmp_path)
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
            "deletes": {},
        }
    )
    yield made
    made.close()


def call(
    id_: int = 12, *, state: str = "ringing", outcome: str | None = None, auto: bool = False,
    left: int = 41,
) -> dict[str, Any]:  # fmt: skip
    return {
        "id": id_,
        "direction": "to_tablet",
        "state": state,
        "outcome": outcome,
        "caller": {"id": 3, "name": "Paul Martin", "initials": "PM"},
        "auto_answer": auto,
        "created_at": AFTERNOON_UTC.isoformat(),
        "ring_until": (AFTERNOON_UTC + timedelta(seconds=45)).isoformat(),
        "ring_seconds_left": left,
    }


CALLERS = [
    {"id": 3, "name": "Paul Martin", "relation": "petit-fils", "initials": "PM",
     "auto_answer": True, "auto_answer_declined": False},
    {"id": 5, "name": "Marie Martin", "relation": "fille", "initials": "MM",
     "auto_answer": False, "auto_answer_declined": False},
]  # fmt: skip


def ringing_shown(controller: KioskController) -> bool:
    screen = controller.calls._ringing_screen
    return screen is not None and controller.window.overlay() is screen and screen.isVisible()


def test_a_synced_call_rings_over_any_screen_with_two_big_buttons_far_apart(
    qtbot: QtBot, tablet: Tablet
) -> None:
    controller = tablet.start()
    controller.open_screen("agenda")
    tablet.deliver([call()])
    assert ringing_shown(controller)
    screen = controller.calls.ringing_screen
    assert screen.texts() == ["Paul Martin vous appelle", "Refuser", "Décrocher"]
    assert controller.window.current_screen_name() == "agenda"  # under it, as it was
    assert tablet.ring.plays == 1 and tablet.tick.plays == 0
    assert not controller.window.may_interrupt()  # a reminder's card waits
    answer, refuse = rect_in(screen.answer_button, screen), rect_in(screen.refuse_button, screen)
    assert min(answer.height(), refuse.height(), answer.width(), refuse.width()) >= 90
    assert answer.left() - refuse.right() >= 300  # shaky hands: never side by side


def test_decrocher_starts_the_call_process_with_the_contracts_arguments_then_home(
    qtbot: QtBot, tablet: Tablet
) -> None:
    controller = tablet.start("wait")
    controller.open_screen("agenda")
    tablet.deliver([call()])
    screen = controller.calls.ringing_screen
    tap(screen.answer_button)  # as the screen appears: a finger on its way, ignored
    assert not controller.calls.in_call
    qtbot.wait(GUARD_MS)
    tap(screen.answer_button)
    assert controller.calls.in_call and not ringing_shown(controller)
    assert tablet.ring.sounding is False
    qtbot.wait_until(tablet.argv_file.exists, timeout=10_000)
    assert tablet.argv() == [
        "--backend", tablet.backend.url, "--data", str(tablet.data_dir), "--answer", "12",
        "--caller-name", "Paul Martin", "--lang", "fr", "--font-scale", "1",
    ]  # fmt: skip
    assert not controller.window.may_interrupt()  # held while the call runs
    # A second call while in this one: refused as busy, never rung.
    tablet.deliver([call(), call(13)])
    assert not ringing_shown(controller)
    qtbot.wait_until(lambda: len(tablet.backend.refusals()) == 1, timeout=5000)
    assert tablet.backend.refusals() == [("/api/v1/device/calls/13/refuse", {"reason": "busy"})]
    tablet.clock.now += timedelta(minutes=30)  # a long call: nothing changed by itself
    controller.tick()
    assert controller.window.current_screen_name() == "agenda"
    tablet.argv_file.with_suffix(".json.stop").touch()  # the call ends
    qtbot.wait_until(lambda: not controller.calls.in_call, timeout=10_000)
    controller.tick()  # the idle timers count from the call's end: no photo frame at once
    assert controller.window.current_screen_name() == "home"
    assert controller.window.may_interrupt()
    assert controller.window.overlay() is None  # a normal end: nothing more to say


def test_refuser_posts_the_refusal_and_the_call_never_rings_again(
    qtbot: QtBot, tablet: Tablet
) -> None:
    controller = tablet.start()
    tablet.deliver([call()])
    qtbot.wait(GUARD_MS)
    tap(controller.calls.ringing_screen.refuse_button)
    assert not ringing_shown(controller) and controller.window.may_interrupt()
    qtbot.wait_until(lambda: bool(tablet.backend.refusals()), timeout=5000)
    assert tablet.backend.refusals() == [("/api/v1/device/calls/12/refuse", {"reason": "refused"})]
    tablet.deliver([call(left=30)])  # a later sync, the backend not told yet
    assert not ringing_shown(controller) and not controller.calls.in_call


def test_a_refusal_that_cannot_reach_the_backend_just_stops_the_ringing(
    qtbot: QtBot, tablet: Tablet
) -> None:
    controller = tablet.start()
    tablet.backend.close()
    tablet.deliver([call()])
    qtbot.wait(GUARD_MS)
    tap(controller.calls.ringing_screen.refuse_button)
    assert not ringing_shown(controller)
    qtbot.wait(300)
    assert controller.window.overlay() is None and controller.window.may_interrupt()


def test_the_countdown_answers_by_itself_with_a_tick_a_second(qtbot: QtBot, tablet: Tablet) -> None:
    controller = tablet.start("wait")
    tablet.deliver([call(auto=True)])
    calls = controller.calls
    screen = calls.ringing_screen
    assert calls._mode is Mode.COUNTDOWN and screen.counting_down()
    assert screen.texts() == [
        "Paul Martin vous appelle",
        "L'appel s'ouvre tout seul dans 10 secondes.",
        "Non merci",
        "Décrocher",
    ]
    assert tablet.ring.plays == 0 and tablet.tick.plays == 1
    for second in range(1, 10):
        tablet.mono.t += 1
        calls._on_tick()
        assert screen.counting_down() and not calls.in_call
        assert tablet.tick.plays == 1 + second
    assert "L'appel s'ouvre tout seul dans 1 seconde." in screen.texts()
    assert tablet.tick.plays == 10
    tablet.mono.t += 1
    calls._on_tick()
    assert calls.in_call and not ringing_shown(controller)
    qtbot.wait_until(tablet.argv_file.exists, timeout=10_000)
    assert tablet.argv()[4:6] == ["--answer", "12"]
    tablet.argv_file.with_suffix(".json.stop").touch()
    qtbot.wait_until(lambda: not calls.in_call, timeout=10_000)


def test_non_merci_refuses_the_auto_answer(qtbot: QtBot, tablet: Tablet) -> None:
    controller = tablet.start()
    tablet.deliver([call(auto=True)])
    qtbot.wait(GUARD_MS)
    tap(controller.calls.ringing_screen.refuse_button)  # « Non merci »
    qtbot.wait_until(lambda: bool(tablet.backend.refusals()), timeout=5000)
    assert tablet.backend.refusals() == [("/api/v1/device/calls/12/refuse", {"reason": "refused"})]
    tablet.mono.t += 20
    controller.calls._on_tick()
    assert not controller.calls.in_call and not ringing_shown(controller)


@pytest.mark.parametrize("where", ["night hours", "night screen", "professional", "maintenance"])
def test_never_by_itself_at_night_or_in_a_professionals_session(
    qtbot: QtBot, tablet: Tablet, where: str
) -> None:
    controller = tablet.start()
    if where == "night hours":
        tablet.clock.now = NIGHT_UTC
    elif where == "night screen":
        controller.window.show_screen("night")
    else:
        controller.open_screen(where)
    tablet.deliver([call(auto=True)])
    calls = controller.calls
    assert ringing_shown(controller)
    assert calls._mode is Mode.RING and not calls.ringing_screen.counting_down()
    assert calls.ringing_screen.texts()[1:] == ["Refuser", "Décrocher"]
    assert tablet.ring.plays == 1 and tablet.tick.plays == 0
    if where == "night screen":  # woken: the panel must show who calls
        assert controller.window.current_screen_name() == "home"
    tablet.mono.t += 15
    calls._on_tick()
    assert not calls.in_call and ringing_shown(controller)  # it rings on


def test_the_ring_runs_out_by_itself(qtbot: QtBot, tablet: Tablet) -> None:
    controller = tablet.start()
    tablet.deliver([call(left=20)])
    calls = controller.calls
    tablet.mono.t += 19
    calls._on_tick()
    assert ringing_shown(controller)
    tablet.mono.t += 1
    calls._on_tick()
    assert not ringing_shown(controller) and controller.window.may_interrupt()
    assert tablet.ring.sounding is False
    tablet.deliver([call(left=20)])  # the same call again before the backend ends it
    assert not ringing_shown(controller)
    assert tablet.backend.refusals() == []  # the backend makes it a missed call itself


def test_the_caller_hangs_up_paul_a_raccroche(qtbot: QtBot, tablet: Tablet) -> None:
    controller = tablet.start()
    tablet.deliver([call()])
    tablet.deliver([call(state="ended", outcome="cancelled")])
    screen = controller.calls.ringing_screen
    assert controller.window.overlay() is screen
    assert screen.texts() == ["Paul a raccroché."]
    assert tablet.ring.sounding is False
    assert controller.calls._notice_timer.isActive()  # it goes by itself after a moment
    tap(screen.title)  # or at a touch
    assert controller.window.overlay() is None and controller.window.may_interrupt()
    tablet.deliver([call(state="ended", outcome="cancelled")])
    assert controller.window.overlay() is None  # said once


def test_the_notice_goes_by_itself(
    qtbot: QtBot, tablet: Tablet, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("kiosk.features.calls.NOTICE_MS", 50)  # 4 s, shortened
    controller = tablet.start()
    tablet.deliver([call()])
    tablet.deliver([call(state="ended", outcome="cancelled")])
    assert controller.window.overlay() is controller.calls.ringing_screen
    qtbot.wait_until(lambda: controller.window.overlay() is None, timeout=3000)
    assert controller.window.may_interrupt()


def test_a_crashed_call_process_says_the_call_broke_off(qtbot: QtBot, tablet: Tablet) -> None:
    controller = tablet.start("crash")
    tablet.deliver([call()])
    qtbot.wait(GUARD_MS)
    tap(controller.calls.ringing_screen.answer_button)
    qtbot.wait_until(lambda: not controller.calls.in_call, timeout=10_000)
    screen = controller.calls.ringing_screen
    assert controller.window.overlay() is screen
    assert screen.texts() == ["L'appel s'est interrompu."]
    assert controller.window.current_screen_name() == "home"
    assert CALL_HOLD not in controller.window._holds


REMINDER = {
    "id": 7, "title": "Médicaments", "detail": "", "kind": "medication",
    "start_local": "2026-12-01T15:00:00", "rrule": "FREQ=DAILY", "confirm_wanted": True,
    "repeat_every_minutes": 10, "repeat_count": 3, "critical": False, "version": 1,
}  # fmt: skip


def test_the_ringing_wins_over_a_reminder_card_which_comes_back_after(
    qtbot: QtBot, tablet: Tablet
) -> None:
    LocalStore(tablet.data_dir).apply(
        {"cursor": "1", "full": False, "upserts": {"reminders": [REMINDER]}, "deletes": {}}
    )
    controller = tablet.start()
    controller.reminders._chime = FakeSound()  # type: ignore[assignment]
    controller.reminders.check()
    card = controller.reminders.card
    assert controller.window.overlay() is card  # 15:00: the reminder is due
    tablet.deliver([call()])
    assert ringing_shown(controller) and not card.isVisible()
    controller.reminders.check()  # its next check keeps away while the call rings
    assert ringing_shown(controller) and not card.isVisible()
    qtbot.wait(GUARD_MS)
    tap(controller.calls.ringing_screen.refuse_button)
    qtbot.wait_until(lambda: controller.window.overlay() is card, timeout=5000)
    assert card.isVisible()


def test_appeler_on_home_its_people_and_a_touch_places_the_call(
    qtbot: QtBot, tablet: Tablet
) -> None:
    controller = tablet.start("ok")
    home = controller.window.home
    assert not home.call_button.isVisible()  # nobody to call yet
    tablet.deliver(callers=CALLERS)
    assert home.call_button.isVisible() and home.call_button.text() == "Appeler"
    assert home.call_button.height() >= 90
    tap(home.call_button)
    screen = controller.calls.screen
    assert controller.window.current_screen_name() == SCREEN
    assert screen.tile_texts() == ["Marie Martin", "Paul Martin"]
    tile = screen.tile_for(3)
    assert tile is not None and tile.height() >= 90
    tap(tile)
    assert controller.calls.in_call
    qtbot.wait_until(lambda: not controller.calls.in_call, timeout=10_000)
    assert tablet.argv() == [
        "--backend", tablet.backend.url, "--data", str(tablet.data_dir), "--place", "3",
        "--caller-name", "Paul Martin", "--lang", "fr", "--font-scale", "1",
    ]  # fmt: skip
    assert controller.window.current_screen_name() == "home"
    tablet.deliver(deletes={"callers": [3, 5]})  # nobody any more
    assert not home.call_button.isVisible()


def test_she_takes_a_caller_off_auto_answer_through_the_outbox(
    qtbot: QtBot, tablet: Tablet
) -> None:
    controller = tablet.start()
    tablet.deliver(callers=CALLERS)
    controller.open_screen(SCREEN)
    screen = controller.calls.screen
    assert screen.auto_button.isVisible()
    tap(screen.auto_button)
    assert screen.row_texts() == ["Paul Martin — L'appel s'ouvre tout seul. [Arrêter]"]
    row = screen.row_for(3)
    assert row is not None
    tap(row.button)
    queued = [e.data for e in controller.outbox.pending() if e.type == AUTO_ANSWER_ACTION]
    assert queued == [{"user_id": 3, "declined": True}]
    assert screen.row_texts() == ["Paul Martin — Vous décrochez vous-même. [Rétablir]"]
    # The backend took it: sync says so, and the choice is no longer pending.
    for entry in controller.outbox.pending():
        controller.outbox.delivered(entry.key)
    declined = [{**CALLERS[0], "auto_answer_declined": True}, CALLERS[1]]
    tablet.deliver(callers=declined)
    assert controller.calls._wishes == {}
    assert screen.row_texts() == ["Paul Martin — Vous décrochez vous-même. [Rétablir]"]


@pytest.mark.parametrize(("ends_in", "rings"), [(30, True), (-5, False)])
def test_a_call_kept_from_before_a_restart_rings_only_until_its_ring_until(
    qtbot: QtBot, tablet: Tablet, ends_in: int, rings: bool
) -> None:
    """The tablet restarted while a call rang: the store still says "ringing" with the
    ring_seconds_left of that old sync; only ring_until (on the tablet's clock) tells."""
    record = call(left=41)
    record["ring_until"] = (AFTERNOON_UTC + timedelta(seconds=ends_in)).isoformat()
    LocalStore(tablet.data_dir).apply(
        {"cursor": "1", "full": False, "upserts": {"calls": [record]}, "deletes": {}}
    )
    controller = tablet.start()
    assert ringing_shown(controller) is rings
    if rings:
        tablet.mono.t += 30
        controller.calls._on_tick()
        assert not ringing_shown(controller)
