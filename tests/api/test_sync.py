"""The device sync: full snapshot, deltas by cursor, and long-polls woken by writes."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import MakeClient
from tests.api.factories import (
    API,
    CareManager,
    care_manager,
    state_of,
    sync,
)
from tests.api.sync_helpers import Home, LongPoll, wait_for_long_poll


@pytest.fixture
def home(client: TestClient, cm: CareManager) -> Home:
    return Home(client, cm, first_name="Jeanne", last_name="Martin", place_name="Lyon")


def test_first_sync_is_a_full_snapshot(client: TestClient, cm: CareManager, home: Home) -> None:
    weekly = home.add_event(
        title="Aide à domicile",
        who="Sophie",
        start="2026-11-23T09:00:00",
        duration_minutes=45,
        rrule="FREQ=WEEKLY;BYDAY=MO",
        exdates=["2026-11-30T09:00:00"],
    )
    once = home.add_event(title="Dentiste", kind="appointment", start="2026-11-25T14:30:00Z")
    neighbour = Home(client, cm, first_name="Marcel")
    neighbour.add_event(title="Pas chez Jeanne")

    payload = home.sync()

    assert payload["full"] is True
    assert payload["cursor"].isdigit()
    assert payload["beneficiary"] == {
        "id": home.id,
        "first_name": "Jeanne",
        "last_name": "Martin",
        "timezone": "Europe/Paris",
        "place_name": "Lyon",
        "latitude": None,
        "longitude": None,
    }
    # A snapshot names every synced kind (messages, photos… are empty here; the configuration
    # is the one written at pairing: defaults and the tablet's own maintenance PIN; the circle
    # holds at least the care manager, and the signs-of-life rules are always one record).
    always = ("events", "config", "circle", "sign_of_life")
    assert not any(items for kind, items in payload["upserts"].items() if kind not in always)
    assert [p["role"] for p in payload["upserts"]["circle"]] == ["care_manager"]
    assert [r["checkin_enabled"] for r in payload["upserts"]["sign_of_life"]] == [False]
    assert [c["version"] for c in payload["upserts"]["config"]] == [1]
    assert payload["upserts"]["events"] == [
        {
            "id": weekly["id"],
            "title": "Aide à domicile",
            "kind": "visit",
            "who": "Sophie",
            "start_local": "2026-11-23T09:00:00",
            "timezone": "Europe/Paris",
            "duration_minutes": 45,
            "rrule": "FREQ=WEEKLY;BYDAY=MO",
            "exdates": ["2026-11-30T09:00:00"],
        },
        {
            "id": once["id"],
            "title": "Dentiste",
            "kind": "appointment",
            "who": "",
            "start_local": "2026-11-25T15:30:00",  # wall-clock time in Paris
            "timezone": "Europe/Paris",
            "duration_minutes": 30,
            "rrule": None,
            "exdates": [],
        },
    ]
    assert set(payload["deletes"]) == set(payload["upserts"])
    assert not any(payload["deletes"].values())


def test_delta_has_exactly_the_changes_since_the_cursor(client: TestClient, home: Home) -> None:
    kept = home.add_event(title="Inchangé")
    updated = home.add_event(title="Avant")
    deleted = home.add_event(title="Supprimé")
    cursor = home.sync()["cursor"]

    created = home.add_event(title="Nouveau", start="2026-12-01T10:00:00")
    patched = client.patch(
        f"{API}/events/{updated['id']}", json={"title": "Après"}, headers=home.cm.headers
    )
    assert patched.status_code == 200
    assert (
        client.delete(f"{API}/events/{deleted['id']}", headers=home.cm.headers).status_code == 204
    )
    # Created and deleted between two syncs: only the deletion matters to the tablet.
    ephemeral = home.add_event(title="Éphémère")
    client.delete(f"{API}/events/{ephemeral['id']}", headers=home.cm.headers)

    delta = home.sync(cursor=cursor)

    assert delta["full"] is False
    assert delta["beneficiary"] is None
    assert int(delta["cursor"]) > int(cursor)
    upserted = {e["id"]: e for e in delta["upserts"]["events"]}
    assert sorted(upserted) == sorted([updated["id"], created["id"]])
    assert upserted[updated["id"]]["title"] == "Après"
    assert upserted[created["id"]]["start_local"] == "2026-12-01T10:00:00"
    assert kept["id"] not in upserted
    assert delta["deletes"] == {"events": sorted([deleted["id"], ephemeral["id"]])}

    # Applying that delta leaves the tablet up to date: the next one is empty.
    again = home.sync(cursor=delta["cursor"])
    assert again["cursor"] == delta["cursor"]
    assert again["upserts"] == {}  # an empty delta names no kind
    assert again["deletes"] == {}


def test_unchanged_state_costs_a_few_bytes_and_keeps_the_cursor(
    client: TestClient, home: Home
) -> None:
    home.add_event()
    cursor = home.sync()["cursor"]
    # Changes in another home do not concern this tablet.
    Home(client, home.cm, first_name="Marcel").add_event()

    response = sync(client, home.credential, cursor=cursor)

    assert response.status_code == 200
    assert len(response.content) < 300
    assert response.json() == {
        "cursor": cursor,
        "full": False,
        "beneficiary": None,
        "upserts": {},
        "deletes": {},
    }


def test_cursor_from_the_future_is_410(client: TestClient, home: Home) -> None:
    cursor = int(home.sync()["cursor"])

    response = sync(client, home.credential, cursor=str(cursor + 1000))

    assert response.status_code == 410
    assert "resynchronisation complète" in response.json()["detail"]
    # What the tablet then does: sync again without a cursor.
    assert home.sync()["full"] is True


@pytest.mark.parametrize(
    "cursor",
    [
        "abc",
        "-1",
        "1.5",
        " 1",
        "9" * 19,
        "1" * 21,
        "²",
        "1①",
    ],
    ids=["letters", "neg", "dec", "space", "19", "21", "superscript", "circled"],
)
def test_garbage_cursor_is_422_with_a_message(client: TestClient, home: Home, cursor: str) -> None:
    lenient = TestClient(client.app, raise_server_exceptions=False)

    response = sync(lenient, home.credential, cursor=cursor)

    assert response.status_code == 422
    detail = response.json()["detail"]
    assert isinstance(detail, str)
    assert "urseur" in detail or "cursor" in detail


# --- long-poll --------------------------------------------------------------------------------


def test_long_poll_answers_soon_after_a_change(client: TestClient, home: Home) -> None:
    cursor = home.sync()["cursor"]
    poll = LongPoll(client, home.credential, cursor, wait=10)
    poll.start()
    wait_for_long_poll(client)  # it is really waiting, not answering from its first read
    time.sleep(0.2)

    written_at = time.monotonic()
    event = home.add_event(title="Visite ajoutée")
    payload = poll.result()

    assert [e["id"] for e in payload["upserts"]["events"]] == [event["id"]]
    assert int(payload["cursor"]) > int(cursor)
    assert poll.finished_at - written_at < 5, "woken by the change, not by the end of the wait"
    assert state_of(client).hub.waiting_count() == 0


def test_long_poll_waits_at_most_the_server_cap_when_nothing_changes(
    make_client: MakeClient,
) -> None:
    client = make_client(max_sync_wait_seconds=1.0)
    cm = care_manager(client)
    home, elsewhere = Home(client, cm), Home(client, cm, first_name="Marcel")
    cursor = home.sync()["cursor"]

    started = time.monotonic()
    poll = LongPoll(client, home.credential, cursor, wait=60)
    poll.start()
    wait_for_long_poll(client)
    elsewhere.add_event()  # another home's change does not answer this tablet
    payload = poll.result()
    elapsed = poll.finished_at - started

    assert payload["cursor"] == cursor
    assert payload["upserts"] == {}
    assert 0.9 <= elapsed < 10


def test_long_poll_without_a_cursor_answers_at_once(client: TestClient, home: Home) -> None:
    started = time.monotonic()
    payload = home.sync(wait=30)

    assert payload["full"] is True
    assert time.monotonic() - started < 5


def test_long_poll_is_woken_by_a_write_through_another_worker(
    make_client: MakeClient, is_postgres: bool
) -> None:
    if not is_postgres:
        pytest.skip("one SQLite process wakes its long-polls in-process; workers need PostgreSQL")
    worker_a = make_client()
    worker_b = make_client()
    listener = worker_a.app.state.pg_listener  # type: ignore[attr-defined]
    assert listener.ready.wait(10), "worker A never started LISTENing"
    cm = care_manager(worker_b)
    home_on_b = Home(worker_b, cm)
    cursor = home_on_b.sync()["cursor"]

    poll = LongPoll(worker_a, home_on_b.credential, cursor, wait=10)
    poll.start()
    wait_for_long_poll(worker_a)
    time.sleep(0.2)
    written_at = time.monotonic()
    event = home_on_b.add_event(title="Écrit par B")
    payload = poll.result()

    assert [e["id"] for e in payload["upserts"]["events"]] == [event["id"]]
    assert poll.finished_at - written_at < 5, "worker A was not woken by NOTIFY"
    # Worker B had nobody waiting: the wake-up can only have come through PostgreSQL.
    assert state_of(worker_b).hub.waiting_count() == 0
