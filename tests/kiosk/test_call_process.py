"""The tablet's call process (`python -m kiosk.call`, docs/calls.md) for real: a backend
process on loopback, the process offscreen with its fake camera and microphone, and the
console's side played by an aiortc peer in this test, signed in to the console as a browser
is (session cookie, CSRF header) and always the SDP offerer, as call.js is.

Both sides reach "connected", frames are decoded on each side (the process's statistics, the
peer's tracks), audio arrives; hanging up on either side ends both with the right outcome and
sentence; the console vanishing (its network cut) ends the process with the network sentence;
a call cancelled before the answer says so; a call placed from the tablet rings until the
console answers; an unapproved person cannot be called.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.contrib.media import MediaPlayer
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from provisioning import credentials
from tests.kiosk.paired_backend import Paired, paired_backend

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')
RECOVER_SECONDS = 3  # instead of 15: the network test waits this long for the line to return
PATIENCE = 30.0  # seconds any awaited event may take on a loaded two-core machine


# -- the console: a signed-in browser's HTTP side ----------------------------------------------
@dataclass
class Console:
    url: str
    http: requests.Session
    csrf: str

    @classmethod
    def sign_in(cls, url: str, email: str, password: str = "correct horse 1") -> Console:
        http = requests.Session()
        page = http.get(url + "/login", timeout=10)
        token = CSRF.search(page.text)
        assert token, page.text[:500]
        signed = http.post(
            url + "/login",
            data={"csrf": token.group(1), "email": email, "password": password, "next": "/"},
            timeout=10,
            allow_redirects=False,
        )
        assert signed.status_code == 303, signed.text[:500]
        home = http.get(url + "/", timeout=10)
        token = CSRF.search(home.text)
        assert token, home.text[:500]
        return cls(url, http, token.group(1))

    def form(self, path: str, data: dict[str, str]) -> requests.Response:
        return self.http.post(
            self.url + path, data={"csrf": self.csrf, **data}, timeout=10, allow_redirects=False
        )

    def post(self, path: str, body: dict[str, Any] | None = None) -> requests.Response:
        return self.http.post(
            self.url + path, json=body or {}, headers={"X-CSRF-Token": self.csrf}, timeout=10
        )

    def signals(self, call_id: int, after: int, wait: float) -> dict[str, Any]:
        answer = self.http.get(
            f"{self.url}/calls/{call_id}/signals",
            params={"after": after, "wait": wait},
            timeout=wait + 15,
        )
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body

    def wait_for_state(self, call_id: int, state: str) -> dict[str, Any]:
        deadline = time.monotonic() + PATIENCE
        while time.monotonic() < deadline:
            call: dict[str, Any] = self.signals(call_id, 10**9, 5)["call"]
            if call["state"] == state:
                return call
        raise AssertionError(f"call {call_id} never {state}")


# -- the console's WebRTC side, as call.js does it (aiortc instead of Chromium) -----------------
@dataclass
class ConsolePeer:
    """Offers with a test pattern and a tone, waits for the tablet's answer (no trickle),
    counts what it decodes. Its asyncio loop runs in a thread of its own."""

    console: Console
    call_id: int
    video_frames: int = 0
    audio_frames: int = 0
    states: list[str] = field(default_factory=list)
    loop: asyncio.AbstractEventLoop = field(default_factory=asyncio.new_event_loop)
    pc: RTCPeerConnection | None = None
    players: list[MediaPlayer] = field(default_factory=list)
    tasks: list[asyncio.Future[None]] = field(default_factory=list)
    vanished: bool = False

    def __post_init__(self) -> None:
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()

    def run(self, coroutine: Any, timeout: float = PATIENCE) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def offer(self) -> None:
        self.run(self._offer())

    async def _offer(self) -> None:
        pc = self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        video = MediaPlayer("testsrc2=size=320x240:rate=15", format="lavfi")
        audio = MediaPlayer("sine=frequency=660:sample_rate=48000", format="lavfi")
        self.players = [video, audio]
        assert video.video is not None and audio.audio is not None
        pc.addTrack(audio.audio)
        pc.addTrack(video.video)

        @pc.on("connectionstatechange")
        def changed() -> None:
            self.states.append(pc.connectionState)

        @pc.on("track")
        def track(track: MediaStreamTrack) -> None:
            self.tasks.append(asyncio.ensure_future(self._count(track)))

        await pc.setLocalDescription(await pc.createOffer())
        posted = await asyncio.to_thread(
            self.console.post,
            f"/calls/{self.call_id}/signals",
            {"kind": "offer", "sdp": pc.localDescription.sdp},
        )
        assert posted.status_code == 201, posted.text
        after = 0
        deadline = time.monotonic() + PATIENCE
        while time.monotonic() < deadline:
            body = await asyncio.to_thread(self.console.signals, self.call_id, after, 10)
            after = body["last"] or after
            for sig in body["signals"]:
                if sig["kind"] == "answer":
                    assert sig["sender"] == "tablet"
                    await pc.setRemoteDescription(RTCSessionDescription(sig["sdp"], "answer"))
                    return
        raise AssertionError("the tablet never answered the offer")

    async def _count(self, track: MediaStreamTrack) -> None:
        while True:
            try:
                await track.recv()
            except MediaStreamError:
                return
            if track.kind == "video":
                self.video_frames += 1
            else:
                self.audio_frames += 1

    def vanish(self) -> None:
        """The console's network gone: its sockets closed, nothing said to anyone."""

        def cut() -> None:
            assert self.pc is not None
            for transceiver in self.pc.getTransceivers():
                ice = transceiver.receiver.transport.transport
                for protocol in ice._connection._protocols:
                    protocol.transport.close()

        self.vanished = True
        self.loop.call_soon_threadsafe(cut)

    def drop_outgoing(self, dropping: bool) -> None:
        """A network blip: what the console sends is lost (or, again, delivered)."""

        def switch() -> None:
            assert self.pc is not None
            for transceiver in self.pc.getTransceivers():
                ice = transceiver.receiver.transport.transport
                for protocol in ice._connection._protocols:
                    transport = protocol.transport
                    if dropping:
                        vars(transport)["sendto"] = lambda *_args, **_kwargs: None
                    else:
                        vars(transport).pop("sendto", None)  # the class's own again

        self.loop.call_soon_threadsafe(switch)

    def close(self) -> None:
        async def stop() -> None:
            for task in self.tasks:
                task.cancel()
            if self.pc is not None and not self.vanished:  # a vanished browser says nothing
                await self.pc.close()
            for player in self.players:
                for track in (player.audio, player.video):
                    if track is not None:
                        track.stop()

        try:
            self.run(stop(), timeout=10)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(timeout=5)
            self.loop.close()


