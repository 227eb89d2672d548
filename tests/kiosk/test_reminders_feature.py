"""Reminders in the wired tablet (the controller, its window and outbox; the backend out of
reach, an injected clock): the card over whatever screen is shown and the screen back after;
waiting for a professional's session, a call or the night to end; "C'est fait" queued once in
the outbox and kept across a restart and a power cut; the chime (silent at night) and the
voice; home's summary; and nothing left on disk after a wipe. The chime itself (a WAV played
by the system's player, or a beep) is tested at the end."""

from __future__ import annotations

import json
import wave
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from kiosk.background import make_scheduler, shutdown_scheduler
from kiosk.chime import FILE_NAME as CHIME_FILE
from kiosk.chime import Chime, chime_samples, find_player
from kiosk.controller import KioskController
from kiosk.features.reminders import DONE_ACTION
from kiosk.local_time import LocalTime
from kiosk.main_window import MainWindow
from kiosk.outbox import Outbox
from kiosk.reminder_record import FILE_NAME as RECORD_FILE
from kiosk.reminders_view import DayState
from kiosk.speech import Speech
from kiosk.store import LocalStore
from provisioning import credentials
from provisioning.http import new_session
from tests.fake_espeak import stand_in
from tests.kiosk.fakes import Clock, closed_port_url
from tests.kiosk.screen_checks import tap

GUARD_MS = 650
MORNING_UTC = datetime(2026, 12, 4, 7, 0, tzinfo=UTC)  # 8:00 in Paris, Friday 4 December 2026


def reminder(id_: int = 12, **fields: Any) -> dict[str, Any]:
    return {
        "id": id_,
        "title": "Médicaments du matin",
        "detail": "Le pilulier bleu",
        "kind": "medication",
        "start_local": "2026-12-01T08:00:00",
        "rrule": "FREQ=DAILY",
        "confirm_wanted": True,
        "repeat_every_minutes": 10,
        "repeat_count": 3,
        "critical": True,
        "version": 1,
        **fields,
    }


def sync(data_dir: Path, reminders: list[dict[str, Any]], cursor: str = "1") -> None:
    LocalStore(data_dir).apply(
        {
            "cursor": cursor,
            "full": True,
            "beneficiary": {
                "id": 1,
                "first_name": "Jeanne",
                "last_name": "Martin",
                "timezone": "Europe/Paris",
            },
            "upserts": {"reminders": reminders},
            "deletes": {},
        }
    )


class FakeChime:
    def __init__(self) -> None:
        self.plays = 0

    def play(self) -> None:
        self.plays += 1

    def shutdown(self) -> None:
        pass

    def forget(self) -> None:
        pass


class Tablet:
    """Controllers on one data directory, paired, on one clock."""

    def __init__(self, qtbot: QtBot, data_dir: Path) -> None:
        self.qtbot = qtbot
        self.data_dir = data_dir
        self.clock = Clock(MORNING_UTC - timedelta(minutes=1))
        self.scheduler = make_scheduler()
        self.scheduler.start()
        self.made: list[KioskController] = []
        self.chime = FakeChime()
        credentials.save(data_dir, credentials.DeviceCredential("http://x", 1, 1, "fyd_t"))

    def start(self) -> KioskController:
        local_time = LocalTime(source=self.clock)
        window = MainWindow(local_time.now)
        self.qtbot.addWidget(window)
        window.resize(1280, 800)
        window.show()
        controller = KioskController(self.data_dir, closed_port_url(), window, local_time)
        controller.reminders._chime = self.chime  # type: ignore[assignment]
        controller.start(self.scheduler, new_session())
        self.made.append(controller)
        return controller

    def at(self, moment: datetime, controller: KioskController) -> None:
        self.clock.now = moment
        controller.reminders.check()

    def close(self) -> None:
        for controller in self.made:
            controller.shutdown()
        shutdown_scheduler(self.scheduler)


@pytest.fixture
def tablet(qtbot: QtBot, tmp_path: Path) -> Iterator[Tablet]:
    made = Tablet(qtbot, tmp_path)
    yield made
    made.close()


def card_shown(controller: KioskController) -> bool:
    window = controller.window
    card = controller.reminders.card
    return window.overlay() is card and card.isVisible()


def queued(controller: KioskController) -> list[dict[str, Any]]:
    return [e.data for e in controller.outbox.pending() if e.type == DONE_ACTION]


