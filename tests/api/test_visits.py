"""Visits: the personal PIN, arrival/departure from the console and the tablet (PIN check and its
rate limit), matching to planned occurrences, and the late/missed flags of the visits log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from backend import security
from backend.models import Event, RateLimit, User, VisitRecord
from tests.api.conftest import Clock
from tests.api.factories import (
    API,
    CareManager,
    care_manager,
    create_event,
    session_of,
)
from tests.api.members import Person, action, audit_entries, invite, person, share, tablet

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # Monday 11:00 in Paris


def paris(hour: int, minute: int = 0) -> datetime:
    """That wall-clock time on Monday 2026-11-23 in Paris (CET, UTC+1), as UTC."""
    return datetime(2026, 11, 23, hour - 1, minute, tzinfo=UTC)


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


def set_pin(app: TestClient, who: Person, pin: str) -> None:
    response = app.post(f"{API}/me/pin", json={"pin": pin}, headers=who.headers)
    assert response.status_code == 204, response.text


def arrive(app: TestClient, who: Any, beneficiary_id: int) -> Any:
    return app.post(f"{API}/beneficiaries/{beneficiary_id}/visits/arrival", headers=who.headers)


def depart(app: TestClient, who: Any, beneficiary_id: int) -> Any:
    return app.post(f"{API}/beneficiaries/{beneficiary_id}/visits/departure", headers=who.headers)


def event_at(
    app: TestClient,
    cm: CareManager,
    beneficiary_id: int,
    local: str,
    kind: str = "visit",
    person_id: int | None = None,
    organisation_id: int | None = None,
) -> int:
    event_id: int = create_event(
        app, cm, beneficiary_id, start=f"2026-11-23T{local}:00", kind=kind, title=f"Visite {local}"
    )["id"]
    if person_id or organisation_id:
        with session_of(app) as session:
            event = session.get(Event, event_id)
            assert event is not None
            event.person_id, event.organisation_id = person_id, organisation_id
            session.commit()
    return event_id


def visit_log(app: TestClient, who: Any, beneficiary_id: int, **params: str) -> Any:
    return app.get(
        f"{API}/beneficiaries/{beneficiary_id}/visits", params=params, headers=who.headers
    )


# --- PIN -------------------------------------------------------------------------------------


def test_setting_a_pin_keeps_only_its_hash(app: TestClient) -> None:
    nurse = person(app, "nurse")
    for pin in ("123", "123456789", "12a4", " 1234", "", "１２３４"):
        response = app.post(f"{API}/me/pin", json={"pin": pin}, headers=nurse.headers)
        assert response.status_code == 422, pin
    assert app.post(f"{API}/me/pin", json={"pin": "1234"}).status_code == 401

    set_pin(app, nurse, "048213")

    with session_of(app) as session:
        stored = session.get(User, nurse.id)
        assert stored is not None and stored.pin_hash is not None
        assert "048213" not in stored.pin_hash
        assert security.verify_password(stored.pin_hash, "048213")
        assert not security.verify_password(stored.pin_hash, "48213")


# --- from the tablet -----------------------------------------------------------------------------


def test_tablet_arrival_and_departure_with_the_right_pin(
    app: TestClient, cm: CareManager, beneficiary_id: int, clock: Clock
) -> None:
    credential = tablet(app, cm, beneficiary_id)
    nurse = person(app, "nurse", "Inès")
    share(app, beneficiary_id, nurse.id, "nursing")
    set_pin(app, nurse, "4821")
    event_id = event_at(app, cm, beneficiary_id, "10:50", person_id=nurse.id)
    data = {"user_id": nurse.id, "pin": "4821", "at": "2026-11-23T10:55:00+01:00"}

    first = action(app, credential, "arrival", data, key="arrival-key-1")
    replay = action(app, credential, "arrival", data, key="arrival-key-1")

    assert first.status_code == 200, first.text
    assert replay.json() == first.json()
    body = first.json()
    assert (body["user_id"], body["user_name"], body["source"]) == (nurse.id, "Inès", "tablet")
    assert body["event_id"] == event_id
    assert body["occurrence_start"] == "2026-11-23T09:50:00+00:00"
    assert body["arrived_at"] == "2026-11-23T09:55:00+00:00"
    clock.advance(1800)
    left = action(app, credential, "departure", {**data, "at": "2026-11-23T11:25:00+01:00"})
    assert left.status_code == 200, left.text
    assert left.json()["departed_at"] == "2026-11-23T10:25:00+00:00"
    with session_of(app) as session:
        records = session.scalars(select(VisitRecord)).all()
    assert [(r.user_id, r.source, r.departed_at is not None) for r in records] == [
        (nurse.id, "tablet", True)
    ]
    assert [(a, u) for a, u, d in audit_entries(app, "visit")] == [
        ("create", nurse.id),
        ("update", nurse.id),
    ]
    # No open visit left: 409.
    again = action(app, credential, "departure", data)
    assert again.status_code == 409


def test_wrong_pins_are_refused_then_rate_limited_per_person(
    app: TestClient, cm: CareManager, beneficiary_id: int, clock: Clock
) -> None:
    credential = tablet(app, cm, beneficiary_id)
    nurse = person(app, "nurse")
    share(app, beneficiary_id, nurse.id, "nursing")
    set_pin(app, nurse, "4821")
    aide = person(app, "home_aide")
    share(app, beneficiary_id, aide.id, "home_help")
    set_pin(app, aide, "7777")
    at = NOW.isoformat()

    for wrong in ("4822", "0000", "48210", "1234", "9999"):
        response = action(app, credential, "arrival", {"user_id": nurse.id, "pin": wrong, "at": at})
        assert response.status_code == 403, response.text
        assert response.json()["detail"] == "Code personnel incorrect."
    blocked = action(app, credential, "arrival", {"user_id": nurse.id, "pin": "4821", "at": at})
    assert blocked.status_code == 429
    assert "Réessayez" in blocked.json()["detail"]
    with session_of(app) as session:
        assert session.scalars(select(VisitRecord)).all() == []
        assert [r.count for r in session.scalars(select(RateLimit))] == [5]
    # Another person on the same tablet is not blocked.
    other = action(app, credential, "arrival", {"user_id": aide.id, "pin": "7777", "at": at})
    assert other.status_code == 200, other.text

    clock.advance(15 * 60)
    later = clock.now.isoformat()
    allowed = action(app, credential, "arrival", {"user_id": nurse.id, "pin": "4821", "at": later})
    assert allowed.status_code == 200, allowed.text


def test_tablet_visits_need_a_pin_and_the_right_to_record_visits(
    app: TestClient, cm: CareManager, beneficiary_id: int
) -> None:
    credential = tablet(app, cm, beneficiary_id)
    family = person(app)
    invite(app, beneficiary_id, family.id, "family")
    set_pin(app, family, "1111")
    stranger = person(app, "nurse")
    set_pin(app, stranger, "2222")
    no_pin = person(app, "nurse")
    share(app, beneficiary_id, no_pin.id, "nursing")
    at = NOW.isoformat()

    cases: list[tuple[dict[str, Any], int]] = [
        ({"user_id": family.id, "pin": "1111", "at": at}, 403),  # family may not record visits
        ({"user_id": stranger.id, "pin": "2222", "at": at}, 403),  # outside the circle
        ({"user_id": no_pin.id, "pin": "0000", "at": at}, 403),  # has no PIN
        ({"user_id": 2_000_000_000, "pin": "0000", "at": at}, 403),  # no such person
        ({"user_id": "x", "pin": "1111", "at": at}, 422),
        ({"user_id": 10**12, "pin": "1111", "at": at}, 422),
        ({"user_id": family.id, "pin": 1111, "at": at}, 422),
        ({"user_id": family.id, "pin": "1111"}, 422),
        ({"user_id": family.id, "pin": "1111", "at": "2026-11-23T11:00:00"}, 422),
        ({"user_id": family.id, "pin": "1111", "at": (NOW + timedelta(hours=1)).isoformat()}, 422),
        ({"user_id": family.id, "pin": "1111", "at": at, "note": "x"}, 422),
    ]
    for data, status in cases:
        response = action(app, credential, "arrival", data)
        assert response.status_code == status, (data, response.text)
    with session_of(app) as session:
        assert session.scalars(select(VisitRecord)).all() == []


# --- from the console --------------------------------------------------------------------------


def test_console_visits_role_by_role(
    app: TestClient, cm: CareManager, beneficiary_id: int, clock: Clock
) -> None:
    volunteer = person(app, "volunteer")
    share(app, beneficiary_id, volunteer.id, "association")
    family = person(app)
    invite(app, beneficiary_id, family.id, "family")
    friend = person(app)
    invite(app, beneficiary_id, friend.id, "friend")
    stranger = care_manager(app)

    for who, status in ((family, 403), (friend, 403), (stranger, 404)):
        assert arrive(app, who, beneficiary_id).status_code == status
        assert depart(app, who, beneficiary_id).status_code == status
    assert depart(app, volunteer, beneficiary_id).status_code == 409  # nothing open
    arrived = arrive(app, volunteer, beneficiary_id)
    assert arrived.status_code == 201, arrived.text
    assert arrived.json()["source"] == "console"
    assert arrived.json()["event_id"] is None
    assert arrive(app, volunteer, beneficiary_id).status_code == 409  # already there
    clock.advance(3600)
    left = depart(app, volunteer, beneficiary_id)
    assert left.status_code == 200
    assert datetime.fromisoformat(left.json()["departed_at"]) == clock.now

    for who, status in ((cm, 200), (family, 200), (volunteer, 403), (friend, 403), (stranger, 404)):
        assert visit_log(app, who, beneficiary_id).status_code == status
    entries = visit_log(app, family, beneficiary_id).json()
    assert [(e["status"], e["visitor_name"], e["planned"]) for e in entries] == [
        ("unplanned", "Paul", None)
    ]


# --- matching and flags --------------------------------------------------------------------------


def test_arrivals_are_matched_to_their_planned_occurrence(
    app: TestClient, cm: CareManager, beneficiary_id: int, clock: Clock
) -> None:
    nurse = person(app, "nurse")
    share(app, beneficiary_id, nurse.id, "nursing")
    aide = person(app, "home_aide")
    aide_org = share(app, beneficiary_id, aide.id, "home_help")
    volunteer = person(app, "volunteer")
    share(app, beneficiary_id, volunteer.id, "association")
    other_nurse = person(app, "nurse")
    share(app, beneficiary_id, other_nurse.id, "nursing")
    for_nurse = event_at(app, cm, beneficiary_id, "09:00", person_id=nurse.id)
    for_aide_org = event_at(app, cm, beneficiary_id, "09:30", organisation_id=aide_org)
    for_anyone = event_at(app, cm, beneficiary_id, "10:00")
    for_other = event_at(app, cm, beneficiary_id, "10:15", person_id=other_nurse.id)

    def arrival_at(who: Any, hour: int, minute: int) -> dict[str, Any]:
        clock.now = paris(hour, minute)
        response = arrive(app, who, beneficiary_id)
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    # 09:05: the nurse's own 09:00 visit is closer, but the aide's organisation has 09:30.
    aide_visit = arrival_at(aide, 9, 5)
    assert (aide_visit["event_id"], aide_visit["occurrence_start"]) == (
        for_aide_org,
        "2026-11-23T08:30:00Z",
    )
    # 09:40: the nurse's own visit (09:00) wins over the closer unassigned one (10:00).
    nurse_visit = arrival_at(nurse, 9, 40)
    assert nurse_visit["event_id"] == for_nurse
    assert nurse_visit["late"] is True  # 40 min after the planned start
    # 10:14: an unassigned visit (10:00) before someone else's, although 10:15 is closer.
    assert arrival_at(volunteer, 10, 14)["event_id"] == for_anyone
    # 10:20: only someone else's visit is left within 90 minutes: taken, failing anything else.
    cm_visit = arrival_at(cm, 10, 20)
    assert (cm_visit["event_id"], cm_visit["late"]) == (for_other, False)
    # 13:00: nothing planned within 90 minutes.
    clock.now = paris(12, 0)
    assert depart(app, nurse, beneficiary_id).status_code == 200
    assert arrival_at(nurse, 13, 0)["event_id"] is None


def test_late_and_missed_flags_in_the_visits_log(
    app: TestClient, cm: CareManager, beneficiary_id: int, clock: Clock
) -> None:
    nurse = person(app, "nurse", "Inès")
    share(app, beneficiary_id, nurse.id, "nursing")
    aide = person(app, "home_aide", "Awa")
    share(app, beneficiary_id, aide.id, "home_help")
    event_at(app, cm, beneficiary_id, "08:00")  # nobody comes
    event_at(app, cm, beneficiary_id, "09:00", person_id=nurse.id)
    event_at(app, cm, beneficiary_id, "10:00", person_id=aide.id)
    event_at(app, cm, beneficiary_id, "10:30")  # nobody yet
    event_at(app, cm, beneficiary_id, "12:00", kind="appointment")  # not a home visit
    event_at(app, cm, beneficiary_id, "14:00")
    clock.now = paris(9, 20)
    assert arrive(app, nurse, beneficiary_id).status_code == 201
    clock.now = paris(9, 50)
    assert depart(app, nurse, beneficiary_id).status_code == 200
    clock.now = paris(10, 15)  # exactly 15 min: on time
    assert arrive(app, aide, beneficiary_id).status_code == 201

    clock.now = paris(11, 0)
    entries = visit_log(app, cm, beneficiary_id).json()
    assert [(e["planned"]["start"][11:16], e["status"], e["late"]) for e in entries] == [
        ("08:00", "missed", False),  # ended 08:30, more than 30 min ago
        ("09:00", "late", True),
        ("10:00", "in_progress", False),
        ("10:30", "upcoming", False),  # ends 11:00: not missed before 11:30
        ("14:00", "upcoming", False),
    ]
    assert [e["visitor_name"] for e in entries] == [None, "Inès", "Awa", None, None]
    assert entries[1]["visit"]["user_id"] == nurse.id

    clock.now = paris(11, 31)
    assert [e["status"] for e in visit_log(app, cm, beneficiary_id).json()] == [
        "missed",
        "late",
        "in_progress",
        "missed",
        "upcoming",
    ]
    yesterday = visit_log(
        app, cm, beneficiary_id, start="2026-11-22T00:00:00", end="2026-11-23T00:00:00"
    )
    assert yesterday.json() == []
    for params in (
        {"start": "2025-01-01T00:00:00Z", "end": "2026-11-23T00:00:00Z"},
        {"start": "2026-11-23T00:00:00Z", "end": "2026-11-22T00:00:00Z"},
        {"start": "9999-01-01T00:00:00Z"},
    ):
        assert visit_log(app, cm, beneficiary_id, **params).status_code == 422
