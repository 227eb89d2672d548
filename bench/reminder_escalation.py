"""Escalation: 10,000 reminders due in the same minute across a fleet, on PostgreSQL.

    .venv/bin/python -m bench.reminder_escalation [--tablets 2000] [--per-tablet 5] [--workers 4]

A fresh PostgreSQL database; a fleet of tablets (`bench.backend.make_fleet`) each with
`per-tablet` reminders due every day at 8:00 Paris time, confirmation wanted, an alert after
30 minutes; the checks planned as the reminders' service plans them (`plan_check`). Nobody
confirms, and every tablet was seen after 8:00, so every occurrence escalates: an alert, its
history, an e-mail to the care manager (written to a folder) and its job.

The workers are separate processes running the backend's own jobs loop
(`backend.services.jobs.run_due`) on a clock set at 8:30:01, as a backend's processes do: a
claim of up to 50 checks is decided in one transaction (`reminders.check_occurrences`).
Measured, same run, each on a fresh database:

- baselines, one worker process on a tenth of the fleet's reminders: the checks decided one by
  one (the `reminder_check` kind without its batch handler: one transaction per check, as
  before batches), then in batches;
- the fleet: `--workers` processes on every reminder: the time until every occurrence has
  escalated (all `reminder_check` jobs done), then until every e-mail has gone;
- exactly once: alerts raised = reminders, e-mails written = alerts, no job left or failed.

The machine may be shared: the load average is printed before and after. Last line: the time
to escalate them all, the fleet's throughput against one batched worker's, and batches against
one by one.
"""

from __future__ import annotations

import argparse
import dataclasses
import multiprocessing
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select, update

from backend import db
from backend.models import Alert, Device, Job, OutgoingEmail, Reminder
from bench import backend as bench_backend

TZ = ZoneInfo("Europe/Paris")
DUE_LOCAL = datetime(2026, 12, 7, 8, 0)  # noqa: DTZ001 - wall-clock time, as stored
ESCALATE_AFTER = 30


def due_instant() -> datetime:
    return DUE_LOCAL.replace(tzinfo=TZ).astimezone(UTC)


def make_reminders(url: str, beneficiary_ids: list[int], device_ids: list[int], per: int) -> int:
    """`per` reminders per beneficiary, bulk-inserted, and their checks planned by the service.
    Returns how many."""
    from backend.services import reminders as service

    engine = db.make_engine(url)
    sessions = db.make_session_factory(engine)
    created = datetime(2026, 12, 1, tzinfo=UTC)
    rows = [
        {
            "beneficiary_id": beneficiary_id,
            "title": f"Médicaments {k + 1}",
            "detail": "",
            "kind": "medication",
            "start_local": DUE_LOCAL - timedelta(days=6),
            "timezone": "Europe/Paris",
            "rrule": "FREQ=DAILY",
            "confirm_wanted": True,
            "repeat_every_minutes": 10,
            "repeat_count": 2,
            "escalate_after_minutes": ESCALATE_AFTER,
            "critical": False,
            "created_at": created,
            "updated_at": created,
            "version": 1,
        }
        for beneficiary_id in beneficiary_ids
        for k in range(per)
    ]
    with engine.begin() as conn:
        conn.execute(insert(Reminder), rows)
        # Every tablet was online after 8:00: an unconfirmed reminder is "missed", not unknown.
        conn.execute(
            update(Device)
            .where(Device.id.in_(device_ids))
            .values(last_seen_at=due_instant() + timedelta(minutes=5))
        )
    planned_at = due_instant() - timedelta(hours=1)
    with sessions() as session:
        for reminder in session.scalars(select(Reminder).order_by(Reminder.id)):
            service.plan_check(session, reminder, TZ, planned_at)
        session.commit()
    engine.dispose()
    return len(rows)


def _worker(
    url: str, mail_dir: str, index: int, now_iso: str, batched: bool, ready: Any, go: Any
) -> None:
    """One backend process's jobs loop until there is nothing left due (started by `go` once
    every worker is `ready`: a process's start, imports included, is not what is measured)."""
    from backend.app import api_routers
    from backend.config import Settings
    from backend.services import jobs, mail, reminders

    api_routers()  # as `foyer-backend jobs` does: every module registers its job kinds
    if not batched:  # the checks one by one, one transaction each
        registration = jobs._HANDLERS[reminders.JOB_KIND]
        jobs._HANDLERS[reminders.JOB_KIND] = dataclasses.replace(registration, batch=None)
    mail.configure(Settings(data_dir=Path(mail_dir), database_url=url, mail_dir=Path(mail_dir)))
    engine = db.make_engine(url, 8, 1)
    sessions = db.make_session_factory(engine)
    now = datetime.fromisoformat(now_iso)
    with engine.connect():
        pass  # connected before the start
    ready.put(index)
    go.wait()
    while jobs.run_due(sessions, f"bench-{index}", now):
        pass
    engine.dispose()


