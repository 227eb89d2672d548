"""A real backend process with a small circle around Jeanne Martin, for the browser tests and
for `scripts/render_console.py` (the screenshots in docs/screenshots/console-*.png)."""

from __future__ import annotations

import io
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import requests
from PIL import Image

from tests.e2e.conftest import RunningBackend, free_port

API = "/api/v1"
PASSWORD = "un mot de passe solide"
CHROMIUM = Path("/usr/bin/chromium")
# FACTS.md: Debian's Chromium as root, network closed, nothing downloaded.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PARIS = ZoneInfo("Europe/Paris")


def start(data_dir: Path) -> RunningBackend:
    """`foyer-backend serve` on a free loopback port whose public URL is its own (the
    verification URI tablets show must lead back to it)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = data_dir / "backend.log"
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "backend.cli", "serve", "--data", str(data_dir),
             "--host", "127.0.0.1", "--port", str(port), "--public-url", url],
            stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    backend = RunningBackend(url, data_dir, process, log_path)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"backend exited early:\n{log_path.read_text()}")
        try:
            if requests.get(url + "/healthz", timeout=1).ok:
                return backend
        except requests.RequestException:
            time.sleep(0.05)
    backend.stop()
    raise RuntimeError(f"backend did not start:\n{log_path.read_text()}")


@dataclass
class Person:
    id: int
    email: str
    name: str
    headers: dict[str, str]


@dataclass
class Site:
    backend: RunningBackend
    care_manager: Person
    jeanne_id: int
    nurse: Person
    home_aide: Person
    daughter: Person
    people: dict[str, Person] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.backend.url

    def api(self, method: str, path: str, who: Person | None = None, **kwargs: Any) -> Any:
        headers = who.headers if who is not None else {}
        response = requests.request(
            method, self.url + API + path, headers=headers, timeout=10, **kwargs
        )
        assert response.status_code < 400, f"{method} {path}: {response.text}"
        return response.json() if response.content else None

    def expire_sessions(self, email: str) -> None:
        """Make every session of `email` expire now, as time would (the database is the
        backend's own SQLite file)."""
        with sqlite3.connect(self.backend.data_dir / "foyer.sqlite3") as db:
            db.execute(
                "UPDATE access_tokens SET expires_at = ? WHERE user_id ="
                " (SELECT id FROM users WHERE email = ?)",
                ((datetime.now(UTC) - timedelta(minutes=1)).isoformat(), email),
            )


def _token(url: str, email: str) -> dict[str, str]:
    response = requests.post(
        url + API + "/auth/token", data={"username": email, "password": PASSWORD}, timeout=10
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _join(site_url: str, cm: Person, beneficiary_id: int, **invitation: Any) -> Person:
    created = requests.post(
        f"{site_url}{API}/beneficiaries/{beneficiary_id}/invitations",
        json=invitation,
        headers=cm.headers,
        timeout=10,
    ).json()
    token = created["url"].rsplit("/invitation/", 1)[1]
    accepted = requests.post(
        f"{site_url}{API}/invitations/{token}/accept",
        json={"name": invitation["name"], "password": PASSWORD},
        timeout=10,
    ).json()
    email = invitation["email"]
    return Person(accepted["user_id"], email, invitation["name"], _token(site_url, email))


def seed(backend: RunningBackend) -> Site:
    backend.cli(
        "create-user", "--email", "claire.dubois@foyer.example", "--password", PASSWORD,
        "--name", "Claire Dubois", "--role", "care_manager",
    )  # fmt: skip
    url = backend.url
    headers = _token(url, "claire.dubois@foyer.example")
    me = requests.get(url + API + "/me", headers=headers, timeout=10).json()
    cm = Person(me["id"], me["email"], me["name"], headers)

    def post(path: str, body: dict[str, Any]) -> Any:
        response = requests.post(url + API + path, json=body, headers=headers, timeout=10)
        assert response.status_code < 400, response.text
        return response.json()

    jeanne = post(
        "/beneficiaries",
        {"first_name": "Jeanne", "last_name": "Martin", "timezone": "Europe/Paris",
         "place_name": "Lyon 3e"},
    )  # fmt: skip
    post("/beneficiaries", {"first_name": "Hélène", "last_name": "Roux"})
    post("/beneficiaries", {"first_name": "Albert", "last_name": "Durand"})
    nursing = post("/organisations", {"name": "Cabinet infirmier des Lilas", "kind": "nursing"})
    saad = post("/organisations", {"name": "SAAD Bien chez soi", "kind": "home_help"})
    for organisation in (nursing, saad):
        post(f"/beneficiaries/{jeanne['id']}/shares", {"organisation_id": organisation["id"]})
    nurse = _join(
        url, cm, jeanne["id"], email="ines.leroy@lilas.test", name="Inès Leroy",
        relation="professional", profession="nurse", organisation_id=nursing["id"],
    )  # fmt: skip
    aide = _join(
        url, cm, jeanne["id"], email="karima.benali@saad.test", name="Karima Benali",
        relation="professional", profession="home_aide", organisation_id=saad["id"],
    )  # fmt: skip
    daughter = _join(
        url, cm, jeanne["id"], email="sophie.martin@famille.test", name="Sophie Martin",
        relation="family",
    )  # fmt: skip
    # A week of visits, starting this Monday.
    today = datetime.now(PARIS).date()
    monday = today - timedelta(days=today.weekday())
    post(
        f"/beneficiaries/{jeanne['id']}/events",
        {"title": "Soins infirmiers", "kind": "visit", "who": "Inès, infirmière",
         "start": f"{monday}T11:00:00", "duration_minutes": 30,
         "rrule": "FREQ=WEEKLY;BYDAY=MO,TH", "instructions": "Vérifier le pansement du pied."},
    )  # fmt: skip
    post(
        f"/beneficiaries/{jeanne['id']}/events",
        {"title": "Aide au repas", "kind": "visit", "who": "Karima, aide à domicile",
         "start": f"{monday}T12:00:00", "duration_minutes": 60, "rrule": "FREQ=DAILY"},
    )  # fmt: skip
    post(
        f"/beneficiaries/{jeanne['id']}/events",
        {"title": "Visite de Sophie", "kind": "family", "who": "Sophie",
         "start": f"{monday + timedelta(days=5)}T15:00:00", "duration_minutes": 120},
    )  # fmt: skip
    return Site(backend, cm, jeanne["id"], nurse, aide, daughter)


def jpeg(path: Path, color: tuple[int, int, int]) -> Path:
    image = Image.new("RGB", (800, 600), color)
    for x in range(0, 800, 100):  # something to look at
        for y in range(0, 600, 100):
            if (x + y) // 100 % 2:
                image.paste((255, 255, 255), (x, y, x + 50, y + 50))
    out = io.BytesIO()
    image.save(out, "JPEG")
    path.write_bytes(out.getvalue())
    return path
