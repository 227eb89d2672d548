"""The care manager's dashboard: who is on it, what it says about each beneficiary, and the
order (most urgent first)."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from backend.models import (
    Alert,
    Device,
    DeviceStatus,
    Message,
    MessageRead,
    MessageRecipient,
    User,
)
from backend.services import dashboard
from tests.api.conftest import Clock
from tests.api.factories import API, CareManager, care_manager, create_beneficiary, create_event
from tests.api.factories import session_of as _session_of
from tests.api.members import add_moods, audit_entries, person, share
from tests.api.sql_statements import statements

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # Monday 11:00 in Paris


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


def _beneficiary(app: TestClient, cm: CareManager, first: str, last: str) -> int:
    created: int = create_beneficiary(app, cm, first_name=first, last_name=last)["id"]
    return created


def _device(
    app: TestClient,
    beneficiary_id: int,
    seen_ago: int | None,
    revoked: bool = False,
    **status: Any,
) -> int:
    """A tablet last seen `seen_ago` seconds before NOW; with `status`, what it last reported
    (DeviceStatus fields)."""
    with _session_of(app) as session:
        device = Device(
            beneficiary_id=beneficiary_id,
            name="Tablette salon",
            credential_hash=secrets.token_hex(32),
            last_seen_at=None if seen_ago is None else NOW - timedelta(seconds=seen_ago),
            revoked_at=NOW if revoked else None,
        )
        session.add(device)
        session.flush()
        if status:
            fields = {"app_version": "0.4.1", "outbox_pending": 0, "reported_at": NOW, **status}
            session.add(DeviceStatus(device_id=device.id, **fields))
        session.commit()
        return device.id


def _health_message(
    app: TestClient,
    beneficiary_id: int,
    author: int | None,
    recipient: int,
    *,
    read_by: int | None = None,
    deleted: bool = False,
    space: str = "health",
) -> None:
    with _session_of(app) as session:
        message = Message(
            beneficiary_id=beneficiary_id,
            space=space,
            body="Tension un peu haute ce matin.",
            author_user_id=author,
            deleted_at=NOW if deleted else None,
        )
        session.add(message)
        session.flush()
        session.add(MessageRecipient(message_id=message.id, user_id=recipient))
        if read_by is not None:
            session.add(MessageRead(message_id=message.id, user_id=read_by))
        session.commit()


def _dashboard(app: TestClient, cm: CareManager, **params: str) -> list[dict[str, Any]]:
    response = app.get(f"{API}/dashboard", params=params, headers=cm.headers)
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()
    return rows


def test_dashboard_content_and_order(app: TestClient, cm: CareManager, clock: Clock) -> None:
    nurse = person(app, "nurse")
    other_cm = care_manager(app)
    calme = _beneficiary(app, cm, "Hélène", "Calme")
    message = _beneficiary(app, cm, "Émile", "Message")
    offline = _beneficiary(app, cm, "Denise", "Horsligne")
    late = _beneficiary(app, cm, "Claude", "Retard")
    missed = _beneficiary(app, cm, "Bernard", "Manqué")
    alert = _beneficiary(app, cm, "Alice", "Alerte")
    # Followed through a care-management service the caller works in.
    shared = _beneficiary(app, other_cm, "Fanny", "Partagée")
    share(app, shared, cm.id, "care_management")
    # Not on the dashboard: someone else's, and one the caller sees only as a nurse.
    _beneficiary(app, other_cm, "Zoé", "Autre")
    as_nurse = _beneficiary(app, other_cm, "Yves", "Soins")
    share(app, as_nurse, cm.id, "nursing")

    with _session_of(app) as session:
        session.add(Alert(beneficiary_id=alert, kind="mood_drop", message="Baisse"))
        session.add(
            Alert(beneficiary_id=calme, kind="mood_drop", message="Vue", acknowledged_at=NOW)
        )
        session.commit()
    create_event(app, cm, missed, start="2026-11-23T08:00:00")  # nobody came
    create_event(app, cm, late, start="2026-11-23T09:00:00")
    clock.now = datetime(2026, 11, 23, 8, 20, tzinfo=UTC)  # 09:20 in Paris
    assert (
        app.post(f"{API}/beneficiaries/{late}/visits/arrival", headers=cm.headers).status_code
        == 201
    )
    clock.now = NOW
    offline_device = _device(app, offline, seen_ago=120)
    _device(app, calme, seen_ago=30)
    _device(app, calme, seen_ago=5, revoked=True)
    for _ in range(3):
        _health_message(app, message, nurse.id, cm.id)
    _health_message(app, message, None, cm.id)  # from the tablet
    _health_message(app, message, nurse.id, cm.id, read_by=cm.id)
    _health_message(app, message, nurse.id, cm.id, deleted=True)
    _health_message(app, message, cm.id, cm.id)  # their own
    _health_message(app, message, cm.id, nurse.id)  # to someone else
    _health_message(app, message, nurse.id, cm.id, space="daily")
    day = timedelta(days=1)
    add_moods(
        app, calme, (NOW - 10 * day, 2), (NOW - 8 * day, 2), (NOW - day, 3), (NOW - day / 2, 4)
    )
    add_moods(app, late, (NOW - 10 * day, 4), (NOW - 8 * day, 4), (NOW - day, 2))
    add_moods(app, missed, (NOW - 10 * day, 3), (NOW - day, 3))
    add_moods(app, offline, (NOW - day, 5))
    create_event(app, cm, calme, start="2026-11-23T12:00:00", kind="appointment")
    create_event(app, cm, calme, start="2026-11-24T09:00:00", title="Toilette")

    rows = _dashboard(app, cm)

    assert [r["last_name"] for r in rows] == [
        "Alerte",
        "Manqué",
        "Retard",
        "Horsligne",
        "Message",
        "Calme",
        "Partagée",
    ]
    by_name = {r["last_name"]: r for r in rows}
    assert by_name["Alerte"]["open_alerts"] == 1
    assert by_name["Calme"]["open_alerts"] == 0  # acknowledged
    assert (by_name["Manqué"]["missed_visits_today"], by_name["Manqué"]["late_visits_today"]) == (
        1,
        0,
    )
    assert (by_name["Retard"]["missed_visits_today"], by_name["Retard"]["late_visits_today"]) == (
        0,
        1,
    )
    assert by_name["Horsligne"]["tablets"] == [
        {
            "id": offline_device,
            "name": "Tablette salon",
            "online": False,
            "last_seen_at": "2026-11-23T09:58:00Z",
            "offline_since": "2026-11-23T09:58:00Z",
        }
    ]
    calme_row = by_name["Calme"]
    assert [(t["online"], t["offline_since"]) for t in calme_row["tablets"]] == [(True, None)]
    assert by_name["Message"]["unread_health_messages"] == 4
    assert all(r["unread_health_messages"] == 0 for r in rows if r["last_name"] != "Message")
    assert calme_row["last_mood"] == {"score": 4, "recorded_at": "2026-11-22T22:00:00Z"}
    assert [by_name[n]["mood_trend"] for n in ("Calme", "Retard", "Manqué", "Horsligne")] == [
        "up",
        "down",
        "flat",
        None,  # nothing the week before
    ]
    assert by_name["Alerte"]["last_mood"] is None
    assert calme_row["next_visit"]["title"] == "Toilette"  # the appointment is not a visit
    assert calme_row["next_visit"]["start"] == "2026-11-24T09:00:00+01:00"
    assert by_name["Retard"]["next_visit"] is None  # today's is over, none planned after
    assert by_name["Manqué"]["next_visit"] is None
    # Each mood shown is a read of health data.
    mood_reads = [u for a, u, _ in audit_entries(app, "wellbeing") if a == "read"]
    assert mood_reads == [cm.id] * 4

    # A minute later the other tablet has not been seen for more than 90 s either.
    clock.advance(61)
    calme_row = {r["last_name"]: r for r in _dashboard(app, cm)}["Calme"]
    assert calme_row["tablets"][0]["online"] is False


def test_dashboard_search_and_access(app: TestClient, cm: CareManager) -> None:
    _beneficiary(app, cm, "Hélène", "Dupont")
    _beneficiary(app, cm, "Marc", "Dupont-Hélie")
    _beneficiary(app, cm, "Jeanne", "Martin")
    other_cm = care_manager(app)
    _beneficiary(app, other_cm, "Hélène", "Autre")

    def names(q: str) -> list[str]:
        return [f"{r['first_name']} {r['last_name']}" for r in _dashboard(app, cm, q=q)]

    assert names("helene") == ["Hélène Dupont"]
    assert names("  DUPONT ") == ["Hélène Dupont", "Marc Dupont-Hélie"]
    assert names("dupont marc") == ["Marc Dupont-Hélie"]
    assert names("") == ["Hélène Dupont", "Marc Dupont-Hélie", "Jeanne Martin"]
    assert names("autre") == []
    assert (
        app.get(f"{API}/dashboard", params={"q": "x" * 101}, headers=cm.headers).status_code == 422
    )
    member = person(app, "nurse")
    assert app.get(f"{API}/dashboard", headers=member.headers).status_code == 403
    assert app.get(f"{API}/dashboard").status_code == 401


def _rows(app: TestClient, cm: CareManager, lang: str = "fr") -> list[dashboard.Row]:
    with _session_of(app) as session:
        user = session.get(User, cm.id)
        assert user is not None
        return dashboard.dashboard(session, user, None, NOW, lang)


def test_tablets_in_trouble_come_after_alerts_and_say_why(app: TestClient, cm: CareManager) -> None:
    """Alerts first, then a tablet in trouble (urgent before "to look at"), then the rest; a
    tablet's news for information only breaks ties. Each tablet with something to say says it
    in the page's words."""
    quiet = _beneficiary(app, cm, "Aline", "Calme")
    info = _beneficiary(app, cm, "Bruno", "Redémarrée")
    missed = _beneficiary(app, cm, "Chantal", "Manqué")
    disk = _beneficiary(app, cm, "Denis", "Disque")
    away = _beneficiary(app, cm, "Edith", "Absente")
    alert = _beneficiary(app, cm, "Fanny", "Alerte")
    healthy = {"free_disk_bytes": 8_000_000_000, "disk_total_bytes": 16_000_000_000}
    _device(app, quiet, seen_ago=20, **healthy)
    _device(app, info, seen_ago=20, restarts_today=1, **healthy)
    create_event(app, cm, missed, start="2026-11-23T08:00:00")  # nobody came
    _device(app, disk, seen_ago=20, free_disk_bytes=1_280_000_000, disk_total_bytes=16 * 10**9)
    _device(app, away, seen_ago=3 * 3600, **healthy)
    _device(app, alert, seen_ago=20, **healthy)
    with _session_of(app) as session:
        session.add(Alert(beneficiary_id=alert, kind="mood_drop", message="Baisse"))
        session.commit()

    rows = _rows(app, cm)

    assert [r.beneficiary.last_name for r in rows] == [
        "Alerte",
        "Absente",  # offline 3 h: urgent
        "Disque",  # 92 % full: to look at
        "Manqué",
        "Redémarrée",  # restarted once: for information, before a quiet one
        "Calme",
    ]
    said = {r.beneficiary.last_name: [(t.severity, t.headline) for t in r.tablets] for r in rows}
    assert said["Absente"] == [(3, "Tablette hors ligne depuis 3 h (dernier contact 8\u00a0h)")]
    assert said["Disque"] == [(2, "Espace presque plein (92 %)")]
    assert said["Redémarrée"] == [(1, "Redémarrée 1 fois aujourd'hui")]
    assert said["Calme"] == said["Alerte"] == [(0, None)]  # all is well: nothing to say
    assert said["Manqué"] == []
    english = {r.beneficiary.last_name: r.tablets for r in _rows(app, cm, "en")}
    assert english["Absente"][0].headline == "Tablet offline for 3 h (last contact 8:00)"
    assert english["Disque"][0].headline == "Storage almost full (92%)"


