"""The care manager's journeys of issue 14 in Chromium, on a desktop and on a 390 px phone:
locating a person's town for the weather (a choice between two Saint-Denis), pairing a tablet
that gets its own maintenance PIN, revoking it after a confirmation, an invitation link copied
with its expiry shown, an organisation created without joining it, a planning imported.

The backend is a real process whose Open-Meteo geocoding is a fake on loopback
(FOYER_GEOCODING_URL)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import DESKTOP, PHONE, sign_in
from tests.browser.site import API, Site, seed, start
from tests.fake_open_meteo import FakeOpenMeteo

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

CLIENT_ID = "foyer-kiosk"
GRANT = "urn:ietf:params:oauth:grant-type:device_code"


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeOpenMeteo]:
    with FakeOpenMeteo() as server:
        yield server


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, fake: FakeOpenMeteo) -> Iterator[Site]:
    """This module's own backend: the seeded circle, geocoding asked of the fake."""
    previous = os.environ.get("FOYER_GEOCODING_URL")
    os.environ["FOYER_GEOCODING_URL"] = fake.geocoding_url
    try:
        backend = start(tmp_path_factory.mktemp("care-manager-backend"))
    finally:
        if previous is None:
            del os.environ["FOYER_GEOCODING_URL"]
        else:
            os.environ["FOYER_GEOCODING_URL"] = previous
    try:
        yield seed(backend)
    finally:
        backend.stop()


@pytest.fixture(params=["desktop", "phone"])
def page(request: pytest.FixtureRequest, chromium: Browser) -> Iterator[Page]:
    if request.param == "desktop":
        context = chromium.new_context(viewport=DESKTOP, locale="fr-FR")
    else:
        context = chromium.new_context(
            viewport=PHONE, locale="fr-FR", is_mobile=True, has_touch=True
        )
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    try:
        yield context.new_page()
    finally:
        context.close()


def _fits(page: Page) -> None:
    """Nothing sticks out sideways, whatever the width."""
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size
    assert viewport is not None and width <= viewport["width"], (width, page.url)


def _new_person(site: Site, first: str) -> int:
    made = site.api(
        "POST", "/beneficiaries", site.care_manager, json={"first_name": first, "last_name": "Test"}
    )
    return int(made["id"])


def _pair(site: Site, beneficiary_id: int) -> dict[str, str]:
    grant = requests.post(
        site.url + API + "/device/authorize", data={"client_id": CLIENT_ID}, timeout=10
    ).json()
    site.api(
        "POST",
        "/devices/approve",
        site.care_manager,
        json={"user_code": grant["user_code"], "beneficiary_id": beneficiary_id},
    )
    token = requests.post(
        site.url + API + "/device/token",
        data={"grant_type": GRANT, "device_code": grant["device_code"], "client_id": CLIENT_ID},
        timeout=10,
    ).json()
    return {"Authorization": f"Bearer {token['access_token']}"}


def test_the_care_manager_locates_the_town_among_two_of_the_same_name(
    site: Site, page: Page, fake: FakeOpenMeteo
) -> None:
    person = _new_person(site, "Rose")
    sign_in(page, site, site.care_manager.email, f"/b/{person}/agenda")
    expect(page.get_by_text("Météo : aucune commune située.")).to_be_visible()
    page.get_by_role("link", name="Modifier ses informations").click()
    page.get_by_label("Commune (pour la météo)").fill("Saint-Denis")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Plusieurs communes portent ce nom : laquelle ?")).to_be_visible()
    _fits(page)
    page.get_by_label(re.compile(r"^Saint-Denis \(La Réunion\)")).check()
    page.get_by_role("button", name="Choisir cette commune et enregistrer").click()
    expect(page.get_by_text("Modifications enregistrées")).to_be_visible()
    expect(page.locator(".weather-place")).to_contain_text("Saint-Denis (La Réunion)")
    expect(page.locator(".weather-place")).to_contain_text("20,88° S, 55,45° E")
    expect(page.get_by_label("Fuseau horaire")).to_have_value("Indian/Reunion")
    _fits(page)
    shown = site.api("GET", f"/beneficiaries/{person}", site.care_manager)
    assert (shown["latitude"], shown["longitude"]) == (-20.88231, 55.4504)
    assert shown["timezone"] == "Indian/Reunion"


