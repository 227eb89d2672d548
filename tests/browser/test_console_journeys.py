"""The console's main journeys in a real browser (issue 5): pairing and configuring a tablet,
a family member on a phone, a professional's health messages, CSRF, an expired session."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests
from playwright.sync_api import BrowserContext, expect

from tests.browser.conftest import PHONE, sign_in
from tests.browser.site import API, Site, jpeg

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

CLIENT_ID = "foyer-kiosk"
GRANT = "urn:ietf:params:oauth:grant-type:device_code"


def test_care_manager_pairs_a_tablet_by_its_code_and_its_new_config_reaches_it(
    site: Site, context: BrowserContext
) -> None:
    # The tablet asks for a code and would show it (and its QR code).
    grant = requests.post(
        site.url + API + "/device/authorize", data={"client_id": CLIENT_ID}, timeout=10
    ).json()
    page = context.new_page()
    # The care manager scans the QR code: the link leads through sign-in to the filled form.
    sign_in(
        page,
        site,
        site.care_manager.email,
        grant["verification_uri_complete"].removeprefix(site.url),
    )
    expect(page.get_by_label("Code affiché sur la tablette")).to_have_value(grant["user_code"])
    page.get_by_label("Bénéficiaire").select_option(label="Jeanne Martin")
    page.get_by_label("Le code ci-dessus est bien celui affiché").check()
    page.get_by_role("button", name="Associer", exact=True).click()
    expect(page.get_by_role("heading", name="Tablette associée")).to_be_visible()
    token = requests.post(
        site.url + API + "/device/token",
        data={"grant_type": GRANT, "device_code": grant["device_code"], "client_id": CLIENT_ID},
        timeout=10,
    )
    assert token.status_code == 200, token.text
    credential = {"Authorization": f"Bearer {token.json()['access_token']}"}

    page.get_by_role("link", name="Voir ses tablettes").click()
    expect(page.get_by_text(f"Tablette {grant['user_code']}")).to_be_visible()
    page.get_by_role("link", name="Configurer").click()
    # A number field (the schema's bounds as min, max, step): the browser sends "1.3" whatever
    # the way it shows decimals.
    font_scale = page.get_by_label("Taille du texte")
    expect(font_scale).to_have_attribute("type", "number")
    expect(font_scale).to_have_attribute("max", "1.3")
    font_scale.fill("1.3")
    expect(page.get_by_label("Langue de la tablette")).to_have_value("fr")
    page.get_by_label("Météo").uncheck()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Configuration enregistrée")).to_be_visible()
    expect(page.locator(".preview .tiles li")).to_have_text(
        ["Agenda", "Messages", "Photos", "Humeur"]
    )

    synced = requests.get(site.url + API + "/device/sync", headers=credential, timeout=10).json()
    [config] = synced["upserts"]["config"]
    assert config["document"]["font_scale"] == 1.3
    assert "weather" not in config["document"]["modules"]


def test_family_member_on_a_phone_uploads_two_photos_and_sends_a_message(
    site: Site, context: BrowserContext, tmp_path: Path
) -> None:
    phone = context.browser
    assert phone is not None
    mobile = phone.new_context(viewport=PHONE, locale="fr-FR", is_mobile=True, has_touch=True)
    try:
        page = mobile.new_page()
        sign_in(page, site, site.daughter.email)
        page.get_by_role("link", name="Jeanne Martin").click()
        page.get_by_role("link", name="Photos").click()
        files = [
            jpeg(tmp_path / "jardin.jpg", (180, 40, 40)),
            jpeg(tmp_path / "chat.jpg", (40, 120, 60)),
        ]
        page.get_by_label("Choisir des photos").set_input_files([str(f) for f in files])
        page.get_by_label("Légende (facultative, pour toutes)").fill("Dimanche au jardin")
        page.get_by_role("button", name="Envoyer").click()
        # The progress script sends, then reloads the gallery with both photos.
        expect(page.locator(".gallery img")).to_have_count(2, timeout=15000)
        expect(page.get_by_text("Dimanche au jardin")).to_have_count(2)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"]  # nothing sticks out sideways on a phone

        page.get_by_role("link", name="Messages").click()
        page.get_by_label("Votre message").fill("Je passe jeudi avec les petits")
        page.get_by_role("button", name="Envoyer").click()
        expect(page.get_by_text("Message envoyé.")).to_be_visible()
        expect(page.locator(".messages .pre").first).to_have_text("Je passe jeudi avec les petits")
    finally:
        mobile.close()


def test_professional_reads_a_health_message_for_them_and_not_one_for_someone_else(
    site: Site, context: BrowserContext
) -> None:
    path = f"/beneficiaries/{site.jeanne_id}/messages"
    to_nurse = {
        "space": "health",
        "body": "Tension 14/9 ce matin",
        "recipient_ids": [site.nurse.id],
    }
    to_aide = {
        "space": "health",
        "body": "Pour Karima seulement",
        "recipient_ids": [site.home_aide.id],
    }
    site.api("POST", path, site.care_manager, json=to_nurse)
    other = site.api("POST", path, site.care_manager, json=to_aide)
    page = context.new_page()
    sign_in(page, site, site.nurse.email, f"/b/{site.jeanne_id}/messages?space=health")
    expect(page.get_by_text("Tension 14/9 ce matin")).to_be_visible()
    expect(page.get_by_text("Pour Karima seulement")).to_have_count(0)
    page.get_by_role("link", name="Ouvrir").first.click()
    expect(page.locator("article .pre")).to_have_text("Tension 14/9 ce matin")
    response = page.goto(f"{site.url}/messages/{other['id']}")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="Page introuvable")).to_be_visible()
    expect(page.get_by_text("Pour Karima seulement")).to_have_count(0)


def test_a_forged_form_without_csrf_token_is_refused(site: Site, context: BrowserContext) -> None:
    page = context.new_page()
    sign_in(page, site, site.daughter.email, f"/b/{site.jeanne_id}/messages?space=daily")
    # A form that did not come from the console: same fields, no token.
    page.evaluate(
        """(action) => {
            const form = document.createElement("form");
            form.method = "post";
            form.action = action;
            for (const [name, value] of [["space", "daily"], ["body", "Message forgé"]]) {
                const input = document.createElement("input");
                input.type = "hidden"; input.name = name; input.value = value;
                form.appendChild(input);
            }
            document.body.appendChild(form);
            form.submit();
        }""",
        f"/b/{site.jeanne_id}/messages",
    )
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Accès refusé")).to_be_visible()
    expect(page.get_by_text("rien n'a été fait")).to_be_visible()
    page.goto(f"{site.url}/b/{site.jeanne_id}/messages?space=daily")
    expect(page.get_by_text("Message forgé")).to_have_count(0)


def test_an_expired_session_returns_to_login_and_back(site: Site, context: BrowserContext) -> None:
    page = context.new_page()
    target = f"/b/{site.jeanne_id}/agenda"
    sign_in(page, site, site.home_aide.email, target)
    expect(page.get_by_text("Aide au repas").first).to_be_visible()
    site.expire_sessions(site.home_aide.email)
    page.reload()
    expect(page).to_have_url(re.compile(r"/login\?next=.*&expired=1$"))
    expect(page.get_by_text("Votre session a expiré : reconnectez-vous.")).to_be_visible()
    sign_in(page, site, site.home_aide.email, target)
    expect(page).to_have_url(site.url + target)
