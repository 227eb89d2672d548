"""The tablet paints home before it loads what talks to the backend (docs/performance.md,
tablet start): building the controller and the window must not import the HTTP library, the
scheduler, the QR code library or the first-boot tools. A fresh interpreter is asked, because
this test process has long imported all of them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

NOT_BEFORE_THE_FIRST_PICTURE = (
    "requests",
    "urllib3",
    "apscheduler",
    "segno",
    "PIL",
    "tomllib",
    "subprocess",
    "uuid",
    "kiosk.background",
    "kiosk.device_client",
    "kiosk.screens.messages_screen",
    "kiosk.screens.photos_screen",
    "kiosk.screens.pairing_screen",
    # Video calls: the call itself is another process; its launcher and screens load when a
    # call comes.
    "aiortc",
    "av",
    "kiosk.call",
    "kiosk.call_launcher",
    "kiosk.call_service",
    "kiosk.screens.call_ringing_screen",
    "kiosk.screens.callers_screen",
    # Built after the first paint: the features with nothing on home (the controller's
    # _build_later_features), the network screen's link, the sync.
    "kiosk.features.updates",
    "kiosk.update_window",
    "kiosk.network.link",
    "kiosk.network.service",
    "kiosk.sync",
    "kiosk.photo_cache",
    "kiosk.professional_view",  # with the professionals' screen
    "kiosk.speech",  # with the messages' screen, or a reminder read aloud
    # Only the maintenance PIN and the photos' and circle's checks need them.
    "hashlib",
    "hmac",
    "secrets",
)

PROGRAM = """
import json, sys, tempfile
from pathlib import Path
from PySide6.QtWidgets import QApplication
import kiosk.cli
from kiosk.controller import KioskController
from kiosk.local_time import LocalTime
from kiosk.main_window import MainWindow
from provisioning import credentials
app = QApplication([])
data = Path(tempfile.mkdtemp())
credentials.save(data, credentials.DeviceCredential("http://127.0.0.1:9", 1, 1, "fyd_t"))
local_time = LocalTime()
window = MainWindow(local_time.now)
controller = KioskController(data, "http://127.0.0.1:9", window, local_time)
window.show()
app.processEvents()
print(json.dumps({"screen": window.current_screen_name(), "modules": sorted(sys.modules)}))
"""


def test_home_is_shown_before_the_network_libraries_are_loaded() -> None:
    answer = subprocess.run(
        [sys.executable, "-c", PROGRAM],
        cwd=ROOT,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    result = json.loads(answer.stdout.strip().splitlines()[-1])
    assert result["screen"] == "home"
    loaded = set(result["modules"])
    assert [m for m in NOT_BEFORE_THE_FIRST_PICTURE if m in loaded] == []
