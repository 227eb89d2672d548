"""`python -m kiosk.call`: Qt in the main thread, the call's asyncio loop in another.

The order is the start time: the first request (the answer, or the call) leaves before Qt is
loaded; the window is shown before aiortc and PyAV are loaded (in the engine's thread).
"""

from __future__ import annotations

import asyncio
import faulthandler
import logging
import os
import signal
import sys
import threading
from typing import TYPE_CHECKING

from kiosk.call.clock import ProcessClock
from kiosk.call.options import CallOptions, Timings, parse
from kiosk.call.report import Report, write_stats
from kiosk.call.signalling import CallSignalling, Prefetch
from kiosk.call.words import Words, first_name
from provisioning import credentials

if TYPE_CHECKING:
    from kiosk.call.bridge import Bridge
    from kiosk.call.engine import CallEngine

log = logging.getLogger("kiosk.call")

SIGNAL_CHECK_MS = 200  # Python runs its signal handlers only when Qt hands it control


def has_display() -> bool:
    return bool(
        os.environ.get("DISPLAY")
        or os.environ.get("WAYLAND_DISPLAY")
        or os.environ.get("QT_QPA_PLATFORM")
    )


class Controls:
    """The window's buttons, before and after the engine exists (it is made in its thread)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._engine: CallEngine | None = None
        self._hangup = False
        self._camera = True

    def attach(self, engine: CallEngine) -> None:
        with self._lock:
            self._engine = engine
            if self._hangup:
                engine.request_hangup()
            engine.set_camera(self._camera)

    def hangup(self) -> None:
        with self._lock:
            self._hangup = True
            if self._engine is not None:
                self._engine.request_hangup()

    def camera(self, on: bool) -> None:
        with self._lock:
            self._camera = on
            if self._engine is not None:
                self._engine.set_camera(on)

    def volume(self, delta: int) -> None:
        with self._lock:
            if self._engine is not None:
                self._engine.change_volume(delta)


def main(argv: list[str] | None = None) -> int:
    clock = ProcessClock()
    options = parse(argv)
    faulthandler.enable(all_threads=True)
    # Standard output is the kiosk's (JSON lines): the log goes to standard error.
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    credential = credentials.load(options.data)
    if credential is None:  # the kiosk only starts a call once paired: a bug, said as one
        log.error("no device credential in %s", options.data)
        Report().ended("failed", Words(options.lang, None).interrupted())
        return 2
    signalling = CallSignalling(options.backend, credential.access_token)
    if options.answer is not None:
        call_id = options.answer
        first = Prefetch(lambda: signalling.answer(call_id), clock.now)
    else:
        user_id = options.place
        assert user_id is not None
        first = Prefetch(lambda: signalling.place(user_id), clock.now)
    if not has_display():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    return run(options, signalling, first, clock)


def run(
    options: CallOptions, signalling: CallSignalling, first: Prefetch, clock: ProcessClock
) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from kiosk.call.bridge import Bridge
    from kiosk.call.window import CallWindow
    from kiosk.gui_thread import GuiGarbageCollector
    from widgets import sizing

    app = QApplication(sys.argv[:1])
    app.setApplicationName("Foyer")
    # aiortc's thread allocates all the time: Python's cycle collector must not run there
    # and destroy Qt objects off the GUI thread (kiosk/gui_thread.py).
    collector = GuiGarbageCollector(parent=app)
    collector.start()
    sizing.set_font_scale(options.font_scale)
    timings = Timings.from_environment()
    words = Words(options.lang, first_name(options.caller_name))
    bridge = Bridge()
    controls = Controls()
    window = CallWindow(
        words,
        bridge.remote_slot,
        bridge.local_slot,
        controls.hangup,
        controls.camera,
        controls.volume,
    )
    window.resize(*options.size)
    bridge.state_changed.connect(window.show_state)
    bridge.noted.connect(window.show_note)
    bridge.remote_image.connect(window.show_remote)
    bridge.local_image.connect(window.show_local)
    bridge.volume_changed.connect(window.show_volume)
    status = {"crashed": False, "quick": False}
    engine_box: list[CallEngine] = []

    def ended(_outcome: str, sentence: str, crashed: bool) -> None:
        status["crashed"] = status["crashed"] or crashed
        window.show_end(sentence)
        if options.stats is not None and engine_box:
            try:
                write_stats(options.stats, engine_box[0].stats)
            except OSError as exc:
                log.error("cannot write the statistics: %s", exc)
        linger = 0 if status["quick"] else int(timings.sentence * 1000)
        QTimer.singleShot(linger, app.quit)

    bridge.call_ended.connect(ended)

    def terminate(_signum: int, _frame: object) -> None:
        status["quick"] = True  # the kiosk is shutting down: no sentence to linger on
        controls.hangup()

    signal.signal(signal.SIGTERM, terminate)
    signal.signal(signal.SIGINT, terminate)
    ticker = QTimer()
    ticker.timeout.connect(lambda: None)
    ticker.start(SIGNAL_CHECK_MS)

    if options.windowed:
        window.show()
    else:
        window.showFullScreen()
    app.processEvents()
    log.info("window shown %.3f s after the process started", clock.now())
    thread = threading.Thread(
        target=_run_engine,
        args=(options, signalling, first, bridge, clock, timings, controls, engine_box),
        name="call-engine",
        daemon=True,
    )
    thread.start()
    app.exec()
    thread.join(timeout=5)
    collector.stop()
    return 1 if status["crashed"] else 0


def _run_engine(
    options: CallOptions,
    signalling: CallSignalling,
    first: Prefetch,
    bridge: Bridge,
    clock: ProcessClock,
    timings: Timings,
    controls: Controls,
    engine_box: list[CallEngine],
) -> None:
    try:
        from kiosk.call.engine import CallEngine  # aiortc and PyAV: after the window is up

        engine = CallEngine(options, signalling, bridge, Report(), clock, timings, first)
        engine_box.append(engine)
        controls.attach(engine)
        asyncio.run(engine.run())
    except BaseException:  # the engine reports its own failures; this is a bug in it
        log.exception("the call's loop stopped")
        Report().ended("failed", Words(options.lang, None).interrupted())
        bridge.call_ended.emit("failed", Words(options.lang, None).interrupted(), True)
