"""The escalation checks of a claimed batch decided together
(`backend.services.reminders.check_occurrences`, registered as the `reminder_check` kind's
batch handler): in one transaction and a few statements whatever the batch's size, each check
deciding as it would alone, exactly once with several workers, and a bad job failing alone.

The statements are counted with SQLAlchemy's `before_cursor_execute` event; the numbers are
in docs/performance.md (before: 38 statements and one transaction per check).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select

from backend.models import AlertEvent, Job, OutgoingEmail
from backend.services import jobs, reminders
from tests.api.conftest import Clock, MakeClient
from tests.api.factories import CareManager, session_of
from tests.api.members import invite, person
from tests.api.reminder_helpers import TOKEN_TTL, Home, paris

START = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)  # 7:00 in Paris
DUE = paris(2026, 12, 1, 8)
TOMORROW = "2026-12-02T07:00:00+00:00"


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


def pills(home: Home, n: int, **fields: Any) -> list[int]:
    """`n` reminders every day at 8:00, "C'est fait" wanted, an alert after 30 minutes."""
    body = {"start": "2026-12-01T08:00:00", "rrule": "FREQ=DAILY", "escalate_after_minutes": 30}
    return [
        int(home.reminder(**{**body, "title": f"Rappel {k}", **fields})["id"]) for k in range(n)
    ]


@contextmanager
def statements(home: Home) -> Iterator[list[str]]:
    """Every SQL statement the application's engine sends meanwhile."""
    engine = home.sessions.kw["bind"]
    sent: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", count)


def count(home: Home, query: Any) -> int:
    with session_of(home.client) as session:
        return int(session.scalar(query) or 0)


def test_a_batch_of_checks_costs_a_few_statements_whatever_its_size(
    app: TestClient, cm: CareManager, clock: Clock, is_postgres: bool
) -> None:
    """Two rounds, 10 then 20 checks due at once (two beneficiaries, a watcher each): the
    claim and the batch. PostgreSQL: the same statements for 20 as for 10 (one per table);
    SQLite writes its new rows one INSERT each (no multi-row RETURNING there), in-process."""
    sent_per_round = []
    for n in (5, 10):
        homes = [Home.create(app, cm, clock) for _ in range(2)]
        for h in homes:
            watcher = person(h.client, name="Sophie")
            invite(h.client, h.id, watcher.id, "family")
            pills(h, n, watcher_ids=[watcher.id])
            h.tablet_seen(paris(2026, 12, 1, 8, 20))
        home = homes[0]
        home.at(paris(2026, 12, 1, 8, 31))
        before = home.checks_done()
        with statements(home) as sent:
            jobs.run_due(home.sessions, "worker", home.clock.now)
        assert home.checks_done() - before == 2 * n
        assert all(len(h.alerts()) == n for h in homes)
        sent_per_round.append(len(sent))
        jobs.run_due(home.sessions, "worker", home.clock.now)  # the e-mails, not measured
        clock.now = START  # the next round's reminders are due at the same 8:00
    per_check = [sent / checks for sent, checks in zip(sent_per_round, (10, 20), strict=True)]
    print(f"\nstatements: {sent_per_round} for 10 and 20 checks ({per_check} per check)")
    if is_postgres:
        assert sent_per_round[1] == sent_per_round[0]
        assert per_check[1] < 3  # was 38 (one transaction per check)
    else:
        assert per_check[1] < 12  # was 38


