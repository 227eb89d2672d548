"""The care manager's reminders in Chromium, on a desktop (1280×800) and on a 390 px phone
(issue 15): "Médicaments du matin" every day at 8 h, asking "C'est fait", an alert 30 min after
to the daughter; listed in words, paused, resumed, edited, its adherence page, deleted after a
page that names it. The daughter sees it and cannot change it. Nothing sticks out sideways and
every control is finger-sized on the phone."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import DESKTOP, PHONE, sign_in
from tests.browser.site import Site

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

MIN_TARGET = 44  # px, a finger
TITLE = "Médicaments du matin"
# What a person can tap (hidden inputs, checkboxes and radios aside: their label is the target).
TARGETS = """() => Array.from(document.querySelectorAll(
    'a[href], button, summary, select, input:not([type=hidden]):not([type=checkbox])'
    + ':not([type=radio]), textarea'
  )).map(e => {
    const r = e.getBoundingClientRect();
    return {text: (e.innerText || e.value || e.name || '').trim(), width: r.width,
            height: r.height, shown: r.width > 1 && r.height > 1 && r.right > 0
            && r.left < window.innerWidth};
  }).filter(t => t.shown)"""


@pytest.fixture(params=["desktop", "phone"])
def page(request: pytest.FixtureRequest, chromium: Browser) -> Iterator[Page]:
    if request.param == "desktop":
        context = chromium.new_context(viewport=DESKTOP, locale="fr-FR")
    else:
        context = chromium.new_context(
            viewport=PHONE, locale="fr-FR", is_mobile=True, has_touch=True
        )
    try:
        yield context.new_page()
    finally:
        context.close()


def _fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size
    assert viewport is not None and width <= viewport["width"], (width, page.url)


def _finger_sized(page: Page) -> None:
    viewport = page.viewport_size
    if viewport is None or viewport["width"] > PHONE["width"]:
        return
    boxes: list[dict[str, Any]] = page.evaluate(TARGETS)
    small = [b for b in boxes if b["height"] < MIN_TARGET or b["width"] < MIN_TARGET]
    assert small == [], page.url


def _clean(site: Site) -> None:
    """Each run starts from no reminder (both runs share the module's backend)."""
    path = f"/beneficiaries/{site.jeanne_id}/reminders"
    for reminder in site.api("GET", path, site.care_manager):
        site.api("DELETE", f"{path}/{reminder['id']}", site.care_manager)


def test_the_care_manager_writes_pauses_resumes_and_edits_a_reminder(
    site: Site, page: Page
) -> None:
    _clean(site)
    jeanne = site.jeanne_id
    sign_in(page, site, site.care_manager.email, f"/b/{jeanne}/agenda")
    page.get_by_role("link", name="Rappels").click()
    expect(page.get_by_role("heading", name="Rappels", exact=True)).to_be_visible()
    expect(page.get_by_text("Aucun rappel pour l'instant.")).to_be_visible()
    page.get_by_role("link", name="Nouveau rappel").click()

    page.get_by_label("Titre").fill(TITLE)
    page.get_by_label("Type").select_option(label="Médicament")
    page.get_by_label("Heure", exact=True).fill("08:00")
    page.get_by_label("Tous les jours", exact=True).check()
    expect(page.get_by_label("Demander « C'est fait » sur la tablette")).to_be_checked()
    page.get_by_label("Prévenir par une alerte").check()
    page.get_by_label("Après (minutes)").fill("30")
    page.get_by_label("Sophie Martin").check()
    _fits(page)
    _finger_sized(page)
    page.get_by_role("button", name="Enregistrer").click()

    notice = page.get_by_role("status")
    expect(notice).to_contain_text(f"Rappel « {TITLE} » créé")
    item = page.locator("li.reminder", has_text=TITLE)
    expect(item.locator(".when")).to_have_text("tous les jours à 8\u00a0h")
    expect(item).to_contain_text("Demande « C'est fait », redemandé toutes les 10 min")
    expect(item).to_contain_text(
        "Non confirmé après 30 min : alerte à Claire Dubois (conseil autonomie), "
        "Sophie Martin (famille)."
    )
    expect(item).to_contain_text("Prochaine fois :")
    _fits(page)
    _finger_sized(page)

    item.get_by_role("button", name="Mettre en pause").click()
    expect(page.get_by_role("status")).to_contain_text(f"« {TITLE} » est en pause")
    item = page.locator("li.reminder", has_text=TITLE)
    expect(item.locator(".badge.paused")).to_have_text("en pause")
    expect(item).to_contain_text("En pause depuis le")
    item.get_by_role("button", name="Reprendre").click()
    expect(page.get_by_role("status")).to_contain_text(f"« {TITLE} » reprend")
    item = page.locator("li.reminder", has_text=TITLE)
    expect(item.locator(".badge.paused")).to_have_count(0)

    item.get_by_role("link", name="Modifier").click()
    expect(page.get_by_label("Titre")).to_have_value(TITLE)
    expect(page.get_by_label("Tous les jours", exact=True)).to_be_checked()
    expect(page.get_by_label("Sophie Martin")).to_be_checked()
    page.get_by_label("Heure", exact=True).fill("08:30")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status")).to_contain_text(f"Rappel « {TITLE} » modifié")
    item = page.locator("li.reminder", has_text=TITLE)
    expect(item.locator(".when")).to_have_text("tous les jours à 8\u00a0h\u00a030")

    page.get_by_role("link", name="Suivi des confirmations").click()
    expect(page.get_by_role("heading", name="Suivi des confirmations")).to_be_visible()
    expect(page.get_by_role("link", name="8 semaines")).to_have_attribute("aria-current", "page")
    _fits(page)
    _finger_sized(page)

    # Deleting asks first, naming the reminder.
    page.get_by_role("link", name="← Les rappels").click()
    page.locator("li.reminder", has_text=TITLE).get_by_role("link", name="Supprimer").click()
    expect(page.locator(".confirm .lead")).to_contain_text(f"Supprimer le rappel « {TITLE} »")
    _fits(page)
    page.get_by_role("button", name=f"Supprimer « {TITLE} »").click()
    expect(page.get_by_role("status")).to_contain_text("Rappel supprimé")
    expect(page.get_by_text("Aucun rappel pour l'instant.")).to_be_visible()


def test_the_daughter_sees_the_reminders_without_changing_them(
    site: Site, chromium: Browser
) -> None:
    _clean(site)
    site.api(
        "POST",
        f"/beneficiaries/{site.jeanne_id}/reminders",
        site.care_manager,
        json={
            "title": TITLE,
            "kind": "medication",
            "start": "2026-01-05T08:00:00",
            "rrule": "FREQ=WEEKLY;BYDAY=MO,WE,FR",
            "escalate_after_minutes": 30,
            "watcher_ids": [site.daughter.id],
        },
    )
    context = chromium.new_context(viewport=PHONE, locale="fr-FR", is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        sign_in(page, site, site.daughter.email, f"/b/{site.jeanne_id}/agenda")
        page.get_by_role("link", name="Rappels").click()
        item = page.locator("li.reminder", has_text=TITLE)
        expect(item.locator(".when")).to_have_text(
            "tous les lundis, mercredis et vendredis à 8\u00a0h"
        )
        expect(page.get_by_role("link", name="Nouveau rappel")).to_have_count(0)
        expect(page.get_by_role("button", name="Mettre en pause")).to_have_count(0)
        expect(
            page.get_by_text("le conseiller autonomie et les personnes qu'il autorise")
        ).to_be_visible()
        _fits(page)
        _finger_sized(page)
        page.get_by_role("link", name="Suivi des confirmations").click()
        expect(page.get_by_role("heading", name="Suivi des confirmations")).to_be_visible()
        _fits(page)
    finally:
        context.close()
        _clean(site)
