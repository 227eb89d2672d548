"""The call on its asyncio loop: signalling with the backend, the aiortc peer (always the SDP
answerer, no trickle), the media, the connection watch, the end.

Knows nothing of Qt: what the window must show goes through a `Listener`, whose methods are
called on this loop's thread and must not block. The window's buttons come back through the
thread-safe `request_hangup`, `set_camera` and `change_volume`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import av
from aiortc import (
    MediaStreamTrack,
    RTCConfiguration,
    RTCIceServer,
    RTCPeerConnection,
    RTCSessionDescription,
)
from aiortc.mediastreams import MediaStreamError

from kiosk.call.audio_out import Speaker, Volume
from kiosk.call.clock import ProcessClock
from kiosk.call.media import LocalMedia, open_local_media
from kiosk.call.options import CallOptions, Timings
from kiosk.call.report import CallStats, Report
from kiosk.call.signalling import (
    LONG_POLL_SECONDS,
    CallSignalling,
    Prefetch,
    Refused,
    Unreachable,
)
from kiosk.call.words import Words, first_name

log = logging.getLogger(__name__)

T = TypeVar("T")
TICK = 0.25  # how often the connection is looked at
PREVIEW_EVERY = 3  # the self view at a third of the camera's rate: it is small
HANGUP_PATIENCE = 5.0  # seconds the last hang-up request may take before we leave anyway


class Listener(Protocol):
    def state(self, state: str, text: str) -> None: ...
    def note(self, text: str) -> None: ...
    def remote_frame(self, frame: av.VideoFrame) -> None: ...
    def local_frame(self, frame: av.VideoFrame | None) -> None: ...
    def volume(self, percent: int) -> None: ...
    def ended(self, outcome: str, sentence: str, crashed: bool) -> None: ...


@dataclass(frozen=True)
class Ending:
    outcome: str
    sentence: str


class HungUp(Exception):
    """The beneficiary (or SIGTERM) asked to hang up while we were waiting."""


def ice_servers(raw: object) -> list[RTCIceServer]:
    """docs/calls.md's RTCIceServer dicts; anything malformed is left out."""
    servers = []
    for entry in raw if isinstance(raw, list) else []:
        if not isinstance(entry, dict):
            continue
        urls = entry.get("urls")
        if isinstance(urls, str):
            urls = [urls]
        if not isinstance(urls, list) or not all(isinstance(u, str) for u in urls):
            continue
        servers.append(
            RTCIceServer(
                urls=urls, username=entry.get("username"), credential=entry.get("credential")
            )
        )
    return servers


