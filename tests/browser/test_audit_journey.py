"""The care manager's pages of issue 16 in Chromium, on a desktop and on a 390 px phone: the
tablets page says each tablet's health in words (what needs a person first); "Qui a consulté
quoi" lists every access to Jeanne's health data, is filtered by person and kind, and is
exported as CSV; the signs-of-life rules are saved; the news from the relatives offers the gentle
e-mail. Nothing sticks out sideways.

With FOYER_SCREENSHOTS=docs/screenshots the journey also writes console-tablet-health,
console-audit, console-signs-of-life and console-engagement (-phone) there."""

from __future__ import annotations

import csv
import io
import os
import re
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from backend.console import formatting
from tests.browser.conftest import DESKTOP, PHONE, sign_in
from tests.browser.site import API, PARIS, Site, _join, seed, start

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

CLIENT_ID = "foyer-kiosk"
GRANT = "urn:ietf:params:oauth:grant-type:device_code"
SCREENSHOTS = os.environ.get("FOYER_SCREENSHOTS")


def _pair(site: Site) -> tuple[int, dict[str, str]]:
    grant = requests.post(
        site.url + API + "/device/authorize", data={"client_id": CLIENT_ID}, timeout=10
    ).json()
    site.api("POST", "/devices/approve", site.care_manager,
             json={"user_code": grant["user_code"], "beneficiary_id": site.jeanne_id})  # fmt: skip
    token = requests.post(
        site.url + API + "/device/token",
        data={"grant_type": GRANT, "device_code": grant["device_code"], "client_id": CLIENT_ID},
        timeout=10,
    ).json()
    return int(token["device_id"]), {"Authorization": f"Bearer {token['access_token']}"}


def _action(site: Site, tablet: dict[str, str], kind: str, data: dict[str, object]) -> None:
    response = requests.post(
        site.url + API + "/device/actions",
        json={"type": kind, "data": data},
        headers={**tablet, "Idempotency-Key": uuid.uuid4().hex},
        timeout=10,
    )
    assert response.ok, response.text


