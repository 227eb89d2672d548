"""Well-being: mood check-ins from the tablet, readings by role, the series and weekly summary
(across a daylight-saving change), the mood-drop alert rule, and the audit log."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from backend.models import (
    Alert,
    MoodCheckin,
    WellbeingReading,
)
from backend.services.wellbeing import alert_reason
from tests.api.conftest import Clock
from tests.api.factories import (
    API,
    CareManager,
    care_manager,
    session_of,
)
from tests.api.members import action, add_moods, audit_entries, invite, person, share, tablet

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # Monday 11:00 in Paris


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


def _mood(score: Any = 3, **extra: Any) -> dict[str, Any]:
    return {"score": score, "tags": ["sleep"], "recorded_at": NOW.isoformat(), **extra}


# --- mood check-ins ----------------------------------------------------------------------------


def test_mood_sent_twice_with_one_key_is_stored_once_and_audited(
    app: TestClient, cm: CareManager, beneficiary_id: int
) -> None:
    credential = tablet(app, cm, beneficiary_id)
    data = {
        "score": 4,
        "tags": ["happy", "sleep", "happy"],
        "recorded_at": "2026-11-23T10:58:00+01:00",
    }

    first = action(app, credential, "mood", data, key="mood-key-0001")
    second = action(app, credential, "mood", data, key="mood-key-0001")

    assert first.status_code == 200, first.text
    assert second.status_code == 200
    assert second.headers.get("Idempotency-Replayed") == "true"
    assert second.json() == first.json()
    assert first.json()["tags"] == ["happy", "sleep"]
    with session_of(app) as session:
        moods = session.scalars(select(MoodCheckin)).all()
        device_id = moods[0].device_id
    assert [(m.score, json.loads(m.tags)) for m in moods] == [(4, ["happy", "sleep"])]
    assert moods[0].recorded_at == datetime(2026, 11, 23, 9, 58, tzinfo=UTC)
    assert audit_entries(app, "wellbeing") == [("create", None, device_id)]


def test_invalid_moods_are_refused_and_nothing_is_stored(
    app: TestClient, cm: CareManager, beneficiary_id: int
) -> None:
    credential = tablet(app, cm, beneficiary_id)
    cases = [
        _mood(0),
        _mood(6),
        _mood("3"),
        _mood(True),
        _mood(3.5),
        {"tags": [], "recorded_at": NOW.isoformat()},
        _mood(tags=["grumpy"]),
        _mood(tags=["sleep", "pain", "appetite", "lonely", "tired", "happy"]),
        _mood(tags="sleep"),
        _mood(recorded_at="2026-11-23T10:00:00"),  # no offset
        _mood(recorded_at="hier"),
        _mood(recorded_at=(NOW + timedelta(minutes=6)).isoformat()),
        _mood(recorded_at=(NOW - timedelta(days=30, minutes=1)).isoformat()),
        _mood(colour="bleu"),
    ]
    for data in cases:
        response = action(app, credential, "mood", data)
        assert response.status_code == 422, (data, response.text)
        assert response.json()["detail"]
    # The bounds themselves are accepted.
    for at in (NOW + timedelta(minutes=5), NOW - timedelta(days=30) + timedelta(seconds=1)):
        assert action(app, credential, "mood", _mood(recorded_at=at.isoformat())).status_code == 200
    with session_of(app) as session:
        assert len(session.scalars(select(MoodCheckin)).all()) == 2


# --- readings and the series, role by role ------------------------------------------------------


def test_readings_and_series_role_by_role(
    app: TestClient, cm: CareManager, beneficiary_id: int, clock: Clock
) -> None:
    nurse = person(app, "nurse", "Inès")
    share(app, beneficiary_id, nurse.id, "nursing")
    aide = person(app, "home_aide")
    share(app, beneficiary_id, aide.id, "home_help")
    family = person(app)
    invite(app, beneficiary_id, family.id, "family")
    volunteer = person(app, "volunteer")
    share(app, beneficiary_id, volunteer.id, "association")
    friend = person(app)
    invite(app, beneficiary_id, friend.id, "neighbour")
    stranger = person(app, "nurse")
    readings = f"{API}/beneficiaries/{beneficiary_id}/wellbeing/readings"
    series = f"{API}/beneficiaries/{beneficiary_id}/wellbeing"

    for who, score in ((cm, 4), (nurse, 3), (aide, 5)):
        clock.advance(60)
        response = app.post(
            readings, json={"score": score, "note": " Bonne journée "}, headers=who.headers
        )
        assert response.status_code == 201, response.text
        assert response.json()["author_user_id"] == who.id
    assert response.json()["note"] == "Bonne journée"
    for who, status in ((family, 403), (volunteer, 403), (friend, 403), (stranger, 404)):
        response = app.post(readings, json={"score": 3}, headers=who.headers)
        assert response.status_code == status, response.text

    for who in (cm, nurse, aide, family):
        response = app.get(series, headers=who.headers)
        assert response.status_code == 200, response.text
        items = response.json()["items"]
        assert [(i["type"], i["score"], i["author_name"]) for i in items] == [
            ("reading", 4, "Claire"),
            ("reading", 3, "Inès"),
            ("reading", 5, "Paul"),
        ]
    for who, status in ((volunteer, 403), (friend, 403), (stranger, 404)):
        assert app.get(series, headers=who.headers).status_code == status
        weekly = app.get(f"{series}/weekly", headers=who.headers)
        assert weekly.status_code == status

    entries = audit_entries(app, "wellbeing")
    assert [(a, u) for a, u, _ in entries] == [
        ("create", cm.id),
        ("create", nurse.id),
        ("create", aide.id),
        ("read", cm.id),
        ("read", nurse.id),
        ("read", aide.id),
        ("read", family.id),
    ]


def test_reading_validation(app: TestClient, cm: CareManager, beneficiary_id: int) -> None:
    url = f"{API}/beneficiaries/{beneficiary_id}/wellbeing/readings"
    for body in (
        {"score": 0},
        {"score": 6},
        {"score": "4"},
        {"score": 4, "note": "x" * 2001},
        {"score": 4, "note": "a\x00b"},
        {"score": 4, "extra": 1},
    ):
        response = app.post(url, json=body, headers=cm.headers)
        assert response.status_code == 422, (body, response.text)
    ok = app.post(url, json={"score": 4, "note": "<b>pas du HTML</b>\nligne 2"}, headers=cm.headers)
    assert ok.status_code == 201
    assert ok.json()["note"] == "<b>pas du HTML</b>\nligne 2"  # kept as plain text
    assert (
        app.post(
            f"{API}/beneficiaries/999/wellbeing/readings", json={"score": 3}, headers=cm.headers
        ).status_code
        == 404
    )


def test_series_is_time_ordered_and_bounded(
    app: TestClient, cm: CareManager, beneficiary_id: int
) -> None:
    add_moods(app, beneficiary_id, (NOW - timedelta(days=2), 2), (NOW - timedelta(days=40), 5))
    app.post(
        f"{API}/beneficiaries/{beneficiary_id}/wellbeing/readings",
        json={"score": 4},
        headers=cm.headers,
    )
    add_moods(app, beneficiary_id, (NOW - timedelta(hours=1), 3))
    url = f"{API}/beneficiaries/{beneficiary_id}/wellbeing"

    default = app.get(url, headers=cm.headers).json()  # the last 30 days
    assert [(i["type"], i["score"]) for i in default["items"]] == [
        ("mood", 2),
        ("mood", 3),
        ("reading", 4),
    ]
    wide = app.get(
        url,
        params={"start": "2026-10-01T00:00:00", "end": "2026-11-24T00:00:00"},
        headers=cm.headers,
    ).json()
    assert [(i["type"], i["score"]) for i in wide["items"]] == [
        ("mood", 5),
        ("mood", 2),
        ("mood", 3),
        ("reading", 4),
    ]
    assert wide["start"] == "2026-10-01T00:00:00+02:00"  # naive: the beneficiary's time zone
    for params in (
        {"start": "2025-01-01T00:00:00Z", "end": "2026-11-24T00:00:00Z"},  # > 366 days
        {"start": "2026-11-24T00:00:00Z", "end": "2026-11-01T00:00:00Z"},  # reversed
        {"start": "0001-01-01T00:00:00Z"},
        {"start": "pas une date"},
    ):
        assert app.get(url, params=params, headers=cm.headers).status_code == 422, params


# --- weekly summary ----------------------------------------------------------------------------


def test_weekly_summary_follows_local_weeks_across_the_dst_change(
    app: TestClient, cm: CareManager, beneficiary_id: int, clock: Clock
) -> None:
    clock.now = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)  # Monday of week 45
    credential = tablet(app, cm, beneficiary_id)
    # Summer time ended on Sunday 2026-10-25 at 03:00 (CEST, +02:00 → CET, +01:00).
    moods = [
        ("2026-10-18T23:30:00+02:00", 1, []),  # Sunday of week 42: outside the 3 weeks
        ("2026-10-19T00:30:00+02:00", 4, ["sleep"]),  # Monday 00:30 (Sunday 22:30 UTC): week 43
        ("2026-10-25T23:30:00+01:00", 2, ["pain", "sleep"]),  # Sunday 23:30 CET: week 43
        ("2026-10-26T00:30:00+01:00", 5, ["happy"]),  # Monday 00:30 (Sunday 23:30 UTC): week 44
        ("2026-11-02T10:30:00+01:00", 3, ["sleep"]),  # today, week 45
    ]
    for at, score, tags in moods:
        response = action(
            app, credential, "mood", {"score": score, "tags": tags, "recorded_at": at}
        )
        assert response.status_code == 200, response.text
    with session_of(app) as session:
        session.add_all(
            [
                WellbeingReading(
                    beneficiary_id=beneficiary_id,
                    author_user_id=cm.id,
                    score=s,
                    recorded_at=datetime.fromisoformat(at),
                )
                for at, s in (("2026-10-25T23:00:00+00:00", 4), ("2026-10-20T08:00:00+00:00", 2))
            ]
        )
        session.commit()

    response = app.get(
        f"{API}/beneficiaries/{beneficiary_id}/wellbeing/weekly",
        params={"weeks": 3},
        headers=cm.headers,
    )

    assert response.status_code == 200, response.text
    weeks = response.json()
    assert [(w["week"], w["start"], w["end"]) for w in weeks] == [
        ("2026-W43", "2026-10-19T00:00:00+02:00", "2026-10-26T00:00:00+01:00"),
        ("2026-W44", "2026-10-26T00:00:00+01:00", "2026-11-02T00:00:00+01:00"),
        ("2026-W45", "2026-11-02T00:00:00+01:00", "2026-11-09T00:00:00+01:00"),
    ]
    w43, w44, w45 = weeks
    assert (w43["mood_count"], w43["mood_mean"], w43["mood_min"]) == (2, 3.0, 2)
    assert w43["tags"] == {"sleep": 2, "pain": 1}
    assert (w43["reading_count"], w43["reading_mean"]) == (1, 2.0)
    assert (w44["mood_count"], w44["mood_mean"], w44["mood_min"]) == (1, 5.0, 5)
    assert w44["tags"] == {"happy": 1}
    # 2026-10-25 23:00 UTC is Monday 00:00 CET: the first instant of week 44.
    assert (w44["reading_count"], w44["reading_mean"]) == (1, 4.0)
    assert (w45["mood_count"], w45["mood_mean"], w45["tags"]) == (1, 3.0, {"sleep": 1})
    assert (w45["reading_count"], w45["reading_mean"]) == (0, None)
    for weeks_param in (0, 53, "x"):
        bad = app.get(
            f"{API}/beneficiaries/{beneficiary_id}/wellbeing/weekly",
            params={"weeks": weeks_param},
            headers=cm.headers,
        )
        assert bad.status_code == 422
    default = app.get(f"{API}/beneficiaries/{beneficiary_id}/wellbeing/weekly", headers=cm.headers)
    assert len(default.json()) == 8
    assert [a for a, _, _ in audit_entries(app, "wellbeing")].count("read") == 2


# --- the alert rule --------------------------------------------------------------------------


def _at(days: float) -> datetime:
    return NOW - timedelta(days=days)


@pytest.mark.parametrize(
    ("values", "fires"),
    [
        # previous window mean 4.0, recent 3.0: exactly one point → fires.
        ([(_at(10), 4), (_at(15), 4), (_at(27), 4), (_at(1), 3), (_at(2), 3), (_at(6), 3)], True),
        # recent 3.33: 0.67 below → no.
        ([(_at(10), 4), (_at(15), 4), (_at(27), 4), (_at(1), 3), (_at(2), 3), (_at(6), 4)], False),
        # a big drop but only 2 values in the previous window → no.
        ([(_at(10), 5), (_at(15), 5), (_at(1), 2), (_at(2), 2), (_at(6), 2)], False),
        # a value older than 28 days does not count in the previous window.
        ([(_at(10), 5), (_at(15), 5), (_at(29), 5), (_at(1), 2), (_at(2), 2), (_at(6), 2)], False),
        # only 2 recent values.
        ([(_at(10), 5), (_at(15), 5), (_at(20), 5), (_at(1), 2), (_at(8), 2)], False),
        # two 1s within 48 h.
        ([(_at(0.1), 1), (_at(1.9), 1)], True),
        # two 1s, but one of them 49 h ago.
        ([(_at(0.1), 1), (NOW - timedelta(hours=49), 1)], False),
    ],
)
def test_alert_rule(values: list[tuple[datetime, int]], fires: bool) -> None:
    assert (alert_reason(values, NOW) is not None) is fires


def test_alerts_are_created_once_until_acknowledged(
    app: TestClient, cm: CareManager, beneficiary_id: int, clock: Clock
) -> None:
    credential = tablet(app, cm, beneficiary_id)
    add_moods(
        app, beneficiary_id, (_at(10), 4), (_at(15), 4), (_at(20), 4), (_at(3), 3), (_at(2), 3)
    )
    url = f"{API}/beneficiaries/{beneficiary_id}/alerts"

    # A third recent 4: mean 3.33 against 4.0, no alert.
    first = action(app, credential, "mood", _mood(4, recorded_at=_at(1).isoformat()))
    assert first.json()["alert_created"] is False
    assert app.get(url, headers=cm.headers).json() == []
    # A 1 now: recent mean 2.75 → alert.
    second = action(app, credential, "mood", _mood(1))
    assert second.json()["alert_created"] is True
    # Another low value: the open alert is not duplicated (reading from the console this time).
    third = app.post(
        f"{API}/beneficiaries/{beneficiary_id}/wellbeing/readings",
        json={"score": 1},
        headers=cm.headers,
    )
    assert third.json()["alert_created"] is False
    alerts = app.get(url, headers=cm.headers).json()
    assert len(alerts) == 1
    assert alerts[0]["kind"] == "mood_drop"
    assert alerts[0]["message"].startswith("Baisse de l'humeur : moyenne de 2,8")
    assert alerts[0]["acknowledged_at"] is None

    clock.advance(60)
    ack = app.post(f"{API}/alerts/{alerts[0]['id']}/acknowledge", headers=cm.headers)
    assert ack.status_code == 200
    assert datetime.fromisoformat(ack.json()["acknowledged_at"]) == clock.now
    again = app.post(f"{API}/alerts/{alerts[0]['id']}/acknowledge", headers=cm.headers)
    assert again.json()["acknowledged_at"] == ack.json()["acknowledged_at"]
    assert app.get(url, params={"open": "true"}, headers=cm.headers).json() == []

    # Acknowledged: the next firing opens a new alert (two 1s within 48 h as well now).
    fourth = action(app, credential, "mood", _mood(1, recorded_at=clock.now.isoformat()))
    assert fourth.json()["alert_created"] is True
    listed = app.get(url, headers=cm.headers).json()
    assert [a["acknowledged_at"] is None for a in listed] == [True, False]  # newest first
    page = app.get(url, params={"before_id": listed[0]["id"]}, headers=cm.headers).json()
    assert [a["id"] for a in page] == [listed[1]["id"]]
    assert [a for a, _, _ in audit_entries(app, "alert")] == [
        "read",
        "read",
        "update",
        "read",
        "read",
        "read",
    ]


def test_alerts_are_for_care_managers_only(
    app: TestClient, cm: CareManager, beneficiary_id: int
) -> None:
    with session_of(app) as session:
        alert = Alert(beneficiary_id=beneficiary_id, kind="mood_drop", message="Baisse")
        session.add(alert)
        session.commit()
        alert_id = alert.id
    nurse = person(app, "nurse")
    share(app, beneficiary_id, nurse.id, "nursing")
    family = person(app)
    invite(app, beneficiary_id, family.id, "family")
    other_cm = care_manager(app)
    url = f"{API}/beneficiaries/{beneficiary_id}/alerts"
    ack = f"{API}/alerts/{alert_id}/acknowledge"

    for who, status in ((nurse, 403), (family, 403), (other_cm, 404)):
        assert app.get(url, headers=who.headers).status_code == status
        assert app.post(ack, headers=who.headers).status_code == status
    assert (
        app.post(f"{API}/alerts/{alert_id + 1}/acknowledge", headers=cm.headers).status_code == 404
    )
    with session_of(app) as session:
        assert session.get(Alert, alert_id).acknowledged_at is None  # type: ignore[union-attr]
    # Staff of a care-management service the beneficiary is shared with see them too.
    colleague = person(app, "care_manager")
    share(app, beneficiary_id, colleague.id, "care_management")
    assert app.get(url, headers=colleague.headers).status_code == 200
