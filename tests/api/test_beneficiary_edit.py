"""PATCH /api/v1/beneficiaries/{id}: a beneficiary's details and where the weather is taken,
by their care manager only (the rights, role by role, are in the access matrix)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.factories import API, care_manager, create_beneficiary, create_event


def test_the_care_manager_sets_the_town_and_its_coordinates_and_a_new_time_zone(
    client: TestClient,
) -> None:
    cm = care_manager(client)
    jeanne = create_beneficiary(client, cm, place_name="Lyon 3e")
    visit = create_event(client, cm, jeanne["id"], start="2026-11-25T09:00:00")
    url = f"{API}/beneficiaries/{jeanne['id']}"
    changed = client.patch(
        url,
        json={"place_name": "Saint-Denis (La Réunion)", "latitude": -20.88, "longitude": 55.45,
              "timezone": "Indian/Reunion"},
        headers=cm.headers,
    )  # fmt: skip
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["place_name"], body["latitude"], body["longitude"], body["timezone"]) == (
        "Saint-Denis (La Réunion)",
        -20.88,
        55.45,
        "Indian/Reunion",
    )
    assert body["first_name"] == "Jeanne"  # left out: unchanged
    moved = client.get(f"{API}/events/{visit['id']}", headers=cm.headers).json()
    assert moved["start"] == "2026-11-25T09:00:00+04:00"  # 9 h stays 9 h, in her zone

    half = client.patch(url, json={"latitude": 45.0}, headers=cm.headers)
    assert half.status_code == 422
    bad_zone = client.patch(url, json={"timezone": "Mars/Olympus"}, headers=cm.headers)
    assert bad_zone.status_code == 422
    cleared = client.patch(
        url, json={"place_name": "", "latitude": None, "longitude": None}, headers=cm.headers
    )
    assert cleared.status_code == 200
    assert (cleared.json()["latitude"], cleared.json()["longitude"]) == (None, None)
    nul = client.patch(url, json={"last_name": "Mar\x00tin"}, headers=cm.headers)
    assert nul.status_code == 422
    assert client.get(url, headers=cm.headers).json()["last_name"] == "Martin"