# When the bedroom's tablet was last seen (set by `site`, read by the tablets' test).
QUIET_SINCE: list[datetime] = [datetime.now(UTC)]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Jeanne's circle; her tablet in the living room reports a full disk and restarts, the one
    in the bedroom has been quiet for three hours; two weeks of touches; moods read by the
    nurse (API), the daughter (console) and the nurse on the tablet with her PIN; a relative
    silent for three weeks."""
    backend = start(tmp_path_factory.mktemp("audit-backend"))
    try:
        site = seed(backend)
        now = datetime.now(UTC)
        salon, tablet = _pair(site)
        chambre, quiet = _pair(site)
        hours = []
        for day in range(1, 14):
            local = (now - timedelta(days=day)).astimezone(PARIS)
            first = 8 if local.weekday() < 5 else 10
            hours.append({"hour": local.replace(hour=first, minute=0, second=0, microsecond=0)
                          .isoformat(), "count": 9})  # fmt: skip
        report = {
            "app_version": "0.3.0", "outbox_pending": 0, "config_version": 1,
            "free_disk_bytes": 1_280_000_000, "disk_total_bytes": 16_000_000_000,
            "restarts_today": 4, "screen_on": True, "touches": hours,
            "last_touch_at": (now - timedelta(hours=3, minutes=12)).isoformat(),
            "started_at": (now - timedelta(hours=2)).isoformat(),
            "memory_available_bytes": 700_000_000, "last_error_code": "photo_download_failed",
        }  # fmt: skip
        assert requests.post(site.url + API + "/device/status", json=report, headers=tablet).ok
        report["app_version"] = "0.3.1"
        assert requests.post(site.url + API + "/device/status", json=report, headers=tablet).ok
        old = {"app_version": "0.3.1", "outbox_pending": 0, "screen_on": True}
        assert requests.post(site.url + API + "/device/status", json=old, headers=quiet).ok
        _action(site, tablet, "mood", {"score": 4, "tags": [], "recorded_at": now.isoformat()})
        site.api("GET", f"/beneficiaries/{site.jeanne_id}/wellbeing", site.nurse)
        site.api("POST", "/me/pin", site.nurse, json={"pin": "4821"})
        requests.post(site.url + API + "/device/professional/messages", json={"pin": "4821"},
                      headers=tablet, timeout=10)  # fmt: skip
        site.api("PUT", f"/beneficiaries/{site.jeanne_id}/signs-of-life", site.care_manager,
                 json={"checkin_enabled": True, "checkin_start": "08:00", "checkin_end": "11:00",
                       "inactivity_enabled": True, "inactivity_grace_minutes": 60})  # fmt: skip
        _action(site, tablet, "checkin_answer", {"answered_at": now.isoformat(), "answer": "ok"})
        luc = _join(site.url, site.care_manager, site.jeanne_id, email="luc.martin@famille.test",
                    name="Luc Martin", relation="family")  # fmt: skip
        site.api("POST", f"/beneficiaries/{site.jeanne_id}/messages", luc,
                 json={"space": "daily", "body": "Bises de Lyon"})  # fmt: skip
        site.api("POST", f"/beneficiaries/{site.jeanne_id}/messages", site.daughter,
                 json={"space": "daily", "body": "Je passe jeudi"})  # fmt: skip
        with sqlite3.connect(backend.data_dir / "foyer.sqlite3") as database:
            three_weeks = (now - timedelta(days=21)).replace(tzinfo=None).isoformat(" ")
            database.execute("UPDATE messages SET created_at = ? WHERE author_user_id = ?",
                             (three_weeks, luc.id))  # fmt: skip
            two_days = (now - timedelta(days=2)).replace(tzinfo=None).isoformat(" ")
            database.execute("UPDATE messages SET created_at = ? WHERE author_user_id = ?",
                             (two_days, site.daughter.id))  # fmt: skip
            QUIET_SINCE[0] = now - timedelta(hours=3)
            quiet_since = QUIET_SINCE[0].replace(tzinfo=None).isoformat(" ")
            database.execute("UPDATE devices SET last_seen_at = ?, name = ? WHERE id = ?",
                             (quiet_since, "Chambre", chambre))  # fmt: skip
            database.execute("UPDATE devices SET name = ? WHERE id = ?", ("Salon", salon))
        site.people["luc"] = luc
        yield site
    finally:
        backend.stop()


@pytest.fixture(params=["desktop", "phone"])
def page(request: pytest.FixtureRequest, chromium: Browser) -> Iterator[Page]:
    if request.param == "desktop":
        context = chromium.new_context(viewport=DESKTOP, locale="fr-FR", accept_downloads=True)
    else:
        context = chromium.new_context(
            viewport=PHONE, locale="fr-FR", is_mobile=True, has_touch=True, accept_downloads=True
        )
    try:
        yield context.new_page()
    finally:
        context.close()


def _fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size
    assert viewport is not None and width <= viewport["width"], (width, page.url)


def _shot(page: Page, name: str) -> None:
    if not SCREENSHOTS:
        return
    viewport = page.viewport_size
    suffix = "-phone" if viewport is not None and viewport["width"] < 600 else ""
    out = Path(SCREENSHOTS)
    out.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(out / f"console-{name}{suffix}.png"), full_page=True)


def test_the_tablets_say_how_they_are_worst_first(site: Site, page: Page) -> None:
    sign_in(page, site, site.care_manager.email, f"/b/{site.jeanne_id}/tablets")
    rows = page.locator("ul.rows > li.row")
    expect(rows.first.locator("h3")).to_have_text("Chambre")  # offline for 3 h: first
    # The console's own words for that hour: « 2 h » on the hour, « 2 h 05 » otherwise.
    seen = formatting.hour(QUIET_SINCE[0], PARIS)
    expect(rows.first.locator(".facts.health li").first).to_have_text(
        re.compile(rf"Tablette hors ligne depuis 3 h \(dernier contact (hier à )?{seen}\)")
    )
    salon = rows.nth(1).locator(".facts.health")
    expect(salon).to_contain_text("Espace presque plein (92 %)")
    expect(salon).to_contain_text("Redémarrée 4 fois aujourd'hui")
    expect(salon).to_contain_text("Pas touchée depuis")
    expect(salon).to_contain_text("Mise à jour 0.3.1 appliquée aujourd'hui à")
    expect(salon).to_contain_text("Des photos n'ont pas pu être téléchargées sur la tablette.")
    _fits(page)
    _shot(page, "tablet-health")


def test_who_read_what_filtered_and_exported(site: Site, page: Page, tmp_path: Path) -> None:
    sign_in(page, site, site.care_manager.email, f"/b/{site.jeanne_id}/tablets")
    page.get_by_role("link", name="Qui a consulté quoi").click()
    expect(page.get_by_role("heading", name="Qui a consulté quoi")).to_be_visible()
    table = page.locator("table.audit tbody")
    expect(table).to_contain_text("Inès Leroy")
    expect(table).to_contain_text("la tablette, avec son code personnel")
    expect(table).to_contain_text("a enregistré")
    _fits(page)
    _shot(page, "audit")

    page.get_by_label("Personne").select_option(label="Inès Leroy")
    page.get_by_label("Quoi").select_option(label="humeurs et bien-être")
    page.get_by_role("button", name="Filtrer").click()
    rows = page.locator("table.audit tbody tr")
    expect(rows.first).to_contain_text("Inès Leroy")
    for text in rows.all_inner_texts():
        assert "Inès Leroy" in text and "humeurs et bien-être" in text, text
    _fits(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Exporter en CSV").click()
    saved = tmp_path / "export.csv"
    download.value.save_as(saved)
    table_rows = list(csv.reader(io.StringIO(saved.read_text(encoding="utf-8-sig"))))
    assert table_rows[0] == ["date", "heure", "qui", "action", "quoi", "numéro", "par"]
    assert table_rows[1:] and {r[2] for r in table_rows[1:]} == {"Inès Leroy"}
    assert download.value.suggested_filename.startswith(f"consultations-{site.jeanne_id}-")


def test_signs_of_life_and_news_from_the_relatives(site: Site, page: Page) -> None:
    sign_in(page, site, site.care_manager.email, f"/b/{site.jeanne_id}/tablets")
    page.get_by_role("link", name="Signes de vie").click()
    expect(page.get_by_text("réponse « Oui, je vais bien » à")).to_be_visible()
    expect(
        page.get_by_text("Jours de semaine : premier toucher habituel vers 8\u00a0h")
    ).to_be_visible()
    page.get_by_label("Délai de grâce (minutes)").fill("45")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Réglages enregistrés")).to_be_visible()
    expect(page.get_by_label("Délai de grâce (minutes)")).to_have_value("45")
    _fits(page)
    _shot(page, "signs-of-life")

    page.get_by_role("link", name="Nouvelles des proches").click()
    expect(page.get_by_text("Sophie : il y a 2 jours · Luc : il y a 3 semaines")).to_be_visible()
    luc = site.people["luc"]
    field = page.locator(f"#nudge-{luc.id}")
    field.fill("14")
    page.locator("form", has=field).get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("C'est noté.")).to_be_visible()
    expect(page.locator(f"#nudge-{luc.id}")).to_have_value("14")
    _fits(page)
    _shot(page, "engagement")
