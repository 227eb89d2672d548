"""Beneficiaries and their agenda through the HTTP API: ownership, validation, recurrences."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from backend.models import Event
from tests.api.factories import (
    API,
    CareManager,
    approve,
    authorize_device,
    care_manager,
    checked_when_sent,
    create_beneficiary,
    create_event,
    pair_device,
    session_of,
    sync,
)


def _occurrences(
    client: TestClient, cm: CareManager, beneficiary_id: int, start: str, end: str
) -> list[dict[str, Any]]:
    response = client.get(
        f"{API}/beneficiaries/{beneficiary_id}/occurrences",
        params={"start": start, "end": end},
        headers=cm.headers,
    )
    assert response.status_code == 200, response.text
    result: list[dict[str, Any]] = response.json()
    return result


# --- beneficiaries ---------------------------------------------------------------------------


def test_create_and_list_beneficiaries(client: TestClient, cm: CareManager) -> None:
    created = create_beneficiary(
        client,
        cm,
        first_name="  Jeanne ",
        last_name="Martin",
        place_name="Lyon",
        latitude=45.76,
        longitude=4.84,
    )
    create_beneficiary(client, cm, first_name="Albert", last_name="Durand")

    assert created["first_name"] == "Jeanne"  # stripped
    assert created["timezone"] == "Europe/Paris"  # the default
    assert (created["place_name"], created["latitude"], created["longitude"]) == (
        "Lyon",
        45.76,
        4.84,
    )
    listed = client.get(f"{API}/beneficiaries", headers=cm.headers).json()
    assert [b["last_name"] for b in listed] == ["Durand", "Martin"]  # sorted by last name
    fetched = client.get(f"{API}/beneficiaries/{created['id']}", headers=cm.headers)
    assert fetched.status_code == 200
    assert fetched.json() == created


def test_care_managers_only_see_their_own_beneficiaries(client: TestClient) -> None:
    alice, bob = care_manager(client), care_manager(client)
    mine = create_beneficiary(client, alice, first_name="Jeanne")
    theirs = create_beneficiary(client, bob, first_name="Marcel")

    assert [b["id"] for b in client.get(f"{API}/beneficiaries", headers=alice.headers).json()] == [
        mine["id"]
    ]
    assert [b["id"] for b in client.get(f"{API}/beneficiaries", headers=bob.headers).json()] == [
        theirs["id"]
    ]


def test_another_care_managers_beneficiary_is_not_found_everywhere(client: TestClient) -> None:
    owner, intruder = care_manager(client), care_manager(client)
    beneficiary = create_beneficiary(client, owner)
    bid = beneficiary["id"]
    event = create_event(client, owner, bid)
    device = pair_device(client, owner, bid)
    missing = client.get(f"{API}/beneficiaries/999999", headers=intruder.headers)
    assert missing.status_code == 404

    attempts = [
        ("GET", f"{API}/beneficiaries/{bid}", None),
        ("GET", f"{API}/beneficiaries/{bid}/events", None),
        (
            "POST",
            f"{API}/beneficiaries/{bid}/events",
            {"title": "x", "start": "2026-11-23T09:00", "duration_minutes": 30},
        ),
        (
            "GET",
            f"{API}/beneficiaries/{bid}/occurrences?start=2026-11-01T00:00Z&end=2026-12-01T00:00Z",
            None,
        ),
        ("GET", f"{API}/events/{event['id']}", None),
        ("PATCH", f"{API}/events/{event['id']}", {"title": "Piraté"}),
        ("DELETE", f"{API}/events/{event['id']}", None),
        ("GET", f"{API}/beneficiaries/{bid}/devices", None),
        ("POST", f"{API}/devices/{device['device_id']}/revoke", None),
    ]
    for method, path, body in attempts:
        response = client.request(method, path, json=body, headers=intruder.headers)
        assert response.status_code == 404, (method, path, response.text)
        if "/beneficiaries/" in path:
            # Indistinguishable from an id that does not exist: ids cannot be probed.
            assert response.json() == missing.json(), path

    # Nothing the intruder tried changed anything.
    assert client.get(f"{API}/events/{event['id']}", headers=owner.headers).json() == event
    assert len(client.get(f"{API}/beneficiaries/{bid}/events", headers=owner.headers).json()) == 1
    devices = client.get(f"{API}/beneficiaries/{bid}/devices", headers=owner.headers).json()
    assert [d["revoked_at"] for d in devices] == [None]
    assert sync(client, device["access_token"]).status_code == 200


def test_approving_a_tablet_for_someone_elses_beneficiary_is_not_found(
    client: TestClient,
) -> None:
    owner, intruder = care_manager(client), care_manager(client)
    beneficiary = create_beneficiary(client, owner)
    grant = authorize_device(client)

    response = approve(client, intruder, grant["user_code"], beneficiary["id"])

    assert response.status_code == 404
    assert response.json()["detail"] == "Bénéficiaire introuvable."


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"timezone": "Europe/Pariss"}, "Fuseau horaire inconnu : Europe/Pariss."),
        ({"timezone": ""}, "Fuseau horaire inconnu"),
        ({"latitude": 91}, "latitude"),
        ({"first_name": ""}, "first_name"),
        ({"nickname": "Jeannette"}, "nickname"),
    ],
    ids=["unknown-timezone", "empty-timezone", "latitude", "empty-name", "unknown-field"],
)
def test_invalid_beneficiary_is_422_with_a_readable_message(
    client: TestClient, cm: CareManager, fields: dict[str, Any], expected: str
) -> None:
    body = {"first_name": "Jeanne", "last_name": "Martin", **fields}

    response = client.post(f"{API}/beneficiaries", json=body, headers=cm.headers)

    assert response.status_code == 422
    assert isinstance(response.json()["detail"], str)
    assert expected in response.json()["detail"]
    assert client.get(f"{API}/beneficiaries", headers=cm.headers).json() == []


@pytest.mark.parametrize("what", ["beneficiary", "event", "patch"])
def test_blank_names_and_titles_are_refused(
    client: TestClient, cm: CareManager, beneficiary: dict[str, Any], what: str
) -> None:
    """Names and titles are stripped before their length is checked: "   " is empty."""
    event = create_event(client, cm, beneficiary["id"], title="Kiné")
    if what == "beneficiary":
        response = client.post(
            f"{API}/beneficiaries",
            json={"first_name": "   ", "last_name": "Martin"},
            headers=cm.headers,
        )
    elif what == "event":
        response = client.post(
            f"{API}/beneficiaries/{beneficiary['id']}/events",
            json={"title": " \t ", "start": "2026-11-23T09:00:00", "duration_minutes": 30},
            headers=cm.headers,
        )
    else:
        response = client.patch(
            f"{API}/events/{event['id']}", json={"title": "   "}, headers=cm.headers
        )

    assert response.status_code == 422, response.text
    assert isinstance(response.json()["detail"], str)
    assert [b["id"] for b in client.get(f"{API}/beneficiaries", headers=cm.headers).json()] == [
        beneficiary["id"]
    ]
    events = client.get(f"{API}/beneficiaries/{beneficiary['id']}/events", headers=cm.headers)
    assert events.json() == [event]


# --- events: validation ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"rrule": "FREQ=SECONDLY"}, "La fréquence doit être DAILY, WEEKLY, MONTHLY ou YEARLY"),
        ({"rrule": "FREQ=HOURLY;INTERVAL=1"}, "La fréquence doit être"),
        ({"rrule": "FREQ=WEEKLY;BYDAY"}, "Élément de règle illisible : « BYDAY »"),
        ({"rrule": "FREQ=WEEKLY;BYDAY=XX"}, "Règle de récurrence invalide"),
        ({"rrule": "FREQ=DAILY;COUNT=3;UNTIL=20261201T000000"}, "COUNT et UNTIL"),
        ({"rrule": "FREQ=DAILY\nRRULE:FREQ=DAILY"}, "rrule: doit tenir sur une ligne"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"duration_minutes": 24 * 60 + 1}, "duration_minutes"),
        ({"kind": "party"}, "Type de rendez-vous inconnu : party."),
        ({"title": ""}, "title"),
        ({"start": "mardi prochain"}, "start"),
        ({"colour": "red"}, "colour"),
    ],
    ids=[
        "secondly",
        "hourly",
        "unreadable-part",
        "bad-byday",
        "count-and-until",
        "multi-line",
        "zero-duration",
        "too-long",
        "unknown-kind",
        "empty-title",
        "bad-start",
        "unknown-field",
    ],
)
def test_invalid_event_is_422_with_a_readable_message(
    client: TestClient,
    cm: CareManager,
    beneficiary: dict[str, Any],
    fields: dict[str, Any],
    expected: str,
) -> None:
    body = {"title": "Kiné", "start": "2026-11-23T09:00:00", "duration_minutes": 30, **fields}

    response = client.post(
        f"{API}/beneficiaries/{beneficiary['id']}/events", json=body, headers=cm.headers
    )

    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, str)
    assert expected in detail
    listed = client.get(f"{API}/beneficiaries/{beneficiary['id']}/events", headers=cm.headers)
    assert listed.json() == []


def test_validation_errors_do_not_echo_what_was_sent(
    client: TestClient, cm: CareManager, beneficiary: dict[str, Any]
) -> None:
    body = {"title": "Kiné", "start": "2026-11-23T09:00", "duration_minutes": 30}

    response = client.post(
        f"{API}/beneficiaries/{beneficiary['id']}/events",
        json={**body, "password": "hunter2-secret"},
        headers=cm.headers,
    )

    assert response.status_code == 422
    assert response.json()["detail"].startswith("Données invalides — password:")
    assert "hunter2-secret" not in response.text


# --- events: create, read, update, delete ----------------------------------------------------


def test_event_with_rrule_and_exdates_round_trips(
    client: TestClient, cm: CareManager, beneficiary: dict[str, Any]
) -> None:
    event = create_event(
        client,
        cm,
        beneficiary["id"],
        title="  Aide à domicile ",
        who="Sophie",
        kind="visit",
        start="2026-11-23T09:00:00",
        duration_minutes=45,
        rrule="RRULE:freq=weekly;byday=mo,th",
        exdates=["2026-11-26T09:00:00"],
    )

    assert event["title"] == "Aide à domicile"
    assert event["beneficiary_id"] == beneficiary["id"]
    assert event["rrule"] == "FREQ=WEEKLY;BYDAY=MO,TH"  # canonical form, no prefix
    assert event["timezone"] == "Europe/Paris"
    assert event["start"] == "2026-11-23T09:00:00+01:00"
    assert event["exdates"] == ["2026-11-26T09:00:00+01:00"]
    fetched = client.get(f"{API}/events/{event['id']}", headers=cm.headers)
    assert fetched.json() == event
    listed = client.get(f"{API}/beneficiaries/{beneficiary['id']}/events", headers=cm.headers)
    assert listed.json() == [event]

    starts = [
        o["start"]
        for o in _occurrences(
            client, cm, beneficiary["id"], "2026-11-23T00:00:00+01:00", "2026-12-04T00:00:00+01:00"
        )
    ]
    assert starts == [
        "2026-11-23T09:00:00+01:00",
        # Thursday 26 is an exception.
        "2026-11-30T09:00:00+01:00",
        "2026-12-03T09:00:00+01:00",
    ]


def test_exdate_given_as_an_instant_removes_the_local_occurrence(
    client: TestClient, cm: CareManager, beneficiary: dict[str, Any]
) -> None:
    event = create_event(
        client,
        cm,
        beneficiary["id"],
        start="2026-10-18T09:00:00",
        rrule="FREQ=WEEKLY",
        # 08:00 UTC is 09:00 in Paris on the day winter time begins.
        exdates=["2026-10-25T08:00:00Z"],
    )

    assert event["exdates"] == ["2026-10-25T09:00:00+01:00"]
    starts = [
        o["start"]
        for o in _occurrences(
            client, cm, beneficiary["id"], "2026-10-18T00:00:00+02:00", "2026-11-02T00:00:00+01:00"
        )
    ]
    assert starts == ["2026-10-18T09:00:00+02:00", "2026-11-01T09:00:00+01:00"]


def test_naive_start_is_wall_clock_time_and_aware_start_is_converted(
    client: TestClient, cm: CareManager
) -> None:
    paris = create_beneficiary(client, cm)
    new_york = create_beneficiary(client, cm, timezone="America/New_York")

    naive = create_event(client, cm, paris["id"], start="2026-07-01T09:00:00")
    utc = create_event(client, cm, paris["id"], start="2026-07-01T07:00:00Z")
    offset = create_event(client, cm, new_york["id"], start="2026-07-01T15:00:00+02:00")
    naive_ny = create_event(client, cm, new_york["id"], start="2026-07-01T09:00:00")

    assert naive["start"] == "2026-07-01T09:00:00+02:00"
    assert utc["start"] == "2026-07-01T09:00:00+02:00"
    assert offset["start"] == "2026-07-01T09:00:00-04:00"
    assert offset["timezone"] == "America/New_York"
    assert naive_ny["start"] == "2026-07-01T09:00:00-04:00"


def test_patch_changes_only_what_is_sent(
    client: TestClient, cm: CareManager, beneficiary: dict[str, Any]
) -> None:
    event = create_event(
        client, cm, beneficiary["id"], rrule="FREQ=WEEKLY", who="Sophie", kind="visit"
    )

    response = client.patch(
        f"{API}/events/{event['id']}",
        json={"title": "Kiné", "start": "2026-11-24T14:30:00Z", "duration_minutes": 60},
        headers=cm.headers,
    )

    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated == {
        **event,
        "title": "Kiné",
        "start": "2026-11-24T15:30:00+01:00",
        "duration_minutes": 60,
    }
    assert client.get(f"{API}/events/{event['id']}", headers=cm.headers).json() == updated


def test_patch_can_clear_the_rrule_and_replace_exdates(
    client: TestClient, cm: CareManager, beneficiary: dict[str, Any]
) -> None:
    event = create_event(
        client, cm, beneficiary["id"], rrule="FREQ=DAILY", exdates=["2026-11-24T09:00:00"]
    )

    cleared = client.patch(
        f"{API}/events/{event['id']}", json={"rrule": None, "exdates": []}, headers=cm.headers
    ).json()

    assert cleared["rrule"] is None
    assert cleared["exdates"] == []
    occurrences = _occurrences(
        client, cm, beneficiary["id"], "2026-11-20T00:00:00Z", "2026-12-20T00:00:00Z"
    )
    assert [o["start"] for o in occurrences] == ["2026-11-23T09:00:00+01:00"]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"title": None}, "Le champ title ne peut pas être vide."),
        ({"start": None}, "Le champ start ne peut pas être vide."),
        ({"kind": "party"}, "Type de rendez-vous inconnu"),
        ({"rrule": "FREQ=SECONDLY"}, "La fréquence doit être"),
        ({"beneficiary_id": 2}, "beneficiary_id"),
    ],
    ids=["zero-duration", "null-title", "null-start", "unknown-kind", "secondly", "move"],
)
def test_invalid_patch_is_422_and_changes_nothing(
    client: TestClient,
    cm: CareManager,
    beneficiary: dict[str, Any],
    body: dict[str, Any],
    expected: str,
) -> None:
    event = create_event(client, cm, beneficiary["id"], rrule="FREQ=WEEKLY")

    response = client.patch(f"{API}/events/{event['id']}", json=body, headers=cm.headers)

    assert response.status_code == 422, response.text
    assert expected in response.json()["detail"]
    assert client.get(f"{API}/events/{event['id']}", headers=cm.headers).json() == event


def test_a_created_event_is_saved_when_the_console_hears_201(
    client: TestClient, cm: CareManager, beneficiary: dict[str, Any]
) -> None:
    saved_when_sent: list[bool] = []

    def check(body: bytes) -> None:
        with session_of(client) as session:
            saved_when_sent.append(session.get(Event, json.loads(body)["id"]) is not None)

    console = TestClient(checked_when_sent(client.app, check))
    response = console.post(
        f"{API}/beneficiaries/{beneficiary['id']}/events",
        json={"title": "Kiné", "start": "2026-11-23T09:00:00", "duration_minutes": 30},
        headers=cm.headers,
    )

    assert response.status_code == 201
    assert saved_when_sent == [True]


def test_delete_event(client: TestClient, cm: CareManager, beneficiary: dict[str, Any]) -> None:
    kept = create_event(client, cm, beneficiary["id"], title="Gardé")
    gone = create_event(client, cm, beneficiary["id"], title="Supprimé")

    response = client.delete(f"{API}/events/{gone['id']}", headers=cm.headers)

    assert response.status_code == 204
    assert response.content == b""
    assert client.get(f"{API}/events/{gone['id']}", headers=cm.headers).status_code == 404
    assert client.delete(f"{API}/events/{gone['id']}", headers=cm.headers).status_code == 404
    assert client.patch(
        f"{API}/events/{gone['id']}", json={"title": "x"}, headers=cm.headers
    ).json() == {"detail": "Rendez-vous introuvable."}
    listed = client.get(f"{API}/beneficiaries/{beneficiary['id']}/events", headers=cm.headers)
    assert [e["id"] for e in listed.json()] == [kept["id"]]


# --- occurrences across daylight-saving changes ----------------------------------------------


@pytest.mark.parametrize(
    ("first", "window", "expected"),
    [
        (
            # Winter time begins on Sunday 25 October 2026 (03:00 CEST → 02:00 CET).
            "2026-10-18T09:00:00",
            ("2026-10-17T00:00:00+02:00", "2026-11-02T00:00:00+01:00"),
            [("2026-10-18", 7), ("2026-10-25", 8), ("2026-11-01", 8)],
        ),
        (
            # Summer time begins on Sunday 29 March 2026 (02:00 CET → 03:00 CEST).
            "2026-03-22T09:00:00",
            ("2026-03-21T00:00:00+01:00", "2026-04-06T00:00:00+02:00"),
            [("2026-03-22", 8), ("2026-03-29", 7), ("2026-04-05", 7)],
        ),
    ],
    ids=["autumn", "spring"],
)
def test_weekly_visit_stays_at_nine_across_dst(
    client: TestClient,
    cm: CareManager,
    beneficiary: dict[str, Any],
    first: str,
    window: tuple[str, str],
    expected: list[tuple[str, int]],
) -> None:
    event = create_event(client, cm, beneficiary["id"], start=first, rrule="FREQ=WEEKLY;BYDAY=SU")

    occurrences = _occurrences(client, cm, beneficiary["id"], *window)

    assert [o["event_id"] for o in occurrences] == [event["id"]] * 3
    starts = [datetime.fromisoformat(o["start"]) for o in occurrences]
    assert [(s.date().isoformat(), s.hour, s.minute) for s in starts] == [
        (day, 9, 0) for day, _ in expected
    ]
    assert [(s.astimezone(UTC).date().isoformat(), s.astimezone(UTC).hour) for s in starts] == (
        expected
    )
    ends = [datetime.fromisoformat(o["end"]) for o in occurrences]
    assert [(e - s).total_seconds() for s, e in zip(starts, ends, strict=True)] == [30 * 60] * 3


def test_occurrence_in_the_spring_forward_gap_moves_past_it(
    client: TestClient, cm: CareManager, beneficiary: dict[str, Any]
) -> None:
    create_event(client, cm, beneficiary["id"], start="2026-03-28T02:30:00", rrule="FREQ=DAILY")

    occurrences = _occurrences(
        client, cm, beneficiary["id"], "2026-03-28T00:00:00", "2026-03-31T00:00:00"
    )

    assert [o["start"] for o in occurrences] == [
        "2026-03-28T02:30:00+01:00",
        "2026-03-29T03:30:00+02:00",  # 02:30 does not exist that night
        "2026-03-30T02:30:00+02:00",
    ]


def test_naive_occurrence_window_is_in_the_beneficiarys_time_zone(
    client: TestClient, cm: CareManager
) -> None:
    tokyo = create_beneficiary(client, cm, timezone="Asia/Tokyo")
    create_event(client, cm, tokyo["id"], start="2026-11-23T23:30:00")

    # Tokyo's 23 November; in UTC that day ends at 15:00, before the visit.
    inside = _occurrences(client, cm, tokyo["id"], "2026-11-23T00:00:00", "2026-11-24T00:00:00")
    outside = _occurrences(client, cm, tokyo["id"], "2026-11-23T00:00:00Z", "2026-11-23T14:00Z")

    assert [o["start"] for o in inside] == ["2026-11-23T23:30:00+09:00"]
    assert outside == []


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2026-11-23T00:00:00Z", "2026-11-23T00:00:00Z"),
        ("2026-11-24T00:00:00Z", "2026-11-23T00:00:00Z"),
        ("2026-01-01T00:00:00Z", "2027-01-03T00:00:00Z"),
    ],
    ids=["empty", "reversed", "more-than-a-year"],
)
def test_occurrence_window_must_be_positive_and_at_most_a_year(
    client: TestClient, cm: CareManager, beneficiary: dict[str, Any], start: str, end: str
) -> None:
    response = client.get(
        f"{API}/beneficiaries/{beneficiary['id']}/occurrences",
        params={"start": start, "end": end},
        headers=cm.headers,
    )

    assert response.status_code == 422
    assert response.json()["detail"] == "La période doit être positive et d'au plus un an."


# --- unreasonable input is refused, never a server error ------------------------------------


@pytest.mark.parametrize("huge", [2**31, 2**63, 10**20], ids=["2^31", "2^63", "10^20"])
def test_huge_ids_are_not_found(
    request: pytest.FixtureRequest,
    client: TestClient,
    cm: CareManager,
    beneficiary: dict[str, Any],
    is_postgres: bool,
    huge: int,
) -> None:
    lenient = TestClient(client.app, raise_server_exceptions=False)
    answers = [
        lenient.get(f"{API}/beneficiaries/{huge}", headers=cm.headers).status_code,
        lenient.get(f"{API}/events/{huge}", headers=cm.headers).status_code,
        lenient.post(f"{API}/devices/{huge}/revoke", headers=cm.headers).status_code,
        lenient.post(
            f"{API}/devices/approve",
            json={"user_code": "BBBB-BBBB", "beneficiary_id": huge},
            headers=cm.headers,
        ).status_code,
    ]
    assert all(status in (404, 422) for status in answers), answers


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("0001-01-01T00:00:00", "0001-01-02T00:00:00"),
        ("9999-12-30T00:00:00", "9999-12-31T00:00:00"),
    ],
    ids=["year-1", "year-9999"],
)
def test_occurrences_at_the_ends_of_the_calendar_are_not_a_server_error(
    client: TestClient, cm: CareManager, beneficiary: dict[str, Any], start: str, end: str
) -> None:
    create_event(client, cm, beneficiary["id"], rrule="FREQ=WEEKLY")
    lenient = TestClient(client.app, raise_server_exceptions=False)

    response = lenient.get(
        f"{API}/beneficiaries/{beneficiary['id']}/occurrences",
        params={"start": start, "end": end},
        headers=cm.headers,
    )

    assert response.status_code in (200, 422), response.status_code
