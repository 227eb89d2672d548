"""The care manager's pages of issue 14, in process: editing a beneficiary (the town located
with a fake Open-Meteo geocoding, a choice when it is several places, French errors), the
weather the tablet then gets, revoking after a confirmation, an organisation created from a
circle, the configuration applied or waiting, the tablet's own maintenance PIN, invitations
with their expiry, .ics import and export. Rights role by role."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from backend.models import Beneficiary, DeviceAuthorization, DeviceConfig, Membership
from common import tablet_config
from tests.api.circle_fixtures import CircleSetup
from tests.api.conftest import Clock, MakeClient
from tests.api.factories import (
    API,
    CareManager,
    authorize_device,
    device_headers,
    poll_token,
    session_of,
    sync,
)
from tests.console.conftest import BOTH_DATABASES, Browser, NewBrowser
from tests.fake_open_meteo import FakeOpenMeteo, place

# --- fixtures: the application on a fake Open-Meteo (forecast and geocoding) ----------------


@pytest.fixture
def fake() -> Iterator[FakeOpenMeteo]:
    with FakeOpenMeteo(slow_seconds=10.0) as server:
        yield server


@pytest.fixture
def app_client(make_client: MakeClient, clock: Clock, fake: FakeOpenMeteo) -> TestClient:
    return make_client(clock=clock, open_meteo_url=fake.url, geocoding_url=fake.geocoding_url)


def _signed_in(new_browser: NewBrowser, email: str) -> Browser:
    browser = new_browser()
    browser.login(email)
    return browser


def _beneficiary(app_client: TestClient, beneficiary_id: int) -> Beneficiary:
    with session_of(app_client) as session:
        found = session.get(Beneficiary, beneficiary_id)
        assert found is not None
        session.expunge(found)
        return found


def _text(page: str) -> str:
    """The page's words, tags removed, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _geocoding_requests(fake: FakeOpenMeteo) -> list[dict[str, str]]:
    return [q for q, p in zip(fake.requests, fake.paths, strict=True) if p == "/v1/search"]


# --- 1. editing a beneficiary, the town located ---------------------------------------------


def test_an_ambiguous_town_is_a_choice_and_the_chosen_one_gives_the_tablet_its_weather(
    app_client: TestClient, new_browser: NewBrowser, circle: CircleSetup, fake: FakeOpenMeteo
) -> None:
    cm = _signed_in(new_browser, circle.care_manager.email)
    jeanne = circle.jeanne_id
    visit = app_client.post(
        f"{API}/beneficiaries/{jeanne}/events",
        json={"title": "Soins", "start": "2026-11-25T09:00:00", "duration_minutes": 30},
        headers=circle.care_manager.headers,
    ).json()
    page = cm.get(f"/b/{jeanne}/edit")
    assert page.status_code == 200
    assert "aucune commune située" in _text(page.text)

    form = {"first_name": "Jeanne", "last_name": "Martin-Roux", "timezone": "Europe/Paris"}
    asked = cm.post(f"/b/{jeanne}/edit", {**form, "place_name": "Saint-Denis"})
    # Two places: nothing is saved until the care manager chooses.
    assert asked.status_code == 200
    words = _text(asked.text)
    assert "Plusieurs communes portent ce nom : laquelle ?" in words
    assert "Saint-Denis (La Réunion)" in words
    assert "Saint-Denis (Seine-Saint-Denis)" in words
    assert _beneficiary(app_client, jeanne).last_name == "Martin"
    [request] = _geocoding_requests(fake)
    assert request == {"name": "Saint-Denis", "count": "10", "language": "fr", "format": "json"}

    chosen = cm.post(
        f"/b/{jeanne}/edit", {**form, "place_name": "Saint-Denis", "place_id": "935264"}
    )
    assert chosen.status_code == 303
    assert chosen.headers["location"] == f"/b/{jeanne}/edit?saved=1"
    saved = _beneficiary(app_client, jeanne)
    assert (saved.last_name, saved.place_name) == ("Martin-Roux", "Saint-Denis (La Réunion)")
    assert (saved.latitude, saved.longitude) == (-20.88231, 55.4504)
    assert saved.timezone == "Indian/Reunion"  # the town's zone: the form kept the old one
    # The visit typed as "9 h" for her stays at 9 h, now in her zone.
    moved = app_client.get(f"{API}/events/{visit['id']}", headers=circle.care_manager.headers)
    assert (moved.json()["timezone"], moved.json()["start"]) == (
        "Indian/Reunion",
        "2026-11-25T09:00:00+04:00",
    )
    # The second search for the same name came from the cache.
    assert len(_geocoding_requests(fake)) == 1
    assert "Saint-Denis (La Réunion)" in _text(cm.get(f"/b/{jeanne}/edit?saved=1").text)

    # The tablet's weather now asks Open-Meteo for that place.
    credential = _pair(app_client, circle)
    weather = app_client.get(f"{API}/device/weather", headers=device_headers(credential))
    assert weather.status_code == 200, weather.text
    assert weather.json()["location"] == "Saint-Denis (La Réunion)"
    forecast = [q for q, p in zip(fake.requests, fake.paths, strict=True) if p == "/v1/forecast"]
    assert (forecast[-1]["latitude"], forecast[-1]["longitude"]) == ("-20.88", "55.45")
    assert forecast[-1]["timezone"] == "Indian/Reunion"


