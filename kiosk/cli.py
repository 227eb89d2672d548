"""`foyer-kiosk`: the tablet application."""

from __future__ import annotations

import argparse
import faulthandler
import logging
import os
import sys
import threading
import types
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from provisioning.saved_settings import SAVED_SETTINGS, saved_settings

if TYPE_CHECKING:
    from kiosk.controller import KioskController

log = logging.getLogger("kiosk")


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError as exc:
        raise argparse.ArgumentTypeError("size must look like 1280x800") from exc
    return width, height


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="foyer-kiosk", description=__doc__)
    parser.add_argument(
        "--backend",
        help="backend URL, e.g. http://foyer:8000 (default: backend_url from the first-boot "
        "settings, see docs/appliance.md)",
    )
    parser.add_argument("--data", type=Path, required=True, help="local data directory")
    parser.add_argument("--windowed", action="store_true", help="a window, not full screen")
    parser.add_argument("--size", type=_size, default=(1280, 800), help="window size, WxH")
    parser.add_argument("--screenshot", type=Path, help="save the screen to this PNG and exit")
    parser.add_argument(
        "--after", type=float, default=3.0, help="seconds before the screenshot (default 3)"
    )
    args = parser.parse_args(argv)
    if args.backend is None:
        args.backend = saved_settings(args.data).backend_url
        if args.backend is None:
            parser.error(
                "--backend is required: no backend_url in the first-boot settings "
                f"({args.data / SAVED_SETTINGS})"
            )
    return args


def has_display() -> bool:
    return bool(
        os.environ.get("DISPLAY")
        or os.environ.get("WAYLAND_DISPLAY")
        or os.environ.get("QT_QPA_PLATFORM")
    )


def _log_uncaught(
    exc_type: type[BaseException], exc: BaseException, tb: types.TracebackType | None
) -> None:
    # A bug in a slot must not take the screen away from the beneficiary: log it and go on.
    log.critical("uncaught exception", exc_info=(exc_type, exc, tb))


def recovering_excepthook(recover: Callable[[], None]) -> Callable[..., None]:
    """The hook once the controller exists: log, then back to a known screen (home, or
    pairing). `recover` queues its work and never raises (KioskController.recover)."""

    def hook(
        exc_type: type[BaseException], exc: BaseException, tb: types.TracebackType | None
    ) -> None:
        _log_uncaught(exc_type, exc, tb)
        if issubclass(exc_type, KeyboardInterrupt):
            return
        recover()

    return hook


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # When the systemd watchdog kills a frozen tablet (SIGABRT), every thread's stack goes to
    # the journal: where the GUI thread was stuck is then known, not guessed.
    faulthandler.enable(all_threads=True)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if not has_display():
        if args.screenshot is None:
            print("foyer-kiosk: no display found; use --screenshot FILE", file=sys.stderr)
            return 2
        os.environ["QT_QPA_PLATFORM"] = "offscreen"

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from kiosk.controller import KioskController
    from kiosk.first_paint import FirstPaint
    from kiosk.gui_thread import GuiGarbageCollector
    from kiosk.last_screen import HOME, LastScreen
    from kiosk.local_time import LocalTime
    from kiosk.main_window import MainWindow
    from kiosk.watchdog import Watchdog

    sys.excepthook = _log_uncaught
    app = QApplication(sys.argv[:1])
    app.setApplicationName("Foyer")
    # Python's cycle collector would otherwise run in whichever thread allocates, and destroy
    # Qt objects there: a segfault inside Qt (kiosk/gui_thread.py). Collected here only.
    collector = GuiGarbageCollector(parent=app)
    collector.start()
    local_time = LocalTime()
    window = MainWindow(local_time.now)
    window.resize(*args.size)
    # Home from the local store (or the pairing screen), before anything reaches the network.
    controller = KioskController(args.data, args.backend, window, local_time)
    sys.excepthook = recovering_excepthook(controller.recover)
    # Started again soon after a crash: back on the screen it showed (kiosk/last_screen.py).
    last_screen = LastScreen(args.data) if args.screenshot is None else None

    def reopen() -> None:
        if last_screen is not None:
            last_screen.reopen(
                controller.open_screen,
                lambda name: (
                    window.current_screen_name() == HOME and name in controller.config["modules"]
                ),
            )

    reopen()  # the first picture is already that screen
    # Night mode switches the panel off where the hardware allows (docs/appliance.md). Full
    # screen only: a developer's window must not put their monitor to sleep.
    full_screen = not args.windowed and args.screenshot is None
    online = _Online(controller, full_screen)
    watchdog = Watchdog()

    def first_picture() -> None:
        # READY=1 now, then pings from this event loop (systemd/foyer-kiosk.service). The HTTP
        # library, the scheduler and the services load only now that the day is on screen:
        # the beneficiary sees it a good half second sooner on a small board.
        watchdog.ready()
        online.start()
        if last_screen is not None:
            reopen()  # the controller's start went home
            last_screen.follow(window)

    first_paint = FirstPaint(window, first_picture)
    if full_screen:
        window.showFullScreen()
    else:
        window.show()

    status = {"code": 0}
    if args.screenshot is not None:

        def capture() -> None:
            args.screenshot.parent.mkdir(parents=True, exist_ok=True)
            if not window.grab().save(str(args.screenshot)):
                log.error("could not write %s", args.screenshot)
                status["code"] = 1
            else:
                print(f"screenshot saved to {args.screenshot}", flush=True)
            app.quit()

        QTimer.singleShot(int(args.after * 1000), capture)
    app.exec()
    if last_screen is not None:
        last_screen.forget()  # a clean exit: the next start opens on home
    del first_paint
    watchdog.stop()
    collector.stop()  # Python's own collection again: no event loop any more
    online.stop()
    _exit_without_waiting_for_long_polls(status["code"])
    return status["code"]


class _Online:
    """What the tablet needs to talk to the backend and keep time, started after the first
    paint and stopped on the way out (in that order, whatever was reached)."""

    def __init__(self, controller: KioskController, full_screen: bool) -> None:
        self._controller = controller
        self._full_screen = full_screen
        self._stoppers: list[Callable[[], None]] = []

    def start(self) -> None:
        from kiosk.background import make_scheduler, shutdown_scheduler
        from kiosk.clock_guard import ClockJumpGuard
        from kiosk.screen_power import ScreenPowerSwitch
        from provisioning.http import new_session

        scheduler = make_scheduler()
        scheduler.start()
        self._stoppers.append(lambda: shutdown_scheduler(scheduler))
        clock_guard = ClockJumpGuard(scheduler)  # jobs stay on time when NTP moves the clock
        clock_guard.start()
        self._stoppers.append(clock_guard.stop)
        if self._full_screen:
            screen_power = ScreenPowerSwitch()
            self._controller.screen_power_changed.connect(screen_power.set_power)
            self._stoppers.append(screen_power.shutdown)
        self._controller.start(scheduler, new_session())
        self._stoppers.append(self._controller.shutdown)

    def stop(self) -> None:
        if not self._stoppers:
            self._controller.shutdown()  # closed before the first paint: no service yet
        for stop in reversed(self._stoppers):
            stop()
        self._stoppers.clear()


def _exit_without_waiting_for_long_polls(code: int) -> None:
    """A long-poll may hold a worker thread for up to half a minute, and the interpreter joins
    pool threads at exit. Everything the tablet keeps is committed transactionally, so once
    the loop has ended there is nothing left to save: leave at once."""
    busy = [t for t in threading.enumerate() if t is not threading.main_thread() and t.is_alive()]
    if busy:
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


if __name__ == "__main__":
    sys.exit(main())
