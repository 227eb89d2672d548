"""Tablet: start to first paint, idle CPU, memory; against a bare PySide6 window and Chromium.

    .venv/bin/python -m bench.tablet [--rounds 5] [--idle 60] [--slides 2000] [--syncs 500]
    .venv/bin/python -m bench.tablet --start-only [--rounds 5]   # start times and ratios only

Everything runs offscreen (QT_QPA_PLATFORM=offscreen) at 1280×800, against a real backend
process (SQLite) holding a beneficiary's week, with a paired tablet whose local store has
synced once. Three programs, measured the same way in the same run:

- *floor*: `bench.floor_window`, a bare PySide6 window painting one label;
- *kiosk*: the real `foyer-kiosk --windowed`, unmodified;
- *chromium*: Debian's Chromium, headless, showing an equivalent static page (a big clock
  updated each second by a script, the date, the day's visits), what a MagicMirror-style kiosk
  costs.

Start: from just before the process is spawned to its first paint. The floor and the kiosk tell
it themselves with the systemd notify protocol (READY=1 after the first paint, the kiosk's own
watchdog code) on a socket this benchmark listens on; Chromium's is the moment its
`--screenshot` PNG is complete on disk. Median of `rounds` after one warm-up round (the page
cache), the three interleaved.

Idle: the three side by side for `idle` seconds, CPU time (utime + stime, every process of each)
as a share of one core; then the kiosk in photo-frame mode. Memory: RSS and PSS 5 s after start
(Chromium is several processes: PSS adds up without counting shared pages twice). Growth: in
the real tablet process driven by `bench.tablet_driver`, RSS after `slides` slideshow
transitions and after `syncs` syncs that each changed an agenda entry; on the way, the time from
a message POSTed to the tablet's home screen refreshed with it.

Last line: start ratio to the floor, idle CPU at home, RSS after start and its growth.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import requests

from bench import backend as bench_backend
from bench.measure import session_cpu_seconds, session_memory_kib
from bench.photo_pipeline import make_source
from bench.sync import fill_week, post
from provisioning import credentials
from tests.fake_open_meteo import FakeOpenMeteo

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",  # we run as root here; Chromium refuses its sandbox then
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--window-size=1280,800",
]
PAGE = """<!doctype html>
<html lang="fr"><meta charset="utf-8"><title>Foyer</title>
<body style="margin:0;background:#fff;color:#111;font-family:sans-serif">
<div style="padding:40px"><div id="clock" style="font-size:180px;font-weight:bold">10:42</div>
<div style="font-size:56px">mercredi 2 décembre</div>
<ul style="font-size:44px"><li>8 h — Claire, infirmière</li><li>11 h — Aide à domicile</li>
<li>15 h — Visite de Marc</li></ul>
<button style="font-size:44px;padding:24px 48px">Messages</button>
<button style="font-size:44px;padding:24px 48px">Photos</button></div>
<script>setInterval(function () {
  document.getElementById("clock").textContent = new Date().toTimeString().slice(0, 5);
}, 1000);</script></body></html>
"""


@dataclass
class Tablet:
    """A backend with one paired tablet's data directory."""

    server: bench_backend.Backend
    data_dir: Path
    headers: dict[str, str]  # the care manager's
    beneficiary_id: int
    event_ids: list[int]


_PYCACHE = Path(tempfile.gettempdir()) / "foyer-bench-pycache"


