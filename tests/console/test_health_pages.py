"""The care manager's pages of issue 16 next to the tablets, in process: the tablet's health in
words (what needs a person first), the mood-sharing pause said, the signs-of-life rules and
today's state, the news from the relatives and the gentle e-mail; French and English (with the
catalogue of `backend/console/health_i18n.py` merged, as its docstring asks), and every string
the pages mark has its English."""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from backend.console import i18n, service_messages
from backend.console.health_i18n import HEALTH_ENGLISH, SERVICE_ENGLISH
from backend.console.web import TEMPLATES_DIR
from tests.api.circle_fixtures import CircleSetup, care_manager_of
from tests.api.conftest import Clock
from tests.api.factories import API, device_headers, pair_device
from tests.console.conftest import NewBrowser

# French words that have no place on an English page (as tests/console/test_languages.py).
FRENCH = re.compile(
    r"\b((lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)s?|janvier|février|avril|juin|"
    r"juillet|août|septembre|octobre|novembre|décembre|jamais|il y a|tous les|jusqu'au)\b"
)
TAGS = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.DOTALL)


def visible_text(page: str) -> str:
    """What a person reads: the page without its tags, e-mail addresses left out."""
    text = html.unescape(TAGS.sub(" ", page)).replace("\u00a0", " ")
    return re.sub(r"\S+@\S+", " ", text)


def words(page: str) -> str:
    """What a person reads, on one line."""
    return " ".join(visible_text(page).split())


MINE = ("_care_nav.html", "tablets.html", "signs_of_life.html", "engagement.html", "audit.html")
MARKED = re.compile(r"""_\(\s*(["'])(.+?)\1\s*\)""")


