"""Alerts: raised once per cause, seen by the care managers and the people they name, taken,
closed with a note, reopened, with their history; and tablets offline for long.

The application runs without its jobs thread (`run_jobs=False`) on a fixed `clock`; the
periodic tablet check is run with `jobs.run_due` at an explicit `now`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from backend.models import (
    Alert,
    AlertEvent,
    AlertRecipient,
    Beneficiary,
    CircleMember,
    Device,
    Job,
)
from backend.services import alerts, devices_offline, jobs
from tests.api.circle_fixtures import CircleSetup, Person, build_circle, care_manager_of
from tests.api.conftest import Clock, MakeClient
from tests.api.factories import API, CareManager, device_headers, pair_device, session_of, state_of

# Thursday 3 December 2026, 10:00 in Paris.
START = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def app(make_client: MakeClient, clock: Clock) -> TestClient:
    return make_client(clock=clock, run_jobs=False)


def raise_alert(
    client: TestClient,
    beneficiary_id: int,
    now: datetime,
    *,
    key: str,
    recipients: tuple[int, ...] = (),
    kind: str = "reminder_missed",
    message: str = "Un rappel n'a pas été confirmé",
    critical: bool = False,
) -> int | None:
    with session_of(client) as session:
        alert = alerts.raise_alert(
            session,
            beneficiary_id=beneficiary_id,
            kind=kind,
            message=message,
            dedupe_key=key,
            recipient_ids=list(recipients),
            critical=critical,
            now=now,
        )
        session.commit()
        return None if alert is None else alert.id


def history(client: TestClient, alert_id: int) -> list[tuple[str, int | None, str]]:
    with session_of(client) as session:
        rows = session.execute(
            select(AlertEvent.action, AlertEvent.actor_user_id, AlertEvent.note)
            .where(AlertEvent.alert_id == alert_id)
            .order_by(AlertEvent.id)
        ).all()
    return [(a, u, n) for a, u, n in rows]


def listed(client: TestClient, headers: dict[str, str], **params: Any) -> list[int]:
    response = client.get(f"{API}/alerts", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [a["id"] for a in response.json()]


# --- raising and closing on the system's behalf ------------------------------------------------


def test_an_alert_is_raised_once_per_cause(
    app: TestClient, cm: CareManager, beneficiary_id: int, clock: Clock
) -> None:
    first = raise_alert(app, beneficiary_id, clock.now, key="reminder:12:2026-12-03T09:00Z")
    again = raise_alert(app, beneficiary_id, clock.now, key="reminder:12:2026-12-03T09:00Z")
    assert first is not None and again is None
    assert history(app, first) == [("opened", None, "")]
    [shown] = app.get(f"{API}/alerts", headers=cm.headers).json()
    assert shown["id"] == first
    assert shown["state"] == "open"
    assert shown["beneficiary_name"] == "Jeanne Martin"
    assert shown["created_at"].startswith("2026-12-03T09:00:00")


def test_a_closed_alert_is_not_raised_again_for_the_same_cause(
    app: TestClient, cm: CareManager, beneficiary_id: int, clock: Clock
) -> None:
    first = raise_alert(app, beneficiary_id, clock.now, key="k")
    assert first is not None
    with session_of(app) as session:
        alerts.auto_close(session, first, "Confirmé à 10 h 12 par la tablette", clock.now)
        session.commit()
    assert raise_alert(app, beneficiary_id, clock.now, key="k") is None


def test_auto_close_is_the_systems_with_its_note(
    app: TestClient, cm: CareManager, beneficiary_id: int, clock: Clock
) -> None:
    alert_id = raise_alert(app, beneficiary_id, clock.now, key="k")
    assert alert_id is not None
    later = clock.now + timedelta(minutes=12)
    with session_of(app) as session:
        alerts.auto_close(session, alert_id, "Confirmé à 10 h 12 par la tablette", later)
        alerts.auto_close(session, alert_id, "une seconde fois", later)  # nothing more
        alerts.auto_close(session, 999_999, "n'existe pas", later)
        session.commit()
    shown = app.get(f"{API}/alerts/{alert_id}", headers=cm.headers).json()
    assert shown["state"] == "closed"
    assert shown["closed_by_id"] is None
    assert shown["close_note"] == "Confirmé à 10 h 12 par la tablette"
    assert [(e["action"], e["actor_user_id"], e["note"]) for e in shown["history"]] == [
        ("opened", None, ""),
        ("auto_closed", None, "Confirmé à 10 h 12 par la tablette"),
    ]
    assert listed(app, cm.headers) == []
    assert listed(app, cm.headers, state="closed") == [alert_id]


# --- what people do --------------------------------------------------------------------------


def test_take_close_reopen_and_the_history(
    app: TestClient, cm: CareManager, beneficiary_id: int, clock: Clock
) -> None:
    alert_id = raise_alert(app, beneficiary_id, clock.now, key="k")
    url = f"{API}/alerts/{alert_id}"

    taken = app.post(f"{url}/take", headers=cm.headers)
    assert taken.status_code == 200, taken.text
    assert taken.json()["state"] == "taken"
    assert taken.json()["taken_by_id"] == cm.id
    assert taken.json()["taken_by_name"] == "Claire"
    assert app.post(f"{url}/take", headers=cm.headers).status_code == 200  # nothing more
    assert listed(app, cm.headers) == [alert_id]  # taken is still to be dealt with
    assert listed(app, cm.headers, state="taken") == [alert_id]
    assert listed(app, cm.headers, state="open") == []

    no_note = app.post(f"{url}/close", json={"note": "   "}, headers=cm.headers)
    assert no_note.status_code == 422
    assert "ce qui a été fait" in no_note.json()["detail"]
    too_long = app.post(f"{url}/close", json={"note": "x" * 2001}, headers=cm.headers)
    assert too_long.status_code == 422

    closed = app.post(f"{url}/close", json={"note": "Appelée : tout va bien."}, headers=cm.headers)
    assert closed.status_code == 200, closed.text
    assert closed.json()["state"] == "closed"
    assert closed.json()["closed_by_name"] == "Claire"
    assert closed.json()["close_note"] == "Appelée : tout va bien."
    again = app.post(f"{url}/close", json={"note": "encore"}, headers=cm.headers)
    assert again.status_code == 409
    assert app.post(f"{url}/take", headers=cm.headers).status_code == 409

    reopened = app.post(f"{url}/reopen", json={"note": "Elle rappelle"}, headers=cm.headers)
    assert reopened.status_code == 200, reopened.text
    assert reopened.json()["state"] == "open"
    assert reopened.json()["taken_by_id"] is None
    assert reopened.json()["closed_at"] is None
    assert app.post(f"{url}/reopen", headers=cm.headers).status_code == 409

    shown = app.get(url, headers=cm.headers).json()
    assert [(e["action"], e["actor_name"], e["note"]) for e in shown["history"]] == [
        ("opened", None, ""),
        ("taken", "Claire", ""),
        ("closed", "Claire", "Appelée : tout va bien."),
        ("reopened", "Claire", "Elle rappelle"),
    ]


def test_an_alert_acknowledged_the_older_way_shows_as_closed(
    app: TestClient, cm: CareManager, beneficiary_id: int, clock: Clock
) -> None:
    with session_of(app) as session:
        alert = Alert(
            beneficiary_id=beneficiary_id,
            kind="wellbeing_trend",
            message="Humeur en baisse",
            created_at=clock.now,
            acknowledged_at=clock.now,
        )
        session.add(alert)
        session.commit()
        alert_id = alert.id
    assert app.get(f"{API}/alerts/{alert_id}", headers=cm.headers).json()["state"] == "closed"
    assert listed(app, cm.headers) == []
    assert app.post(f"{API}/alerts/{alert_id}/reopen", headers=cm.headers).status_code == 200
    assert listed(app, cm.headers) == [alert_id]


def test_list_pages_back_and_filters_by_beneficiary(
    app: TestClient, cm: CareManager, beneficiary_id: int, clock: Clock
) -> None:
    ids = [raise_alert(app, beneficiary_id, clock.now, key=f"k{n}") for n in range(5)]
    assert listed(app, cm.headers, limit=2) == [ids[4], ids[3]]
    assert listed(app, cm.headers, limit=2, before_id=ids[3]) == [ids[2], ids[1]]
    assert listed(app, cm.headers, beneficiary_id=beneficiary_id) == ids[::-1]
    other = app.post(f"{API}/beneficiaries", json={"first_name": "Paul", "last_name": "Roy"},
                     headers=cm.headers).json()  # fmt: skip
    assert listed(app, cm.headers, beneficiary_id=other["id"]) == []
    bad = app.get(f"{API}/alerts", params={"state": "forgotten"}, headers=cm.headers)
    assert bad.status_code == 422


# --- who sees what ---------------------------------------------------------------------------


@pytest.fixture
def circle(app: TestClient) -> CircleSetup:
    return build_circle(app)


def test_who_sees_an_alert_role_by_role(app: TestClient, circle: CircleSetup, clock: Clock) -> None:
    c = circle
    jeanne = c.jeanne_id
    # One alert naming the daughter and the nurse, one naming no one.
    named = raise_alert(app, jeanne, clock.now, key="named", recipients=(c.daughter.id, c.nurse.id))
    plain = raise_alert(app, jeanne, clock.now, key="plain")
    tablet = pair_device(app, care_manager_of(c.care_manager), jeanne)["access_token"]

    sees: dict[str, set[int | None]] = {
        "care_manager": {named, plain},
        "daughter": {named},
        "nurse": {named},
        "home_aide": set(),
        "volunteer": set(),
        "neighbour": set(),
        "other_care_manager": set(),
        "other_family": set(),
        "outsider": set(),
    }
    for name, expected in sees.items():
        who: Person = getattr(c, name)
        assert set(listed(app, who.headers)) == expected, name
        for alert_id in (named, plain):
            response = app.get(f"{API}/alerts/{alert_id}", headers=who.headers)
            assert response.status_code == (200 if alert_id in expected else 404), name
            took = app.post(f"{API}/alerts/{alert_id}/take", headers=who.headers)
            assert took.status_code == (200 if alert_id in expected else 404), name
            if alert_id not in expected:
                assert response.json()["detail"] == "Alerte introuvable."
        by_beneficiary = app.get(
            f"{API}/alerts", params={"beneficiary_id": jeanne}, headers=who.headers
        )
        in_circle = name not in ("other_care_manager", "other_family", "outsider")
        assert by_beneficiary.status_code == (200 if in_circle else 404), name

    # The last one to take it holds it: "prise en charge par" them.
    shown = app.get(f"{API}/alerts/{named}", headers=c.care_manager.headers).json()
    assert shown["taken_by_name"] == "Inès Leroy"

    # A person's token is needed: the tablet and no one get 401.
    for headers in (device_headers(tablet), {}):
        assert app.get(f"{API}/alerts", headers=headers).status_code == 401
        assert app.get(f"{API}/alerts/{named}", headers=headers).status_code == 401
        assert app.post(f"{API}/alerts/{named}/take", headers=headers).status_code == 401
        close = app.post(f"{API}/alerts/{named}/close", json={"note": "x"}, headers=headers)
        assert close.status_code == 401

    # The daughter closes what names her; the care manager reopens it.
    closed = app.post(
        f"{API}/alerts/{named}/close", json={"note": "Je suis passée"}, headers=c.daughter.headers
    )
    assert closed.status_code == 200 and closed.json()["named"] is True
    reopened = app.post(f"{API}/alerts/{named}/reopen", headers=c.care_manager.headers)
    assert reopened.status_code == 200 and reopened.json()["named"] is False

    # Named but no longer in the circle: nothing.
    with session_of(app) as session:
        session.execute(
            CircleMember.__table__.delete().where(CircleMember.user_id == c.daughter.id)
        )
        session.commit()
    assert listed(app, c.daughter.headers) == []
    assert app.get(f"{API}/alerts/{named}", headers=c.daughter.headers).status_code == 404
    with session_of(app) as session:
        still_named = session.scalar(
            select(AlertRecipient.id).where(AlertRecipient.user_id == c.daughter.id)
        )
    assert still_named is not None


def test_the_email_audience_is_the_care_managers_and_the_named_in_the_circle(
    app: TestClient, circle: CircleSetup, clock: Clock
) -> None:
    c = circle
    with session_of(app) as session:
        jeanne = session.get(Beneficiary, c.jeanne_id)
        assert jeanne is not None
        people = alerts.audience(session, jeanne, [c.daughter.id, c.other_family.id])
        assert [p.id for p in people] == sorted([c.care_manager.id, c.daughter.id])


# --- tablets offline for long ----------------------------------------------------------------


def _set_last_seen(client: TestClient, device_id: int, at: datetime) -> None:
    with session_of(client) as session:
        device = session.get(Device, device_id)
        assert device is not None
        device.last_seen_at = at
        session.commit()


def _run(client: TestClient, now: datetime) -> int:
    total = 0
    while done := jobs.run_due(state_of(client).sessions, "test-worker", now):
        total += done
    return total


def _offline_alerts(client: TestClient) -> list[Alert]:
    with session_of(client) as session:
        return list(
            session.scalars(select(Alert).where(Alert.kind == "tablet_offline").order_by(Alert.id))
        )


def test_a_tablet_offline_for_long_raises_an_alert_closed_when_it_is_back(
    app: TestClient, cm: CareManager, beneficiary_id: int, clock: Clock
) -> None:
    paired = pair_device(app, cm, beneficiary_id)
    device_id = paired["device_id"]
    seen = datetime(2026, 12, 3, 8, 40, tzinfo=UTC)  # 9:40 in Paris
    _set_last_seen(app, device_id, seen)
    with session_of(app) as session:
        assert devices_offline.ensure_planned(session, seen)
        assert not devices_offline.ensure_planned(session, seen + timedelta(minutes=1))
        session.commit()

    # Five hours later: not yet. The check plans the next one each time.
    assert _run(app, seen + timedelta(hours=5)) == 1
    assert _offline_alerts(app) == []
    # Past six hours: one alert, however many checks.
    later = seen + timedelta(hours=6, minutes=3)
    _run(app, later)
    _run(app, later + timedelta(minutes=5))
    _run(app, later + timedelta(minutes=10))
    [alert] = _offline_alerts(app)
    assert alert.message == "La tablette de Jeanne Martin est hors ligne depuis 9\u00a0h\u00a040"
    assert alert.created_at == later
    assert not alert.critical
    with session_of(app) as session:
        pending = session.scalars(
            select(Job.run_at).where(Job.kind == "devices_offline_check", Job.state == "pending")
        ).all()
    assert pending == [datetime(2026, 12, 3, 14, 55, tzinfo=UTC)]  # one, the next slot

    # Seen again: the next check closes it, saying when.
    clock.now = datetime(2026, 12, 3, 15, 2, tzinfo=UTC)
    # (The sync route notes last_seen_at on the real clock, not the application's: set here.)
    _set_last_seen(app, device_id, clock.now)
    _run(app, clock.now)
    [closed] = _offline_alerts(app)
    assert closed.acknowledged_at == clock.now
    assert closed.close_note == "La tablette est de nouveau en ligne (16\u00a0h\u00a002)."
    assert history(app, closed.id)[-1][0] == "auto_closed"

    # Offline again the next night: a new alert for the new period, with the day said.
    _run(app, clock.now + timedelta(hours=20))
    second = _offline_alerts(app)[1]
    assert second.message == (
        "La tablette de Jeanne Martin est hors ligne depuis le jeudi 3 décembre à 16\u00a0h\u00a002"
    )


def test_a_revoked_tablet_raises_nothing_and_closes_its_alert(
    app: TestClient, cm: CareManager, beneficiary_id: int, clock: Clock
) -> None:
    paired = pair_device(app, cm, beneficiary_id)
    seen = clock.now - timedelta(hours=7)
    _set_last_seen(app, paired["device_id"], seen)
    with session_of(app) as session:
        assert len(devices_offline.check(session, clock.now)) == 1
        device = session.get(Device, paired["device_id"])
        assert device is not None
        device.revoked_at = clock.now
        session.commit()
    with session_of(app) as session:
        assert devices_offline.check(session, clock.now + timedelta(minutes=5)) == []
        session.commit()
    [alert] = _offline_alerts(app)
    assert alert.close_note == "La tablette a été retirée."


def test_the_application_plans_the_tablet_check_when_it_runs_jobs(
    make_client: MakeClient, clock: Clock
) -> None:
    client = make_client(clock=clock, jobs_poll_seconds=3600)
    with session_of(client) as session:
        keys = session.scalars(select(Job.dedupe_key).where(Job.kind == "devices_offline_check"))
        # Planned at start (and maybe already run by the worker, which planned the next).
        assert "devices-offline-check:2026-12-03T09:00:00+00:00" in set(keys)


def test_active_counts_for_the_dashboard(
    app: TestClient, cm: CareManager, beneficiary_id: int, clock: Clock
) -> None:
    raise_alert(app, beneficiary_id, clock.now, key="a", critical=True)
    taken = raise_alert(app, beneficiary_id, clock.now, key="b")
    closed = raise_alert(app, beneficiary_id, clock.now, key="c", critical=True)
    assert app.post(f"{API}/alerts/{taken}/take", headers=cm.headers).status_code == 200
    response = app.post(f"{API}/alerts/{closed}/close", json={"note": "Vu"}, headers=cm.headers)
    assert response.status_code == 200
    with session_of(app) as session:
        counts = alerts.active_counts(session, [beneficiary_id, 999])
    assert counts == {beneficiary_id: alerts.ActiveCount(active=2, critical=1, untaken=1)}
