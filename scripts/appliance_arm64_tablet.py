"""The tablet step of scripts/appliance_arm64, in two roles.

Inside the arm64 rootfs (under qemu-user, with the slot's Python): the installed tablet code,
built as `foyer-kiosk` builds it, offscreen at 1280×800. It prints the code the pairing
screen's label shows ("code WDJB-MJHT"), saves the pairing screen, waits for home and saves it.

On the host (`--approve … -- COMMAND`): runs COMMAND (the tablet above), reads the code it
printed and approves it as the demo care manager does in the console (POST
/api/v1/devices/approve for the demo beneficiary), then waits for the tablet to reach home.

"Read off the screen" here means the text of the label the pairing screen paints (the same
widget the screenshot shows), not OCR of the picture.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

# The demo care manager (backend/demo_data.py), made by `foyer-backend seed-demo`.
DEMO_EMAIL = "claire.dubois@foyer.example"
DEMO_PASSWORD = "demo-foyer-2026"  # noqa: S105 (a demo database only)
PARIS = ZoneInfo("Europe/Paris")
# The tablet's clock is moved to mid-afternoon: approving gives it the default configuration,
# whose night (21:30–07:00) would otherwise show the night screen instead of home at night.
DAYTIME_HOUR = 15


def daytime_clock() -> timedelta:
    real = datetime.now(PARIS)
    target = real.replace(hour=DAYTIME_HOUR, minute=0, second=0, microsecond=0)
    return target.astimezone(UTC) - real.astimezone(UTC)


def run_tablet(backend: str, data: Path, out: Path, timeout: float) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from kiosk.background import make_scheduler, shutdown_scheduler
    from kiosk.controller import KioskController
    from kiosk.local_time import LocalTime
    from kiosk.main_window import MainWindow
    from provisioning.http import new_session

    started = time.monotonic()
    app = QApplication(sys.argv[:1])
    shift = daytime_clock()
    local_time = LocalTime(source=lambda: datetime.now(UTC) + shift)
    window = MainWindow(local_time.now)
    window.resize(1280, 800)
    controller = KioskController(data, backend, window, local_time)
    window.show()
    scheduler = make_scheduler()
    scheduler.start()
    controller.start(scheduler, new_session())
    state: dict[str, str] = {"code": ""}
    result = {"code": 1}

    def save(name: str) -> None:
        app.processEvents()
        path = out / f"{name}.png"
        if not window.grab().save(str(path)):
            raise SystemExit(f"could not write {path}")
        print(f"saved {path} at {time.monotonic() - started:.1f} s", flush=True)

    def poll() -> None:
        screen = window.current_screen_name()
        if not state["code"] and screen == "pairing":
            code = window.pairing.code_text()
            if code:
                state["code"] = code
                print(f"shown at {time.monotonic() - started:.1f} s", flush=True)
                save("pairing")
                print(f"code {code}", flush=True)
        if state["code"] and screen == "home":
            # Let the home screen take the synchronised day in before the picture.
            QTimer.singleShot(3000, lambda: finish(0))
            timer.stop()
        elif time.monotonic() - started > timeout:
            print(f"still on {screen!r} after {timeout:.0f} s", flush=True)
            save("stuck")
            finish(1)

    def finish(status: int) -> None:
        if status == 0:
            save("home")
            print(f"home at {time.monotonic() - started:.1f} s", flush=True)
        result["code"] = status
        app.quit()

    timer = QTimer()
    timer.timeout.connect(poll)
    timer.start(200)
    app.exec()
    controller.shutdown()
    shutdown_scheduler(scheduler)
    return result["code"]


def approve(backend: str, command: list[str], timeout: float) -> int:
    import requests

    token = requests.post(
        f"{backend}/api/v1/auth/token",
        data={"username": DEMO_EMAIL, "password": DEMO_PASSWORD},
        timeout=30,
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    beneficiaries = requests.get(f"{backend}/api/v1/beneficiaries", headers=headers, timeout=30)
    beneficiaries.raise_for_status()
    beneficiary = beneficiaries.json()[0]["id"]
    started = time.monotonic()
    tablet = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert tablet.stdout is not None
    for line in tablet.stdout:
        print(f"  tablet: {line.rstrip()}", flush=True)
        if line.startswith("code "):
            code = line.split()[1]
            answer = requests.post(
                f"{backend}/api/v1/devices/approve",
                json={"user_code": code, "beneficiary_id": beneficiary},
                headers=headers,
                timeout=30,
            )
            print(
                f"  approved {code} for beneficiary {beneficiary}: HTTP {answer.status_code} "
                f"at {time.monotonic() - started:.1f} s",
                flush=True,
            )
            if answer.status_code != 200:
                tablet.kill()
                return 1
    return tablet.wait(timeout=timeout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", required=True)
    parser.add_argument("--data", type=Path)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument("--approve", action="store_true", help="the host's role")
    parser.add_argument("command", nargs="*", help="the tablet's command (with --approve)")
    args = parser.parse_args()
    if args.approve:
        return approve(args.backend, args.command, args.timeout)
    if args.data is None or args.out is None:
        parser.error("--data and --out are needed for the tablet")
    return run_tablet(args.backend, args.data, args.out, args.timeout)


if __name__ == "__main__":
    sys.exit(main())