@pytest.fixture
def merged(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The catalogues as they are once the merge lines are in (see health_i18n)."""
    monkeypatch.setattr(i18n, "ENGLISH", {**HEALTH_ENGLISH, **i18n.ENGLISH})
    monkeypatch.setattr(
        service_messages, "ENGLISH", {**SERVICE_ENGLISH, **service_messages.ENGLISH}
    )
    yield


def test_every_string_these_pages_mark_has_its_english() -> None:
    missing = []
    for name in MINE:
        for match in MARKED.finditer((TEMPLATES_DIR / name).read_text()):
            french = match.group(2).replace('\\"', '"')
            if french not in i18n.ENGLISH and french not in HEALTH_ENGLISH:
                missing.append(f"{name}: {french}")
    assert missing == []
    fields = re.compile(r"\{(\w*)\}")
    for french, english in {**HEALTH_ENGLISH, **SERVICE_ENGLISH}.items():
        assert set(fields.findall(french)) == set(fields.findall(english)), french


def _tablet(app: TestClient, circle: CircleSetup) -> dict[str, str]:
    paired = pair_device(app, care_manager_of(circle.care_manager), circle.jeanne_id)
    return device_headers(paired["access_token"])


def test_the_tablets_page_says_the_health_worst_first(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser, merged: None
) -> None:
    tablet = _tablet(app_client, circle)
    report = {
        "app_version": "0.4.1", "outbox_pending": 0, "free_disk_bytes": 1_280_000_000,
        "disk_total_bytes": 16_000_000_000, "restarts_today": 4, "last_error_code": "clock_wrong",
        "last_error": "ValueError: clock skew 3600 s",
    }  # fmt: skip
    assert app_client.post(f"{API}/device/status", json=report, headers=tablet).status_code == 204
    manager = new_browser()
    manager.login(circle.care_manager.email)
    page = manager.get(f"/b/{circle.jeanne_id}/tablets").text
    block = re.search(r'<ul class="facts health"[^>]*>(.*?)</ul>', page, re.S)
    assert block is not None
    lines = [words(li) for li in re.findall(r"<li[^>]*>(.*?)</li>", block.group(1))]
    # What needs a person first; then the rest.
    assert lines[0] == "Espace presque plein (92 %)"
    assert set(lines[1:3]) == {
        "Redémarrée 4 fois aujourd'hui",
        "L'horloge de la tablette n'est pas à l'heure.",
    }
    assert "En ligne" in lines[3:]
    assert "ValueError" not in page
    assert 'class="row warn"' in page
    manager.post("/lang", {"lang": "en", "next": "/"})
    english = words(manager.get(f"/b/{circle.jeanne_id}/tablets").text)
    for said in (
        "Storage almost full (92%)",
        "Restarted 4 times today",
        "The tablet's clock is wrong.",
        "Signs of life",
        "News from the relatives",
        "Who read what",
    ):
        assert said in english, said


def test_the_pause_is_said_to_the_care_manager(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser
) -> None:
    tablet = _tablet(app_client, circle)
    paused = app_client.post(
        f"{API}/device/actions",
        json={
            "type": "mood_sharing",
            "data": {"paused": True, "at": datetime.now(UTC).isoformat()},
        },
        headers={**tablet, "Idempotency-Key": uuid.uuid4().hex},
    )
    assert paused.status_code == 200, paused.text
    manager = new_browser()
    manager.login(circle.care_manager.email)
    page = words(manager.get(f"/b/{circle.jeanne_id}/tablets").text)
    assert "Jeanne a mis en pause le partage de son humeur depuis le " in page
    sophie = new_browser()
    sophie.login(circle.daughter.email)
    refused = sophie.get(f"/b/{circle.jeanne_id}/wellbeing")
    assert refused.status_code == 403
    assert "a mis en pause le partage de son humeur" in words(refused.text)


def test_the_signs_of_life_rules_and_today(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser, clock: Clock
) -> None:
    tablet = _tablet(app_client, circle)
    manager = new_browser()
    manager.login(circle.care_manager.email)
    url = f"/b/{circle.jeanne_id}/signs-of-life"
    page = words(manager.get(url).text)
    assert "non demandé (règle désactivée)" in page
    assert "Jours de semaine : apprentissage en cours (encore 3 jours)" in page
    wrong = manager.post(
        url, {"checkin_enabled": "1", "checkin_start": "11:00", "checkin_end": "08:00"}
    )
    assert wrong.status_code == 422
    assert "doit commencer avant de finir" in words(wrong.text)
    assert 'value="11:00"' in wrong.text  # what was typed stays
    saved = manager.post(
        url,
        {"checkin_enabled": "1", "checkin_start": "00:05", "checkin_end": "23:55",
         "inactivity_enabled": "1", "inactivity_grace_minutes": "30", "inactivity_deadline": ""},
    )  # fmt: skip
    assert saved.status_code == 303 and saved.headers["location"].endswith("?saved=1")
    app_client.post(
        f"{API}/device/actions",
        json={"type": "checkin_answer",
              "data": {"answered_at": clock.now.isoformat(), "answer": "ok"}},
        headers={**tablet, "Idempotency-Key": uuid.uuid4().hex},
    )  # fmt: skip
    page = words(manager.get(f"{url}?saved=1").text)
    assert "Réglages enregistrés" in page
    assert "réponse « Oui, je vais bien » à" in page
    assert "dernier signe de vie à" in page
    manager.post("/lang", {"lang": "en", "next": "/"})
    refused = manager.post(url, {"checkin_start": "11:00", "checkin_end": "08:00"})
    assert refused.status_code == 422  # said in English once service_messages has it merged
    sophie = new_browser()
    sophie.login(circle.daughter.email)
    assert sophie.get(url).status_code == 403


def test_news_from_the_relatives_and_the_gentle_email(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser, clock: Clock
) -> None:
    jeanne = circle.jeanne_id
    clock.now -= timedelta(days=21)
    app_client.post(
        f"{API}/beneficiaries/{jeanne}/messages",
        json={"space": "daily", "body": "Bisous"},
        headers=circle.neighbour.headers,
    )
    clock.now += timedelta(days=19)
    app_client.post(
        f"{API}/beneficiaries/{jeanne}/messages",
        json={"space": "daily", "body": "Coucou maman"},
        headers=circle.daughter.headers,
    )
    clock.now += timedelta(days=2)
    manager = new_browser()
    manager.login(circle.care_manager.email)
    url = f"/b/{jeanne}/engagement"
    page = words(manager.get(url).text)
    assert "Dernier contact : Sophie : il y a 2 jours · Marc : il y a 3 semaines" in page
    form = f"{url}/nudges/{circle.neighbour.id}"
    assert manager.post(form, {"after_days": "1"}).status_code == 422
    assert manager.post(form, {"after_days": "beaucoup"}).status_code == 422
    done = manager.post(form, {"after_days": "14"})
    assert done.status_code == 303
    page = manager.get(url + "?saved=1").text
    field = f'id="nudge-{circle.neighbour.id}" name="after_days"'
    assert f'{field} type="number" min="3" max="90" value="14"' in page
    assert manager.post(f"{url}/nudges/{circle.nurse.id}", {"after_days": "7"}).status_code == 404
    sophie = new_browser()
    sophie.login(circle.daughter.email)
    assert sophie.get(url).status_code == 403


@pytest.mark.parametrize("area", ["tablets", "signs-of-life", "engagement", "audit"])
def test_in_english_no_french_is_left(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser, merged: None, area: str
) -> None:
    _tablet(app_client, circle)
    manager = new_browser()
    manager.login(circle.care_manager.email)
    manager.post("/lang", {"lang": "en", "next": "/"})
    page = manager.get(f"/b/{circle.jeanne_id}/{area}")
    assert page.status_code == 200
    text = words(page.text)
    text = text.replace("Jeanne Martin", "").replace("Claire Dupont", "")
    assert not FRENCH.search(text), FRENCH.findall(text)
    for french in ("Signes de vie", "Tablettes", "Qui a consulté", "apprentissage", "Dernier"):
        assert french not in text, french
