"""The lean idle poll (one indexed query, past the framework) keeps every promise of the full
sync: a revoked tablet is refused at once, a change committed between the check and the
subscription is delivered, a newly registered kind wakes the poll, `last_seen_at` keeps its
resolution, and the answers carry the same headers as any other."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete

from backend.api.deps import LAST_SEEN_RESOLUTION
from backend.models import Change, Device
from backend.services import sync as sync_service
from backend.services.changes import record_change
from tests.api.conftest import Clock, MakeClient
from tests.api.factories import (
    API,
    CareManager,
    care_manager,
    create_beneficiary,
    pair_device,
    session_of,
    state_of,
    sync,
)
from tests.api.sync_helpers import Home, LongPoll, wait_for_long_poll


@pytest.fixture
def home(client: TestClient, cm: CareManager) -> Home:
    return Home(client, cm, first_name="Jeanne", last_name="Martin")


def test_a_revoked_tablet_is_refused_at_its_next_idle_poll(client: TestClient, home: Home) -> None:
    cursor = home.sync()["cursor"]
    assert sync(client, home.credential, cursor=cursor, wait=0).status_code == 200
    [device] = client.get(f"{API}/beneficiaries/{home.id}/devices", headers=home.cm.headers).json()

    revoked = client.post(f"{API}/devices/{device['id']}/revoke", headers=home.cm.headers)
    assert revoked.status_code == 200, revoked.text

    response = sync(client, home.credential, cursor=cursor, wait=0)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_a_held_poll_of_a_tablet_revoked_meanwhile_is_refused(
    client: TestClient, home: Home
) -> None:
    cursor = home.sync()["cursor"]
    [device] = client.get(f"{API}/beneficiaries/{home.id}/devices", headers=home.cm.headers).json()
    poll = LongPoll(client, home.credential, cursor, wait=20)
    poll.start()
    wait_for_long_poll(client)

    client.post(f"{API}/devices/{device['id']}/revoke", headers=home.cm.headers)
    poll.join(timeout=15)

    assert not poll.is_alive(), "the revocation did not end the held poll"
    assert poll.response.status_code == 401  # woken, read again: nothing more goes out


def test_a_change_committed_between_the_check_and_the_subscription_is_delivered(
    client: TestClient, home: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hub's publication counter, read before the check, catches the change committed
    after the check read the journal and before the poll subscribed."""
    event = home.add_event(title="Glissée entre deux")
    cursor = home.sync()["cursor"]
    checks = state_of(client).quick_checks
    check = checks.check

    async def check_then_write(*args: Any) -> Any:
        result = await check(*args)  # "nothing new" …
        with session_of(client) as session:  # … then a write commits before the subscription
            record_change(session, home.id, "event", event["id"], "upsert")
            session.commit()
        return result

    monkeypatch.setattr(checks, "check", check_then_write)
    payload = home.sync(cursor=cursor, wait=20)

    assert [e["id"] for e in payload["upserts"]["events"]] == [event["id"]]
    assert int(payload["cursor"]) > int(cursor)