# -- the tablet's call process ---------------------------------------------------------------------
@dataclass
class CallProcess:
    process: subprocess.Popen[str]
    stats_path: Path
    events: list[dict[str, Any]] = field(default_factory=list)
    stderr_path: Path | None = None

    def __post_init__(self) -> None:
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.events.append(json.loads(line))

    def wait_for(self, wanted: Callable[[dict[str, Any]], bool], what: str) -> dict[str, Any]:
        deadline = time.monotonic() + PATIENCE
        while time.monotonic() < deadline:
            for event in list(self.events):
                if wanted(event):
                    return event
            if self.process.poll() is not None and not any(wanted(e) for e in self.events):
                time.sleep(0.2)  # the reader may not have the last lines yet
                if not any(wanted(e) for e in self.events):
                    break
            time.sleep(0.05)
        raise AssertionError(f"no {what} from the call process: {self.events}\n{self.log()}")

    def state(self, state: str) -> None:
        self.wait_for(lambda e: e == {"event": "state", "state": state}, f"state {state}")

    def ended(self, status: int = 0) -> dict[str, Any]:
        event = self.wait_for(lambda e: e["event"] == "ended", "end")
        assert self.process.wait(PATIENCE) == status, self.log()
        return event

    def stats(self) -> dict[str, Any]:
        stats: dict[str, Any] = json.loads(self.stats_path.read_text())
        return stats

    def log(self) -> str:
        return self.stderr_path.read_text() if self.stderr_path else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self._reader.join(timeout=5)
        assert self.process.stdout is not None
        self.process.stdout.close()


