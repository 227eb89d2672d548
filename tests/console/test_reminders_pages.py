"""The reminders' pages (issue 15), in process: role by role who sees the reminders and who may
change them (the care manager, and whom they delegate to); a reminder written in the form and
listed in words; "every day at 8 h" still 8 h around the spring change of 2026-03-29; a title
in markup shown as text; 13 times a day and a person outside the circle refused with the
service's words, the form kept and nothing stored; pause, resume, and deletion after a page
that names the reminder; the adherence per week as a chart and tables; English."""

from __future__ import annotations

import ast
import html
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from backend.console import reminders_i18n
from backend.console.web import TEMPLATES_DIR
from tests.api.circle_fixtures import CircleSetup, Person
from tests.api.conftest import Clock, MakeClient
from tests.api.factories import API, CareManager, care_manager
from tests.api.reminder_helpers import TOKEN_TTL, Home, paris
from tests.console.conftest import BOTH_DATABASES, Browser, NewBrowser

# Tuesday 1 December 2026, 9:00 in Paris.
START = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def app_client(make_client: MakeClient, clock: Clock) -> TestClient:
    # The escalation checks run when a test says so (Home.run_jobs); sessions outlive the
    # clock's moves.
    return make_client(clock=clock, run_jobs=False, access_token_ttl_seconds=TOKEN_TTL)


def _signed_in(new_browser: NewBrowser, email: str) -> Browser:
    browser = new_browser()
    browser.login(email)
    return browser