def test_a_kind_registered_by_another_module_wakes_the_idle_poll(
    client: TestClient, home: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lean check knows no kind: whatever a module registers and journals is delivered."""

    def load_some(*_args: Any) -> list[dict[str, Any]]:
        return [{"id": 7, "note": "nouveau genre"}]

    kind = sync_service.SyncedKind("gadgets", "gadget", lambda *_: [], load_some)
    monkeypatch.setitem(sync_service._KINDS, kind.entity, kind)
    cursor = home.sync()["cursor"]
    poll = LongPoll(client, home.credential, cursor, wait=20)
    poll.start()
    wait_for_long_poll(client)

    with session_of(client) as session:
        record_change(session, home.id, "gadget", 7, "upsert")
        session.commit()
    payload = poll.result()

    assert payload["upserts"] == {"gadgets": [{"id": 7, "note": "nouveau genre"}]}


@pytest.fixture
def clocked(make_client: MakeClient) -> tuple[TestClient, Clock]:
    clock = Clock(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    return make_client(clock=clock, run_jobs=False), clock


def test_idle_polls_note_the_tablet_seen_once_per_resolution(
    clocked: tuple[TestClient, Clock],
) -> None:
    client, clock = clocked
    cm = care_manager(client)
    beneficiary_id = create_beneficiary(client, cm)["id"]
    paired = pair_device(client, cm, beneficiary_id)
    credential = paired["access_token"]

    def seen() -> datetime | None:
        with session_of(client) as session:
            device = session.get(Device, paired["device_id"])
            assert device is not None
            return device.last_seen_at

    cursor = sync(client, credential).json()["cursor"]
    first_seen = seen()
    assert first_seen == clock.now
    resolution = LAST_SEEN_RESOLUTION.total_seconds()

    clock.advance(resolution / 2)
    assert sync(client, credential, cursor=cursor, wait=0).status_code == 200
    assert seen() == first_seen  # within the resolution: no write
    clock.advance(resolution / 2)
    assert sync(client, credential, cursor=cursor, wait=0).status_code == 200
    assert seen() == clock.now  # a resolution after the last note: noted again


@pytest.mark.parametrize("query", ["cursor={c}&wait=0", "cursor={c}"])
def test_an_idle_answer_carries_the_headers_of_any_answer(
    client: TestClient, home: Home, query: str
) -> None:
    cursor = home.sync()["cursor"]
    headers = {"Authorization": f"Bearer {home.credential}"}

    response = client.get(f"{API}/device/sync?{query.format(c=cursor)}", headers=headers)

    assert response.status_code == 200
    assert response.json() == sync_service.empty_delta(int(cursor))
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert len(response.headers["x-request-id"]) >= 8


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("cursor={c}&wait=301", 422),  # past the route's bound
        ("cursor={c}&wait=-1", 422),
        ("cursor={c}&wait=abc", 422),
        ("cursor={c}&wait=1&extra=1", 200),  # an unknown parameter: the route ignores it
        ("cursor=99999999&wait=0", 410),
    ],
)
def test_polls_the_lean_path_does_not_take_get_the_routes_answers(
    client: TestClient, home: Home, query: str, status: int
) -> None:
    cursor = home.sync()["cursor"]
    lenient = TestClient(client.app, raise_server_exceptions=False)
    headers = {"Authorization": f"Bearer {home.credential}"}

    response = lenient.get(f"{API}/device/sync?{query.format(c=cursor)}", headers=headers)

    assert response.status_code == status, response.text
    if status == 422:
        assert isinstance(response.json()["detail"], str)


def test_a_cursor_a_restore_lost_starts_over_even_when_nothing_changed_since(
    client: TestClient, home: Home
) -> None:
    """After a restore (`foyer-backend restored`), a tablet whose cursor names a change the
    restore lost must sync whole (410) — also on the lean idle path, when nothing was written
    for its beneficiary since: the journal's newest change is past its cursor, its person's is
    not, which on its own reads "nothing new" and would keep what the restore removed."""
    first = int(home.sync()["cursor"])
    with session_of(client) as session:
        record_change(session, home.id, "event", 999, "upsert")  # the change the restore loses
        session.commit()
    lost = int(sync(client, home.credential, cursor=str(first), wait=0).json()["cursor"])
    assert lost > first
    with session_of(client) as session:  # the restore, then `foyer-backend restored`
        session.execute(delete(Change).where(Change.id == lost))
        start, end = sync_service.mark_restored(session)
        session.commit()
    assert start == first < lost < end
    other = create_beneficiary(client, home.cm)  # someone else's change after the restore
    with session_of(client) as session:
        record_change(session, other["id"], "event", 1, "upsert")
        session.commit()

    assert sync(client, home.credential, cursor=str(lost), wait=0).status_code == 410
    assert sync(client, home.credential, cursor=str(lost), wait=2).status_code == 410
    # A tablet that was up to date at the backup is not disturbed: nothing new for it.
    unchanged = sync(client, home.credential, cursor=str(first), wait=0)
    assert unchanged.status_code == 200 and unchanged.json()["cursor"] == str(first)
