"""Remote configuration and status of tablets, on SQLite and PostgreSQL: validation, versions,
the hidden PIN, delivery by sync (long-poll woken by a PUT), and the tablet's status report."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient

from common import tablet_config as schema
from tests.api.factories import (
    API,
    CareManager,
    all_cells,
    care_manager,
    device_headers,
    pair_device,
)
from tests.api.sync_helpers import Home, LongPoll, wait_for_long_poll


def _tablet(client: TestClient) -> tuple[CareManager, Home, int]:
    cm = care_manager(client)
    home = Home(client, cm)
    device_id = client.get(f"{API}/beneficiaries/{home.id}/devices", headers=cm.headers).json()[0][
        "id"
    ]
    return cm, home, int(device_id)


def _put(client: TestClient, cm: CareManager, device_id: int, body: dict[str, Any]) -> Any:
    return client.put(f"{API}/devices/{device_id}/config", json=body, headers=cm.headers)


def test_a_new_tablet_has_every_default_and_its_own_pin_at_version_1(client: TestClient) -> None:
    cm, _home, device_id = _tablet(client)
    response = client.get(f"{API}/devices/{device_id}/config", headers=cm.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    # Version 1 is written at pairing: the defaults and the PIN drawn at approval.
    assert body["version"] == 1
    assert response.headers["ETag"] == '"1"'
    defaults = schema.defaults()
    del defaults["maintenance_pin"]
    assert body["document"] == defaults
    assert body["maintenance_pin_set"] is True


def test_put_stores_a_new_version_and_refuses_a_stale_one(client: TestClient) -> None:
    cm, _home, device_id = _tablet(client)
    first = _put(client, cm, device_id, {"document": {"font_scale": 1.3}, "expected_version": 1})
    assert first.status_code == 200, first.text
    assert first.json()["version"] == 2
    assert first.json()["document"]["font_scale"] == 1.3
    assert first.json()["updated_by_id"] == cm.id

    second = client.put(
        f"{API}/devices/{device_id}/config",
        json={"document": {"modules": ["mood", "agenda"]}},
        headers={**cm.headers, "If-Match": '"2"'},
    )
    assert second.status_code == 200, second.text
    assert second.json()["version"] == 3
    # A whole document each time: what was left out is back to its default.
    assert second.json()["document"]["font_scale"] == 1.0

    stale = _put(client, cm, device_id, {"document": {}, "expected_version": 2})
    assert stale.status_code == 409
    assert "version 3" in stale.json()["detail"]
    bad_header = client.put(
        f"{API}/devices/{device_id}/config",
        json={"document": {}},
        headers={**cm.headers, "If-Match": "n'importe quoi"},
    )
    assert bad_header.status_code == 422
    now = client.get(f"{API}/devices/{device_id}/config", headers=cm.headers).json()
    assert now["version"] == 3 and now["document"]["modules"] == ["mood", "agenda"]


def test_an_invalid_document_is_refused_and_the_last_good_one_kept(client: TestClient) -> None:
    cm, _home, device_id = _tablet(client)
    assert _put(client, cm, device_id, {"document": {"language": "en"}}).status_code == 200
    refused = _put(
        client,
        cm,
        device_id,
        {"document": {"font_scale": 3, "night_start": "minuit", "couleur": "rose"}},
    )
    assert refused.status_code == 422
    detail = refused.json()["detail"]
    assert "Taille du texte : doit être compris entre 0,8 et 1,3." in detail
    assert "Début du mode nuit : doit être une heure" in detail and "HH:MM" in detail
    assert "Clé inconnue : couleur." in detail
    kept = client.get(f"{API}/devices/{device_id}/config", headers=cm.headers).json()
    assert kept["version"] == 2 and kept["document"]["language"] == "en"
    assert _put(client, cm, device_id, {"document": []}).status_code == 422


def test_the_pin_is_hashed_never_shown_and_kept_when_left_out(client: TestClient) -> None:
    cm, home, device_id = _tablet(client)
    response = _put(client, cm, device_id, {"document": {"maintenance_pin": "918273"}})
    assert response.status_code == 200, response.text
    assert "maintenance_pin" not in response.json()["document"]
    assert response.json()["maintenance_pin_set"] is True
    assert not any("918273" in cell for cell in all_cells(client))
    # Another change without the PIN keeps it.
    assert _put(client, cm, device_id, {"document": {"font_scale": 1.1}}).status_code == 200
    delivered = home.sync()["upserts"]["config"][0]["document"]
    assert schema.verify_pin("918273", delivered["maintenance_pin"])
    # Cleared on request; a PIN that is not 4 to 8 digits is refused.
    cleared = _put(client, cm, device_id, {"document": {"maintenance_pin": None}})
    assert cleared.json()["maintenance_pin_set"] is False
    short = _put(client, cm, device_id, {"document": {"maintenance_pin": "12"}})
    assert short.status_code == 422 and "4 à 8 chiffres" in short.json()["detail"]


def test_a_put_reaches_the_tablet_by_long_poll(client: TestClient) -> None:
    cm, home, device_id = _tablet(client)
    snapshot = home.sync()
    # Configured at pairing: the defaults and its own maintenance PIN.
    [first] = snapshot["upserts"]["config"]
    assert first["version"] == 1 and first["document"]["maintenance_pin"] is not None
    poll = LongPoll(client, home.credential, snapshot["cursor"], wait=10)
    poll.start()
    wait_for_long_poll(client)
    written_at = time.monotonic()
    assert _put(client, cm, device_id, {"document": {"modules": ["agenda"]}}).status_code == 200
    payload = poll.result()
    assert poll.finished_at - written_at < 1.0
    [record] = payload["upserts"]["config"]
    assert record["id"] == device_id and record["version"] == 2
    assert record["document"]["modules"] == ["agenda"]
    assert record["document"]["night_end"] == "07:00"  # complete, defaults filled in


def test_a_tablet_never_receives_another_tablets_config(client: TestClient) -> None:
    cm, home, device_id = _tablet(client)
    other = pair_device(client, cm, home.id)
    cursor = home.sync()["cursor"]
    response = _put(client, cm, int(other["device_id"]), {"document": {"language": "en"}})
    assert response.status_code == 200
    delta = home.sync(cursor=cursor)
    assert delta["upserts"]["config"] == []
    assert delta["deletes"]["config"] == [int(other["device_id"])]  # an id it never held
    mine = client.get(f"{API}/devices/{device_id}/config", headers=cm.headers).json()
    assert mine["document"]["language"] == "fr"


def test_someone_elses_tablet_does_not_exist(client: TestClient) -> None:
    _cm, _home, device_id = _tablet(client)
    stranger = care_manager(client)
    url = f"{API}/devices/{device_id}/config"
    for response in (
        client.get(url, headers=stranger.headers),
        client.put(url, json={"document": {}}, headers=stranger.headers),
    ):
        assert response.status_code == 404
        assert response.json()["detail"] == "Tablette introuvable."
    assert client.get(f"{API}/devices/999999/status", headers=stranger.headers).status_code == 404


def test_the_tablet_reports_its_status(client: TestClient) -> None:
    cm, home, device_id = _tablet(client)
    empty = client.get(f"{API}/devices/{device_id}/status", headers=cm.headers).json()
    assert empty["reported_at"] is None and empty["app_version"] is None
    report = {
        "app_version": "0.1.0",
        "free_disk_bytes": 12_345_678_901,
        "last_error": "sync:\nHTTP 502 <b>",
        "outbox_pending": 3,
        "config_version": 2,
    }
    response = client.post(
        f"{API}/device/status", json=report, headers=device_headers(home.credential)
    )
    assert response.status_code == 204, response.text
    shown = client.get(f"{API}/devices/{device_id}/status", headers=cm.headers).json()
    assert shown["app_version"] == "0.1.0"
    assert shown["free_disk_bytes"] == 12_345_678_901
    assert shown["last_error"] == "sync: HTTP 502 <b>"  # one line, kept literally
    assert shown["outbox_pending"] == 3 and shown["config_version"] == 2
    assert shown["reported_at"] is not None and shown["last_seen_at"] is not None
    bad = client.post(
        f"{API}/device/status",
        json={**report, "outbox_pending": -1},
        headers=device_headers(home.credential),
    )
    assert bad.status_code == 422
    assert client.post(f"{API}/device/status", json=report).status_code == 401


def test_a_first_report_may_say_when_the_configuration_was_applied(client: TestClient) -> None:
    """A newly paired tablet's first report already carries the version that came with pairing
    and when it applied it (the row for its status does not exist yet)."""
    cm, home, device_id = _tablet(client)
    saved = client.get(f"{API}/devices/{device_id}/config", headers=cm.headers).json()
    applied_at = datetime.now(UTC).isoformat()
    report = {
        "app_version": "0.1.0",
        "outbox_pending": 0,
        "config_version": saved["version"],
        "config_applied_at": applied_at,
    }
    response = client.post(
        f"{API}/device/status", json=report, headers=device_headers(home.credential)
    )
    assert response.status_code == 204, response.text
    shown = client.get(f"{API}/devices/{device_id}/status", headers=cm.headers).json()
    assert shown["config_version"] == saved["version"]
    assert shown["config_applied_at"] is not None