def test_a_new_tablet_gets_its_own_pin_and_revoking_it_asks_first(site: Site, page: Page) -> None:
    _new_person(site, "Paul")
    grant = requests.post(
        site.url + API + "/device/authorize", data={"client_id": CLIENT_ID}, timeout=10
    ).json()
    sign_in(page, site, site.care_manager.email, f"/pair?code={grant['user_code']}")
    page.get_by_label("Bénéficiaire").select_option(label="Paul Test")
    page.get_by_label("Le code ci-dessus est bien celui affiché").check()
    page.get_by_role("button", name="Associer", exact=True).click()
    expect(
        page.get_by_role("heading", name="Code de maintenance de cette tablette")
    ).to_be_visible()
    pin = page.locator(".big-code").inner_text()
    assert re.fullmatch(r"\d{6}", pin)
    _fits(page)
    token = requests.post(
        site.url + API + "/device/token",
        data={"grant_type": GRANT, "device_code": grant["device_code"], "client_id": CLIENT_ID},
        timeout=10,
    ).json()
    device = {"Authorization": f"Bearer {token['access_token']}"}

    page.get_by_role("link", name="Voir ses tablettes").click()
    expect(page.get_by_text("propre à cette tablette")).to_be_visible()
    expect(page.get_by_text(pin)).to_have_count(0)
    expect(page.locator(".config-state")).to_have_text(
        "version 1 en attente : la tablette l'appliquera à sa prochaine synchronisation"
    )
    status = {"app_version": "1.0", "outbox_pending": 0, "config_version": 1}
    assert requests.post(site.url + API + "/device/status", json=status, headers=device).ok
    page.reload()
    expect(page.locator(".config-state")).to_contain_text("version 1 appliquée le ")

    page.get_by_role("button", name="Nouveau code de maintenance").click()
    new_pin = page.locator(".big-code").inner_text()
    assert re.fullmatch(r"\d{6}", new_pin)
    page.get_by_role("link", name="Retour aux tablettes").click()

    page.get_by_role("link", name="Révoquer…").click()
    expect(page.get_by_text(f"Révoquer « Tablette {grant['user_code']} »")).to_be_visible()
    expect(page.get_by_text("la tablette de Paul Test ?")).to_be_visible()
    _fits(page)
    # Cancelling changes nothing.
    page.get_by_role("link", name="Annuler").click()
    assert requests.get(site.url + API + "/device/sync", headers=device, timeout=10).ok
    page.get_by_role("link", name="Révoquer…").click()
    page.get_by_role("button", name="Révoquer la tablette de Paul Test").click()
    expect(page.get_by_text("révoquée : à sa prochaine connexion")).to_be_visible()
    gone = requests.get(site.url + API + "/device/sync", headers=device, timeout=10)
    assert gone.status_code == 401


