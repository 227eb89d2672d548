"""On a 390 px phone, in Debian's Chromium: every link and button of the family's pages is at
least 44 × 44 px (a finger, not a mouse); the photos page says how many photos were sent; the
visits table fits without sideways scrolling; a nurse sets her tablet PIN and records her
visit from her phone, offered only the button that makes sense; the care manager's alerts
pages, « Mes notifications » and an invitation sent by e-mail fit a finger too."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from backend import db
from backend.services import alerts
from tests.browser.conftest import PHONE, sign_in
from tests.browser.site import Site, jpeg

MIN_TARGET = 44  # px, WCAG 2.5.5 and both platforms' guidelines

# Every control a person can tap, as boxes; hidden ones (a copy button without a clipboard)
# have no size, and the skip link waits off-screen until focused: both are left out. A
# checkbox or a radio button is tapped through its label, a row at least 44 px high (`.check`).
TARGETS = """() => Array.from(document.querySelectorAll(
    'a[href], button, summary, select,'
    + ' input:not([type=hidden]):not([type=checkbox]):not([type=radio]), textarea'
  )).map(e => {
    const r = e.getBoundingClientRect();
    const style = getComputedStyle(e);
    return {text: (e.innerText || e.value || e.getAttribute('aria-label') || e.name || '').trim(),
            tag: e.tagName.toLowerCase(), width: r.width, height: r.height,
            shown: r.width > 1 && r.height > 1 && style.visibility !== 'hidden'
                   && r.right > 0 && r.left < window.innerWidth};  // the skip link waits aside
  }).filter(t => t.shown)"""


@pytest.fixture
def phone(chromium: Browser) -> Iterator[BrowserContext]:
    ctx = chromium.new_context(viewport=PHONE, locale="fr-FR", is_mobile=True, has_touch=True)
    yield ctx
    ctx.close()


def too_small(page: Page) -> list[dict[str, Any]]:
    boxes: list[dict[str, Any]] = page.evaluate(TARGETS)
    assert boxes, f"no control found on {page.url}"
    return [b for b in boxes if b["height"] < MIN_TARGET or b["width"] < MIN_TARGET]


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide"


def test_every_target_of_the_familys_pages_is_finger_sized(
    site: Site, phone: BrowserContext, tmp_path: Path
) -> None:
    page = phone.new_page()
    sign_in(page, site, site.daughter.email)
    jeanne = site.jeanne_id
    # Photos first, so the gallery has its "Modifier" (details) under each of hers.
    page.goto(f"{site.url}/b/{jeanne}/photos")
    files = [jpeg(tmp_path / f"{n}.jpg", (40 * n, 90, 30)) for n in (1, 2, 3)]
    page.get_by_label("Choisir des photos").set_input_files([str(f) for f in files])
    page.get_by_role("button", name="Envoyer").click()
    expect(page.locator(".upload-summary")).to_have_text("3 photos envoyées.", timeout=15000)
    expect(page.locator(".gallery img")).to_have_count(3)
    paths = [
        "/",
        f"/b/{jeanne}",
        f"/b/{jeanne}/messages?space=daily",
        f"/b/{jeanne}/messages?space=health",
        f"/b/{jeanne}/photos",
        f"/b/{jeanne}/visits",
        f"/b/{jeanne}/wellbeing",
        f"/b/{jeanne}/reminders",
        f"/b/{jeanne}/reminders/adherence",
        f"/b/{jeanne}/circle",
        "/account",
        "/alerts",
        "/account/notifications",
    ]
    failures = {}
    for path in paths:
        page.goto(site.url + path)
        assert page.url.endswith(path), page.url  # reachable: no login, no error page
        no_sideways_scroll(page)
        small = too_small(page)
        if small:
            failures[path] = small
    assert failures == {}


def test_a_nurse_on_her_phone_sets_her_pin_and_records_her_visit(
    site: Site, phone: BrowserContext
) -> None:
    page = phone.new_page()
    sign_in(page, site, site.nurse.email, "/account")
    page.get_by_label("Code", exact=True).fill("4821")
    page.get_by_label("Confirmez le code").fill("4821")
    page.get_by_role("button", name="Enregistrer le code").click()
    expect(
        page.get_by_text("Votre code personnel pour la tablette est enregistré.")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Changer le code")).to_be_visible()
    assert too_small(page) == []

    page.goto(f"{site.url}/b/{site.jeanne_id}/visits")
    no_sideways_scroll(page)  # the week's visits as blocks of labelled lines
    assert too_small(page) == []
    page.get_by_role("link", name="Ma visite").click()
    expect(page.get_by_role("button", name="Départ")).to_have_count(0)
    page.get_by_role("button", name="Arrivée").click()
    expect(page.get_by_text("Arrivée enregistrée.")).to_be_visible()
    expect(page.get_by_role("button", name="Arrivée")).to_have_count(0)
    no_sideways_scroll(page)
    assert too_small(page) == []
    page.get_by_role("button", name="Départ").click()
    expect(page.get_by_text("Départ enregistré. Bonne journée !")).to_be_visible()
    page.goto(f"{site.url}/b/{site.jeanne_id}/visits")
    no_sideways_scroll(page)


def _raise_alert(site: Site, key: str, *, critical: bool) -> int:
    """An alert in the backend's own database, as the reminders' check raises one."""
    engine = db.make_engine(f"sqlite:///{site.backend.data_dir / 'foyer.sqlite3'}")
    try:
        with db.session_scope(db.make_session_factory(engine)) as session:
            alert = alerts.raise_alert(
                session,
                beneficiary_id=site.jeanne_id,
                kind="reminder_missed",
                message="Un rappel n'a pas été confirmé pour Jeanne Martin",
                dedupe_key=key,
                recipient_ids=[],
                critical=critical,
                now=datetime.now(UTC),
            )
            assert alert is not None
            return alert.id
    finally:
        engine.dispose()


def test_the_care_managers_alerts_notifications_and_invitation_email_are_finger_sized(
    site: Site, phone: BrowserContext
) -> None:
    critical = _raise_alert(site, "phone-targets-critical", critical=True)
    _raise_alert(site, "phone-targets-other", critical=False)
    page = phone.new_page()
    sign_in(page, site, site.care_manager.email)
    jeanne = site.jeanne_id
    expect(page.get_by_text("2 alertes dont 1 critique")).to_be_visible()
    failures = {}
    for path in ("/", "/alerts", f"/alerts/{critical}", "/account/notifications",
                 f"/b/{jeanne}/wellbeing"):  # fmt: skip
        page.goto(site.url + path)
        assert page.url.endswith(path), page.url
        no_sideways_scroll(page)
        small = too_small(page)
        if small:
            failures[path] = small
    # An alert taken on, then its list filtered: the same.
    page.goto(f"{site.url}/alerts/{critical}")
    page.get_by_role("button", name="Je m'en occupe").click()
    expect(page.get_by_text("Vous avez pris cette alerte en charge.")).to_be_visible()
    page.goto(f"{site.url}/alerts?state=taken&beneficiary={jeanne}")
    expect(page.locator(f'a[href="/alerts/{critical}"]')).to_have_count(1)
    for label, current in (("taken", page), ("detail", None)):
        if current is None:
            page.goto(f"{site.url}/alerts/{critical}")
        no_sideways_scroll(page)
        small = too_small(page)
        if small:
            failures[label] = small
    # An invitation created, then its link sent by e-mail from the phone.
    page.goto(f"{site.url}/b/{jeanne}/circle")
    page.get_by_label("Nom", exact=True).fill("Lucie Martin")
    page.get_by_label("Adresse e-mail").fill("lucie.martin@famille.test")
    page.get_by_role("button", name="Créer le lien d'invitation").click()
    send = page.get_by_role("button", name="Envoyer par e-mail")
    expect(send).to_be_visible()
    no_sideways_scroll(page)
    if too_small(page):
        failures["invitation"] = too_small(page)
    send.click()
    expect(
        page.get_by_text("Le lien est envoyé par e-mail à lucie.martin@famille.test.")
    ).to_be_visible()
    expect(page.locator("#invitation-link")).to_have_value(re.compile(r"/invitation/"))
    no_sideways_scroll(page)
    assert failures == {}, failures
