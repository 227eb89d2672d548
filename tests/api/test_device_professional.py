"""The professionals' entry on the tablet: PIN → who, what they may do, and the health messages
addressed to them (never anyone else's); wrong PINs counted in the database; audit of reads."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from backend.models import AuditEntry, Device, RateLimit
from backend.services import device_professional
from backend.services.device_professional import rate_limit_key
from tests.api.circle_fixtures import CircleSetup, Person, build_circle, care_manager_of
from tests.api.conftest import Clock
from tests.api.factories import API, device_headers, pair_device, session_of

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
URL = f"{API}/device/professional/messages"


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def circle(app: TestClient) -> CircleSetup:
    return build_circle(app)


def set_pin(app: TestClient, who: Person, pin: str) -> None:
    response = app.post(f"{API}/me/pin", json={"pin": pin}, headers=who.headers)
    assert response.status_code == 204, response.text


def tablet_of(app: TestClient, cm: Person, beneficiary_id: int) -> dict[str, Any]:
    return pair_device(app, care_manager_of(cm), beneficiary_id)


def health(
    app: TestClient,
    by: Person,
    beneficiary_id: int,
    body: str,
    to: list[Person],
    *,
    to_beneficiary: bool = False,
) -> int:
    response = app.post(
        f"{API}/beneficiaries/{beneficiary_id}/messages",
        json={
            "space": "health",
            "body": body,
            "recipient_ids": [p.id for p in to],
            "to_beneficiary": to_beneficiary,
        },
        headers=by.headers,
    )
    assert response.status_code == 201, response.text
    message_id: int = response.json()["id"]
    return message_id


def daily(app: TestClient, by: Person, beneficiary_id: int, body: str) -> int:
    response = app.post(
        f"{API}/beneficiaries/{beneficiary_id}/messages",
        json={"space": "daily", "body": body},
        headers=by.headers,
    )
    assert response.status_code == 201, response.text
    message_id: int = response.json()["id"]
    return message_id


def identify(app: TestClient, credential: str, pin: Any) -> Any:
    return app.post(URL, json={"pin": pin}, headers=device_headers(credential))


def read_audit(app: TestClient) -> list[tuple[str, int | None, int | None, int | None]]:
    """(entity, entity id, user, device) of every "read" audit entry, in order."""
    with session_of(app) as session:
        rows = session.execute(
            select(
                AuditEntry.entity,
                AuditEntry.entity_id,
                AuditEntry.actor_user_id,
                AuditEntry.actor_device_id,
            )
            .where(AuditEntry.action == "read")
            .order_by(AuditEntry.id)
        ).all()
    return [(e, i, u, d) for e, i, u, d in rows]


def test_right_pin_gives_the_professional_and_only_their_health_messages(
    app: TestClient, circle: CircleSetup, clock: Clock
) -> None:
    c = circle
    set_pin(app, c.nurse, "4821")
    device = tablet_of(app, c.care_manager, c.jeanne_id)
    hostile = "<b>gras</b><script>alert(1)</script>"
    to_nurse = health(app, c.care_manager, c.jeanne_id, "Pansement à refaire.", [c.nurse])
    clock.advance(60)
    to_both = health(app, c.home_aide, c.jeanne_id, hostile, [c.nurse, c.care_manager])
    health(app, c.care_manager, c.jeanne_id, "Pour l'aide seulement", [c.home_aide])
    health(app, c.care_manager, c.jeanne_id, "Pour Jeanne", [], to_beneficiary=True)
    daily(app, c.daughter, c.jeanne_id, "Je passe jeudi")
    deleted = health(app, c.care_manager, c.jeanne_id, "Effacé", [c.nurse])
    assert app.delete(f"{API}/messages/{deleted}", headers=c.care_manager.headers).is_success
    # The nurse's own message to the doctor is not "addressed to" her.
    health(app, c.nurse, c.jeanne_id, "Écrit par l'infirmière", [c.care_manager])
    # Someone else's beneficiary, same nurse? She is not in Albert's circle: nothing from there.
    health(app, c.other_care_manager, c.other_beneficiary_id, "Albert", [c.other_family])
    app.post(f"{API}/messages/{to_nurse}/read", headers=c.nurse.headers)

    response = identify(app, device["access_token"], "4821")

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["professional"] == {
        "user_id": c.nurse.id,
        "name": "Inès Leroy",
        "may_record_visit": True,
        "may_view_instructions": True,
        "open_visit": None,  # not arrived here
    }
    got = [(m["id"], m["body"], m["author_name"], m["read"]) for m in body["messages"]]
    assert got == [
        (to_both, hostile, "Karima Benali", False),  # newest first, text exactly as written
        (to_nurse, "Pansement à refaire.", "Claire Dupont", True),
    ]
    assert datetime.fromisoformat(body["messages"][0]["created_at"]).utcoffset() is not None
    # Every message shown, and the instructions the tablet may now show, are audited.
    device_id = device["device_id"]
    assert [a for a in read_audit(app) if a[3] == device_id] == [
        ("message", to_both, c.nurse.id, device_id),
        ("message", to_nurse, c.nurse.id, device_id),
        ("event_instructions", None, c.nurse.id, device_id),
    ]


def test_roles_decide_what_the_tablet_may_offer(app: TestClient, circle: CircleSetup) -> None:
    c = circle
    set_pin(app, c.volunteer, "1357")
    set_pin(app, c.daughter, "2468")
    credential = tablet_of(app, c.care_manager, c.jeanne_id)["access_token"]
    volunteer = identify(app, credential, "1357").json()["professional"]
    assert (volunteer["may_record_visit"], volunteer["may_view_instructions"]) == (True, False)
    family = identify(app, credential, "2468").json()["professional"]
    assert (family["may_record_visit"], family["may_view_instructions"]) == (False, False)
    # Without the right to see instructions, none is audited as shown.
    assert all(a[0] != "event_instructions" for a in read_audit(app))


def test_wrong_pins_are_refused_then_rate_limited_in_the_database(
    app: TestClient, circle: CircleSetup, clock: Clock
) -> None:
    c = circle
    set_pin(app, c.nurse, "4821")
    device = tablet_of(app, c.care_manager, c.jeanne_id)
    credential = device["access_token"]
    for wrong in ("0000", "1111", "4822", "48210", "12345678"):
        response = identify(app, credential, wrong)
        assert response.status_code == 403
        assert response.json()["detail"] == "Code personnel incorrect."

    blocked = identify(app, credential, "4821")  # even the right one, now

    assert blocked.status_code == 429
    assert blocked.json()["detail"] == "Trop de codes erronés. Réessayez dans 15 minute(s)."
    assert 0 < int(blocked.headers["Retry-After"]) <= 15 * 60 + 1
    with session_of(app) as session:
        paired = session.get(Device, device["device_id"])
        assert paired is not None
        row = session.get(RateLimit, rate_limit_key(paired))
        assert row is not None and row.count == 5  # shared by every worker
    # Another tablet of the same home is not blocked; after the window, this one works again.
    other = tablet_of(app, c.care_manager, c.jeanne_id)["access_token"]
    assert identify(app, other, "4821").status_code == 200
    clock.advance(15 * 60 + 1)
    assert identify(app, credential, "4821").status_code == 200


def test_not_a_pin_is_a_clear_422_and_not_counted(app: TestClient, circle: CircleSetup) -> None:
    credential = tablet_of(app, circle.care_manager, circle.jeanne_id)["access_token"]
    for pin in ("123", "123456789", "12a4", " 1234", "", "１２３４", 1234, None):
        response = identify(app, credential, pin)
        assert response.status_code == 422, pin
        assert response.json()["detail"].startswith(("Le code personnel", "Données invalides"))
    too_long = identify(app, credential, "1" * 65)
    assert too_long.status_code == 422
    extra = app.post(URL, json={"pin": "1234", "user_id": 1}, headers=device_headers(credential))
    assert extra.status_code == 422
    with session_of(app) as session:
        assert session.scalars(select(RateLimit)).all() == []


def test_another_beneficiarys_tablet_does_not_know_the_professional(
    app: TestClient, circle: CircleSetup
) -> None:
    c = circle
    set_pin(app, c.nurse, "4821")
    health(app, c.care_manager, c.jeanne_id, "Pansement", [c.nurse])
    alberts = tablet_of(app, c.other_care_manager, c.other_beneficiary_id)["access_token"]
    response = identify(app, alberts, "4821")
    assert response.status_code == 403
    assert "Pansement" not in response.text


def test_revoked_or_missing_credential_is_401(app: TestClient, circle: CircleSetup) -> None:
    c = circle
    set_pin(app, c.nurse, "4821")
    device = tablet_of(app, c.care_manager, c.jeanne_id)
    assert app.post(URL, json={"pin": "4821"}).status_code == 401
    assert identify(app, "not-a-credential", "4821").status_code == 401
    # A person's session is not a tablet credential.
    assert app.post(URL, json={"pin": "4821"}, headers=c.nurse.headers).status_code == 401
    revoked = app.post(
        f"{API}/devices/{device['device_id']}/revoke", headers=c.care_manager.headers
    )
    assert revoked.status_code == 200
    assert identify(app, device["access_token"], "4821").status_code == 401


def test_a_pin_two_people_share_identifies_nobody(app: TestClient, circle: CircleSetup) -> None:
    c = circle
    set_pin(app, c.nurse, "2580")
    set_pin(app, c.home_aide, "2580")
    credential = tablet_of(app, c.care_manager, c.jeanne_id)["access_token"]
    response = identify(app, credential, "2580")
    assert response.status_code == 409
    assert "choisissez-en un autre" in response.json()["detail"]
    assert "messages" not in response.json()


def test_someone_who_left_the_circle_is_no_longer_known(
    app: TestClient, circle: CircleSetup
) -> None:
    c = circle
    set_pin(app, c.neighbour, "9753")
    credential = tablet_of(app, c.care_manager, c.jeanne_id)["access_token"]
    assert identify(app, credential, "9753").status_code == 200
    removed = app.delete(
        f"{API}/beneficiaries/{c.jeanne_id}/members/{c.neighbour.id}",
        headers=c.care_manager.headers,
    )
    assert removed.is_success, removed.text
    assert identify(app, credential, "9753").status_code == 403


def test_only_the_newest_are_answered(
    app: TestClient, circle: CircleSetup, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(device_professional, "MESSAGE_LIMIT", 3)  # 50 in production
    c = circle
    set_pin(app, c.nurse, "4821")
    credential = tablet_of(app, c.care_manager, c.jeanne_id)["access_token"]
    ids = []
    for i in range(5):
        clock.advance(1)
        ids.append(health(app, c.care_manager, c.jeanne_id, f"n°{i}", [c.nurse]))
    got = [m["id"] for m in identify(app, credential, "4821").json()["messages"]]
    assert got == ids[::-1][:3]
