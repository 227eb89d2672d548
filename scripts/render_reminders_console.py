#!/usr/bin/env python3
"""Screenshots of the reminders' pages of the web console (issue 15), desktop (1280×800) and
phone (390×844), into docs/screenshots/console-reminders*.png.

It starts a real backend on loopback with the browser tests' circle around Jeanne Martin
(`tests/browser/site.py`), writes five reminders (one paused, one several times a day, one
once), makes the daughter a reminder editor, records six weeks of confirmations (a few late,
missed, and two days with the tablet offline), and drives Debian's Chromium through the list,
the form, the adherence, the confirmation before deleting, and the nurse's read-only list.
Kept apart from scripts/render_console.py while that script is being changed elsewhere.

    .venv/bin/python scripts/render_reminders_console.py [--out DIR]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Page, sync_playwright  # noqa: E402

from backend import db  # noqa: E402
from backend.models import ReminderOccurrence  # noqa: E402
from tests.browser.site import CHROMIUM, CHROMIUM_ARGS, PASSWORD, Site, seed, start  # noqa: E402

PARIS = ZoneInfo("Europe/Paris")
WEEKS = 6


def enrich(site: Site) -> dict[str, int]:
    """Reminders, an editor, and six weeks of what became of them."""
    cm, jeanne = site.care_manager, site.jeanne_id
    today = datetime.now(PARIS).date()
    first = today - timedelta(weeks=WEEKS)
    path = f"/beneficiaries/{jeanne}/reminders"

    def reminder(**fields: Any) -> dict[str, Any]:
        made: dict[str, Any] = site.api("POST", path, cm, json=fields)
        return made

    morning = reminder(
        title="Médicaments du matin",
        kind="medication",
        detail="Le pilulier bleu, sur la table de la cuisine.",
        start=f"{first}T08:00:00",
        rrule="FREQ=DAILY",
        escalate_after_minutes=30,
        watcher_ids=[site.daughter.id],
        critical=True,
    )
    water = reminder(
        title="Boire un verre d'eau",
        kind="drink",
        start=f"{first}T10:00:00",
        rrule="FREQ=DAILY;BYHOUR=10,15,17;BYMINUTE=0",
        repeat_count=1,
    )
    reminder(
        title="Le kiné passe à 17 h",
        kind="appointment",
        start=f"{first}T16:30:00",
        rrule="FREQ=WEEKLY;BYDAY=MO,TH",
        confirm_wanted=False,
    )
    reminder(
        title="Dentiste : prendre la carte Vitale",
        kind="appointment",
        start=f"{today + timedelta(days=9)}T10:00:00",
        confirm_wanted=False,
    )
    tisane = reminder(
        title="Tisane du soir", kind="drink", start=f"{first}T20:00:00", rrule="FREQ=DAILY"
    )
    site.api("POST", f"{path}/{tisane['id']}/pause", cm)
    site.api("PUT", f"{path}/editors/{site.daughter.id}", cm)

    # What became of them, day after day: mostly done, a few late or missed, and the tablet
    # offline two days three weeks ago (nobody knows).
    engine = db.make_engine(f"sqlite:///{site.backend.data_dir / 'foyer.sqlite3'}")
    sessions = db.make_session_factory(engine)
    now = datetime.now(UTC)
    with db.session_scope(sessions) as session:
        for offset in range((today - first).days + 1):
            day = first + timedelta(days=offset)
            for reminder_id, hours in ((morning["id"], (8,)), (water["id"], (10, 15, 17))):
                for n, hour in enumerate(hours):
                    due = datetime.combine(day, time(hour), tzinfo=PARIS).astimezone(UTC)
                    if due > now - timedelta(hours=1):
                        continue
                    state = _state(day, offset, n, today)
                    session.add(
                        ReminderOccurrence(
                            reminder_id=reminder_id,
                            beneficiary_id=jeanne,
                            due_at=due,
                            state=state,
                            confirmed_at=due + timedelta(minutes=4 if state == "confirmed" else 50)
                            if state in ("confirmed", "late")
                            else None,
                            decided_at=due + timedelta(minutes=30),
                        )
                    )
    engine.dispose()
    return {"morning": morning["id"]}


def _state(day: date, offset: int, n: int, today: date) -> str:
    if today - timedelta(days=22) <= day <= today - timedelta(days=21):
        return "unknown"
    if (offset * 3 + n) % 11 == 0:
        return "missed"
    if (offset + n) % 5 == 0:
        return "late"
    return "confirmed"


def sign_in(page: Page, site: Site, email: str) -> None:
    page.goto(site.url + "/login")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        backend = start(Path(tmp) / "backend")
        try:
            site = seed(backend)
            extra = enrich(site)
            base = f"/b/{site.jeanne_id}/reminders"
            cm, nurse = site.care_manager.email, site.nurse.email
            pages = [
                ("console-reminders", base, cm),
                ("console-reminders-form", f"{base}/{extra['morning']}/edit", cm),
                ("console-reminders-adherence", f"{base}/adherence", cm),
                ("console-reminders-delete", f"{base}/{extra['morning']}/delete", cm),
                ("console-reminders-nurse", base, nurse),
            ]
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
                )
                for suffix, viewport in (
                    ("", {"width": 1280, "height": 800}),
                    ("-phone", {"width": 390, "height": 844}),
                ):
                    contexts: dict[str, Page] = {}
                    for name, path, who in pages:
                        if who not in contexts:
                            context = browser.new_context(viewport=viewport, locale="fr-FR")  # type: ignore[arg-type]
                            contexts[who] = context.new_page()
                            sign_in(contexts[who], site, who)
                        page = contexts[who]
                        page.goto(site.url + path)
                        target = args.out / f"{name}{suffix}.png"
                        page.screenshot(path=str(target), full_page=True)
                        print(target.relative_to(ROOT) if target.is_relative_to(ROOT) else target)
                browser.close()
        finally:
            backend.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
