"""What the professionals' entry shows, computed without Qt: today's visits with their
instructions, and, once a professional has typed their PIN, who they are and the health
messages addressed to them.

Where the instructions come from, and why they wait for the PIN
----------------------------------------------------------------
The backend syncs each event's `instructions` to the tablet (`backend.services.agenda.
event_payload`): the tablet is in the beneficiary's home, professionals read them there, and
they must be there with no network. But instructions are care data that family and friends
never see in the console, and anyone in the home can touch the tablet. So the schedule is
shown to whoever taps "Je suis un professionnel" (times, what, who: the same as the home
screen), and the instructions only to a person the backend has identified by PIN *and* whose
role allows them (`may_view_instructions`); the backend audits that showing. `public()` is
the only schedule the screen gets before that.

The health messages addressed to a professional are not on the tablet at all (the health
space is for its recipients): they come from `kiosk.professional_client`, after the PIN.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from common.recurrence import AgendaEvent, occurrences_on
from kiosk.home_view import LineState
from kiosk.messages_view import MessageItem, build_messages_view

PIN_MIN_LENGTH = 4  # as the backend's PIN_PATTERN
PIN_MAX_LENGTH = 8
LOCAL_MAX_FAILURES = 5
LOCAL_LOCK = timedelta(minutes=1)


@dataclass(frozen=True)
class VisitLine:
    event_id: int
    start: datetime  # aware, in the beneficiary's time zone
    end: datetime
    title: str  # written by people: plain text
    who: str
    kind: str
    state: LineState
    person_id: int | None  # the professional it is planned for, when the agenda says
    instructions: str  # "" when there are none, or before identification (see public())


@dataclass(frozen=True)
class ProfessionalView:
    now: datetime
    visits: tuple[VisitLine, ...]  # today's, in order, with their instructions

    def public(self) -> tuple[VisitLine, ...]:
        """Today's visits without their instructions: what anybody may see."""
        return tuple(replace(v, instructions="") for v in self.visits)

    def has_instructions(self, line: VisitLine) -> bool:
        return any(v.event_id == line.event_id and v.instructions for v in self.visits)


@dataclass(frozen=True)
class Professional:
    """Whom the backend recognised by their PIN (kiosk.professional_client.identify)."""

    user_id: int
    name: str
    may_record_visit: bool
    may_view_instructions: bool


@dataclass(frozen=True)
class IdentifiedView:
    professional: Professional
    now: datetime
    visits: tuple[VisitLine, ...]  # with instructions only if the role allows
    messages: tuple[MessageItem, ...]  # health messages addressed to them: unread, then newest

    def own_visits(self) -> tuple[VisitLine, ...]:
        return tuple(v for v in self.visits if v.person_id == self.professional.user_id)


def instructions_by_event(records: Iterable[Mapping[str, Any]]) -> dict[int, str]:
    """event id → instructions, from the synced event records (absent key: none)."""
    found: dict[int, str] = {}
    for record in records:
        event_id, text = record.get("id"), record.get("instructions")
        if isinstance(event_id, int) and isinstance(text, str) and text.strip():
            found[event_id] = text.strip()
    return found


def people_by_event(records: Iterable[Mapping[str, Any]]) -> dict[int, int]:
    found: dict[int, int] = {}
    for record in records:
        event_id, person = record.get("id"), record.get("person_id")
        if isinstance(event_id, int) and isinstance(person, int) and not isinstance(person, bool):
            found[event_id] = person
    return found


def build_professional_view(
    events: Iterable[AgendaEvent], event_records: Iterable[Mapping[str, Any]], now: datetime
) -> ProfessionalView:
    """Today's visits (`common.recurrence` expands recurring ones) and their instructions."""
    if now.tzinfo is None:
        raise ValueError("now must be aware, in the beneficiary's time zone")
    records = list(event_records)
    instructions = instructions_by_event(records)
    people = people_by_event(records)
    occurrences = occurrences_on(list(events), now.date(), now.tzinfo)  # type: ignore[arg-type]
    upcoming = next((o for o in occurrences if o.start > now), None)
    lines = []
    for occ in occurrences:
        if occ.end <= now:
            state = LineState.PAST
        elif occ.is_current(now):
            state = LineState.CURRENT
        elif occ == upcoming:
            state = LineState.NEXT
        else:
            state = LineState.LATER
        lines.append(
            VisitLine(
                event_id=occ.event_id,
                start=occ.start.astimezone(now.tzinfo),
                end=occ.end.astimezone(now.tzinfo),
                title=occ.title,
                who=occ.who,
                kind=occ.kind,
                state=state,
                person_id=people.get(occ.event_id),
                instructions=instructions.get(occ.event_id, ""),
            )
        )
    return ProfessionalView(now, tuple(lines))


def build_identified_view(
    view: ProfessionalView,
    professional: Professional,
    message_records: Iterable[Mapping[str, Any]],
    now: datetime,
) -> IdentifiedView:
    visits = view.visits if professional.may_view_instructions else view.public()
    # These are all health messages (the backend answers no other kind).
    health = [{**record, "space": "health"} for record in message_records]
    messages = build_messages_view(health, now).items
    return IdentifiedView(professional, now, visits, messages)


def visit_action_data(user_id: int, pin: str, at: datetime) -> dict[str, object]:
    """The data of the tablet's "arrival" and "departure" outbox actions, as
    `backend.services.visits.arrival_action` expects it: {"user_id", "pin", "at"}."""
    if at.tzinfo is None:
        raise ValueError("at must be aware")
    return {"user_id": user_id, "pin": pin, "at": at.astimezone(UTC).isoformat()}


def is_pin(text: str) -> bool:
    return text.isascii() and text.isdigit() and PIN_MIN_LENGTH <= len(text) <= PIN_MAX_LENGTH


class PinLock:
    """Wrong PINs typed on this tablet: after LOCAL_MAX_FAILURES in a row the pad rests for
    LOCAL_LOCK (the backend counts too, for every tablet and worker; this spares it the
    guesses and tells the person kindly at once). Times are `time.monotonic()` seconds."""

    def __init__(
        self, max_failures: int = LOCAL_MAX_FAILURES, lock: timedelta = LOCAL_LOCK
    ) -> None:
        self._max = max_failures
        self._lock = lock.total_seconds()
        self._failures = 0
        self._until = 0.0

    def failure(self, now: float) -> bool:
        """Count a wrong PIN; True when this one locks the pad."""
        self._failures += 1
        if self._failures >= self._max:
            self._failures = 0
            self._until = now + self._lock
            return True
        return False

    def lock_for(self, seconds: float, now: float) -> None:
        """Rest at least `seconds` (the backend said 429 with a Retry-After)."""
        self._until = max(self._until, now + seconds)

    def success(self) -> None:
        self._failures = 0

    def remaining(self, now: float) -> float:
        """Seconds until the pad may be used again; 0 when it may."""
        return max(0.0, self._until - now)

    @property
    def failures(self) -> int:
        return self._failures
