"""The QtWebEngine candidate for the tablet's call stack (bench/call_stack_choice.py): a
full-window QWebEngineView that loads the bench's answering page (WebRTC in Qt's Chromium).

Imports only the standard library and PySide6 (with PySide6-Addons' QtWebEngine), so that it
runs from a throwaway environment — the project's own set never carries QtWebEngine:

    python bench/call_stack_webengine.py --page URL [--size 1280x800]

The page does the WebRTC itself and reports its first decoded frame to the bench's server.
"""

from __future__ import annotations

import argparse
import os
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--page", required=True)
    parser.add_argument("--size", default="1280x800")
    args = parser.parse_args(argv)
    # Fake camera and microphone (Chromium's own), allowed without a prompt; no GPU here.
    os.environ.setdefault(
        "QTWEBENGINE_CHROMIUM_FLAGS",
        "--use-fake-device-for-media-stream --use-fake-ui-for-media-stream --disable-gpu"
        " --autoplay-policy=no-user-gesture-required",
    )
    os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")

    from PySide6.QtCore import QUrl
    from PySide6.QtWebEngineWidgets import QWebEngineView
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    view = QWebEngineView()
    width, height = (int(v) for v in args.size.split("x"))
    view.resize(width, height)
    view.show()
    view.load(QUrl(args.page))
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())
