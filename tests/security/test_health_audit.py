"""Health data audit: every read and change of a health message or well-being data is logged.

Each step below is one way health data is read or changed, through the API as the console and
the tablet use it; after each one the audit log must hold a new entry naming who (a person or
the tablet), what (action, entity, id, beneficiary) and when (the request's time).
Daily-space messages are not health data and must not flood the log.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import select

from backend import security
from backend.api.deps import utc_now
from backend.app import create_app
from backend.config import Settings
from backend.models import AuditEntry
from tests.api.circle_fixtures import CircleSetup, build_circle, care_manager_of
from tests.api.factories import API, device_headers, pair_device, session_of

NOW = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The circle has a dozen accounts; their password cost is asserted in test_secrets.py."""
    monkeypatch.setattr(
        security, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


@dataclass
class World:
    client: TestClient
    circle: CircleSetup
    tablet: dict[str, str]
    device_id: int
    clock: list[datetime]

    def entries_after(self, last_id: int) -> list[AuditEntry]:
        with session_of(self.client) as session:
            return list(session.scalars(select(AuditEntry).where(AuditEntry.id > last_id)).all())

    def last_id(self) -> int:
        with session_of(self.client) as session:
            return max(session.scalars(select(AuditEntry.id)).all(), default=0)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    clock = [NOW]
    app = create_app(Settings.for_data_dir(tmp_path, public_url="http://foyer.test"))
    app.dependency_overrides[utc_now] = lambda: clock[0]
    with TestClient(app) as client:
        circle = build_circle(client)
        token = pair_device(client, care_manager_of(circle.care_manager), circle.jeanne_id)
        yield World(
            client, circle, device_headers(token["access_token"]), token["device_id"], clock
        )


def _ok(response: Any) -> Any:
    assert response.status_code < 300, response.text
    return response.json() if response.content else None


def _expect(
    world: World,
    step: Callable[[], Any],
    *,
    action: str,
    entity: str,
    user_id: int | None = None,
    device_id: int | None = None,
    clocked: bool = True,
) -> Any:
    """Run `step`; the log must then hold its entry, at the request's time (`clocked`) or, for
    the sync (which reads the real clock), at the real time."""
    world.clock[0] += timedelta(minutes=1)
    started = datetime.now(UTC)
    before = world.last_id()
    result = step()
    entries = world.entries_after(before)
    matching = [
        e
        for e in entries
        if e.action == action
        and e.entity == entity
        and e.actor_user_id == user_id
        and e.actor_device_id == device_id
        and e.beneficiary_id == world.circle.jeanne_id
    ]
    assert matching, f"no audit entry {action} {entity} by {user_id or device_id}: {entries}"
    for entry in matching:
        at = entry.at if entry.at.tzinfo else entry.at.replace(tzinfo=UTC)
        if clocked:
            assert at == world.clock[0]
        else:
            assert started - timedelta(seconds=1) <= at <= datetime.now(UTC)
    return result


def test_every_health_message_access_is_audited(world: World) -> None:
    """Health messages written, listed, opened, marked read, receipts read, deleted, sent to
    and answered from the tablet: each leaves a who/what/when entry."""
    c, client = world.circle, world.client
    jeanne = c.jeanne_id
    nurse, cm = c.nurse, c.care_manager
    url = f"{API}/beneficiaries/{jeanne}/messages"
    body = {"space": "health", "body": "Tension à surveiller", "recipient_ids": [nurse.id]}
    created = _expect(
        world,
        lambda: _ok(client.post(url, json={**body, "to_beneficiary": True}, headers=cm.headers)),
        action="create",
        entity="message",
        user_id=cm.id,
    )
    mid = created["id"]
    for step in (
        lambda: _ok(client.get(url, params={"space": "health"}, headers=nurse.headers)),
        lambda: _ok(client.get(f"{API}/messages/{mid}", headers=nurse.headers)),
        lambda: _ok(client.post(f"{API}/messages/{mid}/read", headers=nurse.headers)),
        lambda: _ok(client.get(f"{API}/messages/{mid}/reads", headers=nurse.headers)),
    ):
        _expect(world, step, action="read", entity="message", user_id=nurse.id)

    # The tablet receives it by sync, reads it and answers it: all on the device's name.
    device = world.device_id
    _expect(
        world,
        lambda: _ok(client.get(f"{API}/device/sync", headers=world.tablet)),
        action="read",
        entity="message",
        device_id=device,
        clocked=False,
    )
    for n, (kind, data) in enumerate(
        [("read", {"message_id": mid}), ("reply", {"reply_to_id": mid, "body": "Merci"})]
    ):
        headers = {**world.tablet, "Idempotency-Key": f"audit-key-{n:04d}"}
        _expect(
            world,
            lambda kind=kind, data=data, headers=headers: _ok(
                client.post(
                    f"{API}/device/actions", json={"type": kind, "data": data}, headers=headers
                )
            ),
            action="read" if kind == "read" else "create",
            entity="message",
            device_id=device,
        )
    _expect(
        world,
        lambda: _ok(client.delete(f"{API}/messages/{mid}", headers=cm.headers)),
        action="delete",
        entity="message",
        user_id=cm.id,
    )


def test_daily_messages_are_not_health_data(world: World) -> None:
    """Daily-space messages (the whole circle reads them) leave no health audit entry."""
    client, cm = world.client, world.circle.care_manager
    url = f"{API}/beneficiaries/{world.circle.jeanne_id}/messages"
    before = world.last_id()
    _ok(client.post(url, json={"space": "daily", "body": "Plus de sacs"}, headers=cm.headers))
    _ok(client.get(url, headers=cm.headers))
    assert [e for e in world.entries_after(before) if e.entity == "message"] == []


def test_every_wellbeing_access_is_audited(world: World) -> None:
    """Mood check-in from the tablet, a nurse's reading, the series, the weekly summary, the
    alerts and their acknowledgement: each leaves a who/what/when entry."""
    c, client = world.circle, world.client
    base = f"{API}/beneficiaries/{c.jeanne_id}"
    for n, score in enumerate((5, 1, 1, 1)):
        mood = {"score": score, "tags": [], "recorded_at": world.clock[0].isoformat()}
        headers = {**world.tablet, "Idempotency-Key": f"mood-key-{n:04d}"}
        _expect(
            world,
            lambda mood=mood, headers=headers: _ok(
                client.post(
                    f"{API}/device/actions", json={"type": "mood", "data": mood}, headers=headers
                )
            ),
            action="create",
            entity="wellbeing",
            device_id=world.device_id,
        )
    nurse = c.nurse
    _expect(
        world,
        lambda: _ok(
            client.post(
                f"{base}/wellbeing/readings",
                json={"score": 2, "note": "Fatiguée"},
                headers=nurse.headers,
            )
        ),
        action="create",
        entity="wellbeing",
        user_id=nurse.id,
    )
    cm = c.care_manager
    for path in ("/wellbeing", "/wellbeing/weekly"):
        _expect(
            world,
            lambda path=path: _ok(client.get(base + path, headers=cm.headers)),
            action="read",
            entity="wellbeing",
            user_id=cm.id,
        )
    alerts = _expect(
        world,
        lambda: _ok(client.get(f"{base}/alerts", headers=cm.headers)),
        action="read",
        entity="alert",
        user_id=cm.id,
    )
    assert alerts, "three low moods after a good one raise an alert"
    _expect(
        world,
        lambda: _ok(client.post(f"{API}/alerts/{alerts[0]['id']}/acknowledge", headers=cm.headers)),
        action="update",
        entity="alert",
        user_id=cm.id,
    )