def _env(**extra: str) -> dict[str, str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", **extra}
    env.setdefault("XDG_RUNTIME_DIR", tempfile.gettempdir())
    # An installed tablet has bytecode for its modules (pip compiles wheels). These sandboxes
    # set PYTHONDONTWRITEBYTECODE, which would recompile ~40 modules at every start (~0.1 s):
    # keep bytecode, outside the source tree; the warm-up round writes it.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(_PYCACHE)
    return env


def stop(process: subprocess.Popen[Any]) -> None:
    """End a child we started in its own session, with everything it forked."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # helpers left behind (Chromium's crashpad)


@contextlib.contextmanager
def notify_socket(directory: Path) -> Iterator[tuple[socket.socket, str]]:
    path = str(directory / f"notify-{os.getpid()}-{time.monotonic_ns()}.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    try:
        yield sock, path
    finally:
        sock.close()
        os.unlink(path)


def spawn_until_ready(
    command: list[str], work: Path, log: IO[bytes], stdin: int | None = None
) -> tuple[float, subprocess.Popen[bytes]]:
    """Spawn a Qt program and wait for its READY=1: (seconds from spawn to it, the process)."""
    with notify_socket(work) as (sock, path):
        start = time.monotonic()
        process = subprocess.Popen(
            command,
            env=_env(NOTIFY_SOCKET=path),
            stdout=subprocess.PIPE if stdin else log,
            stderr=log,
            stdin=stdin,
            start_new_session=True,
        )
        sock.settimeout(0.5)
        deadline = start + 60
        while True:
            try:
                if b"READY=1" in sock.recv(4096):
                    return time.monotonic() - start, process
            except TimeoutError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                stop(process)
                raise RuntimeError(
                    f"{command[2]} never painted (exit code {process.returncode}); see {log.name}"
                )


def floor_command() -> list[str]:
    return [sys.executable, "-m", "bench.floor_window"]


def kiosk_command(tablet: Tablet, module: str = "kiosk.cli") -> list[str]:
    return [
        sys.executable,
        "-m",
        module,
        "--backend",
        tablet.server.url,
        "--data",
        str(tablet.data_dir),
        "--windowed",
        "--size",
        "1280x800",
    ]


def chromium_command(page: Path, user_data: Path, screenshot: Path | None) -> list[str]:
    command = [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={user_data}"]
    if screenshot is not None:
        command.append(f"--screenshot={screenshot}")
    return [*command, page.as_uri()]


def chromium_start(page: Path, work: Path, log: IO[bytes]) -> float:
    """Seconds from spawning Chromium to its screenshot of the page complete on disk."""
    shot = work / f"chromium-{time.monotonic_ns()}.png"
    user_data = Path(tempfile.mkdtemp(prefix="chromium-", dir=work))
    start = time.monotonic()
    process = subprocess.Popen(
        chromium_command(page, user_data, shot), stdout=log, stderr=log, start_new_session=True
    )
    try:
        deadline = start + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(FileNotFoundError):
                data = shot.read_bytes()
                if data.endswith(b"IEND\xaeB`\x82"):  # the PNG's last chunk: written whole
                    return time.monotonic() - start
            time.sleep(0.002)
        raise RuntimeError("Chromium wrote no screenshot")
    finally:
        stop(process)
        shutil.rmtree(user_data, ignore_errors=True)


def upload_photos(url: str, headers: dict[str, str], beneficiary_id: int, count: int = 8) -> None:
    """The family's photos, through the real upload (the backend makes the display variants)."""
    files = [
        ("files", (f"photo-{i}.jpg", make_source((1600, 1200), seed=i), "image/jpeg"))
        for i in range(count)
    ]
    answer = requests.post(
        f"{url}/api/v1/beneficiaries/{beneficiary_id}/photos",
        files=files,
        headers=headers,
        timeout=120,
    )
    if answer.status_code != 201:
        raise RuntimeError(f"photo upload: {answer.status_code} {answer.text[:300]}")


def prepare(work: Path, open_meteo_url: str) -> Tablet:
    url_of_db = f"sqlite:///{work / 'backend' / 'foyer.sqlite3'}"
    bench_backend.migrate(work / "backend", url_of_db)
    fleet = bench_backend.make_fleet(url_of_db, 1)
    server = bench_backend.start(work / "backend", url_of_db, open_meteo_url=open_meteo_url)
    headers = bench_backend.login(server.port, fleet.care_manager_email)
    events = fill_week(server.port, headers, fleet.beneficiary_ids[0])
    upload_photos(server.url, headers, fleet.beneficiary_ids[0])
    data_dir = work / "tablet"
    data_dir.mkdir()
    credentials.save(
        data_dir,
        credentials.DeviceCredential(
            server.url, fleet.device_ids[0], fleet.beneficiary_ids[0], fleet.credentials[0]
        ),
    )
    return Tablet(server, data_dir, headers, fleet.beneficiary_ids[0], events)


def start_times(
    tablet: Tablet, page: Path, work: Path, rounds: int, log: IO[bytes]
) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"floor": [], "kiosk": [], "chromium": []}
    for number in range(rounds + 1):  # round 0 warms the page cache and the local store
        order = ["floor", "kiosk", "chromium"]
        order = order[number % 3 :] + order[: number % 3]
        for name in order:
            if name == "chromium":
                seconds = chromium_start(page, work, log)
            else:
                command = floor_command() if name == "floor" else kiosk_command(tablet)
                seconds, process = spawn_until_ready(command, work, log)
                if number == 0 and name == "kiosk":
                    time.sleep(10)  # first run: sync, fetch the photos, as a tablet that ran before
                stop(process)
            if number > 0:
                times[name].append(seconds)
    return times


