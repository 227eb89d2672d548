"""The console in each of its languages: every page a care manager and a family member open,
with dates, the tablet's last problem and mood words in that language, and no identifier
("happy", "backend_unreachable", snake_case) where a person reads."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from tests.api.circle_fixtures import CircleSetup, care_manager_of
from tests.api.conftest import Clock
from tests.api.factories import API, pair_device
from tests.api.members import action
from tests.console.conftest import NewBrowser

FRENCH = re.compile(
    r"\b(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|janvier|février|avril|juin|juillet|"
    r"août|septembre|octobre|novembre|décembre|jamais|il y a)\b"
)
ENGLISH = re.compile(
    r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|April|June|"
    r"July|August|September|October|November|December|never|ago)\b"
)
IDENTIFIER = re.compile(r"\b[a-z0-9]+_[a-z0-9_]+\b|\bunreachable\b")
TAG_IDS = re.compile(r"\b(happy|family)\b")  # the tablet's mood tags, as sent: words in French
TAGS = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.DOTALL)


def visible_text(page: str) -> str:
    """What a person reads: the page without its tags and attributes (values of inputs and
    e-mail addresses are the person's own)."""
    text = html.unescape(TAGS.sub(" ", page)).replace("\u00a0", " ")
    return re.sub(r"\S+@\S+", " ", text)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_page_in_one_language(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser, clock: Clock, lang: str
) -> None:
    jeanne = circle.jeanne_id
    tablet = pair_device(app_client, care_manager_of(circle.care_manager), jeanne)
    at = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
    mood = {"score": 4, "tags": ["happy", "family"], "recorded_at": at.isoformat()}
    assert action(app_client, tablet["access_token"], "mood", mood).status_code == 200
    reported = app_client.post(
        f"{API}/device/status",
        json={"app_version": "0.1.0", "last_error": "backend_unreachable", "outbox_pending": 0},
        headers={"Authorization": f"Bearer {tablet['access_token']}"},
    )
    assert reported.status_code == 204, reported.text
    clock.advance(int(timedelta(hours=1).total_seconds()))
    other = FRENCH if lang == "en" else ENGLISH
    problems = []
    for who in (circle.care_manager, circle.daughter):
        browser = new_browser()
        browser.login(who.email)
        browser.post("/lang", {"lang": lang, "next": "/"})
        pages = ["/", "/account", "/pair"] + [
            f"/b/{jeanne}/{area}"
            for area in ("agenda", "messages", "photos", "wellbeing", "tablets", "circle", "visits")
        ]
        for path in pages:
            page = browser.get(path)
            if page.status_code != 200:
                continue  # not this person's tab
            text = visible_text(page.text)
            for found in other.finditer(text):
                problems.append(f"{who.email} {path}: {found.group(0)!r} in {lang}")
            identifiers = [*IDENTIFIER.finditer(text)]
            if lang == "fr":
                identifiers += TAG_IDS.finditer(text)
            for found in identifiers:
                problems.append(f"{who.email} {path}: identifier {found.group(0)!r}")
    assert problems == []
    # What the pages said, in their language.
    manager = new_browser()
    manager.login(circle.care_manager.email)
    manager.post("/lang", {"lang": lang, "next": "/"})
    wellbeing = visible_text(manager.get(f"/b/{jeanne}/wellbeing").text)
    tablets = visible_text(manager.get(f"/b/{jeanne}/tablets").text)
    if lang == "fr":
        assert "content·e, famille" in wellbeing and "dimanche 22 novembre à 10 h 30" in wellbeing
        assert "La tablette n'arrivait pas à joindre le service Foyer." in tablets
    else:
        assert "happy, family" in wellbeing and "Sunday 22 November at 10:30" in wellbeing
        assert "The tablet could not reach the Foyer service." in tablets
        circle_page = visible_text(manager.get(f"/b/{jeanne}/circle").text)
        assert "Stop sharing" in circle_page and "health professional" in circle_page
        assert "Ne plus partager" not in circle_page and "de santé" not in circle_page
