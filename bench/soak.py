"""Soak: the real tablet and a real backend for hours, everything sped up; does anything grow?

    nice -n 5 .venv/bin/python -m bench.soak [--duration 7200] [--sample 20] [--doc PATH]

Issue 19 ("Weeks alone"). Started here, on loopback, as in production but faster:

- a real `foyer-backend` process (SQLite, one care manager, one beneficiary, one paired tablet
  made in its database as `bench.backend.make_fleet` does) on a fixed port, so that it can be
  stopped and started again under the tablet's feet;
- `tests/reliability/tcp_proxy.TcpProxy` between the two: the tablet's backend URL is the
  proxy's, and the soak cuts (RST) or black-holes it;
- the real tablet app (`bench.tablet_driver`: `foyer-kiosk` unmodified plus a stdin remote
  control that is only asked how many syncs changed its state), full screen, offscreen, long-
  polling through the proxy; its stderr (the journal on a real tablet) goes to `tablet.log`.

Driven, each on its own period (the defaults compress months of a family's activity into an
hour; see `--help`): a message posted (and the oldest deleted, 20 kept); a photo uploaded
through the real API (a 1600×1200 JPEG, new pixels each time) and the oldest deleted, 12 kept,
so that the tablet's photo cache downloads and forgets; the device configuration changed
through the console's API (slideshow pace, photo frame after 1 minute, and night mode switched
on and off around the beneficiary's current hour: the tablet goes to its night screen and asks
for the screen power off, then back); the network cut or black-holed for a while; the backend
stopped with SIGTERM and started again, every third time killed with SIGKILL instead.

Kept constant on purpose: the live data (messages, photos) stays the same size, so whatever
grows is not the beneficiary's data but a leak (or a log).

Sampled every `--sample` seconds, from /proc and the disk: the tablet's RSS, PSS, open file
descriptors and threads; the same for the backend process (which restarts: its figures are
per process life); the tablet's data directory (photo cache, SQLite files and their WAL), the
backend's (SQLite and WAL, photo store) and both logs. Written to `var/soak/<stamp>/`
(samples.csv, samples.json, summary.md); the summary has a table at the start, the middle and
the end, and a verdict per metric: its growth per hour, a least-squares slope over the second
half of the run (the first half holds the warm-up: caches filling, the first photos decoded),
against the bound in `BOUNDS` (each one says why). `--doc` also writes the summary there
(docs/soak-results.md, included in docs/reliability.md by scripts/reliability_report.py).
Exit status 0 when every verdict holds, 1 otherwise.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

import requests
from PIL import Image, ImageDraw

from bench import backend as bench_backend
from bench.measure import children_of, pss_kib, status_kib
from bench.photo_pipeline import make_source
from bench.tablet import spawn_until_ready, stop
from provisioning import credentials
from tests.fake_open_meteo import FakeOpenMeteo
from tests.reliability.tcp_proxy import TcpProxy

ROOT = Path(__file__).resolve().parent.parent
API = "/api/v1"
ZONE = "Europe/Paris"  # make_fleet's beneficiaries live there
KEEP_MESSAGES = 20
KEEP_PHOTOS = 12
PHOTO_SIZE = (1600, 1200)
MIB = 1024 * 1024


@dataclass(frozen=True)
class Bound:
    """What still counts as bounded: a growth per hour (`limit` in `unit`, the slope over the
    second half of the run) or, for a `ceiling`, a size never exceeded."""

    limit: float
    unit: str
    why: str
    ceiling: bool = False


# Why these figures: one soak hour with the default periods holds ~360 messages, ~120 photos,
# ~60 configuration changes, ~12 backend restarts and ~30 network cuts, i.e. more than a month
# of a busy family's activity and more restarts and cuts than a year. A leak that costs
# something per event shows up as a slope many times larger than in real life; a bound per soak
# hour is thus a bound for about a month alone. The slope is Theil–Sen's (the median of the
# slopes between every two samples): a photo being decoded at one sample, or a socket open at
# another, moves it little, where least squares would follow them.
BOUNDS: dict[str, Bound] = {
    "tablet_rss_mib": Bound(
        8.0, "MiB/h", "≤ 8 MiB per month of events: under 100 MiB a year on a 2 GB Raspberry Pi"
    ),
    # PSS (sampled too) is not judged: it grows when other processes that shared the same
    # libraries (Qt, Python) end, as on this shared machine; USS is what the tablet alone holds.
    "tablet_uss_mib": Bound(8.0, "MiB/h", "as RSS"),
    "tablet_fds": Bound(2.0, "fds/h", "one leaked socket or file per event would be hundreds"),
    "tablet_threads": Bound(1.0, "threads/h", "one leaked thread per restart or cut would be 10+"),
    "backend_rss_mib": Bound(16.0, "MiB/h", "≤ 16 MiB per month of one tablet's events"),
    "backend_fds": Bound(2.0, "fds/h", "as the tablet's"),
    "backend_threads": Bound(1.0, "threads/h", "as the tablet's"),
    "tablet_photo_cache_mib": Bound(
        1.0, "MiB/h", "the album is 12 photos all along: the cache must not keep deleted ones"
    ),
    "tablet_sqlite_mib": Bound(
        1.0, "MiB/h", "store, outbox, photo index: same live data all along (WAL included)"
    ),
    "tablet_wal_mib": Bound(
        8.0,
        "MiB",
        "a ceiling: SQLite checkpoints at 1,000 pages (4 MiB) and then writes the WAL from its "
        "start again; beyond 8 MiB a reader would be starving the checkpoints",
        ceiling=True,
    ),
    "backend_db_mib": Bound(
        4.0, "MiB/h", "audit and sync history grow with events by design; ≤ 4 MiB a month"
    ),
    "backend_wal_mib": Bound(8.0, "MiB", "a ceiling, as the tablet's", ceiling=True),
    "backend_photo_store_mib": Bound(1.0, "MiB/h", "deleted photos' files are purged"),
    "tablet_log_mib": Bound(
        2.0, "MiB/h", "journald rotates it; ≤ 2 MiB per month of events is noise in the journal"
    ),
}


# --- the backend, on a fixed port so that it can restart under the tablet -------------------


@dataclass
class Backend:
    data_dir: Path
    database_url: str
    port: int
    open_meteo_url: str
    process: subprocess.Popen[bytes] | None = None
    log: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log = self.data_dir / "backend.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process and self.process.poll() is None else None

    def start(self) -> float:
        """Start it and wait for /healthz; seconds it took."""
        command = [sys.executable, "-m", "backend.cli", "serve", "--data", str(self.data_dir)]
        command += ["--port", str(self.port), "--workers", "1"]
        command += ["--database-url", self.database_url, "--open-meteo-url", self.open_meteo_url]
        env = {**os.environ, "FOYER_BENCH": "1", "PYTHONFAULTHANDLER": "1"}
        began = time.monotonic()
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
        while time.monotonic() - began < 60:
            if self.process.poll() is not None:
                raise RuntimeError(f"backend exited early; see {self.log}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(self.url + "/healthz", timeout=1).ok:
                    return time.monotonic() - began
            time.sleep(0.1)
        raise RuntimeError(f"backend did not start; see {self.log}")

    def stop(self, kill: bool = False) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        if kill:
            self.process.kill()
        else:
            self.process.send_signal(signal.SIGTERM)  # what systemd sends
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# --- what a family and a care manager do, through the real API -------------------------------


class Family:
    """Messages, photos and configuration, through the API as the console sends them."""

    def __init__(self, backend: Backend, email: str, beneficiary_id: int, device_id: int) -> None:
        self.backend = backend
        self.email = email
        self.beneficiary_id = beneficiary_id
        self.device_id = device_id
        self.headers: dict[str, str] = {}
        self.messages: list[int] = []
        self.photos: list[int] = []
        self.photo_number = 0
        self.config_step = 0
        self._base = Image.open(io.BytesIO(make_source(PHOTO_SIZE))).convert("RGB")

    def _call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        for attempt in range(2):
            if not self.headers:
                self.headers = bench_backend.login(self.backend.port, self.email)
            answer = requests.request(
                method, self.backend.url + path, headers=self.headers, timeout=60, **kwargs
            )
            if answer.status_code != 401 or attempt:
                return answer
            self.headers = {}  # the token expired: log in again
        raise AssertionError("unreachable")

    def message(self) -> None:
        answer = self._call(
            "POST",
            f"{API}/beneficiaries/{self.beneficiary_id}/messages",
            json={"space": "daily", "body": f"Coucou, il est {datetime.now(UTC):%H:%M:%S}."},
        )
        _expect(answer, 201)
        self.messages.append(int(answer.json()["id"]))
        while len(self.messages) > KEEP_MESSAGES:
            _expect(self._call("DELETE", f"{API}/messages/{self.messages[0]}"), 204, 404)
            self.messages.pop(0)

    def photo_bytes(self) -> bytes:
        """A new photo each time (new pixels, so new display variants on the tablet)."""
        self.photo_number += 1
        image = self._base.copy()
        draw = ImageDraw.Draw(image)
        n = self.photo_number
        colour = ((n * 53) % 256, (n * 101) % 256, (n * 29) % 256)
        draw.rectangle((40 + n % 400, 40, 640 + n % 400, 440), fill=colour)
        out = io.BytesIO()
        image.save(out, "JPEG", quality=88)
        return out.getvalue()

    def photo(self) -> None:
        files = [("files", (f"soak-{self.photo_number}.jpg", self.photo_bytes(), "image/jpeg"))]
        answer = self._call(
            "POST", f"{API}/beneficiaries/{self.beneficiary_id}/photos", files=files
        )
        _expect(answer, 201)
        self.photos.extend(int(r["photo"]["id"]) for r in answer.json() if r["photo"])
        while len(self.photos) > KEEP_PHOTOS:
            _expect(self._call("DELETE", f"{API}/photos/{self.photos[0]}"), 204, 404)
            self.photos.pop(0)

    def configure(self, document: dict[str, Any]) -> None:
        path = f"{API}/devices/{self.device_id}/config"
        current = self._call("GET", path)
        _expect(current, 200)
        body = {"document": document, "expected_version": current.json()["version"]}
        _expect(self._call("PUT", path, json=body), 200)

    def next_config(self) -> str:
        """Day A, night on, day B, night off...: what changed, for the counters."""
        step = self.config_step % 4
        self.config_step += 1
        if step in (0, 2):
            self.configure(day_config(slideshow=3 if step == 0 else 5))
            return "day"
        self.configure(night_config())
        return "night"


def day_config(slideshow: int = 3) -> dict[str, Any]:
    """No night, no mood question, the photo frame after a minute alone."""
    return {
        "mood_times": [],
        "night_start": "07:00",
        "night_end": "07:00",
        "idle_minutes": 1,
        "slideshow_seconds": slideshow,
    }


def night_config() -> dict[str, Any]:
    """Night from an hour ago to an hour from now, in the beneficiary's zone: the tablet's next
    tick shows its night screen and asks for the screen power off."""
    now = datetime.now(ZoneInfo(ZONE))
    return {
        **day_config(),
        "night_start": f"{(now - timedelta(hours=1)):%H:%M}",
        "night_end": f"{(now + timedelta(hours=1)):%H:%M}",
    }


def _expect(answer: requests.Response, *codes: int) -> None:
    if answer.status_code not in codes:
        raise RuntimeError(f"{answer.request.method} {answer.url}: {answer.status_code}")


# --- the tablet -------------------------------------------------------------------------------


class Tablet:
    def __init__(self, data_dir: Path, backend_url: str, work: Path, log: IO[bytes]) -> None:
        command = [sys.executable, "-m", "bench.tablet_driver", "--backend", backend_url]
        command += ["--data", str(data_dir)]  # full screen: the screen-power switch runs
        # The notify socket's path must fit in sun_path (108 bytes): not in a deep work folder.
        del work
        self.start_seconds, self.process = spawn_until_ready(
            command, Path(tempfile.gettempdir()), log, stdin=subprocess.PIPE
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self._in, self._out = self.process.stdin, self.process.stdout
        self.read()  # {"started": true, …}

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def read(self) -> dict[str, Any]:
        while True:
            line = self._out.readline()
            if not line:
                raise RuntimeError("the tablet exited")
            with contextlib.suppress(ValueError):
                answer: dict[str, Any] = json.loads(line)
                return answer

    def screen(self, png: Path) -> str:
        """The screen shown (night, home, photo frame…): the driver answers it with a grab."""
        self._in.write(f"grab {png}\n".encode())
        self._in.flush()
        return str(self.read()["screen"])

    def syncs_changed(self) -> int:
        self._in.write(b"syncs\n")
        self._in.flush()
        return int(self.read()["changed"])

    def close(self) -> None:
        with contextlib.suppress(OSError, ValueError):  # ValueError: closed already
            self._in.write(b"quit\n")
            self._in.flush()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)
        stop(self.process)
        for pipe in (self._in, self._out):
            with contextlib.suppress(OSError):
                pipe.close()


# --- sampling ---------------------------------------------------------------------------------


def uss_kib(pid: int) -> int:
    """Unique set size: the pages only this process holds (private clean + dirty). Unlike PSS,
    it does not move when other processes sharing its libraries start or end."""
    total = 0
    with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
        for line in rollup:
            if line.startswith(("Private_Clean:", "Private_Dirty:")):
                total += int(line.split()[1])
    return total


def process_figures(pid: int | None, prefix: str, pss: bool) -> dict[str, float]:
    found: dict[str, float] = {}
    if pid is None:
        return found
    try:
        pids = [pid, *children_of(pid)]
        found[f"{prefix}_rss_mib"] = sum(status_kib("VmRSS", p) for p in pids) / 1024
        if pss:
            found[f"{prefix}_pss_mib"] = sum(pss_kib(p) for p in pids) / 1024
            found[f"{prefix}_uss_mib"] = sum(uss_kib(p) for p in pids) / 1024
        found[f"{prefix}_fds"] = sum(len(os.listdir(f"/proc/{p}/fd")) for p in pids)
        found[f"{prefix}_threads"] = sum(status_kib("Threads", p) for p in pids)
    except (FileNotFoundError, ProcessLookupError, LookupError):
        return {}  # it exited between two reads: no figures rather than half of them
    return found


def disk_figures(root: Path, prefix: str, photo_dir: str) -> dict[str, float]:
    """Bytes under `root`, by kind: photos (under `photo_dir`), SQLite files and their WAL."""
    total = photos = sqlite = wal = db = 0
    photo_files = 0
    for path in root.rglob("*"):
        try:
            if not path.is_file():
                continue
            size = path.stat().st_size
        except OSError:
            continue  # removed while we walked
        total += size
        relative = path.relative_to(root).parts
        name = path.name
        if name.endswith((".sqlite3", ".sqlite3-wal", ".sqlite3-shm", ".db", ".db-wal")):
            sqlite += size
            if name.endswith("-wal"):
                wal += size
            elif name.endswith((".sqlite3", ".db")):
                db += size  # the database files themselves: what checkpoints write into
        elif relative[0] == photo_dir:
            photos += size
            photo_files += 1
    kind = "cache" if prefix == "tablet" else "store"
    return {
        f"{prefix}_disk_mib": total / MIB,
        f"{prefix}_photo_{kind}_mib": photos / MIB,
        f"{prefix}_photo_{kind}_files": photo_files,
        f"{prefix}_sqlite_mib": sqlite / MIB,
        f"{prefix}_wal_mib": wal / MIB,
        f"{prefix}_db_mib": db / MIB,
    }


# Figures of the backend process: when it restarts every few minutes, its memory in each life
# is mostly warm-up (caches, the first requests); a leak needs a long life to be told from it.
# With restarts, they are shown but judged only if its lives last LONG_LIFE seconds or more
# (`--restart 100000`: one life, the run `bench.soak` makes for them).
PER_LIFE = ("backend_rss_mib", "backend_fds", "backend_threads")
LONG_LIFE = 1200.0


def theil_sen_per_hour(points: list[tuple[float, float]]) -> float:
    """The median of the slopes between every two (seconds, value) points, per hour."""
    slopes = [
        (v2 - v1) / (t2 - t1)
        for i, (t1, v1) in enumerate(points)
        for t2, v2 in points[i + 1 :]
        if t2 > t1
    ]
    return statistics.median(slopes) * 3600 if slopes else 0.0


def _value(sample: dict[str, Any], metric: str) -> float | None:
    if metric in sample:
        return float(sample[metric])
    if metric == "backend_db_mib" and "backend_sqlite_mib" in sample:
        # Runs before backend_db_mib was sampled: the files less the WAL (and its 32 KiB index).
        return float(sample["backend_sqlite_mib"]) - float(sample["backend_wal_mib"]) - 1 / 32
    return None


def life_lengths(samples: list[dict[str, Any]]) -> list[float]:
    lives: dict[int, list[float]] = {}
    for s in samples:
        if s.get("backend_pid"):
            lives.setdefault(int(s["backend_pid"]), []).append(s["t"])
    return [times[-1] - times[0] for times in lives.values()]


def verdicts(samples: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per bounded metric: start, middle, end, max, second-half slope, holds or not (None: not
    judged in this run)."""
    if not samples:
        return []
    end_t = samples[-1]["t"]
    half = [s for s in samples if s["t"] >= end_t / 2]
    middle = min(samples, key=lambda s: abs(s["t"] - end_t / 2))
    lives = life_lengths(samples)
    short_lives = len(lives) > 1 and statistics.median(lives) < LONG_LIFE
    out = []
    for metric, bound in BOUNDS.items():
        points = [(s["t"], v) for s in half if (v := _value(s, metric)) is not None]
        every = [v for s in samples if (v := _value(s, metric)) is not None]
        if len(points) < 3:
            continue
        slope = theil_sen_per_hour(points)
        holds: bool | None
        if bound.ceiling:
            holds = max(every) <= bound.limit
            how = "the largest size seen"
        elif metric in PER_LIFE and short_lives:
            holds = None
            how = (
                f"not judged: {len(lives)} process lives of {statistics.median(lives) / 60:.0f} "
                "min (median), mostly warm-up"
            )
        else:
            holds = slope <= bound.limit
            how = "Theil–Sen slope over the second half"
        middle_value = _value(middle, metric)
        out.append(
            {
                "metric": metric,
                "start": every[0],
                "middle": middle_value if middle_value is not None else every[len(every) // 2],
                "end": every[-1],
                "max": max(every),
                "slope_per_hour": slope,
                "how": how,
                "limit": bound.limit,
                "unit": bound.unit,
                "ceiling": bound.ceiling,
                "why": bound.why,
                "holds": holds,
            }
        )
    return out


# --- the run ----------------------------------------------------------------------------------


@dataclass
class Periods:
    message: float
    photo: float
    config: float
    cut: float
    cut_length: float
    restart: float
    sample: float


@dataclass
class Counters:
    messages: int = 0
    photos: int = 0
    configs: int = 0
    nights: int = 0
    cuts: int = 0
    blackholes: int = 0
    restarts: int = 0
    kills: int = 0
    api_errors: int = 0
    tablet_restarts: int = 0
    errors: list[str] = field(default_factory=list)

    def error(self, what: str, exc: BaseException) -> None:
        self.api_errors += 1
        if len(self.errors) < 50:
            self.errors.append(f"{datetime.now(UTC):%H:%M:%S} {what}: {exc}")


def run(args: argparse.Namespace) -> int:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    work = (args.out or ROOT / "var" / "soak") / stamp
    work.mkdir(parents=True)

    def interrupted(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt(signal.Signals(signum).name)

    # Stopped early (SIGTERM, or SIGINT, which a shell's background job ignores otherwise):
    # everything started is stopped and the samples so far are summed up.
    previous = {sig: signal.signal(sig, interrupted) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        with contextlib.ExitStack() as stack:  # whatever was started is stopped, even on a failure
            return soak(args, stamp, work, stack)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def soak(args: argparse.Namespace, stamp: str, work: Path, stack: contextlib.ExitStack) -> int:
    backend_dir, tablet_dir = work / "backend", work / "tablet"
    tablet_dir.mkdir()
    database_url = f"sqlite:///{backend_dir / 'foyer.sqlite3'}"
    bench_backend.migrate(backend_dir, database_url)
    fleet = bench_backend.make_fleet(database_url, 1)
    weather = FakeOpenMeteo().start()
    stack.callback(weather.stop)
    backend = Backend(backend_dir, database_url, bench_backend.free_port(), weather.url)
    stack.callback(backend.stop)
    backend.start()
    proxy = TcpProxy(("127.0.0.1", backend.port))
    stack.callback(proxy.close)
    family = Family(
        backend, fleet.care_manager_email, fleet.beneficiary_ids[0], fleet.device_ids[0]
    )
    family.configure(day_config())
    for _ in range(KEEP_PHOTOS // 2):
        family.photo()
    for _ in range(KEEP_MESSAGES // 2):
        family.message()
    credentials.save(
        tablet_dir,
        credentials.DeviceCredential(
            proxy.url, fleet.device_ids[0], fleet.beneficiary_ids[0], fleet.credentials[0]
        ),
    )
    tablet_log_path = work / "tablet.log"  # the journal stand-in
    tablet_log = stack.enter_context(tablet_log_path.open("ab"))
    tablet = Tablet(tablet_dir, proxy.url, work, tablet_log)
    stack.callback(lambda: tablet.close())  # the tablet of the moment (it may be restarted)
    counters = Counters()
    periods = Periods(
        args.message, args.photo, args.config, args.cut, args.cut_length, args.restart, args.sample
    )
    rng = random.Random(19)
    samples: list[dict[str, Any]] = []
    began = time.monotonic()
    print(f"soak: {args.duration:g} s, work in {work}", flush=True)

    def sample() -> None:
        nonlocal tablet
        if not tablet.alive():
            # Not expected: say so loudly, start it again so that the soak goes on.
            counters.tablet_restarts += 1
            counters.errors.append(f"tablet exited with {tablet.process.returncode}")
            tablet.close()
            tablet = Tablet(tablet_dir, proxy.url, work, tablet_log)
        row: dict[str, Any] = {"t": round(time.monotonic() - began, 1)}
        row |= process_figures(tablet.pid, "tablet", pss=True)
        row |= process_figures(backend.pid, "backend", pss=False)
        row["backend_pid"] = backend.pid or 0
        row |= disk_figures(tablet_dir, "tablet", "photos")
        row |= disk_figures(backend_dir, "backend", "photos")
        row["tablet_log_mib"] = tablet_log_path.stat().st_size / MIB
        row["backend_log_mib"] = backend.log.stat().st_size / MIB
        try:
            row["tablet_syncs_changed"] = tablet.syncs_changed()
            row["screen"] = tablet.screen(work / "screen.png")
        except (OSError, RuntimeError) as exc:
            counters.errors.append(f"tablet driver: {exc}")
        row |= {k: v for k, v in vars(counters).items() if isinstance(v, int)}
        samples.append(row)
        if len(samples) % 10 == 1:
            print(_line(row), flush=True)
            # Kept as it goes: a run cut short still has its samples (`--report` renders them).
            partial = {"started": stamp, "counters": vars(counters), "samples": samples}
            (work / "samples.json").write_text(json.dumps(partial))

    def cut() -> None:
        if rng.random() < 0.5:
            proxy.cut()
            counters.cuts += 1
        else:
            proxy.blackhole()
            counters.blackholes += 1
        time.sleep(periods.cut_length)
        proxy.resume()

    def restart() -> None:
        kill = (counters.restarts + counters.kills) % 3 == 2
        backend.stop(kill=kill)
        if kill:
            counters.kills += 1
        else:
            counters.restarts += 1
        time.sleep(rng.uniform(1, 5))  # down for a moment, as when systemd restarts it
        backend.start()

    def configure() -> None:
        if family.next_config() == "night":
            counters.nights += 1
        counters.configs += 1

    def message() -> None:
        family.message()
        counters.messages += 1

    def photo() -> None:
        family.photo()
        counters.photos += 1

    actions: list[tuple[str, float, Callable[[], None]]] = [
        ("sample", periods.sample, sample),
        ("message", periods.message, message),
        ("photo", periods.photo, photo),
        ("config", periods.config, configure),
        ("cut", periods.cut, cut),
        ("restart", periods.restart, restart),
    ]
    due = {name: began + (0 if name == "sample" else period) for name, period, _ in actions}
    status = 0
    try:
        while time.monotonic() - began < args.duration:
            for name, period, action in actions:
                if time.monotonic() < due[name]:
                    continue
                due[name] = time.monotonic() + period * (
                    1 if name == "sample" else rng.uniform(0.7, 1.3)
                )
                try:
                    action()
                except (OSError, RuntimeError, requests.RequestException, ValueError) as exc:
                    counters.error(name, exc)
            time.sleep(0.2)
        sample()
    except KeyboardInterrupt as stopped:
        print(f"soak stopped early ({stopped})", flush=True)
    finally:
        tablet.close()
        proxy.close()
        backend.stop()
        results = {
            "started": stamp,
            "configs_applied": configs_applied(tablet_log_path),
            "asked_s": args.duration,
            "duration_s": samples[-1]["t"] if samples else 0,
            "periods": vars(periods),
            "counters": vars(counters),
            "verdicts": verdicts(samples),
            "samples": samples,
        }
        (work / "samples.json").write_text(json.dumps(results, indent=1))
        write_csv(work / "samples.csv", samples)
        summary = render_summary(results)
        (work / "summary.md").write_text(summary)
        if args.doc:
            args.doc.write_text(summary)
        print(summary)
        if any(v["holds"] is False for v in results["verdicts"]) or counters.tablet_restarts:
            status = 1
    return status


def _line(row: dict[str, Any]) -> str:
    return (
        f"t={row['t']:7.0f}s tablet RSS {row.get('tablet_rss_mib', 0):6.1f} MiB "
        f"fds {row.get('tablet_fds', 0):3.0f} thr {row.get('tablet_threads', 0):3.0f} | "
        f"backend RSS {row.get('backend_rss_mib', 0):6.1f} MiB fds "
        f"{row.get('backend_fds', 0):3.0f} | cache {row.get('tablet_photo_cache_mib', 0):5.1f} "
        f"MiB | msgs {row['messages']} photos {row['photos']} cfg {row['configs']} "
        f"cuts {row['cuts'] + row['blackholes']} restarts {row['restarts'] + row['kills']} "
        f"errors {row['api_errors']}"
    )


def screens_seen(samples: list[dict[str, Any]]) -> str:
    """How many samples found each screen shown (night: the night mode really came)."""
    counts: dict[str, int] = {}
    for row in samples:
        if "screen" in row:
            counts[row["screen"]] = counts.get(row["screen"], 0) + 1
    if not counts:
        return "screens not sampled in this run"
    return "screen at the samples: " + ", ".join(
        f"{name} {n}" for name, n in sorted(counts.items(), key=lambda kv: -kv[1])
    )


def configs_applied(log: Path) -> int:
    try:
        text = log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return 0
    return sum(1 for line in text.splitlines() if "configuration version" in line)


def write_csv(path: Path, samples: list[dict[str, Any]]) -> None:
    names: list[str] = []
    for row in samples:
        names += [k for k in row if k not in names]
    with path.open("w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=names)
        writer.writeheader()
        writer.writerows(samples)


def render_summary(results: dict[str, Any]) -> str:
    c = results["counters"]
    p = results["periods"]
    minutes = results["duration_s"] / 60
    asked = results.get("asked_s", results["duration_s"])
    lines = [
        f"Run of {results['started']}: {minutes:.0f} minutes"
        + (f" (asked: {asked / 60:.0f})" if abs(asked - results["duration_s"]) > 120 else "")
        + f", {len(results['samples'])} samples every {p['sample']:g} s. Periods (each "
        f"drawn ±30 %): a message every {p['message']:g} s, a photo every {p['photo']:g} s, a "
        f"configuration change every {p['config']:g} s, a network cut every {p['cut']:g} s, a "
        f"backend restart every {p['restart']:g} s.",
        "",
        f"Driven: {c['messages']} messages, {c['photos']} photos uploaded (and as many of the "
        f"oldest deleted once {KEEP_MESSAGES} messages and {KEEP_PHOTOS} photos were live), "
        f"{c['configs']} configuration changes ({c['nights']} into night mode with the screen "
        f"power off and as many out), {c['cuts']} network cuts and {c['blackholes']} "
        f"black-holes of {p['cut_length']:g} s, {c['restarts']} backend restarts (SIGTERM) and "
        f"{c['kills']} SIGKILLs. API calls that failed (backend down or restarting): "
        f"{c['api_errors']}. Tablet process restarts needed: {c['tablet_restarts']}.",
        "",
        f"Seen on the tablet: {screens_seen(results['samples'])}; configuration versions "
        f"applied (its log): {results.get('configs_applied', '?')}.",
        "",
        "| metric | start | middle | end | max | growth, 2nd half | bound | verdict |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for v in results["verdicts"]:
        unit = v["unit"] if not v["ceiling"] else f"{v['unit']}/h"
        bound = f"max ≤ {v['limit']:g} {v['unit']}" if v["ceiling"] else f"≤ {v['limit']:g} {unit}"
        verdict = {True: "holds", False: "GROWS", None: "not judged¹"}[v["holds"]]
        lines.append(
            f"| {v['metric']} | {v['start']:.1f} | {v['middle']:.1f} | {v['end']:.1f} "
            f"| {v['max']:.1f} | {v['slope_per_hour']:+.2f} {unit} | {bound} | {verdict} |"
        )
    judged_not = [v for v in results["verdicts"] if v["holds"] is None]
    lines += [
        "",
        "Growth: Theil–Sen's slope (the median of the slopes between every two samples) over "
        "the second half of the run, the first half being warm-up (caches filling, the first "
        "photos decoded). Values in MiB, file descriptors, threads. The tablet's PSS "
        "(in samples.csv) is not judged: it grows whenever other processes sharing its "
        "libraries end, as on a shared machine; its USS (pages it alone holds) is."
        + (f" ¹ {judged_not[0]['how']}." if judged_not else ""),
        "",
        "Bounds (per soak hour, which holds about a month of events):",
        "",
    ]
    lines += [f"- {v['metric']}: {v['why']}." for v in results["verdicts"]]
    if c["errors"]:
        lines += ["", "First errors seen (API calls while the backend was down are expected):", ""]
        lines += [f"- `{e}`" for e in c["errors"][:10]]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.soak", description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=7200, help="seconds (default 7200)")
    parser.add_argument("--sample", type=float, default=20, help="seconds between samples")
    parser.add_argument("--message", type=float, default=10, help="seconds between messages")
    parser.add_argument("--photo", type=float, default=30, help="seconds between photos")
    parser.add_argument("--config", type=float, default=60, help="seconds between config changes")
    parser.add_argument("--cut", type=float, default=120, help="seconds between network cuts")
    parser.add_argument("--cut-length", type=float, default=15, help="seconds a cut lasts")
    parser.add_argument("--restart", type=float, default=300, help="seconds between restarts")
    parser.add_argument("--out", type=Path, help="where the run's folder goes (var/soak)")
    parser.add_argument("--doc", type=Path, help="also write the summary there (markdown)")
    parser.add_argument(
        "--report",
        type=Path,
        nargs="+",
        help="no run: render these runs' samples.json again (to --doc too, one after the other)",
    )
    args = parser.parse_args(argv)
    if args.report:
        return report(args)
    return run(args)


def report(args: argparse.Namespace) -> int:
    """The summaries of runs already made (or cut short: their samples are saved as they go)."""
    parts, status = [], 0
    for path in args.report:
        results = json.loads(path.read_text())
        samples = results["samples"]
        defaults = Periods(10, 30, 60, 120, 15, 300, 20)
        results.setdefault("periods", vars(defaults))
        results["duration_s"] = samples[-1]["t"] if samples else 0
        results.setdefault("asked_s", results["duration_s"])
        results["verdicts"] = verdicts(samples)
        results.setdefault("configs_applied", configs_applied(path.parent / "tablet.log"))
        c = results["counters"]
        lives = c["restarts"] + c["kills"] + 1
        title = (
            f"### {results['duration_s'] / 60:.0f} minutes, the backend restarted {lives - 1} times"
            if lives > 1
            else f"### {results['duration_s'] / 60:.0f} minutes, one backend life"
        )
        parts.append(title + "\n\n" + render_summary(results))
        if any(v["holds"] is False for v in results["verdicts"]):
            status = 1
    text = "\n".join(parts)
    if args.doc:
        args.doc.write_text(text)
    print(text)
    return status


if __name__ == "__main__":
    sys.exit(main())