def test_an_invitation_link_is_copied_and_its_expiry_shown(site: Site, page: Page) -> None:
    sign_in(page, site, site.care_manager.email, f"/b/{site.jeanne_id}/circle")
    name = f"Lucie {page.viewport_size['width'] if page.viewport_size else ''}"
    page.get_by_label("Nom", exact=True).fill(name)
    page.get_by_label("Adresse e-mail").fill(f"lucie{len(name)}{id(page)}@famille.test")
    page.get_by_role("button", name="Créer le lien d'invitation").click()
    link = page.locator("#invitation-link").input_value()
    assert "/invitation/" in link
    expect(page.locator(".invitation-created")).to_contain_text("Valable jusqu'au")
    page.get_by_role("button", name="Copier le lien").click()
    expect(page.get_by_text("Lien copié.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == link
    _fits(page)
    # Back on the page: the link is not shown again; the list says until when it is valid.
    page.goto(f"{site.url}/b/{site.jeanne_id}/circle")
    expect(page.locator("#invitation-link")).to_have_count(0)
    pending = page.locator("li", has_text=f"{name} — ")
    expect(pending).to_contain_text("en attente (valable jusqu'au")


def test_the_copy_button_stays_hidden_without_script_and_the_link_is_there(
    site: Site, chromium: Browser
) -> None:
    context: BrowserContext = chromium.new_context(
        viewport=PHONE, locale="fr-FR", java_script_enabled=False
    )
    try:
        page = context.new_page()
        sign_in(page, site, site.care_manager.email, f"/b/{site.jeanne_id}/circle")
        page.get_by_label("Nom", exact=True).fill("Sans Script")
        page.get_by_label("Adresse e-mail").fill("sans.script@famille.test")
        page.get_by_role("button", name="Créer le lien d'invitation").click()
        expect(page.locator("#invitation-link")).to_be_visible()
        expect(page.get_by_role("button", name="Copier le lien")).to_be_hidden()
        expect(page.get_by_text("Ou sélectionnez le lien ci-dessus")).to_be_visible()
    finally:
        context.close()


def test_an_organisation_created_from_the_circle_does_not_make_her_a_nurse(
    site: Site, page: Page
) -> None:
    sign_in(page, site, site.care_manager.email, f"/b/{site.jeanne_id}/circle")
    width = page.viewport_size["width"] if page.viewport_size else 0
    page.get_by_label("Nouvelle organisation").fill(f"Cabinet du Parc {width}")
    page.get_by_label("Type").select_option(label="Soins infirmiers (SSIAD, cabinet)")
    expect(
        page.get_by_label("J'y travaille : m'en faire membre et responsable")
    ).not_to_be_checked()
    page.get_by_role("button", name="Créer et partager").click()
    expect(page.get_by_text(f"Organisation « Cabinet du Parc {width} » créée")).to_be_visible()
    expect(page.get_by_text("Vous n'en êtes pas membre")).to_be_visible()
    _fits(page)
    # Under the new organisation, no staff: she is not listed as its nurse.
    section = page.locator("section.org", has_text=f"Cabinet du Parc {width}")
    expect(section.locator("li")).to_have_count(0)


PLANNING = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//SAAD//Planning//FR\r\n"
    "BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTART;TZID=Europe/Paris:20261125T090000\r\n"
    "DTEND;TZID=Europe/Paris:20261125T100000\r\nSUMMARY:Aide au lever\r\nEND:VEVENT\r\n"
    "END:VCALENDAR\r\n"
)


def test_a_planning_is_imported_and_the_agenda_exported(
    site: Site, page: Page, tmp_path: Path
) -> None:
    person = _new_person(site, "Ida")
    planning = tmp_path / "planning.ics"
    planning.write_text(PLANNING.format(uid=f"saad-{person}@planning"))
    sign_in(page, site, site.care_manager.email, f"/b/{person}/agenda")
    page.get_by_role("link", name="Importer / exporter (.ics)").click()
    page.get_by_label("Fichier .ics").set_input_files(str(planning))
    page.get_by_role("button", name="Importer", exact=True).click()
    expect(page.locator(".import-summary")).to_contain_text(
        "Planning importé (planning.ics) : 1 créé(s), 0 modifié(s), 0 inchangé(s)."
    )
    _fits(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le fichier .ics").click()
    saved = tmp_path / "export.ics"
    download.value.save_as(saved)
    assert "SUMMARY:Aide au lever" in saved.read_text()
    page.get_by_role("button", name="Créer un lien d'abonnement").click()
    feed = page.locator("#feed-link").input_value()
    assert "Aide au lever" in requests.get(feed, timeout=10).text
