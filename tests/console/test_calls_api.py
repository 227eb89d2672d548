"""The console's JSON routes for video calls (docs/calls.md), from a signed-in browser: the
session cookie, the page's CSRF token in `X-CSRF-Token`, refusals as JSON sentences in the
console's language, and a missing session as a 401 a script can read."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.call_helpers import OFFER, CallWorld, build, long_poll
from tests.api.conftest import Clock
from tests.console.conftest import BOTH_DATABASES, Browser, NewBrowser


@pytest.fixture
def world(app_client: TestClient, clock: Clock) -> CallWorld:
    return build(app_client, clock)


def _signed_in(new_browser: NewBrowser, email: str, lang: str | None = None) -> Browser:
    browser = new_browser()
    if lang:
        browser.http.cookies.set("foyer_lang", lang)
    browser.login(email)
    assert browser.csrf, "the dashboard carries the CSRF token"
    return browser


JSON = {"Accept": "application/json"}  # as the call scripts ask


def _post(browser: Browser, path: str, body: Any = None, token: str | None = None) -> Any:
    headers = {**JSON, "X-CSRF-Token": browser.csrf if token is None else token}
    return browser.http.post(path, json=body, headers=headers)


@BOTH_DATABASES
def test_a_call_from_a_signed_in_browser_needs_the_pages_csrf_token(
    world: CallWorld, new_browser: NewBrowser
) -> None:
    paul = _signed_in(new_browser, world.paul.email)
    url = f"/b/{world.jeanne_id}/calls"
    assert _post(paul, url, token="").status_code == 403
    assert _post(paul, url, token="0" * 64).status_code == 403
    # A form post from another site carries no header at all.
    assert paul.http.post(url).status_code == 403
    assert world.tablet.sync()["upserts"]["calls"] == []  # nothing rang

    started = _post(paul, url)
    assert started.status_code == 201, started.text
    assert started.headers["cache-control"] == "no-store"
    call_id = started.json()["call"]["id"]
    offer = _post(paul, f"/calls/{call_id}/signals", {"kind": "offer", "sdp": OFFER})
    assert offer.status_code == 201, offer.text
    assert [c["id"] for c in world.tablet.sync()["upserts"]["calls"]] == [call_id]
    # Unknown fields are refused with a sentence, as JSON.
    extra = _post(paul, f"/calls/{call_id}/signals", {"kind": "offer", "sdp": OFFER, "x": 1})
    assert extra.status_code == 422 and extra.json()["detail"] == "Champ inconnu : x."
    hung_up = _post(paul, f"/calls/{call_id}/hangup", {"reason": "hangup"})
    assert hung_up.json()["call"]["outcome"] == "cancelled"


def test_refusals_are_json_sentences_in_the_consoles_language(
    world: CallWorld, new_browser: NewBrowser
) -> None:
    sophie = _signed_in(new_browser, world.sophie.email, lang="en")
    refused = _post(sophie, f"/b/{world.jeanne_id}/calls")
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/json")
    assert refused.json() == {
        "detail": "You cannot call Jeanne: their care manager must first add you to the people "
        "who can call them."
    }
    paul = _signed_in(new_browser, world.paul.email)
    _post(paul, f"/b/{world.jeanne_id}/calls")
    world.approve(world.marc)
    marc = _signed_in(new_browser, world.marc.email, lang="en")
    busy = _post(marc, f"/b/{world.jeanne_id}/calls")
    assert busy.status_code == 409 and busy.json() == {"detail": "Jeanne is already in a call."}
    french = _signed_in(new_browser, world.marc.email)
    busy = _post(french, f"/b/{world.jeanne_id}/calls")
    assert busy.json() == {"detail": "Jeanne est déjà en communication."}


def test_without_a_session_scripts_get_401_and_people_the_login_page(
    world: CallWorld, new_browser: NewBrowser
) -> None:
    anonymous = new_browser()
    anonymous.get("/login")  # a CSRF token of a signed-out page
    for response in (
        anonymous.http.get("/calls/incoming", headers=JSON),
        anonymous.http.get("/calls/1/signals", headers=JSON),
        _post(anonymous, f"/b/{world.jeanne_id}/calls"),
        _post(anonymous, "/calls/1/hangup"),
    ):
        assert response.status_code == 401, response.text
        assert response.json() == {"detail": "Connexion requise."}
    # The address opened in a tab: signing in first, as for every console page.
    opened = anonymous.http.get("/calls/incoming?wait=5")
    assert opened.status_code == 303
    assert opened.headers["location"] == "/login?next=%2Fcalls%2Fincoming%3Fwait%3D5"


def test_an_answer_opened_in_a_tab_is_saved_not_shown(
    world: CallWorld, new_browser: NewBrowser
) -> None:
    paul = _signed_in(new_browser, world.paul.email)
    call_id = _post(paul, f"/b/{world.jeanne_id}/calls").json()["call"]["id"]
    _post(paul, f"/calls/{call_id}/signals", {"kind": "offer", "sdp": "<script>alert(1)</script>"})
    opened = world.tablet.get(f"/calls/{call_id}/signals")  # the tablet's copy holds the markup
    assert opened.json()["signals"][0]["sdp"] == "<script>alert(1)</script>"
    page = paul.http.get("/calls/incoming")
    assert page.headers["content-type"].startswith("application/json")
    assert page.headers["content-disposition"] == "attachment"
    assert page.headers["x-content-type-options"] == "nosniff"


def test_incoming_waits_for_the_tablets_call_then_the_browser_answers_it(
    world: CallWorld, new_browser: NewBrowser
) -> None:
    paul = _signed_in(new_browser, world.paul.email)
    poll = long_poll(world, lambda: paul.http.get("/calls/incoming", params={"wait": 30}))
    placed = world.tablet.post("/calls", {"user_id": world.paul.id})
    assert placed.status_code == 201, placed.text
    woke = poll.result()
    assert woke.status_code == 200 and woke.headers["cache-control"] == "no-store"
    (incoming,) = woke.json()["calls"]
    assert incoming["beneficiary"]["first_name"] == "Jeanne"
    answered = _post(paul, f"/calls/{incoming['id']}/answer")
    assert answered.status_code == 200, answered.text
    assert answered.json()["call"]["state"] == "answered"
    assert "ice_servers" in answered.json()
