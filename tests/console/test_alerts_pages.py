"""The console's alerts pages, in process: `/alerts` (every alert the person may see, filtered
by state and person, open ones first and critical first among them), `/alerts/{id}` (what,
whom, when, the state in words, the history; take, close with a required note, reopen), the
menu's "Alertes" with the count of open ones, the dashboard's order and words, the well-being
page's alerts, and the e-mail's link that survives a sign-in.

Rights role by role: a care manager sees every alert of the people they follow, a person an
alert names sees that one, anyone else (a family member not named, another care manager, an
outsider) gets 404, as if it did not exist, on the page and on each form.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from backend.models import Alert, AlertEvent
from backend.services import alerts, mail
from tests.api.circle_fixtures import CircleSetup, Person
from tests.api.conftest import Clock
from tests.api.factories import PASSWORD, CareManager, create_beneficiary, session_of
from tests.console.conftest import BOTH_DATABASES, Browser, NewBrowser

# Thursday 3 December 2026, 10:00 in Paris.
START = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


def raise_alert(
    app: TestClient,
    beneficiary_id: int,
    now: datetime,
    key: str,
    *,
    recipients: tuple[int, ...] = (),
    critical: bool = False,
    kind: str = "reminder_missed",
    message: str = "Un rappel n'a pas été confirmé pour Jeanne Martin",
) -> int:
    with session_of(app) as session:
        alert = alerts.raise_alert(
            session,
            beneficiary_id=beneficiary_id,
            kind=kind,
            message=message,
            dedupe_key=key,
            recipient_ids=list(recipients),
            critical=critical,
            now=now,
        )
        assert alert is not None
        session.commit()
        return alert.id


def text(page: str) -> str:
    """The page's words, tags removed, entities decoded, spaces collapsed (no-break too)."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).replace("\u00a0", " ").split())


def listed(browser: Browser, query: str = "") -> list[int]:
    """The alerts /alerts shows, in its order."""
    page = browser.get("/alerts" + query)
    assert page.status_code == 200, page.text
    return [int(i) for i in re.findall(r'<h2><a href="/alerts/(\d+)">', page.text)]


def signed_in(new_browser: NewBrowser, who: Person) -> Browser:
    browser = new_browser()
    browser.login(who.email)
    return browser


def menu(browser: Browser) -> str | None:
    """The menu's "Alertes" as read (with its count), or None when it is not there."""
    page = browser.get("/account").text
    found = re.search(r'<li><a href="/alerts"[^>]*>(.*?)</a></li>', page)
    return text(found.group(1)) if found else None


# --- rights, role by role --------------------------------------------------------------------


@BOTH_DATABASES
def test_each_role_sees_the_alerts_it_may_and_no_other(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser, clock: Clock
) -> None:
    jeanne, albert = circle.jeanne_id, circle.other_beneficiary_id
    named = raise_alert(app_client, jeanne, clock.now, "named", recipients=(circle.neighbour.id,))
    critical = raise_alert(app_client, jeanne, clock.now, "critical", critical=True)
    elsewhere = raise_alert(
        app_client, albert, clock.now, "albert", message="La tablette d'Albert Durand…"
    )
    sees = [
        (circle.care_manager, [critical, named]),
        (circle.neighbour, [named]),  # named on it, whatever their role
        (circle.daughter, []),  # family, not named
        (circle.nurse, []),
        (circle.home_aide, []),
        (circle.volunteer, []),
        (circle.other_care_manager, [elsewhere]),
        (circle.other_family, []),
        (circle.outsider, []),
    ]
    every = {named, critical, elsewhere}
    for who, expected in sees:
        browser = signed_in(new_browser, who)
        assert sorted(listed(browser, "?state=all")) == sorted(expected), who.name
        for alert_id in every:
            page = browser.get(f"/alerts/{alert_id}")
            assert page.status_code == (200 if alert_id in expected else 404), (who.name, alert_id)
            if alert_id not in expected:
                assert "Un rappel" not in page.text and "Albert" not in page.text
                # A forged form is refused the same way, and changes nothing.
                for action in ("take", "close", "reopen"):
                    forged = browser.post(f"/alerts/{alert_id}/{action}", {"note": "Fait."})
                    assert forged.status_code == 404, (who.name, action)
        # The menu shows "Alertes" to whoever sees some alert; its count is of the open ones.
        assert menu(browser) == (
            None if not expected else f"Alertes {len(expected)} ouverte" + "s" * (len(expected) > 1)
        ), who.name
    with session_of(app_client) as session:
        assert all(a.state == "open" for a in session.scalars(select(Alert)))
        assert set(session.scalars(select(AlertEvent.action))) <= {"opened", "notified"}
    # A person outside the circle cannot list Jeanne's alerts either.
    outsider = signed_in(new_browser, circle.outsider)
    assert outsider.get(f"/alerts?beneficiary={jeanne}").status_code == 404
    # The family member not named sees an empty list, said in words.
    daughter = signed_in(new_browser, circle.daughter)
    assert "Aucune alerte à traiter." in text(daughter.get("/alerts").text)