def test_one_town_is_taken_at_once_and_an_unknown_one_is_explained(
    app_client: TestClient, new_browser: NewBrowser, circle: CircleSetup
) -> None:
    cm = _signed_in(new_browser, circle.care_manager.email)
    jeanne = circle.jeanne_id
    form = {"first_name": "Jeanne", "last_name": "Martin", "timezone": "Europe/Paris"}
    unknown = cm.post(f"/b/{jeanne}/edit", {**form, "place_name": "Trifouilly-les-Oies"})
    assert unknown.status_code == 422
    assert "Aucune commune trouvée pour « Trifouilly-les-Oies »" in _text(unknown.text)
    assert 'value="Trifouilly-les-Oies"' in unknown.text  # what was typed stays in the form
    assert _beneficiary(app_client, jeanne).latitude is None

    lyon = cm.post(f"/b/{jeanne}/edit", {**form, "place_name": "lyon"})
    assert lyon.status_code == 303
    saved = _beneficiary(app_client, jeanne)
    assert (saved.place_name, saved.latitude, saved.timezone) == (
        "Lyon (Rhône)",
        45.74846,
        "Europe/Paris",
    )

    # Emptying the town removes the coordinates (no weather rather than a wrong one).
    assert cm.post(f"/b/{jeanne}/edit", {**form, "place_name": ""}).status_code == 303
    cleared = _beneficiary(app_client, jeanne)
    assert (cleared.place_name, cleared.latitude, cleared.longitude) == ("", None, None)


@pytest.mark.parametrize("mode", ["down", "429", "500", "malformed", "slow"])
def test_when_open_meteo_fails_the_page_says_so_in_french_and_nothing_changes(
    app_client: TestClient,
    new_browser: NewBrowser,
    circle: CircleSetup,
    fake: FakeOpenMeteo,
    mode: str,
) -> None:
    fake.slow_seconds = 10.0  # longer than the 5 s read timeout
    cm = _signed_in(new_browser, circle.care_manager.email)
    fake.mode = mode
    form = {"first_name": "Jeanne", "last_name": "Dupuis", "timezone": "Europe/Paris"}
    answer = cm.post(f"/b/{circle.jeanne_id}/edit", {**form, "place_name": "Lyon"})
    assert answer.status_code == 503
    assert "Le service de localisation (Open-Meteo) ne répond pas pour le moment" in _text(
        answer.text
    )
    saved = _beneficiary(app_client, circle.jeanne_id)
    assert (saved.last_name, saved.latitude) == ("Martin", None)
    # A failure is not cached: once Open-Meteo is back, the same search works.
    fake.mode = "normal"
    again = cm.post(f"/b/{circle.jeanne_id}/edit", {**form, "place_name": "Lyon"})
    assert again.status_code == 303


