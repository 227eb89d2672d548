"""The text rule (common/text.py) at the API, on SQLite and PostgreSQL: a control character or a
lone surrogate in any text is a 422 whose French message names the field, and nothing is
stored; line breaks and tabs pass where text is multi-line; a database error is never a 500.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import DataError, IntegrityError

from backend.app import create_app
from backend.config import Settings
from backend.services import agenda, dashboard
from tests.api.circle_fixtures import build_circle, care_manager_of
from tests.api.factories import (
    API,
    CareManager,
    care_manager,
    create_beneficiary,
    create_event,
    device_headers,
    pair_device,
)


def send_json(client: TestClient, method: str, url: str, body: Any, headers: dict[str, str]) -> Any:
    """As a hostile client may: a lone surrogate travels as the JSON escape "\\ud800"."""
    return client.request(
        method,
        url,
        content=json.dumps(body),
        headers={**headers, "Content-Type": "application/json"},
    )


def assert_refused(response: Any, field: str, reason: str) -> None:
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert detail.startswith("Données invalides — "), detail
    assert f"{field}: {reason}" in detail, detail


def beneficiaries(client: TestClient, cm: CareManager) -> list[dict[str, Any]]:
    response = client.get(f"{API}/beneficiaries", headers=cm.headers)
    assert response.status_code == 200, response.text
    result: list[dict[str, Any]] = response.json()
    return result


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("Jea\x00nne", "contient un caractère de contrôle (U+0000)"),
        ("Jeanne\x1b[31m", "contient un caractère de contrôle (U+001B)"),
        ("Jea\x85nne", "contient un caractère de contrôle (U+0085)"),
        ("Jeanne\tMarie", "doit tenir sur une ligne : ni retour à la ligne ni tabulation (U+0009)"),
        ("Jea\nnne", "doit tenir sur une ligne : ni retour à la ligne ni tabulation (U+000A)"),
        ("Jea\ud800nne", "contient un caractère invalide (demi-paire de substitution)"),
    ],
    ids=["nul", "escape", "c1", "tab", "line-feed", "lone-surrogate"],
)
def test_a_first_name_with_a_control_character_is_refused_and_not_stored(
    client: TestClient, value: str, reason: str
) -> None:
    cm = care_manager(client)
    before = beneficiaries(client, cm)

    response = send_json(
        client,
        "POST",
        f"{API}/beneficiaries",
        {"first_name": value, "last_name": "Martin"},
        cm.headers,
    )

    assert_refused(response, "first_name", reason)
    errors = response.json()["errors"]
    assert [e["loc"] for e in errors] == [["body", "first_name"]]
    assert beneficiaries(client, cm) == before


@pytest.mark.parametrize("field", ["title", "who", "instructions"])
def test_an_event_with_nul_in_its_title_who_or_instructions_is_refused(
    client: TestClient, field: str
) -> None:
    cm = care_manager(client)
    jeanne = create_beneficiary(client, cm)
    body = {"title": "Kiné", "start": "2026-11-23T09:00:00", "duration_minutes": 30}

    response = client.post(
        f"{API}/beneficiaries/{jeanne['id']}/events",
        json={**body, field: "avant\x00après"},
        headers=cm.headers,
    )

    assert_refused(response, field, "contient un caractère de contrôle (U+0000)")
    listed = client.get(f"{API}/beneficiaries/{jeanne['id']}/events", headers=cm.headers)
    assert listed.json() == []


def test_an_event_update_with_nul_changes_nothing(client: TestClient) -> None:
    cm = care_manager(client)
    jeanne = create_beneficiary(client, cm)
    event = create_event(client, cm, jeanne["id"], who="Claire")

    response = client.patch(
        f"{API}/events/{event['id']}", json={"who": "Cla\x00ire"}, headers=cm.headers
    )

    assert_refused(response, "who", "contient un caractère de contrôle (U+0000)")
    again = client.get(f"{API}/events/{event['id']}", headers=cm.headers)
    assert again.json()["who"] == "Claire"


def test_names_of_invitations_people_and_organisations_refuse_nul(client: TestClient) -> None:
    c = build_circle(client)
    cm = c.care_manager
    nul = "Avant\x00après"

    invitation = client.post(
        f"{API}/beneficiaries/{c.jeanne_id}/invitations",
        json={"email": "paul@famille.test", "name": nul, "relation": "family"},
        headers=cm.headers,
    )
    own_name = client.patch(f"{API}/me", json={"name": nul}, headers=c.daughter.headers)
    organisation = client.post(
        f"{API}/organisations", json={"name": nul, "kind": "association"}, headers=cm.headers
    )
    place = client.post(
        f"{API}/beneficiaries",
        json={"first_name": "Paul", "last_name": "Roux", "place_name": nul},
        headers=cm.headers,
    )

    for response, field in [
        (invitation, "name"),
        (own_name, "name"),
        (organisation, "name"),
        (place, "place_name"),
    ]:
        assert_refused(response, field, "contient un caractère de contrôle (U+0000)")
    invitations = client.get(
        f"{API}/beneficiaries/{c.jeanne_id}/invitations", headers=cm.headers
    ).json()
    assert "paul@famille.test" not in [i["email"] for i in invitations]
    me = client.get(f"{API}/me", headers=c.daughter.headers).json()
    assert me["name"] == "Sophie Martin"
    organisations = client.get(f"{API}/organisations", headers=cm.headers).json()
    assert nul not in [o["name"] for o in organisations]
    assert "Paul" not in [b["first_name"] for b in beneficiaries(client, care_manager_of(cm))]


def test_multi_line_text_keeps_its_line_breaks_and_tabs_and_the_rest_of_unicode(
    client: TestClient,
) -> None:
    cm = care_manager(client)
    jeanne = create_beneficiary(client, cm, place_name="Saint-Étienne \u200f👩‍👩‍👧")
    instructions = "Sonner deux fois.\r\nClé chez la voisine :\tn° 12."

    event = create_event(client, cm, jeanne["id"], instructions=instructions)
    message = client.post(
        f"{API}/beneficiaries/{jeanne['id']}/messages",
        json={"space": "daily", "body": "Bonjour\n\tà demain"},
        headers=cm.headers,
    )

    assert jeanne["place_name"] == "Saint-Étienne \u200f👩‍👩‍👧"
    assert event["instructions"] == instructions
    assert message.status_code == 201, message.text
    assert message.json()["body"] == "Bonjour\n\tà demain"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("Bonjour\x07", "contient un caractère de contrôle (U+0007)"),
        ("Bonjour\x00", "contient un caractère de contrôle (U+0000)"),
    ],
    ids=["bell", "nul"],
)
def test_messages_follow_the_same_rule(client: TestClient, body: str, reason: str) -> None:
    """A field named `body` is named too (its location, the request body, is not)."""
    cm = care_manager(client)
    jeanne = create_beneficiary(client, cm)
    url = f"{API}/beneficiaries/{jeanne['id']}/messages"

    response = client.post(url, json={"space": "daily", "body": body}, headers=cm.headers)

    assert_refused(response, "body", reason)
    assert client.get(url, headers=cm.headers).json() == []


def test_a_login_with_nul_is_a_422_not_a_database_error(client: TestClient) -> None:
    care_manager(client)

    response = client.post(
        f"{API}/auth/token", data={"username": "cl\x00aire@foyer.test", "password": "x"}
    )

    assert response.status_code == 422, response.text
    assert response.json()["detail"] == (
        "L'adresse e-mail (username) contient un caractère de contrôle (U+0000)."
    )


@pytest.mark.parametrize(
    ("error", "status", "words"),
    [
        (IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed")), 409, "conflit"),
        (DataError("INSERT", {}, Exception("text fields cannot contain NUL")), 422, "valeurs"),
    ],
    ids=["integrity", "data"],
)
def test_a_database_error_is_a_4xx_with_a_french_message_and_nothing_is_kept(
    client: TestClient,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    error: Exception,
    status: int,
    words: str,
) -> None:
    """What the input checks would miss: the write is rolled back, the answer is a 4xx."""
    cm = care_manager(client)
    real = agenda.create_beneficiary

    def failing(session: Any, *args: Any, **kwargs: Any) -> Any:
        real(session, *args, **kwargs)
        session.flush()  # written, then the database refuses something
        raise error

    monkeypatch.setattr(agenda, "create_beneficiary", failing)

    with caplog.at_level(logging.WARNING, logger="backend.app"):
        response = client.post(
            f"{API}/beneficiaries",
            json={"first_name": "Paul", "last_name": "Roux"},
            headers=cm.headers,
        )

    assert response.status_code == status, response.text
    assert words in response.json()["detail"]
    assert "rien n'a été enregistré" in response.json()["detail"]
    assert beneficiaries(client, cm) == []
    request_id = response.headers["X-Request-ID"]
    assert any(request_id in r.getMessage() for r in caplog.records)


def test_an_unexpected_error_is_a_json_500_with_the_request_id_that_is_logged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(Settings.for_data_dir(tmp_path, public_url="http://foyer.test"))
    with TestClient(app, raise_server_exceptions=False) as client:
        cm = care_manager(client)

        def broken(*_args: Any, **_kwargs: Any) -> Any:
            raise RuntimeError("a bug")

        monkeypatch.setattr(dashboard, "dashboard", broken)
        with caplog.at_level(logging.ERROR, logger="backend.app"):
            response = client.get(f"{API}/dashboard", headers=cm.headers)

    assert response.status_code == 500
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    request_id = body["request_id"]
    assert response.headers["X-Request-ID"] == request_id
    assert f"référence {request_id}" in body["detail"]
    assert "a bug" not in response.text
    logged = [r for r in caplog.records if request_id in r.getMessage()]
    assert logged and logged[0].exc_info is not None


def test_every_answer_carries_a_request_id(client: TestClient) -> None:
    first = client.get("/healthz")
    second = client.get("/healthz")
    kept = client.get("/healthz", headers={"X-Request-ID": "proxy-42.a_b"})
    refused = client.get("/healthz", headers={"X-Request-ID": "no spaces; or <tags>"})

    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]
    assert kept.headers["X-Request-ID"] == "proxy-42.a_b"
    assert refused.headers["X-Request-ID"] not in ("", "no spaces; or <tags>")


ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//FR\r\n"
    "BEGIN:VEVENT\r\nUID:propre\r\nDTSTART;TZID=Europe/Paris:20261124T100000\r\n"
    "DURATION:PT30M\r\nSUMMARY:Toilette\r\nDESCRIPTION:Sonner\\ndeux fois\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:titre-nul\r\nDTSTART;TZID=Europe/Paris:20261125T100000\r\n"
    "DURATION:PT30M\r\nSUMMARY:Toi\x00lette\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:consignes-esc\r\nDTSTART;TZID=Europe/Paris:20261126T100000\r\n"
    "DURATION:PT30M\r\nSUMMARY:Repas\r\nDESCRIPTION:Porte \x1b[2J\r\nEND:VEVENT\r\n"
    "END:VCALENDAR\r\n"
)


def test_an_imported_planning_skips_the_events_whose_text_the_rule_refuses(
    client: TestClient,
) -> None:
    cm = care_manager(client)
    jeanne = create_beneficiary(client, cm)

    response = client.post(
        f"{API}/beneficiaries/{jeanne['id']}/ics-import",
        files={"file": ("planning.ics", ICS.encode(), "text/calendar")},
        headers=cm.headers,
    )

    assert response.status_code == 200, response.text
    summary = response.json()
    assert summary["created"] == 1
    assert summary["skipped"] == [
        {"uid": "titre-nul", "reason": "Le titre contient un caractère de contrôle (U+0000)."},
        {
            "uid": "consignes-esc",
            "reason": "Le texte des consignes contient un caractère de contrôle (U+001B).",
        },
    ]
    events = client.get(f"{API}/beneficiaries/{jeanne['id']}/events", headers=cm.headers).json()
    assert [(e["title"], e["instructions"]) for e in events] == [("Toilette", "Sonner\ndeux fois")]


def test_text_inside_a_tablet_action_follows_the_rule(client: TestClient) -> None:
    """What the schema does not list (an action's free-form data) is checked by its handler."""
    cm = care_manager(client)
    jeanne = create_beneficiary(client, cm)
    token = pair_device(client, cm, jeanne["id"])
    headers = device_headers(token["access_token"])
    message = client.post(
        f"{API}/beneficiaries/{jeanne['id']}/messages",
        json={"space": "daily", "body": "Bonjour maman"},
        headers=cm.headers,
    ).json()
    now = datetime.now(UTC).isoformat()
    actions = [
        {"type": "reply", "data": {"reply_to_id": message["id"], "body": "Merci\x00"}},
        {"type": "mood", "data": {"score": 4, "tags": ["fatigu\ud800"]}},
        {"type": "arrival", "data": {"user_id": cm.id, "pin": "12\x0034", "at": now}},
    ]

    for number, action in enumerate(actions):
        response = send_json(
            client,
            "POST",
            f"{API}/device/actions",
            action,
            {**headers, "Idempotency-Key": f"texte-{number:04d}"},
        )
        assert 400 <= response.status_code < 500, response.text
        assert response.json()["detail"]  # encodable: a lone surrogate quoted back is "?"
        if action["type"] == "arrival":
            assert "pin : le code personnel contient un caractère de contrôle" in response.text

    replies = client.get(f"{API}/beneficiaries/{jeanne['id']}/messages", headers=cm.headers)
    assert [m["body"] for m in replies.json()] == ["Bonjour maman"]
