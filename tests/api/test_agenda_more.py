"""The agenda grown up: care instructions by role, who comes (person, organisation), and single
occurrences moved or cancelled (RFC 5545 RECURRENCE-ID), through the API and the tablet's sync."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from backend.models import (
    AuditEntry,
    BeneficiaryShare,
    Event,
    Organisation,
)
from common.recurrence import occurrences_between
from kiosk.store import event_from_payload
from tests.api.agenda_helpers import add_person, device_sync, occurrences
from tests.api.factories import (
    API,
    CareManager,
    care_manager,
    create_beneficiary,
    create_event,
    pair_device,
    session_of,
)

PARIS = ZoneInfo("Europe/Paris")
INSTRUCTIONS = "Pansement jambe gauche ; vérifier la prise du traitement du soir."


# --- circle fixtures, inserted directly ----------------------------------------------------


def new_organisation(client: TestClient, name: str, kind: str, shared_with: int | None) -> int:
    with session_of(client) as session:
        organisation = Organisation(name=name, kind=kind)
        session.add(organisation)
        session.flush()
        if shared_with is not None:
            session.add(
                BeneficiaryShare(beneficiary_id=shared_with, organisation_id=organisation.id)
            )
        session.commit()
        return organisation.id


def audit_count(client: TestClient, action: str) -> int:
    with session_of(client) as session:
        count: int = session.scalars(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.entity == "event_instructions", AuditEntry.action == action)
        ).one()
    return count


# --- instructions: by role -------------------------------------------------------------------


ROLES: dict[str, tuple[dict[str, Any], bool]] = {
    "nurse-of-a-shared-practice": (
        {"profession": "nurse", "organisation_kind": "nursing"},
        True,
    ),
    "home-aide-of-a-shared-saad": (
        {"profession": "home_aide", "organisation_kind": "home_help"},
        True,
    ),
    "family": ({"relation": "family"}, False),
    "friend": ({"relation": "friend"}, False),
    "volunteer-of-a-shared-association": (
        {"profession": "volunteer", "organisation_kind": "association"},
        False,
    ),
}


@pytest.mark.parametrize("role", list(ROLES))
def test_instructions_are_shown_only_to_those_who_may_see_them(
    client: TestClient, cm: CareManager, beneficiary: dict[str, Any], role: str
) -> None:
    fields, sees = ROLES[role]
    person = add_person(client, beneficiary["id"], **fields)
    event = create_event(client, cm, beneficiary["id"], instructions=INSTRUCTIONS)

    listed = client.get(f"{API}/beneficiaries/{beneficiary['id']}/events", headers=person.headers)
    single = client.get(f"{API}/events/{event['id']}", headers=person.headers)

    assert listed.status_code == 200, listed.text
    assert single.status_code == 200, single.text
    assert [e["id"] for e in listed.json()] == [event["id"]]
    expected = INSTRUCTIONS if sees else None
    assert listed.json()[0]["instructions"] == expected
    assert single.json()["instructions"] == expected
    if not sees:
        assert "Pansement" not in listed.text
        assert "Pansement" not in single.text


def test_the_care_manager_sees_instructions_and_every_read_is_audited(
    client: TestClient, cm: CareManager, beneficiary: dict[str, Any]
) -> None:
    event = create_event(client, cm, beneficiary["id"], instructions=INSTRUCTIONS)
    plain = create_event(client, cm, beneficiary["id"], title="Coiffeur")
    family = add_person(client, beneficiary["id"], relation="family")
    assert event["instructions"] == INSTRUCTIONS
    assert plain["instructions"] == ""
    assert audit_count(client, "create") == 1

    single = client.get(f"{API}/events/{event['id']}", headers=cm.headers).json()
    listed = client.get(f"{API}/beneficiaries/{beneficiary['id']}/events", headers=cm.headers)
    client.get(f"{API}/events/{event['id']}", headers=family.headers)
    client.get(f"{API}/events/{plain['id']}", headers=cm.headers)

    assert single["instructions"] == INSTRUCTIONS
    assert [e["instructions"] for e in listed.json()] == [INSTRUCTIONS, ""]
    # The single read and the list; not the family's read (nothing shown), nor an empty one.
    assert audit_count(client, "read") == 2


def test_instructions_are_plain_text_of_at_most_4000_characters(
    client: TestClient, cm: CareManager, beneficiary: dict[str, Any]
) -> None:
    body = {"title": "Soins", "start": "2026-11-23T09:00:00", "duration_minutes": 30}
    url = f"{API}/beneficiaries/{beneficiary['id']}/events"

    too_long = client.post(url, json={**body, "instructions": "x" * 4001}, headers=cm.headers)
    longest = client.post(url, json={**body, "instructions": "x" * 4000}, headers=cm.headers)
    markup = client.post(url, json={**body, "instructions": "<b>gras</b>"}, headers=cm.headers)

    assert too_long.status_code == 422
    assert "instructions" in too_long.json()["detail"]
    assert longest.status_code == 201
    assert markup.json()["instructions"] == "<b>gras</b>"  # kept as typed, shown as text


def test_family_cannot_write_instructions(
    client: TestClient, cm: CareManager, beneficiary: dict[str, Any]
) -> None:
    event = create_event(client, cm, beneficiary["id"])
    family = add_person(client, beneficiary["id"], relation="family")
    nurse = add_person(client, beneficiary["id"], profession="nurse", organisation_kind="nursing")

    for person in (family, nurse):
        response = client.patch(
            f"{API}/events/{event['id']}", json={"instructions": "x"}, headers=person.headers
        )
        assert response.status_code == 403

    cleared = client.patch(
        f"{API}/events/{event['id']}", json={"instructions": INSTRUCTIONS}, headers=cm.headers
    )
    assert cleared.json()["instructions"] == INSTRUCTIONS
    cleared = client.patch(
        f"{API}/events/{event['id']}", json={"instructions": None}, headers=cm.headers
    )
    assert cleared.json()["instructions"] == ""


def test_the_tablet_receives_instructions_for_its_professional_view(
    client: TestClient, cm: CareManager, beneficiary: dict[str, Any]
) -> None:
    credential = pair_device(client, cm, beneficiary["id"])["access_token"]
    with_instructions = create_event(client, cm, beneficiary["id"], instructions=INSTRUCTIONS)
    without = create_event(client, cm, beneficiary["id"], title="Coiffeur")

    payload = device_sync(client, credential)

    events = {e["id"]: e for e in payload["upserts"]["events"]}
    assert events[with_instructions["id"]]["instructions"] == INSTRUCTIONS
    assert "instructions" not in events[without["id"]]  # absent means none

    cursor = payload["cursor"]
    client.patch(
        f"{API}/events/{with_instructions['id']}", json={"instructions": ""}, headers=cm.headers
    )
    delta = device_sync(client, credential, cursor)
    assert [e["id"] for e in delta["upserts"]["events"]] == [with_instructions["id"]]
    assert "instructions" not in delta["upserts"]["events"][0]


# --- who comes: a person of the circle, an organisation ------------------------------------


def test_a_person_of_the_circle_fills_who_with_name_and_profession(
    client: TestClient, cm: CareManager, beneficiary: dict[str, Any]
) -> None:
    nurse = add_person(
        client, beneficiary["id"], name="Claire", profession="nurse", organisation_kind="nursing"
    )

    event = create_event(client, cm, beneficiary["id"], person_id=nurse.id)
    named = create_event(client, cm, beneficiary["id"], person_id=nurse.id, who="Claire D.")

    assert event["person_id"] == nurse.id
    assert event["who"] == "Claire, infirmière"
    assert named["who"] == "Claire D."  # what the care manager typed stays


def test_an_organisation_fills_who_with_its_name(
    client: TestClient, cm: CareManager, beneficiary: dict[str, Any]
) -> None:
    saad = new_organisation(client, "SAAD Bon Secours", "home_help", beneficiary["id"])

    event = create_event(client, cm, beneficiary["id"], organisation_id=saad)

    assert event["organisation_id"] == saad
    assert event["who"] == "SAAD Bon Secours"


def test_family_invited_personally_may_be_who_comes(
    client: TestClient, cm: CareManager, beneficiary: dict[str, Any]
) -> None:
    daughter = add_person(client, beneficiary["id"], name="Marie", relation="family")

    event = create_event(client, cm, beneficiary["id"], kind="family", person_id=daughter.id)

    assert event["who"] == "Marie"


def test_who_follows_a_new_person_unless_it_was_typed(
    client: TestClient, cm: CareManager, beneficiary: dict[str, Any]
) -> None:
    claire = add_person(
        client, beneficiary["id"], name="Claire", profession="nurse", organisation_kind="nursing"
    )
    paul = add_person(
        client,
        beneficiary["id"],
        name="Paul",
        profession="physiotherapist",
        relation="professional",
    )
    event = create_event(client, cm, beneficiary["id"], person_id=claire.id)

    moved = client.patch(
        f"{API}/events/{event['id']}", json={"person_id": paul.id}, headers=cm.headers
    ).json()
    typed = client.patch(
        f"{API}/events/{event['id']}",
        json={"person_id": claire.id, "who": "Claire (remplaçante)"},
        headers=cm.headers,
    ).json()
    kept = client.patch(
        f"{API}/events/{event['id']}", json={"person_id": paul.id}, headers=cm.headers
    ).json()

    assert moved["who"] == "Paul, kinésithérapeute"
    assert typed["who"] == "Claire (remplaçante)"
    assert kept["who"] == "Claire (remplaçante)"
    assert kept["person_id"] == paul.id


def test_who_must_belong_to_the_circle(
    client: TestClient, cm: CareManager, beneficiary: dict[str, Any]
) -> None:
    other = create_beneficiary(client, cm, first_name="Marcel")
    # A nurse of a practice, and an SSIAD, that follow someone else, not this beneficiary.
    outsider = add_person(client, other["id"], profession="nurse", organisation_kind="nursing")
    not_shared = new_organisation(client, "SSIAD", "nursing", other["id"])
    event = create_event(client, cm, beneficiary["id"])
    person = "Cette personne ne fait pas partie de l'entourage du bénéficiaire."
    organisation = "Cette organisation n'intervient pas auprès du bénéficiaire."
    cases = [
        ({"person_id": 999_999}, person),
        ({"person_id": outsider.id}, person),
        ({"organisation_id": 999_999}, organisation),
        ({"organisation_id": not_shared}, organisation),
    ]

    for fields, expected in cases:
        body = {"title": "Soins", "start": "2026-11-23T09:00:00", "duration_minutes": 30}
        created = client.post(
            f"{API}/beneficiaries/{beneficiary['id']}/events",
            json={**body, **fields},
            headers=cm.headers,
        )
        patched = client.patch(f"{API}/events/{event['id']}", json=fields, headers=cm.headers)
        assert (created.status_code, patched.status_code) == (422, 422), fields
        assert created.json()["detail"] == expected
        assert patched.json()["detail"] == expected

    listed = client.get(f"{API}/beneficiaries/{beneficiary['id']}/events", headers=cm.headers)
    assert listed.json() == [event]


# --- one occurrence moved or cancelled -------------------------------------------------------

WEEK = ("2026-11-23T00:00:00", "2026-11-30T00:00:00")


@pytest.fixture
def series(client: TestClient, cm: CareManager, beneficiary: dict[str, Any]) -> dict[str, Any]:
    """The home aide, Mondays, Wednesdays and Fridays at 11:00."""
    return create_event(
        client,
        cm,
        beneficiary["id"],
        title="Aide à domicile",
        who="Sophie",
        start="2026-11-23T11:00:00",
        duration_minutes=60,
        rrule="FREQ=WEEKLY;BYDAY=MO,WE,FR",
        instructions="Courses et repas.",
    )


def _starts(items: list[dict[str, Any]]) -> list[tuple[str, int]]:
    return [(o["start"], o["event_id"]) for o in items]


def test_moving_one_occurrence(
    client: TestClient, cm: CareManager, beneficiary: dict[str, Any], series: dict[str, Any]
) -> None:
    url = f"{API}/events/{series['id']}/occurrences/2026-11-25T11:00:00"

    response = client.put(
        url, json={"start": "2026-11-25T14:00:00", "who": "Fatima"}, headers=cm.headers
    )

    assert response.status_code == 200, response.text
    override = response.json()
    assert override["id"] != series["id"]
    assert override["recurrence_parent_id"] == series["id"]
    assert override["recurrence_start"] == "2026-11-25T11:00:00+01:00"
    assert override["start"] == "2026-11-25T14:00:00+01:00"
    assert override["rrule"] is None
    # What was not changed is the series'.
    assert (override["title"], override["duration_minutes"], override["who"]) == (
        "Aide à domicile",
        60,
        "Fatima",
    )
    assert override["instructions"] == "Courses et repas."
    parent = client.get(f"{API}/events/{series['id']}", headers=cm.headers).json()
    assert parent["exdates"] == ["2026-11-25T11:00:00+01:00"]
    assert _starts(occurrences(client, cm.headers, beneficiary["id"], *WEEK)) == [
        ("2026-11-23T11:00:00+01:00", series["id"]),
        ("2026-11-25T14:00:00+01:00", override["id"]),
        ("2026-11-27T11:00:00+01:00", series["id"]),
    ]

    # The same occurrence again: the override is updated, not duplicated.
    again = client.put(url, json={"duration_minutes": 90}, headers=cm.headers)
    assert again.status_code == 200
    assert again.json()["id"] == override["id"]
    assert again.json()["start"] == "2026-11-25T14:00:00+01:00"
    assert again.json()["duration_minutes"] == 90
    listed = client.get(f"{API}/beneficiaries/{beneficiary['id']}/events", headers=cm.headers)
    assert [e["id"] for e in listed.json()] == [series["id"], override["id"]]


def test_an_occurrence_may_be_named_by_its_instant(
    client: TestClient, cm: CareManager, series: dict[str, Any]
) -> None:
    # 10:00 UTC is 11:00 in Paris in November.
    response = client.put(
        f"{API}/events/{series['id']}/occurrences/2026-11-27T10:00:00Z",
        json={"title": "Aide à domicile (ménage)"},
        headers=cm.headers,
    )

    assert response.status_code == 200, response.text
    assert response.json()["recurrence_start"] == "2026-11-27T11:00:00+01:00"


def test_no_such_occurrence_is_404(
    client: TestClient, cm: CareManager, series: dict[str, Any]
) -> None:
    not_occurrences = [
        "2026-11-24T11:00:00",  # a Tuesday: not a day of the rule
        "2026-11-25T10:00:00",  # the right day at the wrong time
        "2026-11-16T11:00:00",  # before the series begins
        "9999-12-31T11:00:00",
    ]

    for when in not_occurrences:
        url = f"{API}/events/{series['id']}/occurrences/{when}"
        moved = client.put(url, json={"title": "x"}, headers=cm.headers)
        cancelled = client.delete(url, headers=cm.headers)
        assert (moved.status_code, cancelled.status_code) == (404, 404), when
        assert moved.json()["detail"] == "Cette série n'a pas d'occurrence à cette date et heure."

    assert client.get(f"{API}/events/{series['id']}", headers=cm.headers).json() == series


def test_occurrence_edits_are_checked(
    client: TestClient, cm: CareManager, beneficiary: dict[str, Any], series: dict[str, Any]
) -> None:
    one_off = create_event(client, cm, beneficiary["id"], start="2026-11-25T11:00:00")
    url = f"{API}/events/{series['id']}/occurrences/2026-11-25T11:00:00"

    not_recurring = client.put(
        f"{API}/events/{one_off['id']}/occurrences/2026-11-25T11:00:00",
        json={"title": "x"},
        headers=cm.headers,
    )
    no_rule = client.put(url, json={"rrule": "FREQ=DAILY"}, headers=cm.headers)
    bad_duration = client.put(url, json={"duration_minutes": 0}, headers=cm.headers)
    bad_date = client.put(
        f"{API}/events/{series['id']}/occurrences/mercredi", json={}, headers=cm.headers
    )

    assert not_recurring.status_code == 422
    assert not_recurring.json()["detail"].startswith("Ce rendez-vous n'est pas récurrent")
    assert no_rule.status_code == 422
    assert bad_duration.status_code == 422
    assert bad_date.status_code == 422
    assert client.get(f"{API}/events/{series['id']}", headers=cm.headers).json() == series


def test_only_the_care_manager_edits_occurrences(
    client: TestClient, cm: CareManager, beneficiary: dict[str, Any], series: dict[str, Any]
) -> None:
    nurse = add_person(client, beneficiary["id"], profession="nurse", organisation_kind="nursing")
    family = add_person(client, beneficiary["id"], relation="family")
    stranger = care_manager(client)
    url = f"{API}/events/{series['id']}/occurrences/2026-11-25T11:00:00"

    for person, expected in ((nurse, 403), (family, 403), (stranger, 404)):
        assert client.put(url, json={"title": "x"}, headers=person.headers).status_code == (
            expected
        )
        assert client.delete(url, headers=person.headers).status_code == expected
    assert client.get(f"{API}/events/{series['id']}", headers=cm.headers).json() == series


def test_cancelling_one_occurrence(
    client: TestClient, cm: CareManager, beneficiary: dict[str, Any], series: dict[str, Any]
) -> None:
    moved = client.put(
        f"{API}/events/{series['id']}/occurrences/2026-11-25T11:00:00",
        json={"start": "2026-11-25T15:00:00"},
        headers=cm.headers,
    ).json()

    friday = client.delete(
        f"{API}/events/{series['id']}/occurrences/2026-11-27T11:00:00", headers=cm.headers
    )
    wednesday = client.delete(
        f"{API}/events/{series['id']}/occurrences/2026-11-25T11:00:00", headers=cm.headers
    )
    twice = client.delete(
        f"{API}/events/{series['id']}/occurrences/2026-11-27T11:00:00", headers=cm.headers
    )

    assert (friday.status_code, wednesday.status_code, twice.status_code) == (204, 204, 204)
    assert client.get(f"{API}/events/{moved['id']}", headers=cm.headers).status_code == 404
    assert _starts(occurrences(client, cm.headers, beneficiary["id"], *WEEK)) == [
        ("2026-11-23T11:00:00+01:00", series["id"])
    ]
    parent = client.get(f"{API}/events/{series['id']}", headers=cm.headers).json()
    assert parent["exdates"] == ["2026-11-25T11:00:00+01:00", "2026-11-27T11:00:00+01:00"]


def test_replacing_exdates_keeps_the_moved_occurrences_excluded(
    client: TestClient, cm: CareManager, beneficiary: dict[str, Any], series: dict[str, Any]
) -> None:
    override = client.put(
        f"{API}/events/{series['id']}/occurrences/2026-11-25T11:00:00",
        json={"start": "2026-11-25T15:00:00"},
        headers=cm.headers,
    ).json()

    client.patch(f"{API}/events/{series['id']}", json={"exdates": []}, headers=cm.headers)

    assert _starts(occurrences(client, cm.headers, beneficiary["id"], *WEEK)) == [
        ("2026-11-23T11:00:00+01:00", series["id"]),
        ("2026-11-25T15:00:00+01:00", override["id"]),
        ("2026-11-27T11:00:00+01:00", series["id"]),
    ]


def test_the_tablet_sees_moved_and_cancelled_occurrences(
    client: TestClient, cm: CareManager, beneficiary: dict[str, Any], series: dict[str, Any]
) -> None:
    credential = pair_device(client, cm, beneficiary["id"])["access_token"]
    cursor = device_sync(client, credential)["cursor"]

    override = client.put(
        f"{API}/events/{series['id']}/occurrences/2026-11-25T11:00:00",
        json={"start": "2026-11-25T14:00:00"},
        headers=cm.headers,
    ).json()
    client.delete(
        f"{API}/events/{series['id']}/occurrences/2026-11-27T11:00:00", headers=cm.headers
    )
    delta = device_sync(client, credential, cursor)

    upserted = {e["id"]: e for e in delta["upserts"]["events"]}
    assert sorted(upserted) == sorted([series["id"], override["id"]])
    assert upserted[series["id"]]["exdates"] == ["2026-11-25T11:00:00", "2026-11-27T11:00:00"]
    assert upserted[override["id"]]["recurrence_parent_id"] == series["id"]
    assert upserted[override["id"]]["rrule"] is None
    # The tablet expands its store with its own code: the same week as the console.
    local = [event_from_payload(p) for p in device_sync(client, credential)["upserts"]["events"]]
    week = occurrences_between(
        local, datetime(2026, 11, 23, tzinfo=PARIS), datetime(2026, 11, 30, tzinfo=PARIS)
    )
    assert [(o.start.isoformat(), o.event_id) for o in week] == _starts(
        occurrences(client, cm.headers, beneficiary["id"], *WEEK)
    )
    assert [o.start.isoformat() for o in week] == [
        "2026-11-23T11:00:00+01:00",
        "2026-11-25T14:00:00+01:00",
    ]

    # Deleting the series deletes its changed occurrences, for the tablet too.
    cursor = delta["cursor"]
    assert client.delete(f"{API}/events/{series['id']}", headers=cm.headers).status_code == 204
    gone = device_sync(client, credential, cursor)
    assert gone["deletes"]["events"] == sorted([series["id"], override["id"]])
    assert gone["upserts"]["events"] == []
    with session_of(client) as session:
        assert session.scalar(select(func.count()).select_from(Event)) == 0


def test_deleting_a_moved_occurrence_leaves_it_cancelled(
    client: TestClient, cm: CareManager, beneficiary: dict[str, Any], series: dict[str, Any]
) -> None:
    override = client.put(
        f"{API}/events/{series['id']}/occurrences/2026-11-25T11:00:00",
        json={"start": "2026-11-25T14:00:00"},
        headers=cm.headers,
    ).json()

    assert client.delete(f"{API}/events/{override['id']}", headers=cm.headers).status_code == 204

    assert [o["start"] for o in occurrences(client, cm.headers, beneficiary["id"], *WEEK)] == [
        "2026-11-23T11:00:00+01:00",
        "2026-11-27T11:00:00+01:00",
    ]


# --- the list of events is paged ------------------------------------------------------------


def test_events_are_listed_page_by_page(
    client: TestClient, cm: CareManager, beneficiary: dict[str, Any]
) -> None:
    start = datetime(2026, 11, 23, 9)
    ids = [
        create_event(client, cm, beneficiary["id"], start=(start + timedelta(days=i)).isoformat())[
            "id"
        ]
        for i in range(5)
    ]
    url = f"{API}/beneficiaries/{beneficiary['id']}/events"

    first = client.get(url, params={"limit": 2}, headers=cm.headers).json()
    second = client.get(
        url, params={"limit": 2, "after_id": first[-1]["id"]}, headers=cm.headers
    ).json()
    rest = client.get(
        url, params={"limit": 2, "after_id": second[-1]["id"]}, headers=cm.headers
    ).json()
    too_many = client.get(url, params={"limit": 101}, headers=cm.headers)

    assert [e["id"] for e in first + second + rest] == ids
    assert len(rest) == 1
    assert too_many.status_code == 422