@BOTH_DATABASES
def test_only_the_care_manager_of_the_person_may_edit_them(
    app_client: TestClient, new_browser: NewBrowser, circle: CircleSetup
) -> None:
    jeanne = circle.jeanne_id
    form = {"first_name": "X", "last_name": "Y", "place_name": "", "timezone": "Europe/Paris"}
    expected = {
        circle.nurse.email: 403,  # health professional
        circle.home_aide.email: 403,
        circle.volunteer.email: 403,
        circle.daughter.email: 403,  # family
        circle.neighbour.email: 403,
        circle.other_care_manager.email: 404,  # another care manager: Jeanne "does not exist"
        circle.outsider.email: 404,
    }
    for email, status in expected.items():
        browser = _signed_in(new_browser, email)
        assert browser.get(f"/b/{jeanne}/edit").status_code == status, email
        assert browser.post(f"/b/{jeanne}/edit", form).status_code == status, email
        page = browser.get(f"/b/{jeanne}/agenda")
        assert f'href="/b/{jeanne}/edit"' not in page.text, email
    assert _beneficiary(app_client, jeanne).first_name == "Jeanne"
    cm = _signed_in(new_browser, circle.care_manager.email)
    assert f'href="/b/{jeanne}/edit"' in cm.get(f"/b/{jeanne}/agenda").text


def test_a_new_person_gets_the_weather_of_their_town_or_the_choice(
    app_client: TestClient, new_browser: NewBrowser, circle: CircleSetup
) -> None:
    cm = _signed_in(new_browser, circle.care_manager.email)
    created = cm.post(
        "/beneficiaries", {"first_name": "Paul", "last_name": "Roche", "place_name": "Lyon"}
    )
    assert created.status_code == 303
    paul = int(created.headers["location"].rsplit("/", 1)[1])
    assert (_beneficiary(app_client, paul).latitude, _beneficiary(app_client, paul).longitude) == (
        45.74846,
        4.84671,
    )

    ambiguous = cm.post(
        "/beneficiaries", {"first_name": "Rose", "last_name": "Payet", "place_name": "Saint-Denis"}
    )
    assert ambiguous.status_code == 303
    assert ambiguous.headers["location"].endswith("/edit?locate=1")
    choice = cm.get(ambiguous.headers["location"])
    words = _text(choice.text)
    assert "Plusieurs communes portent ce nom" in words
    assert "Saint-Denis (La Réunion)" in words and "Saint-Denis (Seine-Saint-Denis)" in words
    rose = int(ambiguous.headers["location"].split("/")[2])
    form = {"first_name": "Rose", "last_name": "Payet", "place_name": "Saint-Denis",
            "timezone": "Europe/Paris", "place_id": "2980916"}  # fmt: skip
    assert cm.post(f"/b/{rose}/edit", form).status_code == 303
    saved = _beneficiary(app_client, rose)
    assert (saved.place_name, saved.latitude) == ("Saint-Denis (Seine-Saint-Denis)", 48.93564)


def test_labels_tell_apart_two_places_of_the_same_department_by_their_postcode(
    app_client: TestClient, new_browser: NewBrowser, circle: CircleSetup, fake: FakeOpenMeteo
) -> None:
    fake.places["sainte-marie"] = [
        place(1, "Sainte-Marie", 14.78, -60.99, admin1="Martinique", admin2="Martinique",
              postcodes=("97230",), timezone="America/Martinique"),
        place(2, "Sainte-Marie", 43.1, 0.4, admin1="Occitanie", admin2="Hautes-Pyrénées",
              postcodes=("65370",)),
        place(3, "Sainte-Marie", 43.2, 0.5, admin1="Occitanie", admin2="Hautes-Pyrénées",
              postcodes=("65710",)),
    ]  # fmt: skip
    cm = _signed_in(new_browser, circle.care_manager.email)
    form = {"first_name": "Jeanne", "last_name": "Martin", "timezone": "Europe/Paris"}
    words = _text(
        cm.post(f"/b/{circle.jeanne_id}/edit", {**form, "place_name": "Sainte-Marie"}).text
    )
    assert "Sainte-Marie (Martinique)" in words
    assert "Sainte-Marie (Hautes-Pyrénées, 65370)" in words
    assert "Sainte-Marie (Hautes-Pyrénées, 65710)" in words


# --- 2. revoking asks first -------------------------------------------------------------------


