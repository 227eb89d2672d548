"""The photo service against a loopback HTTP server: downloads into the cache, decoding off the
GUI thread, damaged files fetched again, photos that left removed, revocation, offline."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from kiosk import photo_service as photo_service_module
from kiosk.background import make_scheduler, shutdown_scheduler
from kiosk.device_client import DeviceClient
from kiosk.photo_cache import PhotoCache
from kiosk.photo_seen import SeenPhotos
from kiosk.photo_service import PhotoService, decode_scaled
from kiosk.photos_view import build_album_view
from kiosk.screens.photos_screen import PhotosScreen, PhotoTile
from kiosk.store import LocalStore
from kiosk.sync import Syncer
from tests.kiosk.device_http import Answer, DeviceHttp
from tests.kiosk.fakes import Photo, jpeg
from tests.kiosk.paired_backend import paired_backend


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


def idle(service: PhotoService) -> bool:
    """No download pass running or waiting to run."""
    return service.downloads_idle


def make_service(
    server: DeviceHttp, session: requests.Session, scheduler: Any, root: Path, **kw: Any
) -> tuple[PhotoService, PhotoCache]:
    client = DeviceClient(session, server.url, "token-1")
    cache = PhotoCache(root / "photos", budget_bytes=kw.pop("budget", 50_000_000))
    service = PhotoService(
        client,
        cache,
        SeenPhotos(root / "photos" / "seen.sqlite3"),
        scheduler,
        rng=random.Random(1),
        **kw,
    )
    return service, cache


def test_downloads_the_album_and_says_which_photos_are_here(
    qtbot: QtBot,
    device_http: DeviceHttp,
    session: requests.Session,
    scheduler: Any,
    tmp_path: Path,
) -> None:
    photos = [Photo(1, (200, 30, 30)), Photo(2, (30, 200, 30))]
    for p in photos:
        p.serve(device_http)
    service, cache = make_service(device_http, session, scheduler, tmp_path)
    service.start()
    with qtbot.wait_signal(service.available_changed, timeout=10_000) as blocker:
        service.set_photos([p.record() for p in photos])
    qtbot.wait_until(lambda: service.available == {1, 2}, timeout=10_000)
    assert blocker.args is not None
    for p in photos:
        assert cache.read(p.display_hash) == p.display
        assert cache.read(p.thumb_hash) == p.thumb
    # Thumbnails first, newest first: the album fills from the top.
    paths = device_http.paths()
    assert paths[:2] == ["/api/v1/device/photos/2/thumbnail", "/api/v1/device/photos/1/thumbnail"]
    assert all(r.headers["authorization"] == "Bearer token-1" for r in device_http.requests)
    service.stop()


def test_images_are_decoded_off_the_gui_thread_and_scaled_once_for_the_screen(
    qtbot: QtBot,
    device_http: DeviceHttp,
    session: requests.Session,
    scheduler: Any,
    tmp_path: Path,
) -> None:
    photo = Photo(1, (20, 20, 220))
    photo.serve(device_http)
    threads: list[threading.Thread] = []

    def recording_decode(data: bytes, width: int, height: int) -> QImage | None:
        threads.append(threading.current_thread())
        return decode_scaled(data, width, height)

    service, _cache = make_service(
        device_http, session, scheduler, tmp_path, decode=recording_decode
    )
    service.start()
    service.set_photos([photo.record()])
    qtbot.wait_until(lambda: service.available == {1}, timeout=10_000)
    with qtbot.wait_signal(service.photo_ready, timeout=10_000) as blocker:
        service.request_photo(1, 800, 480)
    assert blocker.args is not None
    photo_id, image = blocker.args
    assert photo_id == 1
    assert (image.width(), image.height()) == (640, 480)  # 4:3 kept, fits 800×480
    assert threads and all(t is not threading.main_thread() for t in threads)
    with qtbot.wait_signal(service.thumbnail_ready, timeout=10_000) as blocker:
        service.request_thumbnail(1, 160)
    assert blocker.args is not None and blocker.args[1].width() == 160
    app = QApplication.instance()
    assert app is not None
    service.stop()


def test_a_damaged_cached_file_is_never_shown_and_is_fetched_again(
    qtbot: QtBot,
    device_http: DeviceHttp,
    session: requests.Session,
    scheduler: Any,
    tmp_path: Path,
) -> None:
    photo = Photo(1, (220, 220, 20))
    photo.serve(device_http)
    service, cache = make_service(device_http, session, scheduler, tmp_path)
    service.start()
    service.set_photos([photo.record()])
    qtbot.wait_until(lambda: service.available == {1}, timeout=10_000)
    path = cache.path_for(photo.display_hash)
    path.write_bytes(photo.display[: len(photo.display) // 2])  # half a photo
    shown: list[int] = []
    service.photo_ready.connect(lambda pid, _img: shown.append(pid))
    with qtbot.wait_signal(service.photo_missing, timeout=10_000):
        service.request_photo(1, 800, 480)
    assert shown == []
    # The pass it triggered downloads the display variant again.
    qtbot.wait_until(lambda: cache.read(photo.display_hash) == photo.display, timeout=10_000)
    assert device_http.paths().count("/api/v1/device/photos/1/display") == 2
    with qtbot.wait_signal(service.photo_ready, timeout=10_000):
        service.request_photo(1, 800, 480)
    service.stop()


def test_a_download_that_does_not_match_its_hash_is_not_kept(
    qtbot: QtBot,
    device_http: DeviceHttp,
    session: requests.Session,
    scheduler: Any,
    tmp_path: Path,
) -> None:
    photo = Photo(1, (10, 120, 120))
    photo.serve(device_http)
    device_http.routes["/api/v1/device/photos/1/display"] = Answer(200, photo.display[:900])
    service, cache = make_service(device_http, session, scheduler, tmp_path)
    service.start()
    service.set_photos([photo.record()])
    qtbot.wait_until(lambda: service.failures >= 1, timeout=10_000)
    assert not cache.contains(photo.display_hash)
    assert service.available == frozenset()
    service.stop()


def test_photos_that_left_the_album_leave_the_disk(
    qtbot: QtBot,
    device_http: DeviceHttp,
    session: requests.Session,
    scheduler: Any,
    tmp_path: Path,
) -> None:
    photos = [Photo(1, (200, 0, 0)), Photo(2, (0, 0, 200))]
    for p in photos:
        p.serve(device_http)
    service, cache = make_service(device_http, session, scheduler, tmp_path)
    service.start()
    service.set_photos([p.record() for p in photos])
    qtbot.wait_until(lambda: service.available == {1, 2}, timeout=10_000)
    service.set_photos([photos[1].record()])  # photo 1 was deleted by the family
    qtbot.wait_until(lambda: service.available == {2}, timeout=10_000)
    assert cache.keys() == {photos[1].display_hash, photos[1].thumb_hash}
    assert not cache.path_for(photos[0].display_hash).exists()
    service.stop()


def test_the_budget_keeps_the_newest_photos(
    qtbot: QtBot,
    device_http: DeviceHttp,
    session: requests.Session,
    scheduler: Any,
    tmp_path: Path,
) -> None:
    photos = [Photo(i, (40 * i, 90, 200 - 40 * i)) for i in (1, 2, 3)]
    for p in photos:
        p.serve(device_http)
    thumbs = sum(len(p.thumb) for p in photos)
    budget = thumbs + len(photos[2].display) + len(photos[1].display) + 10
    service, cache = make_service(device_http, session, scheduler, tmp_path, budget=budget)
    service.start()
    service.set_photos([p.record() for p in photos])
    qtbot.wait_until(lambda: service.available == {2, 3}, timeout=10_000)
    qtbot.wait_until(lambda: idle(service), timeout=10_000)
    assert cache.total_bytes() <= budget
    assert not cache.contains(photos[0].display_hash)
    service.stop()


def test_a_new_budget_applies_live(
    qtbot: QtBot,
    device_http: DeviceHttp,
    session: requests.Session,
    scheduler: Any,
    tmp_path: Path,
) -> None:
    photos = [Photo(i, (30 * i, 200 - 30 * i, 90)) for i in (1, 2, 3)]
    for p in photos:
        p.serve(device_http)
    service, cache = make_service(device_http, session, scheduler, tmp_path)
    service.start()
    service.set_photos([p.record() for p in photos])
    qtbot.wait_until(lambda: service.available == {1, 2, 3}, timeout=10_000)
    small = sum(len(p.thumb) for p in photos) + len(photos[2].display) + 10
    fetched = len(device_http.requests)
    service.set_budget(small)  # only the newest display variant still fits
    qtbot.wait_until(lambda: service.available == {3}, timeout=10_000)
    qtbot.wait_until(lambda: idle(service), timeout=10_000)
    assert cache.total_bytes() <= small
    assert cache.keys() == {p.thumb_hash for p in photos} | {photos[2].display_hash}
    # The right ones were evicted, and the next one, tried once, is not fetched again.
    assert len(device_http.requests) <= fetched + 1
    again = len(device_http.requests)
    # A change to the album (a caption, another photo sent twice…) means a new pass.
    service.set_photos([p.record() for p in photos] + [{**photos[0].record(), "id": 9}])
    qtbot.wait_until(lambda: idle(service), timeout=10_000)
    assert len(device_http.requests) == again
    service.set_budget(50_000_000)  # room again: the others come back down
    qtbot.wait_until(lambda: service.available == {1, 2, 3, 9}, timeout=10_000)
    service.stop()


def test_gone_photos_are_skipped_and_401_means_revoked(
    qtbot: QtBot,
    device_http: DeviceHttp,
    session: requests.Session,
    scheduler: Any,
    tmp_path: Path,
) -> None:
    gone, revoked = Photo(2, (1, 2, 3)), Photo(1, (3, 2, 1))
    # Photo 2 (newest) answers 404 (hidden since the sync); then the tablet is revoked.
    device_http.routes["/api/v1/device/photos/1/thumbnail"] = Answer(401, b"{}")
    service, _cache = make_service(device_http, session, scheduler, tmp_path)
    service.start()
    with qtbot.wait_signal(service.revoked, timeout=10_000):
        service.set_photos([gone.record(), revoked.record()])
    assert device_http.paths() == [
        "/api/v1/device/photos/2/thumbnail",
        "/api/v1/device/photos/1/thumbnail",
    ]
    service.stop()


def test_backend_down_backs_off_and_keeps_what_it_has(
    qtbot: QtBot, session: requests.Session, scheduler: Any, tmp_path: Path
) -> None:
    server = DeviceHttp()
    photo = Photo(1, (9, 9, 9))
    photo.serve(server)
    service, cache = make_service(server, session, scheduler, tmp_path)
    service.start()
    service.set_photos([photo.record()])
    qtbot.wait_until(lambda: service.available == {1}, timeout=10_000)
    server.close()  # the backend is gone from now on
    newer = Photo(2, (99, 99, 99))
    service.set_photos([photo.record(), newer.record()])
    qtbot.wait_until(lambda: service.failures >= 1, timeout=10_000)
    assert service.available == {1}  # still shown offline
    assert cache.contains(photo.display_hash)
    assert service.next_download() is not None  # a retry is planned
    service.stop()


def test_seen_marks_survive_a_restart(
    qtbot: QtBot,
    device_http: DeviceHttp,
    session: requests.Session,
    scheduler: Any,
    tmp_path: Path,
) -> None:
    service, _cache = make_service(device_http, session, scheduler, tmp_path)
    service.start()
    with qtbot.wait_signal(service.seen_changed, timeout=5000) as blocker:
        service.mark_seen(7)
    assert blocker.args == [frozenset({7})]
    service.stop()
    qtbot.wait_until(lambda: 7 in SeenPhotos(tmp_path / "photos" / "seen.sqlite3").ids())
    again, _cache = make_service(device_http, session, scheduler, tmp_path)
    with qtbot.wait_signal(again.seen_changed, timeout=5000) as blocker:
        again.start()
    assert blocker.args == [frozenset({7})]
    again.stop()


def test_wipe_leaves_no_photo_on_the_tablet(
    qtbot: QtBot,
    device_http: DeviceHttp,
    session: requests.Session,
    scheduler: Any,
    tmp_path: Path,
) -> None:
    photo = Photo(1, (5, 50, 150))
    photo.serve(device_http)
    service, cache = make_service(device_http, session, scheduler, tmp_path)
    service.start()
    service.set_photos([photo.record()])
    qtbot.wait_until(lambda: service.available == {1}, timeout=10_000)
    service.mark_seen(1)
    seen = SeenPhotos(tmp_path / "photos" / "seen.sqlite3")
    qtbot.wait_until(lambda: seen.ids() == {1})
    service.wipe()  # revoked
    qtbot.wait_until(lambda: cache.keys() == set(), timeout=10_000)
    assert list((tmp_path / "photos" / "files").glob("*/*")) == []
    qtbot.wait_until(lambda: seen.ids() == set())
    assert service.available == frozenset()


def test_decode_refuses_what_is_no_image() -> None:
    assert decode_scaled(b"not a jpeg at all", 100, 100) is None
    small = decode_scaled(jpeg(200, 100, (1, 1, 1)), 800, 480)
    assert small is not None and small.width() == 200  # never enlarged
    assert photo_service_module.wanted_photos([{"id": 1, "display_hash": "x"}]) == []


# -- against the real backend process ----------------------------------------------------------


@pytest.mark.e2e
def test_real_backend_photos_reach_the_cache_and_hidden_ones_leave(
    qtbot: QtBot, session: requests.Session, scheduler: Any, tmp_path: Path
) -> None:
    with paired_backend(tmp_path / "backend", session) as paired:
        backend, headers, beneficiary = paired.backend, paired.headers, paired.beneficiary_id
        uploaded = requests.post(
            f"{backend.url}/api/v1/beneficiaries/{beneficiary}/photos",
            files=[
                ("files", ("a.jpg", jpeg(2400, 1800, (200, 40, 40)), "image/jpeg")),
                ("files", ("b.jpg", jpeg(1200, 1600, (40, 40, 200)), "image/jpeg")),
            ],
            data={"caption": "<b>Léa</b> à la plage"},
            headers=headers,
            timeout=30,
        )
        assert uploaded.status_code == 201, uploaded.text
        ids = [r["photo"]["id"] for r in uploaded.json()]

        client = DeviceClient(session, backend.url, paired.access_token)
        store = LocalStore(tmp_path / "tablet")
        syncer = Syncer(client, store)
        state = syncer.run_once(wait=0).state
        assert state is not None
        records = state.of("photos")
        assert {r["id"] for r in records} == set(ids)

        cache = PhotoCache(tmp_path / "tablet" / "photos")
        service = PhotoService(
            client, cache, SeenPhotos(tmp_path / "tablet" / "photos" / "seen.sqlite3"), scheduler
        )
        service.start()
        service.set_photos(records)
        qtbot.wait_until(lambda: service.available == set(ids), timeout=20_000)
        with qtbot.wait_signal(service.photo_ready, timeout=10_000) as blocker:
            service.request_photo(ids[0], 800, 480)
        assert blocker.args is not None
        image = blocker.args[1]
        assert (image.width(), image.height()) == (640, 480)  # the 4:3 photo, fitted

        # The family hides the first photo: after the next sync its files leave the tablet.
        hidden = requests.patch(
            f"{backend.url}/api/v1/photos/{ids[0]}",
            json={"hidden": True},
            headers=headers,
            timeout=10,
        )
        assert hidden.status_code == 200, hidden.text
        state = syncer.run_once(wait=0).state
        assert state is not None
        service.set_photos(state.of("photos"))
        qtbot.wait_until(lambda: service.available == {ids[1]}, timeout=20_000)
        gone = next(r for r in records if r["id"] == ids[0])
        assert not cache.contains(gone["display_hash"])
        assert not cache.contains(gone["thumb_hash"])
        service.stop()


def test_service_and_screens_wired_as_the_shell_will(
    qtbot: QtBot,
    device_http: DeviceHttp,
    session: requests.Session,
    scheduler: Any,
    tmp_path: Path,
) -> None:
    """The wiring proposed to the shell, end to end with real decoding: the album fills with
    thumbnails, a photo opens full screen, and once seen it is no longer "Nouvelle"."""
    photos = [Photo(1, (200, 60, 60)), Photo(2, (60, 200, 60))]
    for p in photos:
        p.serve(device_http)
    records = [p.record() for p in photos]
    service, _cache = make_service(device_http, session, scheduler, tmp_path)
    screen = PhotosScreen()
    qtbot.addWidget(screen)
    now = datetime(2026, 12, 5, 12, 0, tzinfo=ZoneInfo("Europe/Paris"))

    def rebuild(*_args: object) -> None:
        screen.show_album(
            build_album_view(records, now, seen=service.seen, available=service.available)
        )

    service.available_changed.connect(rebuild)
    service.seen_changed.connect(rebuild)
    screen.thumbnail_wanted.connect(service.request_thumbnail)
    screen.photo_wanted.connect(service.request_photo)
    service.thumbnail_ready.connect(screen.set_thumbnail)
    service.photo_ready.connect(screen.set_photo)
    service.photo_missing.connect(screen.photo_unavailable)
    screen.photo_seen.connect(service.mark_seen)
    screen.resize(1280, 800)
    screen.show()
    qtbot.waitExposed(screen)
    service.start()
    service.set_photos(records)

    def tiles() -> list[PhotoTile]:
        return screen.album.visible_tiles()

    qtbot.wait_until(lambda: len(tiles()) == 2, timeout=10_000)
    qtbot.wait_until(lambda: all(t.has_pixmap() for t in tiles()), timeout=10_000)
    assert [t.badge.isVisible() for t in tiles()] == [True, True]
    qtbot.mouseClick(tiles()[0], Qt.MouseButton.LeftButton)
    qtbot.wait_until(lambda: screen.slideshow.photo.pixmap() is not None, timeout=10_000)
    shown = screen.slideshow.photo.pixmap()
    assert shown is not None and (shown.width(), shown.height()) == (1066, 800)  # 4:3, fitted
    assert screen.slideshow.current_id() == 2
    qtbot.wait_until(lambda: service.seen == {2}, timeout=5000)
    assert screen.slideshow.album_button is not None
    qtbot.mouseClick(screen.slideshow.album_button, Qt.MouseButton.LeftButton)
    assert [t.badge.isVisible() for t in tiles()] == [False, True]
    service.stop()
