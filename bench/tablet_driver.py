"""The real tablet application (`kiosk.cli.main`, unmodified) with a benchmark remote control.

    .venv/bin/python -m bench.tablet_driver --backend URL --data DIR --windowed

The kiosk's controller class is swapped, before `main()` imports it, for a subclass that only
adds a driver: commands arrive one per line on stdin (read by a thread, handed to the GUI
thread by a queued signal) and every answer is one JSON line on stdout. Times are
`time.monotonic()` (CLOCK_MONOTONIC: comparable across processes on one machine).

    rss                → {"rss_kib": …, "hwm_kib": …}
    slides N           → N cross-faded transitions of the real `Slideshow` widget, full window,
                         fed 20 decoded 1280×800 photos, as fast as the event loop allows
    frame              → the photo frame, as the tablet shows it when left alone (the
                         controller's photo-frame screen when it has one, else the Slideshow
                         at its default pace)
    home               → the home screen
    grab FILE          → the window saved as a PNG (to look at what was measured)
    syncs              → {"changed": syncs that changed the local state, "state_at": time of the
                         last one, "home_at": time of the last home refresh}
    quit
"""

from __future__ import annotations

import json
import sys
import threading
import time
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QCoreApplication,
    QEventLoop,
    QIODevice,
    QObject,
    QRect,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QImage, QLinearGradient, QPainter

import kiosk.controller
from bench.measure import status_kib
from kiosk import idle, photos_view
from kiosk.screens.photos_screen import Slideshow

BENCH_SLIDES = "bench_slideshow"
PHOTOS = 20


def _say(**fields: Any) -> None:
    print(json.dumps(fields), flush=True)


def _photo(number: int, size: tuple[int, int] = (1280, 800)) -> QImage:
    image = QImage(size[0], size[1], QImage.Format.Format_RGB32)
    painter = QPainter(image)
    gradient = QLinearGradient(0, 0, size[0], size[1])
    gradient.setColorAt(0, QColor.fromHsv((number * 37) % 360, 160, 220))
    gradient.setColorAt(1, QColor.fromHsv((number * 37 + 120) % 360, 200, 90))
    painter.fillRect(image.rect(), gradient)
    painter.setFont(QFont("Sans", 120))
    painter.setPen(QColor("white"))
    painter.drawText(QRect(0, 0, size[0], size[1]), Qt.AlignmentFlag.AlignCenter, str(number))
    painter.end()
    return image


def _jpeg(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "JPG", 85)  # type: ignore[call-overload]  # the stubs want bytes; it takes str
    return bytes(data.data())


def _entries() -> tuple[photos_view.PhotoEntry, ...]:
    now = datetime.now().astimezone()
    return tuple(
        photos_view.PhotoEntry(
            id=i,
            caption=f"Photo {i}",
            sender="Marie Martin",
            sent="Envoyée par Marie Martin, hier",
            created_at=now,
            display_hash=f"{i:064x}",
            thumb_hash=f"{i:064x}",
            width=1280,
            height=800,
            is_new=False,
        )
        for i in range(1, PHOTOS + 1)
    )


class _Commands(QObject):
    received = Signal(str)


class Driver(QObject):
    def __init__(self, controller: kiosk.controller.KioskController) -> None:
        super().__init__(controller)
        self.controller = controller
        self.changed = 0
        self.state_at = 0.0
        self.home_at = 0.0
        self._slides: Slideshow | None = None
        # Kept encoded, decoded on demand like the photo service's files: a tablet holds a few
        # decoded photos (the slideshow keeps six pixmaps), never the whole album.
        self._files = {entry.id: _jpeg(_photo(entry.id)) for entry in _entries()}
        controller.home_refreshed.connect(self._home_refreshed)
        self._commands = _Commands()
        self._commands.received.connect(self._run, Qt.ConnectionType.QueuedConnection)
        threading.Thread(target=self._read_stdin, name="bench-stdin", daemon=True).start()
        self._hooked_sync = False

    def _read_stdin(self) -> None:
        for line in sys.stdin:
            self._commands.received.emit(line.strip())

    def _home_refreshed(self) -> None:
        self.home_at = time.monotonic()
        self._hook_sync()

    def _hook_sync(self) -> None:
        service = self.controller.sync_service
        if service is not None and not self._hooked_sync:
            service.state_changed.connect(self._state_changed)
            self._hooked_sync = True

    def _state_changed(self, _state: object) -> None:
        self.changed += 1
        self.state_at = time.monotonic()

    def _slideshow(self) -> Slideshow:
        if self._slides is None:
            slides = Slideshow(controls=False)
            slides.photo_wanted.connect(
                lambda photo_id, _w, _h: slides.set_photo(
                    photo_id, QImage.fromData(self._files[photo_id])
                )
            )
            self.controller.window.add_screen(BENCH_SLIDES, slides)
            slides.set_entries(_entries())
            self._slides = slides
        return self._slides

    def _run(self, command: str) -> None:
        name, _, argument = command.partition(" ")
        window = self.controller.window
        if name == "rss":
            _say(rss_kib=status_kib("VmRSS"), hwm_kib=status_kib("VmHWM"))
        elif name == "slides":
            slides = self._slideshow()
            window.show_screen(BENCH_SLIDES)
            slides.set_pace_seconds(3600)  # the driver steps it, not the timer
            loop = QEventLoop()
            for _ in range(int(argument)):
                slides.step(1)
                # Paint this frame (and let the fade's first ticks run) before the next step.
                loop.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 10)
                window.repaint()
            _say(done="slides", count=int(argument), rss_kib=status_kib("VmRSS"))
        elif name == "frame":
            if window.has_screen(idle.PHOTO_FRAME):
                self.controller.open_screen(idle.PHOTO_FRAME)
                _say(frame="controller")
            else:
                slides = self._slideshow()
                window.show_screen(BENCH_SLIDES)
                slides.set_pace_seconds(photos_view.DEFAULT_SLIDESHOW_SECONDS)
                _say(frame="bench slideshow", pace_s=photos_view.DEFAULT_SLIDESHOW_SECONDS)
        elif name == "home":
            self.controller.show_home()
            _say(screen=window.current_screen_name())
        elif name == "syncs":
            self._hook_sync()
            _say(changed=self.changed, state_at=self.state_at, home_at=self.home_at)
        elif name == "grab":
            _say(saved=window.grab().save(argument), screen=window.current_screen_name())
        elif name == "quit":
            QCoreApplication.quit()
        else:
            _say(error=f"unknown command {command!r}")


class BenchController(kiosk.controller.KioskController):
    driver: Driver

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.driver = Driver(self)
        QTimer.singleShot(0, lambda: _say(started=True, screen=self.window.current_screen_name()))


def main(argv: list[str] | None = None) -> int:
    kiosk.controller.KioskController = BenchController  # type: ignore[misc]
    from kiosk import cli

    return cli.main(argv)


if __name__ == "__main__":
    sys.exit(main())
