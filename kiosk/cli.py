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

from provisioning.firstboot import SAVED_SETTINGS, saved_settings

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

    from kiosk.background import make_scheduler, shutdown_scheduler
    from kiosk.clock_guard import ClockJumpGuard
    from kiosk.controller import KioskController
    from kiosk.local_time import LocalTime
    from kiosk.main_window import MainWindow
    from kiosk.screen_power import ScreenPowerSwitch
    from kiosk.watchdog import Watchdog
    from provisioning.http import new_session

    sys.excepthook = _log_uncaught
    app = QApplication(sys.argv[:1])
    app.setApplicationName("Foyer")
    scheduler = make_scheduler()
    scheduler.start()
    clock_guard = ClockJumpGuard(scheduler)  # jobs stay on time when NTP moves the clock
    clock_guard.start()
    local_time = LocalTime()
    window = MainWindow(local_time.now)
    controller = KioskController(
        args.data, args.backend, window, scheduler, new_session(), local_time
    )
    sys.excepthook = recovering_excepthook(controller.recover)
    window.resize(*args.size)
    # READY=1 after the first paint, then pings from this event loop (systemd/foyer-kiosk.service).
    watchdog = Watchdog()
    watchdog.watch(window)
    # Night mode switches the panel off where the hardware allows (docs/appliance.md). Full
    # screen only: a developer's window must not put their monitor to sleep.
    screen_power = None
    if not args.windowed and args.screenshot is None:
        screen_power = ScreenPowerSwitch()
        controller.screen_power_changed.connect(screen_power.set_power)
    if args.windowed or args.screenshot is not None:
        window.show()
    else:
        window.showFullScreen()
    controller.start()

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
    watchdog.stop()
    if screen_power is not None:
        screen_power.shutdown()
    controller.shutdown()
    clock_guard.stop()
    shutdown_scheduler(scheduler)
    _exit_without_waiting_for_long_polls(status["code"])
    return status["code"]


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
