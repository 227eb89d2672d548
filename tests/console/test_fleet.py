"""An organisation's fleet page (/o/{id}/fleet, issue 18): its managers see every tablet of
the organisation with its person, version, health in words and last contact, the counts, the
filters « Hors ligne depuis plus de 24 h », « Version ancienne », « Mise à jour en échec »,
sorted by last contact and a page at a time; nobody else does; the page costs the same
statements for 12 tablets as for 130."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from backend.models import (
    DeviceUpdate,
    Membership,
    Organisation,
    Release,
    Rollout,
)
from tests.api.circle_fixtures import CircleSetup, create_organisation, new_care_manager
from tests.api.conftest import Clock
from tests.api.factories import session_of, state_of
from tests.api.sql_statements import statements
from tests.console.conftest import BOTH_DATABASES, NewBrowser
from tests.console.fleet_helpers import add_tablets as add_tablets_at
from tests.console.fleet_helpers import words

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # Monday 11:00 in Paris


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


def add_tablets(app: TestClient, care_manager_id: int, count: int, **kw: Any) -> list[int]:
    return add_tablets_at(app, care_manager_id, count, now=NOW, **kw)


def rows(page: str) -> list[str]:
    """The table's rows as a person reads them, in the page's order."""
    body = re.search(r"<tbody>(.*?)</tbody>", page, re.S)
    return (
        [] if body is None else [words(r) for r in re.findall(r"<tr.*?</tr>", body.group(1), re.S)]
    )


def failed_update(app: TestClient, organisation_id: int, device_ids: list[int], **kw: Any) -> int:
    """A rollout of 0.5.0 in the organisation, failed on `device_ids` (the tablet's reason)."""
    with session_of(app) as session:
        release = Release(version="0.5.0", filename="foyer-0.5.0.whl", size=10, sha256="0" * 64,
                          signature="c2ln", notes="")  # fmt: skip
        session.add(release)
        session.flush()
        rollout = Rollout(
            organisation_id=organisation_id,
            release_id=release.id,
            channel="stable",
            stages="5,25,100",
            stage_index=1,
            state=kw.get("state", "active"),
        )
        session.add(rollout)
        session.flush()
        for device_id in device_ids:
            update = DeviceUpdate(
                device_id=device_id,
                rollout_id=rollout.id,
                state="rolled_back",
                from_version="0.4.1",
                reason="La tablette n'a pas redémarré",
                updated_at=NOW,
            )
            session.add(update)
        session.commit()
        return rollout.id


def manager_of(app: TestClient, circle: CircleSetup, new_browser: NewBrowser) -> Any:
    browser = new_browser()
    browser.login(circle.care_manager.email)
    return browser


def test_the_managers_see_every_tablet_with_its_person_version_health_and_last_contact(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser
) -> None:
    saad = circle.saad["id"]
    cm = circle.care_manager.id
    add_tablets(app_client, cm, 2, first="Rose", seen_hours_ago=0)  # online, 0.4.1
    add_tablets(app_client, cm, 1, first="Louis", seen_hours_ago=30, version="0.3.9")
    add_tablets(app_client, cm, 1, first="Marthe", seen_hours_ago=2, version=None)
    # Someone else's people: another care manager, not in the organisation.
    add_tablets(app_client, circle.other_care_manager.id, 3, first="Albert")
    manager = manager_of(app_client, circle, new_browser)

    page = manager.get(f"/o/{saad}/fleet")
    assert page.status_code == 200
    said = words(page.text)
    assert "SAAD Bien chez soi" in said
    assert "4 tablettes" in said and "Albert" not in said
    assert "2 en ligne" in said
    assert "1 hors ligne depuis plus de 24 h" in said
    assert "1 en version ancienne" in said  # 0.3.9 where 0.4.1 is the newest installed
    assert "0 en échec de mise à jour" in said
    found = rows(page.text)
    # The longest silent first (Louis, 30 h), the last contact said both ways.
    assert found[0].startswith("Louis Numéro 000 Tablette salon 0.3.9")
    assert "Tablette hors ligne depuis 30 h (dernier contact hier à 5 h)" in found[0]
    assert "il y a 1 jour" in found[0]
    assert found[1].startswith("Marthe Numéro 000 Tablette salon pas encore de rapport")
    assert "Tablette hors ligne depuis 2 h" in found[1]
    assert [r.split(" Tablette salon ")[0] for r in found[2:]] == [
        "Rose Numéro 001",
        "Rose Numéro 000",
    ]
    assert "En ligne" in found[3]
    # A person the manager follows leads to their tablets page.
    assert re.search(r'<a href="/b/\d+/tablets">Louis Numéro 000</a>', page.text)

    newest_first = rows(manager.get(f"/o/{saad}/fleet?sort=contact_new").text)
    assert [r.split(" Tablette salon ")[0] for r in newest_first] == [
        "Rose Numéro 000", "Rose Numéro 001", "Marthe Numéro 000", "Louis Numéro 000"
    ]  # fmt: skip

    manager.post("/lang", {"lang": "en", "next": f"/o/{saad}/fleet"})
    english = words(manager.get(f"/o/{saad}/fleet").text)
    assert "1 offline for more than 24 h" in english and "Tablet offline for 30 h" in english


@BOTH_DATABASES
def test_the_filters_and_the_update_failures(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser
) -> None:
    saad = circle.saad["id"]
    cm = circle.care_manager.id
    fresh = add_tablets(app_client, cm, 3, first="Rose")
    add_tablets(app_client, cm, 2, first="Louis", seen_hours_ago=25, version="0.4.0")
    failed = add_tablets(app_client, cm, 1, first="Paul", version="0.4.1")
    failed_update(app_client, saad, [failed[0], fresh[0]])
    manager = manager_of(app_client, circle, new_browser)

    page = manager.get(f"/o/{saad}/fleet")
    said = words(page.text)
    # The active rollout's 0.5.0 is what tablets should run: every other version is old.
    assert "Version attendue (dernier déploiement) : 0.5.0" in said
    assert "6 en version ancienne" in said
    assert "2 en échec de mise à jour" in said

    offline = rows(manager.get(f"/o/{saad}/fleet?show=offline").text)
    assert [r.split(" ")[0] for r in offline] == ["Louis", "Louis"]
    failing = rows(manager.get(f"/o/{saad}/fleet?show=failed").text)
    assert sorted(r.split(" ")[0] for r in failing) == ["Paul", "Rose"]
    assert all("mise à jour en échec La tablette n'a pas redémarré" in r for r in failing)
    assert "Hors ligne depuis plus de 24 h : 2 tablettes" in words(
        manager.get(f"/o/{saad}/fleet?show=offline").text
    )

    # A later rollout installed on Rose's tablet: her failure is over; Paul's remains.
    with session_of(app_client) as session:
        release = Release(version="0.5.1", filename="f.whl", size=1, sha256="1" * 64,
                          signature="c2ln", notes="")  # fmt: skip
        session.add(release)
        session.flush()
        rollout = Rollout(organisation_id=saad, release_id=release.id, channel="stable",
                          stages="100", stage_index=0, state="done")  # fmt: skip
        session.add(rollout)
        session.flush()
        session.add(DeviceUpdate(device_id=fresh[0], rollout_id=rollout.id, state="installed",
                                 from_version="0.4.1", updated_at=NOW))  # fmt: skip
        session.commit()
    failing = rows(manager.get(f"/o/{saad}/fleet?show=failed").text)
    assert [r.split(" ")[0] for r in failing] == ["Paul"]

    # Only the old versions, when nothing is being rolled out: the newest installed wins.
    with session_of(app_client) as session:
        for rollout in session.query(Rollout):
            rollout.state = "halted"
        session.commit()
    old = rows(manager.get(f"/o/{saad}/fleet?show=old").text)
    assert [r.split(" ")[0] for r in old] == ["Louis", "Louis"]


def test_bad_filters_are_refused_in_words(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser
) -> None:
    manager = manager_of(app_client, circle, new_browser)
    saad = circle.saad["id"]
    for query in ("show=everything", "sort=random", "page=0", "page=abc"):
        refused = manager.get(f"/o/{saad}/fleet?{query}")
        assert refused.status_code == 422, query
        assert "ne conviennent pas" in words(refused.text)


@BOTH_DATABASES
def test_pages_of_fifty_and_the_same_statements_for_12_or_130_tablets(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser
) -> None:
    saad = circle.saad["id"]
    cm = circle.care_manager.id
    manager = manager_of(app_client, circle, new_browser)
    engine = state_of(app_client).sessions.kw["bind"]

    def sent_for(path: str) -> list[str]:
        with statements(engine) as sent:
            response = manager.get(path)
        assert response.status_code == 200
        return [s for s in sent if "devices" in s or "device_" in s]

    add_tablets(app_client, cm, 12, first="Rose")
    failed_update(app_client, saad, [])
    small = sent_for(f"/o/{saad}/fleet")
    add_tablets(app_client, cm, 118, first="Louis", seen_hours_ago=48, version="0.3.0")
    big = sent_for(f"/o/{saad}/fleet")
    assert len(big) == len(small) <= 5

    first = manager.get(f"/o/{saad}/fleet")
    assert "130 tablettes — page 1 sur 3" in words(first.text)
    assert len(rows(first.text)) == 50
    assert f'href="/o/{saad}/fleet?page=2"' in first.text
    last = manager.get(f"/o/{saad}/fleet?page=3")
    assert len(rows(last.text)) == 30
    assert rows(last.text)[-1].startswith("Rose Numéro 000")  # the latest contact, last
    # Past the end: the last page, not an empty one.
    assert rows(manager.get(f"/o/{saad}/fleet?page=99").text) == rows(last.text)
    # Filters keep the sort across pages.
    offline = manager.get(f"/o/{saad}/fleet?show=offline&sort=name")
    assert "118 tablettes — page 1 sur 3" in words(offline.text)
    assert f"/o/{saad}/fleet?show=offline&amp;sort=name&amp;page=2" in offline.text


@BOTH_DATABASES
def test_only_the_organisations_managers_see_it(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser
) -> None:
    saad = circle.saad["id"]
    add_tablets(app_client, circle.care_manager.id, 2)
    # Paul manages an organisation of his own.
    other = new_care_manager(app_client, "gerard.moreau@autre.test", "Gérard Moreau")
    own = create_organisation(app_client, other, "SSIAD du Rhône", "nursing")
    expected = {
        circle.care_manager.email: 200,
        circle.home_aide.email: 403,  # staff of the SAAD
        circle.nurse.email: 404,  # another organisation's staff
        circle.daughter.email: 404,
        circle.other_care_manager.email: 404,
        other.email: 404,  # another organisation's manager
        circle.outsider.email: 404,
    }
    for email, status in expected.items():
        browser = new_browser()
        browser.login(email)
        response = browser.get(f"/o/{saad}/fleet")
        assert response.status_code == status, email
        menu = browser.get("/").text
        manages = email in (circle.care_manager.email, other.email)
        assert ('href="/fleet"' in menu) is manages, email
    gerard = new_browser()
    gerard.login(other.email)
    assert gerard.get("/fleet").headers["location"] == f"/o/{own['id']}/fleet"
    assert "0 tablette" in words(gerard.get(f"/o/{own['id']}/fleet").text)
    assert new_browser().get(f"/o/{saad}/fleet").status_code == 303  # signed out: log in
    assert new_browser().get("/o/999999/fleet").status_code == 303
    claire = manager_of(app_client, circle, new_browser)
    assert claire.get("/o/999999/fleet").status_code == 404
    # Claire manages three organisations: the menu's link lets her choose.
    choose = claire.get("/fleet")
    assert choose.status_code == 200
    assert f'href="/o/{saad}/fleet"' in choose.text


def test_a_staff_member_made_manager_sees_it(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser
) -> None:
    """Rights follow the membership's role, read at each request."""
    saad = circle.saad["id"]
    with session_of(app_client) as session:
        membership = (
            session.query(Membership)
            .filter_by(user_id=circle.home_aide.id, organisation_id=saad)
            .one()
        )
        membership.role = "manager"
        assert session.get(Organisation, saad) is not None
        session.commit()
    karima = new_browser()
    karima.login(circle.home_aide.email)
    assert karima.get(f"/o/{saad}/fleet").status_code == 200
