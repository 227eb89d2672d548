"""Jeanne, her tablet and a controlled clock, for the tests of issue 16 (signs of life, the
tablet's health, the mood-sharing pause, family engagement): the tablet reports its status and
touches, answers "Je vais bien", and the jobs run at an explicit time."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlalchemy import select

from backend.models import Alert, Device, Job
from backend.services import jobs
from tests.api.conftest import Clock
from tests.api.factories import (
    API,
    CareManager,
    create_beneficiary,
    device_headers,
    pair_device,
    session_of,
    sync,
)

PARIS = ZoneInfo("Europe/Paris")
# Tests move the clock by weeks: tokens must outlive them.
TOKEN_TTL = 365 * 24 * 3600


def paris(*args: int) -> datetime:
    """An aware time in Paris: paris(2026, 12, 1, 8) is 8:00 there that day."""
    return datetime(*args, tzinfo=PARIS)  # type: ignore[arg-type,misc]


def iso(moment: datetime) -> str:
    return moment.isoformat()


@dataclass
class Home:
    client: TestClient
    cm: CareManager
    clock: Clock
    id: int
    credential: str
    device_id: int

    @classmethod
    def create(cls, client: TestClient, cm: CareManager, clock: Clock, **fields: Any) -> Home:
        beneficiary = create_beneficiary(client, cm, **fields)
        paired = pair_device(client, cm, beneficiary["id"])
        return cls(
            client, cm, clock, int(beneficiary["id"]), paired["access_token"], paired["device_id"]
        )

    @property
    def tablet(self) -> dict[str, str]:
        return device_headers(self.credential)

    def at(self, moment: datetime) -> None:
        self.clock.now = moment.astimezone(UTC)

    # --- the tablet -------------------------------------------------------------------------

    def report(self, **fields: Any) -> Any:
        body = {"app_version": "0.4.1", "outbox_pending": 0, **fields}
        return self.client.post(f"{API}/device/status", json=body, headers=self.tablet)

    def alive(self, **fields: Any) -> None:
        """A status report now (which also marks the tablet seen)."""
        response = self.report(**fields)
        assert response.status_code == 204, response.text

    def touches(self, *hours: tuple[datetime, int], **fields: Any) -> None:
        self.alive(touches=[{"hour": iso(h), "count": c} for h, c in hours], **fields)

    def action(self, kind: str, data: dict[str, Any], key: str | None = None) -> Any:
        return self.client.post(
            f"{API}/device/actions",
            json={"type": kind, "data": data},
            headers={**self.tablet, "Idempotency-Key": key or uuid.uuid4().hex},
        )

    def answer(self, at: datetime | None = None) -> Any:
        moment = at or self.clock.now
        return self.action("checkin_answer", {"answered_at": iso(moment), "answer": "ok"})

    def syncs(self, **params: Any) -> dict[str, Any]:
        response = sync(self.client, self.credential, **params)
        assert response.status_code == 200, response.text
        payload: dict[str, Any] = response.json()
        return payload

    def seen(self, moment: datetime | None) -> None:
        """The tablet as last seen at `moment` (None: never)."""
        with session_of(self.client) as session:
            device = session.get(Device, self.device_id)
            assert device is not None
            device.last_seen_at = moment.astimezone(UTC) if moment else None
            session.commit()

    # --- the care manager -------------------------------------------------------------------

    def rules(self, **fields: Any) -> dict[str, Any]:
        response = self.client.put(
            f"{API}/beneficiaries/{self.id}/signs-of-life", json=fields, headers=self.cm.headers
        )
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    def state(self) -> dict[str, Any]:
        response = self.client.get(
            f"{API}/beneficiaries/{self.id}/signs-of-life", headers=self.cm.headers
        )
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    # --- the backend's jobs -----------------------------------------------------------------

    @property
    def sessions(self) -> Any:
        return self.client.app.state.foyer.sessions  # type: ignore[attr-defined]

    def run_jobs(self) -> int:
        return jobs.run_due(self.sessions, "worker-1", self.clock.now)

    def pending(self, kind: str) -> list[tuple[datetime, dict[str, Any]]]:
        with session_of(self.client) as session:
            rows = session.execute(
                select(Job.run_at, Job.payload)
                .where(Job.kind == kind, Job.state == jobs.PENDING)
                .order_by(Job.run_at, Job.id)
            ).all()
            return [(run_at, json.loads(payload)) for run_at, payload in rows]

    def done(self, kind: str) -> int:
        with session_of(self.client) as session:
            return len(
                session.scalars(
                    select(Job.id).where(Job.kind == kind, Job.state == jobs.DONE)
                ).all()
            )

    def alerts(self, kind: str | None = None) -> list[Alert]:
        with session_of(self.client) as session:
            query = select(Alert).where(Alert.beneficiary_id == self.id)
            if kind is not None:
                query = query.where(Alert.kind == kind)
            rows = list(session.scalars(query.order_by(Alert.id)))
            session.expunge_all()
            return rows

    def later(self, **delta: float) -> None:
        self.clock.now += timedelta(**delta)
