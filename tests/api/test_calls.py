"""Video calls (docs/calls.md), on SQLite and PostgreSQL: who may call whom, a call from the
console to the tablet and back, its signals through long-polls, refusal, busy, no answer (the
ring timeout job and its message), auto-answer, bad input, and the TURN credentials."""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from backend.config import Settings, call_env
from backend.models import User
from backend.services import calls
from tests.api.call_helpers import (
    ANSWER,
    OFFER,
    CallWorld,
    Console,
    InThread,
    build,
    long_poll,
)
from tests.api.conftest import Clock, MakeClient
from tests.api.factories import API, session_of


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    # 14:02 UTC in December is 15 h 02 in Paris, Jeanne's zone. The tablet's sync counts the
    # seconds left to ring on this clock too.
    fixed = Clock(datetime(2026, 12, 5, 14, 2, 10, tzinfo=UTC))
    monkeypatch.setattr(calls, "sync_now", fixed)
    return fixed


@pytest.fixture
def world(make_client: MakeClient, clock: Clock) -> CallWorld:
    # The jobs thread is off: the tests run the ring timeout at the clock's time themselves.
    return build(make_client(clock=clock, run_jobs=False), clock)


def _ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def _calls_in_sync(payload: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {c["id"]: c for c in payload["upserts"].get("calls", [])}


def _daily_bodies(client: TestClient, headers: dict[str, str], beneficiary_id: int) -> list[str]:
    response = client.get(
        f"{API}/beneficiaries/{beneficiary_id}/messages",
        params={"space": "daily"},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    return [m["body"] for m in response.json()]


# --- console → tablet, the whole way -----------------------------------------------------------


def test_a_call_from_the_console_rings_is_answered_signalled_and_hung_up(
    world: CallWorld,
) -> None:
    paul = world.console(world.paul)
    cursor = world.tablet.sync()["cursor"]
    started = _ok(paul.call(world.jeanne_id), 201)
    call = started["call"]
    call_id = call["id"]
    assert call["state"] == "ringing" and call["direction"] == "to_tablet"
    assert call["caller"] == {"id": world.paul.id, "name": "Paul Martin", "initials": "PM"}
    assert started["ice_servers"] == []  # no STUN nor TURN configured

    # The tablet's sync shows it ringing, with the seconds left counted by the server.
    ringing = _calls_in_sync(world.tablet.sync(cursor=cursor))[call_id]
    assert ringing["state"] == "ringing" and ringing["outcome"] is None
    assert ringing["auto_answer"] is False
    assert ringing["ring_seconds_left"] == 45
    world.clock.advance(4.5)
    assert world.tablet.sync()["upserts"]["calls"][0]["ring_seconds_left"] == 41

    # The console offers at once; the tablet answers, then reads the offer.
    offer = _ok(paul.post(f"/calls/{call_id}/signals", {"kind": "offer", "sdp": OFFER}), 201)
    answered = _ok(world.tablet.post(f"/calls/{call_id}/answer"))
    assert answered["call"]["state"] == "answered"
    read = _ok(world.tablet.get(f"/calls/{call_id}/signals", after=0, wait=10))
    assert read["signals"] == [
        {"id": offer["id"], "sender": "console", "kind": "offer", "sdp": OFFER}
    ]
    assert read["last"] == offer["id"]

    # The console waits for the answer: the tablet's signal wakes its long-poll.
    poll = long_poll(
        world, lambda: paul.get(f"/calls/{call_id}/signals", after=offer["id"], wait=30)
    )
    sent = _ok(
        world.tablet.post(f"/calls/{call_id}/signals", {"kind": "answer", "sdp": ANSWER}), 201
    )
    woke = _ok(poll.result())
    assert woke["signals"] == [
        {"id": sent["id"], "sender": "tablet", "kind": "answer", "sdp": ANSWER}
    ]
    assert woke["call"]["state"] == "answered"
    # Each side reads only the other's signals.
    assert _ok(world.tablet.get(f"/calls/{call_id}/signals", after=read["last"]))["signals"] == []

    # Two minutes later the tablet hangs up: the console's wait ends with the call ended.
    world.clock.advance(134)
    poll = long_poll(
        world, lambda: paul.get(f"/calls/{call_id}/signals", after=sent["id"], wait=30)
    )
    ended = _ok(world.tablet.post(f"/calls/{call_id}/hangup", {"reason": "hangup"}))["call"]
    woke = _ok(poll.result())
    for seen in (ended, woke["call"]):
        assert seen["state"] == "ended" and seen["outcome"] == "completed"
        assert seen["ended_by"] == "tablet" and seen["duration_seconds"] == 134
    assert world.signals_kept(call_id) == 0  # nothing of the call is kept

    # Hanging up again, from either side, answers the call as it is.
    again = _ok(paul.post(f"/calls/{call_id}/hangup", {"reason": "hangup"}))["call"]
    assert again["ended_by"] == "tablet" and again["duration_seconds"] == 134

    # The call log, for the circle (the service the console's page uses).
    assert world.call_row(call_id).outcome == "completed"


def test_the_console_hanging_up_wakes_the_tablet_waiting_for_the_offer(world: CallWorld) -> None:
    paul = world.console(world.paul)
    call_id = _ok(paul.call(world.jeanne_id), 201)["call"]["id"]
    _ok(world.tablet.post(f"/calls/{call_id}/answer"))
    poll = long_poll(world, lambda: world.tablet.get(f"/calls/{call_id}/signals", wait=30))
    _ok(paul.post(f"/calls/{call_id}/hangup", {"reason": "network"}))
    woke = _ok(poll.result())
    assert woke["signals"] == []
    assert woke["call"]["state"] == "ended" and woke["call"]["outcome"] == "completed"
    assert woke["call"]["ended_by"] == "console" and woke["call"]["end_reason"] == "network"
    # A signal after the end is refused.
    late = world.tablet.post(f"/calls/{call_id}/signals", {"kind": "answer", "sdp": ANSWER})
    assert late.status_code == 409 and late.json()["detail"] == "L'appel est terminé."


def test_the_caller_giving_up_before_an_answer_is_cancelled_and_the_tablet_learns_it(
    world: CallWorld,
) -> None:
    paul = world.console(world.paul)
    call_id = _ok(paul.call(world.jeanne_id), 201)["call"]["id"]
    cursor = world.tablet.sync()["cursor"]
    _ok(paul.post(f"/calls/{call_id}/hangup", {"reason": "hangup"}))
    seen = _calls_in_sync(world.tablet.sync(cursor=cursor))[call_id]
    assert seen["state"] == "ended" and seen["outcome"] == "cancelled"
    # Too late to answer: « L'appel a été annulé. »
    late = world.tablet.post(f"/calls/{call_id}/answer")
    assert late.status_code == 409 and late.json()["detail"] == "L'appel a été annulé."


def test_refused_on_the_tablet_ends_the_call_without_a_message(world: CallWorld) -> None:
    paul = world.console(world.paul)
    call_id = _ok(paul.call(world.jeanne_id), 201)["call"]["id"]
    poll = long_poll(world, lambda: paul.get(f"/calls/{call_id}/signals", wait=30))
    refused = _ok(world.tablet.post(f"/calls/{call_id}/refuse", {"reason": "refused"}))["call"]
    assert refused["outcome"] == "refused" and refused["duration_seconds"] is None
    assert _ok(poll.result())["call"]["outcome"] == "refused"
    world.clock.advance(60)
    world.run_jobs()  # the ring timeout finds it ended and leaves it alone
    assert world.call_row(call_id).outcome == "refused"
    assert not any(
        "appeler" in b for b in _daily_bodies(world.client, world.cm.headers, world.jeanne_id)
    )


def test_a_second_call_while_one_rings_is_busy_logged_and_refused(world: CallWorld) -> None:
    world.approve(world.marc)
    first = _ok(world.console(world.paul).call(world.jeanne_id), 201)["call"]
    busy = world.console(world.marc).call(world.jeanne_id)
    assert busy.status_code == 409
    assert busy.json()["detail"] == "Jeanne est déjà en communication."
    # The tablet cannot place one either, and both attempts are in the log as busy.
    from_tablet = world.tablet.post("/calls", {"user_id": world.paul.id})
    assert from_tablet.status_code == 409
    log = _log(world)
    assert [(c["caller"]["id"], c["outcome"]) for c in log] == [
        (world.paul.id, "busy"),
        (world.marc.id, "busy"),
        (world.paul.id, None),
    ]
    assert log[-1]["id"] == first["id"]
    # A tablet already in a call refuses with reason busy.
    refused = _ok(world.tablet.post(f"/calls/{first['id']}/refuse", {"reason": "busy"}))
    assert refused["call"]["outcome"] == "busy"


def _log(world: CallWorld) -> list[dict[str, Any]]:
    with session_of(world.client) as session:
        manager = session.get(User, world.cm.id)
        assert manager is not None
        return calls.call_log(session, manager, world.jeanne_id, world.clock.now)


# --- no answer ---------------------------------------------------------------------------------


def test_no_answer_is_missed_and_a_message_from_the_caller_reaches_the_tablet(
    world: CallWorld,
) -> None:
    call_id = _ok(world.console(world.paul).call(world.jeanne_id), 201)["call"]["id"]
    cursor = world.tablet.sync()["cursor"]
    world.clock.advance(30)
    world.run_jobs()
    assert world.call_row(call_id).state == "ringing"  # not yet
    # The job runs late (the worker was busy): the call still ended when it stopped ringing.
    world.clock.advance(600)
    world.run_jobs()
    row = world.call_row(call_id)
    assert (row.state, row.outcome, row.ended_by, row.end_reason) == (
        "ended", "missed", "system", "timeout",
    )  # fmt: skip
    assert row.ended_at == row.ring_until == row.created_at + timedelta(seconds=45)
    messages = world.tablet.sync(cursor=cursor)["upserts"]["messages"]
    assert [m["body"] for m in messages] == ["Paul a essayé de vous appeler à 15 h 02."]
    # Run again: nothing more.
    world.run_jobs()
    assert (
        _daily_bodies(world.client, world.paul.headers, world.jeanne_id).count(
            "Paul a essayé de vous appeler à 15 h 02."
        )
        == 1
    )


def test_a_call_answered_in_time_is_left_alone_by_the_ring_timeout(world: CallWorld) -> None:
    call_id = _ok(world.console(world.paul).call(world.jeanne_id), 201)["call"]["id"]
    world.clock.advance(20)
    _ok(world.tablet.post(f"/calls/{call_id}/answer"))
    world.clock.advance(60)
    world.run_jobs()
    assert world.call_row(call_id).state == "answered"


def test_answering_after_the_ring_ended_is_too_late_even_before_the_job_runs(
    world: CallWorld,
) -> None:
    call_id = _ok(world.console(world.paul).call(world.jeanne_id), 201)["call"]["id"]
    world.clock.advance(50)
    late = world.tablet.post(f"/calls/{call_id}/answer")
    assert late.status_code == 409
    assert world.call_row(call_id).outcome == "missed"
    world.run_jobs()
    assert (
        _daily_bodies(world.client, world.paul.headers, world.jeanne_id).count(
            "Paul a essayé de vous appeler à 15 h 02."
        )
        == 1
    )


# --- tablet → console ------------------------------------------------------------------------


def test_a_call_from_the_tablet_rings_in_the_console_and_is_answered_there(
    world: CallWorld,
) -> None:
    paul = world.console(world.paul)
    poll = long_poll(world, lambda: paul.get("/calls/incoming", wait=30))
    placed = _ok(world.tablet.post("/calls", {"user_id": world.paul.id}), 201)
    call_id = placed["call"]["id"]
    assert placed["call"]["direction"] == "from_tablet"
    incoming = _ok(poll.result())["calls"]
    assert [c["id"] for c in incoming] == [call_id]
    assert incoming[0]["beneficiary"]["first_name"] == "Jeanne"
    # Nobody else sees it ringing.
    assert _ok(world.console(world.sophie).get("/calls/incoming"))["calls"] == []

    # Only Paul answers it; then he offers and the tablet answers.
    assert world.tablet.post(f"/calls/{call_id}/answer").status_code == 403
    assert world.console(world.sophie).post(f"/calls/{call_id}/answer").status_code == 403
    _ok(paul.post(f"/calls/{call_id}/answer"))
    tablet_poll = long_poll(world, lambda: world.tablet.get(f"/calls/{call_id}/signals", wait=30))
    _ok(paul.post(f"/calls/{call_id}/signals", {"kind": "offer", "sdp": OFFER}), 201)
    assert [s["kind"] for s in _ok(tablet_poll.result())["signals"]] == ["offer"]
    assert _ok(paul.get("/calls/incoming"))["calls"] == []  # answered: no longer ringing


def test_a_call_from_the_tablet_nobody_answers_becomes_a_message_to_the_person(
    world: CallWorld,
) -> None:
    call_id = _ok(world.tablet.post("/calls", {"user_id": world.paul.id}), 201)["call"]["id"]
    world.clock.advance(46)
    world.run_jobs()
    assert world.call_row(call_id).outcome == "missed"
    bodies = _daily_bodies(world.client, world.paul.headers, world.jeanne_id)
    assert "Jeanne a essayé d'appeler Paul Martin à 15 h 02." in bodies


def test_the_tablet_hanging_up_its_own_call_before_an_answer_cancels_it(world: CallWorld) -> None:
    call_id = _ok(world.tablet.post("/calls", {"user_id": world.paul.id}), 201)["call"]["id"]
    ended = _ok(world.tablet.post(f"/calls/{call_id}/hangup", {"reason": "hangup"}))["call"]
    assert ended["outcome"] == "cancelled" and ended["ended_by"] == "tablet"
    assert _ok(world.console(world.paul).get("/calls/incoming"))["calls"] == []


# --- who may call whom ---------------------------------------------------------------------------


def test_rights_role_by_role(world: CallWorld) -> None:
    # An unapproved family member: 403 with a sentence, and nothing rings.
    refused = world.console(world.sophie).call(world.jeanne_id)
    assert refused.status_code == 403
    assert refused.json()["detail"].startswith("Vous ne pouvez pas appeler Jeanne")
    assert _log(world) == []
    # The tablet cannot call her either.
    assert world.tablet.post("/calls", {"user_id": world.sophie.id}).status_code == 403
    # A care worker of another beneficiary: as if Jeanne did not exist.
    assert world.console(world.nadia).call(world.jeanne_id).status_code == 404
    # A friend, once approved, may call.
    world.approve(world.marc)
    call_id = _ok(world.console(world.marc).call(world.jeanne_id), 201)["call"]["id"]
    # Another tablet cannot answer it, nor read or send its signals.
    assert world.albert_tablet.post(f"/calls/{call_id}/answer").status_code == 404
    assert world.albert_tablet.get(f"/calls/{call_id}/signals").status_code == 404
    other = world.albert_tablet.post(f"/calls/{call_id}/signals", {"kind": "answer", "sdp": ANSWER})
    assert other.status_code == 404
    # In the circle but not one's call: 403; outside the circle: 404.
    assert world.console(world.paul).get(f"/calls/{call_id}/signals").status_code == 403
    assert world.console(world.paul).post(f"/calls/{call_id}/hangup").status_code == 403
    assert world.console(world.nadia).get(f"/calls/{call_id}/signals").status_code == 404
    # The caller cannot answer their own call.
    assert world.console(world.marc).post(f"/calls/{call_id}/answer").status_code == 403
    _ok(world.tablet.post(f"/calls/{call_id}/answer"))


def test_a_caller_taken_off_can_no_longer_call_and_leaves_the_tablets_list(
    world: CallWorld,
) -> None:
    callers = world.tablet.sync()["upserts"]["callers"]
    assert callers == [
        {
            "id": world.paul.id,
            "name": "Paul Martin",
            "relation": "famille",
            "initials": "PM",
            "auto_answer": False,
            "auto_answer_declined": False,
        }
    ]
    cursor = world.tablet.sync()["cursor"]
    with session_of(world.client) as session:
        manager = session.get(User, world.cm.id)
        assert manager is not None
        calls.remove_caller(session, manager, world.jeanne_id, world.paul.id)
        session.commit()
    assert world.tablet.sync(cursor=cursor)["deletes"]["callers"] == [world.paul.id]
    assert world.console(world.paul).call(world.jeanne_id).status_code == 403


def test_an_approved_caller_who_leaves_the_circle_leaves_the_tablets_list(
    world: CallWorld,
) -> None:
    cursor = world.tablet.sync()["cursor"]
    removed = world.client.delete(
        f"{API}/beneficiaries/{world.jeanne_id}/members/{world.paul.id}",
        headers=world.cm.headers,
    )
    assert removed.status_code == 204, removed.text
    assert world.tablet.sync(cursor=cursor)["deletes"]["callers"] == [world.paul.id]
    assert world.tablet.post("/calls", {"user_id": world.paul.id}).status_code == 403


def test_call_settings_come_from_the_environment(tmp_path: Path) -> None:
    environ = {
        "FOYER_STUN_URLS": "stun:turn.example.org:3478, stun:stun.example.net",
        "FOYER_TURN_URLS": "turn:turn.example.org:3478?transport=udp",
        "FOYER_TURN_SECRET": "le secret",
        "FOYER_TURN_TTL_SECONDS": "600",
        "FOYER_CALL_RING_SECONDS": "30",
    }
    settings = Settings.for_data_dir(tmp_path, environ=environ)
    assert settings.stun_urls == ("stun:turn.example.org:3478", "stun:stun.example.net")
    assert settings.turn_urls == ("turn:turn.example.org:3478?transport=udp",)
    assert (settings.turn_secret, settings.turn_ttl_seconds) == ("le secret", 600)
    assert settings.call_ring_seconds == 30
    assert "le secret" not in repr(settings)
    assert call_env(settings) == {**environ, "FOYER_STUN_URLS": ",".join(settings.stun_urls)}
    defaults = Settings.for_data_dir(tmp_path, environ={})
    assert (defaults.stun_urls, defaults.turn_secret, defaults.call_ring_seconds) == ((), None, 45)
    for variable, bad in (
        ("FOYER_TURN_TTL_SECONDS", "une heure"),
        ("FOYER_TURN_TTL_SECONDS", "5"),
        ("FOYER_CALL_RING_SECONDS", "0"),
        ("FOYER_TURN_URLS", "https://turn.example.org"),
    ):
        with pytest.raises(ValueError, match=r"turn|ring|TURN"):
            Settings.for_data_dir(tmp_path, environ={variable: bad})


# --- auto-answer ----------------------------------------------------------------------------------


def test_auto_answer_only_when_approved_and_not_declined_by_the_beneficiary(
    world: CallWorld,
) -> None:
    paul = world.console(world.paul)

    def call_auto_answer() -> bool:
        started = _ok(paul.call(world.jeanne_id), 201)["call"]
        _ok(paul.post(f"/calls/{started['id']}/hangup"))
        return bool(started["auto_answer"])

    assert call_auto_answer() is False  # approved, without auto-answer
    world.approve(world.paul, auto_answer=True)
    assert call_auto_answer() is True
    # Jeanne takes herself off auto-answer for Paul, from her tablet.
    declined = world.tablet.action("call_auto_answer", {"user_id": world.paul.id, "declined": True})
    assert _ok(declined) == {"user_id": world.paul.id, "declined": True}
    caller = world.tablet.sync()["upserts"]["callers"][0]
    assert caller["auto_answer"] is True and caller["auto_answer_declined"] is True
    assert call_auto_answer() is False
    _ok(world.tablet.action("call_auto_answer", {"user_id": world.paul.id, "declined": False}))
    assert call_auto_answer() is True
    # Not for someone who is not an approved caller.
    unknown = world.tablet.action(
        "call_auto_answer", {"user_id": world.sophie.id, "declined": True}
    )
    assert unknown.status_code == 404
    wrong = world.tablet.action("call_auto_answer", {"user_id": world.paul.id, "declined": "oui"})
    assert wrong.status_code == 422 and "declined" in wrong.json()["detail"]


# --- bad input -----------------------------------------------------------------------------------


def test_bad_signals_are_refused_with_a_sentence(world: CallWorld) -> None:
    paul = world.console(world.paul)
    call_id = _ok(paul.call(world.jeanne_id), 201)["call"]["id"]
    url = f"/calls/{call_id}/signals"
    cases = [
        (paul.post(url, {"kind": "offer", "sdp": "a" * (64 * 1024 + 1)}), "64 Ko"),
        (paul.post(url, {"kind": "candidate", "sdp": OFFER}), "Type de signal inconnu"),
        (paul.post(url, {"kind": "answer", "sdp": ANSWER}), "« offer », pas « answer »"),
        (paul.post(url, {"kind": "offer", "sdp": ""}), "texte non vide"),
        (paul.post(url, {"kind": "offer", "sdp": "v=0\x00"}), "Le signal"),
        (world.tablet.post(url, {"kind": "offer", "sdp": OFFER}), "« answer », pas « offer »"),
        (world.tablet.post(url, {"kind": "answer", "sdp": "x" * 70_000}), "64 Ko"),
        (world.tablet.post(f"/calls/{call_id}/refuse", {"reason": "bof"}), "Raison inconnue"),
        (paul.post(f"/calls/{call_id}/hangup", {"reason": "bof"}), "Raison inconnue"),
    ]
    for response, words in cases:
        assert 400 <= response.status_code < 500, response.text
        assert words in response.json()["detail"], response.text
    assert world.signals_kept(call_id) == 0
    # Markup in an SDP is text: kept and handed back exactly as sent.
    markup = OFFER + "a=tool:<script>alert('x')</script>\r\n"
    _ok(paul.post(url, {"kind": "offer", "sdp": markup}), 201)
    read = world.tablet.get(url)
    assert read.headers["content-type"].startswith("application/json")
    assert read.json()["signals"][0]["sdp"] == markup
    # Each side sends one SDP, a few at most: not an unbounded store.
    for _ in range(7):
        _ok(paul.post(url, {"kind": "offer", "sdp": OFFER}), 201)
    flood = paul.post(url, {"kind": "offer", "sdp": OFFER})
    assert flood.status_code == 409
    assert flood.json()["detail"] == "Trop de signaux pour cet appel."
    # A body that is not JSON, on the console: a sentence, not a page.
    raw = world.client.post(url, content=b"<html>", headers=paul.headers())
    assert raw.status_code == 422
    assert raw.json()["detail"] == "Le corps de la demande doit être un objet JSON."
    assert world.tablet.post("/calls", {"user_id": "Paul"}).status_code == 422


# --- TURN ----------------------------------------------------------------------------------------


def test_each_side_gets_turn_credentials_coturn_accepts(
    make_client: MakeClient, clock: Clock
) -> None:
    secret = "le secret partagé avec coturn"
    client = make_client(
        clock=clock,
        run_jobs=False,
        stun_urls=("stun:turn.example.org:3478",),
        turn_urls=("turn:turn.example.org:3478?transport=udp", "turns:turn.example.org:5349"),
        turn_secret=secret,
        turn_ttl_seconds=600,
    )
    world = build(client, clock)
    started = _ok(world.console(world.paul).call(world.jeanne_id), 201)
    call_id = started["call"]["id"]
    answered = _ok(world.tablet.post(f"/calls/{call_id}/answer"))
    expiry = int(clock.now.timestamp()) + 600
    for answer, subject in (
        (started, f"call{call_id}-user{world.paul.id}"),
        (answered, f"call{call_id}-tablet"),
    ):
        stun, turn = answer["ice_servers"]
        assert stun == {"urls": ["stun:turn.example.org:3478"]}
        assert turn["urls"] == [
            "turn:turn.example.org:3478?transport=udp",
            "turns:turn.example.org:5349",
        ]
        # What coturn does with use-auth-secret: split the expiry off the username, refuse it
        # once past, and compare the password with base64(HMAC-SHA1(secret, username)).
        timestamp, _, who = turn["username"].partition(":")
        assert int(timestamp) == expiry and who == subject
        expected = base64.b64encode(
            hmac.new(secret.encode(), turn["username"].encode(), hashlib.sha1).digest()
        ).decode()
        assert turn["credential"] == expected
    # Another secret would not match: the credential is not a constant.
    wrong = hmac.new(b"autre", started["ice_servers"][1]["username"].encode(), hashlib.sha1)
    assert base64.b64encode(wrong.digest()).decode() != started["ice_servers"][1]["credential"]


def test_no_turn_server_is_handed_out_without_a_secret(
    make_client: MakeClient, clock: Clock
) -> None:
    client = make_client(
        clock=clock, run_jobs=False, turn_urls=("turn:turn.example.org:3478",), turn_secret=None
    )
    world = build(client, clock)
    assert _ok(world.console(world.paul).call(world.jeanne_id), 201)["ice_servers"] == []


def test_two_calls_at_the_same_moment_ring_once(world: CallWorld, is_postgres: bool) -> None:
    """Two people call at the very same moment (PostgreSQL, several requests in parallel): one
    rings, the other is busy; never two calls ringing at once."""
    if not is_postgres:
        pytest.skip("SQLite writes one at a time: there is no race to lose")
    world.approve(world.marc)
    consoles = [world.console(world.paul), world.console(world.marc)]
    for _round in range(6):
        barrier = threading.Barrier(2)

        def call(console: Console, barrier: threading.Barrier = barrier) -> Any:
            barrier.wait()
            return console.call(world.jeanne_id)

        polls = [InThread(lambda c=c: call(c)) for c in consoles]
        for poll in polls:
            poll.start()
        statuses = sorted(poll.result().status_code for poll in polls)
        assert statuses == [201, 409], statuses
        for row in _log(world):
            if row["state"] != "ended":
                _ok(world.tablet.post(f"/calls/{row['id']}/refuse", {"reason": "refused"}))