def test_a_mixed_batch_decides_each_check_as_alone(
    app: TestClient, cm: CareManager, clock: Clock
) -> None:
    """One claim holds: Jeanne's reminders (her tablet online: missed, alerted, e-mailed),
    a confirmed one, a paused one, one edited since its check was planned, one raising no
    alert; and Paul's (his tablet offline: unknown, checked again in 15 minutes)."""
    jeanne = Home.create(app, cm, clock)
    paul = Home.create(app, cm, clock)
    watcher = person(jeanne.client, name="Sophie")
    invite(jeanne.client, jeanne.id, watcher.id, "family")
    missed = pills(jeanne, 3, watcher_ids=[watcher.id], critical=True)
    [confirmed, paused, edited] = pills(jeanne, 3)
    [quiet] = pills(jeanne, 1, escalate_after_minutes=None)
    [offline] = pills(paul, 1)
    jeanne.tablet_seen(paris(2026, 12, 1, 8, 20))
    paul.tablet_seen(paris(2026, 12, 1, 7, 40))
    jeanne.at(paris(2026, 12, 1, 7, 50))
    assert jeanne.client.post(f"{jeanne.url}/{paused}/pause", headers=cm.headers).is_success
    moved = jeanne.client.patch(
        f"{jeanne.url}/{edited}", json={"start": "2026-12-01T09:00:00"}, headers=cm.headers
    )
    assert moved.is_success
    jeanne.at(paris(2026, 12, 1, 8, 10))
    assert jeanne.done(confirmed, DUE).json() == {"state": "confirmed"}
    jeanne.at(paris(2026, 12, 1, 8, 31))

    # Every check due now, in one claim: the batch.
    # 3 missed, confirmed, paused, edited (its version 1), Paul's; the quiet one's is tomorrow.
    assert jeanne.run_jobs() == 7
    assert [jeanne.outcome(r, DUE) for r in (*missed, confirmed, paused, edited)] == [
        "missed",
        "missed",
        "missed",
        "confirmed",
        None,
        None,
    ]
    assert paul.outcome(offline, DUE) == "unknown"
    alerts = jeanne.alerts()
    assert [(a["dedupe_key"], a["critical"], a["recipients"]) for a in alerts] == [
        (reminders.alert_key(r, DUE), True, [watcher.id]) for r in missed
    ]
    assert paul.alerts() == []
    # Each alert opened once and e-mailed to the care manager and the watcher.
    opened = select(func.count(AlertEvent.id)).where(AlertEvent.action == "opened")
    assert count(jeanne, opened) == 3
    assert count(jeanne, select(func.count(OutgoingEmail.id))) == 6
    sends = select(func.count(Job.id)).where(Job.kind == "send_email", Job.state == jobs.PENDING)
    assert count(jeanne, sends) == 6
    # The next checks: tomorrow's for those checked today, Paul's again in 15 minutes; the
    # quiet one's today's check is tomorrow (its outcome is decided after a day).
    keys = [key for _, key in jeanne.pending_checks()]
    for rid in (*missed, confirmed, offline):
        assert f"reminder-check:{rid}:1:{TOMORROW}" in keys
    assert f"reminder-check:{quiet}:1:2026-12-01T07:00:00+00:00" in keys
    assert f"reminder-check:{offline}:1:2026-12-01T07:00:00+00:00:2026-12-01T07:46:00+00:00" in keys
    assert not [key for key in keys if f":{paused}:" in key and "2026-12-01T07:00" in key]
    assert f"reminder-check:{edited}:2:2026-12-01T08:00:00+00:00" in keys  # 9:00, version 2

    # Paul's tablet back with nothing delivered: missed at the next check; nothing twice.
    paul.tablet_seen(paris(2026, 12, 1, 8, 40))
    paul.at(paris(2026, 12, 1, 8, 46))
    assert paul.run_jobs() == 1
    assert paul.outcome(offline, DUE) == "missed"
    assert len(paul.alerts()) == 1
    assert len(jeanne.alerts()) == 3


def test_a_bad_check_in_a_batch_fails_alone(home: Home) -> None:
    rids = pills(home, 4)
    home.tablet_seen(paris(2026, 12, 1, 8, 20))
    with session_of(home.client) as session:  # a job no check can read
        jobs.enqueue(
            session,
            reminders.JOB_KIND,
            {"reminder_id": "not a number", "version": 1, "due_at": DUE.isoformat()},
            DUE,
        )
        session.commit()
    home.at(paris(2026, 12, 1, 8, 31))
    assert home.run_jobs() == 4
    assert {home.outcome(rid, DUE) for rid in rids} == {"missed"}
    assert len(home.alerts()) == 4
    with session_of(home.client) as session:
        bad = session.scalars(select(Job).where(Job.last_error.is_not(None))).one()
        assert (bad.kind, bad.state, bad.attempts) == (reminders.JOB_KIND, jobs.PENDING, 1)
        assert bad.last_error is not None and bad.last_error.startswith("ValueError")


def test_workers_sharing_batches_escalate_each_reminder_once(
    app: TestClient, cm: CareManager, clock: Clock, is_postgres: bool
) -> None:
    """Three workers at once on 120 checks due together (more than two claims): every
    occurrence decided once, one alert and one e-mail each, tomorrow's checks planned once."""
    if not is_postgres:
        pytest.skip("concurrent workers are several processes on PostgreSQL; SQLite has one")
    homes = [Home.create(app, cm, clock) for _ in range(3)]
    rids = []
    for h in homes:
        rids += pills(h, 40)
        h.tablet_seen(paris(2026, 12, 1, 8, 20))
    home = homes[0]
    home.at(paris(2026, 12, 1, 8, 31))
    start = threading.Barrier(3)
    errors: list[BaseException] = []
    done: dict[str, int] = {}

    def work(worker: str) -> None:
        try:
            start.wait(timeout=30)
            done[worker] = jobs.run_due(home.sessions, worker, home.clock.now)
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(f"host-{n}:worker",)) for n in (1, 2, 3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert home.checks_done() == len(rids) == 120
    assert {home.outcome(rid, DUE) for rid in rids} == {"missed"}
    assert sorted(a["dedupe_key"] for h in homes for a in h.alerts()) == sorted(
        reminders.alert_key(rid, DUE) for rid in rids
    )
    opened = select(func.count(AlertEvent.id)).where(AlertEvent.action == "opened")
    tomorrow = select(func.count(Job.id)).where(Job.dedupe_key.like(f"%:{TOMORROW}"))
    ran_twice = select(func.count(Job.id)).where(Job.attempts > 1)
    emails = select(func.count(OutgoingEmail.id))
    assert [count(home, q) for q in (opened, tomorrow, ran_twice, emails)] == [120, 120, 0, 120]