# --- take, close with a note, reopen -------------------------------------------------------------


def test_take_close_with_a_note_and_reopen_with_the_history(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser, clock: Clock
) -> None:
    alert_id = raise_alert(
        app_client, circle.jeanne_id, clock.now, "k", recipients=(circle.neighbour.id,),
        critical=True,
    )  # fmt: skip
    manager = signed_in(new_browser, circle.care_manager)
    page = text(manager.get(f"/alerts/{alert_id}").text)
    assert "Critique Rappel non confirmé" in page
    assert "Un rappel n'a pas été confirmé pour Jeanne Martin" in page
    assert "Pour Jeanne Martin" in page
    assert "Depuis jeudi 3 décembre à 10 h" in page
    assert "État Ouverte" in page
    assert "Je m'en occupe" in page and "Clore l'alerte" in page and "Rouvrir" not in page

    clock.advance(12 * 60)
    taken = manager.post(f"/alerts/{alert_id}/take")
    assert taken.status_code == 303
    assert taken.headers["location"] == f"/alerts/{alert_id}?done=taken"
    page = text(manager.get(taken.headers["location"]).text)
    assert "Vous avez pris cette alerte en charge." in page
    assert "État Prise en charge par Claire Dupont à 10 h 12" in page
    assert "Je m'en occupe" not in page  # she holds it already

    # The neighbour it names sees who took it, and may take it over.
    neighbour = signed_in(new_browser, circle.neighbour)
    page = text(neighbour.get(f"/alerts/{alert_id}").text)
    assert "Prise en charge par Claire Dupont à 10 h 12" in page and "Je prends le relais" in page

    # Closing needs a note: refused in words, the alert unchanged, the form kept.
    refused = manager.post(f"/alerts/{alert_id}/close", {"note": "   "})
    assert refused.status_code == 422
    assert "Dites en quelques mots ce qui a été fait pour clore l'alerte." in text(refused.text)
    assert "Prise en charge par Claire Dupont" in text(refused.text)
    too_long = manager.post(f"/alerts/{alert_id}/close", {"note": "x" * 2001})
    assert too_long.status_code == 422 and "2000 caractères" in text(too_long.text)
    assert "x" * 2001 in too_long.text  # kept in the form

    clock.advance(2 * 60 * 60)
    closed = manager.post(f"/alerts/{alert_id}/close", {"note": "Appelé sa fille : tout va bien."})
    assert closed.status_code == 303
    page = text(manager.get(closed.headers["location"]).text)
    assert "L'alerte est close." in page
    assert "Close par Claire Dupont à 12 h 12 : Appelé sa fille : tout va bien." in page
    assert "Rouvrir l'alerte" in page and "Clore l'alerte" not in page

    # Forged: taking or closing a closed alert is refused in words (409), nothing changes.
    again = manager.post(f"/alerts/{alert_id}/take")
    assert again.status_code == 409
    assert "Cette alerte est close : rouvrez-la pour la prendre en charge." in text(again.text)
    twice = manager.post(f"/alerts/{alert_id}/close", {"note": "Encore."})
    assert twice.status_code == 409 and "Cette alerte est déjà close." in text(twice.text)

    clock.advance(60)
    reopened = neighbour.post(f"/alerts/{alert_id}/reopen", {"note": "Elle ne répond plus."})
    assert reopened.status_code == 303
    page = text(neighbour.get(reopened.headers["location"]).text)
    assert "L'alerte est rouverte." in page and "État Ouverte" in page
    not_closed = neighbour.post(f"/alerts/{alert_id}/reopen")
    assert not_closed.status_code == 409 and "Cette alerte n'est pas close." in text(
        not_closed.text
    )

    step = re.compile(
        r'<li><span class="meta">(.*?)</span> — <span class="pre">(.*?)</span></li>', re.S
    )
    history = step.findall(manager.get(f"/alerts/{alert_id}").text)
    lines = [html.unescape(line) for _, line in history]
    # The e-mails go out from the jobs worker's thread, whenever it runs: their lines may fall
    # anywhere in the history. The people's steps are exactly these, in this order.
    steps = [line for line in lines if not line.startswith("E-mail envoyé à ")]
    assert steps == [
        "Alerte ouverte",
        "Prise en charge par Claire Dupont",
        "Close par Claire Dupont : Appelé sa fille : tout va bien.",
        "Rouverte par Marc Petit : Elle ne répond plus.",
    ]


