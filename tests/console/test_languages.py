"""The console in each of its languages: every page a care manager and a family member open,
with dates, the tablet's last problem and mood words in that language, and no identifier
("happy", "backend_unreachable", snake_case) where a person reads."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.circle_fixtures import CircleSetup, care_manager_of, invite, token_of
from tests.api.conftest import Clock
from tests.api.factories import API, create_event, pair_device
from tests.api.members import action
from tests.console.conftest import Browser, NewBrowser

FRENCH = re.compile(
    r"\b((lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)s?|janvier|février|avril|juin|"
    r"juillet|août|septembre|octobre|novembre|décembre|jamais|il y a|tous les|jusqu'au)\b"
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
    rule = "FREQ=WEEKLY;BYDAY=MO,TH;UNTIL=20261231T235959"
    create_event(app_client, care_manager_of(circle.care_manager), jeanne, rrule=rule)
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
    week = visible_text(manager.get(f"/b/{jeanne}/agenda?week=2026-11-23").text)
    if lang == "fr":
        assert "content·e, famille" in wellbeing and "dimanche 22 novembre à 10 h 30" in wellbeing
        assert "La tablette n'arrivait pas à joindre le service Foyer." in tablets
        assert "tous les lundis et jeudis à 9 h, jusqu'au 31 décembre 2026" in week
        assert not ENGLISH.search(week), ENGLISH.findall(week)
    else:
        assert "happy, family" in wellbeing and "Sunday 22 November at 10:30" in wellbeing
        assert "The tablet could not reach the Foyer service." in tablets
        assert "every Monday and Thursday at 9:00, until 31 December 2026" in week
        assert not FRENCH.search(week), FRENCH.findall(week)
        circle_page = visible_text(manager.get(f"/b/{jeanne}/circle").text)
        assert "Stop sharing" in circle_page and "health professional" in circle_page
        assert "Ne plus partager" not in circle_page and "de santé" not in circle_page


# What a refused form or an error page says: words of the other language in it are a message
# not translated (names, e-mail addresses and what was typed are quoted by the messages, so
# only their sentences are looked at, not the whole page).
ALERT = re.compile(r'<div class="alert error" role="alert">(.*?)</div>', re.DOTALL)
LEAD = re.compile(r'<p class="lead">(.*?)</p>', re.DOTALL)  # an error page's message
FRENCH_WORDS = re.compile(
    r"\b(le|la|les|des|du|un|une|est|sont|pas|vous|votre|cette|ce|déjà|inconnu|inconnue|"
    r"invalide|introuvable|fuseau|adresse|compte|partie|cercle|donnez|indiquez|"
    r"diffèrent|réessayez|existe|personne)\b|[«»]",
    re.IGNORECASE,
)
ENGLISH_WORDS = re.compile(
    r"\b(the|is|are|not|you|your|this|already|unknown|invalid|found|wrong|address|account|"
    r"circle|give|differ|try|exists|person)\b",
    re.IGNORECASE,
)


def alerts(page: str) -> list[str]:
    """The form's error, or else the error page's message."""
    found = ALERT.findall(page) or LEAD.findall(page)
    return [" ".join(visible_text(text).split()) for text in found if text.strip()]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_refused_forms_and_error_pages_speak_the_page_language(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser, lang: str
) -> None:
    jeanne = circle.jeanne_id
    manager = new_browser()
    manager.login(circle.care_manager.email)
    manager.post("/lang", {"lang": lang, "next": "/"})
    invitation = invite(
        app_client, circle.care_manager, jeanne, circle.outsider.email, "Paul", "friend"
    )
    stranger = new_browser()  # signed out: the invitation, then an account that exists
    stranger.get(f"/invitation/{token_of(invitation)}")
    stranger.post("/lang", {"lang": lang, "next": f"/invitation/{token_of(invitation)}"})
    stranger.get(f"/invitation/{token_of(invitation)}")

    def submitted(browser: Browser, path: str, data: dict[str, object]) -> Any:
        browser.get(path.replace("/invitations", "/circle").replace("/agenda", "/agenda/new"))
        return browser.post(path, data)

    edit = {"first_name": "Jeanne", "last_name": "Martin", "place_name": ""}
    said = {
        "time zone": submitted(manager, f"/b/{jeanne}/edit", {**edit, "timezone": "Mars/Olympus"}),
        "e-mail": submitted(
            manager, f"/b/{jeanne}/invitations", {"email": "no-at-sign", "relation": "family"}
        ),
        "in the circle": submitted(
            manager,
            f"/b/{jeanne}/invitations",
            {"email": circle.daughter.email, "relation": "family"},
        ),
        "account": stranger.post(
            f"/invitation/{token_of(invitation)}", {"name": "Paul", "password": "x" * 12}
        ),
        "agenda": submitted(manager, f"/b/{jeanne}/agenda", {"title": "", "date": "2026-11-23"}),
        "password": manager.post(
            "/account/password", {"current": "wrong" * 3, "new": "y" * 12, "confirm": "y" * 12}
        ),
        "pin": manager.post("/account/pin", {"pin": "1234", "confirm": "4321"}),
        "not found": manager.get(f"/b/{circle.other_beneficiary_id}/agenda"),
        "no page": manager.get("/no/such/page"),
    }
    expected = {
        "time zone": ("Unknown time zone: Mars/Olympus.", "Fuseau horaire inconnu : Mars/Olympus."),
        "e-mail": ("Invalid e-mail address.", "Adresse e-mail invalide."),
        "in the circle": (
            "This person is already part of the circle.",
            "Cette personne fait déjà partie du cercle.",
        ),
        "account": (
            "An account already exists with this e-mail address: sign in, then accept the "
            "invitation.",
            "Un compte existe déjà avec cette adresse e-mail : connectez-vous, puis acceptez "
            "l'invitation.",
        ),
        "agenda": (
            "Give the appointment a title (for example “Nursing care”).",
            "Donnez un titre au rendez-vous (par exemple « Soins infirmiers »).",
        ),
        "password": ("The current password is incorrect.", "Le mot de passe actuel est incorrect."),
        "pin": ("The two PINs differ.", "Les deux codes diffèrent."),
        "not found": ("Beneficiary not found.", "Bénéficiaire introuvable."),
        "no page": (
            "This page does not exist, or you do not have access to it.",
            "Cette page n'existe pas, ou vous n'y avez pas accès.",
        ),
    }
    other = FRENCH_WORDS if lang == "en" else ENGLISH_WORDS
    problems = []
    for what, response in said.items():
        assert 400 <= response.status_code < 500, (what, response.status_code)
        shown = alerts(response.text)
        english, french = expected[what]
        if (english if lang == "en" else french) not in shown:
            problems.append(f"{what}: {shown}")
        for text in shown:
            problems += [f"{what}: {m.group(0)!r} in {text!r}" for m in other.finditer(text)]
    assert problems == []
