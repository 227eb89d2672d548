"""`foyer-demo`: a backend with demo data on SQLite and a tablet paired to it, in one command.

The tablet is paired through the real device protocol (RFC 8628): a code is requested for the
tablet's data directory, approved as the demo care manager, and the credential saved, exactly
as a care manager typing the code in the console would do it.
"""

from __future__ import annotations

import io
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import requests

from backend.demo_data import DEMO_EMAIL, DEMO_FAMILY_EMAIL, DEMO_FAMILY_PASSWORD, DEMO_PASSWORD
from demo import pictures as demo_pictures
from demo import recorded_weather
from provisioning import credentials
from provisioning.http import new_session
from provisioning.pairing import PairingClient, PairingUnavailable

log = logging.getLogger("foyer.demo")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_backend(
    data_dir: Path, port: int, log_file: Path, open_meteo_url: str | None = None
) -> subprocess.Popen[bytes]:
    base = [sys.executable, "-m", "backend.cli"]
    subprocess.run([*base, "seed-demo", "--data", str(data_dir)], check=True)
    serve = [*base, "serve", "--data", str(data_dir), "--host", "127.0.0.1", "--port", str(port)]
    if open_meteo_url is not None:
        serve += ["--open-meteo-url", open_meteo_url]
    with log_file.open("ab") as out:
        return subprocess.Popen(serve, stdout=out, stderr=subprocess.STDOUT)


