"""Backend killed: SIGKILL of the `foyer-backend` process during a sync and during a photo upload,
then started again on the same port and data.

The tablet side is the real Syncer, LocalStore, Outbox and flush over a real requests session.
"""

from __future__ import annotations

import io
import random
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
from PIL import Image

from kiosk.device_client import DeviceClient
from kiosk.outbox import FlushOutcome, Outbox, flush
from kiosk.store import LocalStore
from kiosk.sync import Outcome, Syncer
from provisioning.http import new_session
from tests.reliability.harness import API, Home, integrity, start_home

pytestmark = pytest.mark.e2e


@pytest.fixture
def home(tmp_path: Path) -> Iterator[Home]:
    running = start_home(tmp_path / "backend")
    yield running
    running.stop()


def _tablet(home: Home, data: Path) -> tuple[DeviceClient, LocalStore, Syncer, Outbox]:
    client = DeviceClient(new_session(), home.url, home.device_token)
    store = LocalStore(data)
    return client, store, Syncer(client, store), Outbox(data)


def _add_visit(home: Home, title: str) -> None:
    response = home.post(
        f"{API}/beneficiaries/{home.beneficiary_id}/events",
        {"title": title, "start": "2026-12-02T10:00:00", "duration_minutes": 30},
    )
    assert response.status_code == 201, response.text


def _titles(store: LocalStore) -> set[str]:
    return {e.title for e in store.load().events}


def test_backend_killed_during_a_long_poll_and_deltas(home: Home, tmp_path: Path) -> None:
    """SIGKILL while the tablet long-polls and syncs deltas: the sync ends as 'unreachable' at
    once, the tablet keeps its day, queued writes wait; after the restart the state is that of
    a full sync and the write arrives once."""
    client, store, syncer, outbox = _tablet(home, tmp_path / "tablet")
    _add_visit(home, "Avant la panne")
    assert syncer.run_once(wait=0).outcome is Outcome.CHANGED

    results = []
    polling = threading.Thread(target=lambda: results.append(syncer.run_once(wait=25)))
    polling.start()
    time.sleep(0.5)  # the long-poll is waiting in the backend
    started = time.monotonic()
    home.kill()
    polling.join(timeout=20)
    assert not polling.is_alive()
    assert results[0].outcome is Outcome.UNREACHABLE
    assert time.monotonic() - started < 5, "a dead backend must not hold the tablet"
    assert _titles(store) == {"Avant la panne"}

    outbox.enqueue("mood", {"score": 4, "tags": [], "recorded_at": _now_iso()})
    assert flush(outbox, client) is FlushOutcome.UNREACHABLE
    assert outbox.pending_count() == 1

    home.restart()
    # Deltas while the backend is killed again at a random moment of a burst of changes.
    rng = random.Random(3)
    for round_ in range(1):
        kill_at = rng.randint(1, 6)
        for n in range(8):
            if n == kill_at:
                home.kill()
                assert syncer.run_once(wait=0).outcome is Outcome.UNREACHABLE
                home.restart()
            _add_visit(home, f"Visite {round_}-{n}")
            syncer.run_once(wait=0)
    assert flush(outbox, client) is FlushOutcome.EMPTY
    assert syncer.run_once(wait=0).outcome in (Outcome.CHANGED, Outcome.UNCHANGED)

    fresh = LocalStore(tmp_path / "fresh")
    Syncer(client, fresh).run_once(wait=0)
    assert _titles(store) == _titles(fresh) and len(_titles(store)) == 9
    assert integrity(store.path) == "ok" and integrity(outbox.path) == "ok"
    assert home.rows("SELECT COUNT(*) FROM mood_checkins") == [(1,)]


def _now_iso() -> str:
    return datetime.now(UTC).isoformat()


def _big_jpeg(seed: int) -> bytes:
    """A 2000×1400 photo of noise: a few MB, so its upload and processing take a while."""
    noise = random.Random(seed).randbytes(2000 * 1400 * 3)
    out = io.BytesIO()
    Image.frombytes("RGB", (2000, 1400), noise).save(out, "JPEG", quality=95)
    return out.getvalue()


def _slow_multipart(photo: bytes, boundary: str, delay: float) -> Iterator[bytes]:
    yield (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="p.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    ).encode()
    for i in range(0, len(photo), 256 * 1024):
        yield photo[i : i + 256 * 1024]
        time.sleep(delay)
    yield f"\r\n--{boundary}--\r\n".encode()


def _upload(home: Home, photo: bytes, delay: float) -> int | None:
    boundary = "foyerboundary1234"
    try:
        response = requests.post(
            f"{home.url}{API}/beneficiaries/{home.beneficiary_id}/photos",
            data=_slow_multipart(photo, boundary, delay),
            headers={
                **home.cm_headers,
                "Content-Type": f"multipart/form-data; boundary={boundary}",
            },
            timeout=30,
        )
    except requests.RequestException:
        return None
    return response.status_code


def _assert_no_half_photo(home: Home, client: DeviceClient) -> int:
    """Every photo file under a final name decodes completely; every photo the tablet is told
    about is served whole. Returns the number of photos."""
    root = home.data_dir / "photos"
    for path in root.rglob("*.jpg") if root.exists() else []:
        if path.name.startswith("."):
            continue  # a temporary left by the kill: never served (reads look up keys only)
        with Image.open(path) as image:
            image.load()
        assert path.read_bytes().endswith(b"\xff\xd9"), path
    rows = home.rows("SELECT id, display_key, thumb_key FROM photos WHERE deleted_at IS NULL")
    payload = client.sync(None, 0)
    synced = payload.get("upserts", {}).get("photos", [])
    assert {p["id"] for p in synced} == {r[0] for r in rows}
    for photo_id, _display, _thumb in rows:
        for variant in ("display", "thumbnail"):
            data = client.photo_file(photo_id, variant)
            with Image.open(io.BytesIO(data)) as image:
                image.load()
    return len(rows)


def test_backend_killed_during_a_photo_upload(home: Home, tmp_path: Path) -> None:
    """SIGKILL while a photo is being received, then right after it was sent (while it is
    processed): no photo is ever half there — a row has both whole files, a file under its final
    name is whole, the tablet is offered only whole photos — and the next upload works."""
    client = DeviceClient(new_session(), home.url, home.device_token)
    photos = [_big_jpeg(seed) for seed in range(2)]
    print(f"photos of {[len(p) for p in photos]} bytes, sent in 256 KiB parts every 0.1 s")
    outcomes: list[int | None] = []
    # Killed while the body is arriving, then once it has all arrived (during processing).
    for photo, kill_after in ((photos[0], 0.3), (photos[1], 1.5)):
        uploading = threading.Thread(target=lambda p=photo: outcomes.append(_upload(home, p, 0.1)))
        uploading.start()
        time.sleep(kill_after)
        home.kill()
        uploading.join(timeout=30)
        assert not uploading.is_alive()
        home.restart()
        _assert_no_half_photo(home, client)
    assert outcomes[0] is None  # killed while receiving: the sender saw the failure
    # The same photos again, backend alive: all accepted, whole.
    for photo in photos:
        assert _upload(home, photo, 0.0) in (200, 201)
    assert _assert_no_half_photo(home, client) == 2