@dataclass
class Setup:
    paired: Paired
    console: Console
    care_manager_id: int
    data: Path
    tmp: Path

    @property
    def url(self) -> str:
        return self.paired.backend.url

    @property
    def device_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.paired.access_token}"}

    def start(
        self, *which: str, recover_seconds: float = RECOVER_SECONDS, offer_seconds: float = 30
    ) -> CallProcess:
        stats = self.tmp / f"stats-{time.monotonic_ns()}.json"
        stderr = self.tmp / f"call-{time.monotonic_ns()}.log"
        env = {
            **os.environ,
            "QT_QPA_PLATFORM": "offscreen",
            "FOYER_CALL_RECOVER_SECONDS": str(recover_seconds),
            "FOYER_CALL_OFFER_SECONDS": str(offer_seconds),
            "FOYER_CALL_SENTENCE_SECONDS": "0.2",
        }
        with stderr.open("w") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "kiosk.call", "--backend", self.url, "--data",
                 str(self.data), *which, "--caller-name", "Claire Dubois", "--fake-media",
                 "--stats", str(stats), "--windowed"],
                cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=log, text=True,
            )  # fmt: skip
        return CallProcess(process, stats, stderr_path=stderr)

    def approve_care_manager(self) -> None:
        added = self.console.form(
            f"/b/{self.paired.beneficiary_id}/callers", {"user_id": str(self.care_manager_id)}
        )
        assert added.status_code == 303, added.text[:800]

    def call_the_tablet(self) -> int:
        created = self.console.post(f"/b/{self.paired.beneficiary_id}/calls")
        assert created.status_code == 201, created.text
        return int(created.json()["call"]["id"])


# One backend (and one for calls that ring 5 s) for the whole module: starting and pairing one
# costs more than most tests here. Each test gets its own data directory for the process, and
# leaves no call open behind it (`_hang_up_open_calls`), so the next one is never "busy".
@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    yield from _setup(tmp_path_factory.mktemp("calls"))


