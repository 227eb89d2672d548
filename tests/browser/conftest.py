"""Browser tests: Debian's Chromium driven by Playwright through the console of a real backend
process on loopback. One browser per session, one backend (with its seeded circle) per module.
They fail (never skip) when Chromium is missing: scripts/setup installs it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, sync_playwright

from tests.browser.site import CHROMIUM, CHROMIUM_ARGS, PASSWORD, Site, seed, start

DESKTOP: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 390, "height": 844}


# Per package, not per session: Playwright's sync API keeps an asyncio loop running on the main
# thread until it stops, and later tests that call asyncio.run() (bench smoke tests) would fail.
@pytest.fixture(scope="package")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: run scripts/setup (it installs Debian's chromium package)."
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[*CHROMIUM_ARGS],
            headless=True,
        )
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    backend = start(tmp_path_factory.mktemp("console-backend"))
    try:
        yield seed(backend)
    finally:
        backend.stop()


@pytest.fixture
def context(chromium: Browser) -> Iterator[BrowserContext]:
    ctx = chromium.new_context(viewport=DESKTOP, locale="fr-FR")
    yield ctx
    ctx.close()


def sign_in(page: Page, site: Site, email: str, path: str = "/") -> None:
    """From any page of the console: the login form, then back to `path`."""
    page.goto(site.url + path)
    if "/login" in page.url:
        page.get_by_label("Adresse e-mail").fill(email)
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_load_state()
