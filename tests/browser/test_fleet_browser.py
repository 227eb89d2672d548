"""An organisation's tablets and their updates in Chromium, on a desktop (1280×800) and on a
390 px phone (issue 18): the care manager, a manager of the SAAD, finds « Parc de tablettes »
in the menu, picks the SAAD, reads the counts, keeps only the tablets whose update failed
(with the tablet's reason), then on « Mises à jour » starts a rollout, pauses it and halts it
with a reason. On the phone nothing scrolls sideways and every control fits a finger.

The fleet is written in the backend's own database as tablets would have left it (their
status reports, a failed update) and as `foyer-backend release add` leaves a release."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import select

from backend import db
from backend.models import Beneficiary, Device, DeviceStatus, Organisation, Release, User
from backend.services import rollouts
from tests.browser.conftest import DESKTOP, PHONE, sign_in
from tests.browser.site import Site

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

MIN_TARGET = 44  # px, as tests/browser/test_phone_targets.py
TARGETS = """() => Array.from(document.querySelectorAll(
    'a[href], button, summary, select, input:not([type=hidden]):not([type=checkbox]), textarea'
  )).map(e => {
    const r = e.getBoundingClientRect();
    return {text: (e.innerText || e.value || e.name || '').trim(), width: r.width,
            height: r.height, shown: r.width > 1 && r.height > 1 && r.right > 0};
  }).filter(t => t.shown)"""


@pytest.fixture(scope="module")
def fleet(site: Site) -> dict[str, Any]:
    """Twelve more tablets of Claire's people, one offline for two days, one whose update to
    0.4.2 was rolled back; the releases 0.5.0 and 0.5.1 ready to roll out."""
    engine = db.make_engine(f"sqlite:///{site.backend.data_dir / 'foyer.sqlite3'}")
    now = datetime.now(UTC)
    with db.session_scope(db.make_session_factory(engine)) as session:
        saad = session.scalars(
            select(Organisation).where(Organisation.name == "SAAD Bien chez soi")
        ).one()
        devices = []
        for n in range(12):
            person = Beneficiary(first_name="Marcel", last_name=f"Numéro {n:02d}",
                                 care_manager_id=site.care_manager.id)  # fmt: skip
            session.add(person)
            session.flush()
            seen = now - (timedelta(days=2) if n == 0 else timedelta(seconds=20))
            credential = hashlib.sha256(f"fleet-{n}".encode()).hexdigest()
            device = Device(beneficiary_id=person.id, name="Tablette salon", last_seen_at=seen,
                            credential_hash=credential)  # fmt: skip
            session.add(device)
            session.flush()
            session.add(DeviceStatus(device_id=device.id, app_version="0.4.1", outbox_pending=0,
                                     reported_at=seen))  # fmt: skip
            devices.append(device)
        old = Release(version="0.4.2", filename="foyer-0.4.2.whl", size=1, sha256="2" * 64,
                      signature="c2ln", notes="", created_at=now)  # fmt: skip
        session.add(old)
        for version in ("0.5.0", "0.5.1"):
            session.add(Release(version=version, filename=f"foyer-{version}.whl", size=1,
                                sha256=version[-1] * 64, signature="c2ln", notes="",
                                created_at=now))  # fmt: skip
        session.flush()
        claire = session.get(User, site.care_manager.id)
        assert claire is not None
        rollout = rollouts.create_rollout(
            session, organisation_id=saad.id, release_id=old.id, channel="stable",
            stages=[100], created_by_id=claire.id, now=now - timedelta(hours=3),
        )  # fmt: skip
        rollouts.report(
            session, devices[1], rollout_id=rollout.id, version="0.4.2", outcome="rolled_back",
            from_version="0.4.1", reason="Le kiosque n'a pas démarré", now=now,
        )  # fmt: skip
        rollouts.halt(session, rollout, "Essai terminé", now)
        found = {"saad": saad.id}
    engine.dispose()
    return found


@pytest.fixture(params=["desktop", "phone"])
def device(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def context(device: str, chromium: Browser) -> Iterator[BrowserContext]:
    if device == "desktop":
        ctx = chromium.new_context(viewport=DESKTOP, locale="fr-FR")
    else:
        ctx = chromium.new_context(viewport=PHONE, locale="fr-FR", is_mobile=True, has_touch=True)
    yield ctx
    ctx.close()


def fits_a_finger(page: Page) -> None:
    """On a phone: nothing wider than the screen, every control at least 44 × 44 px."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide"
    boxes: list[dict[str, Any]] = page.evaluate(TARGETS)
    small = [b for b in boxes if b["height"] < MIN_TARGET or b["width"] < MIN_TARGET]
    assert small == [], page.url