def test_the_tablets_health_costs_no_statement_per_person(app: TestClient, cm: CareManager) -> None:
    """50 people: their tablets and what each last reported are read in one statement, so the
    dashboard sends as many statements with a tablet per person as with none (455 for 50
    people, before and after the health came: about 9 per person for moods, visits and
    their audit entries, none of them for the tablets; asking `device_health.for_beneficiary`
    row by row sent 504)."""
    ids = [_beneficiary(app, cm, "Personne", f"Numéro {n:02d}") for n in range(50)]

    def sent_by_the_dashboard() -> list[str]:
        # Its own session's connection: the application's jobs worker polls meanwhile.
        with _session_of(app) as session, statements(session.connection()) as sent:
            user = session.get(User, cm.id)
            assert user is not None
            rows = dashboard.dashboard(session, user, None, NOW)
        assert len(rows) == 50
        return sent

    without_tablets = sent_by_the_dashboard()
    for n, beneficiary_id in enumerate(ids):
        _device(app, beneficiary_id, seen_ago=60 * n, free_disk_bytes=10**9 * (n % 4),
                disk_total_bytes=4 * 10**9, restarts_today=n % 3)  # fmt: skip
    with_tablets = sent_by_the_dashboard()

    assert len(with_tablets) == len(without_tablets)
    tablet_reads = [s for s in with_tablets if "device_statuses" in s or "FROM devices" in s]
    assert len(tablet_reads) == 1
