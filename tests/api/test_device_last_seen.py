"""A tablet's sync notes when it was last seen on the application's clock (the `utc_now`
dependency), not the real one: with a fixed clock, a test drives "tablet offline" through real
syncs (the offline alert, the "confirmation inconnue" of reminders)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from backend.models import Alert, Device
from backend.services import devices_offline
from tests.api.conftest import Clock, MakeClient
from tests.api.factories import CareManager, pair_device, session_of, sync

# Far from the real date: a stamp from the real clock cannot pass for it.
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def app(make_client: MakeClient, clock: Clock) -> TestClient:
    return make_client(clock=clock, run_jobs=False, access_token_ttl_seconds=365 * 24 * 3600)


def last_seen(client: TestClient, device_id: int) -> datetime | None:
    with session_of(client) as session:
        device = session.get(Device, device_id)
        assert device is not None
        return device.last_seen_at


def test_a_sync_and_a_long_poll_note_the_tablet_seen_on_the_applications_clock(
    app: TestClient, cm: CareManager, beneficiary_id: int, clock: Clock
) -> None:
    paired = pair_device(app, cm, beneficiary_id)
    credential, device_id = paired["access_token"], paired["device_id"]
    clock.advance(3600)
    first = sync(app, credential)
    assert first.status_code == 200, first.text
    assert last_seen(app, device_id) == clock.now

    clock.advance(120)
    polled = sync(app, credential, cursor=first.json()["cursor"], wait=0.2)  # nothing new
    assert polled.status_code == 200, polled.text
    assert last_seen(app, device_id) == clock.now


def test_a_fixed_clock_drives_a_tablet_offline_then_back_through_its_syncs(
    app: TestClient, cm: CareManager, beneficiary_id: int, clock: Clock
) -> None:
    paired = pair_device(app, cm, beneficiary_id)
    credential = paired["access_token"]
    assert sync(app, credential).status_code == 200  # seen at 8:00 UTC (9:00 in Paris)

    def check() -> list[Alert]:
        with session_of(app) as session:
            devices_offline.check(session, clock.now)
            session.commit()
            return list(session.scalars(select(Alert).where(Alert.kind == "tablet_offline")))

    clock.advance(5 * 3600)
    assert check() == []
    clock.advance(3600 + 300)  # past six hours without a sync
    [alert] = check()
    assert alert.message == "La tablette de Jeanne Martin est hors ligne depuis 9\u00a0h"
    assert alert.acknowledged_at is None

    clock.advance(600)
    assert sync(app, credential).status_code == 200  # back
    clock.advance(timedelta(minutes=5).total_seconds())
    [closed] = check()
    assert closed.acknowledged_at == clock.now
    assert closed.close_note == "La tablette est de nouveau en ligne (15\u00a0h\u00a015)."