def test_a_manager_reads_the_fleet_and_runs_a_rollout(
    site: Site, fleet: dict[str, Any], device: str, context: BrowserContext
) -> None:
    phone = device == "phone"
    version = "0.5.1" if phone else "0.5.0"  # one rollout per run, the same backend
    page = context.new_page()
    sign_in(page, site, site.care_manager.email)

    # Claire manages two organisations: the menu's link lets her choose.
    page.get_by_role("link", name="Parc de tablettes").click()
    page.get_by_role("link", name="SAAD Bien chez soi").click()
    expect(page).to_have_url(f"{site.url}/o/{fleet['saad']}/fleet")
    counts = page.locator(".fleet-counts")
    expect(counts).to_contain_text("1 hors ligne depuis plus de 24 h")
    expect(counts).to_contain_text("1 en échec de mise à jour")
    # The longest silent first.
    expect(page.locator("tbody tr").first).to_contain_text("Marcel Numéro 00")
    expect(page.locator("tbody tr").first).to_contain_text("Tablette hors ligne depuis 2 jours")
    if phone:
        fits_a_finger(page)

    page.get_by_label("Afficher").select_option(label="Mise à jour en échec")
    page.get_by_role("button", name="Appliquer").click()
    expect(page).to_have_url(re.compile(r"show=failed"))
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody tr")).to_contain_text("Marcel Numéro 01")
    expect(page.locator("tbody tr")).to_contain_text("mise à jour en échec")
    expect(page.locator("tbody tr")).to_contain_text("Le kiosque n'a pas démarré")

    # The updates: the halted trial, then a new rollout started, paused and halted.
    page.get_by_role("link", name="Mises à jour").click()
    expect(page.get_by_role("heading", name="Versions du parc")).to_be_visible()
    trial = page.locator(".rows > li").filter(has_text="Version 0.4.2")
    expect(trial).to_contain_text("arrêté")
    expect(trial).to_contain_text("Essai terminé")
    expect(trial).to_contain_text("Marcel Numéro 01 — Le kiosque n'a pas démarré")
    if phone:
        fits_a_finger(page)

    page.get_by_label("Version signée").select_option(label=version)
    page.get_by_label("Étapes (pourcentages du parc)").fill("10,100")
    page.get_by_role("button", name="Lancer le déploiement").click()
    expect(page.get_by_role("status")).to_contain_text("Déploiement lancé")
    started = page.locator(".rows > li").filter(has_text=f"Version {version}")
    expect(started).to_contain_text("en cours")
    expect(started).to_contain_text("Étapes : 10 % → 100 % (étape 1 sur 2)")
    started.get_by_role("button", name="Mettre en pause").click()
    expect(page.get_by_role("status")).to_contain_text("Déploiement en pause")
    started = page.locator(".rows > li").filter(has_text=f"Version {version}")
    expect(started).to_contain_text("en pause")
    started.locator("summary", has_text="Arrêter ce déploiement").click()
    started.get_by_label("Raison de l'arrêt").fill("Attendre la fin des vacances")
    started.get_by_role("button", name="Arrêter", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Déploiement arrêté")
    started = page.locator(".rows > li").filter(has_text=f"Version {version}")
    expect(started).to_contain_text("Attendre la fin des vacances")
    expect(started.get_by_role("button", name="Reprendre")).to_be_visible()
    if phone:
        fits_a_finger(page)