def in_thread(fn: Callable[..., T], *args: Any) -> asyncio.Future[T]:
    """`fn(*args)` in a daemon thread: a long-poll left behind at the end never holds the
    process back (the executor's threads are joined at exit)."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()
    # Abandoned futures (a long-poll overtaken by the end) keep no unretrieved error.
    future.add_done_callback(lambda f: f.cancelled() or f.exception())

    def work() -> None:
        try:
            outcome: tuple[bool, Any] = (True, fn(*args))
        except Exception as exc:
            outcome = (False, exc)

        def settle() -> None:
            if not future.done():
                if outcome[0]:
                    future.set_result(outcome[1])
                else:
                    future.set_exception(outcome[1])

        with contextlib.suppress(RuntimeError):  # the loop is gone: nobody is waiting
            loop.call_soon_threadsafe(settle)

    threading.Thread(target=work, name="call-http", daemon=True).start()
    return future


class CallEngine:
    def __init__(
        self,
        options: CallOptions,
        signalling: CallSignalling,
        listener: Listener,
        report: Report,
        clock: ProcessClock,
        timings: Timings,
        first_request: Prefetch | None = None,
    ) -> None:
        self._options = options
        # The answer or the call, posted by the process before the window and aiortc were
        # loaded (app.py); None: posted here.
        self._first = first_request
        self._signalling = signalling
        self._listener = listener
        self._report = report
        self._clock = clock
        self._timings = timings
        self.words = Words(options.lang, first_name(options.caller_name))
        self.stats = CallStats()
        self.volume = Volume()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._hangup: asyncio.Event | None = None
        self._ready = threading.Event()
        self._early_hangup = False  # asked before the loop ran
        self._call_id: int | None = options.answer
        self._cursor = 0
        self._ice: list[RTCIceServer] = []
        self._state = ""
        self._remote_end: dict[str, Any] | None = None
        self._remote_ended: asyncio.Event | None = None  # made on the loop
        self._last_media = 0.0
        self._pc: RTCPeerConnection | None = None
        self._media: LocalMedia | None = None
        self._speaker: Speaker | None = None
        self._tasks: list[asyncio.Task[None]] = []

    # -- from the GUI thread -------------------------------------------------------------
    def request_hangup(self) -> None:
        loop, event = self._loop, self._hangup
        if loop is None or event is None:
            self._early_hangup = True
            return
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(event.set)

    def set_camera(self, on: bool) -> None:
        media = self._media
        if media is not None and media.camera is not None:
            media.camera.enabled = on  # read by the sender's coroutine; a bool is atomic enough

    def change_volume(self, delta: int) -> None:
        self.volume.change(delta)
        self._listener.volume(self.volume.percent)

    # -- the call --------------------------------------------------------------------------
    async def run(self) -> Ending:
        self._loop = asyncio.get_running_loop()
        self._hangup = asyncio.Event()
        self._remote_ended = asyncio.Event()
        if self._early_hangup:
            self._hangup.set()
        crashed = False
        try:
            ending = await self._call()
        except HungUp:
            ending = await self._hang_up("hangup")
        except Exception:
            log.exception("the call failed")
            crashed = True
            ending = Ending("failed", self.words.interrupted())
            if self._call_id is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(
                        in_thread(self._signalling.hangup, self._call_id, "network"),
                        HANGUP_PATIENCE,
                    )
        await self._close()
        self._finish(ending, crashed)
        return ending

    async def _call(self) -> Ending:
        self._media = open_local_media(self._options.fake_media)
        if self._media.preview is not None:
            self._spawn(self._show_preview(self._media.preview))
        else:
            self._listener.note(self.words.no_camera())
        if self._options.place is not None:
            begun = await self._place(self._options.place)
        else:
            begun = await self._answer()
        if isinstance(begun, Ending):
            return begun
        offer = await self._wait_for_offer()
        if isinstance(offer, Ending):
            return offer
        await self._send_answer(offer)
        return await self._in_call()

    async def _place(self, user_id: int) -> Ending | None:
        try:
            created = await self._until_hangup(
                in_thread(self._first_or(lambda: self._signalling.place(user_id)))
            )
        except Refused as refused:
            outcome = "busy" if refused.status == 409 else "refused"
            default = self.words.busy() if outcome == "busy" else self.words.refused()
            return Ending(outcome, refused.sentence or default)
        except Unreachable:
            return Ending("failed", self.words.unreachable())
        call = created.get("call") or {}
        self._call_id = int(call["id"])
        self._ice = ice_servers(created.get("ice_servers"))
        if self.words.name is None:
            other = call.get("caller") or call.get("callee") or {}
            self.words = Words(self.words.language, first_name(other.get("name")))
        self._report.call(self._call_id)
        self._set_state("ringing", self.words.ringing())
        return None

    async def _answer(self) -> Ending | None:
        assert self._call_id is not None
        self._report.call(self._call_id)
        self._set_state("connecting", self.words.connecting())
        try:
            call_id = self._call_id
            answered = await self._until_hangup(
                in_thread(self._first_or(lambda: self._signalling.answer(call_id)))
            )
        except Refused as refused:
            if refused.status == 409:
                return Ending("cancelled", self.words.cancelled())
            return Ending("failed", refused.sentence or self.words.interrupted())
        except Unreachable:
            return Ending("failed", self.words.unreachable())
        done_at = self._first.done_at if self._first is not None else None
        self.stats.answered_at = done_at if done_at is not None else self._clock.now()
        self._ice = ice_servers(answered.get("ice_servers"))
        return None

    async def _wait_for_offer(self) -> str | Ending:
        """Long-poll the call until the console's offer comes (a placed call rings until the
        console answers) or the call ends."""
        failures = 0
        while True:
            wait = LONG_POLL_SECONDS
            if self.stats.answered_at is not None:
                left = self.stats.answered_at + self._timings.offer - self._clock.now()
                if left <= 0:
                    return await self._hang_up("network")
                wait = min(wait, max(0.5, left))  # back in time to give up
            try:
                body = await self._until_hangup(self._poll(wait))
            except Unreachable:
                failures += 1
                await self._until_hangup(asyncio.sleep(min(5.0, 0.5 * failures)))
                continue
            failures = 0
            call = body.get("call") or {}
            if call.get("state") == "ended":
                return self._ended_by_other(call)
            if call.get("state") == "answered" and self.stats.answered_at is None:
                self.stats.answered_at = self._clock.now()
                self._set_state("connecting", self.words.connecting())
            for signal in body.get("signals") or []:
                if signal.get("kind") == "offer" and isinstance(signal.get("sdp"), str):
                    if self.stats.answered_at is None:
                        self.stats.answered_at = self._clock.now()
                        self._set_state("connecting", self.words.connecting())
                    return str(signal["sdp"])

    def _poll(self, wait: float = LONG_POLL_SECONDS) -> asyncio.Future[dict[str, Any]]:
        assert self._call_id is not None
        future = in_thread(self._signalling.signals, self._call_id, self._cursor, wait)

        def advance(done: asyncio.Future[dict[str, Any]]) -> None:
            if not done.cancelled() and done.exception() is None:
                last = done.result().get("last")
                if isinstance(last, int) and last > self._cursor:
                    self._cursor = last

        future.add_done_callback(advance)
        return future

    async def _send_answer(self, offer: str) -> None:
        assert self._call_id is not None and self._media is not None
        pc = RTCPeerConnection(RTCConfiguration(iceServers=self._ice))
        self._pc = pc
        pc.on("track", self._on_track)
        await pc.setRemoteDescription(RTCSessionDescription(sdp=offer, type="offer"))
        # Added after the offer so that they take the offer's transceivers; without a device
        # that side only receives.
        for track in (self._media.audio, self._media.video):
            if track is not None:
                pc.addTrack(track)
        await pc.setLocalDescription(await pc.createAnswer())  # gathers every candidate
        await self._until_hangup(
            in_thread(self._signalling.send_answer, self._call_id, pc.localDescription.sdp)
        )

    def _on_track(self, track: MediaStreamTrack) -> None:
        if track.kind == "video":
            self._spawn(self._receive_video(track))
        elif track.kind == "audio":
            if not self._options.fake_media and self._speaker is None:
                self._speaker = Speaker.open(self.volume)
            self._spawn(self._receive_audio(track))

    async def _in_call(self) -> Ending:
        assert self._pc is not None
        self._spawn(self._watch_backend())
        assert self._hangup is not None and self._remote_ended is not None
        started = self._clock.now()
        lost_since: float | None = None
        while True:
            if self._hangup.is_set():
                return await self._hang_up("hangup")
            if self._remote_end is not None:
                return self._ended_by_other(self._remote_end)
            now = self._clock.now()
            connection = self._pc.connectionState
            if self._state == "connecting":
                if connection == "connected":
                    self._last_media = max(self._last_media, now)
                    self._set_state("connected", self.words.connected())
                elif now - started > self._timings.connect or connection == "failed":
                    return await self._hang_up("network")
            else:
                lost = (now - self._last_media > self._timings.silence) or connection in (
                    "disconnected",
                    "failed",
                    "closed",
                )
                if lost and lost_since is None:
                    lost_since = now
                    self._set_state("recovering", self.words.recovering())
                elif not lost and lost_since is not None:
                    lost_since = None
                    self._set_state("connected", self.words.connected())
                elif lost_since is not None and now - lost_since >= self._timings.recover:
                    return await self._hang_up("network")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._any_end(), TICK)

    async def _any_end(self) -> None:
        assert self._hangup is not None and self._remote_ended is not None
        waits = [asyncio.ensure_future(e.wait()) for e in (self._hangup, self._remote_ended)]
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for wait in waits:
                wait.cancel()

    async def _watch_backend(self) -> None:
        """Go on long-polling during the call: the console hanging up arrives this way."""
        assert self._remote_ended is not None
        failures = 0
        while True:
            try:
                body = await self._poll()
            except Unreachable:  # the connection watch decides; the backend may come back
                failures += 1
                await asyncio.sleep(min(5.0, 0.5 * failures))
                continue
            failures = 0
            call = body.get("call") or {}
            if call.get("state") == "ended":
                self._remote_end = call
                self._remote_ended.set()
                return

    async def _receive_video(self, track: MediaStreamTrack) -> None:
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            if not isinstance(frame, av.VideoFrame):
                continue
            now = self._clock.now()
            if self.stats.first_frame_at is None:
                self.stats.first_frame_at = now
            self.stats.frames_decoded += 1
            self._last_media = now
            self._listener.remote_frame(frame)

    async def _receive_audio(self, track: MediaStreamTrack) -> None:
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            self.stats.audio_frames_received += 1
            self._last_media = self._clock.now()
            if self._speaker is not None and isinstance(frame, av.AudioFrame):
                self._speaker.play(frame)

    async def _show_preview(self, track: MediaStreamTrack) -> None:
        count = 0
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            count += 1
            if count % PREVIEW_EVERY == 0 and isinstance(frame, av.VideoFrame):
                camera = self._media.camera if self._media is not None else None
                self._listener.local_frame(frame if camera is None or camera.enabled else None)

    # -- the end ---------------------------------------------------------------------------
    async def _hang_up(self, reason: str) -> Ending:
        """We end the call: tell the backend (briefly: it may be the network that failed)."""
        call: dict[str, Any] = {}
        if self._call_id is not None:
            try:
                answer = await asyncio.wait_for(
                    in_thread(self._signalling.hangup, self._call_id, reason), HANGUP_PATIENCE
                )
                call = answer.get("call") or {}
            except (TimeoutError, Unreachable, Refused) as exc:
                log.warning("hang-up not acknowledged: %s", exc)
        if reason == "network":
            return Ending("failed", self.words.network())
        answered = self.stats.answered_at is not None
        outcome = call.get("outcome") or ("completed" if answered else "cancelled")
        return Ending(str(outcome), self.words.we_hung_up())

    def _ended_by_other(self, call: dict[str, Any]) -> Ending:
        outcome = call.get("outcome")
        reason = call.get("end_reason")
        sentence = self.words.for_outcome(outcome, reason if isinstance(reason, str) else None)
        if reason == "network":
            return Ending("failed", sentence)
        return Ending(str(outcome or "failed"), sentence)

    async def _close(self) -> None:
        for task in self._tasks:
            task.cancel()
        if self._pc is not None:
            with contextlib.suppress(Exception):
                await self._pc.close()
        if self._media is not None:
            self.stats.frames_sent = self._media.camera.frames_sent if self._media.camera else 0
            self._media.stop()
        if self._speaker is not None:
            await asyncio.get_running_loop().run_in_executor(None, self._speaker.close)

    def _finish(self, ending: Ending, crashed: bool) -> None:
        now = self._clock.now()
        self.stats.outcome = ending.outcome
        if self.stats.answered_at is not None:
            self.stats.duration_seconds = round(now - self.stats.answered_at, 3)
        self._report.ended(ending.outcome, ending.sentence)
        self._listener.ended(ending.outcome, ending.sentence, crashed)

    # -- helpers ---------------------------------------------------------------------------
    def _first_or(self, request: Callable[[], dict[str, Any]]) -> Callable[[], dict[str, Any]]:
        return self._first.result if self._first is not None else request

    def _set_state(self, state: str, text: str) -> None:
        self._state = state
        self._report.state(state)
        self._listener.state(state, text)

    def _spawn(self, coroutine: Awaitable[None]) -> None:
        self._tasks.append(asyncio.ensure_future(coroutine))

    async def _until_hangup(self, awaitable: Awaitable[T]) -> T:
        """`awaitable`'s result, or HungUp as soon as a hang-up is asked."""
        assert self._hangup is not None
        work = asyncio.ensure_future(awaitable)
        hangup = asyncio.ensure_future(self._hangup.wait())
        try:
            await asyncio.wait({work, hangup}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            hangup.cancel()
        if not work.done():
            work.cancel()
            raise HungUp()
        return work.result()
