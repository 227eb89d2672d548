"""Photo to screen: from a family's upload of a 12 Mpx JPEG to the photo painted on the tablet.

    .venv/bin/python -m bench.photo_to_screen [--photos 10]

Issue 18 ("Photo pipeline: what counts is peak memory and the time from upload to the photo on
the tablet's screen"). A real backend process (SQLite) on loopback, one beneficiary, and the
real tablet app (`foyer-kiosk --windowed`, offscreen at 1280×800, paired, long-polling),
driven through stdin by `bench.tablet_driver` with two more commands (below). The tablet shows
its album (the "Photos" screen, newest first) and waits.

One round: a family uploads a new 12 Mpx phone JPEG (4000×3000, ≈ 4 MB, EXIF-rotated: the
source of `bench.photo_pipeline`) through the real API, `POST /beneficiaries/{id}/photos`, as
the console does; the backend checks and turns it into its display and thumbnail variants,
commits, and wakes the tablet's long-poll; the tablet syncs, downloads the variants into its
photo cache, the album lists the photo and asks for its thumbnail, which is decoded off the GUI
thread; the round ends when the album's first tile holds that photo's picture and the window
has been repainted with it (`QWidget.repaint()`: painted, not just scheduled). Times are
`time.monotonic()` of both processes (CLOCK_MONOTONIC: one clock on one machine).

Baseline, same run, interleaved with the photos: a text message POSTed through the API until
the tablet's home screen is refreshed with it (the same long-poll, sync and repaint path
without a photo to process or download; `bench.tablet` measures it the same way). Also
reported: the upload's own API time (POST sent → 201 received), and the peak memory (VmHWM)
of the backend and the tablet processes, before and after the uploads.

Last line: median photo-to-screen time, its ratio to the message baseline, peak memory.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

from bench import backend as bench_backend
from bench.measure import percentile, status_kib
from bench.photo_pipeline import SOURCE_SIZE, make_source
from bench.sync import post
from bench.tablet import CommandedTablet
from provisioning import credentials
from tests.fake_open_meteo import FakeOpenMeteo

API = "/api/v1"
# No night, no mood question, no photo frame, and the album left open for half an hour: the
# tablet runs on the real clock, and its screen must stay the one measured.
QUIET = {
    "mood_times": [],
    "night_start": "07:00",
    "night_end": "07:00",
    "idle_minutes": 0,
    "screen_timeout_minutes": 30,
}
POLL_MS = 5  # how often the armed tablet looks at its album (the measure's resolution)


# --- in the tablet process ----------------------------------------------------------------------


def tablet_main(argv: list[str]) -> int:
    """The real tablet (`kiosk.cli.main`) with bench.tablet_driver's remote control and:

    album  → the "Photos" screen (the album, first page)
    arm    → from now on, the first album tile holding a photo not listed at arming time, with
             its picture, is reported once, after a synchronous repaint of the window:
             {"shown": id, "at": monotonic seconds}
    """
    from PySide6.QtCore import QTimer

    import kiosk.controller
    from bench import tablet_driver
    from bench.tablet_driver import BenchController, Driver, _say

    class ScreenDriver(Driver):
        def __init__(self, controller: kiosk.controller.KioskController) -> None:
            super().__init__(controller)
            self._known: set[int] = set()
            self._timer = QTimer(self)
            self._timer.setInterval(POLL_MS)
            self._timer.timeout.connect(self._look)

        def _album(self) -> Any:
            return self.controller.photos.screen.album

        def _run(self, command: str) -> None:
            if command == "album":
                self.controller.open_screen("photos")
                self.controller.photos.screen.show_album_page()
                _say(screen=self.controller.window.current_screen_name())
            elif command == "arm":
                self._known = {e.id for e in self.controller.photos.album().entries}
                self._timer.start()
                _say(armed=len(self._known))
            else:
                super()._run(command)

        def _look(self) -> None:
            for tile in self._album().visible_tiles():
                entry = tile.entry
                if entry is not None and entry.id not in self._known and tile.has_pixmap():
                    self._timer.stop()
                    self.controller.window.repaint()  # painted now, with the tile's picture
                    _say(shown=entry.id, at=time.monotonic())
                    return

    class ScreenController(BenchController):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            # BenchController's base (the real controller), not BenchController's own driver.
            super(BenchController, self).__init__(*args, **kwargs)
            self.driver = ScreenDriver(self)
            QTimer.singleShot(
                0, lambda: _say(started=True, screen=self.window.current_screen_name())
            )

    kiosk.controller.KioskController = ScreenController  # type: ignore[misc]
    del tablet_driver  # imported for its classes only
    from kiosk import cli

    return cli.main(argv)


# --- in the benchmark process -------------------------------------------------------------------


class Driven(CommandedTablet):
    """The tablet above (`--tablet`), windowed at 1280×800."""

    def __init__(self, url: str, data_dir: Path, work: Path, log: Any) -> None:
        command = [sys.executable, "-m", "bench.photo_to_screen", "--tablet"]
        command += ["--backend", url, "--data", str(data_dir), "--windowed", "--size", "1280x800"]
        super().__init__(command, work, log)


def reset_peak(pid: int) -> None:
    """Start VmHWM again from the current RSS (proc(5), clear_refs "5"): the backend's peak at
    start-up (the care manager's password hashed at login) must not hide the uploads'."""
    with open(f"/proc/{pid}/clear_refs", "w", encoding="ascii") as clear:
        clear.write("5")


def configure(url: str, headers: dict[str, str], device_id: int) -> None:
    path = f"{url}{API}/devices/{device_id}/config"
    version = requests.get(path, headers=headers, timeout=30).json()["version"]
    answer = requests.put(
        path, json={"document": QUIET, "expected_version": version}, headers=headers, timeout=30
    )
    if answer.status_code != 200:
        raise RuntimeError(f"config: {answer.status_code} {answer.text[:300]}")


def upload(url: str, headers: dict[str, str], beneficiary_id: int, data: bytes, n: int) -> int:
    """The console's upload of one photo; the new photo's id."""
    answer = requests.post(
        f"{url}{API}/beneficiaries/{beneficiary_id}/photos",
        files=[("files", (f"IMG_{n:04d}.jpg", data, "image/jpeg"))],
        headers=headers,
        timeout=120,
    )
    if answer.status_code != 201:
        raise RuntimeError(f"upload: {answer.status_code} {answer.text[:300]}")
    return int(answer.json()[0]["photo"]["id"])


def photo_round(
    driven: Driven, url: str, headers: dict[str, str], beneficiary_id: int, data: bytes, n: int
) -> dict[str, float]:
    """One upload to the screen: {api, screen} seconds from the POST being sent."""
    driven.ask("album")
    driven.ask("arm")
    sent = time.monotonic()
    photo_id = upload(url, headers, beneficiary_id, data, n)
    api = time.monotonic() - sent
    shown = driven.read()  # the tablet speaks when the tile is painted
    if shown.get("shown") != photo_id:
        raise RuntimeError(f"the tablet showed {shown}, not photo {photo_id}")
    return {"api": api, "screen": float(shown["at"]) - sent}


def message_round(driven: Driven, port: int, headers: dict[str, str], beneficiary_id: int) -> float:
    """The baseline: a message POSTed → the tablet's home screen refreshed with it."""
    driven.ask("home")
    seen = driven.ask("syncs")["changed"]
    time.sleep(0.3)  # the long-poll is held again by the backend
    sent = time.monotonic()
    post(
        port,
        f"{API}/beneficiaries/{beneficiary_id}/messages",
        {"space": "daily", "body": f"Coucou, il est {time.strftime('%H:%M:%S')}."},
        headers,
    )
    answer = driven.wait_for_change(seen)
    return float(answer["state_at"]) - sent


def spread(values: list[float]) -> str:
    return (
        f"median {statistics.median(values) * 1000:.0f} ms, min {min(values) * 1000:.0f}, "
        f"p90 {percentile(values, 0.9) * 1000:.0f}, max {max(values) * 1000:.0f} "
        f"(n={len(values)})"
    )


def measure(
    photos: int, work: Path, log: Any, size: tuple[int, int] = SOURCE_SIZE
) -> dict[str, Any]:
    """Rounds 1..`photos` (after a warm-up round 0): seconds per round, and memory in MiB."""
    url_of_db = f"sqlite:///{work / 'backend' / 'foyer.sqlite3'}"
    bench_backend.migrate(work / "backend", url_of_db)
    fleet = bench_backend.make_fleet(url_of_db, 1)
    weather = FakeOpenMeteo().start()
    server = bench_backend.start(work / "backend", url_of_db, open_meteo_url=weather.url)
    driven: Driven | None = None
    try:
        headers = bench_backend.login(server.port, fleet.care_manager_email)
        beneficiary = fleet.beneficiary_ids[0]
        configure(server.url, headers, fleet.device_ids[0])
        data_dir = work / "tablet"
        data_dir.mkdir()
        credentials.save(
            data_dir,
            credentials.DeviceCredential(
                server.url, fleet.device_ids[0], beneficiary, fleet.credentials[0]
            ),
        )
        # Every photo distinct (the backend keeps one copy of identical files): made up front.
        sources = [make_source(size, seed=n) for n in range(photos + 1)]
        driven = Driven(server.url, data_dir, work, log)
        with contextlib.suppress(RuntimeError):  # counted from the first home refresh on
            driven.wait_for_change(0, timeout=30)  # the first sync
        # Round 0 warms up both sides (imports, the album built, the decoder's first run).
        message_round(driven, server.port, headers, beneficiary)
        photo_round(driven, server.url, headers, beneficiary, sources[0], 0)
        for pid in (server.pid, driven.process.pid):
            reset_peak(pid)
        found: dict[str, Any] = {
            "source_mib": statistics.median(len(s) for s in sources) / 2**20,
            "backend_hwm_before": status_kib("VmHWM", server.pid) / 1024,
            "tablet_hwm_before": status_kib("VmHWM", driven.process.pid) / 1024,
        }
        messages, apis, screens = [], [], []
        for n in range(1, photos + 1):
            messages.append(message_round(driven, server.port, headers, beneficiary))
            timed = photo_round(driven, server.url, headers, beneficiary, sources[n], n)
            apis.append(timed["api"])
            screens.append(timed["screen"])
        driven.ask(f"grab {Path(tempfile.gettempdir()) / 'foyer-bench-photo-to-screen.png'}")
        found |= {
            "messages": messages,
            "apis": apis,
            "screens": screens,
            "backend_hwm_after": status_kib("VmHWM", server.pid) / 1024,
            "tablet_hwm_after": status_kib("VmHWM", driven.process.pid) / 1024,
        }
        return found
    finally:
        if driven is not None:
            driven.close()
        server.stop()
        weather.stop()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--tablet"]:
        return tablet_main(argv[1:])
    parser = argparse.ArgumentParser(prog="bench.photo_to_screen", description=__doc__)
    parser.add_argument("--photos", type=int, default=10, help="timed uploads (after a warm-up)")
    args = parser.parse_args(argv)
    log_path = Path(tempfile.gettempdir()) / "foyer-bench-photo-to-screen.log"  # kept, to read
    with (
        tempfile.TemporaryDirectory(prefix="foyer-bench-photo-") as tmp,
        log_path.open("wb") as log,
    ):
        found = measure(args.photos, Path(tmp), log)
    screens, apis, messages = found["screens"], found["apis"], found["messages"]
    after_api = [s - a for s, a in zip(screens, apis, strict=True)]
    print(f"source photos: 4000×3000 JPEG, {found['source_mib']:.1f} MiB median")
    print(f"upload → photo painted on the tablet: {spread(screens)}")
    print(f"  of which the upload API call (POST → 201): {spread(apis)}")
    print(f"  of which 201 → painted (sync, download, decode, paint): {spread(after_api)}")
    print(f"baseline, message POST → home refreshed: {spread(messages)}")
    print(
        f"memory, RSS before the timed uploads → peak during them (VmHWM reset): backend "
        f"{found['backend_hwm_before']:.0f} → {found['backend_hwm_after']:.0f} MiB, tablet "
        f"{found['tablet_hwm_before']:.0f} → {found['tablet_hwm_after']:.0f} MiB"
    )
    ratio = statistics.median(screens) / statistics.median(messages)
    print(
        f"photo to screen: median {statistics.median(screens):.2f} s "
        f"(max {max(screens):.2f} s), {ratio:.1f}x a message's time to screen, "
        f"{statistics.median(screens) / statistics.median(apis):.2f}x the upload's API call; "
        f"peak RSS during the uploads: backend {found['backend_hwm_after']:.0f} MiB "
        f"(+{found['backend_hwm_after'] - found['backend_hwm_before']:.0f}), "
        f"tablet {found['tablet_hwm_after']:.0f} MiB "
        f"(+{found['tablet_hwm_after'] - found['tablet_hwm_before']:.0f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
