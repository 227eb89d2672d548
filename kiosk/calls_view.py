"""Video calls on the tablet, without Qt: what to show for the synced calls and callers
(docs/calls.md, "The tablet's side") and the tablet's state.

- `parse_callers` / `parse_calls`: the synced kinds `callers` and `calls`, bad records skipped.
- `deadline_of`: when a call stops ringing on this tablet, counted from the moment its record
  came (`ring_seconds_left` is computed by the backend when the sync answers: the tablet's own
  clock may be wrong); a record found in the store at start has only `ring_until` to go by.
- `to_ring`: the call the ringing screen shows (the oldest `to_tablet` call still ringing
  here, not answered or refused already), `busy_calls`: those to refuse with reason `busy`
  while the call process runs.
- `mode_for`: ring, or the auto-answer countdown — only for a call the backend marked
  `auto_answer`, and never in night mode or during a professional's session (it rings then),
  nor when too little of the ring is left for the countdown to end before it.
- `hung_up`: the call being rung has ended on the other side (« Paul a raccroché. »).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import Enum
from typing import Any

CALLERS = "callers"  # synced kind: the approved callers
CALLS = "calls"  # synced kind: the calls ringing, answered, or ended in the last 10 minutes
AUTO_ANSWER_ACTION = "call_auto_answer"  # device action {"user_id", "declined"}
TO_TABLET = "to_tablet"
RINGING = "ringing"
ENDED = "ended"
COUNTDOWN_SECONDS = 10
# The countdown starts only when at least this much of the ring is left (else it rings).
COUNTDOWN_NEEDS = COUNTDOWN_SECONDS + 2


@dataclass(frozen=True)
class Caller:
    id: int
    name: str
    initials: str
    relation: str | None = None
    auto_answer: bool = False  # the care manager's setting
    declined: bool = False  # the beneficiary took herself off auto-answer for this caller

    @property
    def opens_by_itself(self) -> bool:
        """A call from this person opens after the countdown."""
        return self.auto_answer and not self.declined


def initials_of(name: str) -> str:
    """ "Paul Martin" → "PM"; one word → its first letter; nothing → "?"."""
    letters = [word[0] for word in name.split() if word[:1].isalpha()]
    if not letters:
        return "?"
    return (letters[0] + letters[-1] if len(letters) > 1 else letters[0]).upper()


def first_name(name: str) -> str:
    words = name.split()
    return words[0] if words else name


def _text(value: Any) -> str:
    return " ".join(str(value).split()) if isinstance(value, str) else ""


def parse_callers(records: Iterable[Mapping[str, Any]]) -> tuple[Caller, ...]:
    """The approved callers, by name."""
    found = []
    for record in records:
        try:
            user_id = int(record["id"])
        except (KeyError, TypeError, ValueError):
            continue
        name = _text(record.get("name"))
        if not name:
            continue
        relation = _text(record.get("relation")) or None
        initials = _text(record.get("initials"))[:3] or initials_of(name)
        found.append(
            Caller(
                user_id,
                name,
                initials,
                relation,
                record.get("auto_answer") is True,
                record.get("auto_answer_declined") is True,
            )
        )
    return tuple(sorted(found, key=lambda c: (c.name.casefold(), c.id)))


def with_wishes(callers: Iterable[Caller], wishes: Mapping[int, bool]) -> tuple[Caller, ...]:
    """The callers as the beneficiary chose on this tablet (`wishes`: user id → declined),
    while her choice is on its way to the backend."""
    return tuple(replace(c, declined=wishes[c.id]) if c.id in wishes else c for c in callers)


@dataclass(frozen=True)
class Call:
    id: int
    direction: str
    state: str
    outcome: str | None
    caller_id: int | None
    caller_name: str
    caller_initials: str
    auto_answer: bool = False
    ring_seconds_left: float | None = None
    ring_until: datetime | None = None

    @property
    def rings_here(self) -> bool:
        return self.direction == TO_TABLET and self.state == RINGING

    @property
    def ended(self) -> bool:
        return self.state == ENDED


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def parse_calls(records: Iterable[Mapping[str, Any]]) -> tuple[Call, ...]:
    """The synced calls, oldest first."""
    found = []
    for record in records:
        try:
            call_id = int(record["id"])
        except (KeyError, TypeError, ValueError):
            continue
        caller = record.get("caller")
        caller = caller if isinstance(caller, Mapping) else {}
        name = _text(caller.get("name"))
        try:
            caller_id: int | None = int(caller["id"])
        except (KeyError, TypeError, ValueError):
            caller_id = None
        left = record.get("ring_seconds_left")
        seconds = (
            float(left)
            if isinstance(left, int | float) and not isinstance(left, bool) and math.isfinite(left)
            else None
        )
        found.append(
            Call(
                call_id,
                _text(record.get("direction")),
                _text(record.get("state")),
                _text(record.get("outcome")) or None,
                caller_id,
                name,
                _text(caller.get("initials"))[:3] or initials_of(name),
                record.get("auto_answer") is True,
                seconds,
                _when(record.get("ring_until")),
            )
        )
    return tuple(sorted(found, key=lambda c: c.id))


def deadline_of(call: Call, received: float, wall_now: datetime | None = None) -> float:
    """When (on the monotonic clock of `received`) `call` stops ringing here. `wall_now`:
    the record was not just received but found in the store (a restart): only `ring_until`
    against the tablet's clock tells then; without it, it rings no more."""
    if wall_now is None and call.ring_seconds_left is not None:
        return received + max(0.0, call.ring_seconds_left)
    if wall_now is not None and call.ring_until is not None:
        return received + max(0.0, (call.ring_until - wall_now).total_seconds())
    return received


def _candidates(
    calls: Iterable[Call], deadlines: Mapping[int, float], now: float, done: Collection[int]
) -> list[Call]:
    return [
        c for c in calls if c.rings_here and c.id not in done and deadlines.get(c.id, now) > now
    ]


def to_ring(
    calls: Iterable[Call], deadlines: Mapping[int, float], now: float, done: Collection[int]
) -> Call | None:
    """The call to ring for now: the oldest ringing here, not dealt with, not run out."""
    found = _candidates(calls, deadlines, now, done)
    return found[0] if found else None


def busy_calls(
    calls: Iterable[Call], deadlines: Mapping[int, float], now: float, done: Collection[int]
) -> list[Call]:
    """The calls ringing here while the tablet is already in a call: refused, `busy`."""
    return _candidates(calls, deadlines, now, done)


@dataclass(frozen=True)
class Situation:
    """What the tablet is doing when a call comes."""

    night: bool = False  # night mode (its hours, or the night screen shown)
    professional: bool = False  # a professional's session (or the technician's)


class Mode(Enum):
    RING = "ring"
    COUNTDOWN = "countdown"


def mode_for(call: Call, situation: Situation, seconds_left: float) -> Mode:
    """The auto-answer countdown only for a call marked so, outside night mode and a
    professional's session, with time for it to finish before the ring does."""
    if not call.auto_answer or situation.night or situation.professional:
        return Mode.RING
    return Mode.COUNTDOWN if seconds_left >= COUNTDOWN_NEEDS else Mode.RING


def hung_up(calls: Iterable[Call], ringing_id: int) -> Call | None:
    """The call being rung, if it has ended (or is no longer ringing) on the backend."""
    for call in calls:
        if call.id == ringing_id and not call.rings_here:
            return call
    return None