def idle_side_by_side(
    tablet: Tablet, page: Path, work: Path, seconds: float, log: IO[bytes]
) -> dict[str, dict[str, float]]:
    """The three programs up together: memory after 5 s, then CPU over `seconds`."""
    processes = {
        "floor": spawn_until_ready(floor_command(), work, log)[1],
        "kiosk": spawn_until_ready(kiosk_command(tablet), work, log)[1],
        "chromium": subprocess.Popen(
            chromium_command(page, Path(tempfile.mkdtemp(dir=work)), None),
            stdout=log,
            stderr=log,
            start_new_session=True,
        ),
    }
    try:
        time.sleep(5)
        found: dict[str, dict[str, float]] = {}
        for name, process in processes.items():
            rss, pss = session_memory_kib(process.pid)
            found[name] = {"rss_mib": rss / 1024, "pss_mib": pss / 1024}
        before = {name: session_cpu_seconds(p.pid) for name, p in processes.items()}
        start = time.monotonic()
        time.sleep(seconds)
        elapsed = time.monotonic() - start
        for name, process in processes.items():
            found[name]["cpu"] = (session_cpu_seconds(process.pid) - before[name]) / elapsed
        return found
    finally:
        for process in processes.values():
            stop(process)


class CommandedTablet:
    """A real tablet process started with `command`, answering one JSON line per command on
    stdout (`bench.tablet_driver`, `bench.photo_to_screen --tablet`)."""

    def __init__(self, command: list[str], work: Path, log: IO[bytes]) -> None:
        self.start_seconds, self.process = spawn_until_ready(
            command, work, log, stdin=subprocess.PIPE
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self._in, self._out = self.process.stdin, self.process.stdout
        self.read()  # {"started": true, …}

    def read(self) -> dict[str, Any]:
        while True:
            line = self._out.readline()
            if not line:
                raise RuntimeError("the tablet exited")
            with contextlib.suppress(ValueError):
                answer: dict[str, Any] = json.loads(line)
                return answer

    def ask(self, command: str) -> dict[str, Any]:
        self._in.write(command.encode() + b"\n")
        self._in.flush()
        return self.read()

    def wait_for_change(self, seen: int, timeout: float = 60) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            answer = self.ask("syncs")
            if answer["changed"] > seen:
                return answer
            time.sleep(0.005)
        raise RuntimeError("the tablet did not sync the change")

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._in.write(b"quit\n")
            self._in.flush()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)
        stop(self.process)
        self._in.close()
        self._out.close()


class Driven(CommandedTablet):
    """The real tablet run by `bench.tablet_driver`."""

    def __init__(self, tablet: Tablet, work: Path, log: IO[bytes]) -> None:
        super().__init__(kiosk_command(tablet, "bench.tablet_driver"), work, log)


def frame_idle(driven: Driven, seconds: float) -> tuple[float, str]:
    answer = driven.ask("frame")
    time.sleep(5)  # the first photo shown, the next one decoded
    driven.ask(f"grab {Path(tempfile.gettempdir()) / 'foyer-bench-frame.png'}")
    before = session_cpu_seconds(driven.process.pid)
    start = time.monotonic()
    time.sleep(seconds)
    cpu = (session_cpu_seconds(driven.process.pid) - before) / (time.monotonic() - start)
    driven.ask("home")
    return cpu, str(answer.get("frame"))


