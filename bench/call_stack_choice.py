"""Which stack for the tablet's side of a video call (docs/calls.md, "Measured"): a web engine
(QtWebEngine, Qt's Chromium) or a Python WebRTC stack (aiortc with PyAV), measured on this
machine in the same call.

    .venv/bin/python -m bench.call_stack_choice --webengine-path DIR [--seconds 30] [--runs 3]

The family's side is Debian's Chromium (Playwright, fake camera and microphone), which offers
as the console does; the tablet's side is one candidate process at a time, started at the
moment « Décrocher » would start it, offscreen at 1280×800:

- aiortc: `bench/call_stack_aiortc.py` (synthetic 640×480 camera at 30 fps and a tone; what
  it receives decoded and painted full window in Qt);
- QtWebEngine: `bench/call_stack_webengine.py`, a QWebEngineView loading an answering page
  (Chromium's fake 640×480 camera at 30 fps, the other side's video full window).

`--webengine-path` is a directory holding PySide6 *with* PySide6-Addons (QtWebEngine), put
first on the candidate's PYTHONPATH — the project's own environment never carries it, e.g.:

    pip install --target /tmp/qtwe/site --no-deps PySide6-Addons==<PySide6's version>
    mkdir /tmp/qtwe/merged && cp -r .venv/lib/python3.*/site-packages/{PySide6,shiboken6} \\
        /tmp/qtwe/merged/ && cp -rn /tmp/qtwe/site/PySide6/. /tmp/qtwe/merged/PySide6/

Measured per run: the time from the process's start to the first decoded frame on the tablet's
side and on the family's side; then, during `--seconds` of call, the tablet's CPU (user +
system over its whole process tree, in % of one core) and memory (PSS summed over the tree —
Chromium's renderer, GPU and utility processes included — and the peak); and the install size
each stack adds. Signalling is a small HTTP exchange on loopback (one offer, one answer, no
trickle), as Foyer's backend does it.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.measure import session_cpu_seconds, session_memory_kib

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
]
# What aiortc brings into the tablet's environment (constraints.txt lists them under it).
AIORTC_DISTRIBUTIONS = (
    "aiortc",
    "aioice",
    "av",
    "pylibsrtp",
    "pyee",
    "google-crc32c",
    "dnspython",
    "ifaddr",
    "pyOpenSSL",
    "cryptography",
)

_REPORT = """
function report(side, event) {
  fetch('/event', {method: 'POST', body: JSON.stringify({side: side, event: event})});
}
function gathered(pc) {
  return new Promise(function (resolve) {
    if (pc.iceGatheringState === 'complete') return resolve();
    pc.addEventListener('icegatheringstatechange', function () {
      if (pc.iceGatheringState === 'complete') resolve();
    });
  });
}
function watch(pc, side) {
  var shown = false;
  pc.addEventListener('track', function (e) {
    var v = document.getElementById('remote');
    if (v.srcObject !== e.streams[0]) v.srcObject = e.streams[0];
    if (e.track.kind === 'video' && !shown) {
      shown = true;
      v.requestVideoFrameCallback(function () { report(side, 'first_frame'); });
    }
  });
}
var CAMERA = {video: {width: 640, height: 480, frameRate: 30}, audio: true};
"""

FAMILY_PAGE = f"""<!doctype html><meta charset="utf-8"><title>family</title>
<video id="remote" autoplay playsinline muted style="width:640px"></video>
<script>{_REPORT}
(async function () {{
  var stream = await navigator.mediaDevices.getUserMedia(CAMERA);
  var pc = new RTCPeerConnection({{iceServers: []}});
  window.pc = pc;
  watch(pc, 'family');
  stream.getTracks().forEach(function (t) {{ pc.addTrack(t, stream); }});
  await pc.setLocalDescription(await pc.createOffer());
  await gathered(pc);
  var sdp = pc.localDescription.sdp;
  await fetch('/offer', {{method: 'POST', body: JSON.stringify({{sdp: sdp}})}});
  var answer = await (await fetch('/answer')).json();
  await pc.setRemoteDescription({{type: 'answer', sdp: answer.sdp}});
}})();
</script>"""

TABLET_PAGE = f"""<!doctype html><meta charset="utf-8"><title>tablet</title>
<style>html,body{{margin:0;background:#000;height:100%}}
video{{width:100vw;height:100vh;object-fit:contain}}</style>
<video id="remote" autoplay playsinline></video>
<script>{_REPORT}
(async function () {{
  var offer = fetch('/offer').then(function (r) {{ return r.json(); }});
  var stream = await navigator.mediaDevices.getUserMedia(CAMERA);
  var pc = new RTCPeerConnection({{iceServers: []}});
  watch(pc, 'tablet');
  stream.getTracks().forEach(function (t) {{ pc.addTrack(t, stream); }});
  await pc.setRemoteDescription({{type: 'offer', sdp: (await offer).sdp}});
  await pc.setLocalDescription(await pc.createAnswer());
  await gathered(pc);
  var sdp = pc.localDescription.sdp;
  await fetch('/answer', {{method: 'POST', body: JSON.stringify({{sdp: sdp}})}});
}})();
</script>"""


@dataclass
class Exchange:
    """One call's signalling: the offer, the answer, and when each side saw its first frame."""

    offer: dict[str, Any] | None = None
    answer: dict[str, Any] | None = None
    events: dict[tuple[str, str], float] = field(default_factory=dict)
    changed: threading.Condition = field(default_factory=threading.Condition)

    def put(self, name: str, value: dict[str, Any]) -> None:
        with self.changed:
            setattr(self, name, value)
            self.changed.notify_all()

    def wait_for(self, name: str, timeout: float = 60) -> dict[str, Any]:
        with self.changed:
            if not self.changed.wait_for(lambda: getattr(self, name) is not None, timeout):
                raise TimeoutError(f"no {name} within {timeout} s")
            value: dict[str, Any] = getattr(self, name)
            return value

    def record(self, side: str, event: str, at: float) -> None:
        with self.changed:
            self.events.setdefault((side, event), at)
            self.changed.notify_all()

    def wait_event(self, side: str, event: str, timeout: float = 60) -> float:
        with self.changed:
            if not self.changed.wait_for(lambda: (side, event) in self.events, timeout):
                raise TimeoutError(f"no {side} {event} within {timeout} s")
            return self.events[(side, event)]


class Signalling:
    """The loopback HTTP server: the pages, /offer, /answer (GETs wait), /event."""

    def __init__(self) -> None:
        self.exchange = Exchange()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: object) -> None:
                pass

            def _send(self, status: int, body: bytes, kind: str = "application/json") -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                if path in ("/family.html", "/tablet.html"):
                    page = FAMILY_PAGE if path == "/family.html" else TABLET_PAGE
                    self._send(200, page.encode(), "text/html; charset=utf-8")
                elif path in ("/offer", "/answer"):
                    try:
                        value = owner.exchange.wait_for(path[1:])
                    except TimeoutError:
                        self._send(504, b"{}")
                        return
                    self._send(200, json.dumps(value).encode())
                else:
                    self._send(404, b"{}")

            def do_POST(self) -> None:
                at = time.monotonic()
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                if self.path in ("/offer", "/answer"):
                    owner.exchange.put(self.path[1:], body)
                elif self.path == "/event":
                    owner.exchange.record(body["side"], body["event"], at)
                self._send(200, b"{}")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def reset(self) -> None:
        self.exchange = Exchange()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class Run:
    stack: str
    tablet_first_frame_s: float
    family_first_frame_s: float
    cpu_percent: float
    pss_mib: float
    rss_mib: float
    peak_pss_mib: float
    family_frames_decoded: int


def _candidate(stack: str, signalling: Signalling, webengine_path: Path | None) -> list[str]:
    if stack == "aiortc":
        return [sys.executable, "-m", "bench.call_stack_aiortc", "--signal", signalling.url]
    return [
        sys.executable,
        str(ROOT / "bench" / "call_stack_webengine.py"),
        "--page",
        signalling.url + "/tablet.html",
    ]


def _env(stack: str, webengine_path: Path | None) -> dict[str, str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    if stack == "webengine" and webengine_path is not None:
        env["PYTHONPATH"] = f"{webengine_path}{os.pathsep}{ROOT}"
    return env


def _read_lines(process: subprocess.Popen[str], exchange: Exchange) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if event.get("event") == "first_frame":
            exchange.record("tablet", "first_frame", float(event["at"]))


def one_call(
    browser: Any,
    signalling: Signalling,
    stack: str,
    seconds: float,
    webengine_path: Path | None,
    log_dir: Path,
) -> Run:
    signalling.reset()
    exchange = signalling.exchange
    context = browser.new_context()
    page = context.new_page()
    page.goto(signalling.url + "/family.html")
    exchange.wait_for("offer")  # the console offers when the call is placed, before the answer
    log = (log_dir / f"{stack}.log").open("a")
    started = time.monotonic()  # « Décrocher »: the kiosk starts the call process
    process = subprocess.Popen(
        _candidate(stack, signalling, webengine_path),
        env=_env(stack, webengine_path),
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
        start_new_session=True,
    )
    reader = threading.Thread(target=_read_lines, args=(process, exchange), daemon=True)
    reader.start()
    try:
        tablet_at = exchange.wait_event("tablet", "first_frame")
        family_at = exchange.wait_event("family", "first_frame")
        time.sleep(3)  # past the start: the call as it goes on
        cpu_before = session_cpu_seconds(process.pid)
        wall_before = time.monotonic()
        pss: list[int] = []
        rss: list[int] = []
        while time.monotonic() - wall_before < seconds:
            time.sleep(1)
            sample_rss, sample_pss = session_memory_kib(process.pid)
            rss.append(sample_rss)
            pss.append(sample_pss)
        cpu = session_cpu_seconds(process.pid) - cpu_before
        wall = time.monotonic() - wall_before
        frames = int(
            page.evaluate(
                """async () => { let n = 0; (await window.pc.getStats()).forEach(s => {
                     if (s.type === 'inbound-rtp' && s.kind === 'video') n += s.framesDecoded; });
                   return n; }"""
            )
        )
        return Run(
            stack=stack,
            tablet_first_frame_s=tablet_at - started,
            family_first_frame_s=family_at - started,
            cpu_percent=100 * cpu / wall,
            pss_mib=statistics.median(pss) / 1024,
            rss_mib=statistics.median(rss) / 1024,
            peak_pss_mib=max(pss) / 1024,
            family_frames_decoded=frames,
        )
    finally:
        _stop_session(process)
        reader.join(timeout=10)
        if process.stdout is not None:
            process.stdout.close()
        log.close()
        context.close()


def _stop_session(process: subprocess.Popen[str]) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _tree_mib(paths: list[Path]) -> float:
    total = 0
    for path in paths:
        if path.is_file():
            total += path.stat().st_size
        elif path.is_dir():
            total += sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    return total / 2**20


def aiortc_install_mib() -> float:
    total = 0
    for name in AIORTC_DISTRIBUTIONS:
        try:
            files = metadata.distribution(name).files or []
        except metadata.PackageNotFoundError:
            continue
        for file in files:
            located = Path(str(file.locate()))
            if located.is_file():
                total += located.stat().st_size
    return total / 2**20


def webengine_install_mib(webengine_path: Path) -> tuple[float, float]:
    """(QtWebEngine's own files, the whole PySide6-Addons wheel as installed)."""
    pyside = webengine_path / "PySide6"
    qt = pyside / "Qt"
    own = [
        *pyside.glob("QtWebEngine*"),
        *(qt / "lib").glob("libQt6WebEngine*"),
        qt / "libexec",
        qt / "resources",
        qt / "translations" / "qtwebengine_locales",
    ]
    addons = sorted(webengine_path.parent.glob("**/pyside6_addons-*.dist-info/RECORD"))
    whole = 0.0
    if addons:
        record = addons[0]
        site = record.parent.parent
        for line in record.read_text().splitlines():
            name = line.split(",")[0]
            target = site / name
            if target.is_file():
                whole += target.stat().st_size
        whole /= 2**20
    return _tree_mib(own), whole


@contextmanager
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


def run(
    stacks: list[str], runs: int, seconds: float, webengine_path: Path | None, log_dir: Path
) -> list[Run]:
    results: list[Run] = []
    signalling = Signalling()
    try:
        with chromium() as browser:
            for _ in range(runs):
                for stack in stacks:  # interleaved: a neighbour's burst hits both alike
                    results.append(
                        one_call(browser, signalling, stack, seconds, webengine_path, log_dir)
                    )
    finally:
        signalling.close()
    return results


def summary(results: list[Run]) -> dict[str, dict[str, float]]:
    by_stack: dict[str, dict[str, float]] = {}
    for stack in sorted({r.stack for r in results}):
        mine = [r for r in results if r.stack == stack]
        by_stack[stack] = {
            key: round(statistics.median(getattr(r, key) for r in mine), 2)
            for key in (
                "tablet_first_frame_s",
                "family_first_frame_s",
                "cpu_percent",
                "pss_mib",
                "rss_mib",
                "peak_pss_mib",
            )
        }
    return by_stack


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30, help="call time measured per run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--webengine-path", type=Path, help="PySide6 with PySide6-Addons")
    parser.add_argument("--stacks", default="aiortc,webengine")
    parser.add_argument("--log-dir", type=Path, default=Path(tempfile.gettempdir()))
    args = parser.parse_args(argv)
    stacks = [s for s in args.stacks.split(",") if s]
    if "webengine" in stacks and args.webengine_path is None:
        parser.error("--webengine-path is needed to measure QtWebEngine (see the docstring)")
    results = run(stacks, args.runs, args.seconds, args.webengine_path, args.log_dir)
    for result in results:
        print(json.dumps(result.__dict__))
    print(json.dumps({"median": summary(results)}, indent=2))
    sizes: dict[str, float] = {"aiortc_mib": round(aiortc_install_mib(), 1)}
    if args.webengine_path is not None:
        own, whole = webengine_install_mib(args.webengine_path)
        sizes["qtwebengine_files_mib"] = round(own, 1)
        if whole:
            sizes["pyside6_addons_wheel_mib"] = round(whole, 1)
    print(json.dumps({"install": sizes}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
