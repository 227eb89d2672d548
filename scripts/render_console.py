#!/usr/bin/env python3
"""Screenshots of every web console page, desktop (1280×800) and phone (390×844), into
docs/screenshots/console-<page>.png and console-<page>-phone.png.

It starts a real backend on loopback with a small circle around Jeanne Martin (the browser
tests' `tests/browser/site.py`), pairs a tablet that reports its status, adds a month of moods,
messages, photos and alerts (open, taken on, closed with a note), and drives Debian's Chromium
through each page.

    .venv/bin/python scripts/render_console.py [--out DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Page, sync_playwright  # noqa: E402

from backend import db  # noqa: E402
from backend.models import (  # noqa: E402
    Beneficiary,
    Call,
    Device,
    DeviceStatus,
    Membership,
    MoodCheckin,
    Organisation,
    Release,
    User,
)
from backend.services import accounts, alerts, calls, rollouts  # noqa: E402
from tests.browser.site import (  # noqa: E402
    API,
    CHROMIUM,
    CHROMIUM_ARGS,
    PASSWORD,
    Site,
    jpeg,
    seed,
    start,
)
from tests.fake_open_meteo import FakeOpenMeteo  # noqa: E402

GRANT = "urn:ietf:params:oauth:grant-type:device_code"
FAKE_MEDIA = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]


def enrich(site: Site, work: Path) -> dict[str, Any]:
    """Things to look at: a tablet with a status, moods, messages, photos, a pending code."""
    url, cm, jeanne = site.url, site.care_manager, site.jeanne_id
    grant = requests.post(
        url + API + "/device/authorize", data={"client_id": "foyer-kiosk"}, timeout=10
    ).json()
    site.api(
        "POST",
        "/devices/approve",
        cm,
        json={"user_code": grant["user_code"], "beneficiary_id": jeanne},
    )
    token = requests.post(
        url + API + "/device/token",
        data={"grant_type": GRANT, "device_code": grant["device_code"], "client_id": "foyer-kiosk"},
        timeout=10,
    ).json()
    device = {"Authorization": f"Bearer {token['access_token']}"}
    requests.post(
        url + API + "/device/status",
        json={"app_version": "0.4.1", "free_disk_bytes": 11_200_000_000, "last_error": None,
              "outbox_pending": 0, "config_version": 1},
        headers=device,
        timeout=10,
    )  # fmt: skip
    engine = db.make_engine(f"sqlite:///{site.backend.data_dir / 'foyer.sqlite3'}")
    sessions = db.make_session_factory(engine)
    now = datetime.now(UTC)
    with db.session_scope(sessions) as session:
        for day in range(28, 0, -1):
            score = [4, 4, 3, 5, 4, 3, 2][day % 7]
            session.add(
                MoodCheckin(
                    beneficiary_id=jeanne,
                    device_id=token["device_id"],
                    score=score,
                    tags=json.dumps(["bien dormi"] if score >= 4 else []),
                    recorded_at=now - timedelta(days=day, hours=1),
                    created_at=now - timedelta(days=day),
                )
            )
    # Alerts: a critical reminder nobody confirmed (open), another one the care manager took
    # on, Hélène's tablet gone quiet, a mood alert closed with a note.
    helene = next(
        b["id"] for b in site.api("GET", "/beneficiaries", cm) if b["first_name"] == "Hélène"
    )
    raised = {}
    with db.session_scope(sessions) as session:
        for key, who, kind, message, critical, minutes in (
            ("mood", jeanne, "mood_drop",
             "Humeur en baisse : 2,1 en moyenne sur 7 jours (3,9 la semaine d'avant)", False, 1500),
            ("taken", jeanne, "reminder_missed",
             "Un rappel n'a pas été confirmé pour Jeanne Martin", False, 95),
            ("tablet", helene, "tablet_offline",
             "La tablette de Hélène Roux est hors ligne depuis hier à 18 h", False, 40),
            ("critical", jeanne, "reminder_missed",
             "Un rappel n'a pas été confirmé pour Jeanne Martin", True, 12),
        ):  # fmt: skip
            alert = alerts.raise_alert(
                session,
                beneficiary_id=who,
                kind=kind,
                message=message,
                dedupe_key=f"screenshot:{key}",
                recipient_ids=[],
                critical=critical,
                now=now - timedelta(minutes=minutes),
            )
            assert alert is not None
            raised[key] = alert.id
    # Video calls: Sophie may call (the tablet answering by itself), the nurse too (Jeanne
    # answers her herself); a week of calls in the log.
    with db.session_scope(sessions) as session:
        manager = session.get(User, cm.id)
        assert manager is not None
        calls.approve_caller(session, manager, jeanne, site.daughter.id, now, auto_answer=True)
        calls.approve_caller(session, manager, jeanne, site.nurse.id, now, auto_answer=True)
        for days, who, direction, outcome, seconds, reason in (  # oldest first, as they came
            (4.1, site.daughter.id, "to_tablet", "cancelled", None, "cancelled"),
            (3.2, site.daughter.id, "from_tablet", "completed", 431, "hangup"),
            (2.3, site.daughter.id, "to_tablet", "completed", 1124, "network"),
            (1.1, site.nurse.id, "to_tablet", "refused", None, "refused"),
            (0.9, site.daughter.id, "from_tablet", "missed", None, "timeout"),
            (0.2, site.daughter.id, "to_tablet", "completed", 252, "hangup"),
        ):  # fmt: skip
            at = now - timedelta(days=days)
            answered = None if seconds is None else at + timedelta(seconds=6)
            ended = at if seconds is None else at + timedelta(seconds=6 + seconds)
            session.add(
                Call(
                    beneficiary_id=jeanne, user_id=who, direction=direction, state="ended",
                    outcome=outcome, created_at=at, ring_until=at + timedelta(seconds=45),
                    answered_at=answered, ended_at=ended, ended_by="console", end_reason=reason,
                )
            )  # fmt: skip
    engine.dispose()
    # Jeanne takes herself off auto-answer for the nurse, on her tablet.
    requests.post(
        url + API + "/device/actions",
        json={"type": "call_auto_answer", "data": {"user_id": site.nurse.id, "declined": True}},
        headers={**device, "Idempotency-Key": "screenshot-auto-answer"},
        timeout=10,
    )
    site.api("POST", f"/alerts/{raised['taken']}/take", cm)
    site.api("POST", f"/alerts/{raised['mood']}/take", cm)
    site.api("POST", f"/alerts/{raised['mood']}/close", cm,
             json={"note": "Appelé Sophie : Jeanne a mal dormi après sa chute de lundi ; "
                           "l'infirmière passe demain."})  # fmt: skip
    site.api("PUT", "/me/notifications", cm, json={
        "email_mode": "digest", "digest_hour": 18, "quiet_start": "21:00",
        "quiet_end": "07:30", "timezone": "Europe/Paris"})  # fmt: skip
    site.api("POST", f"/beneficiaries/{jeanne}/wellbeing/readings", site.nurse,
             json={"score": 3, "note": "Un peu fatiguée, tension normale."})  # fmt: skip
    messages = f"/beneficiaries/{jeanne}/messages"
    daily = site.api(
        "POST",
        messages,
        site.daughter,
        json={"space": "daily", "body": "Je passe jeudi avec les petits 🙂"},
    )
    site.api(
        "POST",
        messages,
        site.home_aide,
        json={"space": "daily", "body": "Plus de sacs poubelle : j'en rapporte demain."},
    )
    health = site.api("POST", messages, cm, json={
        "space": "health", "body": "Pansement du pied à refaire mercredi ; surveiller la rougeur.",
        "recipient_ids": [site.nurse.id], "to_beneficiary": False})  # fmt: skip
    # The nurse writes to Jeanne; Jeanne answers both with one tap on the tablet.
    to_jeanne = site.api("POST", messages, site.nurse, json={
        "space": "health", "body": "Prise de sang demain à 8 h : restez à jeun.",
        "recipient_ids": [cm.id], "to_beneficiary": True})  # fmt: skip
    for original, words in ((daily, "Je t'embrasse"), (to_jeanne, "Bien reçu")):
        requests.post(
            url + API + "/device/actions",
            json={"type": "reply", "data": {"reply_to_id": original["id"], "body": words}},
            headers={**device, "Idempotency-Key": f"tablet-reply-{original['id']}"},
            timeout=10,
        )
    # The nurse has her tablet PIN, has arrived; the aide says why yesterday's meal did not
    # happen (where yesterday had one).
    site.api("POST", "/me/pin", site.nurse, json={"pin": "4821"})
    site.api("POST", f"/beneficiaries/{jeanne}/visits/arrival", site.nurse)
    log = site.api(
        "GET",
        f"/beneficiaries/{jeanne}/visits",
        cm,
        params={"start": (now - timedelta(days=1)).date().isoformat()},
    )
    for entry in log:
        if entry["status"] == "missed" and entry["planned"]:
            requests.put(
                url + API + f"/beneficiaries/{jeanne}/visits/absence",
                json={"event_id": entry["planned"]["event_id"],
                      "occurrence_start": entry["planned"]["start"], "reason": "no_answer"},
                headers=site.home_aide.headers,
                timeout=10,
            )  # fmt: skip
            break
    files = [
        jpeg(work / f"photo{n}.jpg", color)
        for n, color in enumerate([(180, 60, 40), (40, 110, 160), (90, 150, 60)])
    ]
    requests.post(
        url + API + f"/beneficiaries/{jeanne}/photos",
        files=[("files", (f.name, f.read_bytes(), "image/jpeg")) for f in files],
        data={"caption": "Dimanche au jardin"},
        headers=site.daughter.headers,
        timeout=30,
    )
    pending = requests.post(
        url + API + "/device/authorize", data={"client_id": "foyer-kiosk"}, timeout=10
    ).json()
    neighbour = {"email": "marc.petit@voisin.test", "name": "Marc Petit", "relation": "neighbour"}
    invitation = site.api("POST", f"/beneficiaries/{jeanne}/invitations", cm, json=neighbour)
    # Someone whose town is two places (the edit page offers the choice).
    rose = site.api(
        "POST",
        "/beneficiaries",
        cm,
        json={"first_name": "Rose", "last_name": "Payet", "place_name": "Saint-Denis"},
    )
    return {
        "alert": raised["taken"],
        "rose": rose["id"],
        "device": token["device_id"],
        "health": health["id"],
        "pending": pending["user_code"],
        "invitation": invitation["url"].removeprefix(url),
        "device_headers": device,
    }


# A fleet for the organisation's pages (issue 18): care managers of the SAAD with their
# people's tablets, several versions, a rollout at 25 % with a few failures.
FLEET_MANAGERS = ("Nadia Leclerc", "Julien Girard", "Awa Diallo")
FLEET_PER_MANAGER = 140
FIRST_NAMES = (
    "Marcel",
    "Yvette",
    "Lucien",
    "Odette",
    "René",
    "Simone",
    "Gilbert",
    "Paulette",
    "Roger",
    "Germaine",
    "André",
    "Josette",
    "Henri",
    "Raymonde",
    "Fernand",
)
LAST_NAMES = ("Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau",
              "Laurent", "Simon", "Michel", "Lefebvre", "Leroy", "Roux", "David", "Bertrand",
              "Morel", "Fournier", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine")  # fmt: skip
FAILURE_REASONS = (
    "Le kiosque n'a pas démarré après la mise à jour : retour à 0.4.1",
    "Téléchargement interrompu trois fois (réseau trop lent)",
    "Espace disque insuffisant pour installer la nouvelle version",
)


def enrich_fleet(site: Site) -> int:
    """The SAAD's fleet: 420 more tablets; the SAAD's id."""
    engine = db.make_engine(f"sqlite:///{site.backend.data_dir / 'foyer.sqlite3'}")
    sessions = db.make_session_factory(engine)
    now = datetime.now(UTC)
    with db.session_scope(sessions) as session:
        saad = session.scalars(
            select(Organisation).where(Organisation.name == "SAAD Bien chez soi")
        ).one()
        saad_id = saad.id
        n = 0
        for name in FLEET_MANAGERS:
            email = name.lower().replace(" ", ".") + "@saad.test"
            manager = accounts.create_user(session, email, PASSWORD, name, "care_manager")
            session.add(Membership(user_id=manager.id, organisation_id=saad_id, role="staff"))
            for _ in range(FLEET_PER_MANAGER):
                n += 1
                person = Beneficiary(
                    first_name=FIRST_NAMES[n % len(FIRST_NAMES)],
                    last_name=LAST_NAMES[(n * 7) % len(LAST_NAMES)],
                    care_manager_id=manager.id,
                )
                session.add(person)
                session.flush()
                # Most seen within the minute; some gone quiet for hours or days.
                quiet = [30, 45, 20, 60, 50, 3 * 3600, 40, 35, 2 * 86400, 25][n % 10]
                seen = now - timedelta(seconds=quiet + n % 20)
                device = Device(
                    beneficiary_id=person.id,
                    name="Tablette salon" if n % 4 else "Tablette chambre",
                    credential_hash=hashlib.sha256(f"fleet-{n}".encode()).hexdigest(),
                    created_at=now - timedelta(days=90),
                    last_seen_at=None if n % 97 == 0 else seen,
                    update_channel="beta" if n % 23 == 0 else "stable",
                )
                session.add(device)
                session.flush()
                if n % 97 == 0:
                    continue  # never connected
                version = "0.4.0" if n % 9 == 0 else "0.3.9" if n % 31 == 0 else "0.4.1"
                status = DeviceStatus(
                    device_id=device.id,
                    app_version=version,
                    outbox_pending=0,
                    reported_at=seen,
                    free_disk_bytes=(400 if n % 41 == 0 else 9000) * 10**6,
                    disk_total_bytes=16 * 10**9,
                    screen_on=True,
                    started_at=seen - timedelta(days=3),
                    last_touch_at=seen - timedelta(minutes=40),
                    restarts_today=4 if n % 53 == 0 else 0,
                )
                session.add(status)
        release = Release(
            version="0.5.0",
            filename="foyer-0.5.0-py3-none-any.whl",
            size=4_812_345,
            sha256="5" * 64,
            signature="c2lnbmF0dXJl",
            notes="Agenda plus lisible ; appels plus stables",
            created_at=now - timedelta(days=2),
        )
        session.add(release)
        session.flush()
        claire = session.get(User, site.care_manager.id)
        assert claire is not None
        rollout = rollouts.create_rollout(
            session, organisation_id=saad_id, release_id=release.id, channel="stable",
            stages=[5, 25, 100], created_by_id=claire.id, now=now - timedelta(days=1, hours=3),
        )  # fmt: skip
        rollouts.advance(session, rollout, now - timedelta(hours=20))
        # The stage's tablets that were online installed it; three failed, each its reason
        # (reported last: early failures among few reports would halt it, as they should).
        failures = 0
        stage = rollouts.in_stage_tablets(session, rollout)
        for tablet in sorted(stage, key=lambda t: t.device_id % 7 == 0):
            member = session.get(Device, tablet.device_id)
            reported = session.get(DeviceStatus, tablet.device_id)
            if member is None or reported is None or member.last_seen_at is None:
                continue
            if now - member.last_seen_at > timedelta(hours=1) or member.id % 3 == 0:
                continue  # offline, or not yet past its quiet hours: still waiting
            device, status = member, reported
            failed = failures < len(FAILURE_REASONS) and device.id % 7 == 0
            rollouts.report(
                session, device, rollout_id=rollout.id, version="0.5.0",
                outcome=("rolled_back" if failures != 1 else "failed") if failed else "installed",
                from_version=status.app_version,
                reason=FAILURE_REASONS[failures] if failed else None,
                now=now - timedelta(hours=19 - failures * 3),
            )  # fmt: skip
            if failed:
                failures += 1
                status.last_error_code = "update_failed"
            else:
                status.previous_app_version = status.app_version
                status.app_version = "0.5.0"
                status.app_version_since = now - timedelta(hours=18)
    engine.dispose()
    return saad_id


def shoot_calls(page: Page, site: Site, extra: dict[str, Any], out: Path, suffix: str) -> None:
    """Sophie's call page while it rings at Jeanne's (then hung up), and the banner of a call
    from the tablet over her messages (then given up by the tablet)."""
    jeanne, tablet = site.jeanne_id, extra["device_headers"]
    page.goto(f"{site.url}/b/{jeanne}/call")
    page.locator("#call-state").filter(has_text="Ça sonne chez Jeanne").wait_for(timeout=15000)
    page.wait_for_timeout(1500)  # a few frames of the fake camera in the corner
    page.screenshot(path=str(out / f"console-call{suffix}.png"))
    page.get_by_role("button", name="Raccrocher").click()
    page.locator("#call-state").filter(has_text="annulé").wait_for()
    page.goto(f"{site.url}/b/{jeanne}/messages?space=daily")
    call = requests.post(
        site.url + API + "/device/calls",
        json={"user_id": site.daughter.id},
        headers=tablet,
        timeout=10,
    ).json()["call"]
    page.get_by_role("alertdialog").wait_for(timeout=15000)
    page.screenshot(path=str(out / f"console-call-incoming{suffix}.png"))
    requests.post(
        f"{site.url}{API}/device/calls/{call['id']}/hangup",
        json={"reason": "hangup"},
        headers=tablet,
        timeout=10,
    )
    page.get_by_role("alertdialog").wait_for(state="hidden", timeout=15000)
    for target in ("console-call", "console-call-incoming"):
        print(out / f"{target}{suffix}.png")


def sign_in(page: Page, site: Site, email: str) -> None:
    page.goto(site.url + "/login")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument(
        "--only", default="", help="these pages only, by name (fleet,updates): no form pages"
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        # The backend's geocoding is a fake Open-Meteo on loopback (two Saint-Denis).
        fake = FakeOpenMeteo().start()
        os.environ["FOYER_GEOCODING_URL"] = fake.geocoding_url
        backend = start(work / "backend")
        try:
            site = seed(backend)
            extra = enrich(site, work)
            saad = enrich_fleet(site)
            jeanne = site.jeanne_id
            pages: list[tuple[str, str, str | None]] = [
                ("login", "/login", None),
                ("invitation", str(extra["invitation"]), None),
                ("dashboard", "/", site.care_manager.email),
                ("pair", f"/pair?code={extra['pending']}", site.care_manager.email),
                ("agenda", f"/b/{jeanne}/agenda", site.care_manager.email),
                ("agenda-ics", f"/b/{jeanne}/agenda/ics", site.care_manager.email),
                ("event-form", f"/b/{jeanne}/agenda/new", site.care_manager.email),
                ("messages", f"/b/{jeanne}/messages?space=daily", site.care_manager.email),
                ("health", f"/b/{jeanne}/messages?space=health", site.care_manager.email),
                ("message", f"/messages/{extra['health']}", site.nurse.email),
                ("photos", f"/b/{jeanne}/photos", site.daughter.email),
                ("wellbeing", f"/b/{jeanne}/wellbeing", site.care_manager.email),
                ("circle", f"/b/{jeanne}/circle", site.care_manager.email),
                ("visits", f"/b/{jeanne}/visits", site.care_manager.email),
                ("visit", f"/b/{jeanne}/visit", site.nurse.email),
                ("account-pin", "/account", site.nurse.email),
                ("health-nurse", f"/b/{jeanne}/messages?space=health", site.nurse.email),
                ("messages-family", f"/b/{jeanne}/messages?space=daily", site.daughter.email),
                ("tablets", f"/b/{jeanne}/tablets", site.care_manager.email),
                ("tablet-config", f"/devices/{extra['device']}/config", site.care_manager.email),
                ("tablet-revoke", f"/devices/{extra['device']}/revoke", site.care_manager.email),
                ("beneficiary-edit", f"/b/{extra['rose']}/edit?locate=1", site.care_manager.email),
                ("account", "/account", site.daughter.email),
                ("family-home", "/", site.daughter.email),
                ("not-found", "/messages/999999", site.nurse.email),
                ("alerts", "/alerts?state=all", site.care_manager.email),
                ("alerts-detail", f"/alerts/{extra['alert']}", site.care_manager.email),
                ("alerts-notifications", "/account/notifications", site.care_manager.email),
                ("calls", f"/b/{jeanne}/calls", site.care_manager.email),
                ("calls-family", f"/b/{jeanne}/calls", site.daughter.email),
                ("calls-not-approved", f"/b/{jeanne}/calls", site.home_aide.email),
                ("fleet", f"/o/{saad}/fleet", site.care_manager.email),
                ("fleet-failed", f"/o/{saad}/fleet?show=failed", site.care_manager.email),
                ("updates", f"/o/{saad}/updates", site.care_manager.email),
            ]
            if args.only:
                pages = [p for p in pages if p[0] in args.only.split(",")]
            with sync_playwright() as playwright:
                # A fake camera and microphone, granted without asking, for the call page.
                browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM), args=[*CHROMIUM_ARGS, *FAKE_MEDIA]
                )
                for suffix, viewport in (
                    ("", {"width": 1280, "height": 800}),
                    ("-phone", {"width": 390, "height": 844}),
                ):
                    contexts: dict[str | None, Page] = {}
                    for name, path, who in pages:
                        if who not in contexts:
                            context = browser.new_context(viewport=viewport, locale="fr-FR")  # type: ignore[arg-type]
                            contexts[who] = context.new_page()
                            if who is not None:
                                sign_in(contexts[who], site, who)
                        page = contexts[who]
                        page.goto(site.url + path)
                        target = args.out / f"console-{name}{suffix}.png"
                        page.screenshot(path=str(target), full_page=True)
                        print(target.relative_to(ROOT) if target.is_relative_to(ROOT) else target)
                    if args.only:
                        continue
                    # Pages that answer a form: a pairing approved (the tablet's own PIN shown
                    # once), an invitation created (its link, copy button and expiry).
                    page = contexts[site.care_manager.email]
                    code = requests.post(
                        site.url + API + "/device/authorize",
                        data={"client_id": "foyer-kiosk"},
                        timeout=10,
                    ).json()["user_code"]
                    page.goto(f"{site.url}/pair?code={code}")
                    page.get_by_label("Bénéficiaire").select_option(label="Jeanne Martin")
                    page.get_by_label("Le code ci-dessus est bien celui affiché").check()
                    page.get_by_role("button", name="Associer", exact=True).click()
                    page.screenshot(
                        path=str(args.out / f"console-pair-done{suffix}.png"), full_page=True
                    )
                    page.goto(f"{site.url}/b/{jeanne}/circle")
                    page.get_by_label("Nom", exact=True).fill("Lucie Martin")
                    page.get_by_label("Adresse e-mail").fill(f"lucie{suffix}@famille.test")
                    page.get_by_role("button", name="Créer le lien d'invitation").click()
                    page.locator(".invitation-created").scroll_into_view_if_needed()
                    page.screenshot(
                        path=str(args.out / f"console-invitation-created{suffix}.png"),
                        full_page=True,
                    )
                    # The same link sent by e-mail (the confirmation, the link still there).
                    page.get_by_role("button", name="Envoyer par e-mail").click()
                    page.screenshot(
                        path=str(args.out / f"console-invitation-emailed{suffix}.png"),
                        full_page=True,
                    )
                    shoot_calls(contexts[site.daughter.email], site, extra, args.out, suffix)
                browser.close()
        finally:
            backend.stop()
            fake.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