def _count(url: str) -> dict[str, int]:
    engine = db.make_engine(url)
    with engine.connect() as conn:
        counts = {
            "alerts": conn.scalar(select(func.count(Alert.id))) or 0,
            "emails": conn.scalar(select(func.count(OutgoingEmail.id))) or 0,
            "emails_sent": conn.scalar(
                select(func.count(OutgoingEmail.id)).where(OutgoingEmail.state == "sent")
            )
            or 0,
            "checks_left": conn.scalar(
                select(func.count(Job.id)).where(
                    Job.kind == "reminder_check", Job.state == "pending", Job.run_at <= _now()
                )
            )
            or 0,
            "failed": conn.scalar(select(func.count(Job.id)).where(Job.state == "failed")) or 0,
        }
    engine.dispose()
    return counts


def _now() -> datetime:
    return due_instant() + timedelta(minutes=ESCALATE_AFTER, seconds=1)


def run(url: str, workers: int, mail_dir: str, batched: bool) -> tuple[float, float]:
    """Start `workers` processes; seconds until every check is done, and until all is done."""
    context = multiprocessing.get_context("spawn")
    ready, go = context.Queue(), context.Event()
    processes = [
        context.Process(
            target=_worker, args=(url, mail_dir, i, _now().isoformat(), batched, ready, go)
        )
        for i in range(workers)
    ]
    for process in processes:
        process.start()
    for _ in processes:
        ready.get(timeout=300)
    started = time.perf_counter()
    go.set()
    escalated: float | None = None
    while any(p.is_alive() for p in processes):
        if escalated is None and _count(url)["checks_left"] == 0:
            escalated = time.perf_counter() - started
        time.sleep(0.2)
    total = time.perf_counter() - started
    for process in processes:
        process.join()
        if process.exitcode != 0:
            raise RuntimeError(f"worker exited with {process.exitcode}")
    return (escalated if escalated is not None else total), total


def fleet(tablets: int, per: int, workers: int, *, batched: bool = True) -> dict[str, float]:
    url = bench_backend.create_pg_database()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            bench_backend.migrate(Path(tmp), url)
            made = bench_backend.make_fleet(url, tablets)
            count = make_reminders(url, made.beneficiary_ids, made.device_ids, per)
            escalated, total = run(url, workers, tmp, batched)
            counts = _count(url)
            emails_on_disk = len(list(Path(tmp).rglob("*.eml")))
    finally:
        bench_backend.drop_pg_database(url)
    exact = (
        counts["alerts"] == count
        and counts["emails"] == count
        and counts["emails_sent"] == count
        and counts["failed"] == 0
    )
    return {
        "reminders": count,
        "escalated_s": escalated,
        "total_s": total,
        "alerts": counts["alerts"],
        "emails": counts["emails_sent"],
        "emails_on_disk": emails_on_disk,
        "exactly_once": float(exact),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tablets", type=int, default=2000)
    parser.add_argument("--per-tablet", type=int, default=5)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    if not bench_backend.pg_available():
        print("PostgreSQL is not reachable on 127.0.0.1:5432: this benchmark needs it.")
        return 2
    load_before = _load()
    tenth = max(1, args.tablets // 10)
    single = fleet(tenth, args.per_tablet, 1, batched=False)
    base = fleet(tenth, args.per_tablet, 1)
    full = fleet(args.tablets, args.per_tablet, args.workers)
    single_rate = single["reminders"] / single["escalated_s"]
    base_rate = base["reminders"] / base["escalated_s"]
    full_rate = full["reminders"] / full["escalated_s"]
    runs = (
        ("one by one, 1 worker", single),
        ("batches, 1 worker", base),
        (f"fleet, {args.workers} workers", full),
    )
    print(f"load average (1, 5, 15 min) before: {load_before}, after: {_load()}")
    for name, result in runs:
        print(
            f"{name:>22}: {int(result['reminders']):>6} reminders escalated in "
            f"{result['escalated_s']:6.1f} s, e-mails done at {result['total_s']:6.1f} s; "
            f"{int(result['alerts'])} alerts, {int(result['emails'])} e-mails sent "
            f"({int(result['emails_on_disk'])} files); exactly once: "
            f"{'yes' if result['exactly_once'] else 'NO'}"
        )
    print(
        f"all {int(full['reminders'])} escalated in {full['escalated_s']:.1f} s "
        f"(target 60 s: {'met' if full['escalated_s'] <= 60 else 'NOT met'}); "
        f"throughput {full_rate:.0f}/s = {full_rate / base_rate:.2f}× one batched worker's; "
        f"batches {base_rate / single_rate:.1f}× one by one ({base_rate:.0f}/s vs "
        f"{single_rate:.0f}/s)"
    )
    return 0 if all(result["exactly_once"] for _, result in runs) else 1


def _load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


if __name__ == "__main__":
    sys.exit(main())