def growth(driven: Driven, tablet: Tablet, slides: int, syncs: int) -> dict[str, Any]:
    port = tablet.server.port
    found: dict[str, Any] = {"after_start": driven.ask("rss")["rss_kib"] / 1024}
    driven.ask("slides 20")  # the slideshow built, its photos decoded once
    found["slides_ready"] = driven.ask("rss")["rss_kib"] / 1024
    found["after_slides"] = driven.ask(f"slides {slides}")["rss_kib"] / 1024
    driven.ask("home")
    seen = driven.ask("syncs")["changed"]
    push = []
    for i in range(20):  # messages: the time until the home screen is refreshed with them
        time.sleep(0.05)
        sent = time.monotonic()
        post(
            port,
            f"/api/v1/beneficiaries/{tablet.beneficiary_id}/messages",
            {"space": "daily", "body": f"Coucou n° {i}"},
            tablet.headers,
        )
        answer = driven.wait_for_change(seen)
        seen = answer["changed"]
        # The controller's slot (connected first) refreshed home just before the driver's ran.
        push.append(answer["state_at"] - sent)
    found["push"] = push
    found["before_syncs"] = driven.ask("rss")["rss_kib"] / 1024
    event_id = tablet.event_ids[0]
    for i in range(syncs):
        body = json.dumps({"title": f"Soins infirmiers ({i})"}).encode()
        answer_ = bench_backend.request(
            "127.0.0.1",
            port,
            "PATCH",
            f"/api/v1/events/{event_id}",
            body,
            {**tablet.headers, "Content-Type": "application/json"},
        )
        if answer_.status != 200:
            raise RuntimeError(f"PATCH event: {answer_.status} {answer_.body[:200]!r}")
        seen = driven.wait_for_change(seen)["changed"]
    found["after_syncs"] = driven.ask("rss")["rss_kib"] / 1024
    found["syncs"] = syncs
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.tablet", description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--idle", type=float, default=60.0, help="seconds of idle measurement")
    parser.add_argument("--slides", type=int, default=2000)
    parser.add_argument("--syncs", type=int, default=500)
    parser.add_argument(
        "--start-only", action="store_true", help="only the start times (floor, kiosk, Chromium)"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="foyer-bench-tablet-") as tmp:
        work = Path(tmp)
        log_path = Path(tempfile.gettempdir()) / "foyer-bench-tablet.log"  # kept, to read
        page = work / "page.html"
        page.write_text(PAGE, encoding="utf-8")
        # No Internet here: the backend's weather proxy asks the tests' stand-in Open-Meteo.
        weather = FakeOpenMeteo().start()
        tablet = prepare(work, weather.url)
        try:
            with log_path.open("wb") as log:
                times = start_times(tablet, page, work, args.rounds, log)
                medians = {name: statistics.median(v) for name, v in times.items()}
                for name, value in medians.items():
                    print(
                        f"start {name:>8}: {value * 1000:6.0f} ms median of {len(times[name])}"
                        f" ({', '.join(f'{t * 1000:.0f}' for t in times[name])})"
                    )
                if args.start_only:
                    floor = medians["kiosk"] / medians["floor"]
                    chromium = medians["chromium"] / medians["kiosk"]
                    print(
                        f"tablet start: {floor:.2f}x the bare PySide6 floor (target ≤ 2), "
                        f"{chromium:.1f}x faster than Chromium (target ≥ 2.5)"
                    )
                    return 0
                idle = idle_side_by_side(tablet, page, work, args.idle, log)
                for name, figures in idle.items():
                    print(
                        f"idle  {name:>8}: CPU {figures['cpu'] * 100:5.2f} % of a core over "
                        f"{args.idle:g} s; RSS {figures['rss_mib']:5.0f} MiB, "
                        f"PSS {figures['pss_mib']:5.0f} MiB 5 s after start"
                    )
                driven = Driven(tablet, work, log)
                try:
                    frame_cpu, frame_kind = frame_idle(driven, args.idle)
                    print(
                        f"idle photo frame ({frame_kind}): CPU {frame_cpu * 100:5.2f} % "
                        f"of a core over {args.idle:g} s"
                    )
                    grown = growth(driven, tablet, args.slides, args.syncs)
                finally:
                    driven.close()
        finally:
            tablet.server.stop()
            weather.stop()
    print(
        f"memory: {grown['after_start']:.0f} MiB after start; {grown['slides_ready']:.0f} "
        f"with the slideshow ready; {grown['after_slides']:.0f} after {args.slides} "
        f"transitions; {grown['before_syncs']:.0f} → {grown['after_syncs']:.0f} over "
        f"{args.syncs} syncs with changes"
    )
    push = grown["push"]
    print(
        f"push to the home screen (POST → home refreshed): median "
        f"{statistics.median(push) * 1000:.0f} ms, max {max(push) * 1000:.0f} ms"
    )
    slide_growth = grown["after_slides"] - grown["slides_ready"]
    sync_growth = grown["after_syncs"] - grown["before_syncs"]
    print(
        f"tablet: start {medians['kiosk'] / medians['floor']:.2f}x the bare PySide6 floor "
        f"({medians['chromium'] / medians['kiosk']:.1f}x faster than Chromium), idle "
        f"{idle['kiosk']['cpu'] * 100:.2f} % of a core, RSS {idle['kiosk']['rss_mib']:.0f} MiB "
        f"after start, growth {slide_growth:+.1f} MiB / {args.slides} transitions and "
        f"{sync_growth:+.1f} MiB / {args.syncs} syncs"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