def _pair(app_client: TestClient, circle: CircleSetup) -> str:
    grant = authorize_device(app_client)
    cm = CareManager(circle.care_manager.id, circle.care_manager.email, circle.care_manager.headers)
    approved = app_client.post(
        f"{API}/devices/approve",
        json={"user_code": grant["user_code"], "beneficiary_id": circle.jeanne_id},
        headers=cm.headers,
    )
    assert approved.status_code == 200, approved.text
    token = poll_token(app_client, grant["device_code"])
    assert token.status_code == 200, token.text
    return str(token.json()["access_token"])


def _device_id(app_client: TestClient, circle: CircleSetup) -> int:
    listed = app_client.get(
        f"{API}/beneficiaries/{circle.jeanne_id}/devices", headers=circle.care_manager.headers
    )
    return int(listed.json()[-1]["id"])


def test_revoking_names_the_person_and_the_tablet_and_asks_first(
    app_client: TestClient, new_browser: NewBrowser, circle: CircleSetup
) -> None:
    credential = _pair(app_client, circle)
    cm = _signed_in(new_browser, circle.care_manager.email)
    tablets = cm.get(f"/b/{circle.jeanne_id}/tablets").text
    device_id = int(re.search(r'href="/devices/(\d+)/revoke"', tablets).group(1))  # type: ignore[union-attr]
    # No one-click revoke on the list: a link to the confirmation page.
    assert f'action="/devices/{device_id}/revoke"' not in tablets

    confirm = cm.get(f"/devices/{device_id}/revoke")
    words = _text(confirm.text)
    assert "Révoquer « Tablette" in words and "la tablette de Jeanne Martin ?" in words
    assert "Révoquer la tablette de Jeanne Martin" in words
    # A POST without the confirmation (an old form, a forged one) only leads to the question.
    bare = cm.post(f"/devices/{device_id}/revoke")
    assert (bare.status_code, bare.headers["location"]) == (303, f"/devices/{device_id}/revoke")
    assert sync(app_client, credential).status_code == 200

    done = cm.post(f"/devices/{device_id}/revoke", {"confirm": "yes"})
    assert done.status_code == 303
    assert sync(app_client, credential).status_code == 401
    after = _text(cm.get(done.headers["location"]).text)
    assert "révoquée : à sa prochaine connexion elle efface ses données" in after

    for email, status in {
        circle.daughter.email: 403,
        circle.nurse.email: 403,
        circle.other_care_manager.email: 404,
    }.items():
        browser = _signed_in(new_browser, email)
        assert browser.get(f"/devices/{device_id}/revoke").status_code == status, email
        assert (
            browser.post(f"/devices/{device_id}/revoke", {"confirm": "yes"}).status_code == status
        )


# --- 3. an organisation created from a circle -------------------------------------------------


def test_creating_an_organisation_does_not_make_the_care_manager_a_nurse_unless_asked(
    app_client: TestClient, new_browser: NewBrowser, circle: CircleSetup
) -> None:
    cm = _signed_in(new_browser, circle.care_manager.email)
    jeanne = circle.jeanne_id
    made = cm.post(f"/b/{jeanne}/organisations", {"name": "Cabinet du Parc", "kind": "nursing"})
    assert made.status_code == 303
    page = _text(cm.get(made.headers["location"]).text)
    assert "Organisation « Cabinet du Parc » créée et partagée avec Jeanne Martin." in page
    assert "Vous n'en êtes pas membre" in page
    with session_of(app_client) as session:
        memberships = session.query(Membership).filter_by(user_id=circle.care_manager.id).all()
        org_ids = {m.organisation_id for m in memberships}
    assert len(org_ids) == 3  # the three of the fixture, not the new one
    # She still manages it, as its creator: its page lets her add staff.
    org_id = int(made.headers["location"].rsplit("=", 1)[1])
    assert "Ajouter" in cm.get(f"/organisations/{org_id}").text

    joined = cm.post(
        f"/b/{jeanne}/organisations", {"name": "SSIAD Nord", "kind": "nursing", "join": "yes"}
    )
    assert "Vous en êtes responsable et membre." in _text(cm.get(joined.headers["location"]).text)


# --- 4. configuration applied or waiting -----------------------------------------------------


