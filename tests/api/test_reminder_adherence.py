"""Adherence: per ISO week of the beneficiary's zone and per reminder, what became of the
occurrences of the reminders that ask "C'est fait" (confirmed, late, missed, unknown, pending),
on SQLite and PostgreSQL, after four days of a morning and an evening reminder."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from backend.models import AuditEntry
from tests.api.conftest import Clock, MakeClient
from tests.api.factories import CareManager, session_of
from tests.api.members import invite, person
from tests.api.reminder_helpers import TOKEN_TTL, Home, paris

# Sunday 29 November 2026, 7:00 in Paris (the last day of ISO week 48).
START = datetime(2026, 11, 29, 6, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def app(make_client: MakeClient, clock: Clock) -> TestClient:
    return make_client(clock=clock, run_jobs=False, access_token_ttl_seconds=TOKEN_TTL)


def counts(**given: Any) -> dict[str, Any]:
    base = {"expected": 0, "confirmed": 0, "late": 0, "missed": 0, "unknown": 0, "pending": 0}
    return {**base, **given}


def test_adherence_per_week_and_per_reminder(
    app: TestClient, cm: CareManager, clock: Clock
) -> None:
    home = Home.create(app, cm, clock)
    morning = home.reminder(
        start="2026-11-29T08:00:00", rrule="FREQ=DAILY", escalate_after_minutes=30
    )["id"]
    evening = home.reminder(
        title="Tisane", kind="drink", start="2026-11-29T20:00:00", rrule="FREQ=DAILY"
    )["id"]  # no alert: decided a day after
    home.reminder(title="Rendez-vous", kind="appointment", start="2026-11-30T10:00:00",
                  confirm_wanted=False)  # fmt: skip

    def at(day: int, hour: int, minute: int = 0) -> datetime:
        moment = (
            paris(2026, 11, day, hour, minute) if day > 3 else paris(2026, 12, day, hour, minute)
        )
        home.at(moment)
        return moment

    # Sunday: both confirmed in time.
    at(29, 8, 5)
    home.done(morning, paris(2026, 11, 29, 8))
    at(29, 8, 31)
    home.run_jobs()
    at(29, 20, 10)
    home.done(evening, paris(2026, 11, 29, 20))
    # Monday: the morning one missed, then confirmed late; the evening one never.
    home.tablet_seen(at(30, 8, 20))
    at(30, 8, 31)
    home.run_jobs()
    at(30, 9)
    assert home.done(morning, paris(2026, 11, 30, 8)).json() == {"state": "late"}
    at(30, 20, 1)
    home.run_jobs()
    # Tuesday: the morning one missed; the tablet last seen at 19:59.
    home.tablet_seen(at(1, 8, 20))
    at(1, 8, 31)
    home.run_jobs()
    home.tablet_seen(at(1, 19, 59))
    at(1, 20, 1)
    home.run_jobs()  # Monday evening's: missed (no alert asked)
    # Wednesday: the tablet is offline; the morning one is unknown at 9:00.
    at(2, 8, 31)
    home.run_jobs()
    at(2, 9)
    home.run_jobs()

    response = app.get(f"{home.url}/adherence", params={"weeks": 2}, headers=cm.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    weeks = [(w["week"], w["start"], w["counts"]) for w in body["weeks"]]
    assert weeks == [
        (
            "2026-W48",
            "2026-11-23T00:00:00+01:00",
            {**counts(expected=2, confirmed=2), "confirmed_share": 1.0},
        ),
        (
            "2026-W49",
            "2026-11-30T00:00:00+01:00",
            # Monday: late, missed; Tuesday: missed, pending (the evening's day is not over);
            # Wednesday: unknown.
            {
                **counts(expected=5, late=1, missed=2, unknown=1, pending=1),
                "confirmed_share": 0.3333,
            },
        ),
    ]
    assert body["weeks"][1]["end"] == "2026-12-02T09:00:00+01:00"
    by_reminder = {r["reminder_id"]: r for r in body["reminders"]}
    assert set(by_reminder) == {morning, evening}  # the one asking nothing is not counted
    assert by_reminder[morning]["total"] == {
        **counts(expected=4, confirmed=1, late=1, missed=1, unknown=1),
        "confirmed_share": 0.6667,
    }
    assert by_reminder[evening]["total"] == {
        **counts(expected=3, confirmed=1, missed=1, pending=1),
        "confirmed_share": 0.5,
    }
    assert [w["counts"]["expected"] for w in by_reminder[evening]["weeks"]] == [1, 2]

    # Read by the family too; not by a friend; and written to the audit log.
    daughter = person(app, name="Sophie")
    invite(app, home.id, daughter.id, "family")
    neighbour = person(app, name="Marc")
    invite(app, home.id, neighbour.id, "neighbour")
    assert app.get(f"{home.url}/adherence", headers=daughter.headers).status_code == 200
    assert app.get(f"{home.url}/adherence", headers=neighbour.headers).status_code == 403
    for weeks in (0, 53):
        bad = app.get(f"{home.url}/adherence", params={"weeks": weeks}, headers=cm.headers)
        assert bad.status_code == 422, bad.text
    with session_of(app) as session:
        readers = session.scalars(
            select(AuditEntry.actor_user_id).where(AuditEntry.entity == "reminder_adherence")
        ).all()
    assert readers == [cm.id, daughter.id]
