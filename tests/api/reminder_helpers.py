"""A beneficiary with a paired tablet and reminders, on a controlled clock: what the reminders'
tests share (tests/api/test_reminders*.py, tests/api/test_reminder_*.py)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from backend.models import Alert, AlertRecipient, Change, Device, Job, ReminderOccurrence
from backend.services import jobs
from tests.api.conftest import Clock
from tests.api.factories import API, CareManager, create_beneficiary, pair_device, session_of, sync

PARIS = ZoneInfo("Europe/Paris")
# Long enough for tests that move the clock by weeks (the default is 12 hours).
TOKEN_TTL = 365 * 24 * 3600


def paris(*args: int) -> datetime:
    """An aware time in Paris: paris(2026, 12, 1, 8) is 8:00 there that day."""
    return datetime(*args, tzinfo=PARIS)  # type: ignore[misc]


def utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


@dataclass
class Home:
    """Jeanne (the beneficiary of `cm`), her tablet, and the clock everything runs on."""

    client: TestClient
    cm: CareManager
    clock: Clock
    id: int
    credential: str

    @classmethod
    def create(cls, client: TestClient, cm: CareManager, clock: Clock) -> Home:
        beneficiary = create_beneficiary(client, cm)
        credential = pair_device(client, cm, beneficiary["id"])["access_token"]
        return cls(client, cm, clock, int(beneficiary["id"]), credential)

    @property
    def url(self) -> str:
        return f"{API}/beneficiaries/{self.id}/reminders"

    def create_reminder(self, headers: dict[str, str] | None = None, **fields: Any) -> Any:
        body = {"title": "Médicaments du matin", "kind": "medication", **fields}
        return self.client.post(self.url, json=body, headers=headers or self.cm.headers)

    def reminder(self, **fields: Any) -> dict[str, Any]:
        response = self.create_reminder(**fields)
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    def at(self, moment: datetime) -> None:
        self.clock.now = moment.astimezone(UTC)

    def tablet_syncs(self, **params: Any) -> dict[str, Any]:
        """The tablet reaches the backend now (which marks it seen)."""
        response = sync(self.client, self.credential, **params)
        assert response.status_code == 200, response.text
        payload: dict[str, Any] = response.json()
        return payload

    def done(
        self,
        reminder_id: int,
        due: datetime,
        confirmed_at: datetime | None = None,
        key: str | None = None,
    ) -> Any:
        """The tablet's "C'est fait" (its outbox's POST)."""
        return self.client.post(
            f"{API}/device/actions",
            json={
                "type": "reminder_done",
                "data": {
                    "reminder_id": reminder_id,
                    "due_at": utc(due),
                    "confirmed_at": utc(confirmed_at or self.clock.now),
                },
            },
            headers={
                "Authorization": f"Bearer {self.credential}",
                "Idempotency-Key": key or uuid.uuid4().hex,
            },
        )

    def run_jobs(self, worker: str = "worker-1") -> int:
        """One worker runs every job due now (as the backend's jobs thread does); how many
        escalation checks it ran (the e-mails that alerts plan are jobs too)."""
        before = self.checks_done()
        jobs.run_due(self.sessions, worker, self.clock.now)
        return self.checks_done() - before

    def checks_done(self) -> int:
        with session_of(self.client) as session:
            return int(
                session.scalar(
                    select(func.count(Job.id)).where(
                        Job.kind == "reminder_check", Job.state == jobs.DONE
                    )
                )
                or 0
            )

    @property
    def sessions(self) -> Any:
        return self.client.app.state.foyer.sessions  # type: ignore[attr-defined]

    def forget_tablet(self) -> None:
        """The tablet as if it had never been seen (it is marked seen while paired)."""
        with session_of(self.client) as session:
            for device in session.scalars(select(Device).where(Device.beneficiary_id == self.id)):
                device.last_seen_at = None
            session.commit()

    def tablet_seen(self, moment: datetime) -> None:
        with session_of(self.client) as session:
            for device in session.scalars(select(Device).where(Device.beneficiary_id == self.id)):
                device.last_seen_at = moment.astimezone(UTC)
            session.commit()

    def outcome(self, reminder_id: int, due: datetime) -> str | None:
        with session_of(self.client) as session:
            state: str | None = session.scalar(
                select(ReminderOccurrence.state).where(
                    ReminderOccurrence.reminder_id == reminder_id,
                    ReminderOccurrence.due_at == due.astimezone(UTC),
                )
            )
            return state

    def alerts(self) -> list[dict[str, Any]]:
        with session_of(self.client) as session:
            rows = session.scalars(
                select(Alert).where(Alert.beneficiary_id == self.id).order_by(Alert.id)
            ).all()
            return [
                {
                    "id": a.id,
                    "kind": a.kind,
                    "message": a.message,
                    "state": a.state,
                    "critical": a.critical,
                    "dedupe_key": a.dedupe_key,
                    "close_note": a.close_note,
                    "recipients": sorted(
                        session.scalars(
                            select(AlertRecipient.user_id).where(AlertRecipient.alert_id == a.id)
                        )
                    ),
                }
                for a in rows
            ]

    def pending_checks(self) -> list[tuple[datetime, str]]:
        """(run_at, dedupe key) of the escalation checks still to run, soonest first."""
        with session_of(self.client) as session:
            rows = session.execute(
                select(Job.run_at, Job.dedupe_key)
                .where(Job.kind == "reminder_check", Job.state == jobs.PENDING)
                .order_by(Job.run_at, Job.id)
            ).all()
            return [(run_at, str(key)) for run_at, key in rows]

    def changes(self) -> int:
        with session_of(self.client) as session:
            return int(
                session.scalar(
                    select(func.count(Change.id)).where(
                        Change.beneficiary_id == self.id, Change.entity == "reminder"
                    )
                )
                or 0
            )

    def later(self, **delta: float) -> None:
        self.clock.now += timedelta(**delta)
