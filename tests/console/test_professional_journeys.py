"""The professional's journeys of issue 14 in the console, in process: her tablet PIN set and
changed on her account page (then the tablet knows her by it), arrival and departure from the
console with only the button that makes sense, why a visit did not happen (recorded by those
who record visits, read by the family in the log), a late arrival in progress said as such."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

from fastapi.testclient import TestClient

from tests.api.circle_fixtures import CircleSetup, care_manager_of
from tests.api.conftest import Clock
from tests.api.factories import API, device_headers, pair_device
from tests.console.conftest import BOTH_DATABASES, NewBrowser


def buttons(page: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", b).strip() for b in re.findall(r"<button[^>]*>(.*?)</button>", page)
    ]


@BOTH_DATABASES
def test_a_nurse_sets_and_changes_her_tablet_pin_on_her_account_page(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser
) -> None:
    credential = pair_device(app_client, care_manager_of(circle.care_manager), circle.jeanne_id)[
        "access_token"
    ]

    def tablet_knows(pin: str) -> int:
        response = app_client.post(
            f"{API}/device/professional/messages",
            json={"pin": pin},
            headers=device_headers(credential),
        )
        return int(response.status_code)

    nurse = new_browser()
    nurse.login(circle.nurse.email)
    page = html.unescape(nurse.get("/account").text)
    assert "Code personnel pour la tablette" in page and "Vous n'avez pas encore de code." in page
    mismatch = nurse.post("/account/pin", {"pin": "4821", "confirm": "4822"})
    assert mismatch.status_code == 422 and "Les deux codes diffèrent." in mismatch.text
    letters = nurse.post("/account/pin", {"pin": "48a1", "confirm": "48a1"})
    assert letters.status_code == 422 and "4 à 8 chiffres" in letters.text
    assert tablet_knows("4821") == 403
    done = nurse.post("/account/pin", {"pin": "4821", "confirm": "4821"})
    assert done.status_code == 303 and done.headers["location"] == "/account?done=pin"
    page = html.unescape(nurse.get("/account?done=pin").text)
    assert "Votre code personnel pour la tablette est enregistré." in page
    assert "Un code est enregistré (il n'est jamais affiché)" in page and "4821" not in page
    assert tablet_knows("4821") == 200
    # Changed: the old one no longer opens anything.
    assert nurse.post("/account/pin", {"pin": "135790", "confirm": "135790"}).status_code == 303
    assert tablet_knows("4821") == 403
    assert tablet_knows("135790") == 200
    # A forged form without the CSRF field changes nothing.
    forged = nurse.http.post("/account/pin", data={"pin": "1111", "confirm": "1111"})
    assert forged.status_code == 403 and tablet_knows("1111") == 403


def test_arrival_and_departure_from_the_console_offer_only_what_makes_sense(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser, clock: Clock
) -> None:
    jeanne = circle.jeanne_id
    clock.now = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # Monday 8:00 in Paris
    manager = new_browser()
    manager.login(circle.care_manager.email)
    manager.get(f"/b/{jeanne}/agenda/new")
    created = manager.post(
        f"/b/{jeanne}/agenda",
        {"title": "Soins infirmiers", "kind": "visit", "date": "2026-11-23", "time": "08:00",
         "duration": "30", "repeat": "never", "person_id": circle.nurse.id},
    )  # fmt: skip
    assert created.status_code == 303, created.text
    clock.now = datetime(2026, 11, 23, 7, 30, tzinfo=UTC)  # 8:30: 30 minutes late
    nurse = new_browser()
    nurse.login(circle.nurse.email)
    log = nurse.get(f"/b/{jeanne}/visits").text
    assert f'href="/b/{jeanne}/visit"' in log  # her way to record her visit
    page = nurse.get(f"/b/{jeanne}/visit").text
    assert "Arrivée" in buttons(page) and "Départ" not in buttons(page)
    arrived = nurse.post(f"/b/{jeanne}/visit/arrival")
    assert arrived.status_code == 303
    page = nurse.get(arrived.headers["location"]).text.replace("\u00a0", " ")
    assert "Arrivée enregistrée." in page
    assert "Vous êtes arrivé·e à 8 h 30, pour la visite de 8 h (Soins infirmiers)." in page
    assert "Départ" in buttons(page) and "Arrivée" not in buttons(page)
    # Her arrival in progress is late, and the log says both.
    log = nurse.get(f"/b/{jeanne}/visits?week=2026-11-23").text
    assert "en cours (arrivée en retard)" in log
    # A second arrival (an old tab) is refused in words, nothing recorded twice.
    again = nurse.post(f"/b/{jeanne}/visit/arrival")
    assert again.status_code == 409 and "Une arrivée est déjà en cours" in again.text
    clock.now = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    nurse.login(circle.nurse.email)  # the clock moved: a fresh session
    nurse.get(f"/b/{jeanne}/visit")
    left = nurse.post(f"/b/{jeanne}/visit/departure")
    assert left.status_code == 303
    page = nurse.get(left.headers["location"]).text
    assert "Départ enregistré. Bonne journée !" in page
    assert "Arrivée" in buttons(page) and "Départ" not in buttons(page)
    log = nurse.get(f"/b/{jeanne}/visits?week=2026-11-23").text.replace("\u00a0", " ")
    assert re.search(r"<td[^>]*>8 h 30</td>\s*<td[^>]*>9 h</td>\s*<td[^>]*>en retard</td>", log)
    # The family reads the log but records nothing.
    daughter = new_browser()
    daughter.login(circle.daughter.email)
    assert f'href="/b/{jeanne}/visit"' not in daughter.get(f"/b/{jeanne}/visits").text
    assert daughter.get(f"/b/{jeanne}/visit").status_code == 403
    assert daughter.post(f"/b/{jeanne}/visit/arrival").status_code == 403


@BOTH_DATABASES
def test_why_a_visit_did_not_happen_role_by_role(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser, clock: Clock
) -> None:
    jeanne = circle.jeanne_id
    clock.now = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)  # Monday 7:00 in Paris
    manager = new_browser()
    manager.login(circle.care_manager.email)
    manager.get(f"/b/{jeanne}/agenda/new")
    for title, at in (("Toilette", "08:00"), ("Repas", "12:00")):
        created = manager.post(
            f"/b/{jeanne}/agenda",
            {"title": title, "kind": "visit", "date": "2026-11-23", "time": at,
             "duration": "30", "repeat": "never"},
        )  # fmt: skip
        assert created.status_code == 303, created.text
    clock.now = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # 9:00: nobody came at 8:00
    aide = new_browser()
    aide.login(circle.home_aide.email)
    page = aide.get(f"/b/{jeanne}/visit").text
    forms = re.findall(r'name="occurrence_start" value="([^"]+)"', page)
    eight, noon = sorted(set(forms))
    event_ids = re.findall(r'name="event_id" value="(\d+)"', page)
    # Before noon, only "annulée" is offered for the 12:00 visit.
    noon_block = page[page.index(noon) :]
    assert re.findall(r'<option value="(\w+)"', noon_block)[:1] == ["cancelled"]
    said = aide.post(
        f"/b/{jeanne}/visit/absence",
        {"event_id": event_ids[0], "occurrence_start": eight, "reason": "no_answer"},
    )
    assert said.status_code == 303, said.text
    assert "Motif enregistré." in aide.get(said.headers["location"]).text
    too_soon = aide.post(
        f"/b/{jeanne}/visit/absence",
        {"event_id": event_ids[-1], "occurrence_start": noon, "reason": "forgotten"},
    )
    assert too_soon.status_code == 422
    assert "seule « annulée » se dit d'avance" in html.unescape(too_soon.text)
    # The family reads why in the log; neither she nor the neighbour may say it.
    daughter = new_browser()
    daughter.login(circle.daughter.email)
    log = daughter.get(f"/b/{jeanne}/visits?week=2026-11-23").text
    assert "manquée : pas de réponse" in log
    daughter.get(f"/b/{jeanne}/visits")
    forged = daughter.post(
        f"/b/{jeanne}/visit/absence",
        {"event_id": event_ids[0], "occurrence_start": eight, "reason": "refused"},
    )
    assert forged.status_code == 403
    neighbour = new_browser()
    neighbour.login(circle.neighbour.email)
    neighbour.get("/")
    assert (
        neighbour.post(
            f"/b/{jeanne}/visit/absence",
            {"event_id": event_ids[0], "occurrence_start": eight, "reason": "refused"},
        ).status_code
        == 403
    )
    # The nurse changes it, then takes it back.
    nurse = new_browser()
    nurse.login(circle.nurse.email)
    nurse.get(f"/b/{jeanne}/visit")
    nurse.post(
        f"/b/{jeanne}/visit/absence",
        {"event_id": event_ids[0], "occurrence_start": eight, "reason": "refused"},
    )
    assert "manquée : refusée par la personne" in daughter.get(f"/b/{jeanne}/visits").text
    cleared = nurse.post(
        f"/b/{jeanne}/visit/absence", {"event_id": event_ids[0], "occurrence_start": eight}
    )
    assert cleared.status_code == 303
    log = daughter.get(f"/b/{jeanne}/visits").text
    assert "refusée par la personne" not in log and "<td" in log
