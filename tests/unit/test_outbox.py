"""The tablet's outbox: durable, ordered, delivered once, never blocked by a refused write."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kiosk.client_errors import Revoked, Unreachable
from kiosk.outbox import FlushOutcome, Outbox, flush


class FakeBackend:
    """Applies each idempotency key once, like the real endpoint; scripted failures first."""

    def __init__(self, *script: int | Exception) -> None:
        self.script = list(script)
        self.applied: dict[str, tuple[str, dict[str, Any]]] = {}
        self.calls: list[str] = []

    def post_action(
        self, action_type: str, data: dict[str, Any], key: str
    ) -> tuple[int, dict[str, Any]]:
        self.calls.append(key)
        if self.script:
            step = self.script.pop(0)
            if isinstance(step, Exception):
                raise step
            if step != 200:
                return step, {"detail": f"refused with {step}"}
        self.applied.setdefault(key, (action_type, data))
        return 200, {"ok": True}


def test_enqueued_writes_survive_a_restart_and_go_out_in_order(tmp_path: Path) -> None:
    first = Outbox(tmp_path)
    keys = [first.enqueue("mood", {"score": s}) for s in (4, 2, 5)]
    reopened = Outbox(tmp_path)  # as after a power cut
    assert [e.key for e in reopened.pending()] == keys
    backend = FakeBackend()
    assert flush(reopened, backend) is FlushOutcome.EMPTY  # type: ignore[arg-type]
    assert list(backend.applied) == keys
    assert [d["score"] for _, d in backend.applied.values()] == [4, 2, 5]
    assert reopened.pending_count() == 0


def test_unreachable_stops_and_keeps_everything(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path)
    outbox.enqueue("mood", {"score": 3})
    outbox.enqueue("read", {"message_id": 7})
    backend = FakeBackend(Unreachable("connection refused"))
    assert flush(outbox, backend) is FlushOutcome.UNREACHABLE  # type: ignore[arg-type]
    pending = outbox.pending()
    assert len(pending) == 2 and pending[0].attempts == 1
    # Next time it goes through, with the same keys: the backend applies each once.
    assert flush(outbox, backend) is FlushOutcome.EMPTY  # type: ignore[arg-type]
    assert len(backend.applied) == 2


def test_a_lost_answer_is_resent_with_the_same_key(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path)
    key = outbox.enqueue("reply", {"reply_to_id": 1, "body": "Merci !"})
    backend = FakeBackend()
    original = backend.post_action

    def applied_but_answer_lost(t: str, d: dict[str, Any], k: str) -> tuple[int, dict[str, Any]]:
        original(t, d, k)
        raise Unreachable("read timed out")

    backend.post_action = applied_but_answer_lost  # type: ignore[method-assign]
    assert flush(outbox, backend) is FlushOutcome.UNREACHABLE  # type: ignore[arg-type]
    backend.post_action = original  # type: ignore[method-assign]
    assert flush(outbox, backend) is FlushOutcome.EMPTY  # type: ignore[arg-type]
    assert backend.calls == [key, key] and len(backend.applied) == 1


def test_busy_answers_are_retried_refusals_are_set_aside(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path)
    outbox.enqueue("mood", {"score": 9})
    good = outbox.enqueue("mood", {"score": 4})
    backend = FakeBackend(409)
    assert flush(outbox, backend) is FlushOutcome.UNREACHABLE  # type: ignore[arg-type]
    assert outbox.pending_count() == 2
    backend.script = [422]  # the first one is invalid for good
    assert flush(outbox, backend) is FlushOutcome.EMPTY  # type: ignore[arg-type]
    assert list(backend.applied) == [good]  # the refused write did not block the next one
    (rejected,) = outbox.rejected()
    assert rejected[1] == "mood" and "422" in rejected[2]


def test_revoked_stops_the_flush(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path)
    outbox.enqueue("mood", {"score": 3})
    assert flush(outbox, FakeBackend(Revoked())) is FlushOutcome.REVOKED  # type: ignore[arg-type]
    outbox.wipe()
    assert outbox.pending() == [] and outbox.rejected() == []