def test_the_tablets_page_says_whether_the_saved_configuration_is_applied(
    app_client: TestClient, new_browser: NewBrowser, circle: CircleSetup, clock: Clock
) -> None:
    credential = _pair(app_client, circle)
    device_id = _device_id(app_client, circle)
    cm = _signed_in(new_browser, circle.care_manager.email)

    def state() -> str:
        page = cm.get(f"/b/{circle.jeanne_id}/tablets").text
        found = re.search(r'<dd class="config-state[^"]*">(.*?)</dd>', page, re.S)
        assert found is not None
        return _text(found.group(1))

    # Pairing saved version 1 (its own PIN); the tablet has not said it runs it yet.
    assert (
        state() == "version 1 en attente : la tablette l'appliquera à sa prochaine synchronisation"
    )
    report = {"app_version": "1.0", "outbox_pending": 0, "config_version": 1}
    headers = device_headers(credential)
    assert app_client.post(f"{API}/device/status", json=report, headers=headers).status_code == 204
    applied = state()
    assert re.fullmatch(r"version 1 appliquée le \w+ \d+(er)? \w+ à \d+\s+h(\s+\d\d)?", applied), (
        applied
    )

    # A new save: waiting; then the tablet goes quiet for an hour: offline since it was seen.
    view = app_client.get(f"{API}/devices/{device_id}/config", headers=circle.care_manager.headers)
    saved = app_client.put(
        f"{API}/devices/{device_id}/config",
        json={"document": {"font_scale": 1.2}, "expected_version": view.json()["version"]},
        headers=circle.care_manager.headers,
    )
    assert saved.status_code == 200, saved.text
    assert state().startswith("version 2 en attente : la tablette l'appliquera")
    clock.advance(3600)
    assert state().startswith("version 2 en attente : tablette hors ligne depuis le ")

    # It comes back and says when it applied version 2 (its clock: kept within save and now).
    said = (clock() - timedelta(minutes=20)).isoformat()
    report = {**report, "config_version": 2, "config_applied_at": said}
    assert app_client.post(f"{API}/device/status", json=report, headers=headers).status_code == 204
    status = app_client.get(
        f"{API}/devices/{device_id}/status", headers=circle.care_manager.headers
    )
    assert status.json()["config_applied_at"].startswith(said[:16])
    assert state().startswith("version 2 appliquée le ")


# --- 5. the tablet's own maintenance PIN ------------------------------------------------------


def test_each_tablet_gets_its_own_pin_at_pairing_and_a_new_one_from_the_console(
    app_client: TestClient, new_browser: NewBrowser, circle: CircleSetup
) -> None:
    grant = authorize_device(app_client)
    cm = _signed_in(new_browser, circle.care_manager.email)
    cm.get(f"/pair?code={grant['user_code']}")
    done = cm.post(
        "/pair",
        {"code": grant["user_code"], "beneficiary_id": str(circle.jeanne_id), "confirm": "1"},
    )
    assert done.status_code == 200, done.text
    pin = re.search(r'class="code big-code"[^>]*>(\d{6})<', done.text)
    assert pin is not None, done.text
    with session_of(app_client) as session:
        stored = session.query(DeviceAuthorization).one().maintenance_pin_hash
    assert pin.group(1) not in (stored or "")  # only the hash is kept
    token = poll_token(app_client, grant["device_code"])
    credential = token.json()["access_token"]
    [config] = sync(app_client, credential).json()["upserts"]["config"]
    assert config["version"] == 1
    pin_hash = config["document"]["maintenance_pin"]
    assert tablet_config.verify_pin(pin.group(1), pin_hash)
    assert not tablet_config.verify_pin(tablet_config.DEFAULT_MAINTENANCE_PIN, pin_hash)

    device_id = int(token.json()["device_id"])
    tablets = _text(cm.get(f"/b/{circle.jeanne_id}/tablets").text)
    assert "propre à cette tablette" in tablets
    assert pin.group(1) not in tablets  # never shown again

    fresh = cm.post(f"/devices/{device_id}/pin")
    assert fresh.status_code == 200
    new_pin = re.search(r'class="code big-code"[^>]*>(\d{6})<', fresh.text)
    assert new_pin is not None
    [config] = sync(app_client, credential).json()["upserts"]["config"]
    assert config["version"] == 2
    assert tablet_config.verify_pin(new_pin.group(1), config["document"]["maintenance_pin"])

    for email, status in {
        circle.daughter.email: 403,
        circle.nurse.email: 403,
        circle.other_care_manager.email: 404,
    }.items():
        browser = _signed_in(new_browser, email)
        browser.get("/")
        assert browser.post(f"/devices/{device_id}/pin").status_code == status, email
    with session_of(app_client) as session:
        row = session.get(DeviceConfig, device_id)
        assert row is not None and row.version == 2


