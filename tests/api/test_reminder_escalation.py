"""The escalation check of reminders (docs/reminders.md, "Escalation, offline, exactly once"),
on SQLite and PostgreSQL, on a fixed clock, the jobs run by hand (`jobs.run_due`) as the
backend's jobs thread runs them:

- confirmed in time: nothing; not confirmed with the tablet online: missed, one alert to the
  people named on the reminder, no title in it; a late confirmation closes that alert;
- the tablet offline since before the due time: unknown, checked again every 15 minutes, then
  decided when it is back (its outbox delivers what was pressed offline);
- a paused or edited reminder's old check does nothing;
- exactly once: two workers at once (threads, PostgreSQL), and a worker killed after its claim.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select

from backend.models import AlertEvent, CircleMember, Job
from backend.services import jobs, reminders
from tests.api.conftest import Clock, MakeClient
from tests.api.factories import CareManager, session_of
from tests.api.members import invite, person
from tests.api.reminder_helpers import TOKEN_TTL, Home, paris

# Tuesday 1 December 2026, 7:00 in Paris.
START = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
DUE = paris(2026, 12, 1, 8)  # 07:00 UTC
MESSAGE = "Un rappel n'a pas été confirmé pour Jeanne Martin"


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def app(make_client: MakeClient, clock: Clock) -> TestClient:
    # No jobs thread: the tests run the jobs themselves, at the clock's time.
    return make_client(clock=clock, run_jobs=False, access_token_ttl_seconds=TOKEN_TTL)


@pytest.fixture
def home(app: TestClient, cm: CareManager, clock: Clock) -> Home:
    return Home.create(app, cm, clock)


def family(home: Home, name: str = "Sophie", relation: str = "family") -> Any:
    someone = person(home.client, name=name)
    invite(home.client, home.id, someone.id, relation)
    return someone


def morning_pills(home: Home, **fields: Any) -> int:
    """Every day at 8:00, "C'est fait" wanted, an alert after 30 minutes."""
    body = {
        "start": "2026-12-01T08:00:00",
        "rrule": "FREQ=DAILY",
        "escalate_after_minutes": 30,
        **fields,
    }
    rid: int = home.reminder(**body)["id"]
    return rid


def job_kind(home: Home, job_id: int) -> str | None:
    with session_of(home.client) as session:
        job = session.get(Job, job_id)
        return None if job is None else job.kind


def checks_for(home: Home, rid: int) -> list[tuple[datetime, str]]:
    return [(run_at, key) for run_at, key in home.pending_checks() if f":{rid}:" in key]


def test_a_reminder_confirmed_in_time_raises_nothing(home: Home) -> None:
    rid = morning_pills(home)
    home.at(paris(2026, 12, 1, 8, 10))
    assert home.done(rid, DUE).json() == {"state": "confirmed"}
    home.at(paris(2026, 12, 1, 8, 31))

    assert home.run_jobs() == 1
    assert home.outcome(rid, DUE) == "confirmed"
    assert home.alerts() == []
    # The next occurrence's check is planned by this one.
    assert checks_for(home, rid) == [
        (
            datetime(2026, 12, 2, 7, 30, tzinfo=UTC),
            f"reminder-check:{rid}:1:2026-12-02T07:00:00+00:00",
        )
    ]


def test_missed_with_the_tablet_online_alerts_the_people_named_once(home: Home) -> None:
    daughter = family(home)
    neighbour = family(home, "Marc", "neighbour")
    gone = family(home, "Paul")
    rid = morning_pills(home, critical=True, watcher_ids=[daughter.id, neighbour.id, gone.id])
    with session_of(home.client) as session:  # Paul left the circle since
        session.execute(delete(CircleMember).where(CircleMember.user_id == gone.id))
        session.commit()
    home.tablet_seen(paris(2026, 12, 1, 8, 20))  # online after the due time
    home.at(paris(2026, 12, 1, 8, 30))

    assert home.run_jobs() == 1
    assert home.outcome(rid, DUE) == "missed"
    [alert] = home.alerts()
    assert alert == {
        "id": alert["id"],
        "kind": "reminder_missed",
        "message": MESSAGE,  # no title: it may name a treatment, and it may be e-mailed
        "state": "open",
        "critical": True,
        "dedupe_key": f"reminder:{rid}:2026-12-01T07:00:00+00:00",
        "close_note": "",
        "recipients": sorted([daughter.id, neighbour.id]),
    }
    assert "Médicaments" not in alert["message"]
    # Run again, and again later: still one alert, and tomorrow's check planned once.
    assert home.run_jobs() == 0
    home.later(minutes=20)
    assert home.run_jobs() == 0
    assert len(home.alerts()) == 1
    assert [key for _, key in checks_for(home, rid)] == [
        f"reminder-check:{rid}:1:2026-12-02T07:00:00+00:00"
    ]


def test_a_late_confirmation_closes_the_alert(home: Home) -> None:
    rid = morning_pills(home)
    home.tablet_seen(paris(2026, 12, 1, 8, 20))
    home.at(paris(2026, 12, 1, 8, 31))
    home.run_jobs()
    assert [a["state"] for a in home.alerts()] == ["open"]

    home.at(paris(2026, 12, 1, 9, 12))
    answer = home.done(rid, DUE)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"state": "late"}
    assert home.outcome(rid, DUE) == "late"
    [alert] = home.alerts()
    assert (alert["state"], alert["close_note"]) == (
        "closed",
        "Confirmé à 9 h 12 par la tablette",
    )
    with session_of(home.client) as session:
        actions = session.scalars(
            select(AlertEvent.action)
            .where(AlertEvent.alert_id == alert["id"])
            .order_by(AlertEvent.id)
        ).all()
    assert actions == ["opened", "auto_closed"]


def test_pressed_in_time_offline_but_delivered_after_the_check_closes_the_alert_as_confirmed(
    home: Home,
) -> None:
    """Pressed at 8:10, the tablet lost the network at 8:12 (seen at 8:11), delivered at 9:00:
    the check at 8:30 saw it online after the due time and alerted; the press was in time."""
    rid = morning_pills(home)
    home.tablet_seen(paris(2026, 12, 1, 8, 11))
    home.at(paris(2026, 12, 1, 8, 30))
    home.run_jobs()
    home.at(paris(2026, 12, 1, 9))
    assert home.done(rid, DUE, confirmed_at=paris(2026, 12, 1, 8, 10)).json() == {
        "state": "confirmed"
    }
    [alert] = home.alerts()
    assert (alert["state"], alert["close_note"]) == ("closed", "Confirmé à 8 h 10 par la tablette")


def test_offline_is_unknown_until_the_tablet_is_back_then_decided(home: Home) -> None:
    rid = morning_pills(home)
    home.tablet_seen(paris(2026, 12, 1, 7, 40))  # offline since before 8:00
    home.at(paris(2026, 12, 1, 8, 30))

    assert home.run_jobs() == 1
    assert home.outcome(rid, DUE) == "unknown"
    assert home.alerts() == []
    # Checked again every 15 minutes; tomorrow's occurrence is planned all the same.
    assert checks_for(home, rid) == [
        (
            datetime(2026, 12, 1, 7, 45, tzinfo=UTC),
            f"reminder-check:{rid}:1:2026-12-01T07:00:00+00:00:2026-12-01T07:45:00+00:00",
        ),
        (
            datetime(2026, 12, 2, 7, 30, tzinfo=UTC),
            f"reminder-check:{rid}:1:2026-12-02T07:00:00+00:00",
        ),
    ]
    home.at(paris(2026, 12, 1, 8, 45))
    assert home.run_jobs() == 1
    assert home.outcome(rid, DUE) == "unknown"
    assert home.alerts() == []

    # Back at 8:50: the outbox first delivers the "C'est fait" pressed offline at 8:10.
    home.at(paris(2026, 12, 1, 8, 50))
    assert home.done(rid, DUE, confirmed_at=paris(2026, 12, 1, 8, 10)).json() == {
        "state": "confirmed"
    }
    home.at(paris(2026, 12, 1, 9))
    assert home.run_jobs() == 1
    assert home.outcome(rid, DUE) == "confirmed"
    assert home.alerts() == []
    assert [key for _, key in checks_for(home, rid)] == [
        f"reminder-check:{rid}:1:2026-12-02T07:00:00+00:00"
    ]


def test_offline_then_back_without_a_confirmation_is_missed(home: Home) -> None:
    rid = morning_pills(home)
    home.tablet_seen(paris(2026, 12, 1, 7, 40))
    home.at(paris(2026, 12, 1, 8, 30))
    home.run_jobs()
    assert home.outcome(rid, DUE) == "unknown"
    home.tablet_seen(paris(2026, 12, 1, 8, 40))  # back, with nothing to deliver
    home.at(paris(2026, 12, 1, 8, 45))

    assert home.run_jobs() == 1
    assert home.outcome(rid, DUE) == "missed"
    assert [a["message"] for a in home.alerts()] == [MESSAGE]
    assert [key for _, key in checks_for(home, rid)] == [
        f"reminder-check:{rid}:1:2026-12-02T07:00:00+00:00"
    ]


def test_an_occurrence_still_unknown_after_a_week_is_left_unknown(home: Home) -> None:
    rid = morning_pills(home)
    home.tablet_seen(paris(2026, 12, 1, 7, 40))
    home.at(paris(2026, 12, 1, 8, 30))
    home.run_jobs()
    home.at(paris(2026, 12, 8, 8, 1))  # seven days and a minute after it was due
    home.run_jobs()
    assert home.outcome(rid, DUE) == "unknown"
    assert not [key for _, key in checks_for(home, rid) if "2026-12-01T07:00:00+00:00:" in key]


def test_a_paused_reminders_check_does_nothing_and_resuming_plans_the_next(home: Home) -> None:
    rid = morning_pills(home)
    home.tablet_seen(paris(2026, 12, 1, 8, 20))
    home.at(paris(2026, 12, 1, 7, 55))
    paused = home.client.post(f"{home.url}/{rid}/pause", headers=home.cm.headers)
    assert paused.status_code == 200, paused.text
    home.at(paris(2026, 12, 1, 8, 30))
    assert home.run_jobs() == 1  # the job ran, and did nothing
    assert (home.outcome(rid, DUE), home.alerts()) == (None, [])
    assert checks_for(home, rid) == []

    resumed = home.client.post(f"{home.url}/{rid}/resume", headers=home.cm.headers)
    assert resumed.status_code == 200, resumed.text
    # From now on: today's 8:00 was not shown while paused, tomorrow's is checked.
    assert [key for _, key in checks_for(home, rid)] == [
        f"reminder-check:{rid}:3:2026-12-02T07:00:00+00:00"
    ]


def test_an_edited_reminders_old_check_does_nothing(home: Home) -> None:
    rid = morning_pills(home)
    home.at(paris(2026, 12, 1, 7, 30))
    moved = home.client.patch(
        f"{home.url}/{rid}", json={"start": "2026-12-01T09:00:00"}, headers=home.cm.headers
    )
    assert moved.status_code == 200, moved.text
    home.tablet_seen(paris(2026, 12, 1, 9, 20))
    home.at(paris(2026, 12, 1, 9, 30))

    assert home.run_jobs() == 2  # version 1's 8:00 check (nothing), version 2's 9:00 check
    assert home.outcome(rid, DUE) is None
    assert home.outcome(rid, paris(2026, 12, 1, 9)) == "missed"
    assert [a["dedupe_key"] for a in home.alerts()] == [f"reminder:{rid}:2026-12-01T08:00:00+00:00"]


def test_a_reminder_without_alert_records_its_outcome_a_day_later(home: Home) -> None:
    rid = morning_pills(home, escalate_after_minutes=None)
    assert checks_for(home, rid)[0][0] == datetime(2026, 12, 2, 7, 0, tzinfo=UTC)
    home.tablet_seen(paris(2026, 12, 1, 12))
    home.at(paris(2026, 12, 2, 8))
    home.run_jobs()
    assert home.outcome(rid, DUE) == "missed"
    assert home.alerts() == []  # no alert asked for: the adherence counts it


# --- exactly once -------------------------------------------------------------------------------


def test_two_workers_at_once_escalate_each_reminder_once(home: Home, is_postgres: bool) -> None:
    if not is_postgres:
        pytest.skip("concurrent workers are several processes on PostgreSQL; SQLite has one")
    rids = [morning_pills(home, title=f"Rappel {n}") for n in range(12)]
    home.tablet_seen(paris(2026, 12, 1, 8, 20))
    home.at(paris(2026, 12, 1, 8, 31))
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def work(worker: str) -> None:
        try:
            start.wait(timeout=30)
            jobs.run_due(home.sessions, worker, home.clock.now)
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(f"host-{n}:worker",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert home.checks_done() == len(rids)
    alerts = home.alerts()
    assert sorted(a["dedupe_key"] for a in alerts) == sorted(
        f"reminder:{rid}:2026-12-01T07:00:00+00:00" for rid in rids
    )
    assert {home.outcome(rid, DUE) for rid in rids} == {"missed"}
    with session_of(home.client) as session:
        opened = session.scalar(
            select(func.count(AlertEvent.id)).where(AlertEvent.action == "opened")
        )
        tomorrow = session.scalar(
            select(func.count(Job.id)).where(Job.dedupe_key.like("%:2026-12-02T07:00:00+00:00"))
        )
        ran_twice = session.scalar(
            select(func.count(Job.id)).where(Job.kind == reminders.JOB_KIND, Job.attempts > 1)
        )
    assert (opened, tomorrow, ran_twice) == (len(rids), len(rids), 0)


def test_a_worker_killed_after_its_claim_leaves_the_check_to_another_once(home: Home) -> None:
    rid = morning_pills(home)
    home.tablet_seen(paris(2026, 12, 1, 8, 20))
    home.at(paris(2026, 12, 1, 8, 31))
    claimed = [
        job_id
        for job_id in jobs.claim(home.sessions, "killed", home.clock.now)
        if job_kind(home, job_id) == reminders.JOB_KIND
    ]
    assert len(claimed) == 1  # …and the process dies before running it

    home.later(minutes=1)
    assert home.run_jobs("survivor") == 0  # still leased
    assert home.alerts() == []
    home.later(minutes=1, seconds=1)  # the two-minute lease is over
    assert home.run_jobs("survivor") == 1
    assert len(home.alerts()) == 1
    # Were the killed worker only slow, its late run does nothing.
    assert jobs.run_claimed(home.sessions, claimed[0], "killed", home.clock.now) is False
    assert len(home.alerts()) == 1
    assert home.outcome(rid, DUE) == "missed"
    with session_of(home.client) as session:
        job = session.get(Job, claimed[0])
        assert job is not None
        assert (job.state, job.attempts) == (jobs.DONE, 2)


def test_the_check_is_registered() -> None:
    assert reminders.JOB_KIND in jobs.kinds()
    assert timedelta(minutes=15) == reminders.RECHECK_EVERY
