"""A video call on the tablet: from « Décrocher » to video, and what the call costs.

    .venv/bin/python -m bench.call_start [--rounds 3] [--seconds 60] [--idle 30]

A real backend process (SQLite) with Jeanne's circle (tests/browser/site.py), a tablet paired
over HTTP, and the real kiosk (`kiosk.cli`, offscreen at 1280×800) running on it. Sophie calls
from Debian's Chromium (call.js, Chromium's fake camera and microphone); the tablet rings; at
« Décrocher » the kiosk starts the call process, which this benchmark does itself, unmodified
(`python -m kiosk.call --answer ID --fake-media --stats FILE`, offscreen), so that its start is
timed from the spawn.

- Time to video, each round: from the spawn to the first frame decoded by the call process
  (its `--stats` `first_frame_at`, counted from its own start) and to the first frame the
  family's page presents (`requestVideoFrameCallback` on its remote video, wall clock).
- Cost, first round: the idle kiosk alone for `--idle` seconds (CPU in % of one core over its
  process tree, RSS and PSS), then the `--seconds`-long call: the kiosk and the call process,
  measured the same way. Ratios: the tablet during the call (kiosk + call process) over the
  idle kiosk.

The last line is the summary as JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from bench.measure import session_cpu_seconds, session_memory_kib
from bench.tablet import _env, stop
from provisioning import credentials
from tests.browser.site import CHROMIUM, CHROMIUM_ARGS, PASSWORD, Site, seed, start

API = "/api/v1"
GRANT = "urn:ietf:params:oauth:grant-type:device_code"
CALL_ARGS = [
    *CHROMIUM_ARGS,
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
]
# The page's first presented remote frame, on the wall clock (ms since the epoch).
FIRST_FRAME_HOOK = """() => {
  const video = document.getElementById('remote-video');
  window.__firstFrame = null;
  video.requestVideoFrameCallback(() => {
    window.__firstFrame = performance.timeOrigin + performance.now();
  });
}"""


def pair(site: Site, data_dir: Path) -> None:
    """The RFC 8628 flow over HTTP; the credential where the kiosk and the call process read it."""
    grant = requests.post(
        site.url + API + "/device/authorize", data={"client_id": "foyer-kiosk"}, timeout=10
    ).json()
    site.api(
        "POST",
        "/devices/approve",
        site.care_manager,
        json={"user_code": grant["user_code"], "beneficiary_id": site.jeanne_id},
    )
    body = requests.post(
        site.url + API + "/device/token",
        data={"grant_type": GRANT, "device_code": grant["device_code"], "client_id": "foyer-kiosk"},
        timeout=10,
    ).json()
    credentials.save(
        data_dir,
        credentials.DeviceCredential(
            site.url, int(body["device_id"]), site.jeanne_id, body["access_token"]
        ),
    )


def sign_in(context: Any, url: str, email: str) -> None:
    page = context.new_page()
    page.goto(url + "/login")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()
    page.close()


def approve(context: Any, url: str, beneficiary_id: int, user_id: int) -> None:
    """The care manager's form: Sophie may call, rung (no auto-answer: the bench answers)."""
    page = context.new_page()
    page.goto(f"{url}/b/{beneficiary_id}/calls")
    csrf = page.locator('meta[name="csrf-token"]').get_attribute("content") or ""
    answer = context.request.post(
        f"{url}/b/{beneficiary_id}/callers",
        form={"csrf": csrf, "user_id": str(user_id), "auto_answer": ""},
        max_redirects=0,
    )
    if answer.status != 303:
        raise RuntimeError(f"approving the caller: {answer.status} {answer.text()}")
    page.close()


@dataclass
class Cost:
    cpu_percent: float
    rss_mib: float
    pss_mib: float


@dataclass
class Round:
    tablet_first_frame_s: float
    family_first_frame_s: float
    kiosk: Cost | None = None
    call: Cost | None = None
    stats: dict[str, Any] = field(default_factory=dict)


def measure(pids: list[int], seconds: float) -> list[Cost]:
    """CPU over `seconds` and median memory (sampled each second) of each process's session."""
    cpu_before = [session_cpu_seconds(pid) for pid in pids]
    started = time.monotonic()
    samples: list[list[tuple[int, int]]] = [[] for _ in pids]
    while time.monotonic() - started < seconds:
        time.sleep(min(1.0, max(0.05, seconds - (time.monotonic() - started))))
        for i, pid in enumerate(pids):
            samples[i].append(session_memory_kib(pid))
    wall = time.monotonic() - started
    return [
        Cost(
            cpu_percent=100 * (session_cpu_seconds(pid) - cpu_before[i]) / wall,
            rss_mib=statistics.median(s[0] for s in samples[i]) / 1024,
            pss_mib=statistics.median(s[1] for s in samples[i]) / 1024,
        )
        for i, pid in enumerate(pids)
    ]


