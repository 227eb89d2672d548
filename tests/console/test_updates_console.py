"""An organisation's updates page (/o/{id}/updates, issue 18) and a tablet's update settings
on its person's tablets page: the managers see the versions across the fleet, start a
rollout, follow its progress and its failures with their reasons, advance, pause, resume and
halt it; the care manager puts a tablet on the beta channel and gives it quiet hours; nobody
else can."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from backend.models import Device, Release, Rollout
from backend.services import rollouts
from tests.api.circle_fixtures import CircleSetup, create_organisation, new_care_manager
from tests.api.conftest import Clock
from tests.api.factories import session_of
from tests.console.conftest import BOTH_DATABASES, NewBrowser
from tests.console.fleet_helpers import add_tablets, words

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


def add_release(app: TestClient, version: str, notes: str = "") -> int:
    """A release row as `foyer-backend release add` leaves it (the page never adds one)."""
    with session_of(app) as session:
        release = Release(version=version, filename=f"foyer-{version}-py3-none-any.whl",
                          size=1000, sha256="a" * 64, signature="c2ln", notes=notes)  # fmt: skip
        session.add(release)
        session.commit()
        return release.id


def rollout_of(app: TestClient, organisation_id: int) -> Rollout:
    with session_of(app) as session:
        found = session.query(Rollout).filter_by(organisation_id=organisation_id).one()
        session.expunge(found)
        return found


def section(page: str, rollout_id: int) -> str:
    """One rollout as a person reads it."""
    start = page.index(f'id="rollout-{rollout_id}"')
    ends = [page.find(mark, start + 1) for mark in ('id="rollout-', 'id="new-rollout"')]
    end = page.rfind("<", start, min(e for e in ends if e > 0))
    return words(page[page.index(">", start) + 1 : end])


def manager(app: TestClient, circle: CircleSetup, new_browser: NewBrowser) -> Any:
    browser = new_browser()
    browser.login(circle.care_manager.email)
    return browser


def test_a_rollout_started_followed_and_halted_from_the_page(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser
) -> None:
    saad = circle.saad["id"]
    cm = circle.care_manager.id
    devices = add_tablets(app_client, cm, 30, now=NOW, first="Rose", version="0.4.1")
    devices += add_tablets(app_client, cm, 10, now=NOW, first="Louis", version="0.4.0")
    release_id = add_release(app_client, "0.5.0", "Agenda plus lisible")
    claire = manager(app_client, circle, new_browser)

    page = claire.get(f"/o/{saad}/updates")
    assert page.status_code == 200
    said = words(page.text)
    assert "0.4.1 30 75 %" in said and "0.4.0 10 25 %" in said  # versions across the fleet
    assert "Aucun déploiement pour le moment." in said

    refused = claire.post(f"/o/{saad}/rollouts", {"release_id": release_id, "stages": "5,x"})
    assert refused.status_code == 422
    assert "Étapes invalides : 5,x" in words(refused.text)
    assert 'value="5,x"' in refused.text  # what was typed stays
    assert claire.post(f"/o/{saad}/rollouts", {"stages": "5,25"}).status_code == 422

    started = claire.post(
        f"/o/{saad}/rollouts",
        {"release_id": release_id, "channel": "stable", "stages": "20,50,100"},
    )
    assert started.status_code == 303
    rollout = rollout_of(app_client, saad)
    assert (rollout.state, rollout.stages, rollout.created_by_id) == ("active", "20,50,100", cm)
    page = claire.get(started.headers["location"])
    assert "Déploiement lancé" in words(page.text)
    shown = section(page.text, rollout.id)
    assert "Version 0.5.0 — canal stable — en cours" in shown
    assert "Étapes : 20 % → 50 % → 100 % (étape 1 sur 3)" in shown

    # Two tablets of the stage report: one installed, one failed with its reason.
    with session_of(app_client) as session:
        live = session.get(Rollout, rollout.id)
        assert live is not None
        in_stage = [d for d in devices if rollouts.in_stage(live, d)]
        for device_id, outcome, reason in (
            (in_stage[0], "installed", None),
            (in_stage[1], "rolled_back", "Le kiosque n'a pas démarré (retour à 0.4.1)"),
        ):
            device = session.get(Device, device_id)
            assert device is not None
            rollouts.report(session, device, rollout_id=rollout.id, version="0.5.0",
                            outcome=outcome, from_version="0.4.1", reason=reason,
                            now=NOW + timedelta(minutes=5))  # fmt: skip
        session.commit()
    shown = section(claire.get(f"/o/{saad}/updates").text, rollout.id)
    targeted = len(in_stage)
    assert f"{targeted} tablettes dans l'étape (20 %)" in shown
    assert "1 installées" in shown
    assert "1 en échec (dont 1 revenues à leur version)" in shown
    assert f"{targeted - 2} en attente" in shown
    assert "Rose Numéro" in shown and "Le kiosque n'a pas démarré (retour à 0.4.1)" in shown

    assert claire.post(f"/o/{saad}/rollouts/{rollout.id}/advance").status_code == 303
    assert rollout_of(app_client, saad).stage_index == 1
    assert claire.post(f"/o/{saad}/rollouts/{rollout.id}/pause").status_code == 303
    shown = section(claire.get(f"/o/{saad}/updates").text, rollout.id)
    assert "en pause" in shown and "Reprendre" in shown and "Étape suivante" not in shown
    # Advancing a paused rollout: the service refuses, the page says why.
    refused = claire.post(f"/o/{saad}/rollouts/{rollout.id}/advance")
    assert refused.status_code == 409
    assert "Action impossible : ce déploiement est en pause." in words(refused.text)
    assert claire.post(f"/o/{saad}/rollouts/{rollout.id}/resume").status_code == 303
    assert rollout_of(app_client, saad).state == "active"

    no_reason = claire.post(f"/o/{saad}/rollouts/{rollout.id}/halt", {"reason": "  "})
    assert no_reason.status_code == 422
    assert "Indiquez la raison de l'arrêt." in words(no_reason.text)
    halted = claire.post(
        f"/o/{saad}/rollouts/{rollout.id}/halt", {"reason": "Écran noir chez deux personnes"}
    )
    assert halted.status_code == 303
    shown = section(claire.get(f"/o/{saad}/updates").text, rollout.id)
    assert "arrêté" in shown and "Écran noir chez deux personnes" in shown

    claire.post("/lang", {"lang": "en", "next": "/"})
    english = words(claire.get(f"/o/{saad}/updates").text)
    assert "Versions across the fleet" in english and "halted" in english


@BOTH_DATABASES
def test_only_the_managers_change_rollouts(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser
) -> None:
    saad = circle.saad["id"]
    add_tablets(app_client, circle.care_manager.id, 3, now=NOW)
    release_id = add_release(app_client, "0.5.0")
    claire = manager(app_client, circle, new_browser)
    claire.get(f"/o/{saad}/updates")
    assert claire.post(f"/o/{saad}/rollouts", {"release_id": release_id}).status_code == 303
    rollout = rollout_of(app_client, saad)
    other = new_care_manager(app_client, "gerard.moreau@autre.test", "Gérard Moreau")
    own = create_organisation(app_client, other, "SSIAD du Rhône", "nursing")

    for email, status in {
        circle.home_aide.email: 403,
        circle.daughter.email: 404,
        other.email: 404,
        circle.outsider.email: 404,
    }.items():
        browser = new_browser()
        browser.login(email)
        assert browser.get(f"/o/{saad}/updates").status_code == status, email
        for action in ("advance", "pause"):
            sent = browser.post(f"/o/{saad}/rollouts/{rollout.id}/{action}")
            assert sent.status_code == status, (email, action)
        sent = browser.post(f"/o/{saad}/rollouts", {"release_id": release_id})
        assert sent.status_code == status, email
    # A manager of another organisation cannot reach this one's rollout through their own.
    gerard = new_browser()
    gerard.login(other.email)
    gerard.get(f"/o/{own['id']}/updates")
    assert (
        gerard.post(f"/o/{own['id']}/rollouts/{rollout.id}/halt", {"reason": "x"}).status_code
        == 404
    )
    assert rollout_of(app_client, saad).state == "active"
    assert rollout_of(app_client, saad).stage_index == 0

    # Without the form's token, nothing is done.
    forged = claire.http.post(f"/o/{saad}/rollouts/{rollout.id}/pause", data={"csrf": "x"})
    assert forged.status_code == 403
    assert rollout_of(app_client, saad).state == "active"


def test_the_operators_rollout_is_shown_without_its_buttons(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser
) -> None:
    saad = circle.saad["id"]
    add_tablets(app_client, circle.care_manager.id, 3, now=NOW)
    release_id = add_release(app_client, "0.6.0")
    with session_of(app_client) as session:
        everyone = rollouts.create_rollout(session, organisation_id=None, release_id=release_id,
                                           channel="stable", stages=[100], created_by_id=None,
                                           now=NOW)  # fmt: skip
        session.commit()
        rollout_id = everyone.id
    claire = manager(app_client, circle, new_browser)
    page = claire.get(f"/o/{saad}/updates").text
    shown = section(page, rollout_id)
    assert "Version 0.6.0" in shown and "pour toutes les organisations" in shown
    assert f"/rollouts/{rollout_id}/" not in page
    assert claire.post(f"/o/{saad}/rollouts/{rollout_id}/pause").status_code == 404


def test_a_tablets_channel_and_quiet_hours(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser
) -> None:
    jeanne = circle.jeanne_id
    with session_of(app_client) as session:
        device = Device(beneficiary_id=jeanne, name="Tablette salon", credential_hash="f" * 64,
                        last_seen_at=NOW)  # fmt: skip
        session.add(device)
        session.commit()
        device_id = device.id
    claire = manager(app_client, circle, new_browser)
    page = claire.get(f"/b/{jeanne}/tablets")
    assert "Mises à jour : canal stable · Mises à jour à toute heure" in words(page.text)

    saved = claire.post(
        f"/devices/{device_id}/updates",
        {"channel": "beta", "quiet_start": "21:00", "quiet_end": "08:30"},
    )
    assert saved.status_code == 303
    page = claire.get(saved.headers["location"])
    said = words(page.text)
    assert "Réglages de mise à jour enregistrés." in said
    assert "Mises à jour : canal bêta · Pas de mise à jour entre 21 h et 8 h 30" in said
    with session_of(app_client) as session:
        stored = session.get(Device, device_id)
        assert stored is not None
        assert (stored.update_channel, stored.update_quiet_start, stored.update_quiet_end) == (
            "beta", "21:00", "08:30"
        )  # fmt: skip

    # Half a range: refused in words, the form keeps what was typed, nothing changes.
    refused = claire.post(
        f"/devices/{device_id}/updates", {"channel": "stable", "quiet_start": "09:00"}
    )
    assert refused.status_code == 422
    assert "Indiquez le début et la fin des heures calmes" in words(refused.text)
    assert 'value="09:00"' in refused.text
    bad = claire.post(f"/devices/{device_id}/updates", {"channel": "nightly"})
    assert bad.status_code == 422
    with session_of(app_client) as session:
        stored = session.get(Device, device_id)
        assert stored is not None and stored.update_channel == "beta"

    # Back to any time.
    claire.post(f"/devices/{device_id}/updates", {"channel": "stable"})
    assert "canal stable · Mises à jour à toute heure" in words(
        claire.get(f"/b/{jeanne}/tablets").text
    )

    # The family and the nurse cannot change it (the tablet is not theirs to manage).
    for email in (circle.daughter.email, circle.nurse.email, circle.other_care_manager.email):
        browser = new_browser()
        browser.login(email)
        sent = browser.post(f"/devices/{device_id}/updates", {"channel": "beta"})
        assert sent.status_code in (403, 404), email
    with session_of(app_client) as session:
        stored = session.get(Device, device_id)
        assert stored is not None and stored.update_channel == "stable"
