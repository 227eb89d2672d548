"""Jeanne's say (issue 16): "Partager mon humeur" paused from the tablet is enforced by the
backend (family and friends get 403 with a sentence; the care manager and the professionals
still read, and see since when), recorded in the audit log; "Ce que mes proches voient" reaches
the tablet by sync (kind "circle") and follows the circle and the pause. On SQLite and
PostgreSQL. (The access matrix has the same reads with the pause on: tests/api/matrix_cases.py.)"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from backend.models import AuditEntry
from tests.api.circle_fixtures import CircleSetup, build_circle, care_manager_of, invite, join
from tests.api.factories import API, device_headers, pair_device, session_of, sync


@pytest.fixture
def circle(client: TestClient) -> CircleSetup:
    return build_circle(client)


@pytest.fixture
def tablet(client: TestClient, circle: CircleSetup) -> dict[str, str]:
    paired = pair_device(client, care_manager_of(circle.care_manager), circle.jeanne_id)
    return device_headers(paired["access_token"])


def switch(client: TestClient, tablet: dict[str, str], paused: bool, **extra: Any) -> Any:
    data = {"paused": paused, "at": datetime.now(UTC).isoformat(), **extra}
    return client.post(
        f"{API}/device/actions",
        json={"type": "mood_sharing", "data": data},
        headers={**tablet, "Idempotency-Key": uuid.uuid4().hex},
    )


def mood(client: TestClient, tablet: dict[str, str], score: int = 4) -> None:
    response = client.post(
        f"{API}/device/actions",
        json={"type": "mood", "data": {"score": score, "tags": [],
                                        "recorded_at": datetime.now(UTC).isoformat()}},
        headers={**tablet, "Idempotency-Key": uuid.uuid4().hex},
    )  # fmt: skip
    assert response.status_code == 200, response.text


def test_paused_family_and_friends_no_longer_see_moods_the_others_do(
    client: TestClient, circle: CircleSetup, tablet: dict[str, str]
) -> None:
    mood(client, tablet)
    series = f"{API}/beneficiaries/{circle.jeanne_id}/wellbeing"
    weekly = f"{series}/weekly"
    assert client.get(series, headers=circle.daughter.headers).status_code == 200

    paused = switch(client, tablet, True)
    assert paused.status_code == 200, paused.text
    assert paused.json()["paused"] is True and paused.json()["since"] is not None
    for url in (series, weekly):
        refused = client.get(url, headers=circle.daughter.headers)
        assert refused.status_code == 403
        assert refused.json()["detail"].startswith(
            "Jeanne Martin a mis en pause le partage de son humeur depuis le "
        )
        assert "score" not in refused.text
        # Neighbours never saw moods: still 403, for the usual reason.
        assert client.get(url, headers=circle.neighbour.headers).status_code == 403
        for reader in (circle.care_manager, circle.nurse, circle.home_aide):
            assert client.get(url, headers=reader.headers).status_code == 200, reader.name
    state = client.get(
        f"{API}/beneficiaries/{circle.jeanne_id}/mood-sharing", headers=circle.daughter.headers
    ).json()
    assert state["paused"] is True
    assert datetime.fromisoformat(state["since"]) == datetime.fromisoformat(paused.json()["since"])
    # Moods are still recorded while paused (the tablet keeps asking; only the sharing stops).
    mood(client, tablet, 2)

    resumed = switch(client, tablet, False)
    assert resumed.json() == {"paused": False, "since": None}
    assert client.get(series, headers=circle.daughter.headers).status_code == 200
    assert len(client.get(series, headers=circle.daughter.headers).json()["items"]) == 2


def test_the_switch_is_idempotent_checked_and_in_the_audit_log(
    client: TestClient, circle: CircleSetup, tablet: dict[str, str]
) -> None:
    first = switch(client, tablet, True, at=(datetime.now(UTC) - timedelta(minutes=3)).isoformat())
    again = switch(client, tablet, True)
    assert again.json()["since"] == first.json()["since"]  # paused since the first time
    for wrong in (
        {"paused": "yes"},
        {"paused": True, "at": "hier"},
        {"paused": True, "at": datetime.now(UTC).isoformat(), "who": "Sophie"},
    ):
        response = client.post(
            f"{API}/device/actions",
            json={"type": "mood_sharing", "data": wrong},
            headers={**tablet, "Idempotency-Key": uuid.uuid4().hex},
        )
        assert response.status_code == 422, (wrong, response.text)
    switch(client, tablet, False)
    with session_of(client) as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "mood_sharing").order_by(AuditEntry.id)
        ).all()
    assert [(e.action, e.actor_device_id is not None, e.actor_user_id) for e in entries] == [
        ("update", True, None),
        ("update", True, None),
    ]


def test_people_outside_the_circle_learn_nothing(
    client: TestClient, circle: CircleSetup, tablet: dict[str, str]
) -> None:
    url = f"{API}/beneficiaries/{circle.jeanne_id}/mood-sharing"
    assert client.get(url, headers=circle.other_family.headers).status_code == 404
    assert client.get(url, headers=circle.neighbour.headers).status_code == 403
    assert client.get(url).status_code == 401


def _circle(payload: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in payload["upserts"]["circle"]}


def test_what_my_people_see_reaches_the_tablet_and_follows_the_circle_and_the_pause(
    client: TestClient, circle: CircleSetup, tablet: dict[str, str]
) -> None:
    credential = tablet["Authorization"].split(" ", 1)[1]
    snapshot = sync(client, credential).json()
    people = _circle(snapshot)
    assert people["Sophie Martin"] == {
        "id": circle.daughter.id,
        "name": "Sophie Martin",
        "role": "family",
        "role_label": "famille",
        "sees": ["agenda", "messages", "mood", "photos", "visits"],
    }
    assert people["Marc Petit"]["role_label"] == "voisin·e"
    assert people["Marc Petit"]["sees"] == ["agenda", "messages", "photos"]
    assert people["Inès Leroy"]["role"] == "health_professional"
    assert people["Inès Leroy"]["role_label"] == "infirmière"
    assert people["Henri Blanc"]["sees"] == ["agenda", "messages", "photos"]
    assert people["Claire Dupont"]["role"] == "care_manager"
    assert "Luc Durand" not in people  # Albert's son
    cursor = snapshot["cursor"]

    # The pause: Sophie's record changes (no more mood), the nurse's does not.
    switch(client, tablet, True)
    delta = sync(client, credential, cursor=cursor).json()
    changed = _circle(delta)
    assert changed["Sophie Martin"]["sees"] == ["agenda", "messages", "photos", "visits"]
    assert "mood" in changed["Inès Leroy"]["sees"]
    cursor = delta["cursor"]

    # Someone joins, someone leaves, someone is renamed: each reaches the tablet.
    cousin = join(client, circle.care_manager, circle.jeanne_id, "paul@famille.test",
                  "Paul Martin", "family")  # fmt: skip
    delta = sync(client, credential, cursor=cursor).json()
    assert _circle(delta)["Paul Martin"]["sees"] == ["agenda", "messages", "photos", "visits"]
    cursor = delta["cursor"]
    removed = client.delete(
        f"{API}/beneficiaries/{circle.jeanne_id}/members/{circle.neighbour.id}",
        headers=circle.care_manager.headers,
    )
    assert removed.status_code == 204, removed.text
    delta = sync(client, credential, cursor=cursor).json()
    assert delta["deletes"]["circle"] == [circle.neighbour.id]
    cursor = delta["cursor"]
    renamed = client.patch(f"{API}/me", json={"name": "Paul M."}, headers=cousin.headers)
    assert renamed.status_code == 200, renamed.text
    delta = sync(client, credential, cursor=cursor).json()
    assert [p["name"] for p in delta["upserts"]["circle"]] == ["Paul M."]
    cursor = delta["cursor"]
    # An organisation no longer shared: its staff leave the tablet's list.
    unshared = client.delete(
        f"{API}/beneficiaries/{circle.jeanne_id}/shares/{circle.association['id']}",
        headers=circle.care_manager.headers,
    )
    assert unshared.status_code == 204, unshared.text
    delta = sync(client, credential, cursor=cursor).json()
    still = {p["id"] for p in delta["upserts"].get("circle", [])}
    # The volunteer was also invited personally (relation "professional"): still in the circle,
    # sent again; nobody else's record changed.
    assert circle.volunteer.id in still and delta["deletes"].get("circle", []) == []
    # A pending invitation is nobody yet.
    invite(client, circle.care_manager, circle.jeanne_id, "x@famille.test", "Xavier", "family")
    assert "Xavier" not in _circle(sync(client, credential).json())
