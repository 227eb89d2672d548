"""The console's video-call pages in Debian's Chromium, on a real backend process (issue 17):
the care manager approves Sophie with auto-answer; Sophie's calls page offers « Appeler
Jeanne »; Jeanne's tablet (its device credential, over HTTP) calls Sophie and the banner
« Jeanne vous appelle » appears on whatever console page she has open; « Refuser » ends the
call (the tablet's side reads `refused`); a call the tablet gives up leaves the screen at once;
one nobody answers becomes `missed`, the banner goes, and a message says Jeanne tried to call.
On a 390 px phone with a fake camera: the calls page, the banner and the call page fit a
finger; « Appeler Jeanne » rings the tablet and « Raccrocher » cancels the call; « Décrocher »
answers a call from the tablet (which receives the console's offer) and the tablet's hang-up
ends it on the page. (The media between Chromium and the tablet's call process is
tests/e2e's.)"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import DESKTOP, PHONE, sign_in
from tests.browser.site import API, CHROMIUM, CHROMIUM_ARGS, PARIS, Site, seed, start

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

CLIENT_ID = "foyer-kiosk"
GRANT = "urn:ietf:params:oauth:grant-type:device_code"
RING_SECONDS = 10  # the backend's least is 5: long enough to see the banner and refuse
MIN_TARGET = 44  # px, as tests/browser/test_phone_targets.py
FAKE_MEDIA = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]
TARGETS = """() => Array.from(document.querySelectorAll(
    'a[href], button, summary, select,'
    + ' input:not([type=hidden]):not([type=checkbox]):not([type=radio]), textarea'
  )).map(e => {
    const r = e.getBoundingClientRect();
    const style = getComputedStyle(e);
    return {text: (e.innerText || e.value || e.getAttribute('aria-label') || e.name || '').trim(),
            width: r.width, height: r.height,
            shown: r.width > 1 && r.height > 1 && style.visibility !== 'hidden'
                   && r.right > 0 && r.left < window.innerWidth};
  }).filter(t => t.shown)"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Jeanne's circle, on a backend whose calls ring RING_SECONDS (its environment)."""
    before = os.environ.get("FOYER_CALL_RING_SECONDS")
    os.environ["FOYER_CALL_RING_SECONDS"] = str(RING_SECONDS)
    try:
        backend = start(tmp_path_factory.mktemp("calls-backend"))
    finally:
        if before is None:
            del os.environ["FOYER_CALL_RING_SECONDS"]
        else:
            os.environ["FOYER_CALL_RING_SECONDS"] = before
    try:
        yield seed(backend)
    finally:
        backend.stop()


@pytest.fixture(scope="module")
def tablet(site: Site) -> dict[str, str]:
    """Jeanne's tablet, paired as the kiosk pairs (RFC 8628): its credential's headers."""
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
    return {"Authorization": f"Bearer {token['access_token']}"}


@pytest.fixture
def fake_media(chromium: Browser) -> Iterator[Browser]:
    """A second Chromium whose camera and microphone are fakes, granted without asking."""
    browser = chromium.browser_type.launch(
        executable_path=str(CHROMIUM), args=[*CHROMIUM_ARGS, *FAKE_MEDIA], headless=True
    )
    yield browser
    browser.close()


@pytest.fixture
def no_autoplay(chromium: Browser) -> Iterator[Browser]:
    """A Chromium that plays no sound before a touch on the page, as phones do: the ring must
    not break the page there."""
    browser = chromium.browser_type.launch(
        executable_path=str(CHROMIUM),
        args=[*CHROMIUM_ARGS, "--autoplay-policy=user-gesture-required"],
        headless=True,
    )
    yield browser
    browser.close()


def _tablet_calls(site: Site, tablet: dict[str, str], user_id: int) -> dict[str, Any]:
    response = requests.post(
        site.url + API + "/device/calls", json={"user_id": user_id}, headers=tablet, timeout=10
    )
    assert response.status_code == 201, response.text
    call: dict[str, Any] = response.json()["call"]
    return call


def _tablet_reads(
    site: Site, tablet: dict[str, str], call_id: int, wait: int = 0
) -> dict[str, Any]:
    """The call as the tablet's side sees it (its signals' long-poll, held `wait` s at most
    for a change)."""
    response = requests.get(
        f"{site.url}{API}/device/calls/{call_id}/signals",
        params={"after": 0, "wait": wait},
        headers=tablet,
        timeout=wait + 10,
    )
    assert response.status_code == 200, response.text
    call: dict[str, Any] = response.json()["call"]
    return call


def _ended(site: Site, tablet: dict[str, str], call_id: int) -> dict[str, Any]:
    """Waits (on the backend's long-poll, not a sleep) until the call has ended."""
    for _ in range(RING_SECONDS):
        call = _tablet_reads(site, tablet, call_id, wait=5)
        if call["state"] == "ended":
            return call
    raise AssertionError(f"call {call_id} still {call['state']}")


def _too_small(page: Page) -> list[dict[str, Any]]:
    boxes: list[dict[str, Any]] = page.evaluate(TARGETS)
    assert boxes, f"no control found on {page.url}"
    return [b for b in boxes if b["height"] < MIN_TARGET or b["width"] < MIN_TARGET]


