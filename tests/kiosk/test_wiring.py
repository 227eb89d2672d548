"""The whole tablet wired together: every feature behind the controller, against a small
backend on loopback that syncs by long-poll, serves photos and weather, takes the outbox's
writes and can revoke the tablet and pair it again.

What a beneficiary depends on: each tile opens its screen and "Accueil" comes back; reading a
message sends one receipt and the badge drops at once; a quick reply reaches the backend; a
photo synced shows in the album and in the idle photo frame; a revoked tablet forgets its
photos and weather and starts them again once paired; configuration changes apply live.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton
from pytestqt.qtbot import QtBot

from kiosk.background import make_scheduler, shutdown_scheduler
from kiosk.cli import recovering_excepthook
from kiosk.controller import KioskController
from kiosk.local_time import LocalTime
from kiosk.main_window import MainWindow
from kiosk.photo_seen import SeenPhotos
from kiosk.weather_file import FILE_NAME as WEATHER_FILE
from provisioning import credentials
from provisioning.http import new_session
from tests.kiosk.fakes import MONDAY, Clock, Photo

DEVICE_ID = 7
BENEFICIARY = {"id": 1, "first_name": "Jeanne", "last_name": "Martin", "timezone": "Europe/Paris"}
PARIS_NOW = MONDAY  # Monday 23 November 2026, 09:50 in Paris


def message(message_id: int, body: str, minutes_ago: int, read: bool = False) -> dict[str, Any]:
    return {
        "id": message_id,
        "space": "daily",
        "body": body,
        "author_name": "Marie Martin",
        "created_at": (PARIS_NOW - timedelta(minutes=minutes_ago)).isoformat(),
        "reply_to_id": None,
        "read": read,
    }


def weather_report() -> dict[str, Any]:
    return {
        "location": "Lyon",
        "fetched_at": (PARIS_NOW - timedelta(minutes=5)).isoformat(),
        "current": {"temperature": 7.6, "code": 61, "is_day": True},
        "days": [{"date": "2026-11-23", "code": 61, "min": 3.0, "max": 9.0}],
    }


NURSE_PIN = "4821"
NURSE = {
    "user_id": 21,
    "name": "Claire Petit",
    "may_record_visit": True,
    "may_view_instructions": True,
}
NURSE_MESSAGE = {
    "id": 31,
    "body": "Reprendre la tension ce matin.",
    "author_name": "Dr Bernard",
    "created_at": "2026-11-23T07:00:00+00:00",
    "reply_to_id": None,
    "read": False,
}


class FakeBackend:
    """The device endpoints, enough for the tablet: sync (long-poll on a version number),
    actions, photos, weather, status, and pairing that approves at once."""

    def __init__(self) -> None:
        self.records: dict[str, list[dict[str, Any]]] = {"events": [], "messages": []}
        self.version = 1
        self.revoked = False
        self.actions_down = False  # the actions endpoint answers 503 (writes stay queued)
        self.token = "fyd_first"
        self.actions: list[dict[str, Any]] = []
        self.photos: dict[int, Photo] = {}
        self._changed = threading.Condition()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner._get(self)

            def do_POST(self) -> None:
                owner._post(self)

            def log_message(self, format: str, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def change(self, kind: str, records: list[dict[str, Any]]) -> None:
        with self._changed:
            self.records[kind] = records
            self.version += 1
            self._changed.notify_all()

    def actions_of(self, kind: str) -> list[dict[str, Any]]:
        return [a["data"] for a in list(self.actions) if a["type"] == kind]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- answers ---------------------------------------------------------------------------
    @staticmethod
    def _answer(handler: BaseHTTPRequestHandler, status: int, body: bytes, **headers: str) -> None:
        handler.send_response(status)
        for name, value in headers.items():
            handler.send_header(name.replace("_", "-"), value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def _json(self, handler: BaseHTTPRequestHandler, status: int, body: object) -> None:
        self._answer(handler, status, json.dumps(body).encode(), Content_Type="application/json")

    def _authorized(self, handler: BaseHTTPRequestHandler) -> bool:
        if self.revoked or handler.headers.get("Authorization") != f"Bearer {self.token}":
            self._json(handler, 401, {"detail": "révoqué"})
            return False
        return True

    def _get(self, handler: BaseHTTPRequestHandler) -> None:
        url = urlsplit(handler.path)
        if not self._authorized(handler):
            return
        if url.path == "/api/v1/device/sync":
            query = parse_qs(url.query)
            cursor = query.get("cursor", [None])[0]
            with self._changed:
                if cursor == str(self.version):  # a long-poll: wait for a change (≤ 0.3 s here)
                    self._changed.wait(min(0.3, float(query.get("wait", ["0"])[0])))
                if cursor == str(self.version):
                    body: dict[str, Any] = {"cursor": cursor, "upserts": {}, "deletes": {}}
                else:
                    body = {
                        "cursor": str(self.version),
                        "full": True,
                        "beneficiary": BENEFICIARY,
                        "upserts": {k: list(v) for k, v in self.records.items()},
                        "deletes": {},
                    }
            self._json(handler, 200, body)
        elif url.path == "/api/v1/device/weather":
            self._json(handler, 200, weather_report())
        elif url.path.startswith("/api/v1/device/photos/"):
            _, photo_id, variant = url.path.rsplit("/", 2)
            photo = self.photos.get(int(photo_id))
            if photo is None:
                self._json(handler, 404, {"detail": "introuvable"})
            else:
                data = photo.display if variant == "display" else photo.thumb
                self._answer(handler, 200, data, Content_Type="image/jpeg")
        else:
            self._json(handler, 404, {"detail": "introuvable"})

    def _post(self, handler: BaseHTTPRequestHandler) -> None:
        path = urlsplit(handler.path).path
        raw = handler.rfile.read(int(handler.headers.get("Content-Length", "0")))
        if path == "/api/v1/device/authorize":
            self._json(
                handler,
                200,
                {
                    "device_code": "d" * 40,
                    "user_code": "WDJB-MJHT",
                    "verification_uri": self.url + "/pair",
                    "expires_in": 600,
                    "interval": 0.2,
                },
            )
        elif path == "/api/v1/device/token":
            self.revoked = False
            self.token = "fyd_second"
            self._json(
                handler,
                200,
                {"device_id": DEVICE_ID, "beneficiary_id": 1, "access_token": self.token},
            )
        elif not self._authorized(handler):
            return
        elif path == "/api/v1/device/professional/messages":
            if json.loads(raw).get("pin") != NURSE_PIN:
                self._json(handler, 403, {"detail": "Code inconnu."})
                return
            self._json(handler, 200, {"professional": NURSE, "messages": [NURSE_MESSAGE]})
        elif path == "/api/v1/device/actions" and self.actions_down:
            self._json(handler, 503, {"detail": "indisponible"})
        elif path == "/api/v1/device/actions":
            action = json.loads(raw)
            self.actions.append(action)
            self._json(handler, 200, {"ok": True})
        else:
            self._json(handler, 200, {})


@pytest.fixture
def fake() -> Iterator[FakeBackend]:
    backend = FakeBackend()
    yield backend
    backend.close()


class Tablet:
    def __init__(self, controller: KioskController, clock: Clock, data_dir: Path) -> None:
        self.c = controller
        self.window = controller.window
        self.home = controller.window.home
        self.clock = clock
        self.data_dir = data_dir

    @property
    def screen(self) -> str:
        return self.window.current_screen_name()

    def badge(self, module: str) -> str:
        return self.home.tiles[module].badge_text()


@pytest.fixture
def tablet(qtbot: QtBot, tmp_path: Path, fake: FakeBackend) -> Iterator[Any]:
    scheduler = make_scheduler()
    scheduler.start()
    made: list[KioskController] = []

    def make() -> Tablet:
        credentials.save(tmp_path, credentials.DeviceCredential(fake.url, DEVICE_ID, 1, fake.token))
        clock = Clock(PARIS_NOW)
        local_time = LocalTime(source=clock)
        window = MainWindow(local_time.now)
        qtbot.addWidget(window)
        window.resize(1280, 800)
        window.show()
        qtbot.waitExposed(window)
        controller = KioskController(tmp_path, fake.url, window, local_time, long_poll=1)
        made.append(controller)
        controller.start(scheduler, new_session())
        return Tablet(controller, clock, tmp_path)

    yield make
    for controller in made:
        controller.shutdown()
    shutdown_scheduler(scheduler, wait=True)  # no job outlives the test's widgets


def click(qtbot: QtBot, button: QAbstractButton | None) -> None:
    assert button is not None and button.isVisible()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def synced(qtbot: QtBot, t: Tablet, fake: FakeBackend) -> None:
    qtbot.wait_until(lambda: t.c.state.cursor == str(fake.version), timeout=10_000)


# -- navigation ---------------------------------------------------------------------------------


def test_each_tile_opens_its_screen_and_accueil_returns(
    qtbot: QtBot, tablet: Any, fake: FakeBackend
) -> None:
    t = tablet()
    synced(qtbot, t, fake)
    assert t.home.tile_names() == ["agenda", "messages", "photos", "weather", "mood"]
    homes = {
        "agenda": t.c.agenda.screen.home_button,
        "messages": t.c.messages.screen.home_button,
        "photos": t.c.photos.screen.album.home_button,
        "weather": t.c.weather.screen.home_button,
        "mood": t.c.mood.screen.home_button,
    }
    for name, home_button in homes.items():
        click(qtbot, t.home.tiles[name])
        assert t.screen == name
        click(qtbot, home_button)
        assert t.screen == "home", name
    click(qtbot, t.home.professional_button)
    assert t.screen == "professional"
    assert t.c.professional.screen.page() == "schedule"
    click(qtbot, t.c.professional.screen.home_button)
    assert t.screen == "home"


# -- messages -----------------------------------------------------------------------------------


def test_reading_a_message_sends_one_receipt_and_the_badge_drops_at_once(
    qtbot: QtBot, tablet: Any, fake: FakeBackend
) -> None:
    fake.records["messages"] = [
        message(1, "Je passe jeudi avec les enfants.", 30),
        message(2, "Pense à ton rendez-vous.", 60),
    ]
    t = tablet()
    qtbot.wait_until(lambda: t.badge("messages") == "2", timeout=10_000)
    click(qtbot, t.home.tiles["messages"])
    assert [c.body_text() for c in t.c.messages.screen.cards()][:1] == [
        "Je passe jeudi avec les enfants."
    ]
    fake.actions.clear()
    assert t.c.messages.screen.open_message(1)
    # At once, before any sync: the badge counts one unread message.
    assert t.badge("messages") == "1"
    click(qtbot, t.c.messages.screen.back_button)
    assert t.c.messages.screen.open_message(1)  # opened again: no second receipt
    qtbot.wait_until(lambda: fake.actions_of("read") == [{"message_id": 1}], timeout=10_000)
    # The backend confirms it at the next sync; the tablet's count stays right.
    fake.change("messages", [message(1, "Je passe jeudi…", 30, read=True), message(2, "…", 60)])
    synced(qtbot, t, fake)
    assert t.badge("messages") == "1"
    assert t.c.messages.read_here == set()
    assert fake.actions_of("read") == [{"message_id": 1}]


def test_a_receipt_still_queued_at_restart_keeps_the_message_read(
    qtbot: QtBot, tablet: Any, fake: FakeBackend
) -> None:
    fake.records["messages"] = [message(1, "Bonjour", 30), message(2, "Ça va ?", 20)]
    fake.actions_down = True
    first = tablet()
    qtbot.wait_until(lambda: first.badge("messages") == "2", timeout=10_000)
    first.c.open_screen("messages")
    assert first.c.messages.screen.open_message(2)
    assert first.badge("messages") == "1"
    first.c.shutdown()  # power cut, say: the receipt is only in the outbox
    assert [e.data for e in first.c.outbox.pending()] == [{"message_id": 2}]
    second = tablet()
    synced(qtbot, second, fake)  # the backend still says unread: it never got the receipt
    assert second.badge("messages") == "1"
    fake.actions_down = False
    assert second.c.outbox_service is not None
    second.c.outbox_service.kick()
    qtbot.wait_until(lambda: fake.actions_of("read") == [{"message_id": 2}], timeout=10_000)


def test_a_quick_reply_reaches_the_backend_and_the_replies_follow_the_configuration(
    qtbot: QtBot, tablet: Any, fake: FakeBackend
) -> None:
    nurse = {**message(6, "Prise de sang demain 8 h.", 5), "space": "health"}
    nurse["author_name"] = "Claire Petit"
    fake.records["messages"] = [message(5, "Tu as bien dormi ?", 10), nurse]
    t = tablet()
    synced(qtbot, t, fake)
    t.c.open_screen("messages")
    assert t.c.messages.screen.open_message(5)
    assert not t.c.messages.screen.speak_button.isVisible()  # reading aloud is off by default
    replies = t.c.messages.screen.reply_buttons()
    assert [b.text() for b in replies][:3] == ["Merci !", "Appelle-moi", "Tout va bien"]
    click(qtbot, replies[0])
    qtbot.wait_until(
        lambda: fake.actions_of("reply") == [{"reply_to_id": 5, "body": "Merci !"}],
        timeout=10_000,
    )
    # A new list of replies from the console, while the message is open.
    fake.change(
        "config",
        [
            {
                "id": DEVICE_ID,
                "version": 2,
                "document": {
                    "quick_replies": ["Bisous", "À jeudi"],
                    "health_quick_replies": ["Bien reçu", "Rappelez-moi"],
                    "read_aloud": True,
                },
            }
        ],
    )
    qtbot.wait_until(lambda: t.c.config_version == 2, timeout=10_000)
    t.c.messages.screen.show_list()
    assert t.c.messages.screen.open_message(5)
    assert [b.text() for b in t.c.messages.screen.reply_buttons()] == ["Bisous", "À jeudi"]
    # Shown where the device has a voice (espeak-ng).
    assert t.c.messages.screen.speak_button.isVisible() == t.c.messages.speech.available
    # Under the nurse's health message: the health space's replies, tied to her message.
    t.c.messages.screen.show_list()
    assert t.c.messages.screen.open_message(6)
    health = t.c.messages.screen.reply_buttons()
    assert [b.text() for b in health] == ["Bien reçu", "Rappelez-moi"]
    click(qtbot, health[0])
    qtbot.wait_until(
        lambda: {"reply_to_id": 6, "body": "Bien reçu"} in fake.actions_of("reply"),
        timeout=10_000,
    )


def test_a_professional_identified_by_pin_records_arrival_and_departure(
    qtbot: QtBot, tablet: Any, fake: FakeBackend
) -> None:
    t = tablet()
    synced(qtbot, t, fake)
    click(qtbot, t.home.professional_button)
    screen = t.c.professional.screen
    for key in [*NURSE_PIN, "ok"]:
        click(qtbot, screen.pin_pad.keys[key])
    qtbot.wait_until(lambda: screen.page() == "identified", timeout=10_000)
    assert screen.title.text() == "Claire Petit"
    click(qtbot, screen.arrival_button)
    click(qtbot, screen.departure_button)
    # "Départ" closes her screen at once: the beneficiary's home, not her instructions.
    assert t.screen == "home"
    qtbot.wait_until(lambda: len(fake.actions_of("departure")) == 1, timeout=10_000)
    arrival, departure = fake.actions_of("arrival"), fake.actions_of("departure")
    assert [(a["user_id"], a["pin"]) for a in arrival + departure] == [(21, NURSE_PIN)] * 2
    click(qtbot, t.home.professional_button)
    assert screen.page() == "schedule"  # the next person starts from the schedule, not Claire's


# -- photos -------------------------------------------------------------------------------------


def test_a_synced_photo_reaches_the_album_and_the_idle_photo_frame(
    qtbot: QtBot, tablet: Any, fake: FakeBackend
) -> None:
    photo = Photo(1, (200, 120, 60))
    fake.photos[1] = photo
    fake.records["photos"] = [photo.record()]
    t = tablet()
    qtbot.wait_until(lambda: t.c.photos.frame_ready, timeout=10_000)
    assert t.badge("photos") == "1"  # new: not yet looked at
    click(qtbot, t.home.tiles["photos"])
    album = t.c.photos.screen.album
    qtbot.wait_until(
        lambda: [x.has_pixmap() for x in album.visible_tiles()] == [True], timeout=10_000
    )
    click(qtbot, album.home_button)
    # Left alone at home for the configured 5 minutes: the photo frame, with the photo.
    t.c.tick()
    assert t.screen == "home"
    t.clock.advance(minutes=5)
    t.c.tick()
    assert t.screen == "photos_frame"
    qtbot.wait_until(lambda: t.c.photos.frame.photo.pixmap() is not None, timeout=10_000)
    qtbot.mouseClick(t.c.photos.frame, Qt.MouseButton.LeftButton)
    assert t.screen == "home"
    assert t.badge("photos") == "1"  # the frame is not the beneficiary looking at it


def test_slideshow_pace_and_modules_follow_the_configuration_live(
    qtbot: QtBot, tablet: Any, fake: FakeBackend
) -> None:
    t = tablet()
    synced(qtbot, t, fake)
    assert t.c.photos.screen.slideshow.pace_ms() == 10_000
    document = {"modules": ["photos", "messages", "agenda"], "slideshow_seconds": 4}
    fake.change("config", [{"id": DEVICE_ID, "version": 3, "document": document}])
    qtbot.wait_until(
        lambda: t.home.tile_names() == ["photos", "messages", "agenda"], timeout=10_000
    )
    assert t.c.photos.screen.slideshow.pace_ms() == 4000
    assert t.c.photos.frame.pace_ms() == 4000
    assert t.home.weather_text() == ""  # no weather module, no weather glance


# -- revocation ---------------------------------------------------------------------------------


def test_revoked_the_tablet_forgets_photos_and_weather_then_starts_again_once_paired(
    qtbot: QtBot, tablet: Any, fake: FakeBackend
) -> None:
    photo = Photo(1, (60, 120, 200))
    fake.photos[1] = photo
    fake.records["photos"] = [photo.record()]
    t = tablet()
    photos_dir = t.data_dir / "photos"
    weather_file = t.data_dir / WEATHER_FILE
    qtbot.wait_until(lambda: t.c.photos.frame_ready and weather_file.exists(), timeout=10_000)
    assert t.home.weather_text() == "8°, pluie faible"
    t.c.open_screen("photos")
    t.c.photos.screen.open_photo(1)
    qtbot.wait_until(lambda: SeenPhotos(photos_dir / "seen.sqlite3").ids() == {1}, timeout=10_000)
    assert any((photos_dir / "files").rglob("*"))
    old_service = t.c.photos.service

    fake.revoked = True
    fake.change("messages", [])  # wakes the long-poll, which now gets 401
    qtbot.wait_until(lambda: t.screen == "pairing", timeout=10_000)
    qtbot.wait_until(lambda: not weather_file.exists(), timeout=10_000)
    qtbot.wait_until(lambda: not any(p.is_file() for p in (photos_dir / "files").rglob("*")))
    # The marks go in the same background job, just after the files.
    qtbot.wait_until(lambda: SeenPhotos(photos_dir / "seen.sqlite3").ids() == frozenset())
    assert t.home.weather_text() == ""
    assert not t.c.photos.frame_ready

    # The fake approves the new code at once: paired again, everything comes back.
    qtbot.wait_until(lambda: t.screen == "home", timeout=15_000)
    assert t.c.photos.service is not None and t.c.photos.service is not old_service
    qtbot.wait_until(lambda: t.c.photos.frame_ready, timeout=10_000)
    qtbot.wait_until(lambda: t.home.weather_text() == "8°, pluie faible", timeout=10_000)
    assert t.badge("photos") == "1"  # the seen mark went with the rest


def test_an_unexpected_error_brings_the_screen_home(
    qtbot: QtBot, tablet: Any, fake: FakeBackend
) -> None:
    t = tablet()
    synced(qtbot, t, fake)
    t.c.open_screen("weather")
    hook = recovering_excepthook(t.c.recover)
    try:
        raise RuntimeError("a bug in a slot")
    except RuntimeError as exc:
        hook(RuntimeError, exc, exc.__traceback__)
    qtbot.wait_until(lambda: t.screen == "home", timeout=2000)
