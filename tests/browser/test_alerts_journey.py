"""An alert's journey in Chromium, on a desktop (1280×800) and on a 390 px phone: a reminder
nobody confirmed raises a critical alert; the care manager gets its e-mail from a real SMTP
server on loopback (aiosmtpd, tests/smtp_server.py), follows its link signed out, signs in,
lands on the alert, takes it on and closes it with a note. On the phone every control of the
alert's pages is finger-sized and nothing scrolls sideways.

The alert is raised as the reminders' escalation raises it (`alerts.raise_alert`, kind
`reminder_missed`, critical), in the backend's own database; the backend process's jobs
worker sends the e-mail over SMTP."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from backend import db
from backend.services import alerts, mail
from tests.api.factories import wait_until
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.site import PASSWORD, Site, seed, start
from tests.smtp_server import SmtpServer, running_smtp_server

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

MIN_TARGET = 44  # px, as tests/browser/test_phone_targets.py
# Every control one can tap, as boxes (the skip link waits off-screen until focused).
TARGETS = """() => Array.from(document.querySelectorAll(
    'a[href], button, summary, select, input:not([type=hidden]):not([type=checkbox]), textarea'
  )).map(e => {
    const r = e.getBoundingClientRect();
    return {text: (e.innerText || e.value || e.name || '').trim(), width: r.width,
            height: r.height, shown: r.width > 1 && r.height > 1 && r.right > 0};
  }).filter(t => t.shown)"""


@pytest.fixture(scope="module")
def smtp_server() -> Iterator[SmtpServer]:
    with running_smtp_server() as server:
        yield server


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, smtp_server: SmtpServer) -> Iterator[Site]:
    """This module's own backend, whose e-mails go to the SMTP server on loopback."""
    env = {
        "FOYER_SMTP_HOST": smtp_server.host,
        "FOYER_SMTP_PORT": str(smtp_server.port),
        "FOYER_SMTP_SECURITY": "none",
        "FOYER_MAIL_FROM": "Foyer <alertes@foyer.test>",
        "FOYER_JOBS_POLL_SECONDS": "0.2",
    }
    previous = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        backend = start(tmp_path_factory.mktemp("alerts-backend"))
    finally:
        for name, value in previous.items():
            if value is None:
                del os.environ[name]
            else:
                os.environ[name] = value
    try:
        yield seed(backend)
    finally:
        backend.stop()


def raise_reminder_alert(site: Site, key: str) -> int:
    """What the reminders' check does for a critical reminder nobody confirmed, in the
    backend's database; the e-mail's link is the backend's own address."""
    engine = db.make_engine(f"sqlite:///{site.backend.data_dir / 'foyer.sqlite3'}")
    before = mail.config()
    mail._config = replace(before, public_url=site.url)
    try:
        with db.session_scope(db.make_session_factory(engine)) as session:
            alert = alerts.raise_alert(
                session,
                beneficiary_id=site.jeanne_id,
                kind="reminder_missed",
                message="Un rappel n'a pas été confirmé pour Jeanne Martin",
                dedupe_key=f"reminder:{key}",
                recipient_ids=[],
                critical=True,
                now=datetime.now(UTC),
            )
            assert alert is not None
            alert_id = alert.id
    finally:
        mail._config = before
        engine.dispose()
    return alert_id


def the_email(smtp_server: SmtpServer, address: str, alert_id: int) -> EmailMessage:
    link = f"/alerts/{alert_id}"

    def received() -> list[EmailMessage]:
        return [
            m
            for m in smtp_server.to(address)
            if link in str(m.get_body(preferencelist=("plain",)).get_content())  # type: ignore[union-attr]
        ]

    wait_until(lambda: received(), timeout=20)
    [message] = received()
    return message


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


def test_the_care_manager_follows_the_emails_link_takes_the_alert_and_closes_it(
    site: Site, smtp_server: SmtpServer, device: str, context: BrowserContext
) -> None:
    phone = device == "phone"
    page = context.new_page()
    alert_id = raise_reminder_alert(site, f"journey-{device}")
    cm = site.care_manager

    # The e-mail: what and whom in plain French, important, the link; no reminder title.
    message = the_email(smtp_server, cm.email, alert_id)
    assert message["Subject"] == (
        "Foyer — important : un rappel n'a pas été confirmé pour Jeanne Martin"
    )
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    content = str(body.get_content())
    assert "Cette alerte est marquée importante." in content
    assert "« Mes notifications »" in content
    found = re.search(r"Voir l'alerte dans Foyer : (\S+)", content)
    assert found is not None
    link = found.group(1)
    assert link == f"{site.url}/alerts/{alert_id}"

    # Signed out, the link asks to sign in first, then lands on the alert.
    page.goto(link)
    expect(page).to_have_url(re.compile(r"/login\?next=%2Falerts%2F\d+$"))
    page.get_by_label("Adresse e-mail").fill(cm.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(link)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Un rappel n'a pas été confirmé pour Jeanne Martin"
    )
    expect(page.locator(".alert-head")).to_contain_text("Critique")
    expect(page.locator(".state")).to_have_text("Ouverte")
    # The menu says how many alerts are open.
    expect(page.get_by_role("link", name=re.compile(r"^Alertes \d+ ouvertes?$"))).to_be_visible()
    if phone:
        fits_a_finger(page)

    page.get_by_role("button", name="Je m'en occupe").click()
    expect(page.get_by_role("status")).to_have_text("Vous avez pris cette alerte en charge.")
    expect(page.locator(".state")).to_have_text(
        re.compile(r"^Prise en charge par Claire Dubois à \d+\s+h(\s+\d\d)?$")
    )
    expect(page.get_by_role("button", name="Je m'en occupe")).to_have_count(0)

    # Closing asks what was done (a required field).
    page.get_by_label("Ce qui a été fait").fill(
        "Appelé sa fille : Jeanne avait oublié, c'est fait."
    )
    page.get_by_role("button", name="Clore l'alerte").click()
    expect(page.get_by_role("status")).to_have_text("L'alerte est close.")
    expect(page.locator(".state")).to_have_text(
        re.compile(
            r"^Close par Claire Dubois à \d+\s+h(\s+\d\d)? : "
            r"Appelé sa fille : Jeanne avait oublié, c'est fait\.$"
        )
    )
    history = page.locator(".history li")
    expect(history.first).to_contain_text("Alerte ouverte")
    expect(history.last).to_contain_text("Close par Claire Dubois")
    expect(page.locator(".history")).to_contain_text("E-mail envoyé à Claire Dubois")
    expect(page.get_by_role("button", name="Rouvrir l'alerte")).to_be_visible()
    if phone:
        fits_a_finger(page)

    # The list: the closed alert under "Closes", not among those to deal with.
    page.get_by_role("link", name="Toutes les alertes").click()
    expect(page.locator(f'a[href="/alerts/{alert_id}"]')).to_have_count(0)
    page.get_by_label("État").select_option("closed")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.locator(f'a[href="/alerts/{alert_id}"]')).to_have_count(1)
    if phone:
        fits_a_finger(page)