@pytest.fixture(scope="module")
def shared_quick_ring(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    """A backend whose calls ring 5 s (its shortest) instead of 45."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FOYER_CALL_RING_SECONDS", "5")
        yield from _setup(tmp_path_factory.mktemp("quick"))


def _for_this_test(module: Setup, tmp_path: Path) -> Iterator[Setup]:
    data = tmp_path / "tablet"
    credentials.save(data, credentials.load(module.data))  # type: ignore[arg-type]
    yield Setup(module.paired, module.console, module.care_manager_id, data, tmp_path)
    _hang_up_open_calls(module)


def _hang_up_open_calls(module: Setup) -> None:
    answer = requests.get(
        module.url + "/api/v1/device/sync", headers=module.device_headers, timeout=10
    )
    for call in answer.json()["upserts"].get("calls", []):
        if call["state"] != "ended":
            requests.post(
                f"{module.url}/api/v1/device/calls/{call['id']}/hangup",
                json={"reason": "hangup"},
                headers=module.device_headers,
                timeout=10,
            )


@pytest.fixture
def setup(shared: Setup, tmp_path: Path) -> Iterator[Setup]:
    """Nobody approved to call."""
    removed = shared.console.form(
        f"/b/{shared.paired.beneficiary_id}/callers/{shared.care_manager_id}/remove", {}
    )
    assert removed.status_code == 303, removed.text[:800]
    yield from _for_this_test(shared, tmp_path)


@pytest.fixture
def quick_ring(shared_quick_ring: Setup, tmp_path: Path) -> Iterator[Setup]:
    shared_quick_ring.approve_care_manager()
    yield from _for_this_test(shared_quick_ring, tmp_path)


def _setup(tmp_path: Path) -> Iterator[Setup]:
    with paired_backend(tmp_path / "backend", requests.Session()) as paired:
        me = requests.get(paired.backend.url + "/api/v1/me", headers=paired.headers, timeout=10)
        assert me.status_code == 200, me.text
        data = tmp_path / "tablet"
        credentials.save(
            data,
            credentials.DeviceCredential(
                paired.backend.url, 0, paired.beneficiary_id, paired.access_token
            ),
        )
        console = Console.sign_in(paired.backend.url, "cm@example.fr")
        yield Setup(paired, console, int(me.json()["id"]), data, tmp_path)


@pytest.fixture
def approved(shared: Setup, tmp_path: Path) -> Iterator[Setup]:
    shared.approve_care_manager()
    yield from _for_this_test(shared, tmp_path)


def connected_call(
    setup: Setup, recover_seconds: float = RECOVER_SECONDS
) -> tuple[int, CallProcess, ConsolePeer]:
    """The console calls, the tablet answers (« Décrocher »), media flows both ways."""
    call_id = setup.call_the_tablet()
    tablet = setup.start("--answer", str(call_id), recover_seconds=recover_seconds)
    peer = ConsolePeer(setup.console, call_id)
    try:
        tablet.wait_for(lambda e: e == {"event": "call", "call_id": call_id}, "call id")
        setup.console.wait_for_state(call_id, "answered")
        peer.offer()
        tablet.state("connected")
        deadline = time.monotonic() + PATIENCE
        while time.monotonic() < deadline and (peer.video_frames < 20 or peer.audio_frames < 50):
            time.sleep(0.1)
        assert "connected" in peer.states
    except BaseException:
        tablet.stop()
        peer.close()
        raise
    return call_id, tablet, peer


def test_answered_call_connects_both_ways_and_the_tablet_hangs_up(approved: Setup) -> None:
    call_id, tablet, peer = connected_call(approved)
    try:
        # The console decodes the tablet's test pattern and hears its tone.
        assert peer.video_frames >= 20 and peer.audio_frames >= 50
        time.sleep(1)
        tablet.process.send_signal(signal.SIGTERM)  # the kiosk's way; « Raccrocher » does the same
        ended = tablet.ended()
        assert ended == {
            "event": "ended", "outcome": "completed", "sentence": "L'appel est terminé.",
        }  # fmt: skip
        call = approved.console.wait_for_state(call_id, "ended")
        assert (call["outcome"], call["ended_by"], call["end_reason"]) == (
            "completed", "tablet", "hangup",
        )  # fmt: skip
        stats = tablet.stats()
        assert stats["outcome"] == "completed"
        assert 0 < stats["answered_at"] < stats["first_frame_at"]
        assert stats["frames_decoded"] >= 10  # the console's 15 frames a second
        assert stats["audio_frames_received"] >= 50
        assert stats["frames_sent"] >= 20
        assert stats["duration_seconds"] > 1
        states = [e["state"] for e in tablet.events if e["event"] == "state"]
        assert states == ["connecting", "connected"]
    finally:
        tablet.stop()
        peer.close()


def test_the_console_hanging_up_ends_the_tablets_call(approved: Setup) -> None:
    call_id, tablet, peer = connected_call(approved)
    try:
        hung = approved.console.post(f"/calls/{call_id}/hangup", {"reason": "hangup"})
        assert hung.status_code == 200, hung.text
        assert tablet.ended() == {
            "event": "ended", "outcome": "completed", "sentence": "Claire a raccroché.",
        }  # fmt: skip
        stats = tablet.stats()
        assert stats["frames_decoded"] > 0 and stats["audio_frames_received"] > 0
    finally:
        tablet.stop()
        peer.close()


def test_the_console_vanishing_ends_the_call_with_the_network_sentence(approved: Setup) -> None:
    call_id, tablet, peer = connected_call(approved)
    try:
        peer.vanish()
        tablet.state("recovering")
        ended = tablet.ended()
        assert ended == {
            "event": "ended",
            "outcome": "failed",
            "sentence": "L'appel a été coupé : la connexion s'est interrompue.",
        }
        call = approved.console.wait_for_state(call_id, "ended")
        assert (call["ended_by"], call["end_reason"]) == ("tablet", "network")
        recovering = next(i for i, e in enumerate(tablet.events) if e.get("state") == "recovering")
        assert tablet.events[recovering + 1]["event"] == "ended"  # never back to connected
    finally:
        tablet.stop()
        peer.close()


def test_a_network_blip_is_recovered_and_the_call_goes_on(approved: Setup) -> None:
    call_id, tablet, peer = connected_call(approved, recover_seconds=PATIENCE)
    try:
        peer.drop_outgoing(True)
        tablet.state("recovering")
        peer.drop_outgoing(False)
        tablet.wait_for(
            lambda _e: [e.get("state") for e in tablet.events].count("connected") == 2,
            "connected again",
        )
        states = [e["state"] for e in tablet.events if e["event"] == "state"]
        assert states == ["connecting", "connected", "recovering", "connected"]
        approved.console.post(f"/calls/{call_id}/hangup", {"reason": "hangup"})
        assert tablet.ended()["outcome"] == "completed"
    finally:
        tablet.stop()
        peer.close()


def test_an_answered_call_whose_offer_never_comes_is_given_up(approved: Setup) -> None:
    """The console's page closed right after « Appeler »: the tablet does not wait forever."""
    call_id = approved.call_the_tablet()
    tablet = approved.start("--answer", str(call_id), offer_seconds=2)
    try:
        ended = tablet.ended()
        assert ended["outcome"] == "failed"
        assert ended["sentence"] == "L'appel a été coupé : la connexion s'est interrompue."
        call = approved.console.wait_for_state(call_id, "ended")
        assert (call["ended_by"], call["end_reason"]) == ("tablet", "network")
        assert tablet.stats()["answered_at"] is not None
    finally:
        tablet.stop()


def test_a_call_cancelled_before_the_answer_says_so(approved: Setup) -> None:
    call_id = approved.call_the_tablet()
    gone = approved.console.post(f"/calls/{call_id}/hangup", {"reason": "hangup"})
    assert gone.status_code == 200 and gone.json()["call"]["outcome"] == "cancelled"
    tablet = approved.start("--answer", str(call_id))
    try:
        assert tablet.ended() == {
            "event": "ended", "outcome": "cancelled", "sentence": "L'appel a été annulé.",
        }  # fmt: skip
        assert tablet.stats()["answered_at"] is None
    finally:
        tablet.stop()


def test_a_call_placed_from_the_tablet_rings_until_the_console_answers(approved: Setup) -> None:
    tablet = approved.start("--place", str(approved.care_manager_id))
    peer: ConsolePeer | None = None
    try:
        call_id = int(tablet.wait_for(lambda e: e["event"] == "call", "call id")["call_id"])
        tablet.state("ringing")
        incoming = approved.console.http.get(approved.url + "/calls/incoming", timeout=10).json()
        assert [c["id"] for c in incoming["calls"]] == [call_id]
        answered = approved.console.post(f"/calls/{call_id}/answer")
        assert answered.status_code == 200, answered.text
        peer = ConsolePeer(approved.console, call_id)
        peer.offer()
        tablet.state("connected")
        deadline = time.monotonic() + PATIENCE
        while time.monotonic() < deadline and peer.video_frames < 10:
            time.sleep(0.1)
        assert peer.video_frames >= 10
        approved.console.post(f"/calls/{call_id}/hangup", {"reason": "hangup"})
        assert tablet.ended()["sentence"] == "Claire a raccroché."
        states = [e["state"] for e in tablet.events if e["event"] == "state"]
        assert states == ["ringing", "connecting", "connected"]
        assert tablet.stats()["first_frame_at"] > tablet.stats()["answered_at"] > 0
    finally:
        tablet.stop()
        if peer is not None:
            peer.close()


def test_the_tablet_hanging_up_while_it_rings_cancels_the_call(approved: Setup) -> None:
    tablet = approved.start("--place", str(approved.care_manager_id))
    try:
        call_id = int(tablet.wait_for(lambda e: e["event"] == "call", "call id")["call_id"])
        tablet.state("ringing")
        tablet.process.send_signal(signal.SIGTERM)
        assert tablet.ended()["outcome"] == "cancelled"
        call = approved.console.wait_for_state(call_id, "ended")
        assert (call["outcome"], call["ended_by"]) == ("cancelled", "tablet")
    finally:
        tablet.stop()


def test_an_unapproved_person_cannot_be_called_and_the_backend_says_why(setup: Setup) -> None:
    tablet = setup.start("--place", str(setup.care_manager_id))
    try:
        ended = tablet.ended()
        assert ended["outcome"] == "refused"
        assert ended["sentence"] and "call" not in ended["sentence"].lower()  # French, not a code
        assert not any(e["event"] == "call" for e in tablet.events)
    finally:
        tablet.stop()


def test_a_call_nobody_answers_says_a_message_will_tell_them(quick_ring: Setup) -> None:
    tablet = quick_ring.start("--place", str(quick_ring.care_manager_id))
    try:
        tablet.state("ringing")
        assert tablet.ended() == {
            "event": "ended",
            "outcome": "missed",
            "sentence": "Claire n'a pas répondu. Un message lui dira que vous avez appelé.",
        }
        assert tablet.stats()["answered_at"] is None
    finally:
        tablet.stop()


def test_the_call_process_speaks_english_with_lang_en(approved: Setup) -> None:
    call_id = approved.call_the_tablet()
    approved.console.post(f"/calls/{call_id}/hangup", {"reason": "hangup"})
    tablet = approved.start("--answer", str(call_id), "--lang", "en")
    try:
        assert tablet.ended()["sentence"] == "The call was cancelled."
    finally:
        tablet.stop()


def test_an_offer_the_tablet_cannot_read_ends_the_call_as_a_failure(approved: Setup) -> None:
    """What the kiosk calls a crash: status 1 (it then says « L'appel s'est interrompu. »),
    the call hung up for the console all the same."""
    call_id = approved.call_the_tablet()
    posted = approved.console.post(
        f"/calls/{call_id}/signals", {"kind": "offer", "sdp": "v=0\r\nnot an offer\r\n"}
    )
    assert posted.status_code == 201, posted.text
    tablet = approved.start("--answer", str(call_id))
    try:
        assert tablet.ended(status=1) == {
            "event": "ended", "outcome": "failed", "sentence": "L'appel s'est interrompu.",
        }  # fmt: skip
        call = approved.console.wait_for_state(call_id, "ended")
        assert (call["ended_by"], call["end_reason"]) == ("tablet", "network")
        assert tablet.stats()["outcome"] == "failed"
    finally:
        tablet.stop()


def test_without_the_backend_the_call_says_the_service_does_not_answer(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    data = tmp_path / "tablet"
    credentials.save(data, credentials.DeviceCredential(url, 0, 1, "fyd_nobody"))
    stats = tmp_path / "stats.json"
    answer = subprocess.run(
        [sys.executable, "-m", "kiosk.call", "--backend", url, "--data", str(data),
         "--answer", "7", "--fake-media", "--stats", str(stats), "--windowed"],
        cwd=ROOT, capture_output=True, text=True, timeout=PATIENCE,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "FOYER_CALL_SENTENCE_SECONDS": "0"},
    )  # fmt: skip
    assert answer.returncode == 0, answer.stderr
    events = [json.loads(line) for line in answer.stdout.splitlines()]
    assert events[-1] == {
        "event": "ended",
        "outcome": "failed",
        "sentence": "Le service d'appel ne répond pas. Réessayez dans un moment.",
    }
    assert json.loads(stats.read_text())["answered_at"] is None