def test_the_alert_page_in_english(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser, clock: Clock
) -> None:
    alert_id = raise_alert(app_client, circle.jeanne_id, clock.now, "k", critical=True)
    manager = signed_in(new_browser, circle.care_manager)
    manager.post("/lang", {"lang": "en", "next": "/"})
    page = text(manager.get(f"/alerts/{alert_id}").text)
    assert "Critical Reminder not confirmed" in page
    assert "Since Thursday 3 December at 10:00" in page and "State Open" in page
    refused = manager.post(f"/alerts/{alert_id}/close", {"note": ""})
    assert "Say in a few words what was done to close the alert." in text(refused.text)
    clock.advance(5 * 60)
    manager.post(f"/alerts/{alert_id}/take")
    page = text(manager.get(f"/alerts/{alert_id}").text)
    assert "Taken on by Claire Dupont at 10:05" in page
    assert "I'll take care of it" not in page
    listing = text(manager.get("/alerts").text)
    assert "To deal with (open or taken on)" in listing and "Taken on by Claire Dupont" in listing
    assert "Fermer" not in listing and "Prise en charge" not in listing


# --- the list ------------------------------------------------------------------------------------


def test_the_list_puts_open_ones_first_critical_first_then_newest_and_filters(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser, clock: Clock
) -> None:
    jeanne, now = circle.jeanne_id, clock.now
    hour = timedelta(hours=1)
    old_critical = raise_alert(app_client, jeanne, now - 5 * hour, "a", critical=True)
    old_open = raise_alert(app_client, jeanne, now - 4 * hour, "b")
    taken = raise_alert(app_client, jeanne, now - 3 * hour, "c")
    closed = raise_alert(app_client, jeanne, now - 2 * hour, "d", critical=True)
    new_open = raise_alert(app_client, jeanne, now - hour, "e")
    manager = signed_in(new_browser, circle.care_manager)
    manager.post(f"/alerts/{taken}/take")
    manager.post(f"/alerts/{closed}/close", {"note": "Réglé."})

    assert listed(manager) == [old_critical, new_open, old_open, taken]
    assert listed(manager, "?state=open") == [old_critical, new_open, old_open]
    assert listed(manager, "?state=taken") == [taken]
    assert listed(manager, "?state=closed") == [closed]
    assert listed(manager, "?state=all") == [old_critical, new_open, old_open, taken, closed]
    assert listed(manager, f"?state=all&beneficiary={jeanne}") == listed(manager, "?state=all")
    assert listed(manager, "?beneficiary=") == listed(manager)  # the form's "everyone"
    assert manager.get("/alerts?state=lost").status_code == 422
    page = text(manager.get("/alerts").text)
    assert "Critique Rappel non confirmé · Jeanne Martin" in page
    assert "Prise en charge par Claire Dupont à 10 h" in page
    # An alert of someone else's beneficiary: outside her circle, 404 as a filter too.
    other = circle.other_beneficiary_id
    assert manager.get(f"/alerts?beneficiary={other}").status_code == 404
    # The menu counts the open ones, not those taken on or closed.
    assert menu(manager) == "Alertes 3 ouvertes"


# --- the link in the e-mail, through the login -----------------------------------------------


def test_the_emails_link_leads_to_the_alert_after_signing_in(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser, clock: Clock
) -> None:
    alert_id = raise_alert(app_client, circle.jeanne_id, clock.now, "k")
    link = mail.alert_link(alert_id)
    assert link.endswith(f"/alerts/{alert_id}")
    path = link[link.index("/alerts/") :]
    browser = new_browser()
    response = browser.get(path)
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next=%2Falerts%2F{alert_id}"
    form = browser.get(response.headers["location"])
    assert f'name="next" value="/alerts/{alert_id}"' in form.text
    signed = browser.post(
        "/login",
        {"email": circle.care_manager.email, "password": PASSWORD, "next": path},
    )
    assert signed.status_code == 303 and signed.headers["location"] == path
    assert browser.get(path).status_code == 200
    # Only a path of this site: a link that would send people away lands on the dashboard.
    away = new_browser()
    away.get("/login")
    sent = away.post(
        "/login",
        {"email": circle.care_manager.email, "password": PASSWORD, "next": "//evil.test/x"},
    )
    assert sent.headers["location"] == "/"


