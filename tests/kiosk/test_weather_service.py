"""The weather service against a loopback HTTP server: first fetch, ETag and 304, the last
good value kept on disk for a tablet that starts offline, backoff, revocation."""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
from pytestqt.qtbot import QtBot

from kiosk.background import make_scheduler, shutdown_scheduler
from kiosk.device_client import DeviceClient
from kiosk.screens.weather_screen import WeatherScreen
from kiosk.weather_file import FILE_NAME
from kiosk.weather_service import WeatherService
from kiosk.weather_view import build_weather_view
from tests.fake_open_meteo import FakeOpenMeteo
from tests.kiosk.device_http import Answer, DeviceHttp, Seen
from tests.kiosk.fakes import closed_port_url
from tests.kiosk.paired_backend import paired_backend

PATH = "/api/v1/device/weather"
REPORT = {
    "location": "Lyon",
    "fetched_at": "2026-12-02T09:00:00+00:00",
    "age_seconds": 120,
    "stale": False,
    "current": {"temperature": 7.6, "code": 61, "is_day": True, "label": "Pluie faible"},
    "days": [],
    "attribution": "Weather data by Open-Meteo.com (CC BY 4.0)",
}
RECEIVED = datetime(2026, 12, 2, 9, 2, tzinfo=UTC)
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))


@pytest.fixture
def device_http() -> Iterator[DeviceHttp]:
    server = DeviceHttp()
    yield server
    server.close()


@pytest.fixture
def scheduler() -> Iterator[Any]:
    sched = make_scheduler()
    sched.start()
    yield sched
    shutdown_scheduler(sched, wait=True)


@pytest.fixture
def session() -> Iterator[requests.Session]:
    with requests.Session() as s:
        yield s


def weather_answer(seen: Seen) -> Answer:
    if seen.headers.get("if-none-match") == 'W/"abc"':
        return Answer(304, b"", {"ETag": 'W/"abc"'})
    body = json.dumps(REPORT).encode()
    return Answer(200, body, {"ETag": 'W/"abc"', "Content-Type": "application/json"})


def service_for(url: str, session: requests.Session, scheduler: Any, data: Path) -> WeatherService:
    client = DeviceClient(session, url, "token-1")
    return WeatherService(
        client, scheduler, data, refresh_seconds=0.2, rng=random.Random(1), now=lambda: RECEIVED
    )


def test_fetches_at_start_keeps_the_value_and_revalidates_with_its_etag(
    qtbot: QtBot,
    device_http: DeviceHttp,
    session: requests.Session,
    scheduler: Any,
    tmp_path: Path,
) -> None:
    device_http.routes[PATH] = weather_answer
    service = service_for(device_http.url, session, scheduler, tmp_path)
    worker: list[threading.Thread] = []
    service.weather_changed.connect(lambda *_: worker.append(threading.current_thread()))
    with qtbot.wait_signal(service.weather_changed, timeout=5000) as blocker:
        service.start()
    assert blocker.args == [REPORT, RECEIVED]
    assert worker == [threading.main_thread()]  # delivered on the GUI thread
    saved = json.loads((tmp_path / FILE_NAME).read_text(encoding="utf-8"))
    assert saved == {"report": REPORT, "received_at": RECEIVED.isoformat()}
    # The next fetches send the ETag back and get 304: nothing new to announce.
    qtbot.wait_until(lambda: len(device_http.requests) >= 3, timeout=5000)
    service.stop()
    assert device_http.requests[0].headers.get("if-none-match") is None
    assert all(r.headers["if-none-match"] == 'W/"abc"' for r in device_http.requests[1:])
    assert service.report == REPORT


def test_a_tablet_starting_offline_shows_the_last_saved_weather(
    qtbot: QtBot, session: requests.Session, scheduler: Any, tmp_path: Path
) -> None:
    (tmp_path / FILE_NAME).write_text(
        json.dumps({"report": REPORT, "received_at": RECEIVED.isoformat()}), encoding="utf-8"
    )
    closed = DeviceHttp()
    closed.close()  # nobody listens there any more
    service = service_for(closed.url, session, scheduler, tmp_path)
    with qtbot.wait_signal(service.weather_changed, timeout=5000) as blocker:
        service.start()
    assert blocker.args == [REPORT, RECEIVED]
    qtbot.wait_until(lambda: service.failures >= 1, timeout=5000)
    assert service.report == REPORT  # kept while offline
    service.stop()


def test_an_unreadable_saved_file_is_ignored(
    qtbot: QtBot,
    device_http: DeviceHttp,
    session: requests.Session,
    scheduler: Any,
    tmp_path: Path,
) -> None:
    (tmp_path / FILE_NAME).write_text("{half a json", encoding="utf-8")
    device_http.routes[PATH] = Answer(503, b'{"detail": "M\xc3\xa9t\xc3\xa9o indisponible"}')
    service = service_for(device_http.url, session, scheduler, tmp_path)
    emitted: list[object] = []
    service.weather_changed.connect(lambda *a: emitted.append(a))
    service.start()
    qtbot.wait_until(lambda: service.failures >= 1, timeout=5000)
    service.stop()
    assert emitted == []
    assert service.report is None