def test_the_card_comes_over_any_screen_and_the_screen_is_back_after(
    qtbot: QtBot, tablet: Tablet
) -> None:
    sync(tablet.data_dir, [reminder()])
    controller = tablet.start()
    window = controller.window
    controller.open_screen("agenda")
    tablet.at(MORNING_UTC - timedelta(seconds=1), controller)
    assert window.overlay() is None
    tablet.at(MORNING_UTC, controller)
    card = controller.reminders.card
    assert card_shown(controller)
    assert card.title_text() == "Médicaments du matin"
    assert window.current_screen_name() == "agenda"  # under the card, as it was
    assert tablet.chime.plays == 1
    card._after_thanks.setInterval(50)

    qtbot.wait(GUARD_MS)
    tap(card.done_button)
    tap(card.done_button)  # a double tap
    assert queued(controller) == [
        {
            "reminder_id": 12,
            "due_at": "2026-12-04T07:00:00+00:00",
            "confirmed_at": "2026-12-04T08:00:00+01:00",
        }
    ]
    qtbot.wait_until(lambda: window.overlay() is None, timeout=5000)
    assert not card.isVisible()
    assert window.current_screen_name() == "agenda"
    assert window.currentWidget().isVisible()
    window.show_home()
    # Asked no more: confirmed.
    tablet.at(MORNING_UTC + timedelta(minutes=10), controller)
    assert window.overlay() is None and len(queued(controller)) == 1
    day = controller.reminders.today()
    assert [(i.title, i.state) for i in day.done] == [("Médicaments du matin", DayState.DONE)]


def test_over_home_plus_tard_then_asked_again_and_home_back(qtbot: QtBot, tablet: Tablet) -> None:
    sync(tablet.data_dir, [reminder()])
    controller = tablet.start()
    window = controller.window
    tablet.at(MORNING_UTC + timedelta(seconds=20), controller)
    card = controller.reminders.card
    assert card_shown(controller) and window.current_screen_name() == "home"
    card._after_thanks.setInterval(50)
    qtbot.wait(GUARD_MS)
    tap(card.later_button)
    qtbot.wait_until(lambda: window.overlay() is None, timeout=5000)
    assert window.current_screen_name() == "home" and window.home.isVisible()
    assert queued(controller) == []
    tablet.at(MORNING_UTC + timedelta(minutes=9, seconds=59), controller)
    assert window.overlay() is None
    tablet.at(MORNING_UTC + timedelta(minutes=10), controller)
    assert card_shown(controller)
    assert tablet.chime.plays == 2  # each ask chimes once
    controller.reminders.check()
    assert tablet.chime.plays == 2
    day = controller.reminders.today()
    assert [i.state for i in day.not_done] == [DayState.ASKING]


def test_it_waits_for_a_professionals_session_and_a_call(qtbot: QtBot, tablet: Tablet) -> None:
    sync(tablet.data_dir, [reminder()])
    controller = tablet.start()
    window = controller.window
    controller.open_screen("professional")
    tablet.at(MORNING_UTC, controller)
    assert window.overlay() is None and tablet.chime.plays == 0
    assert not window.may_interrupt()
    window.show_home()  # the professional leaves
    qtbot.wait_until(lambda: card_shown(controller), timeout=5000)
    assert tablet.chime.plays == 1
    window.hold_interruptions("call")
    assert window.overlay() is None
    controller.reminders.check()
    assert window.overlay() is None
    window.release_interruptions("call")
    qtbot.wait_until(lambda: card_shown(controller), timeout=5000)
    assert tablet.chime.plays == 1  # the same ask: not chimed again


def test_at_night_it_waits_for_a_touch_and_stays_silent(qtbot: QtBot, tablet: Tablet) -> None:
    sync(
        tablet.data_dir, [reminder(title="Médicaments du soir", start_local="2026-12-01T22:00:00")]
    )
    controller = tablet.start()
    window = controller.window
    tablet.clock.now = datetime(2026, 12, 4, 21, 0, tzinfo=UTC)  # 22:00 in Paris: night
    controller.tick()
    assert window.current_screen_name() == "night"
    controller.reminders.check()
    assert window.overlay() is None  # the panel may be off: a waking touch answers nothing
    window.touched.emit()  # a touch wakes the tablet
    assert window.current_screen_name() == "home"
    qtbot.wait_until(lambda: card_shown(controller), timeout=5000)
    assert tablet.chime.plays == 0  # night hours: no chime
    tablet.clock.now += timedelta(days=1, hours=-14)  # 8:00 the next morning: nothing due
    controller.tick()
    controller.reminders.check()
    assert window.overlay() is None


def test_a_new_reminder_synced_is_asked_without_waiting(qtbot: QtBot, tablet: Tablet) -> None:
    sync(tablet.data_dir, [])
    controller = tablet.start()
    tablet.at(MORNING_UTC + timedelta(minutes=1), controller)
    assert controller.window.overlay() is None
    sync(tablet.data_dir, [reminder(start_local="2026-12-04T08:01:00", rrule=None)], "2")
    controller._on_state(controller.store.load())  # what SyncService.state_changed delivers
    qtbot.wait_until(lambda: card_shown(controller), timeout=5000)