def test_the_api_approval_returns_the_pin_once(app_client: TestClient, circle: CircleSetup) -> None:
    grant = authorize_device(app_client)
    approved = app_client.post(
        f"{API}/devices/approve",
        json={"user_code": grant["user_code"], "beneficiary_id": circle.jeanne_id},
        headers=circle.care_manager.headers,
    )
    assert re.fullmatch(r"\d{6}", approved.json()["maintenance_pin"])


# --- 6. invitations ---------------------------------------------------------------------------


def test_an_invitation_link_has_a_copy_button_a_text_fallback_and_its_expiry(
    app_client: TestClient, new_browser: NewBrowser, circle: CircleSetup
) -> None:
    cm = _signed_in(new_browser, circle.care_manager.email)
    cm.get(f"/b/{circle.jeanne_id}/circle")
    made = cm.post(
        f"/b/{circle.jeanne_id}/invitations",
        {"name": "Lucie Martin", "email": "lucie@famille.test", "relation": "family"},
    )
    assert made.status_code == 200
    link = re.search(r'id="invitation-link" class="copy" readonly value="([^"]+)"', made.text)
    assert link is not None and "/invitation/" in link.group(1)
    assert 'data-copy="invitation-link"' in made.text
    words = _text(made.text)
    # 14 days from the test clock's now, in Paris time.
    assert re.search(r"Valable jusqu'au \w+ \d+(er)? \w+ à \d+\s+h", words), words
    listed = _text(cm.get(f"/b/{circle.jeanne_id}/circle").text)
    assert re.search(
        r"Lucie Martin — lucie@famille.test \(Famille\) : en attente \(valable jusqu'au", listed
    )


# --- 7. .ics import and export ----------------------------------------------------------------