@pytest.mark.parametrize(
    ("answer", "reason", "words"),
    [
        (Answer(422, b'{"detail": "position"}'), "no_place", "conseiller n'a pas encore indiqué"),
        (Answer(503, b'{"detail": "indisponible"}'), "service_down", "service météo ne répond pas"),
        (None, "offline", "dès que la tablette sera de nouveau connectée"),
    ],
)
def test_missing_weather_says_why_truthfully(
    qtbot: QtBot,
    device_http: DeviceHttp,
    session: requests.Session,
    scheduler: Any,
    tmp_path: Path,
    answer: Answer | None,
    reason: str,
    words: str,
) -> None:
    """No place set by the care manager, the weather service down, or the tablet cut off:
    three different sentences, none blaming the tablet's connection when it is not at fault."""
    if answer is not None:
        device_http.routes[PATH] = answer
    url = device_http.url if answer is not None else closed_port_url()
    service = service_for(url, session, scheduler, tmp_path)
    with qtbot.wait_signal(service.fetch_failed, timeout=5000) as failed:
        service.start()
    service.stop()
    assert failed.args == [reason]
    screen = WeatherScreen()
    qtbot.addWidget(screen)
    screen.show_view(replace(build_weather_view(None, NOW), missing=reason))
    screen.resize(1280, 800)
    screen.show()
    assert screen.message_text() == "Météo indisponible"
    assert words in screen.updated_text()
    if reason != "offline":
        assert "connectée" not in screen.updated_text()


def test_401_means_revoked(
    qtbot: QtBot,
    device_http: DeviceHttp,
    session: requests.Session,
    scheduler: Any,
    tmp_path: Path,
) -> None:
    device_http.routes[PATH] = Answer(401, b"{}")
    service = service_for(device_http.url, session, scheduler, tmp_path)
    with qtbot.wait_signal(service.revoked, timeout=5000):
        service.start()
    qtbot.wait(300)
    assert len(device_http.requests) == 1  # no more asking once revoked
    service.wipe()
    service.stop()


def test_wipe_forgets_the_saved_weather(
    qtbot: QtBot,
    device_http: DeviceHttp,
    session: requests.Session,
    scheduler: Any,
    tmp_path: Path,
) -> None:
    device_http.routes[PATH] = weather_answer
    service = service_for(device_http.url, session, scheduler, tmp_path)
    with qtbot.wait_signal(service.weather_changed, timeout=5000):
        service.start()
    service.wipe()
    qtbot.wait_until(lambda: not (tmp_path / FILE_NAME).exists(), timeout=5000)
    assert service.report is None


@pytest.mark.e2e
def test_real_backend_weather_reaches_the_screen_view_then_costs_a_304(
    qtbot: QtBot, session: requests.Session, scheduler: Any, tmp_path: Path
) -> None:
    place = {"place_name": "Lyon", "latitude": 45.76, "longitude": 4.84}
    with (
        FakeOpenMeteo() as fake,
        paired_backend(
            tmp_path / "backend", session, place, extra_args=("--open-meteo-url", fake.url)
        ) as paired,
    ):
        client = DeviceClient(session, paired.backend.url, paired.access_token)
        service = WeatherService(client, scheduler, tmp_path / "tablet", refresh_seconds=0.3)
        with qtbot.wait_signal(service.weather_changed, timeout=10_000) as blocker:
            service.start()
        assert blocker.args is not None
        report, received = blocker.args
        now = datetime.now(ZoneInfo("Europe/Paris"))
        view = build_weather_view(report, now, received)
        assert view.available and view.location == "Lyon"
        assert view.current is not None and view.current.temperature == "7°"
        assert view.current.words == "Couvert"
        assert [d.words for d in view.days][:2] == ["Pluie faible", "Ciel dégagé"]
        assert view.days[0].name == "Aujourd'hui"
        # Later fetches send the ETag back: the backend answers 304, nothing is re-announced.
        emitted: list[object] = []
        service.weather_changed.connect(lambda *a: emitted.append(a))
        qtbot.wait(1200)
        service.stop()
        assert emitted == []
        assert fake.hits == 1  # one Open-Meteo request for all of it (the backend's cache)
        assert (tmp_path / "tablet" / FILE_NAME).exists()


@pytest.mark.e2e
def test_real_backend_without_a_place_is_said_to_be_the_care_managers_to_set(
    qtbot: QtBot, session: requests.Session, scheduler: Any, tmp_path: Path
) -> None:
    """A beneficiary created without coordinates: the real backend answers 422, and the
    tablet says the place is missing, not that its own connection failed."""
    with paired_backend(tmp_path / "backend", session) as paired:
        client = DeviceClient(session, paired.backend.url, paired.access_token)
        service = WeatherService(client, scheduler, tmp_path / "tablet", refresh_seconds=0.3)
        with qtbot.wait_signal(service.fetch_failed, timeout=10_000) as failed:
            service.start()
        service.stop()
    assert failed.args == ["no_place"]