def test_several_due_one_at_a_time_oldest_first(qtbot: QtBot, tablet: Tablet) -> None:
    sync(
        tablet.data_dir,
        [
            reminder(1, title="Boire un verre d'eau", kind="drink", confirm_wanted=False),
            reminder(2, title="Tension", start_local="2026-12-01T07:55:00"),
        ],
    )
    controller = tablet.start()
    tablet.at(MORNING_UTC, controller)
    card = controller.reminders.card
    assert card.title_text() == "Tension"
    assert card.waiting_label.text() == "1 autre rappel ensuite"
    card._after_thanks.setInterval(50)
    qtbot.wait(GUARD_MS)
    tap(card.done_button)
    qtbot.wait_until(lambda: card.title_text() == "Boire un verre d'eau", timeout=5000)
    assert card.ok_button.isVisible() and not card.waiting_label.isVisible()
    qtbot.wait(GUARD_MS)
    tap(card.ok_button)
    qtbot.wait_until(lambda: controller.window.overlay() is None, timeout=5000)
    assert [d["reminder_id"] for d in queued(controller)] == [2]  # "D'accord" sends nothing


def test_answers_survive_a_restart_and_a_power_cut(qtbot: QtBot, tablet: Tablet) -> None:
    sync(tablet.data_dir, [reminder(1), reminder(2, title="Tension")])
    first = tablet.start()
    tablet.at(MORNING_UTC, first)
    card = first.reminders.card
    qtbot.wait(GUARD_MS)
    tap(card.done_button)  # reminder 1 (same minute: by id)
    assert [d["reminder_id"] for d in queued(first)] == [1]
    first.shutdown()

    # The power went between the outbox and the record: the outbox says it was confirmed.
    Outbox(tablet.data_dir).enqueue(
        DONE_ACTION,
        {
            "reminder_id": 2,
            "due_at": MORNING_UTC.isoformat(),
            "confirmed_at": (MORNING_UTC + timedelta(seconds=30)).isoformat(),
        },
    )
    again = tablet.start()
    tablet.at(MORNING_UTC + timedelta(minutes=10), again)
    assert again.window.overlay() is None  # neither is asked again
    assert {i.reminder_id for i in again.reminders.today().done} == {1, 2}
    assert len(queued(again)) == 2  # and nothing more was sent


def test_plus_tard_survives_a_restart(qtbot: QtBot, tablet: Tablet) -> None:
    sync(tablet.data_dir, [reminder()])
    first = tablet.start()
    tablet.at(MORNING_UTC + timedelta(minutes=2), first)
    qtbot.wait(GUARD_MS)
    tap(first.reminders.card.later_button)
    first.shutdown()
    again = tablet.start()
    tablet.at(MORNING_UTC + timedelta(minutes=5), again)
    assert again.window.overlay() is None
    tablet.at(MORNING_UTC + timedelta(minutes=10), again)
    assert card_shown(again)


def test_the_title_is_read_aloud_when_asked(qtbot: QtBot, tablet: Tablet, tmp_path: Path) -> None:
    program, spoken = stand_in(tmp_path)
    sync(tablet.data_dir, [reminder()])
    controller = tablet.start()
    voice = Speech(program, detect=False)
    controller.reminders._speech = voice
    controller._apply_config({**controller.config, "reminder_read_aloud": True}, 2)
    tablet.at(MORNING_UTC, controller)
    qtbot.wait_until(spoken.exists, timeout=5000)
    assert json.loads(spoken.read_text())["text"] == "Médicaments du matin"
    voice.shutdown()


def test_wipe_forgets_the_answers(qtbot: QtBot, tablet: Tablet) -> None:
    sync(tablet.data_dir, [reminder()])
    controller = tablet.start()
    tablet.at(MORNING_UTC, controller)
    qtbot.wait(GUARD_MS)
    tap(controller.reminders.card.done_button)
    assert (tablet.data_dir / RECORD_FILE).exists()
    controller.reminders.wipe()
    assert not (tablet.data_dir / RECORD_FILE).exists()
    assert controller.window.overlay() is None


# -- the chime ------------------------------------------------------------------------------------


def fake_player(tmp_path: Path) -> tuple[str, Path]:
    out = tmp_path / "played"
    script = tmp_path / "pw-play"
    script.write_text(
        f'#!/bin/sh\necho "$@" > "{out}"\n',
        encoding="utf-8",
    )
    script.chmod(0o755)
    return str(script), out


def test_the_chime_is_a_short_gentle_wav_played_by_the_systems_player(
    qtbot: QtBot, tmp_path: Path
) -> None:
    program, out = fake_player(tmp_path)
    chime = Chime(tmp_path, program)
    with qtbot.wait_signal(chime.played) as played:
        chime.play()
    assert played.args == ["player"]
    qtbot.wait_until(out.exists, timeout=5000)
    assert out.read_text().strip() == str(tmp_path / CHIME_FILE)
    with wave.open(str(tmp_path / CHIME_FILE)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth()) == (1, 2)
        assert 0.5 < wav.getnframes() / wav.getframerate() < 1.5
    assert max(abs(s) for s in chime_samples()) < 0.35 * 32767  # gentle
    chime.shutdown()


def test_without_a_player_the_chime_is_a_beep(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_player() is None
    chime = Chime(tmp_path)
    with qtbot.wait_signal(chime.played) as played:
        chime.play()
    assert played.args == ["beep"]
    broken = Chime(tmp_path, str(tmp_path / "no-such-player"))
    with qtbot.wait_signal(broken.played, check_params_cb=lambda how: how == "beep"):
        broken.play()
