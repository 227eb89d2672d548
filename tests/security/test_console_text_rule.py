"""The text rule in the console's forms (the API's is in tests/api/test_text_rule.py): a
control character is refused with a page that names the field in French, nothing is stored;
a database error is the console's error page, never a 500."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy.exc import IntegrityError

from backend import security
from backend.app import create_app
from backend.config import Settings
from backend.services import agenda, dashboard
from tests.api.circle_fixtures import CircleSetup, build_circle
from tests.api.factories import API
from tests.console.conftest import Browser


@pytest.fixture
def console(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Browser, Any]]:
    monkeypatch.setattr(
        security, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )
    app = create_app(Settings.for_data_dir(tmp_path, public_url="http://testserver"))
    with TestClient(app) as client:
        c = build_circle(client)
        browser = Browser(app)
        browser.login(c.care_manager.email)
        yield browser, (client, c)


def _names(client: TestClient, c: CircleSetup) -> list[str]:
    listed = client.get(f"{API}/beneficiaries", headers=c.care_manager.headers).json()
    return [b["first_name"] for b in listed]


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("Lu\x00cienne", "contient un caractère de contrôle (U+0000)"),
        ("Lucienne\tMarie", "doit tenir sur une ligne"),
    ],
    ids=["nul", "tab"],
)
def test_a_console_form_refuses_a_control_character_and_names_the_field(
    console: tuple[Browser, Any], value: str, reason: str
) -> None:
    browser, (client, c) = console
    browser.get("/")

    page = browser.post(
        "/beneficiaries", {"first_name": value, "last_name": "Moreau", "place_name": ""}
    )

    assert page.status_code == 422
    assert "« Prénom »" in page.text
    assert reason in page.text
    assert "Lucienne" not in str(_names(client, c))


def test_console_instructions_keep_their_line_breaks(console: tuple[Browser, Any]) -> None:
    browser, (client, c) = console
    browser.get(f"/b/{c.jeanne_id}/agenda")
    form = {
        "title": "Toilette",
        "date": "2026-11-24",
        "time": "09:00",
        "duration": "30",
        "instructions": "Sonner deux fois.\r\nClé chez la voisine.",
    }

    page = browser.post(f"/b/{c.jeanne_id}/agenda", form)
    refused = browser.post(f"/b/{c.jeanne_id}/agenda", {**form, "who": "Cla\x00ire"})

    assert page.status_code == 303, page.text
    assert refused.status_code == 422
    assert "« Qui »" in refused.text
    events = client.get(
        f"{API}/beneficiaries/{c.jeanne_id}/events", headers=c.care_manager.headers
    ).json()
    assert [e["instructions"] for e in events] == ["Sonner deux fois.\r\nClé chez la voisine."]


def test_a_database_error_in_a_console_form_is_its_error_page(
    console: tuple[Browser, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    browser, (client, c) = console
    browser.get("/")

    def failing(*_args: Any, **_kwargs: Any) -> Any:
        raise IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed"))

    monkeypatch.setattr(agenda, "create_beneficiary", failing)
    page = browser.post("/beneficiaries", {"first_name": "Paul", "last_name": "Roux"})

    assert page.status_code == 409
    assert page.headers["content-type"].startswith("text/html")
    assert "rien n&#39;a été enregistré" in page.text
    assert "Paul" not in _names(client, c)


def test_an_unexpected_error_on_a_console_page_shows_its_logged_reference(
    console: tuple[Browser, Any],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    browser, _ = console

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(dashboard, "dashboard", broken)
    with caplog.at_level(logging.ERROR, logger="backend.console"):
        page = browser.get("/")

    assert page.status_code == 500
    assert page.headers["content-type"].startswith("text/html")
    request_id = page.headers["X-Request-ID"]
    assert f"(référence {request_id})" in page.text
    assert "a bug" not in page.text
    assert any(request_id in r.getMessage() and r.exc_info for r in caplog.records)