PLANNING = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//SAAD//Planning//FR\r
BEGIN:VEVENT\r
UID:saad-1@planning\r
DTSTART;TZID=Europe/Paris:20261125T090000\r
DTEND;TZID=Europe/Paris:20261125T100000\r
SUMMARY:Aide au lever\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:saad-2@planning\r
SUMMARY:Sans date\r
END:VEVENT\r
END:VCALENDAR\r
"""


def test_the_care_manager_imports_a_planning_and_anyone_who_sees_the_agenda_exports_it(
    app_client: TestClient, new_browser: NewBrowser, circle: CircleSetup
) -> None:
    cm = _signed_in(new_browser, circle.care_manager.email)
    page = cm.get(f"/b/{circle.jeanne_id}/agenda/ics")
    assert page.status_code == 200
    url = f"/b/{circle.jeanne_id}/agenda/ics/import?csrf={cm.csrf}"
    files = {"file": ("planning.ics", PLANNING, "text/calendar")}
    imported = cm.http.post(url, files=files)
    assert imported.status_code == 200, imported.text
    words = _text(imported.text)
    assert (
        "Planning importé (planning.ics) : 1 créé(s), 0 modifié(s), 0 inchangé(s), 1 ignoré(s)."
        in words
    )
    again = _text(cm.http.post(url, files=files).text)
    assert "0 créé(s), 0 modifié(s), 1 inchangé(s)" in again

    bad = cm.http.post(url, files={"file": ("x.ics", b"hello", "text/calendar")})
    assert bad.status_code == 422
    assert "pas un calendrier iCalendar" in _text(bad.text)
    no_token = cm.http.post(f"/b/{circle.jeanne_id}/agenda/ics/import", files=files)
    assert no_token.status_code == 403

    exported = cm.get(f"/b/{circle.jeanne_id}/agenda.ics")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/calendar")
    assert "attachment" in exported.headers["content-disposition"]
    assert "SUMMARY:Aide au lever" in exported.text

    feed = cm.post(f"/b/{circle.jeanne_id}/agenda/ics/feed")
    link = re.search(r'id="feed-link" class="copy" readonly value="([^"]+)"', feed.text)
    assert link is not None
    path = link.group(1).removeprefix("http://foyer.test")
    assert "Aide au lever" in app_client.get(path).text
    off = cm.post(f"/b/{circle.jeanne_id}/agenda/ics/feed/off")
    assert off.status_code == 303
    assert app_client.get(path).status_code == 404

    # The family sees the agenda: it may download it, not import nor make a link.
    daughter = _signed_in(new_browser, circle.daughter.email)
    page = daughter.get(f"/b/{circle.jeanne_id}/agenda/ics")
    assert page.status_code == 200 and "Importer un planning" not in page.text
    assert daughter.get(f"/b/{circle.jeanne_id}/agenda.ics").status_code == 200
    forged = f"/b/{circle.jeanne_id}/agenda/ics/import?csrf={daughter.csrf}"
    assert daughter.http.post(forged, files=files).status_code == 403
    assert daughter.post(f"/b/{circle.jeanne_id}/agenda/ics/feed").status_code == 403
    other = _signed_in(new_browser, circle.other_care_manager.email)
    assert other.get(f"/b/{circle.jeanne_id}/agenda.ics").status_code == 404
    assert other.get(f"/b/{circle.jeanne_id}/agenda/ics").status_code == 404


def test_a_search_is_kept_a_month_then_asked_again(
    app_client: TestClient,
    new_browser: NewBrowser,
    circle: CircleSetup,
    fake: FakeOpenMeteo,
    clock: Clock,
) -> None:
    cm = _signed_in(new_browser, circle.care_manager.email)
    form = {"first_name": "Jeanne", "last_name": "Martin", "timezone": "Europe/Paris"}
    for place_name in (
        "Saint-Denis",
        "  saint-denis ",
        "SAINT-DENIS",
    ):  # one search, spelled thrice
        assert (
            cm.post(f"/b/{circle.jeanne_id}/edit", {**form, "place_name": place_name}).status_code
            == 200
        )
    assert len(_geocoding_requests(fake)) == 1
    clock.advance(31 * 24 * 3600)
    cm = _signed_in(new_browser, circle.care_manager.email)  # the session ended meanwhile
    again = cm.post(f"/b/{circle.jeanne_id}/edit", {**form, "place_name": "Saint-Denis"})
    assert again.status_code == 200
    assert len(_geocoding_requests(fake)) == 2


@pytest.mark.parametrize(
    "tamper",
    [
        lambda body: {"results": "Lyon"},
        lambda body: {"results": [{"name": "Lyon", "latitude": 91.0, "longitude": 4.8}]},
        lambda body: {"results": [{"name": "Lyon", "latitude": "45", "longitude": 4.8}]},
        lambda body: {"results": [{"name": "Lyon"}]},
        lambda body: ["Lyon"],
    ],
)
def test_an_answer_of_another_shape_is_a_french_error_never_a_500(
    app_client: TestClient,
    new_browser: NewBrowser,
    circle: CircleSetup,
    fake: FakeOpenMeteo,
    tamper: Any,
) -> None:
    fake.tamper = tamper
    cm = _signed_in(new_browser, circle.care_manager.email)
    form = {"first_name": "Jeanne", "last_name": "Martin", "timezone": "Europe/Paris"}
    answer = cm.post(f"/b/{circle.jeanne_id}/edit", {**form, "place_name": "Lyon"})
    assert answer.status_code == 503
    assert "ne répond pas pour le moment" in _text(answer.text)
    assert _beneficiary(app_client, circle.jeanne_id).latitude is None


def test_control_characters_in_a_place_name_from_open_meteo_are_not_shown(
    app_client: TestClient, new_browser: NewBrowser, circle: CircleSetup, fake: FakeOpenMeteo
) -> None:
    fake.places["lyon"] = [place(1, "Lyon\x00\u202e", 45.7, 4.8, admin1="Auvergne-Rhône-Alpes")]
    cm = _signed_in(new_browser, circle.care_manager.email)
    form = {"first_name": "Jeanne", "last_name": "Martin", "timezone": "Europe/Paris"}
    assert cm.post(f"/b/{circle.jeanne_id}/edit", {**form, "place_name": "Lyon"}).status_code == 303
    assert _beneficiary(app_client, circle.jeanne_id).place_name == "Lyon (Auvergne-Rhône-Alpes)"
