"""The tablet's local store and one sync step, against a scripted fake backend client."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest

from kiosk.client_errors import CursorExpired, Revoked, Unreachable
from kiosk.store import LocalStore
from kiosk.sync import Outcome, Syncer
from provisioning import credentials

JEANNE = {"id": 1, "first_name": "Jeanne", "last_name": "Martin", "timezone": "Europe/Paris"}


def event(event_id: int, title: str = "Soins", rrule: str | None = "FREQ=DAILY") -> dict[str, Any]:
    return {
        "id": event_id,
        "title": title,
        "kind": "visit",
        "who": "Claire, infirmière",
        "start_local": "2026-11-16T08:00:00",
        "timezone": "Europe/Paris",
        "duration_minutes": 30,
        "rrule": rrule,
        "exdates": [],
    }


def snapshot(cursor: str, *events: dict[str, Any]) -> dict[str, Any]:
    return {
        "cursor": cursor,
        "full": True,
        "beneficiary": JEANNE,
        "upserts": {"events": list(events)},
        "deletes": {"events": []},
    }


def delta(cursor: str, upserts: list[dict[str, Any]], deletes: list[int]) -> dict[str, Any]:
    return {
        "cursor": cursor,
        "full": False,
        "beneficiary": None,
        "upserts": {"events": upserts},
        "deletes": {"events": deletes},
    }


class ScriptedClient:
    """Answers each sync call with the next scripted answer (or raises it)."""

    def __init__(self, *answers: dict[str, Any] | Exception) -> None:
        self.answers = list(answers)
        self.calls: list[tuple[str | None, float]] = []

    def sync(self, cursor: str | None, wait: float) -> dict[str, Any]:
        self.calls.append((cursor, wait))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def make(
    tmp_path: Path, *answers: dict[str, Any] | Exception
) -> tuple[Syncer, ScriptedClient, LocalStore]:
    client = ScriptedClient(*answers)
    store = LocalStore(tmp_path)
    return Syncer(client, store), client, store  # type: ignore[arg-type]


def test_snapshot_then_delta_with_deletion(tmp_path: Path) -> None:
    syncer, client, _ = make(
        tmp_path,
        snapshot("5", event(1), event(2, "Aide")),
        delta("7", [event(2, "Aide à domicile"), event(3, "Médecin", None)], [1]),
    )
    first = syncer.run_once(wait=25)
    assert first.outcome is Outcome.CHANGED
    assert first.state is not None and first.state.beneficiary is not None
    assert first.state.beneficiary.first_name == "Jeanne"
    assert client.calls[0] == (None, 25)
    second = syncer.run_once(wait=25)
    assert client.calls[1] == ("5", 25)
    assert second.state is not None
    assert [(e.id, e.title) for e in second.state.events] == [
        (2, "Aide à domicile"),
        (3, "Médecin"),
    ]
    assert second.state.cursor == "7"


def test_the_store_survives_a_restart(tmp_path: Path) -> None:
    syncer, _, _ = make(tmp_path, snapshot("3", event(1)))
    syncer.run_once()
    reopened = LocalStore(tmp_path).load()
    assert reopened.cursor == "3"
    assert [e.title for e in reopened.events] == ["Soins"]


def test_unchanged_keeps_state(tmp_path: Path) -> None:
    syncer, _, store = make(tmp_path, snapshot("3", event(1)), delta("3", [], []))
    syncer.run_once()
    assert syncer.run_once().outcome is Outcome.UNCHANGED
    assert store.cursor() == "3"


def test_unreachable_changes_nothing(tmp_path: Path) -> None:
    syncer, _, store = make(tmp_path, snapshot("3", event(1)), Unreachable("connection refused"))
    syncer.run_once()
    result = syncer.run_once()
    assert result.outcome is Outcome.UNREACHABLE
    assert "refused" in result.reason
    assert [e.id for e in store.load().events] == [1]


def test_expired_cursor_triggers_a_full_sync(tmp_path: Path) -> None:
    syncer, client, store = make(
        tmp_path, snapshot("9", event(1)), CursorExpired(), snapshot("2", event(5))
    )
    syncer.run_once()
    result = syncer.run_once()
    assert client.calls[-1] == (None, 0)
    assert result.outcome is Outcome.CHANGED
    assert [e.id for e in store.load().events] == [5]
    assert store.cursor() == "2"


def test_revoked_wipes_local_data(tmp_path: Path) -> None:
    syncer, _, store = make(tmp_path, snapshot("3", event(1)), Revoked())
    syncer.run_once()
    assert syncer.run_once().outcome is Outcome.REVOKED
    state = store.load()
    assert state.events == () and state.beneficiary is None and state.cursor is None


def test_a_malformed_answer_is_refused_whole(tmp_path: Path) -> None:
    broken = delta("8", [event(2), {"id": 3, "title": "no start"}], [1])
    syncer, _, store = make(tmp_path, snapshot("3", event(1)), broken)
    syncer.run_once()
    assert syncer.run_once().outcome is Outcome.UNREACHABLE
    # Nothing of the bad answer was applied: event 1 is still there, the cursor did not move.
    assert [e.id for e in store.load().events] == [1]
    assert store.cursor() == "3"


def test_credential_file_is_private_and_atomic(tmp_path: Path) -> None:
    cred = credentials.DeviceCredential("http://127.0.0.1:8000", 4, 1, "fyd_secret")
    credentials.save(tmp_path, cred)
    path = credentials.credential_path(tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert credentials.load(tmp_path) == cred
    assert not list(tmp_path.glob("*.tmp"))
    credentials.save(tmp_path, cred)  # overwriting works and stays private
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    credentials.erase(tmp_path)
    assert credentials.load(tmp_path) is None


@pytest.mark.parametrize("content", ["", "{", '{"backend_url": "x"}', "[]"])
def test_a_damaged_credential_file_means_unpaired(tmp_path: Path, content: str) -> None:
    credentials.credential_path(tmp_path).write_text(content)
    assert credentials.load(tmp_path) is None


def test_every_synced_kind_is_kept_and_a_snapshot_replaces_each(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    first = snapshot("3", event(1))
    first["upserts"]["messages"] = [{"id": 1, "body": "Je passe jeudi"}, {"id": 2, "body": "x"}]
    store.apply(first)
    store.apply(
        {
            "cursor": "4",
            "full": False,
            "beneficiary": None,
            "upserts": {"messages": [{"id": 3, "body": "Bonne nuit"}]},
            "deletes": {"messages": [2]},
        }
    )
    state = store.load()
    assert [m["body"] for m in state.of("messages")] == ["Je passe jeudi", "Bonne nuit"]
    assert [e.id for e in state.events] == [1]  # a delta without events leaves them alone
    again = snapshot("9", event(5))
    again["upserts"]["messages"] = []
    store.apply(again)
    assert store.load().of("messages") == ()
    assert [e.id for e in store.load().events] == [5]


def test_a_store_of_the_first_layout_starts_over_with_a_full_sync(tmp_path: Path) -> None:
    import sqlite3

    with sqlite3.connect(tmp_path / "store.sqlite3") as conn:
        conn.executescript(
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
            "CREATE TABLE events (id INTEGER PRIMARY KEY, payload TEXT NOT NULL);"
            "INSERT INTO meta VALUES ('cursor', '12');"
        )
    store = LocalStore(tmp_path)
    assert store.cursor() is None  # the next sync asks for a snapshot
    store.apply(snapshot("13", event(1)))
    assert [e.id for e in store.load().events] == [1]