@contextlib.contextmanager
def kiosk(site: Site, data_dir: Path, log: Any) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "kiosk.cli", "--backend", site.url, "--data", str(data_dir),
         "--windowed", "--size", "1280x800"],
        env=_env(),
        stdout=log,
        stderr=log,
        start_new_session=True,
    )  # fmt: skip
    try:
        yield process
    finally:
        stop(process)


def wait_for(check: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.02)
    raise TimeoutError(what)


def one_call(
    site: Site,
    context: Any,
    data_dir: Path,
    work: Path,
    log: Any,
    kiosk_pid: int | None,
    seconds: float,
) -> Round:
    page = context.new_page()
    page.goto(f"{site.url}/b/{site.jeanne_id}/call")
    wait_for(
        lambda: page.evaluate("() => window.foyerCall && window.foyerCall.state") == "ringing",
        30,
        "the page ringing",
    )
    call_id = int(page.evaluate("() => window.foyerCall.callId"))
    page.evaluate(FIRST_FRAME_HOOK)
    stats_path = work / f"call-{call_id}.json"
    spawned = time.time()  # « Décrocher »
    process = subprocess.Popen(
        [sys.executable, "-m", "kiosk.call", "--backend", site.url, "--data", str(data_dir),
         "--answer", str(call_id), "--fake-media", "--stats", str(stats_path)],
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
        start_new_session=True,
    )  # fmt: skip
    lines: list[str] = []
    assert process.stdout is not None
    reader = threading.Thread(target=lambda: lines.extend(process.stdout or ()), daemon=True)
    reader.start()
    try:
        family_ms = wait_for(
            lambda: page.evaluate("() => window.__firstFrame"), 60, "the family's first frame"
        )
        wait_for(lambda: any('"connected"' in line for line in lines), 60, "the tablet connected")
        costs: list[Cost] = []
        if seconds > 0 and kiosk_pid is not None:
            costs = measure([kiosk_pid, process.pid], seconds)
        page.locator("#hangup").click()
        process.wait(timeout=30)
        reader.join(timeout=10)
        stats: dict[str, Any] = json.loads(stats_path.read_text())
    finally:
        stop(process)
        reader.join(timeout=10)
        process.stdout.close()
        page.close()
    found = Round(
        tablet_first_frame_s=float(stats["first_frame_at"]),
        family_first_frame_s=family_ms / 1000 - spawned,
        stats=stats,
    )
    if costs:
        found.kiosk, found.call = costs
    return found


def run(rounds: int, seconds: float, idle: float, work: Path, settle: float = 10) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    log = (work / "bench.log").open("ab")
    backend = start(work / "backend")
    try:
        site = seed(backend)
        data_dir = work / "tablet"
        pair(site, data_dir)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CALL_ARGS, headless=True
            )
            try:
                claire = browser.new_context()
                sign_in(claire, site.url, site.care_manager.email)
                approve(claire, site.url, site.jeanne_id, site.daughter.id)
                claire.close()
                sophie = browser.new_context()
                sign_in(sophie, site.url, site.daughter.email)
                with kiosk(site, data_dir, log) as tablet:
                    time.sleep(settle)  # started, synced, settled on its home screen
                    (idle_cost,) = measure([tablet.pid], idle)
                    results = [
                        one_call(
                            site,
                            sophie,
                            data_dir,
                            work,
                            log,
                            tablet.pid,
                            seconds if number == 0 else 0,
                        )
                        for number in range(rounds)
                    ]
                sophie.close()
            finally:
                browser.close()
    finally:
        backend.stop(patience=1)
        log.close()
    first = results[0]
    assert first.kiosk is not None and first.call is not None
    during_cpu = first.kiosk.cpu_percent + first.call.cpu_percent
    during_rss = first.kiosk.rss_mib + first.call.rss_mib
    during_pss = first.kiosk.pss_mib + first.call.pss_mib
    return {
        "rounds": rounds,
        "call_seconds": seconds,
        "tablet_first_frame_s": [round(r.tablet_first_frame_s, 3) for r in results],
        "family_first_frame_s": [round(r.family_first_frame_s, 3) for r in results],
        "median_tablet_first_frame_s": round(
            statistics.median(r.tablet_first_frame_s for r in results), 3
        ),
        "median_family_first_frame_s": round(
            statistics.median(r.family_first_frame_s for r in results), 3
        ),
        "idle_kiosk": idle_cost.__dict__,
        "during_call_kiosk": first.kiosk.__dict__,
        "during_call_process": first.call.__dict__,
        "frames_decoded_by_tablet": first.stats.get("frames_decoded"),
        "frames_sent_by_tablet": first.stats.get("frames_sent"),
        "cpu_ratio": round(during_cpu / max(idle_cost.cpu_percent, 0.01), 1),
        "rss_ratio": round(during_rss / idle_cost.rss_mib, 2),
        "pss_ratio": round(during_pss / idle_cost.pss_mib, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="calls timed to first video")
    parser.add_argument("--seconds", type=float, default=60, help="the measured call's length")
    parser.add_argument("--idle", type=float, default=30, help="the idle kiosk's measure")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="foyer-bench-call-") as tmp:
        summary = run(args.rounds, args.seconds, args.idle, Path(tmp))
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