def wait_until_up(url: str, process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the backend exited with code {process.returncode}")
        try:
            if requests.get(f"{url}/healthz", timeout=1).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the backend did not answer on {url} within {timeout:.0f} s")


def credential_still_valid(http: requests.Session, url: str, tablet_dir: Path) -> bool:
    credential = credentials.load(tablet_dir)
    if credential is None:
        return False
    answer = http.get(
        f"{url}/api/v1/device/sync",
        headers={"Authorization": f"Bearer {credential.access_token}"},
        timeout=10,
    )
    return answer.status_code == 200


def log_in(http: requests.Session, url: str, email: str, password: str) -> dict[str, str]:
    """The Authorization header of a console user of the demo."""
    login = http.post(
        f"{url}/api/v1/auth/token",
        data={"username": email, "password": password},
        timeout=10,
    )
    login.raise_for_status()
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


def pair_as_demo_care_manager(http: requests.Session, url: str, tablet_dir: Path) -> None:
    auth = log_in(http, url, DEMO_EMAIL, DEMO_PASSWORD)
    beneficiaries = http.get(f"{url}/api/v1/beneficiaries", headers=auth, timeout=10).json()
    jeanne = next(b for b in beneficiaries if b["first_name"] == "Jeanne")
    client = PairingClient(http, url)
    code = client.request_code(datetime.now(UTC))
    approved = http.post(
        f"{url}/api/v1/devices/approve",
        json={"user_code": code.user_code, "beneficiary_id": jeanne["id"]},
        headers=auth,
        timeout=10,
    )
    approved.raise_for_status()
    interval = code.interval
    failures = 0
    while True:
        time.sleep(interval)
        try:
            error, body = client.poll(code.device_code)
            failures = 0
        except PairingUnavailable:
            failures += 1
            if failures >= 5:  # not a race any more: the backend is gone
                raise
            # Waiting `interval` (5 s) lets the server drop the idle keep-alive connection at
            # the moment we reuse it (uvicorn's keep-alive is 5 s too): a reset, not a refusal.
            # RFC 8628 §3.5: poll again, later.
            log.info("pairing poll interrupted; polling again")
            continue
        if error is None:
            credentials.save(
                tablet_dir,
                credentials.DeviceCredential(
                    backend_url=url,
                    device_id=int(body["device_id"]),
                    beneficiary_id=int(body["beneficiary_id"]),
                    access_token=str(body["access_token"]),
                ),
            )
            return
        if error == "slow_down":
            interval += 5
        elif error != "authorization_pending":
            raise RuntimeError(f"pairing failed: {error}")


def home_at_any_hour(http: requests.Session, url: str, tablet_dir: Path) -> None:
    """A demo is looked at at any hour: its tablet has no night mode (night start equal to
    its end), so the home, weather included, is what a new user sees at 22 h too."""
    credential = credentials.load(tablet_dir)
    if credential is None:
        return
    auth = log_in(http, url, DEMO_EMAIL, DEMO_PASSWORD)
    path = f"{url}/api/v1/devices/{credential.device_id}/config"
    current = http.get(path, headers=auth, timeout=10)
    current.raise_for_status()
    document = dict(current.json()["document"])
    if document.get("night_start") == document.get("night_end"):
        return
    document.pop("maintenance_pin", None)  # never read back in clear; left as it is
    document.pop("maintenance_pin_set", None)
    document["night_start"] = document["night_end"] = "07:00"
    saved = http.put(
        path,
        json={"document": document, "expected_version": current.json()["version"]},
        headers=auth,
        timeout=10,
    )
    saved.raise_for_status()


# Marie's photos, drawn here and sent through the backend's upload (so they are re-encoded
# like any photo). Sent again on a later run, they are recognised as duplicates.
DEMO_PHOTOS = (
    (demo_pictures.sunset, "Le coucher de soleil à Quiberon"),
    (demo_pictures.garden, "Les dahlias du jardin de Thomas"),
    (demo_pictures.boat, "Sortie en bateau à Belle-Île"),
)


def send_family_photos(http: requests.Session, url: str) -> None:
    auth = log_in(http, url, DEMO_FAMILY_EMAIL, DEMO_FAMILY_PASSWORD)
    beneficiaries = http.get(f"{url}/api/v1/beneficiaries", headers=auth, timeout=10).json()
    jeanne = next(b for b in beneficiaries if b["first_name"] == "Jeanne")
    for draw, caption in DEMO_PHOTOS:
        jpeg = io.BytesIO()
        draw().save(jpeg, "JPEG", quality=88)
        sent = http.post(
            f"{url}/api/v1/beneficiaries/{jeanne['id']}/photos",
            files=[("files", (f"{draw.__name__}.jpg", jpeg.getvalue(), "image/jpeg"))],
            data={"caption": caption},
            headers=auth,
            timeout=60,
        )
        if sent.status_code not in (200, 201):  # 200: already sent on an earlier run
            raise RuntimeError(f"demo photo refused: HTTP {sent.status_code} {sent.text[:200]}")


def run_demo(data_dir: Path, screenshot: Path | None, port: int | None) -> int:
    data_dir = data_dir.resolve()
    backend_dir, tablet_dir = data_dir / "backend", data_dir / "tablet"
    backend_dir.mkdir(parents=True, exist_ok=True)
    tablet_dir.mkdir(parents=True, exist_ok=True)
    display = bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if screenshot is None and not display:
        screenshot = data_dir / "home.png"
        print("No display found: the home screen will be saved to a file.")
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    backend_log = data_dir / "backend.log"
    # The whole home, weather included, even without a network: a recorded Open-Meteo answer.
    weather = None if recorded_weather.reachable() else recorded_weather.RecordedWeather()
    if weather is not None:
        print("Open-Meteo is out of reach: the weather is a recorded forecast (demo/).")
    backend = start_backend(backend_dir, port, backend_log, weather.url if weather else None)
    try:
        wait_until_up(url, backend)
        http = new_session()
        if not credential_still_valid(http, url, tablet_dir):
            credentials.erase(tablet_dir)
            pair_as_demo_care_manager(http, url, tablet_dir)
        home_at_any_hour(http, url, tablet_dir)
        send_family_photos(http, url)
        print(f"Backend: {url}  (log: {backend_log})")
        print(f"Care manager login: {DEMO_EMAIL} / {DEMO_PASSWORD}")
        if screenshot is None:  # a window: someone can try a video call (docs/calls.md)
            print(
                f"Video call: open {url} here, log in as {DEMO_FAMILY_EMAIL} / "
                f"{DEMO_FAMILY_PASSWORD}, then Jeanne's « Appels » tab, « Appeler Jeanne »."
            )
        kiosk = [sys.executable, "-m", "kiosk.cli", "--backend", url, "--data", str(tablet_dir)]
        if screenshot is not None:
            kiosk += ["--screenshot", str(screenshot.resolve()), "--after", "3"]
        else:
            kiosk += ["--windowed"]
        return subprocess.run(kiosk, check=False).returncode
    finally:
        backend.send_signal(signal.SIGINT)
        try:
            backend.wait(timeout=10)
        except subprocess.TimeoutExpired:
            backend.kill()
        if weather is not None:
            weather.close()
