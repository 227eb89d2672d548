"""The tablet's RFC 8628 client loop, with a scripted server and a clock the test controls."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from provisioning.pairing import (
    PairingCallbacks,
    PairingCode,
    PairingUnavailable,
    SavedCode,
    full_jitter,
    run_pairing,
)

T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


class FakeStop:
    """Stands in for threading.Event: records each wait and advances the fake clock."""

    def __init__(self, clock: list[datetime], stop_after: int = 1000) -> None:
        self.clock = clock
        self.waits: list[float] = []
        self.stop_after = stop_after

    def is_set(self) -> bool:
        return len(self.waits) >= self.stop_after

    def wait(self, seconds: float) -> bool:
        self.waits.append(seconds)
        self.clock[0] += timedelta(seconds=seconds)
        return self.is_set()


class ScriptedServer:
    def __init__(self, codes: list[Any], polls: list[Any]) -> None:
        self.codes = codes
        self.polls = polls
        self.backend_url = "http://backend"
        self.polled: list[str] = []

    def request_code(self, now: datetime) -> PairingCode:
        answer = self.codes.pop(0)
        if isinstance(answer, Exception):
            raise answer
        name, ttl = answer
        return PairingCode(
            f"dc-{name}",
            name,
            "http://b/pair",
            f"http://b/pair?code={name}",
            now + timedelta(seconds=ttl),
            5.0,
        )

    def poll(self, device_code: str) -> tuple[str | None, dict[str, Any]]:
        self.polled.append(device_code)
        answer = self.polls.pop(0)
        if isinstance(answer, Exception):
            raise answer
        if answer == "ok":
            return None, {"access_token": "fyd_x", "device_id": 3, "beneficiary_id": 1}
        return answer, {"error": answer}


class Recorder:
    def __init__(self) -> None:
        self.codes: list[str] = []
        self.problems: list[float] = []
        self.denied = 0

    def callbacks(self) -> PairingCallbacks:
        return PairingCallbacks(
            on_code=lambda c: self.codes.append(c.user_code),
            on_problem=lambda _r, delay: self.problems.append(delay),
            on_denied=self._denied,
        )

    def _denied(self) -> None:
        self.denied += 1


def run(server: ScriptedServer, stop_after: int = 1000) -> tuple[Any, Recorder, FakeStop]:
    clock = [T0]
    stop = FakeStop(clock, stop_after)
    rec = Recorder()
    result = run_pairing(
        server,
        rec.callbacks(),
        stop,
        now=lambda: clock[0],  # type: ignore[arg-type]
        rng=random.Random(1),
    )
    return result, rec, stop


def test_pending_then_approved() -> None:
    server = ScriptedServer([("WDJB-MJHT", 600)], ["authorization_pending", "ok"])
    cred, rec, stop = run(server)
    assert cred.access_token == "fyd_x" and cred.device_id == 3 and cred.beneficiary_id == 1
    assert cred.backend_url == "http://backend"
    assert rec.codes == ["WDJB-MJHT"]
    assert stop.waits == [5.0, 5.0]


def test_slow_down_adds_five_seconds_for_good() -> None:
    server = ScriptedServer(
        [("A", 600)],
        ["slow_down", "authorization_pending", "slow_down", "authorization_pending", "ok"],
    )
    _, _, stop = run(server)
    assert stop.waits == [5.0, 10.0, 10.0, 15.0, 15.0]


def test_connection_problems_double_the_interval() -> None:
    down = PairingUnavailable("timed out")
    server = ScriptedServer([("A", 600)], [down, down, "authorization_pending", "ok"])
    _, _, stop = run(server)
    assert stop.waits == [5.0, 10.0, 20.0, 20.0]


def test_expired_code_is_replaced_by_a_fresh_one() -> None:
    server = ScriptedServer([("OLD", 600), ("NEW", 600)], ["expired_token", "ok"])
    cred, rec, _ = run(server)
    assert rec.codes == ["OLD", "NEW"]
    assert cred is not None
    assert server.polled == ["dc-OLD", "dc-NEW"]


def test_a_code_past_its_lifetime_is_not_polled_again() -> None:
    server = ScriptedServer([("OLD", 7), ("NEW", 600)], ["authorization_pending", "ok"])
    cred, rec, _ = run(server)
    # Polled at 5 s; at 10 s the tablet's own clock says the code is dead: a new one comes.
    assert server.polled == ["dc-OLD", "dc-NEW"]
    assert rec.codes == ["OLD", "NEW"] and cred is not None


def test_denied_is_shown_then_a_new_code_comes() -> None:
    server = ScriptedServer([("A", 600), ("B", 600)], ["access_denied", "ok"])
    cred, rec, _ = run(server)
    assert rec.denied == 1
    assert rec.codes == ["A", "B"]
    assert cred is not None


def test_backend_down_at_start_is_retried_with_backoff() -> None:
    down = PairingUnavailable("connection refused")
    server = ScriptedServer([down, down, ("A", 600)], ["ok"])
    cred, rec, _ = run(server)
    assert cred is not None
    assert len(rec.problems) == 2 and all(p >= 1 for p in rec.problems)


def test_stop_ends_the_flow_without_credential() -> None:
    server = ScriptedServer([("A", 600)], ["authorization_pending"] * 10)
    cred, _, _ = run(server, stop_after=3)
    assert cred is None


def test_full_jitter_is_bounded() -> None:
    rng = random.Random(7)
    for attempt in range(1, 40):
        delay = full_jitter(attempt, base=2.0, cap=300.0, rng=rng)
        assert 1.0 <= delay <= 300.0


def test_a_saved_code_is_resumed_after_a_restart_until_it_ends(tmp_path: Path) -> None:
    saved = SavedCode(tmp_path)
    first = ScriptedServer([("KEEP", 600)], ["authorization_pending"])
    clock = [T0]
    stop = FakeStop(clock, stop_after=1)  # the tablet is unplugged during the first wait
    run_pairing(first, Recorder().callbacks(), stop, lambda: clock[0], saved=saved)  # type: ignore[arg-type]
    assert oct(saved.path.stat().st_mode & 0o777) == "0o600"  # the device code is a secret

    again = ScriptedServer([], ["ok"])  # no new code may be asked for
    rec = Recorder()
    clock[0] += timedelta(minutes=3)
    cred = run_pairing(again, rec.callbacks(), FakeStop(clock), lambda: clock[0], saved=saved)  # type: ignore[arg-type]
    assert rec.codes == ["KEEP"] and again.polled == ["dc-KEEP"]
    assert cred is not None and not saved.path.exists()


def test_an_expired_or_foreign_saved_code_is_not_resumed(tmp_path: Path) -> None:
    saved = SavedCode(tmp_path)
    code = PairingCode(
        "dc-OLD", "OLD", "http://b/pair", "http://b/pair", T0 + timedelta(minutes=10), 5.0
    )
    saved.save(code, "http://backend")
    assert saved.load("http://backend", T0) == code
    assert saved.load("http://other", T0) is None
    assert saved.load("http://backend", T0 + timedelta(minutes=10)) is None
    saved.path.write_text("{half", encoding="utf-8")
    assert saved.load("http://backend", T0) is None