# --- the dashboard and the well-being page -------------------------------------------------------


def test_the_dashboard_puts_critical_alerts_first_then_untaken_ones_and_says_them(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser, clock: Clock
) -> None:
    cm = CareManager(circle.care_manager.id, circle.care_manager.email, circle.care_manager.headers)
    people = {
        name: int(create_beneficiary(app_client, cm, first_name=name, last_name="Test")["id"])
        for name in ("Aline", "Bruno", "Chloé", "Denis")
    }
    now = clock.now
    # Aline: one alert taken on; Bruno: one open; Chloé: two, one of them critical (taken).
    taken = raise_alert(app_client, people["Aline"], now, "aline")
    raise_alert(app_client, people["Bruno"], now, "bruno")
    raise_alert(app_client, people["Chloé"], now, "chloe-1")
    critical = raise_alert(app_client, people["Chloé"], now, "chloe-2", critical=True)
    manager = signed_in(new_browser, circle.care_manager)
    manager.post(f"/alerts/{taken}/take")
    manager.post(f"/alerts/{critical}/take")
    page = manager.get("/").text
    order = re.findall(r'<h2><a href="/b/\d+">(\w+) (?:Test|Martin)</a></h2>', page)
    assert order[:3] == ["Chloé", "Bruno", "Aline"]
    words = text(page)
    assert "2 alertes dont 1 critique — 1 à prendre en charge" in words
    assert "1 alerte — 1 à prendre en charge" in words
    assert "1 alerte — prise en charge" in words
    assert f'href="/alerts?beneficiary={people["Chloé"]}"' in page
    manager.post("/lang", {"lang": "en", "next": "/"})
    english = text(manager.get("/").text)
    assert "2 alerts, 1 of them critical — 1 to be taken on" in english
    assert "1 alert — taken on" in english


def test_the_wellbeing_page_shows_each_alerts_state_and_leads_to_it(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser, clock: Clock
) -> None:
    jeanne = circle.jeanne_id
    mood = raise_alert(
        app_client, jeanne, clock.now, "mood", kind="mood_drop", message="Humeur en baisse"
    )
    reminder = raise_alert(
        app_client, jeanne, clock.now, "rem", recipients=(circle.daughter.id,), critical=True
    )
    manager = signed_in(new_browser, circle.care_manager)
    manager.post(f"/alerts/{mood}/take")
    page = manager.get(f"/b/{jeanne}/wellbeing").text
    words = text(page)
    assert f'href="/alerts/{mood}"' in page and f'href="/alerts/{reminder}"' in page
    assert "Bien-être Humeur en baisse" in words
    assert "Prise en charge par Claire Dupont à 10 h" in words
    assert "Critique Rappel non confirmé" in words and "Ouverte" in words
    assert f'href="/alerts?beneficiary={jeanne}"' in page
    # The daughter (well-being, no alerts of her own but this one, which names her).
    daughter = signed_in(new_browser, circle.daughter)
    page = daughter.get(f"/b/{jeanne}/wellbeing").text
    assert f'href="/alerts/{reminder}"' in page and f'href="/alerts/{mood}"' not in page
    # Closed: no longer on the page.
    manager.post(f"/alerts/{mood}/close", {"note": "Vu avec l'infirmière."})
    assert f'href="/alerts/{mood}"' not in manager.get(f"/b/{jeanne}/wellbeing").text


def test_when_is_said_as_people_say_it() -> None:
    from zoneinfo import ZoneInfo

    from backend.console.alerts import said_at

    paris = ZoneInfo("Europe/Paris")
    taken = datetime(2026, 12, 3, 8, 12, tzinfo=UTC)  # 9 h 12 in Paris
    assert said_at(taken, paris, taken + timedelta(hours=3), "fr") == "à 9\u00a0h\u00a012"
    assert said_at(taken, paris, taken + timedelta(hours=3), "en") == "at 9:12"
    next_day = taken + timedelta(days=1)
    assert said_at(taken, paris, next_day, "fr") == "le jeudi 3 décembre à 9\u00a0h\u00a012"
    assert said_at(taken, paris, next_day, "en") == "on Thursday 3 December at 9:12"
    # Midnight is the beneficiary's: 23 h 30 in Paris is still "today" at 23 h 50 there.
    late = datetime(2026, 12, 3, 22, 30, tzinfo=UTC)
    assert said_at(late, paris, late + timedelta(minutes=20), "fr") == "à 23\u00a0h\u00a030"
