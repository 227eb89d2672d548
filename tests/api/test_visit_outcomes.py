"""What happened to a planned visit: why it did not happen (a reason, role by role), what the
tablet is told (synced kinds "visits" and "visit_absences", no names), and the professional's
open arrival answered with their PIN (so the tablet offers "Départ", not "Arrivée")."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import Clock
from tests.api.factories import API, CareManager, care_manager, create_event, device_headers, sync
from tests.api.members import Person, action, audit_entries, invite, person, share, tablet

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # Monday 11:00 in Paris


def paris(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 23, hour - 1, minute, tzinfo=UTC)


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


def visit(app: TestClient, cm: CareManager, beneficiary_id: int, local: str) -> int:
    event_id: int = create_event(
        app, cm, beneficiary_id, start=f"2026-11-23T{local}:00", kind="visit", title="Toilette"
    )["id"]
    return event_id


def absence(
    app: TestClient, who: Any, beneficiary_id: int, event_id: int, start: str, reason: str
) -> Any:
    return app.put(
        f"{API}/beneficiaries/{beneficiary_id}/visits/absence",
        json={"event_id": event_id, "occurrence_start": start, "reason": reason},
        headers=who.headers,
    )


def log(app: TestClient, who: Any, beneficiary_id: int) -> list[tuple[str, str, str | None]]:
    response = app.get(f"{API}/beneficiaries/{beneficiary_id}/visits", headers=who.headers)
    assert response.status_code == 200, response.text
    return [(e["planned"]["start"][11:16], e["status"], e["reason"]) for e in response.json()]


def test_a_reason_for_a_visit_that_did_not_happen_role_by_role(
    app: TestClient, cm: CareManager, beneficiary_id: int, clock: Clock
) -> None:
    eight = visit(app, cm, beneficiary_id, "08:00")
    start = "2026-11-23T07:00:00Z"  # 08:00 in Paris
    nurse = person(app, "nurse", "Inès")
    share(app, beneficiary_id, nurse.id, "nursing")
    aide = person(app, "home_aide")
    share(app, beneficiary_id, aide.id, "home_help")
    volunteer = person(app, "volunteer")
    share(app, beneficiary_id, volunteer.id, "association")
    family = person(app)
    invite(app, beneficiary_id, family.id, "family")
    friend = person(app)
    invite(app, beneficiary_id, friend.id, "friend")
    stranger = care_manager(app)
    # Those who record visits may say why one did not happen; the family reads it.
    for who, status in (
        (family, 403),
        (friend, 403),
        (stranger, 404),
        (volunteer, 200),
        (aide, 200),
        (cm, 200),
        (nurse, 200),
    ):
        response = absence(app, who, beneficiary_id, eight, start, "no_answer")
        assert response.status_code == status, (who, response.text)
    assert response.json()["reason_text"] == "pas de réponse"
    assert response.json()["recorded_by_id"] == nurse.id  # the last one to say
    assert log(app, family, beneficiary_id) == [("08:00", "missed", "no_answer")]
    assert [a for a, _, _ in audit_entries(app, "visit_absence")] == ["update"] * 4
    # Changed, then taken back.
    assert absence(app, nurse, beneficiary_id, eight, start, "refused").status_code == 200
    assert log(app, cm, beneficiary_id) == [("08:00", "missed", "refused")]
    url = f"{API}/beneficiaries/{beneficiary_id}/visits/absence"
    params = {"event_id": eight, "occurrence_start": start}
    assert app.delete(url, params=params, headers=family.headers).status_code == 403
    assert app.delete(url, params=params, headers=nurse.headers).status_code == 204
    assert app.delete(url, params=params, headers=nurse.headers).status_code == 404
    assert log(app, cm, beneficiary_id) == [("08:00", "missed", None)]  # ended 08:30: missed


def test_reasons_follow_what_happened(
    app: TestClient, cm: CareManager, beneficiary_id: int, clock: Clock
) -> None:
    nine = visit(app, cm, beneficiary_id, "09:00")
    two = visit(app, cm, beneficiary_id, "14:00")
    nurse = person(app, "nurse", "Inès")
    share(app, beneficiary_id, nurse.id, "nursing")

    def say(event_id: int, start: str, reason: str) -> Any:
        return absence(app, nurse, beneficiary_id, event_id, start, reason)

    # Not a planned visit, not a reason, a time that is no occurrence.
    assert say(nine, "2026-11-23T08:00:00Z", "late").status_code == 422
    assert say(nine, "2026-11-23T08:05:00Z", "no_answer").status_code == 404
    assert say(nine + 99, "2026-11-23T08:00:00Z", "no_answer").status_code == 404
    # Before its start only "cancelled" can be said; it is then no longer "à venir".
    refused = say(two, "2026-11-23T13:00:00Z", "forgotten")
    assert refused.status_code == 422 and "annulée" in refused.json()["detail"]
    assert say(two, "2026-11-23T13:00:00Z", "cancelled").status_code == 200
    assert log(app, nurse, beneficiary_id) == [
        ("09:00", "missed", None),  # it is 11:00: ended more than 30 minutes ago
        ("14:00", "cancelled", "cancelled"),
    ]
    # The 09:00 visit: "pas de réponse", then the nurse came after all: the reason goes.
    assert say(nine, "2026-11-23T08:00:00Z", "no_answer").status_code == 200
    clock.now = paris(10, 0)
    arrived = app.post(
        f"{API}/beneficiaries/{beneficiary_id}/visits/arrival", headers=nurse.headers
    )
    assert arrived.status_code == 201 and arrived.json()["event_id"] == nine
    assert log(app, nurse, beneficiary_id)[0] == ("09:00", "in_progress", None)
    # Once someone came, "did not happen" is a conflict.
    assert say(nine, "2026-11-23T08:00:00Z", "refused").status_code == 409


def identify(app: TestClient, credential: str, pin: str) -> Any:
    response = app.post(
        f"{API}/device/professional/messages",
        json={"pin": pin},
        headers=device_headers(credential),
    )
    assert response.status_code == 200, response.text
    return response.json()["professional"]


def test_the_tablet_learns_what_happened_and_whether_the_professional_is_here(
    app: TestClient, cm: CareManager, beneficiary_id: int, clock: Clock
) -> None:
    nine = visit(app, cm, beneficiary_id, "11:00")
    eight = visit(app, cm, beneficiary_id, "08:00")
    nurse: Person = person(app, "nurse", "Inès")
    share(app, beneficiary_id, nurse.id, "nursing")
    assert app.post(f"{API}/me/pin", json={"pin": "4821"}, headers=nurse.headers).status_code == 204
    credential = tablet(app, cm, beneficiary_id)
    first = sync(app, credential).json()
    assert first["upserts"]["visits"] == [] and first["upserts"]["visit_absences"] == []
    assert identify(app, credential, "4821")["open_visit"] is None

    at = {"user_id": nurse.id, "pin": "4821", "at": paris(11, 5).isoformat()}
    assert action(app, credential, "arrival", at).status_code in (200, 201)
    here = identify(app, credential, "4821")["open_visit"]
    assert here["event_id"] == nine
    assert here["occurrence_start"].startswith("2026-11-23T10:00:00")
    delta = sync(app, credential, cursor=first["cursor"]).json()
    [arrival] = delta["upserts"]["visits"]
    assert arrival["event_id"] == nine and arrival["departed_at"] is None
    assert "user_id" not in arrival and "user_name" not in arrival  # what happened, not who

    clock.now = paris(11, 40)
    at = {"user_id": nurse.id, "pin": "4821", "at": paris(11, 35).isoformat()}
    assert action(app, credential, "departure", at).status_code in (200, 201)
    assert identify(app, credential, "4821")["open_visit"] is None
    again = sync(app, credential, cursor=delta["cursor"]).json()
    assert again["upserts"]["visits"][0]["departed_at"] is not None

    said = absence(app, nurse, beneficiary_id, eight, "2026-11-23T07:00:00Z", "forgotten")
    assert said.status_code == 200
    later = sync(app, credential, cursor=again["cursor"]).json()
    assert [(a["event_id"], a["reason"]) for a in later["upserts"]["visit_absences"]] == [
        (eight, "forgotten")
    ]
    app.delete(
        f"{API}/beneficiaries/{beneficiary_id}/visits/absence",
        params={"event_id": eight, "occurrence_start": "2026-11-23T07:00:00Z"},
        headers=nurse.headers,
    )
    last = sync(app, credential, cursor=later["cursor"]).json()
    assert last["deletes"]["visit_absences"] == [later["upserts"]["visit_absences"][0]["id"]]