def _fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide"
    assert _too_small(page) == []


def test_approved_sophie_is_rung_by_the_tablet_refuses_then_misses_a_call(
    site: Site, tablet: dict[str, str], chromium: Browser, no_autoplay: Browser
) -> None:
    jeanne, sophie = site.jeanne_id, site.daughter
    manager_context = chromium.new_context(viewport=DESKTOP, locale="fr-FR")
    family_context = no_autoplay.new_context(viewport=DESKTOP, locale="fr-FR")
    errors: list[str] = []
    family_context.on("weberror", lambda e: errors.append(str(e.error)))
    try:
        # The care manager lets Sophie call, the tablet answering by itself for her.
        manager = manager_context.new_page()
        sign_in(manager, site, site.care_manager.email, f"/b/{jeanne}/calls")
        manager.get_by_label("Autoriser une personne de l'entourage").select_option(
            label="Sophie Martin (famille)"
        )
        manager.get_by_label("Décrochage automatique (après 10 secondes)").check()
        manager.get_by_role("button", name="Autoriser à appeler").click()
        expect(manager.get_by_text("Sophie Martin peut maintenant appeler.")).to_be_visible()
        expect(manager.locator(".caller")).to_contain_text("Décrochage automatique : oui.")

        # Sophie's calls page offers the call.
        page = family_context.new_page()
        sign_in(page, site, sophie.email, f"/b/{jeanne}/calls")
        call_link = page.get_by_role("link", name="Appeler Jeanne")
        expect(call_link).to_have_attribute("href", f"/b/{jeanne}/call")

        # She reads her messages; Jeanne calls her from the tablet.
        page.goto(f"{site.url}/b/{jeanne}/messages?space=daily")
        banner = page.get_by_role("alertdialog")
        expect(banner).to_be_hidden()
        first = _tablet_calls(site, tablet, sophie.id)
        expect(banner).to_be_visible(timeout=RING_SECONDS * 1000 // 2)
        expect(banner).to_contain_text("Jeanne vous appelle")
        answer = banner.get_by_role("link", name="Décrocher")
        expect(answer).to_have_attribute("href", f"/calls/{first['id']}")
        expect(answer).to_be_focused()  # an alert dialog takes the focus
        banner.get_by_role("button", name="Refuser").click()
        expect(banner).to_be_hidden()
        refused = _tablet_reads(site, tablet, first["id"])
        assert (refused["state"], refused["outcome"]) == ("ended", "refused")

        # Jeanne gives up a call before Sophie answers: the banner goes well before the call
        # would have stopped ringing.
        given_up = _tablet_calls(site, tablet, sophie.id)
        expect(banner).to_be_visible(timeout=RING_SECONDS * 1000 // 2)
        response = requests.post(
            f"{site.url}{API}/device/calls/{given_up['id']}/hangup",
            json={"reason": "hangup"},
            headers=tablet,
            timeout=10,
        )
        assert response.json()["call"]["outcome"] == "cancelled"
        expect(banner).to_be_hidden(timeout=RING_SECONDS * 1000 // 2)

        # A call, on another page, that nobody answers: missed, the banner goes.
        page.goto(f"{site.url}/b/{jeanne}/photos")
        second = _tablet_calls(site, tablet, sophie.id)
        expect(banner).to_be_visible(timeout=RING_SECONDS * 1000 // 2)
        missed = _ended(site, tablet, second["id"])
        assert missed["outcome"] == "missed"
        expect(banner).to_be_hidden(timeout=5000)

        # The message the tablet left, at the call's time in Jeanne's zone.
        called_at = datetime.fromisoformat(second["created_at"]).astimezone(PARIS)
        at = f"{called_at.hour} h {called_at.minute:02d}"
        page.goto(f"{site.url}/b/{jeanne}/messages?space=daily")
        expect(page.get_by_text(f"Jeanne a essayé d'appeler Sophie Martin à {at}.")).to_be_visible()

        # The log says both, newest first.
        page.goto(f"{site.url}/b/{jeanne}/calls")
        rows = page.locator("table.call-log tbody tr")
        expect(rows).to_have_count(3)
        expect(rows.nth(0)).to_contain_text("appel de Jeanne")
        expect(rows.nth(0)).to_contain_text("manqué")
        expect(rows.nth(1)).to_contain_text("annulé")
        expect(rows.nth(2)).to_contain_text("refusé")
        assert errors == []  # the ring, with autoplay blocked, broke nothing
    finally:
        manager_context.close()
        family_context.close()


def test_on_a_phone_sophie_calls_jeanne_and_hangs_up_before_she_answers(
    site: Site, tablet: dict[str, str], fake_media: Browser
) -> None:
    jeanne, sophie = site.jeanne_id, site.daughter
    manager_context, context = (
        fake_media.new_context(viewport=PHONE, locale="fr-FR", is_mobile=True, has_touch=True)
        for _ in range(2)
    )
    try:
        manager = manager_context.new_page()
        sign_in(manager, site, site.care_manager.email, f"/b/{jeanne}/calls")
        if not manager.locator(".caller", has_text="Sophie Martin").count():
            manager.get_by_label("Autoriser une personne de l'entourage").select_option(
                label="Sophie Martin (famille)"
            )
            manager.get_by_role("button", name="Autoriser à appeler").click()
        expect(manager.locator(".caller", has_text="Sophie Martin")).to_be_visible()
        _fits(manager)

        page = context.new_page()
        sign_in(page, site, sophie.email, f"/b/{jeanne}/calls")
        _fits(page)
        page.get_by_role("link", name="Appeler Jeanne").click()
        state = page.locator("#call-state")
        expect(state).to_have_text("Ça sonne chez Jeanne…", timeout=10000)
        expect(page).to_have_url(re.compile(r"/calls/\d+$"))
        call_id = int(page.url.rsplit("/", 1)[1])
        ringing = _tablet_reads(site, tablet, call_id)
        assert (ringing["state"], ringing["direction"]) == ("ringing", "to_tablet")
        assert ringing["caller"]["name"] == "Sophie Martin"

        # The call page on a phone held upright: the video above, everything a finger's size.
        _fits(page)
        hangup = page.get_by_role("button", name="Raccrocher")
        box = hangup.bounding_box()
        assert box is not None and box["height"] >= 64 and box["width"] >= PHONE["width"] / 2
        remote = page.locator("#remote-video").bounding_box()
        local = page.locator("#local-video").bounding_box()
        assert remote is not None and local is not None
        assert remote["height"] >= PHONE["height"] / 3  # the other person large
        assert local["width"] < remote["width"] / 2  # oneself small, in the corner
        assert remote["y"] < box["y"]  # the picture first, « Raccrocher » under it

        hangup.click()
        expect(state).to_have_text("L'appel a été annulé.")
        cancelled = _tablet_reads(site, tablet, call_id)
        assert (cancelled["state"], cancelled["outcome"]) == ("ended", "cancelled")
        back = page.get_by_role("link", name="Revenir à la page de Jeanne")
        expect(back).to_be_visible()
        back.click()
        expect(page.locator("table.call-log tbody tr").first).to_contain_text("annulé")
    finally:
        manager_context.close()
        context.close()


def test_on_a_phone_sophie_answers_the_tablet_from_the_banner(
    site: Site, tablet: dict[str, str], fake_media: Browser
) -> None:
    """« Décrocher » opens the call page, which answers the call and sends the console's offer
    to the tablet; the tablet hanging up ends it on the page."""
    jeanne, sophie = site.jeanne_id, site.daughter
    manager_context, context = (
        fake_media.new_context(viewport=PHONE, locale="fr-FR", is_mobile=True, has_touch=True)
        for _ in range(2)
    )
    try:
        manager = manager_context.new_page()
        sign_in(manager, site, site.care_manager.email, f"/b/{jeanne}/calls")
        if not manager.locator(".caller", has_text="Sophie Martin").count():
            manager.get_by_label("Autoriser une personne de l'entourage").select_option(
                label="Sophie Martin (famille)"
            )
            manager.get_by_role("button", name="Autoriser à appeler").click()
        expect(manager.locator(".caller", has_text="Sophie Martin")).to_be_visible()

        page = context.new_page()
        sign_in(page, site, sophie.email, f"/b/{jeanne}/agenda")
        call = _tablet_calls(site, tablet, sophie.id)
        banner = page.get_by_role("alertdialog")
        expect(banner).to_be_visible(timeout=RING_SECONDS * 1000 // 2)
        _fits(page)  # the banner's buttons too
        banner.get_by_role("link", name="Décrocher").tap()
        expect(page).to_have_url(f"{site.url}/calls/{call['id']}")
        expect(page.locator("main#call")).to_have_attribute("data-role", "callee")

        # The tablet's side: answered, and the console's offer waiting for it.
        response = requests.get(
            f"{site.url}{API}/device/calls/{call['id']}/signals",
            params={"after": 0, "wait": 10},
            headers=tablet,
            timeout=20,
        )
        assert response.status_code == 200, response.text
        read = response.json()
        if not read["signals"]:  # answered before the offer was posted: wait for it
            response = requests.get(
                f"{site.url}{API}/device/calls/{call['id']}/signals",
                params={"after": read["last"], "wait": 10},
                headers=tablet,
                timeout=20,
            )
            read = response.json()
        assert read["call"]["state"] == "answered"
        assert [s["kind"] for s in read["signals"]] == ["offer"]
        expect(page.get_by_role("alertdialog")).to_have_count(0)  # no banner over a call

        # Jeanne hangs up: the page says the call is over and leads back.
        hung_up = requests.post(
            f"{site.url}{API}/device/calls/{call['id']}/hangup",
            json={"reason": "hangup"},
            headers=tablet,
            timeout=10,
        )
        assert hung_up.json()["call"]["outcome"] == "completed"
        expect(page.locator("#call-state")).to_contain_text("Appel terminé", timeout=15000)
        expect(page.get_by_role("link", name="Revenir à la page de Jeanne")).to_be_visible()
    finally:
        manager_context.close()
        context.close()