def _text(page: str) -> str:
    """The page's words, tags removed, entities decoded, spaces (no-break ones too) collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _api_reminder(
    app: TestClient, who: Person | CareManager, beneficiary_id: int, **fields: Any
) -> dict[str, Any]:
    body = {
        "title": "Médicaments du matin",
        "kind": "medication",
        "start": "2026-12-01T08:00:00",
        "rrule": "FREQ=DAILY",
        **fields,
    }
    response = app.post(
        f"{API}/beneficiaries/{beneficiary_id}/reminders", json=body, headers=who.headers
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def _stored(app: TestClient, who: Person | CareManager, beneficiary_id: int) -> list[Any]:
    response = app.get(f"{API}/beneficiaries/{beneficiary_id}/reminders", headers=who.headers)
    assert response.status_code == 200, response.text
    found: list[Any] = response.json()
    return found


def _form(**fields: Any) -> dict[str, Any]:
    """The form as the care manager fills it: every day at 8 h, "C'est fait" asked."""
    return {
        "title": "Médicaments du matin",
        "detail": "Le pilulier bleu",
        "kind": "medication",
        "date": "2026-12-01",
        "time": "08:00",
        "repeat": "daily",
        "confirm": "yes",
        "repeat_every": "10",
        "repeat_count": "3",
        "alert_after": "30",
        **fields,
    }


def _list(browser: Browser, beneficiary_id: int) -> str:
    response = browser.get(f"/b/{beneficiary_id}/reminders")
    assert response.status_code == 200, response.text
    return _text(response.text)


# --- 1. rights, role by role ----------------------------------------------------------------


@BOTH_DATABASES
def test_who_sees_the_reminders_and_who_may_change_them(
    app_client: TestClient, new_browser: NewBrowser, circle: CircleSetup
) -> None:
    jeanne = circle.jeanne_id
    reminder = _api_reminder(app_client, circle.care_manager, jeanne)["id"]
    writes = {
        "new": ("get", f"/b/{jeanne}/reminders/new", None),
        "create": ("post", f"/b/{jeanne}/reminders", _form(title="Boire un verre d'eau")),
        "edit": ("get", f"/b/{jeanne}/reminders/{reminder}/edit", None),
        "update": ("post", f"/b/{jeanne}/reminders/{reminder}", _form(title="Changé")),
        "pause": ("post", f"/b/{jeanne}/reminders/{reminder}/pause", {}),
        "resume": ("post", f"/b/{jeanne}/reminders/{reminder}/resume", {}),
        "delete page": ("get", f"/b/{jeanne}/reminders/{reminder}/delete", None),
        "delete": ("post", f"/b/{jeanne}/reminders/{reminder}/delete", {"confirm": "yes"}),
        "grant": ("post", f"/b/{jeanne}/reminders/editors", {"editor_id": circle.nurse.id}),
    }

    def refused(browser: Browser) -> dict[str, int]:
        browser.get(f"/b/{jeanne}/agenda")  # a fresh CSRF token
        answers = {}
        for name, (method, path, data) in writes.items():
            response = browser.get(path) if method == "get" else browser.post(path, data)
            answers[name] = response.status_code
        return answers

    # Family and health professionals read, without a form or a button to change anything.
    for reader in (circle.daughter, circle.nurse):
        browser = _signed_in(new_browser, reader.email)
        agenda = browser.get(f"/b/{jeanne}/agenda").text
        assert f'href="/b/{jeanne}/reminders"' in agenda  # the tab
        page = browser.get(f"/b/{jeanne}/reminders")
        assert page.status_code == 200
        words = _text(page.text)
        assert "Médicaments du matin" in words and "tous les jours à 8 h" in words
        assert "le conseiller autonomie et les personnes qu'il autorise les gèrent" in words
        for absent in ("/reminders/new", "/pause", "/delete", "/edit", 'name="editor_id"'):
            assert absent not in page.text
        assert browser.get(f"/b/{jeanne}/reminders/adherence").status_code == 200
        assert set(refused(browser).values()) == {403}, reader.email
    assert [r["title"] for r in _stored(app_client, circle.care_manager, jeanne)] == [
        "Médicaments du matin"
    ]
    # Care workers, volunteers and friends do not see reminders (a title may name a
    # treatment): no tab, 403; outside the circle, 404.
    for other in (circle.home_aide, circle.volunteer, circle.neighbour):
        browser = _signed_in(new_browser, other.email)
        agenda = browser.get(f"/b/{jeanne}/agenda")
        assert agenda.status_code == 200 and "/reminders" not in agenda.text
        assert browser.get(f"/b/{jeanne}/reminders").status_code == 403
        assert browser.get(f"/b/{jeanne}/reminders/adherence").status_code == 403
    for stranger in (circle.other_family, circle.other_care_manager, circle.outsider):
        browser = _signed_in(new_browser, stranger.email)
        assert browser.get(f"/b/{jeanne}/reminders").status_code == 404
        assert browser.get(f"/b/{jeanne}/reminders/adherence").status_code == 404
        assert browser.get(f"/b/{jeanne}/reminders/new").status_code == 404

    # The care manager sees every form, and delegates to the daughter.
    cm = _signed_in(new_browser, circle.care_manager.email)
    page = cm.get(f"/b/{jeanne}/reminders").text
    for present in (
        "/reminders/new",
        f"/reminders/{reminder}/pause",
        f"/reminders/{reminder}/edit",
        f"/reminders/{reminder}/delete",
        'name="editor_id"',
    ):
        assert present in page
    # Offered: the family and the health professionals, not the home aide or the neighbour.
    offered = re.findall(r'<option value="([1-9][0-9]*)">', page.split('name="editor_id"')[1])
    assert sorted(map(int, offered)) == sorted([circle.daughter.id, circle.nurse.id])
    aide = cm.post(f"/b/{jeanne}/reminders/editors", {"editor_id": circle.home_aide.id})
    assert aide.status_code == 422
    assert "Seuls un membre de la famille ou un professionnel de santé" in _text(aide.text)
    granted = cm.post(f"/b/{jeanne}/reminders/editors", {"editor_id": circle.daughter.id})
    assert granted.status_code == 303
    assert "Sophie Martin peut maintenant créer, modifier" in _text(
        cm.get(granted.headers["location"].split("#")[0]).text
    )

    daughter = _signed_in(new_browser, circle.daughter.email)
    page = daughter.get(f"/b/{jeanne}/reminders").text
    assert "/reminders/new" in page and 'name="editor_id"' not in page  # manages, not grants
    created = daughter.post(
        f"/b/{jeanne}/reminders", _form(title="Boire un verre d'eau", kind="drink", time="15:00")
    )
    assert created.status_code == 303, created.text
    assert (
        daughter.post(f"/b/{jeanne}/reminders/editors", {"editor_id": circle.nurse.id}).status_code
        == 403
    )
    nurse = _signed_in(new_browser, circle.nurse.email)
    assert nurse.get(f"/b/{jeanne}/reminders/new").status_code == 403

    # Revoked: the daughter reads again, and may no longer write.
    cm.get(f"/b/{jeanne}/reminders")
    revoked = cm.post(f"/b/{jeanne}/reminders/editors/{circle.daughter.id}/revoke")
    assert revoked.status_code == 303
    assert "Sophie Martin ne gère plus les rappels" in _text(
        cm.get(revoked.headers["location"].split("#")[0]).text
    )
    assert daughter.get(f"/b/{jeanne}/reminders/new").status_code == 403
    daughter.get(f"/b/{jeanne}/reminders")
    assert daughter.post(f"/b/{jeanne}/reminders/{reminder}/pause").status_code == 403
    titles = sorted(r["title"] for r in _stored(app_client, circle.care_manager, jeanne))
    assert titles == ["Boire un verre d'eau", "Médicaments du matin"]


# --- 2. written in the form, listed in words ------------------------------------------------


def test_a_reminder_written_in_the_form_is_listed_in_words(
    app_client: TestClient, new_browser: NewBrowser, circle: CircleSetup
) -> None:
    jeanne = circle.jeanne_id
    cm = _signed_in(new_browser, circle.care_manager.email)
    form = cm.get(f"/b/{jeanne}/reminders/new")
    assert form.status_code == 200
    # Whom to alert: the circle with their role (the care manager sees every alert anyway).
    words = _text(form.text)
    assert "Sophie Martin — famille" in words
    assert "Inès Leroy — infirmière, Cabinet infirmier des Lilas" in words
    assert f'id="watcher-{circle.care_manager.id}"' not in form.text
    assert 'value="2026-12-01"' in form.text  # today, where Jeanne lives

    response = cm.post(
        f"/b/{jeanne}/reminders",
        _form(alert="yes", watchers=[str(circle.daughter.id)], critical="yes"),
    )
    assert response.status_code == 303, response.text
    listed = _text(cm.get(response.headers["location"]).text)
    assert "Rappel « Médicaments du matin » créé" in listed
    assert "Médicaments du matin Médicament critique tous les jours à 8 h" in listed
    assert "Le pilulier bleu" in listed
    assert "Prochaine fois : mercredi 2 décembre à 8 h" in listed
    assert "Demande « C'est fait », redemandé toutes les 10 min, 3 fois au plus." in listed
    assert (
        "Non confirmé après 30 min : alerte à Claire Dupont (conseil autonomie), "
        "Sophie Martin (famille)." in listed
    )
    assert "Critique : l'alerte part même pendant les heures de tranquillité." in listed
    stored = _stored(app_client, circle.care_manager, jeanne)[0]
    assert (stored["rrule"], stored["start_local"], stored["escalate_after_minutes"]) == (
        "FREQ=DAILY",
        "2026-12-01T08:00:00",
        30,
    )
    assert stored["watcher_ids"] == [circle.daughter.id] and stored["critical"] is True

    # Some weekdays; several times a day; once; no confirmation.
    for fields, said, rule in (
        (
            {"title": "Kiné", "repeat": "weekly", "weekdays": ["MO", "WE", "FR"], "time": "18:00"},
            "tous les lundis, mercredis et vendredis à 18 h",
            "FREQ=WEEKLY;BYDAY=MO,WE,FR",
        ),
        (
            {"title": "Boire", "kind": "drink", "hours": ["12", "18"], "time": "08:30"},
            "tous les jours à 8 h 30, 12 h 30 et 18 h 30",
            "FREQ=DAILY;BYHOUR=8,12,18;BYMINUTE=30",
        ),
        (
            {
                "title": "Docteur",
                "kind": "appointment",
                "repeat": "once",
                "date": "2026-12-05",
                "time": "10:00",
                "confirm": "",
            },
            "une fois, le samedi 5 décembre 2026 à 10 h",
            None,
        ),
    ):
        response = cm.post(f"/b/{jeanne}/reminders", _form(**fields))
        assert response.status_code == 303, response.text
        listed = _text(cm.get(f"/b/{jeanne}/reminders").text)
        assert f"{fields['title']} " in listed and said in listed, said
        assert (
            next(
                r["rrule"]
                for r in _stored(app_client, circle.care_manager, jeanne)
                if r["title"] == fields["title"]
            )
            == rule
        )
    assert "Sans confirmation : la tablette affiche « D'accord »." in listed

    # The edit form says the reminder as it is, and keeps it so when sent back unchanged.
    boire = next(
        r for r in _stored(app_client, circle.care_manager, jeanne) if r["title"] == "Boire"
    )
    edit = cm.get(f"/b/{jeanne}/reminders/{boire['id']}/edit").text
    assert "Actuellement : tous les jours à 8 h 30, 12 h 30 et 18 h 30." in _text(edit)
    for checked in (
        'id="repeat-daily" name="repeat" value="daily" checked',
        'id="hour-12" name="hours" value="12" checked',
        'id="hour-18" name="hours" value="18" checked',
    ):
        assert checked in edit
    assert 'id="hour-8" name="hours" value="8" checked' not in edit
    changed = cm.post(
        f"/b/{jeanne}/reminders/{boire['id']}",
        _form(title="Boire un grand verre", kind="drink", time="09:00", hours=["12", "18"]),
    )
    assert changed.status_code == 303, changed.text
    listed = _text(cm.get(changed.headers["location"]).text)
    assert "Rappel « Boire un grand verre » modifié" in listed
    assert "tous les jours à 9 h, 12 h et 18 h" in listed
    # A rule the simple form cannot say is kept as the expert wrote it.
    custom = cm.post(
        f"/b/{jeanne}/reminders",
        _form(title="Pansement", repeat="custom", rrule="FREQ=MONTHLY;BYMONTHDAY=1"),
    )
    assert custom.status_code == 303, custom.text
    assert "Pansement Médicament le 1er de chaque mois à 8 h" in _text(
        cm.get(f"/b/{jeanne}/reminders").text
    )
    pansement = next(
        r for r in _stored(app_client, circle.care_manager, jeanne) if r["title"] == "Pansement"
    )
    edit = cm.get(f"/b/{jeanne}/reminders/{pansement['id']}/edit").text
    assert 'value="custom" checked' in edit and 'value="FREQ=MONTHLY;BYMONTHDAY=1"' in edit


# --- 3. daylight saving -----------------------------------------------------------------------


def test_every_day_at_8_stays_at_8_around_the_spring_change(
    app_client: TestClient, new_browser: NewBrowser, circle: CircleSetup, clock: Clock
) -> None:
    jeanne = circle.jeanne_id
    clock.now = paris(2026, 3, 28, 9).astimezone(UTC)  # Saturday, the day before
    cm = _signed_in(new_browser, circle.care_manager.email)
    response = cm.post(f"/b/{jeanne}/reminders", _form(date="2026-03-20"))
    assert response.status_code == 303, response.text
    listed = _list(cm, jeanne)
    assert "tous les jours à 8 h" in listed
    assert "Prochaine fois : dimanche 29 mars à 8 h" in listed  # 6:00 UTC, not 7:00
    reminder = _stored(app_client, circle.care_manager, jeanne)[0]
    assert reminder["next_due"] == "2026-03-29T08:00:00+02:00"
    clock.now = paris(2026, 3, 29, 9).astimezone(UTC)  # after the change
    listed = _list(cm, jeanne)
    assert "tous les jours à 8 h" in listed
    assert "Prochaine fois : lundi 30 mars à 8 h" in listed
    clock.now = paris(2026, 10, 24, 9).astimezone(UTC)  # and back in the autumn
    assert "Prochaine fois : dimanche 25 octobre à 8 h" in _list(cm, jeanne)


# --- 4. what people type is text ------------------------------------------------------------


def test_a_title_in_markup_is_shown_as_text(
    app_client: TestClient, new_browser: NewBrowser, circle: CircleSetup
) -> None:
    jeanne = circle.jeanne_id
    title = '<script>alert("x")</script><b>Insuline</b>'
    cm = _signed_in(new_browser, circle.care_manager.email)
    response = cm.post(f"/b/{jeanne}/reminders", _form(title=title, detail="<i>2 unités</i>"))
    assert response.status_code == 303, response.text
    for path in (response.headers["location"], f"/b/{jeanne}/reminders/adherence"):
        page = cm.get(path).text
        assert "<script>alert" not in page and "<b>Insuline" not in page
    page = cm.get(response.headers["location"]).text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;b&gt;Insuline&lt;/b&gt;" in page
    assert "&lt;i&gt;2 unités&lt;/i&gt;" in page and "<i>2" not in page
    reminder = _stored(app_client, circle.care_manager, jeanne)[0]
    assert reminder["title"] == title  # kept as typed
    delete = cm.get(f"/b/{jeanne}/reminders/{reminder['id']}/delete").text
    assert "<script>alert" not in delete and "&lt;b&gt;Insuline&lt;/b&gt;" in delete


# --- 5. refusals: said, the form kept, nothing stored --------------------------------------


def test_thirteen_times_a_day_is_refused_with_the_services_words(
    app_client: TestClient, new_browser: NewBrowser, circle: CircleSetup
) -> None:
    jeanne = circle.jeanne_id
    cm = _signed_in(new_browser, circle.care_manager.email)
    hours = [str(h) for h in range(9, 21)]  # and 8 h: 13
    response = cm.post(f"/b/{jeanne}/reminders", _form(title="Trop souvent", hours=hours))
    assert response.status_code == 422
    assert "Un rappel ne peut sonner plus de 12 fois par jour." in _text(response.text)
    assert 'value="Trop souvent"' in response.text and "Le pilulier bleu" in response.text
    for h in hours:
        assert f'id="hour-{h}" name="hours" value="{h}" checked' in response.text
    assert _stored(app_client, circle.care_manager, jeanne) == []
    # Twelve is the most.
    response = cm.post(f"/b/{jeanne}/reminders", _form(title="Souvent", hours=hours[:-1]))
    assert response.status_code == 303, response.text


def test_a_person_outside_the_circle_is_refused_as_a_watcher(
    app_client: TestClient, new_browser: NewBrowser, circle: CircleSetup
) -> None:
    jeanne = circle.jeanne_id
    cm = _signed_in(new_browser, circle.care_manager.email)
    watchers = [str(circle.daughter.id), str(circle.other_family.id)]  # a forged form
    response = cm.post(f"/b/{jeanne}/reminders", _form(alert="yes", watchers=watchers))
    assert response.status_code == 422
    assert (
        f"La personne n° {circle.other_family.id} ne fait pas partie de l'entourage du "
        "bénéficiaire : elle ne peut pas être prévenue." in _text(response.text)
    )
    assert (
        f'id="watcher-{circle.daughter.id}" name="watchers" value="{circle.daughter.id}" '
        "checked" in response.text
    )
    assert 'id="alert" name="alert" value="yes" checked' in response.text
    assert _stored(app_client, circle.care_manager, jeanne) == []
    # The same on an edit: the reminder stays as it was.
    reminder = _api_reminder(app_client, circle.care_manager, jeanne)
    cm.get(f"/b/{jeanne}/reminders/{reminder['id']}/edit")
    response = cm.post(
        f"/b/{jeanne}/reminders/{reminder['id']}",
        _form(title="Changé", alert="yes", watchers=watchers),
    )
    assert response.status_code == 422 and 'value="Changé"' in response.text
    after = _stored(app_client, circle.care_manager, jeanne)[0]
    assert (after["title"], after["version"], after["watcher_ids"]) == (
        "Médicaments du matin",
        1,
        [],
    )


def test_the_forms_own_mistakes_are_said_before_the_service(
    app_client: TestClient, new_browser: NewBrowser, circle: CircleSetup
) -> None:
    jeanne = circle.jeanne_id
    cm = _signed_in(new_browser, circle.care_manager.email)
    for fields, said in (
        ({"repeat": "weekly"}, "Cochez au moins un jour de la semaine."),
        ({"repeat": "once", "hours": ["12"]}, "Plusieurs fois par jour : choisissez"),
        ({"repeat": "custom"}, "Écrivez la règle (RRULE)"),
        ({"time": ""}, "Indiquez la date et l'heure du rappel."),
        ({"repeat_every": "souvent"}, "Redemander toutes les … minutes : écrivez un nombre"),
        ({"repeat_every": "2"}, "L'intervalle entre deux rappels doit être compris entre 5 et"),
        ({"alert": "yes", "confirm": ""}, "Une alerte suppose une confirmation"),
        ({"title": "   "}, "Le titre est obligatoire."),
        ({"repeat": "custom", "rrule": "FREQ=HOURLY"}, "La fréquence doit être DAILY"),
    ):
        response = cm.post(f"/b/{jeanne}/reminders", _form(**fields))
        assert response.status_code == 422, fields
        assert said in _text(response.text), fields
        assert '<div class="alert error" role="alert">' in response.text
    assert _stored(app_client, circle.care_manager, jeanne) == []


# --- 6. pause, resume, delete ---------------------------------------------------------------


def test_pause_resume_and_delete_after_a_page_that_names_it(
    app_client: TestClient, new_browser: NewBrowser, circle: CircleSetup, clock: Clock
) -> None:
    jeanne = circle.jeanne_id
    reminder = _api_reminder(app_client, circle.care_manager, jeanne)["id"]
    cm = _signed_in(new_browser, circle.care_manager.email)
    cm.get(f"/b/{jeanne}/reminders")
    paused = cm.post(f"/b/{jeanne}/reminders/{reminder}/pause")
    assert paused.status_code == 303
    listed = _text(cm.get(paused.headers["location"]).text)
    assert "« Médicaments du matin » est en pause : la tablette ne l'affiche plus" in listed
    assert "en pause" in listed and "En pause depuis le mardi 1er décembre à 9 h" in listed
    assert "Prochaine fois" not in listed
    assert f"/reminders/{reminder}/resume" in cm.get(f"/b/{jeanne}/reminders").text
    assert _stored(app_client, circle.care_manager, jeanne)[0]["paused"] is True
    clock.advance(3600)
    resumed = cm.post(f"/b/{jeanne}/reminders/{reminder}/resume")
    listed = _text(cm.get(resumed.headers["location"]).text)
    assert "« Médicaments du matin » reprend" in listed
    assert "Prochaine fois : mercredi 2 décembre à 8 h" in listed

    # Deleting asks first, naming it; a POST that does not come from there asks too.
    page = cm.get(f"/b/{jeanne}/reminders/{reminder}/delete")
    words = _text(page.text)
    assert "Supprimer le rappel « Médicaments du matin » (tous les jours à 8 h) ?" in words
    assert "L'historique de ses confirmations est effacé avec lui" in words
    unconfirmed = cm.post(f"/b/{jeanne}/reminders/{reminder}/delete")
    assert unconfirmed.headers["location"] == f"/b/{jeanne}/reminders/{reminder}/delete"
    assert len(_stored(app_client, circle.care_manager, jeanne)) == 1
    deleted = cm.post(f"/b/{jeanne}/reminders/{reminder}/delete", {"confirm": "yes"})
    assert deleted.status_code == 303
    listed = _text(cm.get(deleted.headers["location"]).text)
    assert "Rappel supprimé" in listed and "Aucun rappel pour l'instant." in listed
    assert _stored(app_client, circle.care_manager, jeanne) == []
    assert cm.get(f"/b/{jeanne}/reminders/{reminder}/edit").status_code == 404


# --- 7. adherence ---------------------------------------------------------------------------


def test_adherence_per_week_as_a_chart_and_tables(
    app_client: TestClient, new_browser: NewBrowser, clock: Clock
) -> None:
    clock.now = datetime(2026, 11, 29, 6, 0, tzinfo=UTC)  # Sunday 29 November, 7:00 in Paris
    cm = care_manager(app_client, "claire@foyer.test")
    home = Home.create(app_client, cm, clock)
    morning = home.reminder(
        start="2026-11-29T08:00:00", rrule="FREQ=DAILY", escalate_after_minutes=30
    )["id"]
    # Sunday: confirmed in time. Monday: missed, then confirmed late. Tuesday: missed.
    # Wednesday: the tablet offline, unknown.
    home.at(paris(2026, 11, 29, 8, 5))
    home.done(morning, paris(2026, 11, 29, 8))
    home.at(paris(2026, 11, 29, 8, 31))
    home.run_jobs()
    home.tablet_seen(paris(2026, 11, 30, 8, 20))
    home.at(paris(2026, 11, 30, 8, 31))
    home.run_jobs()
    home.at(paris(2026, 11, 30, 9))
    assert home.done(morning, paris(2026, 11, 30, 8)).json() == {"state": "late"}
    home.tablet_seen(paris(2026, 12, 1, 8, 20))
    home.at(paris(2026, 12, 1, 8, 31))
    home.run_jobs()
    home.at(paris(2026, 12, 2, 8, 31))
    home.run_jobs()
    home.at(paris(2026, 12, 2, 9))

    browser = _signed_in(new_browser, cm.email)
    page = browser.get(f"/b/{home.id}/reminders/adherence?weeks=4")
    assert page.status_code == 200, page.text
    words = _text(page.text)
    assert "Suivi des confirmations" in words
    # Confirmed, late, missed, unknown, pending, share: week 48 then week 49.
    assert (
        "semaine du lundi 23 novembre 1 0 0 0 0 100 % "
        "semaine du lundi 30 novembre (en cours) 0 1 1 1 0 50 %" in words
    )
    assert "Sur ces 4 semaines : 67 % des rappels confirmés (2 sur 3)." in words
    assert "Confirmation inconnue, tablette hors ligne : 1." in words
    assert "Confirmation inconnue, tablette hors ligne" in words
    # Per reminder, in total: confirmed, late, missed, unknown, pending, share.
    assert "Médicaments du matin (Médicament) 1 1 1 1 0 67 %" in words
    # The chart: a figure with its title, a bar per week that says its figures, one part per
    # outcome, each with its words.
    assert '<figure class="adherence-chart" aria-labelledby="adherence-title"' in page.text
    assert (
        'role="img" aria-label="semaine du lundi 30 novembre (en cours) : 1 confirmé en retard, '
        '1 manqué, 1 confirmation inconnue, tablette hors ligne"' in page.text
    )
    for outcome in ("confirmed", "late", "missed", "unknown"):
        assert f'class="adh adh-{outcome}"' in page.text
    assert "1 confirmation inconnue, tablette hors ligne</title>" in page.text
    assert 'aria-current="page">4 semaines' in page.text
    assert browser.get(f"/b/{home.id}/reminders/adherence?weeks=53").status_code == 422

    # Nothing to confirm: said in a sentence.
    other = home.client.post(
        f"{API}/beneficiaries",
        json={"first_name": "Albert", "last_name": "Durand"},
        headers=cm.headers,
    ).json()
    words = _text(browser.get(f"/b/{other['id']}/reminders/adherence").text)
    assert "Aucun rappel à confirmer sur ces 8 semaines." in words


# --- 8. English ----------------------------------------------------------------------------


def test_the_pages_in_english(
    app_client: TestClient, new_browser: NewBrowser, circle: CircleSetup
) -> None:
    jeanne = circle.jeanne_id
    cm = _signed_in(new_browser, circle.care_manager.email)
    cm.http.cookies.set("foyer_lang", "en")
    response = cm.post(f"/b/{jeanne}/reminders", _form(repeat="weekly"))
    assert response.status_code == 422
    words = _text(response.text)
    assert "Tick at least one day of the week." in words and "New reminder" in words
    assert "Cochez" not in words and "Nouveau rappel" not in words
    # The service's refusals too (backend/console/service_messages.py).
    response = cm.post(f"/b/{jeanne}/reminders", _form(hours=[str(h) for h in range(9, 21)]))
    assert response.status_code == 422
    assert "A reminder cannot ring more than 12 times a day." in _text(response.text)
    response = cm.post(f"/b/{jeanne}/reminders", _form(hours=["12"]))
    assert response.status_code == 303
    words = _text(cm.get(response.headers["location"]).text)
    assert "Reminder “Médicaments du matin” created" in words
    assert (
        "every day at 8:00 and 12:00" in words and "Next time: Tuesday 1 December at 12:00" in words
    )
    assert "Reminders" in words and "Rappels" not in words
    adherence = _text(cm.get(f"/b/{jeanne}/reminders/adherence").text)
    assert "Confirmations over time" in adherence


def test_every_string_of_the_reminders_pages_has_its_english() -> None:
    """Those the templates mark, and those the route says itself (notices, form errors, the
    choices it offers): in REMINDERS_ENGLISH with the same placeholders."""
    marked = re.compile(r"""_\(\s*(["'])(.+?)\1\s*\)""")
    said = {
        m.group(2)
        for path in TEMPLATES_DIR.glob("reminders*.html")
        for m in marked.finditer(path.read_text(encoding="utf-8"))
    }
    said.add("Rappels")  # the tab, in _beneficiary.html
    source = Path(reminders_i18n.__file__).with_name("reminders.py")
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.keyword) and node.arg == "error":
            said.update(
                n.value
                for n in ast.walk(node.value)
                if isinstance(n, ast.Constant) and isinstance(n.value, str)
            )
    from backend.console import reminders

    said |= set(reminders.NOTICES.values()) | set(reminders.REPEATS.values())
    said |= set(reminders.KIND_LABELS.values()) | set(reminders.WEEKDAY_WORDS)
    said |= {words for _key, *forms in reminders.OUTCOMES for words in forms}
    english = reminders_i18n.REMINDERS_ENGLISH
    assert sorted(s for s in said if s not in english) == []
    fields = re.compile(r"\{(\w*)\}")
    assert [s for s in said if set(fields.findall(s)) != set(fields.findall(english[s]))] == []
